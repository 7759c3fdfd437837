//! HTML invitation bodies to lines of text, with each link's target kept in place.
//!
//! Outlook and Google Calendar send HTML bodies: tables, `<br>`, entities, and links
//! whose visible text ("Click here to join", a phone number) differs from the target (a
//! SafeLink, a `tel:+1...,,123#` one-tap string). The `html2text` crate (html5ever
//! parser) renders the text; its rich mode tells which characters belong to which link,
//! so the target is written right after the link text as ` <target>`. The reader then
//! sees one text, in document order, whatever the format.

use html2text::render::RichAnnotation;

/// Rendering width: wide enough that nothing an invitation holds is wrapped (a wrapped
/// phone number or link would be lost).
const WIDTH: usize = 100_000;

/// Renders HTML to text lines. Never fails: on a renderer error (it has none for any
/// input we know of, but it says it may) the tags are stripped crudely instead.
pub(crate) fn to_text(html: &str) -> String {
    let flat = flatten_costly_tables(html);
    let html: &str = &flat;
    let config = html2text::config::rich()
        .no_table_borders()
        .allow_width_overflow()
        .link_footnotes(false);
    match config.lines_from_read(html.as_bytes(), WIDTH) {
        Ok(lines) => {
            let mut out = String::with_capacity(html.len() / 2);
            for line in lines {
                let mut open_link: Option<String> = None;
                let mut link_text = String::new();
                for piece in line.tagged_strings() {
                    let target = piece.tag.iter().find_map(|a| match a {
                        RichAnnotation::Link(t) => Some(t.clone()),
                        _ => None,
                    });
                    if target != open_link {
                        close_link(&mut out, open_link.take(), &link_text);
                        link_text.clear();
                        open_link = target;
                    }
                    // Entities such as &nbsp; arrive as U+00A0: plain spaces for the reader.
                    let piece_text = piece.s.replace('\u{a0}', " ");
                    if open_link.is_some() {
                        link_text.push_str(&piece_text);
                    }
                    out.push_str(&piece_text);
                }
                close_link(&mut out, open_link, &link_text);
                out.push('\n');
            }
            out
        }
        Err(e) => {
            tracing::warn!("HTML body could not be rendered ({e}); reading it with tags stripped");
            strip_tags(html)
        }
    }
}

/// Bodies past this size are rendered without table layout.
const TABLE_LAYOUT_MAX_BYTES: usize = 64 * 1024;
/// Tables nested deeper than this are rendered without table layout.
const TABLE_LAYOUT_MAX_DEPTH: usize = 16;

/// Table layout is html2text's costly step (each table is measured, then each cell laid
/// out in its column, recursively): thousands of nested tables, or a long reply chain
/// of Outlook tables, cost tens of milliseconds. Past [`TABLE_LAYOUT_MAX_BYTES`], tables
/// become plain blocks: a row is a line, its cells side by side separated by spaces,
/// which keeps a label and its value together as the layout would. Past
/// [`TABLE_LAYOUT_MAX_DEPTH`] levels the tables leave no elements at all, only a line
/// break after each row and a space after each cell (blocks nested thousands deep are
/// as costly as the tables were). Invitations themselves are far below both limits.
fn flatten_costly_tables(html: &str) -> std::borrow::Cow<'_, str> {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for (_, _, closing, name) in table_tags(html) {
        if name == TableTag::Table {
            if closing {
                depth = depth.saturating_sub(1);
            } else {
                depth += 1;
                deepest = deepest.max(depth);
            }
        }
    }
    let deep = deepest > TABLE_LAYOUT_MAX_DEPTH;
    if !deep && html.len() <= TABLE_LAYOUT_MAX_BYTES {
        return std::borrow::Cow::Borrowed(html);
    }
    tracing::debug!("HTML body rendered without table layout (large or deeply nested)");
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    for (start, end, closing, name) in table_tags(html) {
        out.push_str(&html[copied..start]);
        copied = end;
        let cell = name == TableTag::Cell;
        let row = name == TableTag::Row;
        out.push_str(match (deep, cell, row, closing) {
            (true, true, _, true) => " ",
            (true, false, true, true) => "<br>",
            (true, _, _, _) => "",
            (false, true, _, false) => "<span>",
            (false, true, _, true) => "</span> ",
            (false, false, _, false) => "<div>",
            (false, false, _, true) => "</div>",
        });
    }
    out.push_str(&html[copied..]);
    std::borrow::Cow::Owned(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TableTag {
    Table,
    /// thead, tbody, tfoot, caption
    Part,
    Row,
    /// td, th
    Cell,
}

/// The table tags of `html` as (start, end, closing, kind), found by a plain scan for
/// `<` (a regex per tag costs more than the rendering it saves on hostile bodies).
fn table_tags(html: &str) -> impl Iterator<Item = (usize, usize, bool, TableTag)> + '_ {
    let bytes = html.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while let Some(offset) = bytes.get(at..)?.iter().position(|&b| b == b'<') {
            let start = at + offset;
            at = start + 1;
            let closing = bytes.get(at) == Some(&b'/');
            let name_start = at + usize::from(closing);
            let name_len = bytes
                .get(name_start..)?
                .iter()
                .take_while(|b| b.is_ascii_alphabetic())
                .count();
            let name = &html[name_start..name_start + name_len];
            let kind = match name.to_ascii_lowercase().as_str() {
                "table" => TableTag::Table,
                "thead" | "tbody" | "tfoot" | "caption" => TableTag::Part,
                "tr" => TableTag::Row,
                "td" | "th" => TableTag::Cell,
                _ => continue,
            };
            let after = name_start + name_len;
            if bytes
                .get(after)
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b':')
            {
                continue;
            }
            let end = after + bytes.get(after..)?.iter().position(|&b| b == b'>')? + 1;
            at = end;
            return Some((start, end, closing, kind));
        }
        None
    })
}

/// Writes ` <target>` after a link whose text is not already its target.
fn close_link(out: &mut String, target: Option<String>, text: &str) {
    let Some(target) = target else { return };
    // tel: targets are often percent-encoded ("tel:%2B1-650-...,,123%23%23").
    let decoded;
    let target = if target.starts_with("tel:") && target.contains('%') {
        decoded = percent_encoding::percent_decode_str(&target)
            .decode_utf8_lossy()
            .into_owned();
        decoded.as_str()
    } else {
        target.trim()
    };
    if target.is_empty() || target.starts_with('#') || target.starts_with("mailto:") {
        return;
    }
    let shown = text.trim();
    let bare = target.strip_prefix("tel:").unwrap_or(target);
    if shown == target || shown == bare {
        return;
    }
    out.push_str(" <");
    out.push_str(target);
    out.push('>');
}

/// Last-resort tag stripper (also the fallback of [`to_text`]).
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// True when a body read from a file or standard input is HTML rather than text.
///
/// Looks for real HTML structure (a doctype, or an element such as `<html>`, `<div>`,
/// `<p>`, `<br>`, `<table>`, `<a href`) near the start; plain-text invitations often
/// hold `<https://...>` links and `<name@example.com>` addresses, which are not HTML.
pub fn looks_like_html(body: &str) -> bool {
    static TAG: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)<(?:!doctype\s+html|html|head|body|meta|div|p|br|table|tr|td|span|font|a\s+href|b|i|u|strong|em|ul|ol|li|h[1-6]|style|o:p)[\s/>]",
        )
        .expect("constant regex")
    });
    let head = match body.char_indices().nth(64 * 1024) {
        Some((i, _)) => &body[..i],
        None => body,
    };
    TAG.is_match(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_link_targets_beside_their_text_in_order() {
        let html = r#"<div>Join: <a href="https://zoom.us/j/85512345678">Click&nbsp;here</a><br>Call <a href="tel:+16465588656,,85512345678#">+1 646 558 8656</a> (US)</div>"#;
        let text = to_text(html);
        assert!(
            text.contains("Click here <https://zoom.us/j/85512345678>"),
            "{text}"
        );
        assert!(
            text.contains("+1 646 558 8656 <tel:+16465588656,,85512345678#> (US)"),
            "{text}"
        );
    }

    #[test]
    fn table_cells_stay_on_one_line() {
        let html = "<table><tr><td>Meeting ID</td><td>855 1234 5678</td></tr></table>";
        let text = to_text(html);
        assert!(
            text.lines()
                .any(|l| l.contains("Meeting ID") && l.contains("855 1234 5678")),
            "{text}"
        );
    }

    #[test]
    fn large_bodies_keep_a_row_on_one_line_without_layout() {
        let html = format!(
            "<table><tr><td>Meeting ID</td><td>855 1234 5678</td></tr></table>{}",
            "<table><tr><td><p>Notes from the last call.</p></td></tr></table>".repeat(1200)
        );
        assert!(matches!(
            flatten_costly_tables(&html),
            std::borrow::Cow::Owned(_)
        ));
        let text = to_text(&html);
        assert!(
            text.lines()
                .any(|l| l.contains("Meeting ID") && l.contains("855 1234 5678")),
            "{text}"
        );
    }

    #[test]
    fn tells_html_from_text_with_angle_bracket_links() {
        assert!(looks_like_html("<html><body>x</body></html>"));
        assert!(looks_like_html("Hi,<br>\njoin"));
        assert!(looks_like_html("<DIV class=x>hello</DIV>"));
        assert!(!looks_like_html(
            "Join Zoom Meeting <https://zoom.us/j/1>\nDana <dana@example.com>"
        ));
        assert!(!looks_like_html("a < b and b > c; x<5 is no tag"));
    }
}
