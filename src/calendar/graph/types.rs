//! Graph's JSON resources as the backend reads and writes them: `event`,
//! `dateTimeTimeZone`, `onlineMeetingInfo`, `scheduleInformation`.
//!
//! <https://learn.microsoft.com/en-us/graph/api/resources/event>
//! <https://learn.microsoft.com/en-us/graph/api/resources/onlinemeetinginfo>

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{Body, CalendarError, Meeting, OnlineMeeting, Person};

/// `dateTimeTimeZone`: a wall-clock time and its zone (IANA or Windows ID).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DateTimeTimeZone {
    pub date_time: String,
    pub time_zone: String,
}

impl DateTimeTimeZone {
    pub(crate) fn utc(t: DateTime<Utc>) -> DateTimeTimeZone {
        DateTimeTimeZone {
            date_time: t.format("%Y-%m-%dT%H:%M:%S").to_string(),
            time_zone: "UTC".into(),
        }
    }

    /// To UTC. We ask for UTC (`Prefer: outlook.timezone="UTC"`), but a server may
    /// answer in the event's own zone, named by a Windows ID or an IANA name.
    pub(crate) fn to_utc(&self) -> Result<DateTime<Utc>, CalendarError> {
        let naive = NaiveDateTime::parse_from_str(self.date_time.trim(), "%Y-%m-%dT%H:%M:%S%.f")
            .map_err(|e| {
                CalendarError::Invalid(format!(
                    "Graph sent an unreadable time \"{}\": {e}",
                    self.date_time
                ))
            })?;
        let zone = self.time_zone.trim();
        if zone.is_empty() || zone.eq_ignore_ascii_case("UTC") || zone == "tzone://Microsoft/Utc" {
            return Ok(naive.and_utc());
        }
        let tz = crate::calendar::windows_tz::to_iana(zone)
            .or_else(|| zone.parse::<chrono_tz::Tz>().ok())
            .ok_or_else(|| {
                CalendarError::Invalid(format!("Graph sent an unknown time zone \"{zone}\""))
            })?;
        tz.from_local_datetime(&naive)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| {
                CalendarError::Invalid(format!("{} does not exist in {zone}", self.date_time))
            })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EmailAddress {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Recipient {
    pub email_address: EmailAddress,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Location {
    #[serde(default)]
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ItemBody {
    #[serde(default)]
    pub content_type: Option<String>,
    #[serde(default)]
    pub content: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Phone {
    #[serde(default)]
    pub number: Option<String>,
}

/// `onlineMeetingInfo` (Teams and other providers).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OnlineMeetingInfo {
    #[serde(default)]
    pub join_url: Option<String>,
    #[serde(default)]
    pub conference_id: Option<String>,
    #[serde(default)]
    pub toll_number: Option<String>,
    #[serde(default)]
    pub toll_free_numbers: Option<Vec<String>>,
    #[serde(default)]
    pub quick_dial: Option<String>,
    #[serde(default)]
    pub phones: Option<Vec<Phone>>,
}

/// A Graph `event` (the properties we select).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GraphEvent {
    pub id: String,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub organizer: Option<Recipient>,
    pub start: DateTimeTimeZone,
    pub end: DateTimeTimeZone,
    #[serde(default)]
    pub is_all_day: bool,
    #[serde(default)]
    pub is_cancelled: bool,
    #[serde(default)]
    pub location: Option<Location>,
    #[serde(default)]
    pub body: Option<ItemBody>,
    #[serde(default)]
    pub online_meeting: Option<OnlineMeetingInfo>,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub transaction_id: Option<String>,
}

/// The properties `calendarView` selects (keep in step with [`GraphEvent`]).
pub(crate) const EVENT_SELECT: &str =
    "id,subject,organizer,start,end,isAllDay,isCancelled,location,body,onlineMeeting,categories,transactionId";

impl GraphEvent {
    pub(crate) fn into_event(self) -> Result<Meeting, CalendarError> {
        let body = self.body.and_then(|b| {
            let content = b.content.filter(|c| !c.trim().is_empty())?;
            Some(match b.content_type.as_deref() {
                Some(t) if t.eq_ignore_ascii_case("html") => Body::Html(content),
                _ => Body::Text(content),
            })
        });
        let online_meeting = self.online_meeting.map(|m| {
            let toll_number = m.toll_number.or_else(|| {
                m.phones
                    .as_ref()
                    .and_then(|p| p.iter().find_map(|p| p.number.clone()))
            });
            OnlineMeeting {
                join_url: m.join_url,
                conference_id: m.conference_id,
                toll_number,
                toll_free_numbers: m.toll_free_numbers.unwrap_or_default(),
                quick_dial: m.quick_dial,
            }
        });
        Ok(Meeting {
            id: self.id,
            subject: self.subject.unwrap_or_default(),
            organizer: self.organizer.map(|o| Person {
                name: o.email_address.name.unwrap_or_default(),
                email: o.email_address.address,
            }),
            start: self.start.to_utc()?,
            end: self.end.to_utc()?,
            all_day: self.is_all_day,
            location: self
                .location
                .and_then(|l| l.display_name)
                .filter(|l| !l.trim().is_empty()),
            body,
            online_meeting,
            booked_by_device: self
                .categories
                .iter()
                .any(|c| c == crate::calendar::remote::BOOKING_CATEGORY),
        })
    }
}

/// `scheduleItem` of `getSchedule`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ScheduleItem {
    pub status: String,
    pub start: DateTimeTimeZone,
    pub end: DateTimeTimeZone,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FreeBusyError {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub response_code: Option<String>,
}

/// `scheduleInformation` of `getSchedule`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ScheduleInformation {
    pub schedule_id: String,
    #[serde(default)]
    pub schedule_items: Vec<ScheduleItem>,
    #[serde(default)]
    pub error: Option<FreeBusyError>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Collection<T> {
    pub value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default)]
    pub next_link: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_utc_windows_and_iana_zones() {
        let utc = DateTimeTimeZone {
            date_time: "2026-11-23T18:00:00.0000000".into(),
            time_zone: "UTC".into(),
        };
        let windows = DateTimeTimeZone {
            date_time: "2026-11-23T10:00:00".into(),
            time_zone: "Pacific Standard Time".into(),
        };
        let iana = DateTimeTimeZone {
            date_time: "2026-11-23T10:00:00".into(),
            time_zone: "America/Los_Angeles".into(),
        };
        let expected = Utc.with_ymd_and_hms(2026, 11, 23, 18, 0, 0).unwrap();
        assert_eq!(utc.to_utc().unwrap(), expected);
        assert_eq!(windows.to_utc().unwrap(), expected);
        assert_eq!(iana.to_utc().unwrap(), expected);
        let bad = DateTimeTimeZone {
            date_time: "2026-11-23T10:00:00".into(),
            time_zone: "Mars Standard Time".into(),
        };
        assert!(bad.to_utc().is_err());
    }
}
