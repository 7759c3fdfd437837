//! `GET /users/{mailbox}/calendarView`: the occurrences in a window, in UTC (`Prefer:
//! outlook.timezone="UTC"`), bodies and `onlineMeeting` included, following
//! `@odata.nextLink` until the view is complete.
//!
//! <https://learn.microsoft.com/en-us/graph/api/user-list-calendarview>

use chrono::{DateTime, SecondsFormat, Utc};

use super::client::GraphClient;
use super::types::{Collection, GraphEvent, EVENT_SELECT};
use crate::calendar::remote::Idempotence;
use crate::calendar::{CalendarError, Meeting};

/// Pages a view may take before it is reported as cut (50 events each).
const MAX_PAGES: usize = 20;

/// The events of `mailbox` overlapping `[from, to)`, cancelled ones left out, by start.
/// Also returns each event's `transactionId` (the booking marker).
pub(crate) fn fetch(
    client: &GraphClient,
    mailbox: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(Meeting, Option<String>)>, CalendarError> {
    let mut url = client.url(&["users", mailbox, "calendarView"])?;
    url.query_pairs_mut()
        .append_pair(
            "startDateTime",
            &from.to_rfc3339_opts(SecondsFormat::Secs, true),
        )
        .append_pair(
            "endDateTime",
            &to.to_rfc3339_opts(SecondsFormat::Secs, true),
        )
        .append_pair("$select", EVENT_SELECT)
        .append_pair("$orderby", "start/dateTime")
        .append_pair("$top", "50");
    let mut events = Vec::new();
    for _ in 0..MAX_PAGES {
        let (_, text) = client.send(
            reqwest::Method::GET,
            &url,
            None,
            Some(mailbox),
            Idempotence::Safe,
        )?;
        let page: Collection<GraphEvent> = serde_json::from_str(&text).map_err(|e| {
            CalendarError::Invalid(format!(
                "Graph's calendarView answer is not an event collection: {e}"
            ))
        })?;
        for event in page.value {
            if event.is_cancelled {
                continue;
            }
            let marker = event.transaction_id.clone();
            events.push((event.into_event()?, marker));
        }
        match page.next_link {
            Some(link) => url = client.next_link(&link)?,
            None => {
                events.sort_by_key(|(e, _)| e.start);
                return Ok(events);
            }
        }
    }
    tracing::warn!(mailbox, "the calendar view was cut after {MAX_PAGES} pages");
    events.sort_by_key(|(e, _)| e.start);
    Ok(events)
}
