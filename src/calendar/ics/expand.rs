//! Occurrences in a time window: recurring series expanded (RRULE, RDATE, EXDATE) only
//! around the window, RECURRENCE-ID overrides put in place of the occurrence they
//! replace, cancelled events and occurrences left out.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};

use super::model::{day_start, local, to_utc, Document, Key, Length, Stamp, VEvent};

/// One occurrence of a VEVENT.
#[derive(Debug, Clone)]
pub(crate) struct Occurrence<'a> {
    pub event: &'a VEvent,
    /// The occurrence's original start for series members (also part of its id).
    pub key: Option<Key>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Occurrence<'_> {
    /// Stable id: the UID, plus `/` and the original start for a series member.
    pub(crate) fn id(&self) -> String {
        match self.key {
            Some(key) => format!("{}/{}", self.event.uid, key.id_suffix()),
            None => self.event.uid.clone(),
        }
    }

    pub(crate) fn all_day(&self) -> bool {
        matches!(self.event.start, Stamp::Day(_))
    }
}

/// Occurrences overlapping `[from, to)`, sorted by start, cancelled ones left out.
pub(crate) fn occurrences(
    doc: &Document,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Occurrence<'_>> {
    let overridden: HashSet<(&str, Key)> = doc
        .events
        .iter()
        .filter_map(|e| e.recurrence_id.map(|k| (e.uid.as_str(), k)))
        .collect();
    let mut out = Vec::new();
    for event in &doc.events {
        if event.cancelled {
            continue;
        }
        if event.is_series() {
            for start in series_starts(doc, event, from, to) {
                let key = Key::of(start);
                if overridden.contains(&(event.uid.as_str(), key)) {
                    continue;
                }
                push_if_overlapping(&mut out, doc, event, start, Some(key), from, to);
            }
        } else {
            push_if_overlapping(
                &mut out,
                doc,
                event,
                event.start,
                event.recurrence_id,
                from,
                to,
            );
        }
    }
    out.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.id().cmp(&b.id())));
    out
}

fn push_if_overlapping<'a>(
    out: &mut Vec<Occurrence<'a>>,
    doc: &Document,
    event: &'a VEvent,
    start: Stamp,
    key: Option<Key>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) {
    let start_utc = to_utc(start, doc.room_tz);
    let end_utc = match (event.length, start) {
        (Length::Days(n), Stamp::Day(d)) => day_start(d + Duration::days(n), doc.room_tz),
        (Length::Days(n), Stamp::At(_)) => start_utc + Duration::days(n),
        (Length::Exact(d), _) => start_utc + d,
    };
    let overlaps = if start_utc == end_utc {
        from <= start_utc && start_utc < to
    } else {
        start_utc < to && end_utc > from
    };
    if overlaps {
        out.push(Occurrence {
            event,
            key,
            start: start_utc,
            end: end_utc,
        });
    }
}

/// Starts of a series' occurrences that may overlap `[from, to)` (the caller checks
/// exactly), EXDATEs removed. The rule is only run up to the window's end.
fn series_starts(
    doc: &Document,
    event: &VEvent,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Stamp> {
    // Occurrences starting this long before `from` can still overlap it.
    let reach = match event.length {
        Length::Days(n) => Duration::days(n + 2),
        Length::Exact(d) => d + Duration::days(1),
    };
    let lower = from - reach;
    let upper = to + Duration::days(2);
    let mut starts: Vec<Stamp> = Vec::new();
    // DTSTART is always the first occurrence (RFC 5545 §3.8.5.3), even when it does
    // not match the rule (`rrule` leaves it out then); duplicates are removed below.
    starts.push(event.start);
    if let Some(rule) = &event.rule {
        expand_rule(rule, event.start, lower, upper, &mut starts);
    }
    starts.extend(event.rdates.iter().copied());
    starts.retain(|s| {
        let at = to_utc(*s, doc.room_tz);
        at >= lower && at <= upper && !is_excluded(*s, &event.exdates, doc)
    });
    starts.sort_by_key(|s| to_utc(*s, doc.room_tz));
    starts.dedup();
    starts
}

/// Runs the rule lazily from DTSTART, keeping occurrences in `[lower, upper]` and
/// stopping at the first one past `upper`.
fn expand_rule(
    rule: &rrule::RRuleSet,
    start: Stamp,
    lower: DateTime<Utc>,
    upper: DateTime<Utc>,
    out: &mut Vec<Stamp>,
) {
    // COUNT includes DTSTART: when DTSTART is off the rule (and so added by the
    // caller), the rule itself may give one occurrence less.
    let rule_count = match rule.get_rrule().as_slice() {
        [only] => only.get_count(),
        _ => None,
    };
    let count = rule_count.map(|count| {
        let dt_start = *rule.get_dt_start();
        let on_rule = (&rule.clone().limit()).into_iter().next() == Some(dt_start);
        if on_rule {
            count
        } else {
            count.saturating_sub(1)
        }
    });
    let rule = fast_forward(rule, lower).unwrap_or_else(|| rule.clone());
    // `limit` makes the iterator give up on rules that never match (e.g. 31 February)
    // instead of looping for ever.
    for (index, occurrence) in (&rule.limit()).into_iter().enumerate() {
        // Only rules without COUNT are fast-forwarded, so `index` counts from DTSTART.
        if count.is_some_and(|count| index as u64 >= u64::from(count)) {
            break;
        }
        let at = occurrence.with_timezone(&Utc);
        if at > upper {
            break;
        }
        if at < lower {
            continue;
        }
        out.push(match start {
            Stamp::Day(_) => Stamp::Day(occurrence.date_naive()),
            Stamp::At(t) => Stamp::At(occurrence.with_timezone(&t.timezone())),
        });
        if out.len() >= MAX_OCCURRENCES_PER_WINDOW {
            tracing::warn!(
                "a recurring event has more than {MAX_OCCURRENCES_PER_WINDOW} occurrences in one window; the rest are left out"
            );
            break;
        }
    }
}

/// The same series started later: for a DAILY or WEEKLY rule without COUNT, moving
/// DTSTART forward by whole periods (INTERVAL days or weeks, in local wall time) gives
/// exactly the same occurrences from there on, so a series that began years ago is not
/// run from its first day on every read. `None` when that does not hold or gains little.
fn fast_forward(rule: &rrule::RRuleSet, lower: DateTime<Utc>) -> Option<rrule::RRuleSet> {
    let [only] = rule.get_rrule().as_slice() else {
        return None;
    };
    if only.get_count().is_some() || !rule.get_exrule().is_empty() {
        return None;
    }
    let period_days = i64::from(only.get_interval().max(1))
        * match only.get_freq() {
            rrule::Frequency::Daily => 1,
            rrule::Frequency::Weekly => 7,
            _ => return None,
        };
    let start = *rule.get_dt_start();
    let tz = start.timezone();
    let start_local = start.naive_local();
    // Stop a few days short of the window: the caller filters exactly.
    let gap_days = (lower.with_timezone(&tz).naive_local() - start_local).num_days() - 3;
    let periods = gap_days / period_days;
    if periods < 2 {
        return None;
    }
    let moved = start_local + Duration::days(periods * period_days);
    let moved_start = match tz {
        rrule::Tz::Tz(zone) => local(moved, zone).with_timezone(&tz),
        rrule::Tz::Local(_) => return None,
    };
    Some(rrule::RRuleSet::new(moved_start).rrule(only.clone()))
}

/// A guard against asking for years of a minutely rule.
const MAX_OCCURRENCES_PER_WINDOW: usize = 50_000;

fn is_excluded(start: Stamp, exdates: &[Stamp], doc: &Document) -> bool {
    exdates.iter().any(|ex| match (ex, start) {
        (Stamp::Day(d), Stamp::Day(s)) => *d == s,
        // EXDATE;VALUE=DATE on a timed series removes that day's occurrences.
        (Stamp::Day(d), Stamp::At(s)) => s.date_naive() == *d,
        (Stamp::At(_), _) => to_utc(*ex, doc.room_tz) == to_utc(start, doc.room_tz),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn slow(
        rule: &rrule::RRuleSet,
        lower: DateTime<Utc>,
        upper: DateTime<Utc>,
    ) -> Vec<DateTime<Utc>> {
        rule.clone()
            .limit()
            .into_iter()
            .map(|d| d.with_timezone(&Utc))
            .skip_while(|d| *d < lower)
            .take_while(|d| *d <= upper)
            .collect()
    }

    fn fast(
        rule: &rrule::RRuleSet,
        start: Stamp,
        lower: DateTime<Utc>,
        upper: DateTime<Utc>,
    ) -> Vec<DateTime<Utc>> {
        let mut out = Vec::new();
        expand_rule(rule, start, lower, upper, &mut out);
        out.iter().map(|s| to_utc(*s, chrono_tz::UTC)).collect()
    }

    #[test]
    fn dtstart_is_an_occurrence_even_off_the_rule() {
        let doc = crate::calendar::ics::model::parse(
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20261123T170000Z\nDURATION:PT1H\nRRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=2\nEND:VEVENT\nEND:VCALENDAR\n",
            chrono_tz::UTC,
        )
        .unwrap();
        let from = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let starts: Vec<_> = occurrences(&doc, from, from + Duration::days(60))
            .iter()
            .map(|o| o.start.format("%a %d").to_string())
            .collect();
        // COUNT=2 counts DTSTART as the first of the two.
        assert_eq!(starts, ["Mon 23", "Tue 24"]);
    }

    #[test]
    fn fast_forward_gives_the_same_occurrences_as_running_from_dtstart() {
        let la = chrono_tz::America::Los_Angeles;
        let start = la.with_ymd_and_hms(2019, 3, 4, 9, 0, 0).unwrap();
        for rule_text in [
            "FREQ=DAILY",
            "FREQ=DAILY;INTERVAL=3;BYHOUR=9,14",
            "FREQ=WEEKLY;BYDAY=MO,WE,FR",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;UNTIL=20261224T000000Z",
            "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;BYMONTH=1,3,11",
        ] {
            let rule: rrule::RRule<rrule::Unvalidated> = rule_text.parse().unwrap();
            let set = rule.build(start.with_timezone(&rrule::Tz::Tz(la))).unwrap();
            assert!(
                fast_forward(&set, Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()).is_some()
            );
            for (lower, days) in [
                ("2026-03-01T00:00:00Z", 20),
                ("2026-10-25T00:00:00Z", 14),
                ("2019-03-01T00:00:00Z", 10),
            ] {
                let lower: DateTime<Utc> = lower.parse().unwrap();
                let upper = lower + Duration::days(days);
                assert_eq!(
                    fast(&set, Stamp::At(start), lower, upper),
                    slow(&set, lower, upper),
                    "{rule_text} from {lower}"
                );
            }
        }
    }
}
