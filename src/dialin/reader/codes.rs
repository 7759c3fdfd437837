//! Step 4 of the reader: the meeting ID and PIN after the provider's labels, in every
//! language of the provider table.

use super::*;

pub(super) fn extract_codes(
    block: &Block<'_>,
    provider: &'static Provider,
    notes: &mut Vec<String>,
) -> Codes {
    let mut codes = Codes::default();
    let own = patterns_of(provider);
    let generic = patterns_of(&GENERIC);
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
pub(super) fn labelled_values(
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

pub(super) fn digit_count(line: &str) -> usize {
    line.bytes().filter(u8::is_ascii_digit).count()
}

pub(super) fn is_host_only(before_label: &str) -> bool {
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
