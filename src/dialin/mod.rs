//! Reading invitations: from an event's body, location and structured conference data
//! to a [`JoinPlan`]: provider, join URL, meeting ID, passcode, dial-in numbers, and the
//! dial string the dialer keys.
//!
//! Entry point: [`read_invitation`]. The parts:
//! - `providers.rs`: the provider table (join links, labels, phone flows), as data.
//! - `reader.rs`: the steps from text to plan (which meeting, which block, which codes).
//! - `phone.rs`: number-shaped text to checked E.164 numbers (`phonenumber` crate).
//! - `links.rs`: URLs, with SafeLinks / Google / Proofpoint wrappers taken off.
//! - `html.rs`: HTML bodies to text with link targets kept in place (`html2text` crate).
//! - `decode.rs`: encodings of pasted and exported bodies taken off first
//!   (quoted-printable, iCalendar folding and escapes, character references, bidi marks).
//!
//! The reader never guesses a number: a digit run becomes a dial-in only inside a
//! dial-in section or on a line that says it is one, never on a signature line, and
//! only when it is a valid number; meeting IDs and PINs only follow their labels.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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

/// `[join.providers.<id>]`: conference provider settings of a room (PSTN delays, PIN requirement).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderDialing {
    /// Seconds to wait after the call connects before keying the meeting ID.
    pub meeting_id_delay_s: Option<u32>,
    /// Seconds to wait after the meeting ID before keying the PIN.
    pub pin_delay_s: Option<u32>,
    /// Whether the provider asks for a PIN: "yes", "no" or "optional".
    pub pin: Option<PinRequirement>,
    /// A PSTN number to dial when the invitation has none (E.164).
    pub number: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PinRequirement {
    Yes,
    No,
    Optional,
}

impl Default for DialPreferences {
    fn default() -> Self {
        DialPreferences {
            country: "US".into(),
            pauses: Default::default(),
        }
    }
}

impl DialPreferences {
    /// The room's preferences: `[room] country`, and `[join.providers.<id>]
    /// meeting_id_delay_s / pin_delay_s` turned into commas (about 2 s each, rounded
    /// up). A provider with only one delay set keeps its default for the other.
    pub(crate) fn for_room(country: &str, providers: &BTreeMap<String, ProviderDialing>) -> Self {
        let commas = |seconds: u32| seconds.div_ceil(2);
        let pauses = providers
            .iter()
            .filter(|(_, d)| d.meeting_id_delay_s.is_some() || d.pin_delay_s.is_some())
            .map(|(id, d)| {
                let defaults = default_pauses(id);
                let p = Pauses {
                    before_meeting_id: d
                        .meeting_id_delay_s
                        .map_or(defaults.before_meeting_id, commas),
                    before_pin: d.pin_delay_s.map_or(defaults.before_pin, commas),
                };
                (id.clone(), p)
            })
            .collect();
        DialPreferences {
            country: country.to_ascii_uppercase(),
            pauses,
        }
    }
}

impl<'a> Invitation<'a> {}

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

/// Which service a meeting is on: a row of the provider table, another service the
/// room's configuration names (`[room] provider`, `[join.providers.<id>]`: a bridge the
/// table does not know, with its number), or not known. Written as its id in events and
/// `--json` ("zoom", "teams", ..., "unknown"). What the device knows of a service (its
/// spoken name, PIN rule, published number, phone flow) comes from the table row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderId(Service);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum Service {
    #[default]
    Unknown,
    /// The id of a row of the provider table.
    Table(&'static str),
    /// An id only the configuration knows (lowercase).
    Configured(String),
}

impl ProviderId {
    /// No service could be told.
    pub(crate) const UNKNOWN: ProviderId = ProviderId(Service::Unknown);

    /// The service an id names ("zoom", or one the configuration introduces).
    pub(crate) fn named(id: &str) -> ProviderId {
        let id = id.trim().to_ascii_lowercase();
        if id.is_empty() || id == "unknown" {
            return ProviderId::UNKNOWN;
        }
        match providers::by_id(&id) {
            Some(row) => ProviderId(Service::Table(row.id)),
            None => ProviderId(Service::Configured(id)),
        }
    }

    pub(crate) fn of(row: &'static providers::Provider) -> ProviderId {
        ProviderId(Service::Table(row.id))
    }

    pub(crate) fn as_str(&self) -> &str {
        match &self.0 {
            Service::Unknown => "unknown",
            Service::Table(id) => id,
            Service::Configured(id) => id,
        }
    }

    pub(crate) fn is_unknown(&self) -> bool {
        self.0 == Service::Unknown
    }

    fn row(&self) -> Option<&'static providers::Provider> {
        match &self.0 {
            Service::Table(id) => providers::by_id(id),
            _ => None,
        }
    }

    /// How the device names the service when it joins ("" when it does not).
    pub(crate) fn spoken(&self) -> &'static str {
        self.row().map_or("", |row| row.spoken)
    }

    /// The digit counts the service's meeting IDs have (inclusive), when the table knows.
    pub(crate) fn meeting_id_digits(&self) -> Option<(usize, usize)> {
        self.row()
            .map(|row| row.id_digits)
            .filter(|&(fewest, _)| fewest > 0)
    }

    /// Whether the bridge asks for a PIN, by the table (the configuration may override).
    pub(crate) fn pin_requirement(&self) -> PinRequirement {
        self.row()
            .and_then(|row| row.dial)
            .map_or(PinRequirement::No, |flow| flow.pin)
    }

    /// The bridge's published number (E.164), by the table.
    pub(crate) fn fallback_number(&self) -> Option<&'static str> {
        self.row()
            .and_then(|row| row.dial)
            .and_then(|flow| flow.fallback_number)
    }
}

impl std::fmt::Display for ProviderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ProviderId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl PartialEq<&str> for ProviderId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Everything needed to join one meeting. `--json` output of `roomvoice dialin`, and the
/// `join` event's fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct JoinPlan {
    /// The service: "zoom", "teams", "webex", "chime", "google_meet", "goto", ... or
    /// "unknown".
    pub provider: ProviderId,
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
    /// SIP address for video systems ("85512345678@zoomcrc.com").
    pub sip: Option<String>,
    /// H.323 address (IP) for video systems.
    pub h323: Option<String>,
    /// The string the dialer keys: number, pauses (commas), meeting ID, `#`, PIN.
    pub dial_string: Option<String>,
    /// Why the reader chose what it chose, when there was a choice to make.
    pub notes: Vec<String>,
}

impl JoinPlan {
    /// True when the plan can join without asking anything.
    pub(crate) fn is_joinable(&self) -> bool {
        self.dial_string.is_some() || self.sip.is_some() || self.url.is_some()
    }
}

/// An invitation with the usual parts (join link, labelled meeting ID and passcode,
/// numbers of several countries, one-tap, SIP, HTML) for [`warm_up`].
const WARM_UP_INVITATION: &str = r#"<html><body><p>Join Zoom Meeting<br>
<a href="https://us02web.zoom.us/j/85512345678?pwd=abc">https://us02web.zoom.us/j/85512345678?pwd=abc</a></p>
<p>Meeting ID: 855 1234 5678<br>Passcode: 414376</p>
<p>One tap mobile<br>+16465588656,,85512345678#,,,,*414376# US (New York)</p>
<p>Dial by your location<br>+1 646 558 8656 US (New York)<br>+44 203 481 5237 United Kingdom<br>
+49 69 3807 9883 Germany<br>India: 000 800 050 3335 (toll free)</p>
<p>Join by SIP<br>85512345678@zoomcrc.com</p>
<p>Microsoft Teams meeting. Join on your computer: https://teams.microsoft.com/l/meetup-join/19%3ameeting_x
Or call in (audio only) +1 323-849-4874,,123456789# Phone Conference ID: 123 456 789#</p>
</body></html>"#;

/// Builds what the reader builds on first use (its patterns, the phone-number
/// metadata: about 150 ms on the 2-core development machine), so that the device's
/// first "start my meeting" does not wait for it. `listen` runs it on a thread of its
/// own while it waits for the wake word.
pub fn warm_up() {
    let started = std::time::Instant::now();
    let plan = read_warm_up_invitation();
    tracing::debug!(
        "invitation reader ready in {} ms ({} numbers in the sample)",
        started.elapsed().as_millis(),
        plan.numbers.len()
    );
}

fn read_warm_up_invitation() -> JoinPlan {
    let body = crate::calendar::Body::Html(WARM_UP_INVITATION.to_string());
    read_invitation(
        &Invitation {
            subject: "warm-up",
            body: Some(&body),
            location: None,
            online_meeting: None,
        },
        &DialPreferences::default(),
    )
}

/// Reads one invitation into a join plan. Never panics; returns a plan with
/// `provider = "unknown"` and nothing else when nothing is found.
pub fn read_invitation(invitation: &Invitation<'_>, prefs: &DialPreferences) -> JoinPlan {
    reader::read(invitation, prefs)
}

/// The dial string for a provider id (its own terminators, `*` before a Zoom passcode,
/// `#` to skip Webex's attendee ID...), with `pauses` or the provider's defaults.
/// Unknown provider ids use the generic bridge flow.
pub fn dial_string_for(
    provider: &str,
    number: &str,
    meeting_id: &str,
    pin: Option<&str>,
    pauses: Option<Pauses>,
) -> String {
    let p = providers::by_id(provider)
        .filter(|p| p.dial.is_some())
        .unwrap_or(&providers::GENERIC);
    let flow = p.dial.unwrap_or(providers::GENERIC_FLOW);
    reader::flow_dial_string(
        number,
        meeting_id,
        pin,
        &flow,
        pauses.unwrap_or(flow.default_pauses),
    )
}

/// Default pauses of a provider's phone flow (the generic bridge's for unknown ids).
pub(crate) fn default_pauses(provider: &str) -> Pauses {
    providers::by_id(provider)
        .and_then(|p| p.dial)
        .unwrap_or(providers::GENERIC_FLOW)
        .default_pauses
}

/// The languages whose invitation labels each provider row knows besides English, in
/// table order (for docs and `--help`).
pub fn provider_languages() -> impl Iterator<Item = (&'static str, Vec<&'static str>)> {
    providers::PROVIDERS
        .iter()
        .chain(std::iter::once(&providers::GENERIC))
        .filter(|p| !p.local.is_empty())
        .map(|p| (p.id, p.local.iter().map(|l| l.lang).collect()))
}

pub use html::looks_like_html;

mod decode;
mod html;
mod links;
mod phone;
mod providers;
mod reader;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warm_up_sample_goes_through_the_whole_reader() {
        // What warm_up builds is only built if the sample reaches it: a provider, a
        // meeting ID, numbers of several countries.
        let plan = read_warm_up_invitation();
        assert_eq!(plan.meeting_id.as_deref(), Some("85512345678"));
        assert_eq!(plan.passcode.as_deref(), Some("414376"));
        assert!(plan.numbers.len() >= 4, "{:?}", plan.numbers);
        assert!(plan.sip.is_some());
    }

    #[test]
    fn a_provider_id_knows_its_table_row_and_keeps_ids_only_the_configuration_knows() {
        let zoom = ProviderId::named(" Zoom ");
        assert_eq!(zoom, "zoom");
        assert_eq!(zoom.spoken(), "Zoom");
        assert_eq!(zoom.pin_requirement(), PinRequirement::Yes);
        assert_eq!(zoom.fallback_number(), Some("+16465588656"));
        assert_eq!(ProviderId::named("webex").spoken(), "Webex");
        assert_eq!(
            ProviderId::named("webex").pin_requirement(),
            PinRequirement::Optional
        );
        let own = ProviderId::named("AcmeBridge");
        assert_eq!(own, "acmebridge");
        assert_eq!((own.spoken(), own.fallback_number()), ("", None));
        assert!(ProviderId::named("unknown").is_unknown());
        assert!(ProviderId::named("").is_unknown());
        assert_eq!(
            serde_json::to_string(&ProviderId::UNKNOWN).expect("json"),
            "\"unknown\""
        );
    }
}
