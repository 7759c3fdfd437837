//! How the device says things: times in the room's time zone ("3:30 PM", "15:30",
//! "tomorrow at 9 AM"), durations, lists. Every answer is a sentence a person would say.

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use super::settings::ClockStyle;

/// Formats times for speech in one room.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Speaker {
    pub zone: Tz,
    pub clock: ClockStyle,
}

impl Speaker {
    /// "3:30 PM" / "2 PM" / "15:30", with "tomorrow at" or the weekday when `at` is not
    /// on the same local day as `now`.
    pub(crate) fn time(&self, at: DateTime<Utc>, now: DateTime<Utc>) -> String {
        let local = at.with_timezone(&self.zone);
        let today = now.with_timezone(&self.zone).date_naive();
        let clock = self.clock_time(local.time());
        let day = local.date_naive();
        if day == today {
            clock
        } else if Some(day) == today.succ_opt() {
            format!("tomorrow at {clock}")
        } else if day > today && day < today + Duration::days(7) {
            format!("{} at {clock}", weekday_name(local.weekday()))
        } else {
            format!("{} {} at {clock}", month_name(local.month()), local.day())
        }
    }

    /// The clock reading alone: "3:30 PM", "2 PM", "15:30".
    pub(crate) fn clock_time(&self, t: NaiveTime) -> String {
        match self.clock {
            ClockStyle::TwentyFour => format!("{:02}:{:02}", t.hour(), t.minute()),
            ClockStyle::Twelve => {
                let (pm, h) = t.hour12();
                let suffix = if pm { "PM" } else { "AM" };
                if t.minute() == 0 {
                    format!("{h} {suffix}")
                } else {
                    format!("{h}:{:02} {suffix}", t.minute())
                }
            }
        }
    }

    /// The end of the local day containing `now` (midnight that follows), in UTC.
    pub(crate) fn end_of_day(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let local = now.with_timezone(&self.zone).date_naive();
        let next = local.succ_opt().unwrap_or(local);
        local_midnight(self.zone, next).unwrap_or(now + Duration::hours(24))
    }

    /// The next moment after `now` whose local clock reads `hour:minute` (today or
    /// tomorrow); with `ambiguous`, an hour of 1-12 may also mean the afternoon.
    pub(crate) fn next_clock_time(
        &self,
        hour: u32,
        minute: u32,
        ambiguous: bool,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let local_now = now.with_timezone(&self.zone);
        let mut candidates = Vec::new();
        let hours: Vec<u32> = if ambiguous {
            vec![hour % 12, hour % 12 + 12]
        } else {
            vec![hour]
        };
        for day_offset in 0..2 {
            let day = local_now.date_naive() + Duration::days(day_offset);
            for h in &hours {
                let naive = day.and_hms_opt(*h, minute, 0)?;
                if let Some(t) = self.zone.from_local_datetime(&naive).earliest() {
                    candidates.push(t.with_timezone(&Utc));
                }
            }
        }
        candidates.into_iter().filter(|t| *t > now).min()
    }

    /// The moment today (local day of `now`) whose clock reads `hour:minute`, even if
    /// already past: used to tell "that time has passed" from "tomorrow".
    pub(crate) fn today_at(
        &self,
        hour: u32,
        minute: u32,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let day = now.with_timezone(&self.zone).date_naive();
        let naive = day.and_hms_opt(hour, minute, 0)?;
        self.zone
            .from_local_datetime(&naive)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    }
}

fn local_midnight(zone: Tz, day: chrono::NaiveDate) -> Option<DateTime<Utc>> {
    let naive = day.and_hms_opt(0, 0, 0)?;
    zone.from_local_datetime(&naive)
        .earliest()
        // A DST gap at midnight (some zones): the first valid time after it.
        .or_else(|| {
            zone.from_local_datetime(&(naive + Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

/// "A", "A and B", "A, B, and C".
pub(crate) fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

fn weekday_name(d: chrono::Weekday) -> &'static str {
    match d {
        chrono::Weekday::Mon => "Monday",
        chrono::Weekday::Tue => "Tuesday",
        chrono::Weekday::Wed => "Wednesday",
        chrono::Weekday::Thu => "Thursday",
        chrono::Weekday::Fri => "Friday",
        chrono::Weekday::Sat => "Saturday",
        chrono::Weekday::Sun => "Sunday",
    }
}

fn month_name(m: u32) -> &'static str {
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    .get(m.saturating_sub(1) as usize)
    .copied()
    .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn times_are_spoken_in_the_room_zone() {
        let la = Speaker {
            zone: chrono_tz::America::Los_Angeles,
            clock: ClockStyle::Twelve,
        };
        let now = utc("2026-11-23T10:05:00-08:00");
        assert_eq!(la.time(utc("2026-11-23T15:30:00-08:00"), now), "3:30 PM");
        assert_eq!(la.time(utc("2026-11-23T14:00:00-08:00"), now), "2 PM");
        assert_eq!(
            la.time(utc("2026-11-24T09:00:00-08:00"), now),
            "tomorrow at 9 AM"
        );
        let paris = Speaker {
            zone: chrono_tz::Europe::Paris,
            clock: ClockStyle::TwentyFour,
        };
        assert_eq!(
            paris.time(
                utc("2026-11-23T15:30:00+01:00"),
                utc("2026-11-23T10:00:00+01:00")
            ),
            "15:30"
        );
    }

    #[test]
    fn next_clock_time_picks_the_afternoon_when_ambiguous() {
        let la = Speaker {
            zone: chrono_tz::America::Los_Angeles,
            clock: ClockStyle::Twelve,
        };
        let now = utc("2026-11-23T10:05:00-08:00");
        assert_eq!(
            la.next_clock_time(3, 30, true, now),
            Some(utc("2026-11-23T15:30:00-08:00"))
        );
        assert_eq!(
            la.next_clock_time(11, 0, true, now),
            Some(utc("2026-11-23T11:00:00-08:00"))
        );
        assert_eq!(
            la.next_clock_time(9, 0, false, now),
            Some(utc("2026-11-24T09:00:00-08:00"))
        );
    }

    #[test]
    fn lists() {
        assert_eq!(list(&["a".into(), "b".into(), "c".into()]), "a, b, and c");
    }
}
