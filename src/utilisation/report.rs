//! Reading the utilisation log back: a summary per local day.
//!
//! - booked hours: the scheduled hours of the reservations that ended (`meeting_held`)
//!   or were released (`released`) that day. Bookings made by voice or instantly are
//!   reservations too, so they count once, when they end.
//! - used hours: the scheduled hours of the reservations somebody checked into, started
//!   or joined from the room.
//! - released: reservations released because nobody checked in.
//! - ad-hoc bookings: bookings the device made (`booked`).
//! - joins: calls joined, per provider.
//!
//! A reservation counts on the day it started (in the room's time zone, as the log
//! writes it); a call on the day it was joined. A call in a room nobody booked (no
//! `instant_booking_minutes`) counts as a join but adds no hours.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

use super::Record;

/// Why the log could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("no utilisation log at {path}: `roomvoice listen` writes it as the room is used; give another with --log FILE or [utilisation] log")]
    Missing { path: PathBuf },
    #[error("cannot read the utilisation log {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// One day of the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DaySummary {
    pub day: NaiveDate,
    pub booked_hours: f64,
    pub used_hours: f64,
    pub released: u32,
    pub ad_hoc_bookings: u32,
    /// Calls joined, per provider id ("zoom", "teams", ...).
    pub joins: BTreeMap<String, u32>,
}

impl DaySummary {
    fn new(day: NaiveDate) -> DaySummary {
        DaySummary {
            day,
            booked_hours: 0.0,
            used_hours: 0.0,
            released: 0,
            ad_hoc_bookings: 0,
            joins: BTreeMap::new(),
        }
    }
}

/// A line of the log that is no record; it was left out of the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedLine {
    /// 1-based line number.
    pub line: usize,
    pub message: String,
}

/// The summary of a log: its days in order, and the lines left out.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub days: Vec<DaySummary>,
    pub skipped: Vec<SkippedLine>,
}

/// Reads the log at `path` and summarises the days from `since` (inclusive) on.
pub fn read(path: &Path, since: Option<NaiveDate>) -> Result<Report, ReportError> {
    let text = std::fs::read(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            ReportError::Missing {
                path: path.to_path_buf(),
            }
        } else {
            ReportError::Read {
                path: path.to_path_buf(),
                source,
            }
        }
    })?;
    // Invalid UTF-8 (a damaged file) spoils its lines only, not the whole report.
    let text = String::from_utf8_lossy(&text);
    Ok(summarise_text(&text, since))
}

/// Parses the log's lines (blank lines are ignored) and summarises them.
pub(crate) fn summarise_text(text: &str, since: Option<NaiveDate>) -> Report {
    let mut records = Vec::new();
    let mut skipped = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Record>(line) {
            Ok(record) => records.push(record),
            Err(e) => skipped.push(SkippedLine {
                line: index + 1,
                message: format!("not a utilisation record ({e})"),
            }),
        }
    }
    Report {
        days: summarise(&records, since),
        skipped,
    }
}

/// The per-day summary of `records`, days from `since` on, in order.
pub(crate) fn summarise(records: &[Record], since: Option<NaiveDate>) -> Vec<DaySummary> {
    let mut days: BTreeMap<NaiveDate, DaySummary> = BTreeMap::new();
    for record in records {
        let Some(date) = day_of(record) else { continue };
        if since.is_some_and(|since| date < since) {
            continue;
        }
        let day = days.entry(date).or_insert_with(|| DaySummary::new(date));
        match record {
            Record::MeetingHeld {
                start,
                end,
                attended,
                ..
            } => {
                day.booked_hours += hours(start, end);
                if *attended {
                    day.used_hours += hours(start, end);
                }
            }
            Record::Released { start, end, .. } => {
                day.booked_hours += hours(start, end);
                day.released += 1;
            }
            Record::Booked { .. } => day.ad_hoc_bookings += 1,
            Record::Joined { provider, .. } => {
                *day.joins.entry(provider.clone()).or_insert(0) += 1;
            }
            Record::Ended { .. } => {}
        }
    }
    days.into_values()
        .map(|mut d| {
            d.booked_hours = round_hours(d.booked_hours);
            d.used_hours = round_hours(d.used_hours);
            d
        })
        .collect()
}

/// The local day a record counts on: a reservation's start, a call's joining; none for
/// the end of a call (its join counted).
fn day_of(record: &Record) -> Option<NaiveDate> {
    match record {
        Record::MeetingHeld { start, .. }
        | Record::Released { start, .. }
        | Record::Booked { start, .. } => Some(start.date_naive()),
        Record::Joined { at, .. } => Some(at.date_naive()),
        Record::Ended { .. } => None,
    }
}

fn hours(start: &DateTime<FixedOffset>, end: &DateTime<FixedOffset>) -> f64 {
    // A record with its end before its start (edited by hand) adds nothing.
    ((*end - *start).num_seconds().max(0) as f64) / 3600.0
}

/// Hours to the hundredth, as printed.
fn round_hours(h: f64) -> f64 {
    (h * 100.0).round() / 100.0
}

/// The totals over `days` (the `day` field is the first day's).
pub(crate) fn total(days: &[DaySummary]) -> Option<DaySummary> {
    let first = days.first()?;
    let mut sum = DaySummary::new(first.day);
    for d in days {
        sum.booked_hours += d.booked_hours;
        sum.used_hours += d.used_hours;
        sum.released += d.released;
        sum.ad_hoc_bookings += d.ad_hoc_bookings;
        for (provider, n) in &d.joins {
            *sum.joins.entry(provider.clone()).or_insert(0) += n;
        }
    }
    sum.booked_hours = round_hours(sum.booked_hours);
    sum.used_hours = round_hours(sum.used_hours);
    Some(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = r#"{"kind":"meeting_held","start":"2026-11-23T10:00:00-08:00","end":"2026-11-23T10:40:00-08:00","subject":"Weekly Product Sync","attended":true}
{"kind":"joined","at":"2026-11-23T10:01:00-08:00","provider":"zoom","subject":"Weekly Product Sync","offered":true}
{"kind":"released","at":"2026-11-23T11:10:00-08:00","start":"2026-11-23T11:00:00-08:00","end":"2026-11-23T11:30:00-08:00","subject":"Design review"}
this line is torn
{"kind":"booked","at":"2026-11-23T12:00:00-08:00","start":"2026-11-23T12:00:00-08:00","end":"2026-11-23T12:30:00-08:00","subject":"Booked in Everest by voice","how":"voice"}
{"kind":"meeting_held","start":"2026-11-23T12:00:00-08:00","end":"2026-11-23T12:30:00-08:00","subject":"Booked in Everest by voice","attended":true}
{"kind":"meeting_held","start":"2026-11-23T23:30:00-08:00","end":"2026-11-24T00:30:00-08:00","subject":"Late","attended":false}

{"kind":"joined","at":"2026-11-24T09:00:00-08:00","provider":"teams"}
{"kind":"ended","at":"2026-11-24T09:30:00-08:00","by":"far_end"}
"#;

    #[test]
    fn days_sum_hours_releases_bookings_and_joins() {
        let report = summarise_text(LOG, None);
        assert_eq!(
            report.skipped,
            [SkippedLine {
                line: 4,
                message: report.skipped[0].message.clone()
            }]
        );
        assert_eq!(report.days.len(), 2);
        let monday = &report.days[0];
        assert_eq!(monday.day.to_string(), "2026-11-23");
        // 40 min held + 30 min released + 30 min booked by voice + 60 min late meeting.
        assert_eq!(monday.booked_hours, 2.67);
        // The attended ones: 40 + 30 minutes.
        assert_eq!(monday.used_hours, 1.17);
        assert_eq!(monday.released, 1);
        assert_eq!(monday.ad_hoc_bookings, 1);
        assert_eq!(monday.joins.get("zoom"), Some(&1));
        let tuesday = &report.days[1];
        assert_eq!(tuesday.booked_hours, 0.0);
        assert_eq!(tuesday.joins.get("teams"), Some(&1));
        let sum = total(&report.days).expect("total");
        assert_eq!(sum.joins.len(), 2);
        assert_eq!(sum.booked_hours, 2.67);
    }

    #[test]
    fn since_leaves_earlier_days_out() {
        let since = NaiveDate::from_ymd_opt(2026, 11, 24);
        let report = summarise_text(LOG, since);
        assert_eq!(report.days.len(), 1);
        assert_eq!(report.days[0].day.to_string(), "2026-11-24");
    }

    #[test]
    fn a_missing_log_is_an_error_naming_it() {
        let err = read(Path::new("/nonexistent/utilisation.jsonl"), None).unwrap_err();
        assert!(matches!(err, ReportError::Missing { .. }));
        assert!(err.to_string().contains("/nonexistent/utilisation.jsonl"));
    }
}
