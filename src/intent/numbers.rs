//! Numbers as people say them: durations ("half an hour", "forty five minutes"), times
//! of day ("three thirty", "quarter to four", "noon"), and digit strings for meeting
//! IDs ("eight five five", "double five", "oh" for zero). Also the reverse for typed
//! text: numerals spelled out as words.

use super::SpokenTime;

const UNITS: [&str; 10] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];
const TEENS: [&str; 10] = [
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

/// The value of one digit word ("oh" and "o" are zero).
fn digit_value(word: &str) -> Option<u32> {
    match word {
        "oh" | "o" => Some(0),
        _ => UNITS.iter().position(|u| *u == word).map(|p| p as u32),
    }
}

/// "eight five five double one oh" -> "855110". None when a word is not a digit.
pub(crate) fn digit_string(words: &[String]) -> Option<String> {
    let mut out = String::new();
    let mut i = 0;
    while i < words.len() {
        let repeat = match words[i].as_str() {
            "double" => 2,
            "triple" => 3,
            _ => 1,
        };
        if repeat > 1 {
            i += 1;
        }
        let d = digit_value(words.get(i)?)?;
        for _ in 0..repeat {
            out.push(char::from_digit(d, 10)?);
        }
        i += 1;
    }
    (!out.is_empty()).then_some(out)
}

/// A cardinal number from 0 to 999 in words: "forty five", "a hundred and twenty".
pub(crate) fn cardinal(words: &[String]) -> Option<u32> {
    let w: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|w| *w != "and")
        .collect();
    match w.as_slice() {
        [] => None,
        [hundreds, "hundred", rest @ ..] => {
            let h = match *hundreds {
                "a" => 1,
                other => small(&[other])?,
            };
            if !(1..=9).contains(&h) {
                return None;
            }
            let tail = if rest.is_empty() { 0 } else { small(rest)? };
            Some(h * 100 + tail)
        }
        _ => small(&w),
    }
}

/// 0 to 99.
fn small(w: &[&str]) -> Option<u32> {
    match w {
        [one] => UNITS
            .iter()
            .position(|u| u == one)
            .or_else(|| TEENS.iter().position(|t| t == one).map(|p| p + 10))
            .or_else(|| {
                TENS.iter()
                    .position(|t| !t.is_empty() && t == one)
                    .map(|p| p * 10)
            })
            .map(|p| p as u32),
        [tens, unit] => {
            let t = TENS.iter().position(|t| !t.is_empty() && t == tens)? as u32;
            let u = UNITS.iter().position(|u| u == unit)? as u32;
            (u > 0).then_some(t * 10 + u)
        }
        _ => None,
    }
}

/// Minutes in a spoken duration, with or without a leading "for" / "by" / "another"
/// and a trailing "more" / "longer": "half an hour" = 30, "an hour and a half" = 90,
/// "two hours" = 120, "forty five minutes" = 45.
pub(crate) fn duration_minutes(words: &[String]) -> Option<u32> {
    let mut w: Vec<&str> = words.iter().map(String::as_str).collect();
    while matches!(w.first(), Some(&("for" | "by" | "another"))) {
        w.remove(0);
    }
    while matches!(w.last(), Some(&("more" | "longer"))) {
        w.pop();
    }
    let minutes = match w.as_slice() {
        ["half", "an", "hour"] | ["a", "half", "hour"] => 30,
        ["a" | "one", "quarter", "of", "an", "hour"] | ["a" | "one", "quarter", "hour"] => 15,
        ["an" | "one", "hour"] => 60,
        ["an" | "one", "hour", "and", "a", "half"] => 90,
        ["an" | "one", "hour", "and", "a", "quarter"] => 75,
        ["an" | "one", "hour", "and", rest @ .., "minutes" | "minute" | "min" | "mins"] => {
            60 + cardinal(&owned(rest))?
        }
        [rest @ .., "and", "a", "half", "hours"] => cardinal(&owned(rest))? * 60 + 30,
        [rest @ .., "hours" | "hour"] => cardinal(&owned(rest))? * 60,
        [rest @ .., "minutes" | "minute" | "min" | "mins"] => cardinal(&owned(rest))?,
        _ => return None,
    };
    (minutes > 0).then_some(minutes)
}

fn owned(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_string()).collect()
}

/// A time of day: "three thirty", "three thirty p m", "half past two", "quarter to
/// four", "noon", "fifteen hundred"? (no: "fifteen"), "ten o'clock in the morning".
pub(crate) fn spoken_time(words: &[String]) -> Option<SpokenTime> {
    let mut w: Vec<&str> = words.iter().map(String::as_str).collect();
    while matches!(w.first(), Some(&("until" | "till" | "to" | "at" | "for"))) {
        w.remove(0);
    }
    // Meridiem at the end.
    let mut pm: Option<bool> = None;
    for (suffix, is_pm) in [
        (&["a", "m"][..], false),
        (&["am"][..], false),
        (&["in", "the", "morning"][..], false),
        (&["p", "m"][..], true),
        (&["pm"][..], true),
        (&["in", "the", "afternoon"][..], true),
        (&["in", "the", "evening"][..], true),
        (&["tonight"][..], true),
    ] {
        if w.ends_with(suffix) {
            w.truncate(w.len() - suffix.len());
            pm = Some(is_pm);
            break;
        }
    }
    let (hour, minute) = match w.as_slice() {
        ["noon"] | ["midday"] => {
            return Some(SpokenTime {
                hour: 12,
                minute: 0,
                ambiguous: false,
            })
        }
        ["midnight"] => {
            return Some(SpokenTime {
                hour: 0,
                minute: 0,
                ambiguous: false,
            })
        }
        ["half", "past", h @ ..] => (hour_value(h)?, 30),
        ["a" | "one", "quarter", "past" | "after", h @ ..]
        | ["quarter", "past" | "after", h @ ..] => (hour_value(h)?, 15),
        ["a" | "one", "quarter", "to", h @ ..] | ["quarter", "to", h @ ..] => {
            ((hour_value(h)? + 23) % 24, 45)
        }
        _ => {
            if let Some(p) = w
                .iter()
                .position(|x| *x == "past" || *x == "after" || *x == "to")
            {
                let m = minute_value(&w[..p])?;
                let h = hour_value(&w[p + 1..])?;
                if w[p] == "to" {
                    if m == 0 || m >= 60 {
                        return None;
                    }
                    ((h + 23) % 24, 60 - m)
                } else {
                    (h, m)
                }
            } else if w.last() == Some(&"o'clock") {
                (hour_value(&w[..w.len() - 1])?, 0)
            } else {
                // "<hour> [<minute>]": the hour may be two words ("twenty one").
                (1..=w.len().min(2)).rev().find_map(|n| {
                    let h = hour_value(&w[..n])?;
                    let m = if n == w.len() {
                        0
                    } else {
                        minute_value(&w[n..])?
                    };
                    Some((h, m))
                })?
            }
        }
    };
    if minute >= 60 {
        return None;
    }
    let mut hour = hour;
    match pm {
        Some(true) if hour < 12 => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    if pm.is_some() && hour > 23 {
        return None;
    }
    Some(SpokenTime {
        hour,
        minute,
        ambiguous: pm.is_none() && (1..=12).contains(&hour),
    })
}

fn hour_value(w: &[&str]) -> Option<u32> {
    let h = small(w)?;
    (h <= 23).then_some(h)
}

/// Minutes after the hour: "oh five" = 5, "thirty" = 30, "forty five" = 45.
fn minute_value(w: &[&str]) -> Option<u32> {
    match w {
        ["oh" | "o", unit] => UNITS.iter().position(|u| u == unit).map(|p| p as u32),
        _ => small(w).filter(|m| *m < 60),
    }
}

/// Spells one typed token the way it would be spoken, appending the words: "30" ->
/// "thirty"; longer numbers digit by digit ("855" -> "eight five five"); "3:30" ->
/// "three thirty"; "3pm" -> "three p m". Other tokens pass through. With
/// `digit_by_digit`, every number is spelled digit by digit (answers to "What is your
/// meeting ID?").
pub(crate) fn spell_token(token: &str, digit_by_digit: bool, out: &mut Vec<String>) {
    let push_digits = |s: &str, out: &mut Vec<String>| {
        for c in s.chars() {
            if let Some(d) = c.to_digit(10) {
                out.push(UNITS[d as usize].to_string());
            }
        }
    };
    let push_cardinal = |n: u32, out: &mut Vec<String>| {
        let mut n = n;
        if n >= 100 {
            out.push(UNITS[(n / 100) as usize].to_string());
            out.push("hundred".into());
            n %= 100;
            if n == 0 {
                return;
            }
        }
        match n {
            0..=9 => out.push(UNITS[n as usize].to_string()),
            10..=19 => out.push(TEENS[(n - 10) as usize].to_string()),
            _ => {
                out.push(TENS[(n / 10) as usize].to_string());
                if !n.is_multiple_of(10) {
                    out.push(UNITS[(n % 10) as usize].to_string());
                }
            }
        }
    };
    if token.chars().all(|c| c.is_ascii_digit()) {
        if digit_by_digit || token.len() > 3 || token.starts_with('0') && token.len() > 1 {
            push_digits(token, out);
        } else if let Ok(n) = token.parse::<u32>() {
            push_cardinal(n, out);
        }
        return;
    }
    // "3:30", "15:45", "3:30pm"
    let (body, meridiem) = if let Some(b) = token.strip_suffix("am") {
        (b, Some("a"))
    } else if let Some(b) = token.strip_suffix("pm") {
        (b, Some("p"))
    } else {
        (token, None)
    };
    let is_time = !body.is_empty() && body.chars().all(|c| c.is_ascii_digit() || c == ':');
    if is_time && (meridiem.is_some() || body.contains(':')) {
        let mut parts = body.splitn(2, ':');
        let hour = parts.next().and_then(|h| h.parse::<u32>().ok());
        let minute = parts.next().map(|m| m.parse::<u32>().ok());
        match (hour, minute) {
            (Some(h), None) if h <= 23 => push_cardinal(h, out),
            (Some(h), Some(Some(m))) if h <= 23 && m < 60 => {
                push_cardinal(h, out);
                match m {
                    0 if meridiem.is_none() => out.push("o'clock".into()),
                    0 => {}
                    1..=9 => {
                        out.push("oh".into());
                        push_cardinal(m, out);
                    }
                    _ => push_cardinal(m, out),
                }
            }
            _ => {
                out.push(token.to_string());
                return;
            }
        }
        if let Some(m) = meridiem {
            out.push(m.into());
            out.push("m".into());
        }
        return;
    }
    out.push(token.to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn digits_with_oh_double_and_triple() {
        assert_eq!(
            digit_string(&w("eight five five one two")).as_deref(),
            Some("85512")
        );
        assert_eq!(
            digit_string(&w("double five oh triple nine")).as_deref(),
            Some("550999")
        );
        assert_eq!(digit_string(&w("eight fish")), None);
        assert_eq!(digit_string(&w("double")), None);
    }

    #[test]
    fn durations() {
        for (text, minutes) in [
            ("for half an hour", 30),
            ("for an hour", 60),
            ("for forty five minutes", 45),
            ("an hour and a half", 90),
            ("two hours", 120),
            ("one and a half hours", 90),
            ("by fifteen minutes", 15),
            ("a quarter of an hour", 15),
            ("twenty minutes more", 20),
            ("an hour and ten minutes", 70),
        ] {
            assert_eq!(duration_minutes(&w(text)), Some(minutes), "{text}");
        }
        assert_eq!(duration_minutes(&w("zero minutes")), None);
        assert_eq!(duration_minutes(&w("for a while")), None);
    }

    #[test]
    fn times() {
        let t = |s: &str| spoken_time(&w(s)).map(|t| (t.hour, t.minute, t.ambiguous));
        assert_eq!(t("three thirty"), Some((3, 30, true)));
        assert_eq!(t("three thirty p m"), Some((15, 30, false)));
        assert_eq!(t("half past two"), Some((2, 30, true)));
        assert_eq!(t("quarter to four"), Some((3, 45, true)));
        assert_eq!(t("noon"), Some((12, 0, false)));
        assert_eq!(t("ten o'clock in the morning"), Some((10, 0, false)));
        assert_eq!(t("fifteen forty five"), Some((15, 45, false)));
        assert_eq!(t("twelve a m"), Some((0, 0, false)));
        assert_eq!(t("nine oh five"), Some((9, 5, true)));
        assert_eq!(t("twenty one fifteen"), Some((21, 15, false)));
        assert_eq!(t("seventy"), None);
    }

    #[test]
    fn typed_numbers_are_spelled() {
        let spell = |s: &str, by_digit: bool| {
            let mut out = Vec::new();
            spell_token(s, by_digit, &mut out);
            out.join(" ")
        };
        assert_eq!(spell("30", false), "thirty");
        assert_eq!(spell("45", false), "forty five");
        assert_eq!(spell("120", false), "one hundred twenty");
        assert_eq!(
            spell("85512345678", false),
            "eight five five one two three four five six seven eight"
        );
        assert_eq!(spell("30", true), "three zero");
        assert_eq!(spell("3:30", false), "three thirty");
        assert_eq!(spell("3:05pm", false), "three oh five p m");
        assert_eq!(spell("3pm", false), "three p m");
        assert_eq!(spell("15:00", false), "fifteen o'clock");
        assert_eq!(spell("alexa", false), "alexa");
    }
}
