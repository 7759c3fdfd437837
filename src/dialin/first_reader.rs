//! A first, deliberately small invitation reader: join URL by domain, "Meeting ID" /
//! "Passcode" / "PIN" labels, and `+`-prefixed phone numbers. Replaced by the provider
//! table of the invitations work.

use std::sync::LazyLock;

use regex::Regex;

use super::{dial_string, DialNumber, DialPreferences, Invitation, JoinPlan, Pauses};
use crate::calendar::Body;

static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"https://[^\s<>"']+"#).expect("url regex"));
static MEETING_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:meeting id|conference id|meeting number|access code)\s*:?\s*((?:\d[ \-]?){6,14}\d)")
        .expect("id regex")
});
static PASSCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:passcode|pin|password)\s*:?\s*(\d{4,10})\b").expect("pin regex")
});
static PHONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\+\d{1,3}(?:[ .\-]?\(?\d{1,4}\)?){2,5}").expect("phone regex"));

const PROVIDERS: &[(&str, &str)] = &[
    ("zoom.us", "zoom"),
    ("zoomgov.com", "zoom"),
    ("teams.microsoft.com", "teams"),
    ("webex.com", "webex"),
    ("chime.aws", "chime"),
    ("meet.google.com", "google_meet"),
    ("gotomeeting.com", "goto"),
    ("goto.com", "goto"),
];

pub(super) fn read(invitation: &Invitation<'_>, prefs: &DialPreferences) -> JoinPlan {
    let mut text = String::new();
    if let Some(location) = invitation.location {
        text.push_str(location);
        text.push('\n');
    }
    match invitation.body {
        Some(Body::Text(t)) => text.push_str(t),
        Some(Body::Html(h)) => text.push_str(&strip_tags(h)),
        None => {}
    }
    let mut plan = JoinPlan {
        provider: "unknown".into(),
        ..JoinPlan::default()
    };
    if let Some(m) = URL.find(&text) {
        let url = m.as_str().trim_end_matches(['.', ',', ')', '>']);
        if let Some((_, id)) = PROVIDERS.iter().find(|(domain, _)| url.contains(domain)) {
            plan.provider = (*id).into();
            plan.url = Some(url.to_string());
        }
    }
    if let Some(online) = invitation.online_meeting {
        if plan.url.is_none() {
            plan.url.clone_from(&online.join_url);
        }
        if let Some(id) = &online.conference_id {
            plan.meeting_id = Some(id.chars().filter(char::is_ascii_digit).collect());
        }
    }
    if plan.meeting_id.is_none() {
        plan.meeting_id = MEETING_ID
            .captures(&text)
            .map(|c| c[1].chars().filter(char::is_ascii_digit).collect());
    }
    plan.passcode = PASSCODE.captures(&text).map(|c| c[1].to_string());
    for m in PHONE.find_iter(&text) {
        let e164: String = std::iter::once('+')
            .chain(m.as_str().chars().filter(char::is_ascii_digit))
            .collect();
        if (8..=16).contains(&e164.len()) && !plan.numbers.iter().any(|n| n.e164 == e164) {
            plan.numbers.push(DialNumber {
                e164,
                label: String::new(),
                toll_free: false,
                country: None,
            });
        }
    }
    let country_code = if prefs.country.eq_ignore_ascii_case("US") {
        "+1"
    } else {
        "+"
    };
    plan.number = plan
        .numbers
        .iter()
        .find(|n| n.e164.starts_with(country_code))
        .or(plan.numbers.first())
        .map(|n| n.e164.clone());
    if let (Some(number), Some(id)) = (&plan.number, &plan.meeting_id) {
        let pauses = prefs.pauses.get(&plan.provider).copied().unwrap_or(Pauses {
            before_meeting_id: 2,
            before_pin: 2,
        });
        plan.dial_string = Some(dial_string(
            number,
            Some(id),
            plan.passcode.as_deref(),
            pauses,
        ));
    }
    plan
}

fn strip_tags(html: &str) -> String {
    static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[^>]*>").expect("tag regex"));
    TAG.replace_all(&html.replace("<br>", "\n"), " ")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}
