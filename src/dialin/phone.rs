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
    Regex::new(
        r"(?:\+[ ]?|(?-u:\b)00)?(?:\(\d{1,5}\)[ ]?|\d)(?:(?:[ .\-/]|\)[ ]?|[ ]?\()?\d){5,24}\)?",
    )
    .expect("constant regex")
});

/// `phonenumber` compiles the metadata's patterns when first used and keeps them in an
/// LRU cache of 100 regexes. One invitation listing numbers of a dozen countries
/// needs more than that, and a cache that evicts recompiles patterns for every body
/// (a tenfold slowdown on the fixture corpus). The cache is swapped for a larger one
/// once, before the first number is read; it fills only with the countries seen.
const METADATA_REGEX_CACHE: usize = 2000;

static METADATA_CACHE_SIZED: LazyLock<()> = LazyLock::new(|| match DATABASE.cache().lock() {
    Ok(mut cache) => *cache = regex_cache::RegexCache::new(METADATA_REGEX_CACHE),
    Err(e) => tracing::warn!("phone metadata regex cache not enlarged: {e}"),
});

/// A span of a line that may be a phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Candidate<'a> {
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
}

/// Number-shaped spans of one line that are not glued to other digits or letters.
pub(crate) fn candidates(line: &str) -> Vec<Candidate<'_>> {
    CANDIDATE
        .find_iter(line)
        .filter(|m| {
            let before = line[..m.start()].chars().next_back();
            let after = line[m.end()..].chars().next();
            // Glued to a word, a reference ("PO-2026-448190") or a path: not a number.
            // After a pause (",,538412907#") or before a `#`, digits are keys of a
            // one-tap string, not a number to call.
            let keys = (matches!(before, Some(',' | ';')) && !m.as_str().starts_with('+'))
                || matches!(after, Some('#' | '*'));
            !keys
                && !before.is_some_and(|c| c.is_ascii_alphanumeric() || "/=@#_-.".contains(c))
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
pub(crate) struct Number {
    pub e164: String,
    /// ISO 3166 alpha-2 of the number's numbering plan, when it names one country.
    pub country: Option<String>,
    pub toll_free: bool,
}

/// Parses number-shaped text into a checked number. Numbers without a `+` or `00`
/// prefix are read in `region` (the country the invitation line names, or the room's).
/// Returns `None` for anything that is not a valid number, or that looks like a date.
pub(crate) fn parse(raw: &str, region: &str) -> Option<Number> {
    LazyLock::force(&METADATA_CACHE_SIZED);
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
    let parsed = phonenumber::parse(region_id, &cleaned)
        .ok()
        .filter(phonenumber::PhoneNumber::is_valid)
        .filter(|n| international || keeps_digits(n, &cleaned, region));
    let Some(number) = parsed else {
        return if international {
            None
        } else {
            by_metadata(&cleaned, region)
        };
    };
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

/// A number read in national format is the digits printed, less the region's trunk
/// prefix at most. The parser also strips what it takes for an international or
/// carrier prefix: India's toll-free "000 800 040 1530" came out as "+91 80004 01530",
/// another subscriber's number. Such a reading is refused.
fn keeps_digits(n: &phonenumber::PhoneNumber, printed: &str, region: &str) -> bool {
    let national = format!(
        "{}{}",
        "0".repeat(usize::from(n.national().zeros())),
        n.national().value()
    );
    let digits: String = printed.chars().filter(char::is_ascii_digit).collect();
    let Some(dropped) = digits.strip_suffix(national.as_str()) else {
        return false;
    };
    dropped.is_empty()
        || DATABASE
            .by_id(region.to_ascii_uppercase().as_str())
            .and_then(|m| m.national_prefix())
            == Some(dropped)
}

/// A national number the parser misreads, checked against the region's metadata
/// directly: India's toll-free "000 800 040 1530" starts like an international call
/// ("00"), but its national significant number is all of "0008000401530" (the
/// toll-free pattern `000800\d{7}`), so its E.164 form is "+910008000401530". The
/// digits printed, less the trunk prefix or not, must be a valid number of a known
/// type there.
fn by_metadata(national: &str, region: &str) -> Option<Number> {
    let meta = DATABASE.by_id(region.to_ascii_uppercase().as_str())?;
    let digits: String = national.chars().filter(char::is_ascii_digit).collect();
    let stripped = meta
        .national_prefix()
        .and_then(|p| digits.strip_prefix(p))
        .map(str::to_string);
    let kinds = [
        Type::TollFree,
        Type::FixedLine,
        Type::Mobile,
        Type::FixedLineOrMobile,
        Type::SharedCost,
        Type::Uan,
    ];
    for nsn in stripped.into_iter().chain(std::iter::once(digits)) {
        if !meta.descriptors().general().is_match(&nsn) {
            continue;
        }
        let Some(kind) = kinds.iter().find(|k| {
            meta.descriptors()
                .get(**k)
                .is_some_and(|d| d.is_match(&nsn))
        }) else {
            continue;
        };
        let e164 = format!("+{}{nsn}", meta.country_code());
        if e164.len() > 16 {
            return None;
        }
        return Some(Number {
            e164,
            country: Some(meta.id().to_string()),
            toll_free: matches!(kind, Type::TollFree),
        });
    }
    None
}

/// `2026-11-22`, `2026-11-0042`, `22.11.2026`, `11/22/2026`: never a phone number.
pub(crate) fn looks_like_date(raw: &str) -> bool {
    static DATE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^\s*(?:(?:19|20)\d\d[-./]\d{1,2}[-./]|\d{1,2}[-./]\d{1,2}[-./](?:\d{4}|\d{2})\s*$)",
        )
        .expect("constant regex")
    });
    DATE.is_match(raw)
}

/// Country words an invitation puts beside a number, to ISO codes: English names, and
/// the names localised invitations print. Only used to read numbers printed without a
/// country prefix ("Dial-in number (US): (712) 432-1212", "India: 000 800 040 1530").
/// Names that are also common words or names of people or states (Georgia, Jordan,
/// Chad) are left out.
const COUNTRY_WORDS: &[(&str, &str)] = &[
    ("united states", "US"),
    ("united states of america", "US"),
    ("usa", "US"),
    ("us", "US"),
    ("estados unidos", "US"),
    ("états-unis", "US"),
    ("vereinigte staaten", "US"),
    ("stati uniti", "US"),
    ("verenigde staten", "US"),
    ("canada", "CA"),
    ("canadá", "CA"),
    ("kanada", "CA"),
    ("united kingdom", "GB"),
    ("uk", "GB"),
    ("great britain", "GB"),
    ("england", "GB"),
    ("royaume-uni", "GB"),
    ("vereinigtes königreich", "GB"),
    ("reino unido", "GB"),
    ("regno unito", "GB"),
    ("verenigd koninkrijk", "GB"),
    ("ireland", "IE"),
    ("irland", "IE"),
    ("irlanda", "IE"),
    ("irlande", "IE"),
    ("germany", "DE"),
    ("deutschland", "DE"),
    ("allemagne", "DE"),
    ("alemania", "DE"),
    ("alemanha", "DE"),
    ("germania", "DE"),
    ("duitsland", "DE"),
    ("france", "FR"),
    ("frankreich", "FR"),
    ("francia", "FR"),
    ("frança", "FR"),
    ("frankrijk", "FR"),
    ("spain", "ES"),
    ("españa", "ES"),
    ("spanien", "ES"),
    ("espagne", "ES"),
    ("espanha", "ES"),
    ("spagna", "ES"),
    ("spanje", "ES"),
    ("italy", "IT"),
    ("italia", "IT"),
    ("italien", "IT"),
    ("italie", "IT"),
    ("itália", "IT"),
    ("italië", "IT"),
    ("netherlands", "NL"),
    ("the netherlands", "NL"),
    ("nederland", "NL"),
    ("niederlande", "NL"),
    ("pays-bas", "NL"),
    ("países bajos", "NL"),
    ("paesi bassi", "NL"),
    ("belgium", "BE"),
    ("belgië", "BE"),
    ("belgique", "BE"),
    ("belgien", "BE"),
    ("bélgica", "BE"),
    ("switzerland", "CH"),
    ("schweiz", "CH"),
    ("suisse", "CH"),
    ("suiza", "CH"),
    ("svizzera", "CH"),
    ("zwitserland", "CH"),
    ("austria", "AT"),
    ("österreich", "AT"),
    ("autriche", "AT"),
    ("luxembourg", "LU"),
    ("luxemburg", "LU"),
    ("portugal", "PT"),
    ("sweden", "SE"),
    ("sverige", "SE"),
    ("norway", "NO"),
    ("norge", "NO"),
    ("denmark", "DK"),
    ("danmark", "DK"),
    ("finland", "FI"),
    ("suomi", "FI"),
    ("iceland", "IS"),
    ("poland", "PL"),
    ("polska", "PL"),
    ("czech republic", "CZ"),
    ("czechia", "CZ"),
    ("slovakia", "SK"),
    ("hungary", "HU"),
    ("romania", "RO"),
    ("bulgaria", "BG"),
    ("greece", "GR"),
    ("croatia", "HR"),
    ("slovenia", "SI"),
    ("serbia", "RS"),
    ("estonia", "EE"),
    ("latvia", "LV"),
    ("lithuania", "LT"),
    ("belarus", "BY"),
    ("ukraine", "UA"),
    ("russia", "RU"),
    ("cyprus", "CY"),
    ("malta", "MT"),
    ("turkey", "TR"),
    ("türkiye", "TR"),
    ("israel", "IL"),
    ("united arab emirates", "AE"),
    ("uae", "AE"),
    ("saudi arabia", "SA"),
    ("qatar", "QA"),
    ("egypt", "EG"),
    ("south africa", "ZA"),
    ("nigeria", "NG"),
    ("kenya", "KE"),
    ("india", "IN"),
    ("índia", "IN"),
    ("indien", "IN"),
    ("inde", "IN"),
    ("pakistan", "PK"),
    ("bangladesh", "BD"),
    ("china", "CN"),
    ("hong kong", "HK"),
    ("taiwan", "TW"),
    ("japan", "JP"),
    ("japón", "JP"),
    ("japon", "JP"),
    ("giappone", "JP"),
    ("日本", "JP"),
    ("south korea", "KR"),
    ("korea", "KR"),
    ("singapore", "SG"),
    ("malaysia", "MY"),
    ("indonesia", "ID"),
    ("philippines", "PH"),
    ("thailand", "TH"),
    ("vietnam", "VN"),
    ("australia", "AU"),
    ("australien", "AU"),
    ("australie", "AU"),
    ("new zealand", "NZ"),
    ("brazil", "BR"),
    ("brasil", "BR"),
    ("brasilien", "BR"),
    ("brésil", "BR"),
    ("mexico", "MX"),
    ("méxico", "MX"),
    ("mexique", "MX"),
    ("argentina", "AR"),
    ("chile", "CL"),
    ("colombia", "CO"),
    ("peru", "PE"),
    ("perú", "PE"),
    ("panama", "PA"),
    ("costa rica", "CR"),
];

/// The country of a line that is a heading of numbers and nothing else: "India:",
/// "• Italy (toll-free)", "Germany".
pub(crate) fn country_heading(line: &str) -> Option<&'static str> {
    let mut t = line
        .trim()
        .trim_start_matches(['•', '-', '*', '·'])
        .trim()
        .trim_end_matches(':')
        .trim();
    if t.ends_with(')') {
        if let Some(open) = t.rfind('(') {
            t = t[..open].trim();
        }
    }
    if t.is_empty() || t.len() > 40 {
        return None;
    }
    let lower = t.to_lowercase();
    if lower == "us" && t != "US" {
        return None;
    }
    COUNTRY_WORDS
        .iter()
        .find(|(w, _)| *w == lower)
        .map(|(_, id)| *id)
}

/// The country a line names (whole words), for numbers printed without a prefix.
pub(crate) fn country_named_in(line: &str) -> Option<&'static str> {
    static WORDS: LazyLock<Regex> = LazyLock::new(|| {
        let alternation: Vec<String> = COUNTRY_WORDS
            .iter()
            .map(|(w, _)| regex::escape(w))
            .collect();
        Regex::new(&format!(
            r"(?i)({})",
            super::providers::bounded(&alternation.join("|"))
        ))
        .expect("constant regex")
    });
    let found = WORDS.captures(line)?;
    let word = found.get(1)?.as_str().to_lowercase();
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
pub(crate) fn country_name(id: &str) -> &str {
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
    fn reads_national_numbers_of_the_named_country() {
        // India's toll-free numbers open with the trunk prefix and "00800".
        let india = parse("000 800 040 1530", "IN").expect("valid Indian toll-free");
        assert_eq!(india.e164, "+910008000401530");
        assert!(india.toll_free);
        assert_eq!(e164("800 141 245", "IT").as_deref(), Some("+39800141245"));
        assert_eq!(e164("0 800 202148", "AT").as_deref(), Some("+43800202148"));
        assert_eq!(e164("000 800 040 1530", "US"), None);
    }

    #[test]
    fn names_countries_in_other_languages_and_headings() {
        assert_eq!(country_named_in("+49 69 3807 9883 Deutschland"), Some("DE"));
        assert_eq!(country_named_in("0800 591 2037 Brasil"), Some("BR"));
        assert_eq!(country_heading("India:"), Some("IN"));
        assert_eq!(country_heading("  • Italy (toll-free)"), Some("IT"));
        assert_eq!(country_heading("India: 000 800 040 1530"), None);
        assert_eq!(country_heading("us"), None);
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
