//! `[assistant]`: the dialogue's settings, and [`Settings`], everything the dialogue is
//! opened with.

use serde::Deserialize;

use crate::calendar::UserConfig;
use crate::join::JoinConfig;
use crate::paths::Paths;
use crate::room::RoomConfig;
use crate::voice::VoiceConfig;

/// 12- or 24-hour clock for spoken times.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum ClockStyle {
    #[default]
    #[serde(rename = "12h")]
    Twelve,
    #[serde(rename = "24h")]
    TwentyFour,
}

/// `[assistant]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AssistantConfig {
    /// The word that starts a command, e.g. "alexa" in "alexa, start my meeting".
    pub wake_word: String,
    /// A meeting that starts within this many minutes counts as "my meeting".
    pub start_window_minutes: u32,
    /// "12h" (3:30 PM) or "24h" (15:30).
    pub clock: ClockStyle,
    /// Instant booking: when a meeting is started in a free room, book it for this many
    /// minutes (15 to 240, in steps of 15). Absent: no instant booking.
    pub instant_booking_minutes: Option<u32>,
    /// Require check-in: a reservation nobody checks into is released after this many
    /// minutes. Absent: no check-in required.
    pub release_unattended_after_minutes: Option<u32>,
    /// End-of-meeting reminders, in minutes before the end (e.g. [5, 1]).
    pub end_reminders_minutes: Vec<u32>,
    /// An action (book, end the call, extend, add an event) heard after a wake word the
    /// detector scored below this is confirmed first ("Did you want me to end the
    /// call?"). 0 turns confirmation off.
    pub confirm_below_wake_score: f32,
    /// An action heard with a recogniser confidence below this (0-1; PocketSphinx: the
    /// share of words its two passes agree on) is confirmed first too. 0: never.
    pub confirm_below_confidence: f32,
    /// When the device reads a spoken meeting ID or PIN back before using it ("I heard
    /// 8 5 5, 1 2 3. Is that right?"): "always" (the default), "uncertain" (the
    /// recogniser was unsure of a digit) or "never". Typed digits are never read back.
    pub read_back_digits: ReadBack,
    /// Proactive join: when a meeting starts, the device offers to join it ("Your
    /// meeting \"X\" is starting. Shall I join?").
    pub proactive_join: bool,
    /// How many minutes before the meeting's start the offer is made (0: at the start).
    pub proactive_join_minutes_before: u32,
}

/// When spoken digits are read back before they are dialed.
///
/// "always" is the default because the recogniser's confidence does not tell a wrong
/// number from a right one well enough: on the evaluation set (standard run, 22 voices,
/// tests/eval, stop 27) 44 of the 82 spoken meeting IDs that "uncertain" would have
/// dialed without asking were wrong, and 28 of 77 PINs. A wrong meeting ID puts the
/// room's microphone into somebody else's meeting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReadBack {
    /// Every spoken meeting ID and PIN.
    #[default]
    Always,
    /// When the recogniser's confidence in the answer is below 0.8, or a meeting ID has
    /// a length its service never uses.
    Uncertain,
    Never,
}

impl Default for AssistantConfig {
    fn default() -> Self {
        AssistantConfig {
            wake_word: "alexa".into(),
            start_window_minutes: 10,
            clock: ClockStyle::Twelve,
            instant_booking_minutes: None,
            release_unattended_after_minutes: None,
            end_reminders_minutes: vec![5],
            confirm_below_wake_score: 0.9,
            confirm_below_confidence: 0.9,
            read_back_digits: ReadBack::Always,
            proactive_join: false,
            proactive_join_minutes_before: 0,
        }
    }
}

/// The longest lead a proactive join offer may have: an offer long before the start would
/// be heard by whoever is in the room then, most likely the meeting before.
pub const MAX_OFFER_MINUTES_BEFORE: u32 = 30;

impl AssistantConfig {
    /// What is wrong with the table, said as the fix.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.wake_word.trim().is_empty() {
            return Err("[assistant] wake_word is empty; set a word such as \"alexa\"".into());
        }
        if let Some(m) = self.instant_booking_minutes {
            if !(15..=240).contains(&m) || m % 15 != 0 {
                return Err(format!(
                    "[assistant] instant_booking_minutes = {m}: use 15 to 240 in steps of 15"
                ));
            }
        }
        if self.proactive_join_minutes_before > MAX_OFFER_MINUTES_BEFORE {
            return Err(format!(
                "[assistant] proactive_join_minutes_before = {}: use 0 to {MAX_OFFER_MINUTES_BEFORE} minutes",
                self.proactive_join_minutes_before
            ));
        }
        Ok(())
    }
}

/// What the dialogue is opened with: its own table and the sections it reads (the room,
/// the enrolled user, how to dial and speak), and where relative paths resolve.
#[derive(Debug, Clone)]
pub struct Settings {
    pub room: RoomConfig,
    pub assistant: AssistantConfig,
    pub user: Option<UserConfig>,
    pub join: JoinConfig,
    pub voice: VoiceConfig,
    pub paths: Paths,
}
