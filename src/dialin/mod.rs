//! Reading invitations: from an event's body, location and structured conference data
//! to a [`JoinPlan`]: provider, join URL, meeting ID, passcode, dial-in numbers, and the
//! dial string the dialer keys.
//!
//! Entry point: [`read_invitation`]. (First reader: Zoom-style "Meeting ID / Passcode"
//! text; the invitations work replaces it with the provider table.)

use serde::Serialize;

use crate::calendar::{Body, OnlineMeeting};

/// What the reader is given: everything the calendar knows about one event.
#[derive(Debug, Clone, Default)]
pub struct Invitation<'a> {
    pub subject: &'a str,
    pub body: Option<&'a Body>,
    pub location: Option<&'a str>,
    pub online_meeting: Option<&'a OnlineMeeting>,
}

/// Preferences that shape the plan: which country's number to pick, and pauses.
#[derive(Debug, Clone)]
pub struct DialPreferences {
    /// ISO 3166 alpha-2 country of the room, e.g. "US".
    pub country: String,
    /// Pauses (in dial-string commas of about 2 s) before the meeting ID and the PIN,
    /// by provider id; providers not listed use their own defaults.
    pub pauses: std::collections::BTreeMap<String, Pauses>,
}

impl Default for DialPreferences {
    fn default() -> Self {
        DialPreferences {
            country: "US".into(),
            pauses: Default::default(),
        }
    }
}

/// Pauses in the dial string, each comma about 2 seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pauses {
    pub before_meeting_id: u32,
    pub before_pin: u32,
}

/// A PSTN number found in an invitation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DialNumber {
    /// E.164, e.g. "+16465588656".
    pub e164: String,
    /// The invitation's label: country, city, "toll-free"... ("US (New York)").
    pub label: String,
    pub toll_free: bool,
    /// ISO country of the number when known.
    pub country: Option<String>,
}

/// Everything needed to join one meeting. `--json` output of `roomvoice dialin`, and the
/// `join` event's fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct JoinPlan {
    /// Provider id: "zoom", "teams", "webex", "chime", "google_meet", "goto", ... or
    /// "unknown".
    pub provider: String,
    /// The web join link, SafeLinks and redirect wrappers removed.
    pub url: Option<String>,
    /// Meeting ID, digits only.
    pub meeting_id: Option<String>,
    /// Numeric passcode/PIN keyed on the phone.
    pub passcode: Option<String>,
    /// A password only usable on the web join page (not keyed on the phone).
    pub web_password: Option<String>,
    /// Every PSTN number of the invitation, in its order.
    pub numbers: Vec<DialNumber>,
    /// The number to dial (E.164), chosen by the room's country, then invitation order.
    pub number: Option<String>,
    /// One-tap strings as printed in the invitation ("+16465588656,,85512345678#").
    pub one_tap: Vec<String>,
    pub sip: Option<String>,
    pub h323: Option<String>,
    /// The string the dialer keys: number, pauses (commas), meeting ID, `#`, PIN.
    pub dial_string: Option<String>,
    /// Why the reader chose what it chose, when there was a choice to make.
    pub notes: Vec<String>,
}

impl JoinPlan {
    /// True when the plan can join without asking anything.
    pub fn is_joinable(&self) -> bool {
        self.dial_string.is_some() || self.sip.is_some() || self.url.is_some()
    }
}

/// Reads one invitation into a join plan. Never panics; returns a plan with
/// `provider = "unknown"` and nothing else when nothing is found.
pub fn read_invitation(invitation: &Invitation<'_>, prefs: &DialPreferences) -> JoinPlan {
    first_reader::read(invitation, prefs)
}

/// Builds the dial string for a number, meeting ID and PIN with the given pauses.
pub fn dial_string(
    number: &str,
    meeting_id: Option<&str>,
    pin: Option<&str>,
    pauses: Pauses,
) -> String {
    let mut out = number.to_string();
    if let Some(id) = meeting_id {
        out.push_str(&",".repeat(pauses.before_meeting_id as usize));
        out.push_str(id);
        out.push('#');
        if let Some(pin) = pin {
            out.push_str(&",".repeat(pauses.before_pin as usize));
            out.push_str(pin);
            out.push('#');
        }
    }
    out
}

mod first_reader;
