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

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::providers::{self, DialFlow, Provider, GENERIC, PROVIDERS};
use super::{
    decode, html, links, phone, DialNumber, DialPreferences, Invitation, JoinPlan, Pauses,
};
use crate::calendar::Body;

/// Bodies longer than this are cut: no invitation is this long, and the reader's cost
/// stays bounded for hostile input.
pub const MAX_BODY: usize = 1024 * 1024;

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

/// Regexes of one provider, compiled once.
struct ProviderPatterns {
    id: Regex,
    pin: Regex,
    markers: Vec<String>,
}

static PATTERNS: LazyLock<HashMap<&'static str, ProviderPatterns>> = LazyLock::new(|| {
    PROVIDERS
        .iter()
        .chain(std::iter::once(&GENERIC))
        .filter(|p| !p.id_labels.is_empty())
        .map(|p| (p.id, compile(p)))
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
        markers: p.all_markers().map(str::to_lowercase).collect(),
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
pub fn read(invitation: &Invitation<'_>, prefs: &DialPreferences) -> JoinPlan {
    let mut notes = Vec::new();
    let text = assemble(invitation, &mut notes);
    let lines: Vec<&str> = text.lines().collect();
    let location_lines = invitation.location.map_or(0, |l| l.lines().count());
    let regions = regions(&lines, location_lines);
    let anchors = anchors(&lines);
    let stale = stale_lines(&lines, &anchors);

    let mut plan = JoinPlan {
        provider: "unknown".into(),
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

    plan.provider = provider.map_or("unknown", |p| p.id).to_string();
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

/// Why the block reads as a template or a how-to rather than an invitation, if it
/// does: a placeholder where a code goes, or a meeting ID nobody is given (digits in
/// order, "123456789", or one digit repeated).
fn template_sign(block: &Block<'_>, meeting_id: Option<&str>) -> Option<String> {
    // Every placeholder has a bracket or a run of x, #, *, _, . or n.
    let may_hold = |line: &str| {
        line.contains(['<', '[', '{'])
            || ["xx", "XX", "##", "**", "__", "..", "nn", "NN"]
                .iter()
                .any(|run| line.contains(run))
    };
    for i in block.indices() {
        let line = block.line(i);
        if !may_hold(line) {
            continue;
        }
        if let Some(m) = PLACEHOLDER.find(line) {
            return Some(format!("placeholder {:?}", m.as_str().trim()));
        }
    }
    let id = meeting_id?;
    let ascending = "01234567890123456789";
    let descending = "98765432109876543210";
    let repeated = id.bytes().all(|b| Some(&b) == id.as_bytes().first());
    (id.len() >= 6 && (ascending.contains(id) || descending.contains(id) || repeated))
        .then(|| format!("sample meeting ID {id}"))
}

/// The dial string of a provider's flow.
pub fn flow_dial_string(
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

fn anchors(lines: &[&str]) -> Vec<Anchor> {
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        // Links have a `/` (with or without their scheme), Skype URIs a `skype:`.
        if !line.contains('/') && !line.contains("skype:") {
            continue;
        }
        for (_, url) in links::find_urls(line) {
            let Some(provider) = providers::provider_of_link(&url) else {
                continue;
            };
            let link_id = providers::meeting_id_in_link(provider, &url);
            let has_id = link_id.is_some();
            let identity = link_id.unwrap_or_else(|| {
                let base = url.split(['?', '#']).next().unwrap_or(&url);
                base.trim_end_matches('/').to_ascii_lowercase()
            });
            let join = !INFO_LINK.is_match(&url);
            out.push((
                has_id,
                Anchor {
                    line: i,
                    provider,
                    url,
                    identity,
                    join,
                },
            ));
        }
    }
    // Where a provider's join links carry the meeting ID, its links without one
    // (number lists, test calls, app downloads) are not other meetings.
    let with_id: Vec<&'static str> = out
        .iter()
        .filter(|(has_id, _)| *has_id)
        .map(|(_, a)| a.provider.id)
        .collect();
    out.into_iter()
        .map(|(has_id, mut a)| {
            if !has_id && with_id.contains(&a.provider.id) {
                a.join = false;
            }
            a
        })
        .collect()
}

/// Picks this event's meeting among the anchors, and notes the others.
fn choose_meeting(
    anchors: &[Anchor],
    regions: &[usize],
    stale: &[bool],
    location_lines: usize,
    online_url: Option<&str>,
    notes: &mut Vec<String>,
) -> Option<Anchor> {
    let usable: Vec<&Anchor> = if anchors.iter().any(|a| a.join) {
        anchors.iter().filter(|a| a.join).collect()
    } else {
        anchors.iter().collect()
    };
    // Distinct meetings, in order of first appearance.
    let mut meetings: Vec<&Anchor> = Vec::new();
    for a in &usable {
        if !meetings
            .iter()
            .any(|m| m.identity == a.identity && m.provider.id == a.provider.id)
        {
            meetings.push(a);
        }
    }
    if meetings.is_empty() {
        return None;
    }
    let same = |a: &Anchor, m: &Anchor| a.identity == m.identity && a.provider.id == m.provider.id;
    let is_stale = |m: &Anchor| {
        usable
            .iter()
            .filter(|a| same(a, m))
            .all(|a| stale.get(a.line).copied().unwrap_or(false))
    };
    let in_location = |m: &Anchor| {
        usable
            .iter()
            .filter(|a| same(a, m))
            .any(|a| a.line < location_lines)
    };
    let region = |m: &Anchor| {
        usable
            .iter()
            .filter(|a| same(a, m))
            .map(|a| regions.get(a.line).copied().unwrap_or(0))
            .min()
            .unwrap_or(0)
    };

    let (chosen, why) = if let Some(m) = online_url.and_then(|u| {
        meetings
            .iter()
            .find(|m| {
                usable
                    .iter()
                    .filter(|a| same(a, m))
                    .any(|a| same_link(&a.url, u))
            })
            .copied()
    }) {
        (m, "it is the calendar's own conference data")
    } else if let Some(m) = meetings
        .iter()
        .find(|m| in_location(m) && !is_stale(m))
        .copied()
    {
        (m, "its link is the event's location")
    } else {
        let fresh: Vec<&Anchor> = meetings.iter().filter(|m| !is_stale(m)).copied().collect();
        let pool = if fresh.is_empty() {
            meetings.clone()
        } else {
            fresh
        };
        let best = pool
            .iter()
            .min_by_key(|m| (region(m), m.line))
            .copied()
            .unwrap_or(meetings[0]);
        let why = if pool.len() < meetings.len() {
            "the other link is called previous, old or not to be used"
        } else if region(best) == 0 && meetings.iter().any(|m| region(m) > 0) {
            "it is in this event's own text, the others are in a forwarded or quoted message"
        } else {
            "it comes first in the invitation"
        };
        (best, why)
    };
    if meetings.len() > 1 {
        let others: Vec<String> = meetings
            .iter()
            .filter(|m| !(m.identity == chosen.identity && m.provider.id == chosen.provider.id))
            .map(|m| format!("{} {}", m.provider.name, m.url))
            .collect();
        notes.push(format!(
            "the invitation mentions {} meetings; using {} {} because {}; ignored: {}",
            meetings.len(),
            chosen.provider.name,
            chosen.url,
            why,
            others.join(", ")
        ));
    }
    Some(chosen.clone())
}

fn same_link(a: &str, b: &str) -> bool {
    let base = |u: &str| {
        u.split(['?', '#'])
            .next()
            .unwrap_or(u)
            .trim_end_matches('/')
            .to_ascii_lowercase()
    };
    base(a) == base(b)
}

/// The lines that belong to the chosen meeting: its region, cut before and after
/// other meetings' links and stale headings in the same region.
fn block_of(
    chosen: &Anchor,
    anchors: &[Anchor],
    regions: &[usize],
    lines: &[&str],
    location_lines: usize,
) -> (usize, usize) {
    let same = |a: &Anchor| a.identity == chosen.identity && a.provider.id == chosen.provider.id;
    let body_anchors: Vec<&Anchor> = anchors
        .iter()
        .filter(|a| same(a) && a.line >= location_lines)
        .collect();
    let region = match body_anchors.first() {
        Some(a) => regions[a.line],
        None => regions.get(location_lines).copied().unwrap_or(0),
    };
    let mut start = (location_lines..lines.len())
        .find(|&i| regions[i] == region)
        .unwrap_or(location_lines);
    let mut end = (start..lines.len())
        .find(|&i| regions[i] != region)
        .unwrap_or(lines.len());
    if let (Some(first), Some(last)) = (body_anchors.first(), body_anchors.last()) {
        for other in anchors
            .iter()
            .filter(|a| !same(a) && a.join && a.line >= location_lines)
        {
            if other.line < first.line && other.line >= start {
                start = other.line + 1;
            }
            if other.line > last.line && other.line < end {
                end = other.line;
            }
        }
    }
    (start.min(end), end)
}

/// A reply or forward note above the quoted invitation ("Correction: the new dial-in
/// number is ...") that names no meeting link of its own but gives dial-in details:
/// its first line, so the block starts there and what it says comes first.
fn reply_above(
    lines: &[&str],
    regions: &[usize],
    anchors: &[Anchor],
    location_lines: usize,
    block_start: usize,
) -> Option<usize> {
    let own = location_lines;
    let own_region = *regions.get(own)?;
    // The block is in a forwarded, replied-to or quoted message below the event's text.
    if regions.get(block_start)? <= &own_region {
        return None;
    }
    let mut says_dial_in = false;
    for i in (own..block_start).take_while(|&i| regions[i] == own_region) {
        if anchors.iter().any(|a| a.line == i) {
            return None;
        }
        let line = lines[i];
        if DIAL_WORDS.is_match(line) && !NO_DIAL_IN.is_match(line) {
            // The number may be on the line or just below it.
            says_dial_in |= (i..(i + 4).min(block_start))
                .any(|j| lines[j].bytes().filter(u8::is_ascii_digit).count() >= 7);
        }
    }
    says_dial_in.then_some(own)
}

/// Without any join link: the first region that has a labelled code or a dial-in line.
fn first_region_with_dial_in(
    lines: &[&str],
    regions: &[usize],
    location_lines: usize,
) -> (usize, usize) {
    let mut start = location_lines;
    while start < lines.len() {
        let region = regions[start];
        let end = (start..lines.len())
            .find(|&i| regions[i] != region)
            .unwrap_or(lines.len());
        if lines[start..end].iter().any(|l| DIAL_WORDS.is_match(l)) {
            return (start, end);
        }
        start = end;
    }
    (
        location_lines,
        (location_lines..lines.len())
            .find(|&i| regions[i] != 0)
            .unwrap_or(lines.len()),
    )
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

fn provider_by_markers(block: &Block<'_>) -> Option<&'static Provider> {
    let mut best: Option<(&'static Provider, usize)> = None;
    let lowered: Vec<String> = block
        .indices()
        .map(|i| block.line(i).to_lowercase())
        .collect();
    for p in PROVIDERS {
        let Some(patterns) = PATTERNS.get(p.id) else {
            continue;
        };
        let hits: usize = patterns
            .markers
            .iter()
            .map(|m| lowered.iter().filter(|l| l.contains(m.as_str())).count())
            .sum();
        if hits > 0 && best.is_none_or(|(_, n)| hits > n) {
            best = Some((p, hits));
        }
    }
    best.map(|(p, _)| p)
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

fn extract_codes(block: &Block<'_>, provider: &'static Provider, notes: &mut Vec<String>) -> Codes {
    let mut codes = Codes::default();
    let own = PATTERNS.get(provider.id);
    let generic = PATTERNS.get(GENERIC.id);
    let (min, max) = if provider.id_labels.is_empty() {
        GENERIC.id_digits
    } else {
        provider.id_digits
    };

    // Meeting ID: the provider's labels first, then the generic ones.
    for patterns in [own, generic].into_iter().flatten() {
        if codes.meeting_id.is_some() {
            break;
        }
        let mut ids: Vec<String> = Vec::new();
        for i in block.indices() {
            for (value, line, start, end) in labelled_values(block, i, &patterns.id) {
                let digits: String = value.chars().filter(char::is_ascii_digit).collect();
                if !(min..=max).contains(&digits.len()) || phone::looks_like_date(&value) {
                    continue;
                }
                // "Meeting ID: 4417523abc" is a reference, not a meeting ID.
                let glued = block.line(line)[end..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '@');
                if glued {
                    continue;
                }
                codes.spans.push((line, start, end));
                if !ids.contains(&digits) {
                    ids.push(digits);
                }
            }
        }
        if ids.len() > 1 {
            notes.push(format!(
                "several meeting IDs under the labels ({}); using the first",
                ids.join(", ")
            ));
        }
        codes.meeting_id = ids.into_iter().next();
    }

    // Teams' newer "Meeting ID: 123 456 789 012" is for the app, not the phone.
    if provider.id == "teams" {
        static APP_ID: LazyLock<Regex> = LazyLock::new(|| {
            re(&format!(
                r"(?i)(?:{})\s*:?\s*(\d(?:[ ]?\d){{8,16}})",
                providers::bounded(providers::TEAMS_APP_ID_LABELS)
            ))
        });
        for i in block.indices() {
            if let Some(c) = APP_ID.captures(block.line(i)) {
                codes.app_meeting_id = c
                    .get(1)
                    .map(|m| m.as_str().chars().filter(char::is_ascii_digit).collect());
                break;
            }
        }
    }

    // PIN: numeric values under the provider's PIN labels; words are web passwords.
    for patterns in [own, generic].into_iter().flatten() {
        if codes.passcode.is_some() {
            break;
        }
        for i in block.indices() {
            for (value, line, start, end) in labelled_values(block, i, &patterns.pin) {
                if codes
                    .spans
                    .iter()
                    .any(|&(l, s, e)| l == line && start < e && s < end)
                {
                    continue;
                }
                let trimmed = value.trim_end_matches('#');
                if trimmed.chars().all(|c| c.is_ascii_digit()) && (3..=12).contains(&trimmed.len())
                {
                    if codes.meeting_id.as_deref() == Some(trimmed) {
                        continue;
                    }
                    codes.spans.push((line, start, end));
                    if codes.passcode.is_none() {
                        codes.passcode = Some(trimmed.to_string());
                    }
                }
            }
        }
    }
    // Webex: "Meeting password: Ab12cd (22212 from phones and video systems)".
    for i in block.indices() {
        let line = block.line(i);
        if codes.passcode.is_none() {
            if let Some(m) = PHONE_PASSWORD
                .captures(line)
                .and_then(|c| c.iter().skip(1).flatten().next())
            {
                codes.spans.push((i, m.start(), m.end()));
                codes.passcode = Some(m.as_str().to_string());
            }
        }
        if codes.web_password.is_none() {
            if let Some(m) = WEB_PASSWORD.captures(line).and_then(|c| c.get(1)) {
                let value = m.as_str();
                // A web password has letters; digits alone are a phone PIN.
                // ...and a word without digits or mixed case is prose ("Password: see below").
                let numeric = value.chars().all(|c| c.is_ascii_digit());
                let code_like = value.chars().any(|c| c.is_ascii_digit())
                    || (value.chars().any(|c| c.is_ascii_uppercase())
                        && value.chars().any(|c| c.is_ascii_lowercase()));
                if !numeric && code_like && !is_host_only(&line[..m.start()]) {
                    codes.web_password = Some(value.to_string());
                }
            }
        }
    }
    codes
}

/// Values after a label on line `i` (or alone on the next line), skipping host-only codes.
fn labelled_values(
    block: &Block<'_>,
    i: usize,
    pattern: &Regex,
) -> Vec<(String, usize, usize, usize)> {
    let line = block.line(i);
    let mut out = Vec::new();
    // Values are used only when they hold digits: on this line or the next.
    let has_digit = |s: &str| s.bytes().any(|b| b.is_ascii_digit());
    if !has_digit(line)
        && !block
            .next_non_empty(i)
            .is_some_and(|j| has_digit(block.line(j)))
    {
        return out;
    }
    for caps in pattern.captures_iter(line) {
        let Some(whole) = caps.get(0) else { continue };
        if is_host_only(&line[..whole.start()]) {
            continue;
        }
        match caps.get(1) {
            Some(v) => out.push((v.as_str().to_string(), i, v.start(), v.end())),
            None => {
                // Label alone at the end of the line: the value may open the next line.
                if let Some(j) = block.next_non_empty(i) {
                    let next = block.line(j);
                    let trimmed = next.trim_start();
                    let offset = next.len() - trimmed.len();
                    let len = trimmed
                        .find(|c: char| {
                            !(c.is_ascii_alphanumeric()
                                || c == ' '
                                || c == '-'
                                || c == '.'
                                || c == '*')
                        })
                        .unwrap_or(trimmed.len());
                    let value = trimmed[..len].trim_end();
                    if !value.is_empty()
                        && value
                            .chars()
                            .next()
                            .is_some_and(|c| c.is_ascii_alphanumeric())
                    {
                        let token: &str = if value
                            .chars()
                            .all(|c| c.is_ascii_digit() || c == ' ' || c == '-' || c == '.')
                        {
                            value
                        } else {
                            value.split(' ').next().unwrap_or(value)
                        };
                        out.push((token.to_string(), j, offset, offset + token.len()));
                    }
                }
            }
        }
    }
    out
}

fn digit_count(line: &str) -> usize {
    line.bytes().filter(u8::is_ascii_digit).count()
}

fn is_host_only(before_label: &str) -> bool {
    let tail: String = before_label
        .chars()
        .rev()
        .take(24)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    HOST_ONLY.is_match(&tail)
}

/// Graph's `onlineMeeting` numbers, first.
fn structured_numbers(
    online: &crate::calendar::OnlineMeeting,
    region: &str,
    numbers: &mut Vec<DialNumber>,
    one_tap: &mut Vec<String>,
) {
    let toll = online.toll_number.iter().map(|n| (n, false));
    let free = online.toll_free_numbers.iter().map(|n| (n, true));
    for (raw, free) in toll.chain(free) {
        if let Some(n) = phone::parse(raw, region) {
            let label = format!(
                "{} {}",
                n.country.as_deref().map_or("", phone::country_name),
                if free || n.toll_free {
                    "toll-free"
                } else {
                    "toll"
                }
            );
            push_number(numbers, n, label.trim().to_string(), free);
        }
    }
    if let Some(quick) = &online.quick_dial {
        if let Some(t) = normalise_one_tap(quick, region) {
            one_tap.push(t);
        }
    }
}

fn push_number(
    numbers: &mut Vec<DialNumber>,
    n: phone::Number,
    label: String,
    free_by_label: bool,
) {
    if numbers.len() >= MAX_NUMBERS {
        return;
    }
    if let Some(existing) = numbers.iter_mut().find(|d| d.e164 == n.e164) {
        if existing.label.is_empty() {
            existing.label = label;
        }
        return;
    }
    numbers.push(DialNumber {
        e164: n.e164,
        label,
        toll_free: n.toll_free || free_by_label,
        country: n.country,
    });
}

/// PSTN numbers and one-tap strings of the block.
fn collect_numbers(
    block: &Block<'_>,
    region: &str,
    codes: &Codes,
    numbers: &mut Vec<DialNumber>,
    one_tap: &mut Vec<String>,
) -> Result<(), usize> {
    // Which lines are in a dial-in section.
    let mut in_section = vec![false; block.lines.len()];
    // Whether each line has dial-in words, looked up once (the costliest pattern).
    let mut dial_words = vec![false; block.lines.len()];
    let mut remaining = 0usize;
    let mut blanks = 0usize;
    // A number has 7 digits at least. Lines of prose far from any such line cannot open
    // a section that matters: dial-in words are only looked for within reach of one.
    let order: Vec<usize> = block.indices().collect();
    let mut next_rich = vec![usize::MAX; order.len()];
    let mut seen = usize::MAX;
    for (k, &i) in order.iter().enumerate().rev() {
        if digit_count(block.line(i)) >= 7 {
            seen = k;
        }
        next_rich[k] = seen;
    }
    for (k, &i) in order.iter().enumerate() {
        let line = block.line(i);
        if SIGNATURE_START.is_match(line) {
            remaining = 0;
        }
        dial_words[i] =
            next_rich[k].saturating_sub(k) <= DIAL_SECTION_LINES && DIAL_WORDS.is_match(line);
        if dial_words[i] && !NO_DIAL_IN.is_match(line) {
            remaining = DIAL_SECTION_LINES;
            blanks = 0;
        } else if remaining > 0 && !continues_number_list(line) {
            // A line of words ("Dana Lee", "See you then!") ends the list: what
            // follows is a signature or prose, not more dial-ins.
            remaining = 0;
        }
        if line.trim().is_empty() {
            blanks += 1;
            if blanks > 2 {
                remaining = 0;
            }
        } else {
            blanks = 0;
        }
        if remaining > 0 {
            in_section[i] = true;
            remaining -= 1;
        }
    }

    // Number checks are the costly step (libphonenumber metadata): the same text is
    // checked once, and a body stops being searched after MAX_CANDIDATES checks.
    let mut checked: HashMap<(String, String), Option<phone::Number>> = HashMap::new();
    let mut check = |text: &str, region: &str| -> Option<Option<phone::Number>> {
        let key = (text.to_string(), region.to_string());
        if let Some(known) = checked.get(&key) {
            return Some(known.clone());
        }
        if checked.len() >= MAX_CANDIDATES {
            return None;
        }
        let parsed = phone::parse(text, region);
        checked.insert(key, parsed.clone());
        Some(parsed)
    };
    // "India:" on a line of its own names the country of the numbers below it.
    let mut heading: Option<(&'static str, &str)> = None;
    for i in block.indices() {
        let line = block.line(i);
        if line.trim().is_empty() {
            heading = None;
        } else if let Some(c) = phone::country_heading(line) {
            heading = Some((c, heading_name(line)));
        }
        let heading_country = heading.map(|(c, _)| c);
        if digit_count(line) < 7 {
            continue;
        }
        if PERSONAL.is_match(line) {
            continue;
        }
        // "Tel.: +49 ..." is a contact line; a `tel:` link with pauses and codes
        // ("tel:+1-650-479-3208,,615734219#") is a one-tap string all the same.
        let signature = !dial_words[i] && SIGNATURE_LABEL.is_match(line);
        let mut taken: Vec<(usize, usize)> = codes
            .spans
            .iter()
            .filter(|(l, _, _)| *l == i)
            .map(|&(_, s, e)| (s, e))
            .collect();
        // The country named on the line, looked up only for a number printed without
        // its country prefix.
        let named = std::cell::OnceCell::new();
        let region_for = |number: &str| region_of(&named, line, heading_country, region, number);
        // One-tap strings: a number with pauses and codes; always a dial-in.
        let pauses = line.contains([',', ';']) || line.contains("%2");
        for caps in ONE_TAP.captures_iter(if pauses { line } else { "" }) {
            let (Some(whole), Some(num)) = (caps.get(0), caps.get(1).or_else(|| caps.get(2)))
            else {
                continue;
            };
            taken.push((whole.start(), whole.end()));
            let Some(parsed) = check(num.as_str(), region_for(num.as_str())) else {
                return Err(MAX_CANDIDATES);
            };
            if let Some(n) = parsed {
                let t = one_tap_with(&n.e164, &whole.as_str()[num.end() - whole.start()..]);
                if !one_tap.contains(&t) {
                    one_tap.push(t);
                }
                let label =
                    with_heading(label_of(line, whole.start(), whole.end(), &n), heading, &n);
                let free = label_says_toll_free(&label);
                push_number(numbers, n, label, free);
            }
        }
        let context = in_section[i] || dial_words[i];
        if signature || !context {
            continue;
        }
        // Digits after a code label ("Access code unchanged: 168-682-109") are a code,
        // whatever the numbering plan of the room's country says; numbers with their
        // country prefix still count.
        let code_label_at = CODE_LABEL.find(line).map_or(usize::MAX, |m| m.start());
        for c in phone::candidates(line) {
            if numbers.len() >= MAX_NUMBERS {
                return Err(MAX_NUMBERS);
            }
            if c.start > code_label_at && !c.text.starts_with('+') {
                continue;
            }
            if taken.iter().any(|&(s, e)| c.start < e && s < c.end) {
                continue;
            }
            let Some(parsed) = check(c.text, region_for(c.text)) else {
                return Err(MAX_CANDIDATES);
            };
            if let Some(n) = parsed {
                // A number already listed keeps its first label: no need to read another.
                if numbers
                    .iter()
                    .any(|d| d.e164 == n.e164 && !d.label.is_empty())
                {
                    continue;
                }
                let label = with_heading(label_of(line, c.start, c.end, &n), heading, &n);
                let free = label_says_toll_free(&label);
                push_number(numbers, n, label, free);
            }
        }
    }
    Ok(())
}

/// The region a number is read in: its own prefix says it (`+`), else the country the
/// line names (looked up once per line, in `named`), else the heading's, else the room's.
fn region_of<'a>(
    named: &std::cell::OnceCell<Option<&'static str>>,
    line: &str,
    heading: Option<&'static str>,
    room: &'a str,
    number: &str,
) -> &'a str {
    if number.trim_start().starts_with('+') {
        return room;
    }
    named
        .get_or_init(|| phone::country_named_in(line).or(heading))
        .unwrap_or(room)
}

/// The country name of a heading line as printed ("India:" gives "India").
fn heading_name(line: &str) -> &str {
    let t = line
        .trim()
        .trim_start_matches(['•', '-', '*', '·'])
        .trim()
        .trim_end_matches(':')
        .trim();
    t.split('(').next().unwrap_or(t).trim()
}

/// A number under a country heading: its label names that country ("Italy (numero
/// verde)" rather than "numero verde").
fn with_heading(label: String, heading: Option<(&str, &str)>, n: &phone::Number) -> String {
    let Some((iso, name)) = heading else {
        return label;
    };
    if n.country.as_deref().is_some_and(|c| c != iso) || label.contains(name) {
        return label;
    }
    if label.is_empty() || label == iso || label == phone::country_name(iso) {
        name.to_string()
    } else {
        format!("{name} ({label})")
    }
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

/// Lines that may sit inside a list of dial-in numbers: blank, holding digits, or a
/// code label ("Meeting ID:", "PIN:" with the value on the next line).
fn continues_number_list(line: &str) -> bool {
    static LABEL: LazyLock<Regex> = LazyLock::new(|| {
        re(&format!(
            r"(?i){}",
            providers::bounded(&format!(
                "{}|{}",
                GENERIC.all_id_labels(),
                GENERIC.all_pin_labels()
            ))
        ))
    });
    line.trim().is_empty()
        || line.bytes().any(|b| b.is_ascii_digit())
        || LABEL.is_match(line)
        || phone::country_heading(line).is_some()
}

fn label_says_toll_free(label: &str) -> bool {
    static FREE: LazyLock<Regex> =
        LazyLock::new(|| re(&format!("(?i){}", providers::TOLL_FREE_WORDS)));
    FREE.is_match(label)
}

/// The words beside a number on its line: "US (New York)", "United States Toll".
/// Lines listing several numbers ("+1 866 ... (toll-free) / +1 312 ...") are cut at
/// `/`, `|` and `;` so each number keeps its own words.
fn label_of(line: &str, start: usize, end: usize, n: &phone::Number) -> String {
    static NOISE: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)<[^>]*>|tel:\S*|(?:\+|\()?\d[\d ()\-.]*[x*•]{2,}[-x*•\d ().,#]*|\b(?:and|then) enter\b.*$|[+(]?\d[\d ,#*().\-]{5,}\d#*|one[- ]t(?:ap|ouch)(?: mobile)?:?|(?:optional )?dial[- ]?in(?: number)?:?|join by phone:?|\bor\b|\bdial\b:?|(?:phone )?conference id:?.*$|(?:meeting )?pin:?.*$|access code:?.*$|https?://\S*",
        )
    });
    static INTRO: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?i)join|tap|dial|call in|or call|numbers?|phone|smartphone|mobile"));
    // Only the words near the number: a label is short, and a bounded window keeps a
    // hostile one-line body with thousands of numbers linear.
    let window_start = floor_boundary(line, start.saturating_sub(LABEL_WINDOW));
    let window_end = floor_boundary(line, (end + LABEL_WINDOW).min(line.len()));
    let seg_start = line[window_start..start]
        .char_indices()
        .rfind(|&(i, c)| separates_numbers(line, window_start + i, c))
        .map_or(window_start, |(i, c)| window_start + i + c.len_utf8());
    let seg_end = line[end..window_end]
        .char_indices()
        .find(|&(i, c)| separates_numbers(line, end + i, c))
        .map_or(window_end, |(i, _)| end + i);
    let mut before = &line[seg_start..start];
    // "One tap to join audio only from a smartphone: +1..." says how, not where.
    if let Some(colon) = before.rfind(':') {
        if INTRO.is_match(&before[..colon]) || LOCAL_DIAL_WORDS.is_match(&before[..colon]) {
            before = &before[colon + 1..];
        }
    }
    // "Otherwise, to join by phone, dial +1 ...": what follows the verb is the number.
    if let Some(verb) = DIAL_VERB.find_iter(before).last() {
        before = &before[verb.end()..];
    }
    let mut rest = String::with_capacity(2 * LABEL_WINDOW + 1);
    rest.push_str(before.trim_end().trim_end_matches(':'));
    rest.push(' ');
    rest.push_str(&line[end..seg_end]);
    let cleaned = NOISE.replace_all(&rest, " ");
    let mut label: String = cleaned
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("( )", " ")
        .replace("()", " ");
    label = label.split_whitespace().collect::<Vec<_>>().join(" ");
    label = label
        .trim_matches(|c: char| c.is_whitespace() || "•*·-–:|,;/".contains(c))
        .to_string();
    if label.starts_with('(') && label.ends_with(')') && outer_parens_match(&label) {
        label = label[1..label.len() - 1].trim().to_string();
    }
    if label.chars().count() > 60 {
        label = label
            .chars()
            .take(60)
            .collect::<String>()
            .trim_end()
            .to_string();
    }
    if label.is_empty()
        || label.eq_ignore_ascii_case("toll-free")
        || label.eq_ignore_ascii_case("toll free")
    {
        let mut made = n
            .country
            .as_deref()
            .map(phone::country_name)
            .unwrap_or("")
            .to_string();
        if n.toll_free || !label.is_empty() {
            made.push_str(if made.is_empty() {
                "toll-free"
            } else {
                " toll-free"
            });
        }
        label = made;
    }
    label
}

/// Between two numbers of one line: `|`, `;`, `·`, and `/` unless it joins two words
/// ("US/Canada").
fn separates_numbers(line: &str, at: usize, c: char) -> bool {
    match c {
        '|' | ';' | '·' => true,
        '/' => {
            let before = line[..at].chars().next_back();
            let after = line[at + 1..].chars().next();
            !(before.is_some_and(char::is_alphabetic) && after.is_some_and(char::is_alphabetic))
        }
        _ => false,
    }
}

static DIAL_VERB: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b(?:dial|call)\b"));

/// Bytes on each side of a number that may hold its label.
const LABEL_WINDOW: usize = 96;

/// The largest char boundary of `s` at or before `i`.
fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// True when the first `(` closes at the last `)`.
fn outer_parens_match(s: &str) -> bool {
    let mut depth = 0i32;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 && i != s.len() - 1 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// A one-tap string from its checked number and the keys printed after it.
fn one_tap_with(e164: &str, keys: &str) -> String {
    let keys = keys
        .replace("%23", "#")
        .replace("%2C", ",")
        .replace("%2c", ",")
        .replace(';', ",,");
    format!("{e164}{keys}")
}

/// "tel:+1-262-555-0123;123456789%23" or "+16465588656,,85512345678#,,,,*414376#" to
/// the E.164 form with its key sequence.
fn normalise_one_tap(raw: &str, region: &str) -> Option<String> {
    let raw = raw.trim().trim_start_matches("tel:");
    let decoded = raw
        .replace("%23", "#")
        .replace("%2C", ",")
        .replace("%2c", ",");
    let split = decoded.find([',', ';'])?;
    let (number, keys) = decoded.split_at(split);
    let n = phone::parse(number, region)?;
    let keys = keys.replace(';', ",,");
    Some(format!("{}{}", n.e164, keys))
}

/// The PIN a one-tap string keys after the meeting ID, when its keys are exactly the
/// provider's flow: ID, terminator, pauses, PIN prefix, PIN, terminator. Any other key
/// (a participant ID, Webex's `*01*`) and no PIN is read.
fn passcode_in_one_tap(tap: &str, meeting_id: &str, flow: &DialFlow) -> Option<String> {
    let keys = tap[tap.find(',')?..].trim_start_matches(',');
    let rest = keys
        .strip_prefix(meeting_id)?
        .strip_prefix(flow.id_terminator)?
        .trim_start_matches(',')
        .strip_prefix(flow.pin_prefix)?
        .strip_suffix(flow.pin_terminator)?;
    (rest.len() >= 4 && rest.len() <= 12 && rest.bytes().all(|b| b.is_ascii_digit()))
        .then(|| rest.to_string())
}

/// The meeting ID a one-tap string keys first.
fn one_tap_id(tap: &str) -> Option<String> {
    let keys = &tap[tap.find(',')?..];
    let digits: String = keys
        .trim_start_matches(',')
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then_some(digits)
}

/// SIP, H.323 and Teams' video conference ID, from video-system sections.
fn video_addresses(
    block: &Block<'_>,
    meeting_id: Option<&str>,
) -> (Option<String>, Option<String>, Option<String>) {
    let mut sip = None;
    let mut h323 = None;
    let mut vtc = None;
    let indices: Vec<usize> = block.indices().collect();
    for (k, &i) in indices.iter().enumerate() {
        let line = block.line(i);
        if vtc.is_none() {
            vtc = VTC_ID
                .captures(line)
                .and_then(|c| c.get(1))
                .map(|m| m.as_str().chars().filter(char::is_ascii_digit).collect());
        }
        if sip.is_none() && SIP_SECTION.is_match(line) {
            for &j in indices.iter().skip(k).take(5) {
                let l = block.line(j);
                if j != i && SIGNATURE_LABEL.is_match(l) {
                    break;
                }
                let found = SIP_ADDRESS
                    .captures_iter(l)
                    .filter_map(|c| c.get(1))
                    .map(|m| m.as_str().to_string())
                    .find(|a| !a.contains("mailto") && !personal_mail_domain(a));
                if let Some(a) = found {
                    sip = Some(a);
                    break;
                }
            }
        }
        if h323.is_none() && H323_SECTION.is_match(line) {
            h323 = indices
                .iter()
                .skip(k)
                .take(5)
                .find_map(|&j| IPV4.captures(block.line(j)).and_then(|c| c.get(1)))
                .map(|m| m.as_str().to_string());
        }
    }
    // Zoom prints the SIP address with the meeting ID; keep it only when it matches.
    if let (Some(s), Some(id)) = (&sip, meeting_id) {
        let user = s.split('@').next().unwrap_or("");
        let user_digits: String = user.chars().take_while(char::is_ascii_digit).collect();
        if user_digits.len() >= 9 && user_digits != id {
            sip = None;
        }
    }
    (sip, h323, vtc)
}

fn personal_mail_domain(address: &str) -> bool {
    let domain = address
        .rsplit('@')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    [
        "gmail.com",
        "outlook.com",
        "hotmail.com",
        "yahoo.com",
        "icloud.com",
        "live.com",
    ]
    .contains(&domain.as_str())
}

/// The number to dial: the room's country first (toll before toll-free is not
/// preferred: invitation order decides), then the first number that is not a
/// toll-free number of another country (those rarely work from abroad).
fn choose_number(numbers: &[DialNumber], region: &str) -> Option<String> {
    numbers
        .iter()
        .find(|n| n.country.as_deref() == Some(region))
        .or_else(|| numbers.iter().find(|n| !n.toll_free))
        .or(numbers.first())
        .map(|n| n.e164.clone())
}
