//! Step 4 and 5 of the reader: phone numbers inside dial-in sections (never on signature
//! lines), one-tap strings, and the number for the room's country.

use super::*;

/// Graph's `onlineMeeting` numbers, first.
pub(super) fn structured_numbers(
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

pub(super) fn push_number(
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
pub(super) fn collect_numbers(
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
pub(super) fn region_of<'a>(
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
pub(super) fn heading_name(line: &str) -> &str {
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
pub(super) fn with_heading(
    label: String,
    heading: Option<(&str, &str)>,
    n: &phone::Number,
) -> String {
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

/// Lines that may sit inside a list of dial-in numbers: blank, holding digits, or a
/// code label ("Meeting ID:", "PIN:" with the value on the next line).
pub(super) fn continues_number_list(line: &str) -> bool {
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

pub(super) fn label_says_toll_free(label: &str) -> bool {
    static FREE: LazyLock<Regex> =
        LazyLock::new(|| re(&format!("(?i){}", providers::TOLL_FREE_WORDS)));
    FREE.is_match(label)
}

/// The words beside a number on its line: "US (New York)", "United States Toll".
/// Lines listing several numbers ("+1 866 ... (toll-free) / +1 312 ...") are cut at
/// `/`, `|` and `;` so each number keeps its own words.
pub(super) fn label_of(line: &str, start: usize, end: usize, n: &phone::Number) -> String {
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
pub(super) fn separates_numbers(line: &str, at: usize, c: char) -> bool {
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

/// The largest char boundary of `s` at or before `i`.
pub(super) fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// True when the first `(` closes at the last `)`.
pub(super) fn outer_parens_match(s: &str) -> bool {
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
pub(super) fn one_tap_with(e164: &str, keys: &str) -> String {
    let keys = keys
        .replace("%23", "#")
        .replace("%2C", ",")
        .replace("%2c", ",")
        .replace(';', ",,");
    format!("{e164}{keys}")
}

/// "tel:+1-262-555-0123;123456789%23" or "+16465588656,,85512345678#,,,,*414376#" to
/// the E.164 form with its key sequence.
pub(super) fn normalise_one_tap(raw: &str, region: &str) -> Option<String> {
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
pub(super) fn passcode_in_one_tap(tap: &str, meeting_id: &str, flow: &DialFlow) -> Option<String> {
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
pub(super) fn one_tap_id(tap: &str) -> Option<String> {
    let keys = &tap[tap.find(',')?..];
    let digits: String = keys
        .trim_start_matches(',')
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then_some(digits)
}

/// The number to dial: the room's country first (toll before toll-free is not
/// preferred: invitation order decides), then the first number that is not a
/// toll-free number of another country (those rarely work from abroad).
pub(super) fn choose_number(numbers: &[DialNumber], region: &str) -> Option<String> {
    numbers
        .iter()
        .find(|n| n.country.as_deref() == Some(region))
        .or_else(|| numbers.iter().find(|n| !n.toll_free))
        .or(numbers.first())
        .map(|n| n.e164.clone())
}
