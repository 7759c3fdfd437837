//! What was said: the phrase set and the parser from text to [`Intent`].
//!
//! The phrase set is one grammar ([`grammar`]); the text parser matches against it, and
//! the speech engines compile the same grammar (JSGF for PocketSphinx, a phrase list for
//! Vosk), so what the device can hear and what it understands never drift apart.

pub(crate) mod grammar;
pub(crate) mod notation;
pub mod numbers;

pub use grammar::{Grammar, Rule};

use serde::Serialize;

/// A time of day as said ("until three thirty"): hour 0-23 (or 1-12 when `ambiguous`),
/// minute. Serialised as "HH:MM".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpokenTime {
    pub hour: u32,
    pub minute: u32,
    /// True when no AM/PM was said: the assistant picks the next such time.
    pub ambiguous: bool,
}

impl Serialize for SpokenTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{:02}:{:02}", self.hour, self.minute))
    }
}

/// What the person asked for. The names (snake_case) are part of the JSON contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "intent", rename_all = "snake_case")]
pub enum Intent {
    StartMeeting,
    EndMeeting,
    RoomFree,
    WhoBooked,
    BookRoom {
        #[serde(skip_serializing_if = "Option::is_none")]
        minutes: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        until: Option<SpokenTime>,
    },
    ExtendMeeting {
        minutes: u32,
    },
    CheckIn,
    MeetingId {
        digits: String,
    },
    Pin {
        digits: String,
    },
    Yes,
    No,
    Cancel,
    MyCalendar,
    AddEvent {
        #[serde(skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        start: SpokenTime,
        minutes: u32,
    },
    None,
}

impl Intent {
    /// A question about the room or the calendar: answering it changes nothing.
    pub(crate) fn is_question(&self) -> bool {
        matches!(
            self,
            Intent::RoomFree | Intent::WhoBooked | Intent::MyCalendar
        )
    }

    /// A command that changes something (the call, a booking, the calendar) or stops
    /// the device: neither nothing nor a question.
    pub(crate) fn is_action(&self) -> bool {
        *self != Intent::None && !self.is_question()
    }

    /// The intent's name in events: "start_meeting", "book_room", ...
    pub fn name(&self) -> &'static str {
        match self {
            Intent::StartMeeting => "start_meeting",
            Intent::EndMeeting => "end_meeting",
            Intent::RoomFree => "room_free",
            Intent::WhoBooked => "who_booked",
            Intent::BookRoom { .. } => "book_room",
            Intent::ExtendMeeting { .. } => "extend_meeting",
            Intent::CheckIn => "check_in",
            Intent::MeetingId { .. } => "meeting_id",
            Intent::Pin { .. } => "pin",
            Intent::Yes => "yes",
            Intent::No => "no",
            Intent::Cancel => "cancel",
            Intent::MyCalendar => "my_calendar",
            Intent::AddEvent { .. } => "add_event",
            Intent::None => "none",
        }
    }
}

/// What the device is waiting for, which decides how a follow-up without the wake word
/// is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Expecting {
    /// A first turn: the wake word is required.
    #[default]
    Command,
    /// The answer to "What is your meeting ID?": digits.
    MeetingId,
    /// The answer to "What is your meeting PIN?": digits.
    Pin,
    /// The answer to a yes/no question.
    YesNo,
    /// A first turn right after the wake-word detector heard the wake word: a command,
    /// with or without the wake word in front (speech engines only; the assistant
    /// hears the command with the wake word).
    Woken,
}

/// The result of reading one utterance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub intent: Intent,
    /// True when the wake word was heard at the start.
    pub woke: bool,
    /// The normalised words that were read.
    pub words: Vec<String>,
}

/// Reads one utterance. `expecting` says what the device asked, if anything.
pub fn parse(text: &str, wake_word: &str, expecting: Expecting) -> Parsed {
    grammar::parse(text, wake_word, expecting)
}

/// The phrase set for a wake word, for speech engines.
pub fn grammar(wake_word: &str) -> Grammar {
    Grammar::new(wake_word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(text: &str) -> Intent {
        parse(text, "alexa", Expecting::Command).intent
    }

    #[test]
    fn natural_phrasings_of_each_command() {
        for text in [
            "Alexa, start my meeting",
            "alexa start the meeting",
            "alexa join my meeting",
            "alexa, please join the call",
            "hey alexa start the meeting",
        ] {
            assert_eq!(cmd(text), Intent::StartMeeting, "{text}");
        }
        for text in [
            "alexa is this room free",
            "alexa is this room available",
            "Alexa, is the room free right now?",
            "alexa is anyone using this room",
        ] {
            assert_eq!(cmd(text), Intent::RoomFree, "{text}");
        }
        for text in [
            "alexa who booked this room",
            "alexa what's next in this room",
            "alexa what is the next meeting",
        ] {
            assert_eq!(cmd(text), Intent::WhoBooked, "{text}");
        }
        for text in [
            "alexa end the meeting",
            "alexa hang up",
            "alexa leave the call",
        ] {
            assert_eq!(cmd(text), Intent::EndMeeting, "{text}");
        }
        assert_eq!(cmd("alexa check in"), Intent::CheckIn);
        assert_eq!(cmd("alexa what's on my calendar today"), Intent::MyCalendar);
    }

    #[test]
    fn hours_past_twelve_take_no_am_or_pm() {
        let until = |text: &str| match cmd(text) {
            Intent::BookRoom { until, .. } => until.map(|t| (t.hour, t.minute)),
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(
            until("alexa book this room until fifteen thirty"),
            Some((15, 30))
        );
        assert_eq!(
            until("alexa book this room until three thirty pm"),
            Some((15, 30))
        );
        assert_eq!(
            until("alexa hold it until half past seventeen"),
            Some((17, 30))
        );
        assert_eq!(
            until("alexa hold it until half past five pm"),
            Some((17, 30))
        );
        // No such time: the recogniser, which hears only what the grammar allows, cannot
        // turn "three thirty pm" into it, and typed it is no command.
        assert_eq!(cmd("alexa hold it to twenty three thirty pm"), Intent::None);
        assert_eq!(
            cmd("alexa book this room until half past fifteen pm"),
            Intent::None
        );
    }

    #[test]
    fn booking_durations_and_times() {
        let book = |m: Option<u32>, until: Option<(u32, u32)>| Intent::BookRoom {
            minutes: m,
            until: until.map(|(hour, minute)| SpokenTime {
                hour,
                minute,
                ambiguous: true,
            }),
        };
        assert_eq!(
            cmd("alexa book this room for half an hour"),
            book(Some(30), None)
        );
        assert_eq!(
            cmd("alexa book this room for an hour"),
            book(Some(60), None)
        );
        assert_eq!(
            cmd("alexa book this room for forty five minutes"),
            book(Some(45), None)
        );
        assert_eq!(
            cmd("alexa book this room for 30 minutes"),
            book(Some(30), None)
        );
        assert_eq!(
            cmd("alexa reserve the room until three thirty"),
            book(None, Some((3, 30)))
        );
        assert_eq!(cmd("alexa book this room"), book(None, None));
        assert_eq!(
            cmd("alexa extend the meeting by fifteen minutes"),
            Intent::ExtendMeeting { minutes: 15 }
        );
        assert_eq!(
            cmd("alexa extend the meeting"),
            Intent::ExtendMeeting { minutes: 15 }
        );
        assert_eq!(
            cmd("alexa add lunch at noon for an hour"),
            Intent::AddEvent {
                title: Some("lunch".into()),
                start: SpokenTime {
                    hour: 12,
                    minute: 0,
                    ambiguous: false
                },
                minutes: 60
            }
        );
    }

    #[test]
    fn wake_word_is_required_for_commands_but_not_for_answers() {
        assert_eq!(cmd("start my meeting"), Intent::None);
        assert_eq!(cmd("we should start the meeting soon"), Intent::None);
        assert_eq!(cmd("alexa what's the weather like"), Intent::None);
        assert_eq!(cmd("alexa play some music"), Intent::None);
        assert_eq!(
            parse(
                "eight five five one two three four five six seven eight",
                "alexa",
                Expecting::MeetingId
            )
            .intent,
            Intent::MeetingId {
                digits: "85512345678".into()
            }
        );
        assert_eq!(
            parse("four one four three seven six", "alexa", Expecting::Pin).intent,
            Intent::Pin {
                digits: "414376".into()
            }
        );
        assert_eq!(
            parse(
                "my meeting id is double five oh one",
                "alexa",
                Expecting::MeetingId
            )
            .intent,
            Intent::MeetingId {
                digits: "5501".into()
            }
        );
        assert_eq!(
            parse("85512345678", "alexa", Expecting::MeetingId).intent,
            Intent::MeetingId {
                digits: "85512345678".into()
            }
        );
        assert_eq!(
            parse("yes please", "alexa", Expecting::YesNo).intent,
            Intent::Yes
        );
        assert_eq!(
            parse("no thanks", "alexa", Expecting::YesNo).intent,
            Intent::No
        );
        assert_eq!(
            parse("never mind", "alexa", Expecting::MeetingId).intent,
            Intent::Cancel
        );
        assert_eq!(
            parse("banana", "alexa", Expecting::MeetingId).intent,
            Intent::None
        );
        assert_eq!(
            parse("yes", "alexa", Expecting::Command).intent,
            Intent::None
        );
    }

    #[test]
    fn configurable_wake_word() {
        assert_eq!(
            parse("computer start my meeting", "computer", Expecting::Command).intent,
            Intent::StartMeeting
        );
        assert_eq!(
            parse("alexa start my meeting", "computer", Expecting::Command).intent,
            Intent::None
        );
        assert_eq!(
            parse(
                "hey room, is this room free",
                "hey room",
                Expecting::Command
            )
            .intent,
            Intent::RoomFree
        );
    }

    #[test]
    fn intent_json_names_are_the_contract() {
        let json = serde_json::to_value(Intent::BookRoom {
            minutes: Some(30),
            until: None,
        })
        .expect("json");
        assert_eq!(
            json,
            serde_json::json!({"intent": "book_room", "minutes": 30})
        );
        let json = serde_json::to_value(Intent::MeetingId {
            digits: "123".into(),
        })
        .expect("json");
        assert_eq!(
            json,
            serde_json::json!({"intent": "meeting_id", "digits": "123"})
        );
    }
}
