//! TZID to time zone. A TZID names an IANA zone ("America/Los_Angeles"), a Windows zone
//! ("Pacific Standard Time", as Outlook and Exchange write), a path ending in an IANA
//! name ("/mozilla.org/20050126_1/America/New_York"), or a VTIMEZONE of the file whose
//! X-LIC-LOCATION is an IANA name. Zone rules come from chrono-tz's IANA database, not
//! from the VTIMEZONE's own STANDARD/DAYLIGHT blocks (often stale), except as a last
//! resort: a VTIMEZONE with a made-up TZID ("Customized Time Zone", as Exchange writes
//! for edited zones) is matched to the first Windows zone with the same offsets in
//! winter and summer, with a warning.

use chrono::{Datelike, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use super::lines::ContentLine;
use crate::calendar::windows_tz;

/// A VTIMEZONE: its own properties and its STANDARD / DAYLIGHT parts.
#[derive(Debug, Default)]
pub(crate) struct VTimezone {
    pub props: Vec<ContentLine>,
    pub parts: Vec<(String, Vec<ContentLine>)>,
}

/// How the TZIDs of one file resolve.
pub(crate) struct Zones {
    /// Floating times and all-day dates are in the room's zone.
    pub room_tz: Tz,
    aliases: Vec<(String, Tz)>,
}

impl Zones {
    pub(crate) fn new(room_tz: Tz, vtimezones: &[VTimezone]) -> Zones {
        let mut zones = Zones {
            room_tz,
            aliases: Vec::new(),
        };
        for vtz in vtimezones {
            let Some(tzid) = vtz.props.iter().find(|p| p.name == "TZID") else {
                continue;
            };
            let tzid = tzid.value.trim().to_string();
            if by_name(&tzid).is_some() {
                continue;
            }
            let location = vtz
                .props
                .iter()
                .find(|p| p.name == "X-LIC-LOCATION")
                .and_then(|p| p.value.trim().parse::<Tz>().ok());
            let tz = match location {
                Some(tz) => tz,
                None => match by_offsets(vtz) {
                    Some(tz) => {
                        tracing::warn!(
                            "TZID \"{tzid}\" is not a known time zone; using {}, which has the offsets its VTIMEZONE gives",
                            tz.name()
                        );
                        tz
                    }
                    None => continue,
                },
            };
            zones.aliases.push((tzid, tz));
        }
        zones
    }

    pub(crate) fn resolve(&self, tzid: &str) -> Option<Tz> {
        let id = tzid.trim();
        by_name(id).or_else(|| {
            self.aliases
                .iter()
                .find(|(alias, _)| alias == id)
                .map(|(_, tz)| *tz)
        })
    }
}

fn by_name(id: &str) -> Option<Tz> {
    windows_tz::to_iana(id).or_else(|| {
        // "/mozilla.org/20050126_1/America/New_York" and similar prefixes.
        let parts: Vec<&str> = id.split('/').filter(|p| !p.is_empty()).collect();
        (1..=3.min(parts.len()))
            .rev()
            .find_map(|n| parts[parts.len() - n..].join("/").parse::<Tz>().ok())
    })
}

/// The first Windows zone whose UTC offsets in mid-January and mid-July are those the
/// VTIMEZONE's latest STANDARD and DAYLIGHT parts give.
fn by_offsets(vtz: &VTimezone) -> Option<Tz> {
    let latest = |kind: &str| {
        vtz.parts
            .iter()
            .filter(|(name, _)| name == kind)
            .filter_map(|(_, props)| Part::read(props))
            .max_by_key(|p| p.since)
    };
    let standard = latest("STANDARD")?;
    let (january, july) = match latest("DAYLIGHT") {
        None => (standard.offset, standard.offset),
        Some(daylight) if daylight.month < standard.month => (standard.offset, daylight.offset),
        Some(daylight) => (daylight.offset, standard.offset),
    };
    let year = Utc::now().year();
    let offset_at = |tz: Tz, month: u32| {
        let noon = NaiveDate::from_ymd_opt(year, month, 15)?.and_hms_opt(12, 0, 0)?;
        Some(tz.offset_from_utc_datetime(&noon).fix().local_minus_utc())
    };
    windows_tz::WINDOWS_TO_IANA
        .iter()
        .filter_map(|(_, iana)| iana.parse::<Tz>().ok())
        .find(|tz| offset_at(*tz, 1) == Some(january) && offset_at(*tz, 7) == Some(july))
}

/// One STANDARD or DAYLIGHT part: its offset, the month it starts in, and since when.
struct Part {
    offset: i32,
    month: u32,
    since: NaiveDate,
}

impl Part {
    fn read(props: &[ContentLine]) -> Option<Part> {
        let find = |name: &str| props.iter().find(|p| p.name == name);
        let offset = parse_offset(find("TZOFFSETTO")?.value.trim())?;
        let since =
            NaiveDate::parse_from_str(find("DTSTART")?.value.trim().get(..8)?, "%Y%m%d").ok()?;
        let month = find("RRULE")
            .and_then(|r| {
                r.value.split(';').find_map(|part| {
                    let (key, value) = part.split_once('=')?;
                    key.eq_ignore_ascii_case("BYMONTH")
                        .then(|| value.split(',').next()?.trim().parse().ok())?
                })
            })
            .unwrap_or(since.month());
        Some(Part {
            offset,
            month,
            since,
        })
    }
}

/// `-0800`, `+0530`, `+013000` -> seconds east of UTC.
fn parse_offset(text: &str) -> Option<i32> {
    let (sign, digits) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    if !(digits.len() == 4 || digits.len() == 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[0..2].parse().ok()?;
    let minutes: i32 = digits[2..4].parse().ok()?;
    let seconds: i32 = digits.get(4..6).map_or(Some(0), |s| s.parse().ok())?;
    Some(sign * (hours * 3600 + minutes * 60 + seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve() {
        let zones = Zones::new(Tz::UTC, &[]);
        assert_eq!(
            zones.resolve("/mozilla.org/20050126_1/America/New_York"),
            Some(chrono_tz::America::New_York)
        );
        assert_eq!(
            zones.resolve("Pacific Standard Time"),
            Some(chrono_tz::America::Los_Angeles)
        );
        assert_eq!(zones.resolve("Customized Time Zone"), None);
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("-0800"), Some(-8 * 3600));
        assert_eq!(parse_offset("+0530"), Some(5 * 3600 + 1800));
        assert_eq!(parse_offset("0800"), None);
    }
}
