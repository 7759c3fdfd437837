//! `POST /users/{mailbox}/calendar/getSchedule`: free/busy of several mailboxes at once.
//!
//! <https://learn.microsoft.com/en-us/graph/api/calendar-getschedule>
//! <https://learn.microsoft.com/en-us/graph/outlook-get-free-busy-schedule>

use chrono::{DateTime, Utc};
use serde_json::json;

use super::client::GraphClient;
use super::types::{Collection, DateTimeTimeZone, ScheduleInformation};
use crate::calendar::remote;
use crate::calendar::remote::Idempotence;
use crate::calendar::{CalendarError, FreeBusy};

/// Mailboxes per request (Graph's documented limit for `schedules`).
pub(crate) const MAX_SCHEDULES: usize = 20;

pub(crate) fn fetch(
    client: &GraphClient,
    via_mailbox: &str,
    mailboxes: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<FreeBusy>, CalendarError> {
    let url = client.url(&["users", via_mailbox, "calendar", "getSchedule"])?;
    let body = json!({
        "schedules": mailboxes,
        "startTime": DateTimeTimeZone::utc(from),
        "endTime": DateTimeTimeZone::utc(to),
        "availabilityViewInterval": 15,
    });
    let (_, text) = client.send(
        reqwest::Method::POST,
        &url,
        Some(&body),
        Some(via_mailbox),
        Idempotence::Safe,
    )?;
    let answer: Collection<ScheduleInformation> = serde_json::from_str(&text).map_err(|e| {
        CalendarError::Invalid(format!(
            "Graph's getSchedule answer is not a schedule collection: {e}"
        ))
    })?;
    let mut result = Vec::new();
    for mailbox in mailboxes {
        let Some(info) = answer
            .value
            .iter()
            .find(|i| i.schedule_id.eq_ignore_ascii_case(mailbox))
        else {
            result.push(remote::unanswered(
                mailbox,
                "Graph returned no schedule for this mailbox".into(),
            ));
            continue;
        };
        if let Some(error) = &info.error {
            result.push(remote::unanswered(
                mailbox,
                format!(
                    "{}: {}",
                    error.response_code.as_deref().unwrap_or("error"),
                    error.message.as_deref().unwrap_or("")
                ),
            ));
            continue;
        }
        result.push(remote::answered(
            mailbox,
            info.schedule_items.iter().map(|item| {
                (item.status.as_str(), move || {
                    Ok((item.start.to_utc()?, item.end.to_utc()?))
                })
            }),
        )?);
    }
    Ok(result)
}
