//! iCalendar content lines (RFC 5545 §3.1): unfolding, `NAME;PARAM=V:VALUE` splitting,
//! text escapes and folding, each line remembering where it came from.
//!
//! Why our own lexer rather than a crate's: the writer edits the file in place and must
//! leave every other byte identical, so it needs each property's exact byte span; and a
//! broken file must be reported with its line number. The parsers on crates.io return
//! neither (and `ical`'s line reader trims the spaces a folded DESCRIPTION relies on).
//! Everything above this level (recurrence, time zones) uses crates: `rrule`, `chrono-tz`.

use std::ops::Range;

/// One unfolded content line.
#[derive(Debug, Clone)]
pub(crate) struct ContentLine {
    /// 1-based number of the first physical line.
    pub line: usize,
    /// Bytes of the whole logical line in the file, folds and line ending included.
    pub span: Range<usize>,
    /// Property name, upper-cased ("DTSTART", "X-ALT-DESC").
    pub name: String,
    /// Parameters in order, names upper-cased, values without their quotes.
    pub params: Vec<(String, String)>,
    /// The raw value after the first unquoted `:` (escapes not yet undone).
    pub value: String,
}

impl ContentLine {
    /// The value of a parameter, e.g. `TZID`, `VALUE`, `CN`.
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A content line that could not be split into name, parameters and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LineError {
    pub line: usize,
    pub message: String,
}

/// Splits a whole file into unfolded content lines. Blank lines are skipped.
pub(crate) fn content_lines(text: &str) -> Result<Vec<ContentLine>, LineError> {
    let mut out = Vec::new();
    // (first line number, start byte, unfolded text)
    let mut current: Option<(usize, usize, String)> = None;
    let mut offset = 0;
    for (index, physical) in text.split_inclusive('\n').enumerate() {
        let number = index + 1;
        let content = physical
            .strip_suffix('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .unwrap_or(physical);
        // A UTF-8 byte order mark (some Windows exports) is not part of the first name.
        let content = if index == 0 {
            content.strip_prefix('\u{feff}').unwrap_or(content)
        } else {
            content
        };
        let start = offset;
        offset += physical.len();
        if let Some(rest) = content
            .strip_prefix(' ')
            .or_else(|| content.strip_prefix('\t'))
        {
            match current.as_mut() {
                Some((_, _, unfolded)) => {
                    unfolded.push_str(rest);
                    continue;
                }
                None if rest.trim().is_empty() => continue,
                None => {
                    return Err(LineError {
                        line: number,
                        message:
                            "a continuation line (starting with a space) has no line before it"
                                .into(),
                    })
                }
            }
        }
        if let Some((line, begin, unfolded)) = current.take() {
            out.push(split(line, begin..start, &unfolded)?);
        }
        if content.trim().is_empty() {
            continue;
        }
        current = Some((number, start, content.to_string()));
    }
    if let Some((line, begin, unfolded)) = current.take() {
        out.push(split(line, begin..offset, &unfolded)?);
    }
    Ok(out)
}

fn split(line: usize, span: Range<usize>, text: &str) -> Result<ContentLine, LineError> {
    let error = |message: String| LineError { line, message };
    let name_end = text
        .find([';', ':'])
        .ok_or_else(|| error(format!("expected NAME:VALUE, found \"{}\"", shorten(text))))?;
    let name = &text[..name_end];
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(error(format!(
            "\"{}\" is not a property name (expected NAME:VALUE)",
            shorten(name)
        )));
    }
    let mut params = Vec::new();
    let mut rest = &text[name_end..];
    while let Some(after) = rest.strip_prefix(';') {
        let eq = after
            .find('=')
            .ok_or_else(|| error(format!("parameter \"{}\" has no '='", shorten(after))))?;
        let key = after[..eq].to_ascii_uppercase();
        let mut value_part = &after[eq + 1..];
        let mut value = String::new();
        // A parameter value is a comma-separated list of quoted or plain values.
        loop {
            if let Some(quoted) = value_part.strip_prefix('"') {
                let close = quoted
                    .find('"')
                    .ok_or_else(|| error(format!("parameter {key} has an unclosed quote")))?;
                value.push_str(&quoted[..close]);
                value_part = &quoted[close + 1..];
            } else {
                let end = value_part.find([',', ';', ':']).unwrap_or(value_part.len());
                value.push_str(&value_part[..end]);
                value_part = &value_part[end..];
            }
            match value_part.strip_prefix(',') {
                Some(more) => {
                    value.push(',');
                    value_part = more;
                }
                None => break,
            }
        }
        params.push((key, value));
        rest = value_part;
    }
    let value = rest.strip_prefix(':').ok_or_else(|| {
        error(format!(
            "{} has no ':' before its value",
            name.to_ascii_uppercase()
        ))
    })?;
    Ok(ContentLine {
        line,
        span,
        name: name.to_ascii_uppercase(),
        params,
        value: value.to_string(),
    })
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_string(),
    }
}

/// Undoes TEXT escapes: `\n` `\N` -> newline, `\,` `\;` `\\` -> the character.
pub(crate) fn unescape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Escapes a TEXT value for writing.
pub(crate) fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            other => out.push(other),
        }
    }
    out
}

/// Folds one logical line to physical lines of at most 75 octets (never inside a
/// UTF-8 character), each ended by `eol`.
pub(crate) fn fold(line: &str, eol: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + eol.len());
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str(eol);
            out.push(' ');
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str(eol);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfolds_keeping_spaces_and_spans() {
        let text =
            "BEGIN:VEVENT\r\nDESCRIPTION:Join the \r\n meeting\r\nSUMMARY;LANGUAGE=en:Hi\r\n";
        let lines = content_lines(text).unwrap();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1].value, "Join the meeting");
        assert_eq!(lines[1].line, 2);
        assert_eq!(
            &text[lines[1].span.clone()],
            "DESCRIPTION:Join the \r\n meeting\r\n"
        );
        assert_eq!(lines[2].param("LANGUAGE"), Some("en"));
        assert_eq!(lines[2].line, 4);
    }

    #[test]
    fn quoted_parameters_may_hold_colons() {
        let lines =
            content_lines("ORGANIZER;CN=\"Lee, Dana: PM\":mailto:dana@contoso.com\n").unwrap();
        assert_eq!(lines[0].param("CN"), Some("Lee, Dana: PM"));
        assert_eq!(lines[0].value, "mailto:dana@contoso.com");
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        let lines = content_lines("\u{feff}BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n").unwrap();
        assert_eq!(lines[0].name, "BEGIN");
        assert_eq!(lines[0].span.start, 0);
    }

    #[test]
    fn missing_colon_names_the_line() {
        let err = content_lines("BEGIN:VCALENDAR\nSUMMARY Lunch\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("SUMMARY Lunch"), "{}", err.message);
    }

    #[test]
    fn fold_keeps_75_octets_and_whole_characters() {
        let long = format!("DESCRIPTION:{}", "é".repeat(80));
        let folded = fold(&long, "\r\n");
        for physical in folded.split("\r\n") {
            assert!(physical.len() <= 75, "{} octets", physical.len());
        }
        let back = content_lines(&folded).unwrap();
        assert_eq!(back[0].value, "é".repeat(80));
    }

    #[test]
    fn text_escapes_round_trip() {
        let text = "Dial: +1 646, then 855;\\ done\nnext";
        assert_eq!(unescape_text(&escape_text(text)), text);
    }
}
