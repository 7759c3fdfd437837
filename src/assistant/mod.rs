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

pub mod answers;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};

use crate::calendar::{self, Calendar, CalendarError, CalendarView, Event as CalEvent, NewBooking};
use crate::config::{Config, PinRequirement, ReadBack};
use crate::dialin::{self, DialPreferences, Invitation, JoinPlan};
use crate::events::{Event, EventSink};
use crate::intent::{self, Expecting, Intent, SpokenTime};
use crate::utilisation::{Record, UtilisationLog};
use crate::voice::Voice;
use answers::Speaker;

/// Where "now" comes from.
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    System,
    /// A fixed time (`--now`); audio runs add the offset into the file.
    Fixed(DateTime<Utc>),
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
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
        event: Box<CalEvent>,
        new_end: DateTime<Utc>,
        retried: bool,
    },
    /// "Did you want me to end the call?": an action heard after an uncertain wake word
    /// or with low recogniser confidence.
    Confirm { intent: Intent, retried: bool },
    /// "I heard 8 5 5, 1 2 3. Is that right?": digits heard with low confidence, read
    /// back before they are used; `of` is the question they answered.
    ReadBack {
        of: Box<Pending>,
        digits: String,
        retried: bool,
    },
    /// "Your meeting \"X\" is starting. Shall I join?": proactive join, asked by the
    /// timers; `plan` is what its invitation gave.
    Offer {
        event: Box<CalEvent>,
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
            Pending::ReadBack { digits, .. } => {
                format!("I heard {}. Is that right?", spoken_digits(digits))
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
    event: Option<CalEvent>,
    /// The booking this device made for the call (ended early on hang-up).
    instant_booking: Option<CalEvent>,
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
        } => format!("Did you want me to book this room for {m} minutes?"),
        Intent::BookRoom { .. } => "Did you want me to book this room?".into(),
        Intent::EndMeeting => "Did you want me to end the call?".into(),
        Intent::ExtendMeeting { minutes } => {
            format!("Did you want me to extend the meeting by {minutes} minutes?")
        }
        Intent::AddEvent {
            title: Some(title), ..
        } => format!("Did you want me to add \"{title}\" to your calendar?"),
        Intent::AddEvent { .. } => "Did you want me to add an event to your calendar?".into(),
        _ => "Did you want me to do that?".into(),
    }
}

/// Spoken digits heard with less confidence than this are read back (`[assistant]
/// read_back_digits = "uncertain"`). PocketSphinx's confidence is the share of words its
/// two passes agree on; its streaming pass is the weaker on digits, so some disagreement
/// is usual. Measured on the evaluation set's clean digit answers (tests/eval, 16
/// voices): below 1.0 caught 23 of 44 wrong answers and read back 2 of 36 right ones
/// (and the demo dialogue's right meeting ID, at 0.82); below 0.8, 11 of 44 wrong and 1
/// of 36 right.
const READ_BACK_BELOW_CONFIDENCE: f32 = 0.8;

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

/// The device: configuration, calendar, dialogue state.
pub struct Assistant {
    pub config: Config,
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
    /// The recogniser's confidence in the utterance being handled (None: typed text).
    confidence: Option<f32>,
    /// Meetings offered (proactive join) or joined: offered once at most.
    offered: BTreeSet<String>,
    /// The join under way answers the device's offer (noted in the utilisation log).
    joining_offer: bool,
    /// Reservations released by this device (no offer, not "held").
    released: BTreeSet<String>,
    /// Reservations seen in progress, by id: logged as held once their end passes.
    watched: BTreeMap<String, CalEvent>,
    /// Where what happened in the room is noted (`listen`; `ask` and `run` with --log).
    utilisation: Option<UtilisationLog>,
}

impl Assistant {
    /// Opens the configured calendar and prepares the dialogue.
    pub fn open(config: Config, clock: Clock, speak: bool) -> anyhow::Result<Assistant> {
        let calendar = calendar::open(&config)?;
        tracing::info!(
            room = %config.room.name,
            backend = calendar.backend(),
            "assistant ready"
        );
        Ok(Assistant::new(config, calendar, clock, speak))
    }

    pub fn new(
        config: Config,
        calendar: Box<dyn Calendar>,
        clock: Clock,
        speak: bool,
    ) -> Assistant {
        let voice = Voice::new(&config.voice, speak);
        let speaker = Speaker {
            zone: config.room.timezone,
            clock: config.assistant.clock,
        };
        Assistant {
            config,
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
    pub fn exit_code(&self) -> i32 {
        i32::from(self.failed)
    }

    /// One utterance typed on the command line (as sure as text can be).
    pub fn hear(&mut self, text: &str, sink: &mut dyn EventSink) {
        self.hear_spoken(text, None, sink);
    }

    /// One utterance from a speech engine, with the engine's confidence in it (0-1).
    pub fn hear_spoken(&mut self, text: &str, confidence: Option<f32>, sink: &mut dyn EventSink) {
        self.confidence = confidence;
        self.call_progress(sink);
        let parsed = intent::parse(text, &self.config.assistant.wake_word, self.expecting());
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
    pub fn woke(&mut self, score: f32, at_s: f64, sink: &mut dyn EventSink) {
        sink.emit(&Event::Wake { score, at_s });
        self.wake_score = Some(score);
        self.voice.earcon();
    }

    /// Whether an action should be confirmed first: it changes something (a booking, the
    /// call, the calendar) and the wake word was uncertain (measured: "let's book this
    /// room" said between colleagues woke the detector at 0.5-0.9 and became a booking).
    fn needs_confirmation(&self, intent: &Intent, wake_score: Option<f32>) -> bool {
        let uncertain = wake_score
            .is_some_and(|s| s < self.config.assistant.confirm_below_wake_score)
            || self
                .confidence
                .is_some_and(|c| c < self.config.assistant.confirm_below_confidence);
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
    pub fn not_a_command(&mut self, sink: &mut dyn EventSink) {
        let wake_score = self.wake_score.take();
        sink.emit(&Event::Intent {
            intent: Intent::None,
            text: String::new(),
        });
        if wake_score.is_none_or(|s| s >= self.config.assistant.confirm_below_wake_score) {
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
    pub fn settle(&mut self, sink: &mut dyn EventSink) {
        let limit = std::time::Duration::from_secs(
            self.config
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

    /// Timers, called regularly by live runs: end-of-meeting reminders for the call in
    /// progress, releasing reservations nobody checked into, noting reservations held,
    /// and offering to join a meeting as it starts.
    pub fn tick(&mut self, sink: &mut dyn EventSink) {
        self.call_progress(sink);
        let now = self.clock.now();
        self.remind_end(now, sink);
        // One calendar read serves every timer (a request per tick on EWS and Graph).
        let needs_calendar = self
            .config
            .assistant
            .release_unattended_after_minutes
            .is_some()
            || self.config.assistant.proactive_join
            || self.utilisation.is_some();
        let view = if needs_calendar {
            self.read_room_quiet(now)
        } else {
            None
        };
        let Some(view) = view else { return };
        self.release_unattended(&view, now, sink);
        self.watch_reservations(&view, now);
        self.offer_to_join(&view, now, sink);
    }

    // ---- first turns ---------------------------------------------------------------

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
                let plan = self.voice_plan(None);
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
                if self.should_read_back(&pending, &digits) {
                    self.ask(
                        Pending::ReadBack {
                            of: Box::new(pending.clone()),
                            digits,
                            retried: false,
                        },
                        sink,
                    );
                } else {
                    self.digits_confirmed(pending.clone(), digits, sink);
                }
            }
            (Pending::NewMeeting { .. }, Intent::Yes) => {
                let plan = self.voice_plan(None);
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
    /// read_back_digits`; "uncertain" below [`READ_BACK_BELOW_CONFIDENCE`]. Digits too
    /// short or long to be a meeting ID are not read back: they are asked for again.
    fn should_read_back(&self, pending: &Pending, digits: &str) -> bool {
        if matches!(
            pending,
            Pending::MeetingId { .. } | Pending::NewMeeting { .. }
        ) && !(3..=20).contains(&digits.len())
        {
            return false;
        }
        match self.config.assistant.read_back_digits {
            ReadBack::Always => true,
            ReadBack::Never => false,
            ReadBack::Uncertain => self
                .confidence
                .is_some_and(|c| c < READ_BACK_BELOW_CONFIDENCE),
        }
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
                let plan = self.voice_plan(None);
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

    fn start_meeting(&mut self, now: DateTime<Utc>, sink: &mut dyn EventSink) {
        if let Some(call) = &self.call {
            let what = call
                .event
                .as_ref()
                .map_or("a meeting".to_string(), |e| format!("\"{}\"", e.subject));
            self.say(
                &format!("You're already in {what}. Say \"end the meeting\" first."),
                sink,
            );
            return;
        }
        let Some(view) = self.read_room(now, sink) else {
            return;
        };
        let window = Duration::minutes(i64::from(self.config.assistant.start_window_minutes));
        let meeting = current_or_next(&view.events, now, window).cloned();
        let Some(event) = meeting else {
            self.ask(Pending::NewMeeting { retried: false }, sink);
            return;
        };
        self.checked_in.insert(event.id.clone());
        let plan = self.invitation_plan(&event);
        if plan.meeting_id.is_some() || plan.is_joinable() {
            self.join(plan, Some(event.subject.clone()), Some(event), sink);
        } else {
            self.say(
                &format!(
                    "I found \"{}\" but no meeting ID in the invitation.",
                    event.subject
                ),
                sink,
            );
            self.ask(
                Pending::MeetingId {
                    plan,
                    subject: Some(event.subject.clone()),
                    retried: false,
                },
                sink,
            );
        }
    }

    /// The join plan a calendar meeting's invitation gives (the room's provider and
    /// number filling in what it lacks).
    fn invitation_plan(&self, event: &CalEvent) -> JoinPlan {
        let body = match self.calendar.body(&self.config.room.mailbox, event) {
            Ok(body) => body,
            Err(e) => {
                // The meeting is known; without its body we can still ask for the ID.
                tracing::warn!("cannot read the invitation of \"{}\": {e}", event.subject);
                None
            }
        };
        let invitation = Invitation {
            subject: &event.subject,
            body: body.as_ref(),
            location: event.location.as_deref(),
            online_meeting: event.online_meeting.as_ref(),
        };
        let mut plan = dialin::read_invitation(&invitation, &self.dial_preferences());
        if plan.provider == "unknown" {
            if let Some(p) = &self.config.room.provider {
                plan.provider = p.clone();
            }
        }
        if plan.meeting_id.is_some() && plan.number.is_none() {
            plan.number = self.provider_number(&plan.provider);
            self.complete_dial_string(&mut plan);
        }
        plan
    }

    /// "Yes" to the offer: joins the meeting offered, as "start my meeting" would.
    fn accept_offer(&mut self, event: CalEvent, plan: JoinPlan, sink: &mut dyn EventSink) {
        self.checked_in.insert(event.id.clone());
        self.joining_offer = true;
        self.join(plan, Some(event.subject.clone()), Some(event), sink);
    }

    /// A meeting ID was said: ask the PIN when the provider needs one, else join.
    fn got_meeting_id(
        &mut self,
        mut plan: JoinPlan,
        subject: Option<String>,
        digits: String,
        sink: &mut dyn EventSink,
    ) {
        if !(3..=20).contains(&digits.len()) {
            let pending = Pending::MeetingId {
                plan,
                subject,
                retried: false,
            };
            self.unclear(pending, sink);
            return;
        }
        plan.meeting_id = Some(digits);
        if plan.number.is_none() {
            plan.number = self.provider_number(&plan.provider);
        }
        let needs_pin = self.pin_requirement(&plan.provider);
        if plan.passcode.is_none()
            && matches!(needs_pin, PinRequirement::Yes | PinRequirement::Optional)
        {
            self.ask(
                Pending::Pin {
                    plan,
                    subject,
                    retried: false,
                },
                sink,
            );
        } else {
            self.join(plan, subject, None, sink);
        }
    }

    /// Joins: emits the plan, dials, books the room for an instant meeting.
    fn join(
        &mut self,
        mut plan: JoinPlan,
        subject: Option<String>,
        event: Option<CalEvent>,
        sink: &mut dyn EventSink,
    ) {
        let offered = std::mem::take(&mut self.joining_offer);
        self.complete_dial_string(&mut plan);
        if !plan.is_joinable() {
            let provider = plan.provider.clone();
            let message = format!(
                "no dial-in number is known for provider \"{provider}\": add number = \"+1...\" under [join.providers.{provider}] in the configuration"
            );
            self.error(&message, sink);
            self.say(
                "Sorry, I don't have a dial-in number for this meeting.",
                sink,
            );
            return;
        }
        let now = self.clock.now();
        let instant_booking = if event.is_none() {
            self.instant_booking(now, sink)
        } else {
            None
        };
        // The room is in use: neither the meeting joined nor the instant booking made
        // for the call is released for want of a check-in, nor offered again.
        for id in event.iter().chain(&instant_booking).map(|e| e.id.clone()) {
            self.checked_in.insert(id.clone());
            self.offered.insert(id);
        }
        sink.emit(&Event::Join {
            plan: Box::new(plan.clone()),
            subject: subject.clone(),
        });
        let what = match &subject {
            Some(s) => format!("Joining \"{s}\""),
            None => "Joining your meeting".to_string(),
        };
        let provider = provider_name(&plan.provider);
        let sentence = if provider.is_empty() {
            format!("{what}.")
        } else {
            format!("{what} on {provider}.")
        };
        self.say(&sentence, sink);
        let line = match crate::join::dial(&self.config, &plan) {
            Ok(line) => line,
            Err(e) => {
                self.error(&e.to_string(), sink);
                self.say("Sorry, I couldn't start the call.", sink);
                return;
            }
        };
        let (provider, joined_subject) = (plan.provider.clone(), subject.clone());
        self.log(|log| Record::Joined {
            at: log.local(now),
            provider,
            subject: joined_subject,
            offered,
        });
        self.call = Some(Call {
            event,
            instant_booking,
            reminded: BTreeSet::new(),
            line,
        });
        self.call_progress(sink);
    }

    /// Instant booking: when a meeting is started in a free room, book it for the
    /// configured duration (shortened to the next booking).
    fn instant_booking(
        &mut self,
        now: DateTime<Utc>,
        sink: &mut dyn EventSink,
    ) -> Option<CalEvent> {
        let minutes = self.config.assistant.instant_booking_minutes?;
        let view = self.read_room_quiet(now)?;
        if view
            .events
            .iter()
            .any(|e| e.is_active_at(now) && !e.all_day)
        {
            return None;
        }
        let mut end = now + Duration::minutes(i64::from(minutes));
        if let Some(next) = view
            .events
            .iter()
            .filter(|e| e.start > now && !e.all_day)
            .map(|e| e.start)
            .min()
        {
            end = end.min(next);
        }
        let booking = NewBooking {
            subject: format!("Instant meeting in {}", self.config.room.name),
            start: now,
            end,
            body: Some("Booked by roomvoice when a meeting was started in a free room.".into()),
        };
        match self.calendar.book(&self.config.room.mailbox, &booking) {
            Ok(event) => {
                sink.emit(&Event::booked(&event));
                self.log_booked(&event, "instant");
                Some(event)
            }
            Err(e) => {
                tracing::warn!("instant booking failed: {e}");
                None
            }
        }
    }

    fn end_meeting(&mut self, now: DateTime<Utc>, sink: &mut dyn EventSink) {
        if self.call.is_none() {
            self.say("There's no meeting in progress.", sink);
            return;
        }
        self.log_call_ended("room");
        let Some(call) = self.call.take() else { return };
        sink.emit(&Event::Hangup {});
        if let Some(mut line) = call.line {
            let progress = line.hang_up();
            self.report_call(progress, sink);
        }
        if let Some(booking) = call.instant_booking {
            if booking.end > now {
                let end = now.max(booking.start + Duration::minutes(1));
                match self
                    .calendar
                    .set_end(&self.config.room.mailbox, &booking, end)
                {
                    Ok(()) => sink.emit(&Event::Updated {
                        subject: booking.subject.clone(),
                        end,
                    }),
                    Err(e) => tracing::warn!("could not end the instant booking early: {e}"),
                }
            }
        }
        self.say("Ending the meeting. Goodbye.", sink);
    }

    // ---- room questions --------------------------------------------------------------

    fn room_free(&mut self, now: DateTime<Utc>, sink: &mut dyn EventSink) {
        let Some(view) = self.read_room(now, sink) else {
            return;
        };
        let end_of_day = self.speaker.end_of_day(now);
        let sentence = match busy_block(&view.events, now) {
            Some((until, current)) => {
                let by = current
                    .organizer
                    .as_ref()
                    .map(|p| format!(" by {}", p.spoken()))
                    .unwrap_or_default();
                if until >= end_of_day {
                    format!("This room is booked for the rest of the day{by}.")
                } else {
                    format!(
                        "This room is booked until {}{by}.",
                        self.speaker.time(until, now)
                    )
                }
            }
            None => match next_start(&view.events, now) {
                Some(next) if next < end_of_day => {
                    format!("This room is free until {}.", self.speaker.time(next, now))
                }
                _ => "This room is free for the rest of the day.".to_string(),
            },
        };
        self.say_with_staleness(&sentence, &view, now, sink);
    }

    fn who_booked(&mut self, now: DateTime<Utc>, sink: &mut dyn EventSink) {
        let Some(view) = self.read_room(now, sink) else {
            return;
        };
        let end_of_day = self.speaker.end_of_day(now);
        let mut parts = Vec::new();
        let current = view
            .events
            .iter()
            .filter(|e| e.is_active_at(now) && !e.all_day)
            .max_by_key(|e| e.start);
        match current {
            Some(e) => parts.push(format!(
                "\"{}\" is on now until {}{}.",
                e.subject,
                self.speaker.time(e.end, now),
                booked_by(e)
            )),
            None => parts.push("Nobody has booked this room right now.".to_string()),
        }
        let next = view
            .events
            .iter()
            .filter(|e| e.start > now && !e.all_day)
            .min_by_key(|e| e.start);
        match next {
            Some(e) if e.start < end_of_day => parts.push(format!(
                "Next is \"{}\" at {}{}.",
                e.subject,
                self.speaker.time(e.start, now),
                booked_by(e)
            )),
            _ => parts.push("Nothing else is booked today.".to_string()),
        }
        self.say_with_staleness(&parts.join(" "), &view, now, sink);
    }

    fn check_in(&mut self, now: DateTime<Utc>, sink: &mut dyn EventSink) {
        let Some(view) = self.read_room(now, sink) else {
            return;
        };
        let window = Duration::minutes(i64::from(self.config.assistant.start_window_minutes));
        match current_or_next(&view.events, now, window) {
            Some(e) => {
                let subject = e.subject.clone();
                self.checked_in.insert(e.id.clone());
                self.say(&format!("You're checked in to \"{subject}\"."), sink);
            }
            None => self.say("There's no reservation to check in to right now.", sink),
        }
    }

    // ---- booking -------------------------------------------------------------------------

    fn book_room(
        &mut self,
        minutes: Option<u32>,
        until: Option<SpokenTime>,
        now: DateTime<Utc>,
        sink: &mut dyn EventSink,
    ) {
        let start = now;
        let end = match (minutes, until) {
            (Some(m), _) => start + Duration::minutes(i64::from(m)),
            (None, Some(t)) => match self.resolve_time(t, now) {
                Ok(end) => end,
                Err(sentence) => {
                    self.say(&sentence, sink);
                    return;
                }
            },
            (None, None) => {
                let m = self.config.assistant.instant_booking_minutes.unwrap_or(30);
                start + Duration::minutes(i64::from(m))
            }
        };
        if end - start > Duration::hours(12) {
            self.say("I can book this room for up to 12 hours at a time.", sink);
            return;
        }
        let Some(view) = self.read_room(now, sink) else {
            return;
        };
        if let Some((until, current)) = busy_block(&view.events, now) {
            let by = current
                .organizer
                .as_ref()
                .map(|p| format!(" by {}", p.spoken()))
                .unwrap_or_default();
            let until = self.speaker.time(until, now);
            self.say(&format!("The room is booked until {until}{by}."), sink);
            return;
        }
        match view
            .events
            .iter()
            .filter(|e| e.start > now && e.start < end)
            .min_by_key(|e| e.start)
        {
            Some(conflict) => {
                let at = self.speaker.time(conflict.start, now);
                let until = conflict.start;
                self.say(
                    &format!("The room is booked at {at}; I can book it until then."),
                    sink,
                );
                self.ask(
                    Pending::Book {
                        start,
                        end: until,
                        retried: false,
                    },
                    sink,
                );
            }
            None => self.book(start, end, sink),
        }
    }

    fn book(&mut self, start: DateTime<Utc>, end: DateTime<Utc>, sink: &mut dyn EventSink) {
        let now = self.clock.now();
        if end <= now {
            self.say("That time has already passed.", sink);
            return;
        }
        let booking = NewBooking {
            subject: format!("Booked in {} by voice", self.config.room.name),
            start,
            end,
            body: Some("Booked by roomvoice from the room.".into()),
        };
        match self.calendar.book(&self.config.room.mailbox, &booking) {
            Ok(event) => {
                sink.emit(&Event::booked(&event));
                self.log_booked(&event, "voice");
                self.checked_in.insert(event.id.clone());
                let until = self.speaker.time(event.end, now);
                self.say(
                    &format!("Okay, {} is yours until {until}.", self.config.room.name),
                    sink,
                );
            }
            Err(CalendarError::Conflict { conflict }) => {
                let at = self.speaker.time(conflict.start.max(now), now);
                self.say(
                    &format!("Sorry, the room was just booked at {at} by someone else."),
                    sink,
                );
            }
            Err(e) => self.calendar_failed(&e, sink),
        }
    }

    fn extend_meeting(&mut self, minutes: u32, now: DateTime<Utc>, sink: &mut dyn EventSink) {
        let Some(view) = self.read_room(now, sink) else {
            return;
        };
        let Some(current) = view
            .events
            .iter()
            .filter(|e| e.is_active_at(now) && !e.all_day)
            .max_by_key(|e| e.start)
            .cloned()
        else {
            self.say("There's no meeting in progress to extend.", sink);
            return;
        };
        let wanted = current.end + Duration::minutes(i64::from(minutes));
        let next = view
            .events
            .iter()
            .filter(|e| {
                e.id != current.id && !e.all_day && e.start >= current.end && e.start < wanted
            })
            .min_by_key(|e| e.start);
        match next {
            Some(next) if next.start <= current.end => {
                let by = booked_by(next);
                self.say(
                    &format!("Sorry, the room is booked right after this meeting{by}, so I can't extend it."),
                    sink,
                );
            }
            Some(next) => {
                let at = self.speaker.time(next.start, now);
                let new_end = next.start;
                self.say(
                    &format!("The room is booked at {at}; I can extend the meeting until then."),
                    sink,
                );
                self.ask(
                    Pending::Extend {
                        event: Box::new(current),
                        new_end,
                        retried: false,
                    },
                    sink,
                );
            }
            None => self.set_end(&current, wanted, sink),
        }
    }

    fn set_end(&mut self, event: &CalEvent, new_end: DateTime<Utc>, sink: &mut dyn EventSink) {
        let now = self.clock.now();
        match self
            .calendar
            .set_end(&self.config.room.mailbox, event, new_end)
        {
            Ok(()) => {
                sink.emit(&Event::Updated {
                    subject: event.subject.clone(),
                    end: new_end,
                });
                self.say(
                    &format!(
                        "Done. The meeting now ends at {}.",
                        self.speaker.time(new_end, now)
                    ),
                    sink,
                );
            }
            Err(CalendarError::Conflict { conflict }) => {
                let at = self.speaker.time(conflict.start, now);
                self.say(&format!("Sorry, the room was just booked at {at}."), sink);
            }
            Err(e) => self.calendar_failed(&e, sink),
        }
    }

    // ---- personal calendar -------------------------------------------------------------

    fn my_calendar(&mut self, now: DateTime<Utc>, sink: &mut dyn EventSink) {
        let Some(user) = self.config.user.clone() else {
            self.say("No personal calendar is linked to this device.", sink);
            return;
        };
        let end_of_day = self.speaker.end_of_day(now);
        let view = match self.calendar.events(&user.mailbox, now, end_of_day) {
            Ok(view) => view,
            Err(e) => return self.calendar_failed(&e, sink),
        };
        let upcoming: Vec<String> = view
            .events
            .iter()
            .filter(|e| e.end > now)
            .map(|e| {
                if e.all_day {
                    format!("\"{}\" all day", e.subject)
                } else if e.start <= now {
                    format!(
                        "\"{}\" now, until {}",
                        e.subject,
                        self.speaker.time(e.end, now)
                    )
                } else {
                    format!("\"{}\" at {}", e.subject, self.speaker.time(e.start, now))
                }
            })
            .collect();
        let sentence = match upcoming.len() {
            0 => format!(
                "{}, you have nothing else on your calendar today.",
                user.name
            ),
            1 => format!(
                "{}, you have one more thing today: {}.",
                user.name, upcoming[0]
            ),
            n => format!(
                "{}, you have {n} more things today: {}.",
                user.name,
                answers::list(&upcoming)
            ),
        };
        self.say_with_staleness(&sentence, &view, now, sink);
    }

    fn add_event(
        &mut self,
        title: Option<String>,
        start: SpokenTime,
        minutes: u32,
        now: DateTime<Utc>,
        sink: &mut dyn EventSink,
    ) {
        let Some(user) = self.config.user.clone() else {
            self.say("No personal calendar is linked to this device.", sink);
            return;
        };
        let start = match self.resolve_time(start, now) {
            Ok(t) => t,
            Err(sentence) => return self.say(&sentence, sink),
        };
        let title = title
            .map(|t| capitalise(&t))
            .unwrap_or_else(|| "Event".into());
        let booking = NewBooking {
            subject: title.clone(),
            start,
            end: start + Duration::minutes(i64::from(minutes)),
            body: Some(format!("Added by voice in {}.", self.config.room.name)),
        };
        match self.calendar.book(&user.mailbox, &booking) {
            Ok(event) => {
                sink.emit(&Event::booked(&event));
                let at = self.speaker.time(event.start, now);
                self.say(
                    &format!("I've added \"{title}\" at {at} to your calendar."),
                    sink,
                );
            }
            Err(CalendarError::Conflict { conflict }) => {
                let at = self.speaker.time(conflict.start, now);
                self.say(
                    &format!("You already have \"{}\" at {at}.", conflict.subject),
                    sink,
                );
            }
            Err(e) => self.calendar_failed(&e, sink),
        }
    }

    // ---- timers ----------------------------------------------------------------------------

    fn remind_end(&mut self, now: DateTime<Utc>, sink: &mut dyn EventSink) {
        let reminders = self.config.assistant.end_reminders_minutes.clone();
        let Some(call) = &mut self.call else { return };
        let Some(end) = call
            .event
            .as_ref()
            .or(call.instant_booking.as_ref())
            .map(|e| e.end)
        else {
            return;
        };
        let left = (end - now).num_minutes();
        let due = reminders
            .iter()
            .copied()
            .filter(|m| i64::from(*m) >= left && left >= 0 && !call.reminded.contains(m))
            .min();
        if let Some(m) = due {
            call.reminded.extend(reminders.iter().filter(|r| **r >= m));
            let sentence = match left {
                0 => "This meeting is ending now.".to_string(),
                1 => "This meeting ends in 1 minute.".to_string(),
                n => format!("This meeting ends in {n} minutes."),
            };
            self.say(&sentence, sink);
        }
    }

    fn release_unattended(
        &mut self,
        view: &CalendarView,
        now: DateTime<Utc>,
        sink: &mut dyn EventSink,
    ) {
        let Some(after) = self.config.assistant.release_unattended_after_minutes else {
            return;
        };
        let grace = Duration::minutes(i64::from(after));
        let in_call = self
            .call
            .as_ref()
            .and_then(|c| c.event.as_ref())
            .map(|e| e.id.clone());
        let unattended: Vec<CalEvent> = view
            .events
            .iter()
            .filter(|e| !e.all_day && e.start + grace <= now && now < e.end)
            .filter(|e| !self.checked_in.contains(&e.id) && in_call.as_ref() != Some(&e.id))
            .cloned()
            .collect();
        for event in unattended {
            match self.calendar.cancel(&self.config.room.mailbox, &event) {
                Ok(()) => {
                    sink.emit(&Event::Released {
                        subject: event.subject.clone(),
                    });
                    self.released.insert(event.id.clone());
                    self.log(|log| Record::Released {
                        at: log.local(now),
                        start: log.local(event.start),
                        end: log.local(event.end),
                        subject: event.subject.clone(),
                    });
                    self.say(
                        &format!(
                            "Nobody checked in to \"{}\", so I've released the room.",
                            event.subject
                        ),
                        sink,
                    );
                }
                Err(e) => tracing::warn!("could not release \"{}\": {e}", event.subject),
            }
            self.checked_in.insert(event.id);
        }
    }

    /// Notes reservations in progress, and logs each as held once its end has passed
    /// (or it left the calendar while on). Only meetings this run saw in progress are
    /// logged, so a restarted device logs none twice.
    fn watch_reservations(&mut self, view: &CalendarView, now: DateTime<Utc>) {
        if self.utilisation.is_none() {
            return;
        }
        for event in view
            .events
            .iter()
            .filter(|e| !e.all_day && e.is_active_at(now))
        {
            self.watched.insert(event.id.clone(), event.clone());
        }
        let over: Vec<CalEvent> = self
            .watched
            .values()
            .filter_map(|seen| {
                match view.events.iter().find(|e| e.id == seen.id) {
                    Some(fresh) if fresh.end > now => None,
                    // Ended: with its end as the calendar has it now (ended early, extended).
                    Some(fresh) => Some(fresh.clone()),
                    // Gone from the calendar while on (cancelled): it was held until now.
                    None => {
                        let mut gone = seen.clone();
                        gone.end = gone.end.min(now);
                        Some(gone)
                    }
                }
            })
            .collect();
        for event in over {
            self.watched.remove(&event.id);
            if self.released.contains(&event.id) {
                continue; // logged as released
            }
            let attended = self.checked_in.contains(&event.id);
            self.log(|log| Record::MeetingHeld {
                start: log.local(event.start),
                end: log.local(event.end),
                subject: event.subject.clone(),
                attended,
            });
        }
    }

    /// Proactive join: as a meeting starts (or `proactive_join_minutes_before`), offers
    /// to join it, once per meeting. No offer during a call or while a question is
    /// open (the offer waits for the next tick), nor for a meeting already joined or
    /// released, nor for one whose invitation has nothing to join (a meeting in person).
    fn offer_to_join(&mut self, view: &CalendarView, now: DateTime<Utc>, sink: &mut dyn EventSink) {
        if !self.config.assistant.proactive_join || self.call.is_some() || self.pending.is_some() {
            return;
        }
        let before = Duration::minutes(i64::from(
            self.config.assistant.proactive_join_minutes_before,
        ));
        let due: Vec<CalEvent> = view
            .events
            .iter()
            .filter(|e| {
                !e.all_day
                    && e.start - before <= now
                    && now < (e.start + OFFER_UNTIL_AFTER_START).min(e.end)
            })
            .filter(|e| !self.offered.contains(&e.id) && !self.released.contains(&e.id))
            .cloned()
            .collect();
        for event in due {
            self.offered.insert(event.id.clone());
            let plan = self.invitation_plan(&event);
            if plan.meeting_id.is_none() && !plan.is_joinable() {
                tracing::debug!(
                    "no offer to join \"{}\": its invitation has no dial-in",
                    event.subject
                );
                continue;
            }
            sink.emit(&Event::Offer {
                subject: event.subject.clone(),
                start: event.start,
            });
            self.ask(
                Pending::Offer {
                    event: Box::new(event),
                    plan: Box::new(plan),
                    retried: false,
                },
                sink,
            );
            return;
        }
    }

    // ---- utilisation log -----------------------------------------------------------------

    fn log_booked(&mut self, event: &CalEvent, how: &str) {
        let now = self.clock.now();
        self.log(|log| Record::Booked {
            at: log.local(now),
            start: log.local(event.start),
            end: log.local(event.end),
            subject: event.subject.clone(),
            how: how.to_string(),
        });
    }

    fn log_call_ended(&mut self, by: &str) {
        let now = self.clock.now();
        let subject = self
            .call
            .as_ref()
            .and_then(|c| c.event.as_ref())
            .map(|e| e.subject.clone());
        self.log(|log| Record::Ended {
            at: log.local(now),
            by: by.to_string(),
            subject,
        });
    }

    // ---- helpers ---------------------------------------------------------------------------

    /// Reads the room calendar around `now`; on failure says so and returns None.
    fn read_room(&mut self, now: DateTime<Utc>, sink: &mut dyn EventSink) -> Option<CalendarView> {
        match self.calendar.events(
            &self.config.room.mailbox,
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
                &self.config.room.mailbox,
                now - LOOK_BEHIND,
                now + LOOK_AHEAD,
            )
            .map_err(|e| tracing::warn!("calendar read failed: {e}"))
            .ok()
    }

    /// Tells the room, in words a person understands, and the administrator, in the
    /// error event, what went wrong with the calendar.
    fn calendar_failed(&mut self, error: &CalendarError, sink: &mut dyn EventSink) {
        self.error(&error.to_string(), sink);
        let sentence = match error {
            CalendarError::Unreachable { .. } | CalendarError::Throttled { .. } => {
                "I can't reach the calendar right now."
            }
            CalendarError::Auth(_) | CalendarError::Permission(_) => {
                "I'm not allowed to read this room's calendar. Please ask your administrator to check the calendar settings."
            }
            CalendarError::InPast(_) => "That time has already passed.",
            _ => "Sorry, something went wrong with the room calendar.",
        };
        self.say(sentence, sink);
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

    fn dial_preferences(&self) -> DialPreferences {
        DialPreferences::from_config(&self.config)
    }

    /// A plan for a meeting ID given by voice: the room's provider and its number.
    fn voice_plan(&self, provider: Option<String>) -> JoinPlan {
        let provider = provider
            .or_else(|| self.config.room.provider.clone())
            .unwrap_or_else(|| "unknown".into());
        JoinPlan {
            number: self.provider_number(&provider),
            provider,
            ..JoinPlan::default()
        }
    }

    /// The PSTN number for a provider when the invitation has none: the room's config,
    /// else the provider's well-known US number.
    fn provider_number(&self, provider: &str) -> Option<String> {
        self.config
            .join
            .providers
            .get(provider)
            .and_then(|p| p.number.clone())
            .or_else(|| match provider {
                // Zoom's published US (New York) dial-in.
                "zoom" => Some("+16465588656".to_string()),
                _ => None,
            })
    }

    fn pin_requirement(&self, provider: &str) -> PinRequirement {
        self.config
            .join
            .providers
            .get(provider)
            .and_then(|p| p.pin)
            .unwrap_or(match provider {
                // Google Meet's phone PIN identifies the meeting: it is the meeting ID here.
                "zoom" => PinRequirement::Yes,
                "bluejeans" | "webex" => PinRequirement::Optional,
                _ => PinRequirement::No,
            })
    }

    /// Fills in the dial string from number, meeting ID and PIN when the plan has none,
    /// with the provider's own phone flow (Zoom keys `*` before the passcode, ...).
    fn complete_dial_string(&self, plan: &mut JoinPlan) {
        if plan.dial_string.is_some() {
            return;
        }
        if let (Some(number), Some(id)) = (&plan.number, &plan.meeting_id) {
            let pauses = self.dial_preferences().pauses.get(&plan.provider).copied();
            plan.dial_string = Some(dialin::dial_string_for(
                &plan.provider,
                number,
                id,
                plan.passcode.as_deref(),
                pauses,
            ));
        }
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
        self.voice.say(text);
    }
}

/// The meeting on now (the latest started, timed events first), else the next one
/// starting within `window`.
fn current_or_next(events: &[CalEvent], now: DateTime<Utc>, window: Duration) -> Option<&CalEvent> {
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
fn busy_block(events: &[CalEvent], now: DateTime<Utc>) -> Option<(DateTime<Utc>, &CalEvent)> {
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

fn next_start(events: &[CalEvent], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    events
        .iter()
        .filter(|e| e.start > now)
        .map(|e| e.start)
        .min()
}

fn booked_by(event: &CalEvent) -> String {
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

/// How a provider is named in speech.
fn provider_name(id: &str) -> &'static str {
    match id {
        "zoom" => "Zoom",
        "teams" => "Microsoft Teams",
        "skype" => "Skype for Business",
        "webex" => "Webex",
        "chime" => "Amazon Chime",
        "goto" => "GoTo Meeting",
        "bluejeans" => "BlueJeans",
        "google_meet" => "Google Meet",
        "jitsi" => "Jitsi",
        "ringcentral" => "RingCentral",
        "fuze" => "Fuze",
        "dialpad" => "Dialpad",
        "freeconferencecall" => "FreeConferenceCall",
        "lifesize" => "Lifesize",
        "pexip" => "Pexip",
        "whereby" => "Whereby",
        _ => "",
    }
}
