//! Telephone numbers: finding number-shaped text, and turning it into a checked E.164
//! number with its country and whether it is toll-free.
//!
//! Validation uses the `phonenumber` crate (Google's libphonenumber metadata), so a
//! digit run only becomes a dial-in when it is a valid number of a real numbering plan:
//! ZIP codes, order numbers and dates fail that check even before the reader's context
//! rules (`reader.rs`) are applied.

use std::sync::LazyLock;

use phonenumber::{country, metadata::DATABASE, Mode, Type};
use regex::Regex;

/// Number-shaped text: an optional `+` or `00` country prefix, then groups of digits
/// separated by single spaces, dots, dashes or slashes, with optional `(0)` or `(area)`.
static CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+[ ]?|\b00)?(?:\(\d{1,5}\)[ ]?|\d)(?:(?:[ .\-/]|\)[ ]?|[ ]?\()?\d){5,24}\)?")
        .expect("constant regex")
});

/// A span of a line that may be a phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate<'a> {
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
}

/// Number-shaped spans of one line that are not glued to other digits or letters.
pub fn candidates(line: &str) -> Vec<Candidate<'_>> {
    CANDIDATE
        .find_iter(line)
        .filter(|m| {
            let before = line[..m.start()].chars().next_back();
            let after = line[m.end()..].chars().next();
            // Glued to a word, a reference ("PO-2026-448190") or a path: not a number.
            !before.is_some_and(|c| c.is_ascii_alphanumeric() || "/=@#_-.".contains(c))
                && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '@')
        })
        .map(|m| Candidate {
            start: m.start(),
            end: m.end(),
            text: m.as_str(),
        })
        .collect()
}

/// A checked telephone number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number {
    pub e164: String,
    /// ISO 3166 alpha-2 of the number's numbering plan, when it names one country.
    pub country: Option<String>,
    pub toll_free: bool,
}

/// Parses number-shaped text into a checked number. Numbers without a `+` or `00`
/// prefix are read in `region` (the country the invitation line names, or the room's).
/// Returns `None` for anything that is not a valid number, or that looks like a date.
pub fn parse(raw: &str, region: &str) -> Option<Number> {
    let digits = raw.chars().filter(char::is_ascii_digit).count();
    if !(7..=15).contains(&digits) || looks_like_date(raw) {
        return None;
    }
    let mut cleaned = raw.replace("(0)", " ");
    if let Some(rest) = cleaned.trim_start().strip_prefix("00") {
        if !rest.starts_with('0') {
            cleaned = format!("+{rest}");
        }
    }
    let international = cleaned.trim_start().starts_with('+');
    let region_id: Option<country::Id> = if international {
        None
    } else {
        Some(region.to_ascii_uppercase().parse().ok()?)
    };
    let number = phonenumber::parse(region_id, &cleaned).ok()?;
    if !number.is_valid() {
        return None;
    }
    let e164 = number.format().mode(Mode::E164).to_string();
    // E.164 allows 15 digits at most; the metadata accepts some longer national
    // numbers (found by the fuzzer: "+49" and 15 national digits).
    if e164.len() > 16 {
        return None;
    }
    let country = number.country().id().map(|id| id.as_ref().to_string());
    let toll_free = matches!(number.number_type(&DATABASE), Type::TollFree);
    Some(Number {
        e164,
        country,
        toll_free,
    })
}

/// `2026-11-22`, `2026-11-0042`, `22.11.2026`, `11/22/2026`: never a phone number.
pub fn looks_like_date(raw: &str) -> bool {
    static DATE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^\s*(?:(?:19|20)\d\d[-./]\d{1,2}[-./]|\d{1,2}[-./]\d{1,2}[-./](?:\d{4}|\d{2})\s*$)",
        )
        .expect("constant regex")
    });
    DATE.is_match(raw)
}

/// Country words an invitation puts beside a number, to ISO codes. Only used to read
/// numbers printed without a country prefix ("Dial-in number (US): (712) 432-1212").
const COUNTRY_WORDS: &[(&str, &str)] = &[
    ("united states", "US"),
    ("usa", "US"),
    ("us", "US"),
    ("canada", "CA"),
    ("united kingdom", "GB"),
    ("uk", "GB"),
    ("great britain", "GB"),
    ("england", "GB"),
    ("ireland", "IE"),
    ("germany", "DE"),
    ("deutschland", "DE"),
    ("france", "FR"),
    ("spain", "ES"),
    ("italy", "IT"),
    ("netherlands", "NL"),
    ("belgium", "BE"),
    ("switzerland", "CH"),
    ("austria", "AT"),
    ("sweden", "SE"),
    ("norway", "NO"),
    ("denmark", "DK"),
    ("finland", "FI"),
    ("poland", "PL"),
    ("india", "IN"),
    ("australia", "AU"),
    ("new zealand", "NZ"),
    ("japan", "JP"),
    ("singapore", "SG"),
    ("hong kong", "HK"),
    ("brazil", "BR"),
    ("mexico", "MX"),
];

/// The country a line names (whole words), for numbers printed without a prefix.
pub fn country_named_in(line: &str) -> Option<&'static str> {
    static WORDS: LazyLock<Regex> = LazyLock::new(|| {
        let alternation: Vec<String> = COUNTRY_WORDS
            .iter()
            .map(|(w, _)| regex::escape(w))
            .collect();
        Regex::new(&format!(r"(?i)\b({})\b", alternation.join("|"))).expect("constant regex")
    });
    let found = WORDS.captures(line)?;
    let word = found.get(1)?.as_str().to_ascii_lowercase();
    // "us" is also an English word: only trust it in capitals.
    if word == "us" && found.get(1)?.as_str() != "US" {
        return None;
    }
    COUNTRY_WORDS
        .iter()
        .find(|(w, _)| *w == word)
        .map(|(_, id)| *id)
}

/// A readable country name for a label when the invitation gives none.
pub fn country_name(id: &str) -> &str {
    match id {
        "US" => "United States",
        "GB" => "United Kingdom",
        "CA" => "Canada",
        "DE" => "Germany",
        "FR" => "France",
        "IN" => "India",
        "AU" => "Australia",
        "IE" => "Ireland",
        "NL" => "Netherlands",
        "JP" => "Japan",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e164(raw: &str, region: &str) -> Option<String> {
        parse(raw, region).map(|n| n.e164)
    }

    #[test]
    fn reads_international_shapes() {
        assert_eq!(
            e164("+44 20 7946 0958", "US").as_deref(),
            Some("+442079460958")
        );
        assert_eq!(
            e164("+44 (0)20 7946 0958", "US").as_deref(),
            Some("+442079460958")
        );
        assert_eq!(
            e164("0044 20 7946 0958", "US").as_deref(),
            Some("+442079460958")
        );
        assert_eq!(
            e164("+1.408.740.7256", "GB").as_deref(),
            Some("+14087407256")
        );
        assert_eq!(
            e164("+91 22 6000 1234", "US").as_deref(),
            Some("+912260001234")
        );
        assert_eq!(
            e164("(712) 432-1212", "US").as_deref(),
            Some("+17124321212")
        );
        assert_eq!(
            e164("020 7946 0958", "GB").as_deref(),
            Some("+442079460958")
        );
    }

    #[test]
    fn knows_toll_free_numbers_and_countries() {
        let uk = parse("0800 031 5717", "GB").expect("valid UK freephone");
        assert!(uk.toll_free);
        assert_eq!(uk.country.as_deref(), Some("GB"));
        let us = parse("+1 888 475 4499", "US").expect("valid US toll-free");
        assert!(us.toll_free);
        let ny = parse("+1 646 558 8656", "US").expect("valid US number");
        assert!(!ny.toll_free);
        assert_eq!(ny.country.as_deref(), Some("US"));
    }

    #[test]
    fn rejects_what_is_not_a_number() {
        assert_eq!(e164("2026-11-22", "DE"), None);
        assert_eq!(e164("22.11.2026", "DE"), None);
        assert_eq!(e164("94105", "US"), None);
        assert_eq!(e164("123456789012345678", "US"), None);
        assert_eq!(e164("555 0000", "XX"), None);
        // Valid for the German metadata, but longer than E.164 allows.
        assert_eq!(e164("855 1234 5321 5878", "DE"), None);
    }

    #[test]
    fn finds_candidates_but_not_inside_words_or_links() {
        let found: Vec<&str> =
            candidates("Call +1 646 558 8656 or (712) 432-1212; order A1234567890 x")
                .iter()
                .map(|c| c.text)
                .collect();
        assert_eq!(found, ["+1 646 558 8656", "(712) 432-1212"]);
        assert!(candidates("https://zoom.us/j/85512345678").is_empty());
    }

    #[test]
    fn names_countries_in_lines() {
        assert_eq!(
            country_named_in("Dial-in number (US): (712) 432-1212"),
            Some("US")
        );
        assert_eq!(country_named_in("United Kingdom Toll"), Some("GB"));
        assert_eq!(country_named_in("call us at"), None);
    }
}
