//! The assistant: the meeting-room dialogue and the device's state.
//!
//! Each utterance becomes an [`Intent`] (through [`crate::intent::parse`], which knows
//! what the device last asked); the assistant consults the room calendar, answers with
//! a sentence, and may join a call, book the room or ask a follow-up question
//! ("What is your meeting ID?"). Everything it does is emitted as [`Event`]s; the
//! answers are also spoken through [`Voice`].
//!
//! State kept between turns: the question pending (with one retry on an unclear
//! answer), the call in progress, and check-ins. Timers ([`Assistant::tick`]) give
//! end-of-meeting reminders, release reservations nobody checked into, offer to join a
//! meeting as it starts (proactive join) and note what the room was used for in the
//! utilisation log ([`crate::utilisation`]).
//!
//! Here: the dialogue (turns, pending questions, confirmations, read-backs). Beside it:
//! `joining.rs` (start my meeting: invitation or spoken ID to a join plan), `room.rs` (the
//! room's calendar: free, who booked, book, end, extend, check in, the user's calendar),
//! `timers.rs` (what the device does on its own), `answers.rs` (the sentences). Over 600
//! lines because the dialogue's states and their answers read best in one place.

pub(crate) mod answers;
mod joining;
mod room;
mod settings;
mod timers;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};

use crate::calendar::{self, Calendar, CalendarError, CalendarView, Meeting, NewBooking};
use crate::dialin::{self, DialPreferences, Invitation, JoinPlan, PinRequirement, ProviderId};
use crate::events::{Event, EventSink};
use crate::intent::{self, Expecting, Intent, SpokenTime};
use crate::utilisation::{Record, UtilisationLog};
use crate::voice::Voice;
use answers::Speaker;
pub use settings::{AssistantConfig, ClockStyle, ReadBack, Settings, MAX_OFFER_MINUTES_BEFORE};

/// Where "now" comes from.
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    System,
    /// A fixed time (`--now`); audio runs add the offset into the file.
    Fixed(DateTime<Utc>),
}

impl Clock {
    pub(crate) fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(t) => *t,
        }
    }
}

/// The question the device asked and is waiting for an answer to.
#[derive(Debug, Clone)]
enum Pending {
    /// "What is your meeting ID?" The plan holds what is already known (provider,
    /// number); `instant` is true when the room should be booked on joining.
    MeetingId {
        plan: JoinPlan,
        subject: Option<String>,
        retried: bool,
    },
    /// "What is your meeting PIN?"
    Pin {
        plan: JoinPlan,
        subject: Option<String>,
        retried: bool,
    },
    /// "Do you want to start a new meeting?"
    NewMeeting { retried: bool },
    /// "I can book it until then. Shall I?"
    Book {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        retried: bool,
    },
    /// "I can extend the meeting until then. Shall I?"
    Extend {
        event: Box<Meeting>,
        new_end: DateTime<Utc>,
        retried: bool,
    },
    /// "Did you want me to end the call?": an action heard after an uncertain wake word
    /// or with low recogniser confidence.
    Confirm { intent: Intent, retried: bool },
    /// "I heard 8 5 5, 1 2 3. Is that right?": digits heard with low confidence, read
    /// back before they are used; `of` is the question they answered, `why` a sentence
    /// said before the question (a meeting ID of a length the service never uses).
    ReadBack {
        of: Box<Pending>,
        digits: String,
        why: Option<String>,
        retried: bool,
    },
    /// "Your meeting \"X\" is starting. Shall I join?": proactive join, asked by the
    /// timers; `plan` is what its invitation gave.
    Offer {
        event: Box<Meeting>,
        plan: Box<JoinPlan>,
        retried: bool,
    },
}

impl Pending {
    fn expecting(&self) -> Expecting {
        match self {
            Pending::MeetingId { .. } | Pending::NewMeeting { .. } => Expecting::MeetingId,
            Pending::Pin { .. } => Expecting::Pin,
            Pending::Book { .. }
            | Pending::Extend { .. }
            | Pending::Confirm { .. }
            | Pending::ReadBack { .. }
            | Pending::Offer { .. } => Expecting::YesNo,
        }
    }

    fn question(&self) -> String {
        match self {
            Pending::MeetingId { .. } => "What is your meeting ID?".into(),
            Pending::Pin { .. } => "What is your meeting PIN?".into(),
            Pending::NewMeeting { .. } => "Do you want to start a new meeting?".into(),
            Pending::Book { .. } => "Shall I book it?".into(),
            Pending::Extend { .. } => "Shall I extend it?".into(),
            Pending::Confirm { intent, .. } => confirmation(intent),
            Pending::ReadBack { digits, why, .. } => {
                let why = why.as_ref().map_or(String::new(), |why| format!(" {why}"));
                format!("I heard {}.{why} Is that right?", spoken_digits(digits))
            }
            Pending::Offer { event, .. } => {
                format!(
                    "Your meeting \"{}\" is starting. Shall I join?",
                    event.subject
                )
            }
        }
    }

    fn retried(&self) -> bool {
        match self {
            Pending::MeetingId { retried, .. }
            | Pending::Pin { retried, .. }
            | Pending::NewMeeting { retried }
            | Pending::Book { retried, .. }
            | Pending::Extend { retried, .. }
            | Pending::Confirm { retried, .. }
            | Pending::ReadBack { retried, .. }
            | Pending::Offer { retried, .. } => *retried,
        }
    }

    fn mark_retried(&mut self) {
        match self {
            Pending::MeetingId { retried, .. }
            | Pending::Pin { retried, .. }
            | Pending::NewMeeting { retried }
            | Pending::Book { retried, .. }
            | Pending::Extend { retried, .. }
            | Pending::Confirm { retried, .. }
            | Pending::ReadBack { retried, .. }
            | Pending::Offer { retried, .. } => *retried = true,
        }
    }
}

/// The call in progress.
#[derive(Debug)]
struct Call {
    /// The calendar event joined, if it came from the calendar.
    event: Option<Meeting>,
    /// The booking this device made for the call (ended early on hang-up).
    instant_booking: Option<Meeting>,
    /// Reminders already given, in minutes before the end.
    reminded: BTreeSet<u32>,
    /// The SIP call (`dialer = "sip"`); hung up with the meeting.
    line: Option<crate::join::SipCall>,
}

/// The question confirming an action heard after an uncertain wake word.
fn confirmation(intent: &Intent) -> String {
    match intent {
        Intent::BookRoom {
            minutes: Some(m), ..
        } => format!(
            "Did you want me to book this room for {}?",
            spoken_minutes(*m)
        ),
        Intent::BookRoom { .. } => "Did you want me to book this room?".into(),
        Intent::EndMeeting => "Did you want me to end the call?".into(),
        Intent::ExtendMeeting { minutes } => {
            format!(
                "Did you want me to extend the meeting by {}?",
                spoken_minutes(*minutes)
            )
        }
        Intent::AddEvent {
            title: Some(title), ..
        } => format!("Did you want me to add \"{title}\" to your calendar?"),
        Intent::AddEvent { .. } => "Did you want me to add an event to your calendar?".into(),
        _ => "Did you want me to do that?".into(),
    }
}

/// A duration as said: "30 minutes", "an hour", "1 hour and 30 minutes", "7 hours" (a
/// booking heard as "seven hours" was asked about as "420 minutes").
fn spoken_minutes(minutes: u32) -> String {
    let (hours, rest) = (minutes / 60, minutes % 60);
    let hours_part = match hours {
        0 => String::new(),
        1 => "an hour".to_string(),
        h => format!("{h} hours"),
    };
    match (hours, rest) {
        (0, 1) => "1 minute".into(),
        (0, m) => format!("{m} minutes"),
        (_, 0) => hours_part,
        (1, m) => format!("1 hour and {m} minutes"),
        (_, m) => format!("{hours_part} and {m} minutes"),
    }
}

/// Spoken digits heard with less confidence than this are read back with `[assistant]
/// read_back_digits = "uncertain"` (the default reads back every spoken answer).
/// PocketSphinx's confidence is the share of words its two passes agree on; its
/// streaming pass is the weaker on digits, so some disagreement is usual. Measured on
/// the evaluation set's clean digit answers (tests/eval, 16 voices): below 1.0 caught 23
/// of 44 wrong answers and read back 2 of 36 right ones (and the demo dialogue's right
/// meeting ID, at 0.82); below 0.8, 11 of 44 wrong and 1 of 36 right.
const READ_BACK_BELOW_CONFIDENCE: f32 = 0.8;

/// Digit counts a meeting ID of any service may have; an answer outside them is asked
/// for again rather than read back or dialed.
const MEETING_ID_LENGTHS: std::ops::RangeInclusive<usize> = 3..=20;

/// Digits as the device reads them back: one by one, in groups of three (the last group
/// up to four) so that a listener can follow: "8 5 5, 1 2 3, 4 5 6 7".
fn spoken_digits(digits: &str) -> String {
    let chars: Vec<char> = digits.chars().collect();
    let mut groups = Vec::new();
    let mut rest = &chars[..];
    while rest.len() > 4 {
        groups.push(&rest[..3]);
        rest = &rest[3..];
    }
    if !rest.is_empty() {
        groups.push(rest);
    }
    groups
        .iter()
        .map(|g| g.iter().map(char::to_string).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The answer to a request that is nothing a room device does ("alexa, play some music").
const NOT_A_COMMAND: &str = "Sorry, I can only help with this room's meetings. You can say: start my meeting, is this room free, or book this room for 30 minutes.";

/// How long after a meeting's start the device still offers to join it: people a little
/// late (or a device restarted just after the start) still get the offer; later than
/// this, the meeting was joined some other way or nobody came, and an offer would only
/// interrupt.
const OFFER_UNTIL_AFTER_START: Duration = Duration::minutes(10);

/// How far back and ahead a turn reads the calendar.
const LOOK_BEHIND: Duration = Duration::hours(14);
const LOOK_AHEAD: Duration = Duration::hours(38);

/// Whose calendar a request went to: what the device says when it fails names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CalendarOwner {
    Room,
    User,
}

/// The device: settings, calendar, dialogue state.
pub struct Assistant {
    pub settings: Settings,
    calendar: Box<dyn Calendar>,
    clock: Clock,
    voice: Voice,
    speaker: Speaker,
    pending: Option<Pending>,
    call: Option<Call>,
    checked_in: BTreeSet<String>,
    failed: bool,
    /// The detector's score for the wake word that opened the current turn.
    wake_score: Option<f32>,
    /// The recogniser's confidence in the utterance being handled (None: typed text, or
    /// an engine that gives none).
    confidence: Option<f32>,
    /// The utterance being handled was typed (`ask`): never read back.
    typed: bool,
    /// Sentences said aloud so far ([`Assistant::sentences_spoken`]).
    sentences_spoken: u64,
    /// Meetings offered (proactive join) or joined: offered once at most.
    offered: BTreeSet<String>,
    /// The join under way answers the device's offer (noted in the utilisation log).
    joining_offer: bool,
    /// Reservations released by this device (no offer, not "held").
    released: BTreeSet<String>,
    /// Reservations seen in progress, by id: logged as held once their end passes.
    watched: BTreeMap<String, Meeting>,
    /// Where what happened in the room is noted (`listen`; `ask` and `run` with --log).
    utilisation: Option<UtilisationLog>,
}

impl Assistant {
    /// Opens the configured calendar and prepares the dialogue.
    pub(crate) fn open(
        settings: Settings,
        calendar: &calendar::Setup,
        clock: Clock,
        speak: bool,
    ) -> anyhow::Result<Assistant> {
        let calendar = calendar::open(calendar)?;
        tracing::info!(
            room = %settings.room.name,
            backend = calendar.backend(),
            "assistant ready"
        );
        Ok(Assistant::new(settings, calendar, clock, speak))
    }

    pub(crate) fn new(
        settings: Settings,
        calendar: Box<dyn Calendar>,
        clock: Clock,
        speak: bool,
    ) -> Assistant {
        let voice = Voice::new(&settings.voice, speak);
        let speaker = Speaker {
            zone: settings.room.timezone,
            clock: settings.assistant.clock,
        };
        Assistant {
            settings,
            calendar,
            clock,
            voice,
            speaker,
            pending: None,
            call: None,
            checked_in: BTreeSet::new(),
            failed: false,
            wake_score: None,
            confidence: None,
            typed: false,
            sentences_spoken: 0,
            offered: BTreeSet::new(),
            joining_offer: false,
            released: BTreeSet::new(),
            watched: BTreeMap::new(),
            utilisation: None,
        }
    }

    /// Notes what happens in the room (joins, bookings, releases, meetings held) in
    /// this log from now on.
    pub fn set_utilisation_log(&mut self, log: Option<UtilisationLog>) {
        self.utilisation = log;
    }

    fn log(&mut self, record: impl FnOnce(&UtilisationLog) -> Record) {
        if let Some(log) = &mut self.utilisation {
            let record = record(log);
            log.append(&record);
        }
    }

    /// What the device is waiting for (speech engines may narrow their grammar by it).
    pub fn expecting(&self) -> Expecting {
        self.pending
            .as_ref()
            .map_or(Expecting::Command, Pending::expecting)
    }

    /// Sets the clock (audio runs: `--now` plus the offset of the utterance in the file).
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    /// True while a call is in progress.
    pub fn in_call(&self) -> bool {
        self.call.is_some()
    }

    /// 0 when every turn was handled, 1 when an error was reported.
    pub(crate) fn exit_code(&self) -> i32 {
        i32::from(self.failed)
    }

    /// One utterance typed on the command line (as sure as text can be).
    pub fn hear(&mut self, text: &str, sink: &mut dyn EventSink) {
        self.typed = true;
        self.hear_spoken(text, None, sink);
        self.typed = false;
    }

    /// One utterance from a speech engine, with the engine's confidence in it (0-1).
    pub fn hear_spoken(&mut self, text: &str, confidence: Option<f32>, sink: &mut dyn EventSink) {
        self.confidence = confidence;
        self.call_progress(sink);
        let parsed = intent::parse(text, &self.settings.assistant.wake_word, self.expecting());
        sink.emit(&Event::Intent {
            intent: parsed.intent.clone(),
            text: text.to_string(),
        });
        let wake_score = self.wake_score.take();
        if let Some(pending) = self.pending.take() {
            self.answer(pending, parsed.intent, parsed.woke, sink);
        } else if parsed.woke && self.needs_confirmation(&parsed.intent, wake_score) {
            self.ask(
                Pending::Confirm {
                    intent: parsed.intent,
                    retried: false,
                },
                sink,
            );
        } else if parsed.woke {
            self.command(parsed.intent, sink);
        } else {
            // Not addressed to the device: conversation in the room. Say nothing.
            tracing::debug!(text, "no wake word; ignored");
        }
    }

    /// The wake-word detector heard the wake word: the device listens (an earcon), and
    /// acts only on the command that follows.
    pub(crate) fn woke(&mut self, score: f32, at_s: f64, sink: &mut dyn EventSink) {
        sink.emit(&Event::Wake { score, at_s });
        self.wake_score = Some(score);
        self.voice.earcon();
    }

    /// Whether an action should be confirmed first: it changes something (a booking, the
    /// call, the calendar) and the wake word was uncertain (measured: "let's book this
    /// room" said between colleagues woke the detector at 0.5-0.9 and became a booking).
    fn needs_confirmation(&self, intent: &Intent, wake_score: Option<f32>) -> bool {
        let uncertain = wake_score
            .is_some_and(|s| s < self.settings.assistant.confirm_below_wake_score)
            || self
                .confidence
                .is_some_and(|c| c < self.settings.assistant.confirm_below_confidence);
        let action = match intent {
            Intent::BookRoom { .. } | Intent::ExtendMeeting { .. } | Intent::AddEvent { .. } => {
                true
            }
            Intent::EndMeeting => self.call.is_some(),
            _ => false,
        };
        uncertain && action
    }

    /// After the wake word, speech that is no command (the recogniser heard no phrase
    /// of the device's in it): understood as nothing, and the device says what it can do.
    /// Said only when the wake word was certain: after an uncertain one, the speech was
    /// most likely not addressed to the device at all ("let's book ..." woke the
    /// detector), and a room device that talks back to conversations is a nuisance.
    pub(crate) fn not_a_command(&mut self, sink: &mut dyn EventSink) {
        let wake_score = self.wake_score.take();
        sink.emit(&Event::Intent {
            intent: Intent::None,
            text: String::new(),
        });
        if wake_score.is_none_or(|s| s >= self.settings.assistant.confirm_below_wake_score) {
            self.say(NOT_A_COMMAND, sink);
        }
    }

    /// The person said nothing when an answer was expected: ask once more, then give up.
    pub fn silence(&mut self, sink: &mut dyn EventSink) {
        if let Some(mut pending) = self.pending.take() {
            if pending.retried() && matches!(pending, Pending::Offer { .. }) {
                // Nobody asked for the offer and maybe nobody is in the room: it was
                // said twice, that is enough.
                tracing::info!("no answer to the offer to join; not asking again");
            } else if pending.retried() {
                self.say("I didn't hear an answer, so I'll stop here.", sink);
            } else {
                pending.mark_retried();
                let question = pending.question();
                self.pending = Some(pending);
                self.say(&format!("Sorry, I didn't hear you. {question}"), sink);
            }
        }
    }

    /// End of input: a question still open is given up politely.
    pub fn finish(&mut self, sink: &mut dyn EventSink) {
        self.call_progress(sink);
        match self.pending.take() {
            // An offer nobody answered ends as quietly as it would in `listen`.
            Some(Pending::Offer { .. }) | None => {}
            Some(_) => self.say("I didn't hear an answer, so I'll stop here.", sink),
        }
        // A SIP call must not outlive the process: hang up cleanly (BYE).
        if let Some(mut line) = self.call.as_mut().and_then(|c| c.line.take()) {
            tracing::info!("the session ends with the call up: hanging up");
            sink.emit(&Event::Hangup {});
            self.log_call_ended("room");
            let progress = line.hang_up();
            self.report_call(progress, sink);
        }
    }

    /// Waits until the SIP call has keyed its dial string, or failed (`ask` and `run`
    /// hear their next turn only then, as a person would wait for the call).
    pub(crate) fn settle(&mut self, sink: &mut dyn EventSink) {
        let limit = std::time::Duration::from_secs(
            self.settings
                .join
                .sip
                .as_ref()
                .map_or(60, |s| u64::from(s.answer_timeout_s))
                + 300,
        );
        let progress = match self.call.as_mut().and_then(|c| c.line.as_mut()) {
            Some(line) => line.settle(limit),
            None => return,
        };
        self.report_call(progress, sink);
    }

    /// Reports what the SIP call did since the last look.
    fn call_progress(&mut self, sink: &mut dyn EventSink) {
        let progress = match self.call.as_mut().and_then(|c| c.line.as_mut()) {
            Some(line) => line.poll(),
            None => return,
        };
        self.report_call(progress, sink);
    }

    /// Events for the call's progress; a failed call is said in the room, and a call the
    /// far end ended is over for the device too.
    fn report_call(&mut self, progress: Vec<crate::join::Progress>, sink: &mut dyn EventSink) {
        use crate::join::{EndedBy, Progress};
        for p in progress {
            match p {
                Progress::Dialing { uri } => sink.emit(&Event::Dialing { uri }),
                Progress::Connected { uri } => sink.emit(&Event::Connected { uri }),
                Progress::DtmfSent { digits } => sink.emit(&Event::DtmfSent { digits }),
                Progress::Keyed => {}
                Progress::Ended { by, reason } => {
                    sink.emit(&Event::Ended {
                        by: by.as_str().to_string(),
                        reason,
                    });
                    if by == EndedBy::FarEnd {
                        self.log_call_ended("far_end");
                        self.call = None;
                        self.say("The call has ended.", sink);
                    }
                }
                Progress::Failed(failure) => {
                    self.call = None;
                    self.failed = true;
                    sink.emit(&Event::Failed {
                        status: failure.status,
                        reason: failure.reason,
                        message: failure.sentence.clone(),
                    });
                    self.say(&failure.sentence, sink);
                }
            }
        }
    }

    fn command(&mut self, intent: Intent, sink: &mut dyn EventSink) {
        let now = self.clock.now();
        match intent {
            Intent::StartMeeting => self.start_meeting(now, sink),
            Intent::EndMeeting => self.end_meeting(now, sink),
            Intent::RoomFree => self.room_free(now, sink),
            Intent::WhoBooked => self.who_booked(now, sink),
            Intent::BookRoom { minutes, until } => self.book_room(minutes, until, now, sink),
            Intent::ExtendMeeting { minutes } => self.extend_meeting(minutes, now, sink),
            Intent::CheckIn => self.check_in(now, sink),
            Intent::MyCalendar => self.my_calendar(now, sink),
            Intent::AddEvent {
                title,
                start,
                minutes,
            } => self.add_event(title, start, minutes, now, sink),
            Intent::Cancel | Intent::No => self.say("Okay.", sink),
            Intent::MeetingId { digits } | Intent::Pin { digits } => {
                // "alexa, meeting ID 855..." without being asked: join with it.
                let plan = self.voice_plan();
                self.got_meeting_id(plan, None, digits, sink);
            }
            Intent::Yes | Intent::None => self.say(NOT_A_COMMAND, sink),
        }
    }

    // ---- answers to the device's questions --------------------------------------------

    fn answer(&mut self, pending: Pending, intent: Intent, woke: bool, sink: &mut dyn EventSink) {
        match (&pending, intent) {
            (_, Intent::Cancel) => self.say("Okay, cancelled.", sink),
            (Pending::MeetingId { .. } | Pending::Pin { .. }, Intent::No) => {
                self.say("Okay, cancelled.", sink)
            }
            (Pending::ReadBack { of, digits, .. }, Intent::Yes) => {
                let of = (**of).clone();
                self.digits_confirmed(of, digits.clone(), sink)
            }
            (Pending::ReadBack { of, .. }, Intent::No) => {
                let mut of = (**of).clone();
                of.mark_retried();
                let question = of.question();
                self.pending = Some(of);
                self.say(&format!("Okay, let's try again. {question}"), sink);
            }
            (
                Pending::MeetingId { .. } | Pending::NewMeeting { .. },
                Intent::MeetingId { digits },
            )
            | (Pending::Pin { .. }, Intent::Pin { digits }) => {
                let why = self.unusual_meeting_id(&pending, &digits);
                if why.is_some() || self.should_read_back(&pending, &digits) {
                    self.ask(
                        Pending::ReadBack {
                            of: Box::new(pending.clone()),
                            digits,
                            why,
                            retried: false,
                        },
                        sink,
                    );
                } else {
                    self.digits_confirmed(pending.clone(), digits, sink);
                }
            }
            (Pending::NewMeeting { .. }, Intent::Yes) => {
                let plan = self.voice_plan();
                self.ask(
                    Pending::MeetingId {
                        plan,
                        subject: None,
                        retried: false,
                    },
                    sink,
                );
            }
            (Pending::NewMeeting { .. }, Intent::No) => self.say("Okay.", sink),
            (Pending::Book { start, end, .. }, Intent::Yes) => {
                let (start, end) = (*start, *end);
                self.book(start, end, sink);
            }
            (Pending::Extend { event, new_end, .. }, Intent::Yes) => {
                let (event, new_end) = (event.clone(), *new_end);
                self.set_end(&event, new_end, sink);
            }
            (Pending::Book { .. } | Pending::Extend { .. }, Intent::No) => {
                self.say("Okay, I won't.", sink)
            }
            (Pending::Offer { event, plan, .. }, Intent::Yes | Intent::StartMeeting) => {
                // "yes", or "alexa, join my meeting": the meeting offered, even when it
                // is further ahead than "start my meeting" looks.
                let (event, plan) = (event.clone(), plan.clone());
                self.accept_offer(*event, *plan, sink)
            }
            (Pending::Offer { .. }, Intent::No) => self.say("Okay.", sink),
            (Pending::Confirm { intent, .. }, Intent::Yes) => self.command(intent.clone(), sink),
            (Pending::Confirm { .. }, Intent::No) => self.say("Okay.", sink),
            // A new command, with the wake word, replaces the question.
            (_, intent) if woke && intent != Intent::None && !matches!(intent, Intent::Yes) => {
                self.command(intent, sink)
            }
            (_, _) => self.unclear(pending, sink),
        }
    }

    /// Whether spoken digits are read back before use: by `[assistant]
    /// read_back_digits`; "uncertain" below [`READ_BACK_BELOW_CONFIDENCE`]. Typed digits
    /// (`ask`, no confidence) are never doubted. Digits too short or long to be a meeting
    /// ID are not read back: they are asked for again.
    fn should_read_back(&self, pending: &Pending, digits: &str) -> bool {
        if matches!(
            pending,
            Pending::MeetingId { .. } | Pending::NewMeeting { .. }
        ) && !MEETING_ID_LENGTHS.contains(&digits.len())
        {
            return false;
        }
        match self.settings.assistant.read_back_digits {
            ReadBack::Always => !self.typed,
            ReadBack::Never => false,
            ReadBack::Uncertain => self
                .confidence
                .is_some_and(|c| c < READ_BACK_BELOW_CONFIDENCE),
        }
    }

    /// Why a meeting ID heard for `pending` is read back whatever the recogniser's
    /// confidence: the service's meeting IDs never have that many digits (a digit heard
    /// twice or missed; on the evaluation set's 33 wrong IDs heard surely, 4 were of a
    /// length Zoom's never are, and no right one). Not for typed text (`ask`: never
    /// doubted), not with `read_back_digits = "never"`, nor for lengths no service uses
    /// (asked for again instead).
    fn unusual_meeting_id(&self, pending: &Pending, digits: &str) -> Option<String> {
        if self.typed {
            return None;
        }
        let provider = match pending {
            Pending::MeetingId { plan, .. } => plan.provider.clone(),
            Pending::NewMeeting { .. } => self.voice_plan().provider,
            _ => return None,
        };
        let (fewest, most) = provider.meeting_id_digits()?;
        let count = digits.len();
        let usual = (fewest..=most).contains(&count);
        if usual
            || !MEETING_ID_LENGTHS.contains(&count)
            || self.settings.assistant.read_back_digits == ReadBack::Never
        {
            return None;
        }
        let service = match provider.spoken() {
            "" => "this service's",
            name => name,
        };
        let range = if fewest == most {
            format!("{fewest}")
        } else {
            format!("{fewest} to {most}")
        };
        Some(format!(
            "That is {count} digits; {service} meeting IDs have {range}."
        ))
    }

    /// Digits accepted as the answer to `pending`'s question.
    fn digits_confirmed(&mut self, pending: Pending, digits: String, sink: &mut dyn EventSink) {
        match pending {
            Pending::MeetingId { plan, subject, .. } => {
                self.got_meeting_id(plan, subject, digits, sink)
            }
            Pending::Pin {
                mut plan, subject, ..
            } => {
                plan.passcode = Some(digits);
                self.join(plan, subject, None, sink);
            }
            _ => {
                let plan = self.voice_plan();
                self.got_meeting_id(plan, None, digits, sink)
            }
        }
    }

    fn unclear(&mut self, mut pending: Pending, sink: &mut dyn EventSink) {
        if pending.retried() {
            self.say(
                "Sorry, I still didn't get that. Let's try again later.",
                sink,
            );
            return;
        }
        pending.mark_retried();
        let hint = match pending {
            Pending::MeetingId { .. } => "Please say the digits of the meeting ID, one by one. ",
            Pending::Pin { .. } => "Please say the digits of the PIN, one by one. ",
            _ => "Please say yes or no. ",
        };
        let question = pending.question();
        self.pending = Some(pending);
        self.say(&format!("Sorry, I didn't get that. {hint}{question}"), sink);
    }

    fn ask(&mut self, pending: Pending, sink: &mut dyn EventSink) {
        let question = pending.question();
        self.pending = Some(pending);
        self.say(&question, sink);
    }

    // ---- start / end ----------------------------------------------------------------

    /// Reads the room calendar around `now`; on failure says so and returns None.
    fn read_room(&mut self, now: DateTime<Utc>, sink: &mut dyn EventSink) -> Option<CalendarView> {
        match self.calendar.events(
            &self.settings.room.mailbox,
            now - LOOK_BEHIND,
            now + LOOK_AHEAD,
        ) {
            Ok(view) => Some(view),
            Err(e) => {
                self.calendar_failed(&e, sink);
                None
            }
        }
    }

    fn read_room_quiet(&self, now: DateTime<Utc>) -> Option<CalendarView> {
        self.calendar
            .events(
                &self.settings.room.mailbox,
                now - LOOK_BEHIND,
                now + LOOK_AHEAD,
            )
            .map_err(|e| tracing::warn!("calendar read failed: {e}"))
            .ok()
    }

    /// Tells the room, in words a person understands, and the administrator, in the
    /// error event, what went wrong with the room's calendar.
    fn calendar_failed(&mut self, error: &CalendarError, sink: &mut dyn EventSink) {
        self.calendar_failed_for(CalendarOwner::Room, error, sink);
    }

    /// The same for either calendar: when the enrolled user's calendar fails, the room
    /// hears that it is "your calendar", not the room's, so nobody goes to check the
    /// room's settings for a problem with a person's mailbox.
    fn calendar_failed_for(
        &mut self,
        owner: CalendarOwner,
        error: &CalendarError,
        sink: &mut dyn EventSink,
    ) {
        self.error(&error.to_string(), sink);
        let (which, whose) = match owner {
            CalendarOwner::Room => ("the calendar", "this room's calendar"),
            CalendarOwner::User => ("your calendar", "your calendar"),
        };
        let sentence = match error {
            CalendarError::Unreachable { .. } | CalendarError::Throttled { .. } => {
                format!("I can't reach {which} right now.")
            }
            CalendarError::Auth(_) | CalendarError::Permission(_) => format!(
                "I'm not allowed to read {whose}. Please ask your administrator to check the calendar settings."
            ),
            CalendarError::InPast(_) => "That time has already passed.".to_string(),
            _ => match owner {
                CalendarOwner::Room => "Sorry, something went wrong with the room calendar.",
                CalendarOwner::User => "Sorry, something went wrong with your calendar.",
            }
            .to_string(),
        };
        self.say(&sentence, sink);
    }

    fn say_with_staleness(
        &mut self,
        sentence: &str,
        view: &CalendarView,
        now: DateTime<Utc>,
        sink: &mut dyn EventSink,
    ) {
        match view.stale_since {
            Some(since) => {
                let at = self.speaker.time(since, now);
                self.say(
                    &format!("{sentence} I can't reach the calendar right now, so this may be out of date (last updated at {at})."),
                    sink,
                );
            }
            None => self.say(sentence, sink),
        }
    }

    /// The absolute time for a spoken time of day: the next such time, refusing one
    /// said with AM/PM that has already passed today.
    fn resolve_time(&self, t: SpokenTime, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
        if !t.ambiguous {
            if let Some(today) = self.speaker.today_at(t.hour, t.minute, now) {
                if today <= now {
                    return Err(format!(
                        "{} has already passed today.",
                        self.speaker
                            .clock_time(today.with_timezone(&self.speaker.zone).time())
                    ));
                }
                return Ok(today);
            }
        }
        self.speaker
            .next_clock_time(t.hour, t.minute, t.ambiguous, now)
            .ok_or_else(|| "Sorry, I didn't understand that time.".to_string())
    }

    fn error(&mut self, message: &str, sink: &mut dyn EventSink) {
        self.failed = true;
        tracing::error!("{message}");
        sink.emit(&Event::Error {
            message: message.to_string(),
        });
    }

    fn say(&mut self, text: &str, sink: &mut dyn EventSink) {
        sink.emit(&Event::Say {
            text: text.to_string(),
        });
        if self.voice.is_audible() {
            self.sentences_spoken += 1;
        }
        self.voice.say(text);
    }

    /// How many sentences the device has said aloud: the live loop does not listen to
    /// the microphone while the device speaks (it would hear itself).
    pub fn sentences_spoken(&self) -> u64 {
        self.sentences_spoken
    }
}

/// The meeting on now (the latest started, timed events first), else the next one
/// starting within `window`.
fn current_or_next(events: &[Meeting], now: DateTime<Utc>, window: Duration) -> Option<&Meeting> {
    events
        .iter()
        .filter(|e| e.is_active_at(now) && !e.all_day)
        .max_by_key(|e| e.start)
        .or_else(|| {
            events
                .iter()
                .filter(|e| !e.all_day && e.start > now && e.start <= now + window)
                .min_by_key(|e| e.start)
        })
}

/// When the room is busy now: the end of the run of back-to-back bookings, and the
/// booking on now (for its organiser).
fn busy_block(events: &[Meeting], now: DateTime<Utc>) -> Option<(DateTime<Utc>, &Meeting)> {
    let current = events
        .iter()
        .filter(|e| e.is_active_at(now))
        .max_by_key(|e| (!e.all_day, e.start))?;
    let mut until = events
        .iter()
        .filter(|e| e.is_active_at(now))
        .map(|e| e.end)
        .max()?;
    // Back-to-back meetings (a gap under a minute) keep the room busy.
    loop {
        let extended = events
            .iter()
            .filter(|e| e.start <= until + Duration::seconds(59) && e.end > until)
            .map(|e| e.end)
            .max();
        match extended {
            Some(end) => until = end,
            None => break,
        }
    }
    Some((until, current))
}

fn next_start(events: &[Meeting], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    events
        .iter()
        .filter(|e| e.start > now)
        .map(|e| e.start)
        .min()
}

fn booked_by(event: &Meeting) -> String {
    event
        .organizer
        .as_ref()
        .map(|p| format!(", booked by {}", p.spoken()))
        .unwrap_or_default()
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::spoken_minutes;

    #[test]
    fn durations_are_said_in_hours_and_minutes() {
        assert_eq!(spoken_minutes(1), "1 minute");
        assert_eq!(spoken_minutes(30), "30 minutes");
        assert_eq!(spoken_minutes(60), "an hour");
        assert_eq!(spoken_minutes(90), "1 hour and 30 minutes");
        assert_eq!(spoken_minutes(420), "7 hours");
        assert_eq!(spoken_minutes(135), "2 hours and 15 minutes");
    }
}
