//! The invitation reader: from an event's text to a [`JoinPlan`].
//!
//! The steps, in order:
//! 1. One text: the location, then the body (transfer encodings taken off by
//!    `decode.rs`: quoted-printable, iCalendar folding and escapes; HTML rendered by
//!    `html.rs`), character references, bidi marks, odd spaces, dashes and Markdown
//!    emphasis normalised; bodies past [`MAX_BODY`] are cut (and the plan says so).
//! 2. Regions: forwarded-message and reply headers split the text; quoted lines (`>`)
//!    are their own region. Lines that call a link "previous", "old" or "do not use"
//!    are marked stale.
//! 3. Anchors: every URL, unwrapped (`links.rs`), matched against the provider table
//!    (`providers.rs`). When anchors name more than one meeting, the plan takes this
//!    event's own one (structured data, then the location, then the first region, then
//!    non-stale) and says why in `notes`; the text read is then cut to that meeting's block.
//!    A reply above a quoted invitation that gives dial-in details joins the block,
//!    first. A template or how-to (placeholders, a sample ID) gives no plan.
//! 4. In that block: meeting ID and PIN after the provider's labels (every language of
//!    the table); a PIN printed only in one-tap strings that key exactly the provider's
//!    flow; phone numbers only
//!    inside dial-in sections or on lines that say they are dial-ins, never on signature
//!    lines (`Mobile:`, `Fax:`...), and only when `phone.rs` finds them valid; one-tap
//!    strings; SIP and H.323 addresses in video-system sections.
//! 5. The number for the room's country, and the dial string in the provider's flow.
//!
//! Steps 1, 2 and the whole (`read`) are here; step 3 is in `reader/anchors.rs`, step 4
//! in `reader/codes.rs` (ID and PIN), `reader/numbers.rs` (numbers, one-tap, and step 5)
//! and `reader/video.rs` (SIP, H.323).
//!
//! Just over 600 lines: the steps above, each a short function in order; the longer
//! ones have files of their own in `reader/` (anchors, codes, numbers, video).

use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

use regex::Regex;

use super::providers::{self, DialFlow, Provider, GENERIC, PROVIDERS};
use super::{
    decode, html, links, phone, DialNumber, DialPreferences, Invitation, JoinPlan, Pauses,
    ProviderId,
};
use crate::calendar::Body;

mod anchors;
mod codes;
mod numbers;
mod video;

use anchors::*;
use codes::*;
use numbers::*;
use video::*;

/// Bodies longer than this are cut: no invitation is this long, and the reader's cost
/// stays bounded for hostile input.
pub(crate) const MAX_BODY: usize = 1024 * 1024;

/// Distinct number-shaped texts checked per body at most.
const MAX_CANDIDATES: usize = 1000;

/// No invitation lists more numbers than this (Zoom's longest lists have about 100).
const MAX_NUMBERS: usize = 300;

/// Lines after a dial-in heading that may still belong to its number list.
const DIAL_SECTION_LINES: usize = 40;

/// Compiles a constant pattern, its `\b` made ASCII word boundaries: the regex
/// engine's fast DFA gives up on a Unicode `\b` as soon as a line holds a non-ASCII
/// character (a bullet, an accent), and every such line then costs many times more.
/// Labels that begin or end with non-ASCII letters go through [`providers::bounded`].
fn re(pattern: &str) -> Regex {
    regex::RegexBuilder::new(&pattern.replace(r"\b", r"(?-u:\b)"))
        // The label and dial-in word alternations of seven languages, matched without
        // case, make large automata: a larger cache keeps the fast DFA from giving up.
        .dfa_size_limit(DFA_CACHE)
        .build()
        .expect("constant regex")
}

/// Lazy DFA cache per pattern (the regex crate's default is 2 MiB).
const DFA_CACHE: usize = 8 << 20;

/// The other languages' dial-in words, as one alternation with their boundaries.
fn local_dial_words() -> String {
    providers::DIAL_IN_WORDS
        .iter()
        .map(|(_, w)| providers::bounded(w))
        .collect::<Vec<_>>()
        .join("|")
}

static FORWARD_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:-{2,}\s*(?:original message|forwarded message|original appointment|forwarded by)\b.*|begin forwarded message:?|on .{4,160} wrote:|_{5,}\s*from:.*)\s*$",
    )
});
static FROM_LINE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^\s*\*?(?:from|von|de)\s*:\*?\s+\S"));
static SENT_LINE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^\s*\*?(?:sent|date|gesendet|envoyé)\s*:\*?\s+\S"));
static STALE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:previous|prior|last week'?s|yesterday'?s|old|earlier|outdated|expired|superseded)\s+(?:meeting|link|invite|invitation|call|bridge|zoom|teams|webex|session|dial-?in)|\b(?:do not|don'?t|no longer)\s+(?:use|valid|in use|used|join)\b|\bnot this (?:link|one)\b|\b(?:was|has been) (?:replaced|moved|cancel+ed)\b",
    )
});
static DIAL_WORDS: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"(?i){ENGLISH_DIAL_WORDS}|{}", local_dial_words())));
/// The dial-in words of the other languages alone ("Oder wählen Sie:", "Composez").
static LOCAL_DIAL_WORDS: LazyLock<Regex> =
    LazyLock::new(|| re(&format!("(?i){}", local_dial_words())));
/// Words of English invitations that open or mark a dial-in section (the other
/// languages' are in the provider table's [`providers::DIAL_IN_WORDS`]).
const ENGLISH_DIAL_WORDS: &str = r"dial[- ]?in|\bdial\b|by your location|join by (?:phone|telephone)|join with phone|call[- ]in|audio[- ]only|by phone|phone numbers?|toll[- ]?free|\btoll\b|one[- ]tap|one[- ]touch|tap to join|conference (?:call|line|bridge|number)|bridge number|local numbers?|audio conference|telephone|\bor call\b|freephone|\bphone conference\b|\bcall in\b|\bto join by phone\b";
static SIGNATURE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:^|[\s|,(/])(?:mobile?|mob|handy|cell(?:phone)?|fax|direct(?: line)?|office|home|whatsapp|work|main|tel|t[eé]l[eé]fono|ph|phone|m|c|t|f|p|o|d|w|h)\s*[:.]?\s*(?:\+|\(|\d)",
    )
});
/// Lines about a person or a business record, never a dial-in whatever else they say.
static PERSONAL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)customer service|support|help ?desk|questions|contact|reception|front desk|text me|call me|reach me|\bmy (?:mobile|cell|phone|number)\b|emergency|\border\b|\bref(?:erence)?\b|invoice|ticket|account|tracking|\bpo\b|\bcase\b|serial|booking",
    )
});
static NO_DIAL_IN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:no|without)\s+(?:a\s+)?dial[- ]?in|dial[- ]?in (?:is )?not (?:available|provided)",
    )
});
static SIGNATURE_START: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:--\s*|thanks?\b.*|thank you\b.*|(?:best|kind|warm)?\s*regards\b.*|best,?|cheers\b.*|sincerely\b.*|sent from my\b.*)$",
    )
});
/// A number with pauses and keys: `+16465588656,,85512345678#`, or a `tel:` link whose
/// number has no `+` (`tel:1-877-668-4493,,*01*615734219##*01*`).
static ONE_TAP: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:tel:(\+?[ ]?\d[\d\-. ()]{5,20}\d)|(\+[ ]?\d[\d\-. ()]{5,20}\d))((?:(?:,|;|%2c)+[\d*#]+(?:%23)?)+)",
    )
});
static SIP_SECTION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\bsip\b|video (?:conferencing )?(?:system|device|endpoint)|\bvtc\b|h\.?323|room system|join (?:by|via|from) video|video address|video call",
    )
});
static SIP_ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(?:sip:)?\b([a-z0-9][a-z0-9._%+\-]*@[a-z0-9][a-z0-9.\-]*\.[a-z]{2,})\b")
});
static H323_SECTION: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)h\.?323|dial (?:the )?ip|ip address"));
static IPV4: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\b((?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3})\b")
});
static VTC_ID: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(?:video conference id|vtc conference id|vtc id|video id)\s*:?\s*(\d(?:[ ]?\d){5,14})")
});
/// Webex's numeric password for phones: "(86357832 from phones and video systems)" in
/// its languages ("desde teléfonos", "a partir de telefones", "über Telefone", "vanaf
/// telefoons", "電話およびビデオ システムからは 86357832"), or "Password if joining from
/// a phone: 79738978".
static PHONE_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?i)\((\d{4,12})\s+(?:from|desde|a partir d\w*|à partir d\w*|über|von|vanaf|via|dai|dal|da)\s+(?:[^()]{0,40}\s)?(?:phones?|teléfonos?|telefones?|téléphones?|telefone|telefoni|telefoons?|video systems?|mobile)",
        r"|\([^()\d]{0,30}から(?:は)?\s*(\d{4,12})\s*\)",
        r"|\b(?:password|passcode)\s+(?:if\s+)?(?:joining\s+)?(?:from|by|for|on)\s+(?:a\s+|the\s+)?(?:phones?|telephone|mobile(?: device)?|video systems?)\s*:\s*(\d{4,12})\b",
    ))
});
static WEB_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:\bmeeting\s+)?(?:{})\s*:\s*([A-Za-z0-9!@$%^&*._\-]{{3,32}})",
        providers::bounded(providers::WEB_PASSWORD_LABELS)
    ))
});
static INFO_LINK: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)help\.webex\.com|webex\.com/pdf/|tollfree_restrictions|globalcallin|/u/[a-z0-9]+$|dialin\.teams|meetingoptions|aka\.ms|support\.|/static/dialininfo|tel\.meet/|/teleconference|fccdl\.in|/international|pexip\.me/teams/|premium-numbers|/install\b|dialinnumbers|zoom\.us/(?:zoomconference|support|download|test)",
    )
});
static HOST_ONLY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:host|moderator|leader|chair(?:person)?|organi[sz]er|presenter|video|vtc)\s*(?:pin|key|code|passcode|access code)?\s*:?\s*$",
    )
});

/// Regexes of one provider, compiled when an invitation first needs them: an
/// invitation names one or two providers, and compiling all sixteen at once held about
/// 2.5 MB more for a "start my meeting" (heaptrack).
struct ProviderPatterns {
    id: Regex,
    pin: Regex,
}

static PATTERNS: LazyLock<HashMap<&'static str, OnceLock<ProviderPatterns>>> =
    LazyLock::new(|| {
        PROVIDERS
            .iter()
            .chain(std::iter::once(&GENERIC))
            .filter(|p| !p.id_labels.is_empty())
            .map(|p| (p.id, OnceLock::new()))
            .collect()
    });

/// The provider's label patterns (`None` for a provider without labels).
fn patterns_of(provider: &'static Provider) -> Option<&'static ProviderPatterns> {
    PATTERNS
        .get(provider.id)
        .map(|cell| cell.get_or_init(|| compile(provider)))
}

/// Each provider's markers in lower case (words that name it in an invitation), for
/// the providers with labels.
static MARKERS: LazyLock<HashMap<&'static str, Vec<String>>> = LazyLock::new(|| {
    PROVIDERS
        .iter()
        .filter(|p| !p.id_labels.is_empty())
        .map(|p| (p.id, p.all_markers().map(str::to_lowercase).collect()))
        .collect()
});

fn compile(p: &Provider) -> ProviderPatterns {
    // Label, optional "(...)" remark, separator, then the value on the same line (or
    // nothing: the value may be on the next line).
    let value_id = r"(\d(?:[ .\-]?\d)*)";
    let value_pin = r"([A-Za-z0-9*]{3,32})";
    let head = |labels: &str| {
        let labels = providers::bounded(labels);
        format!(
            r"(?i)(?:{labels})[ \t]*(?:\([^)\n]{{0,40}}\))?[ \t]*(?:is\b)?[ \t]*[:#=.\-]?[ \t]*(?:is\b)?[ \t]*(?:[*_]{{1,2}}[ \t]*)?"
        )
    };
    ProviderPatterns {
        id: re(&format!(r"{}(?:{value_id}|$)", head(&p.all_id_labels()))),
        pin: re(&format!(r"{}(?:{value_pin}|$)", head(&p.all_pin_labels()))),
    }
}

/// One join link found in the text.
#[derive(Debug, Clone)]
struct Anchor {
    line: usize,
    provider: &'static Provider,
    url: String,
    /// What tells two meetings apart: the meeting ID in the link, or the link itself.
    identity: String,
    /// A "how to join" link rather than a help or number-list page.
    join: bool,
}

/// Reads one invitation. Never panics.
pub(crate) fn read(invitation: &Invitation<'_>, prefs: &DialPreferences) -> JoinPlan {
    let mut notes = Vec::new();
    let text = assemble(invitation, &mut notes);
    let lines: Vec<&str> = text.lines().collect();
    let location_lines = invitation.location.map_or(0, |l| l.lines().count());
    let regions = regions(&lines, location_lines);
    let anchors = anchors(&lines);
    let stale = stale_lines(&lines, &anchors);

    let mut plan = JoinPlan {
        provider: ProviderId::UNKNOWN,
        ..JoinPlan::default()
    };
    let online = invitation.online_meeting;
    let online_url = online
        .and_then(|o| o.join_url.as_deref())
        .map(|u| links::unwrap(u.trim()).into_owned());

    // Which meeting: by identity.
    let chosen = choose_meeting(
        &anchors,
        &regions,
        &stale,
        location_lines,
        online_url.as_deref(),
        &mut notes,
    );
    let (mut block_start, block_end) = match &chosen {
        Some(c) => block_of(c, &anchors, &regions, &lines, location_lines),
        None => first_region_with_dial_in(&lines, &regions, location_lines),
    };
    if let Some(reply_start) = reply_above(&lines, &regions, &anchors, location_lines, block_start)
    {
        notes.push(
            "the reply above the quoted invitation gives dial-in details too; they are read first"
                .into(),
        );
        block_start = reply_start;
    }
    let block = Block {
        lines: &lines,
        start: block_start,
        end: block_end,
        location_lines,
    };

    let provider: &'static Provider = match (
        &chosen,
        online_url.as_deref().and_then(providers::provider_of_link),
    ) {
        (_, Some(p)) => p,
        (Some(c), None) => c.provider,
        (None, None) => provider_by_markers(&block).unwrap_or(&GENERIC),
    };
    let url = online_url.clone().or_else(|| {
        chosen.as_ref().map(|c| {
            anchors
                .iter()
                .filter(|a| a.identity == c.identity && a.provider.id == c.provider.id)
                .find(|a| a.join)
                .map_or_else(|| c.url.clone(), |a| a.url.clone())
        })
    });

    // Meeting ID and PIN.
    let mut found = extract_codes(&block, provider, &mut notes);
    let link_id = url
        .as_deref()
        .and_then(|u| providers::meeting_id_in_link(provider, u));
    if let Some(online_id) = online.and_then(|o| o.conference_id.as_deref()) {
        let digits: String = online_id.chars().filter(char::is_ascii_digit).collect();
        if !digits.is_empty() {
            found.meeting_id = Some(digits);
        }
    }
    if let (Some(from_link), Some(from_text)) = (&link_id, &found.meeting_id) {
        if from_link != from_text {
            notes.push(format!(
                "the join link carries meeting ID {from_link} but the text says {from_text}; using the link's"
            ));
            found.meeting_id = Some(from_link.clone());
        }
    }
    if found.meeting_id.is_none() {
        found.meeting_id = link_id;
    }
    if found.passcode.is_none() {
        found.passcode = url
            .as_deref()
            .and_then(|u| providers::passcode_in_link(provider, u));
    }
    // A bridge whose only code is the participant PIN: that PIN is the conference code.
    if found.meeting_id.is_none() && provider.id == GENERIC.id {
        if let Some(pin) = found.passcode.take() {
            notes.push("the participant PIN is the only code: keyed as the conference code".into());
            found.meeting_id = Some(pin);
        }
    }

    // A template or a how-to: placeholders where the codes go, or a sample ID.
    if let Some(why) = template_sign(&block, found.meeting_id.as_deref()) {
        notes.push(format!(
            "the text is a template or a how-to ({why}), not an invitation: no plan"
        ));
        plan.notes = notes;
        return plan;
    }

    // Numbers and one-tap strings.
    let region = prefs.country.to_ascii_uppercase();
    let mut numbers = Vec::new();
    let mut one_tap = Vec::new();
    if let Some(o) = online {
        structured_numbers(o, &region, &mut numbers, &mut one_tap);
    }
    if let Err(limit) = collect_numbers(&block, &region, &found, &mut numbers, &mut one_tap) {
        notes.push(format!(
            "stopped looking for phone numbers after {limit}: no real invitation has that many"
        ));
    }
    // A one-tap string of another meeting (its ID differs) is not ours.
    if let Some(id) = &found.meeting_id {
        one_tap.retain(|t| one_tap_id(t).is_none_or(|tid| tid == *id));
    } else if let Some(tid) = one_tap.first().and_then(|t| one_tap_id(t)) {
        if tid.len() >= 4 {
            notes.push(format!(
                "meeting ID {tid} taken from the one-tap dial string"
            ));
            found.meeting_id = Some(tid);
        }
    }

    // A numeric password printed only in the one-tap strings (Webex "...#74120953#").
    if found.passcode.is_none() {
        if let (Some(id), Some(flow)) = (&found.meeting_id, provider.dial) {
            let pins: Vec<String> = one_tap
                .iter()
                .filter_map(|t| passcode_in_one_tap(t, id, &flow))
                .collect();
            if let Some(pin) = pins.first() {
                if pins.iter().all(|p| p == pin) {
                    notes.push(format!("passcode {pin} taken from the one-tap dial string"));
                    found.passcode = Some(pin.clone());
                }
            }
        }
    }

    // The provider when no link named one.
    let provider = if provider.id == GENERIC.id && found.meeting_id.is_none() && numbers.is_empty()
    {
        None
    } else {
        Some(provider)
    };
    let (sip, h323, vtc_id) = video_addresses(&block, found.meeting_id.as_deref());

    plan.provider = provider.map_or(ProviderId::UNKNOWN, ProviderId::of);
    plan.url = url;
    plan.meeting_id = found.meeting_id;
    plan.passcode = found.passcode;
    plan.web_password = found.web_password;
    plan.numbers = numbers;
    plan.one_tap = one_tap;
    plan.sip = sip;
    plan.h323 = h323;
    if let Some(vtc) = vtc_id {
        // Kept in notes: the plan's fields are a contract shared with the `join` event.
        let via = plan
            .sip
            .as_deref()
            .map(|s| format!(" after calling {s}"))
            .unwrap_or_default();
        notes.push(format!(
            "video systems: enter Video Conference ID {vtc}{via}"
        ));
    }
    plan.number = choose_number(&plan.numbers, &region);
    if let (Some(number), Some(id)) = (&plan.number, &plan.meeting_id) {
        let p = provider.filter(|p| p.dial.is_some()).unwrap_or(&GENERIC);
        let flow = p.dial.unwrap_or(providers::GENERIC_FLOW);
        let pauses = prefs
            .pauses
            .get(p.id)
            .copied()
            .unwrap_or(flow.default_pauses);
        plan.dial_string = Some(flow_dial_string(
            number,
            id,
            plan.passcode.as_deref(),
            &flow,
            pauses,
        ));
    } else if plan.number.is_some() {
        notes.push(
            "a dial-in number was found but no meeting ID: the meeting ID must be asked for".into(),
        );
    }
    if provider.is_some_and(|p| p.id == "teams") {
        if let Some(app_id) = found.app_meeting_id {
            notes.push(format!(
                "Teams meeting ID {app_id} is for the Teams app; the phone uses the conference ID"
            ));
        }
    }
    notes.extend(found.notes);
    plan.notes = notes;
    plan
}

/// Placeholders where an invitation has its codes: `<meeting ID>`, `[Conference ID]`,
/// `{{meeting_id}}`, `Meeting ID: XXX XXX XXXX`.
static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?i)[<\[{]{1,2}\s*(?:your\s+|the\s+)?(?:meeting|conference|webinar|access|participant|attendee|phone|dial[- ]?in)?[\s_-]*(?:id|number|code|pin|passcode|password)\s*[>\]}]{1,2}",
        r"|\b(?:meeting id|meeting number|access code|conference id|passcode|pin)\s*:?\s*(?:x{3,}|#{3,}|\*{3,}|_{3,}|\.{3,}|n{3,})(?:[ -]?(?:x{2,}|n{2,}|#{2,}|\*{2,}))*\b",
    ))
});

/// The dial string of a provider's flow.
pub(crate) fn flow_dial_string(
    number: &str,
    meeting_id: &str,
    pin: Option<&str>,
    flow: &DialFlow,
    pauses: Pauses,
) -> String {
    let mut out = String::with_capacity(number.len() + meeting_id.len() + 16);
    out.push_str(number);
    out.push_str(&",".repeat(pauses.before_meeting_id as usize));
    out.push_str(meeting_id);
    out.push_str(flow.id_terminator);
    match pin {
        Some(pin) => {
            out.push_str(&",".repeat(pauses.before_pin as usize));
            out.push_str(flow.pin_prefix);
            out.push_str(pin);
            out.push_str(flow.pin_terminator);
        }
        None => {
            if let Some(skip) = flow.skip_pin {
                out.push_str(skip);
            }
        }
    }
    out
}

/// Location, then body, as one normalised text.
fn assemble(invitation: &Invitation<'_>, notes: &mut Vec<String>) -> String {
    let mut text = String::new();
    if let Some(location) = invitation.location {
        text.push_str(location);
        text.push('\n');
    }
    let body = match invitation.body {
        Some(Body::Text(t)) => decode::transfer(&cut(t, notes), notes),
        Some(Body::Html(h)) => html::to_text(&decode::transfer(&cut(h, notes), notes)),
        None => String::new(),
    };
    text.push_str(&body);
    decode::visible(&text)
}

fn cut<'a>(body: &'a str, notes: &mut Vec<String>) -> std::borrow::Cow<'a, str> {
    if body.len() <= MAX_BODY {
        return body.into();
    }
    let mut end = MAX_BODY;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    notes.push(format!(
        "the body is {} bytes; only the first {MAX_BODY} were read",
        body.len()
    ));
    body[..end].into()
}

/// Region of each line: 0 for the event's own text, then one more after each
/// forwarded-message or reply header; quoted (`>`) lines get their own high region.
fn regions(lines: &[&str], location_lines: usize) -> Vec<usize> {
    const QUOTED: usize = 10_000;
    let mut out = Vec::with_capacity(lines.len());
    let mut region = 0;
    for (i, line) in lines.iter().enumerate() {
        if i >= location_lines {
            let header = FORWARD_HEADER.is_match(line)
                || (FROM_LINE.is_match(line)
                    && lines
                        .iter()
                        .skip(i + 1)
                        .take(4)
                        .any(|l| SENT_LINE.is_match(l)));
            if header {
                region += 1;
            }
        }
        out.push(if line.trim_start().starts_with('>') {
            QUOTED + region
        } else {
            region
        });
    }
    out
}

/// Lines that call what follows (or themselves) previous, old or not to be used. Only
/// the lines of links and the two above them are looked at: nothing else is asked.
fn stale_lines(lines: &[&str], anchors: &[Anchor]) -> Vec<bool> {
    let mut out = vec![false; lines.len()];
    let mut looked = vec![false; lines.len()];
    for a in anchors {
        for i in a.line.saturating_sub(2)..=a.line {
            if looked[i] {
                continue;
            }
            looked[i] = true;
            let line = lines[i];
            if STALE.is_match(line) {
                out[i] = true;
                // A heading such as "Old link:" covers the next lines too.
                if line.trim_end().ends_with(':') || line.trim().len() < 60 {
                    for flag in out.iter_mut().skip(i + 1).take(2) {
                        *flag = true;
                    }
                }
            }
        }
    }
    out
}

/// The text the reader looks at: the location lines plus one block of the body.
struct Block<'a> {
    lines: &'a [&'a str],
    start: usize,
    end: usize,
    location_lines: usize,
}

impl<'a> Block<'a> {
    /// Indices of the block's lines (location first).
    fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.location_lines.min(self.lines.len())).chain(self.start..self.end)
    }
    fn line(&self, i: usize) -> &'a str {
        self.lines.get(i).copied().unwrap_or("")
    }
    /// The next non-empty line of the block after `i`.
    fn next_non_empty(&self, i: usize) -> Option<usize> {
        (i + 1..self.end.min(i + 4)).find(|&j| !self.line(j).trim().is_empty())
    }
}

/// Codes read from labels.
#[derive(Debug, Default)]
struct Codes {
    meeting_id: Option<String>,
    passcode: Option<String>,
    web_password: Option<String>,
    /// Teams' app-only meeting ID (newer invitations), reported in notes.
    app_meeting_id: Option<String>,
    notes: Vec<String>,
    /// Byte spans (line, start, end) of the values read, so no number is taken there.
    spans: Vec<(usize, usize, usize)>,
}

/// Labels of codes, every language: what follows them is not a phone number.
static CODE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    let mut labels = vec![GENERIC.all_id_labels(), GENERIC.all_pin_labels()];
    for p in PROVIDERS.iter().filter(|p| !p.id_labels.is_empty()) {
        labels.push(p.all_id_labels());
        labels.push(p.all_pin_labels());
    }
    labels.retain(|l| !l.is_empty());
    re(&format!(r"(?i){}", providers::bounded(&labels.join("|"))))
});

static DIAL_VERB: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b(?:dial|call)\b"));

/// Bytes on each side of a number that may hold its label.
const LABEL_WINDOW: usize = 96;
