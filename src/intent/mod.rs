//! What was said: the phrase set and the parser from text to [`Intent`].
//!
//! The phrase set is one grammar ([`grammar`]); the text parser matches against it, and
//! the speech engines compile the same grammar (JSGF for PocketSphinx, a phrase list for
//! Vosk), so what the device can hear and what it understands never drift apart.

pub mod grammar;

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
