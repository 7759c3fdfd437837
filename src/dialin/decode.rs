//! Invitations as people paste, forward and export them: the encodings that sit
//! between the calendar's text and the reader, taken off before anything is read.
//!
//! - Quoted-printable (`=3D`, `=20`, soft line breaks `=` at a line's end), as mail
//!   sources and some forwarders hand bodies over (`quoted_printable` crate).
//! - iCalendar text (RFC 5545): folded lines (a line break followed by one space or tab
//!   continues the line, splitting URLs and PINs anywhere) and escapes (`\n`, `\,`,
//!   `\;`, `\\`), as a DESCRIPTION copied out of an `.ics` file reads.
//! - HTML character references left in text (`&nbsp;`, `&#43;`, `&#8209;`), decoded by
//!   the `html-escape` crate.
//! - Characters a person does not see but the reader would: bidi marks around numbers
//!   (Google Calendar's U+202A/U+202C), zero-width spaces, soft hyphens; full-width
//!   digits and punctuation; Markdown emphasis (`**Meeting ID:**`) and code marks.
//!
//! Every step is taken only when the body shows its signs, so a plain invitation passes
//! through unchanged; each step that changed the body is named in the plan's notes.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// Takes transfer encodings off a raw body (before HTML is rendered): quoted-printable,
/// then iCalendar folding and escapes. Notes say which were found.
pub(crate) fn transfer(body: &str, notes: &mut Vec<String>) -> String {
    let mut text = Cow::Borrowed(body);
    if looks_quoted_printable(&text) {
        match quoted_printable::decode(text.as_bytes(), quoted_printable::ParseMode::Robust) {
            Ok(bytes) => {
                notes.push("the body was quoted-printable; decoded before reading".into());
                text = Cow::Owned(String::from_utf8_lossy(&bytes).into_owned());
            }
            Err(e) => tracing::debug!("quoted-printable body not decoded: {e}"),
        }
    }
    let folded = looks_icalendar_folded(&text);
    let escaped = looks_icalendar_escaped(&text);
    if folded {
        notes.push("the body had iCalendar folded lines; unfolded before reading".into());
        text = Cow::Owned(unfold(&text));
    }
    if escaped || (folded && text.contains("\\n")) {
        notes.push("the body had iCalendar escapes (\\n, \\,); unescaped before reading".into());
        text = Cow::Owned(unescape_icalendar(&text));
    }
    text.into_owned()
}

/// Rendered text to what a person sees: character references decoded, invisible
/// characters dropped, full-width forms and odd spaces and dashes made plain, Markdown
/// emphasis taken off.
pub(crate) fn visible(text: &str) -> String {
    static ENTITY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
            .expect("constant regex")
    });
    let mut decoded: Cow<'_, str> = if ENTITY.is_match(text) {
        html_escape::decode_html_entities(text)
    } else {
        Cow::Borrowed(text)
    };
    // A `tel:` link copied as text keeps its percent-encoding ("tel:%2B1-650-479-3208,,
    // *01*615734219%23%23*01*").
    if decoded.contains("tel:") && decoded.contains('%') {
        static TEL: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"(?i)tel:[^\s<>]*%[^\s<>]*").expect("constant regex"));
        let replaced = TEL.replace_all(&decoded, |c: &regex::Captures<'_>| {
            percent_encoding::percent_decode_str(&c[0])
                .decode_utf8_lossy()
                .into_owned()
        });
        if let Cow::Owned(o) = replaced {
            decoded = Cow::Owned(o);
        }
    }
    // Most bodies have nothing to change: plain ASCII without tabs or CRs.
    if decoded
        .bytes()
        .all(|b| b.is_ascii() && b != b'\r' && b != b'\t')
    {
        return strip_markdown(&decoded);
    }
    let mut out = String::with_capacity(decoded.len());
    let mut copied = 0;
    for (i, c) in decoded.char_indices() {
        let replacement = match c {
            '\r'
            // Bidi embedding and isolate marks, zero-width characters, soft hyphen, BOM.
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}'
            | '\u{ad}' => None,
            '\u{a0}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\t' => {
                Some(' ')
            }
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{fe63}' | '\u{ff0d}' => Some('-'),
            // Full-width ASCII forms (Japanese invitations): digits, '+', '#', ':', '(', ')'.
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xff01 + 0x21),
            _ => continue,
        };
        out.push_str(&decoded[copied..i]);
        if let Some(r) = replacement {
            out.push(r);
        }
        copied = i + c.len_utf8();
    }
    out.push_str(&decoded[copied..]);
    strip_markdown(&out)
}

/// `**Meeting ID:** 855 1234 5678`, `__PIN__`, `` `855 1234 5678` ``: the marks go, the
/// words stay. Underscores inside words and URLs (Proofpoint's `__`) are kept.
fn strip_markdown(text: &str) -> String {
    static MARKS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\*\*|(?:^|\s)__|__(?:\s|$|:)|`").expect("constant regex"));
    if !MARKS.is_match(text) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if !line.contains(['*', '_', '`']) || !MARKS.is_match(line) {
            out.push_str(line);
            continue;
        }
        let line = line.replace("**", "").replace('`', "");
        let words: Vec<&str> = line.split(' ').collect();
        let cleaned: Vec<&str> = words
            .iter()
            .map(|w| {
                if w.contains("://") {
                    w
                } else {
                    w.trim_start_matches("__").trim_end_matches("__")
                }
            })
            .collect();
        out.push_str(&cleaned.join(" ").replace("__:", ":"));
    }
    out
}

/// Quoted-printable shows itself by encoded `=` and spaces, encoded UTF-8 sequences and
/// soft line breaks; a body with only one sign (a URL's `?pwd=AB12`) is left alone.
fn looks_quoted_printable(text: &str) -> bool {
    static STRONG: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"=3D|=20|=09|=[C-F][0-9A-F]=[89AB][0-9A-F]").expect("constant regex")
    });
    static SOFT_BREAK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"=\r?\n").expect("constant regex"));
    if !text.contains('=') {
        return false;
    }
    let strong = STRONG.find_iter(text).take(3).count();
    let soft = SOFT_BREAK.find_iter(text).take(3).count();
    (strong >= 1 && soft >= 1) || strong >= 3 || (soft >= 3 && lines_fit_qp(text))
}

/// Every line of a quoted-printable body is at most 76 characters.
fn lines_fit_qp(text: &str) -> bool {
    text.lines().all(|l| l.trim_end_matches('\r').len() <= 76)
}

static ICS_PROPERTY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^(?:BEGIN:VEVENT|BEGIN:VCALENDAR|DESCRIPTION[;:]|X-ALT-DESC[;:])")
        .expect("constant regex")
});

/// Folded lines: the body is (part of) an iCalendar file, or it has continuation lines
/// (one leading space or tab) after lines of the 75 octets folding leaves, with
/// iCalendar escapes or at least two such folds. Zoom's indented number lists follow
/// short lines, so they are not taken for folds.
fn looks_icalendar_folded(text: &str) -> bool {
    if ICS_PROPERTY.is_match(text) {
        return true;
    }
    let mut folds = 0;
    let mut previous: Option<&str> = None;
    for line in text.split('\n') {
        let line = line.trim_end_matches('\r');
        if let Some(prev) = previous {
            let continuation = line.starts_with([' ', '\t'])
                && !line[1..].starts_with([' ', '\t'])
                && line.len() > 1;
            if continuation && (70..=76).contains(&prev.len()) {
                folds += 1;
            }
        }
        previous = Some(line);
    }
    folds >= 2 || (folds >= 1 && text.contains("\\n"))
}

/// iCalendar escapes: several literal `\n` (a DESCRIPTION value on one line), or an
/// iCalendar file.
fn looks_icalendar_escaped(text: &str) -> bool {
    let escapes = text.matches("\\n").take(3).count() + text.matches("\\N").take(3).count();
    escapes >= 3 || (escapes >= 1 && !text.trim_end().contains('\n')) || {
        escapes >= 1 && ICS_PROPERTY.is_match(text)
    }
}

/// RFC 5545 3.1: a line break followed by one space or tab is removed.
fn unfold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next() {
        out.push_str(line.trim_end_matches('\r'));
        match lines.peek_mut() {
            Some(next) if next.starts_with([' ', '\t']) => {
                *next = &next[1..];
            }
            Some(_) => out.push('\n'),
            None => {}
        }
    }
    out
}

/// RFC 5545 3.3.11: `\n` and `\N` are line breaks, `\,` `\;` `\\` the characters.
fn unescape_icalendar(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('n' | 'N') => {
                chars.next();
                out.push('\n');
            }
            Some(&e @ (',' | ';' | '\\' | ':')) => {
                chars.next();
                out.push(e);
            }
            _ => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transfer_text(s: &str) -> String {
        transfer(s, &mut Vec::new())
    }

    #[test]
    fn decodes_quoted_printable_with_soft_breaks() {
        let qp = "Join: https://ietf.webex.com/ietf/j.php?MTID=3Dmed94e0e0db21d028e4f79c3b02=\n6f6d84\nPassword: TSV703=20\n";
        // The decoder writes CRLF line breaks; the reader drops the CRs later.
        assert_eq!(
            transfer_text(qp).replace('\r', ""),
            "Join: https://ietf.webex.com/ietf/j.php?MTID=med94e0e0db21d028e4f79c3b026f6d84\nPassword: TSV703 \n"
        );
    }

    #[test]
    fn leaves_a_body_with_one_equals_sign_alone() {
        let plain = "https://zoom.us/j/85512345678?pwd=AB12cd\nMeeting ID: 855 1234 5678\n";
        assert_eq!(transfer_text(plain), plain);
    }

    #[test]
    fn unfolds_and_unescapes_an_icalendar_description() {
        let folded = "DESCRIPTION:Join by phone\\n(US) +1 502-410-3262 PIN: 617 832 904 1\n 2#\\nMore phone numbers: https://tel.meet/abc-defg-hij?pin=6178329041\n 2\\, thanks";
        assert_eq!(
            transfer_text(folded),
            "DESCRIPTION:Join by phone\n(US) +1 502-410-3262 PIN: 617 832 904 12#\nMore phone numbers: https://tel.meet/abc-defg-hij?pin=61783290412, thanks"
        );
    }

    #[test]
    fn zoom_indented_number_lists_are_not_folds() {
        let zoom = "Dial by your location\n        +1 646 558 8656 US (New York)\n        +1 312 626 6799 US (Chicago)\nMeeting ID: 855 1234 5678\n";
        assert_eq!(transfer_text(zoom), zoom);
    }

    #[test]
    fn visible_text_drops_marks_and_entities() {
        assert_eq!(
            visible("PIN: \u{202a}617 832 904\u{202c}#"),
            "PIN: 617 832 904#"
        );
        assert_eq!(
            visible("&#43;1&nbsp;323&#8209;849&#8209;4874"),
            "+1 323-849-4874"
        );
        assert_eq!(
            visible("**Meeting number (access code):** 2598 001 6648"),
            "Meeting number (access code): 2598 001 6648"
        );
        assert_eq!(
            visible("ミーティング ID：８７４ １２３４"),
            "ミーティング ID:874 1234"
        );
        let proofpoint = "https://urldefense.com/v3/__https://zoom.us/j/1__;!!x$";
        assert_eq!(visible(proofpoint), proofpoint);
    }
}
