//! `POST /users/{mailbox}/events`, `PATCH` and `DELETE /users/{mailbox}/events/{id}`:
//! book, move the end, release. A booking carries the `roomvoice` category and a
//! `transactionId` (Graph's own guard against duplicate creates on retry), which is
//! also how a booking whose response was lost is found again.
//!
//! <https://learn.microsoft.com/en-us/graph/api/user-post-events>
//! <https://learn.microsoft.com/en-us/graph/api/event-update>
//! <https://learn.microsoft.com/en-us/graph/api/event-delete>

use chrono::{DateTime, Utc};
use serde_json::json;

use super::client::GraphClient;
use super::types::{DateTimeTimeZone, GraphEvent};
use crate::calendar::remote::Idempotence;
use crate::calendar::remote::BOOKING_CATEGORY;
use crate::calendar::{CalendarError, Meeting, NewBooking};

/// The JSON of a new booking.
pub(crate) fn booking_json(
    booking: &NewBooking,
    marker: &str,
    location: &str,
) -> serde_json::Value {
    let mut value = json!({
        "subject": booking.subject,
        "start": DateTimeTimeZone::utc(booking.start),
        "end": DateTimeTimeZone::utc(booking.end),
        "location": { "displayName": location },
        "showAs": "busy",
        "categories": [BOOKING_CATEGORY],
        "transactionId": marker,
    });
    if let Some(body) = &booking.body {
        value["body"] = json!({ "contentType": "text", "content": body });
    }
    value
}

pub(crate) fn create(
    client: &GraphClient,
    mailbox: &str,
    booking: &NewBooking,
    marker: &str,
    location: &str,
) -> Result<Meeting, CalendarError> {
    let url = client.url(&["users", mailbox, "events"])?;
    let body = booking_json(booking, marker, location);
    let (_, text) = client.send(
        reqwest::Method::POST,
        &url,
        Some(&body),
        Some(mailbox),
        Idempotence::LookUpFirst,
    )?;
    let created: GraphEvent = serde_json::from_str(&text).map_err(|e| {
        CalendarError::Invalid(format!(
            "Graph's answer to the booking is not an event: {e}"
        ))
    })?;
    created.into_event()
}

pub(crate) fn set_end(
    client: &GraphClient,
    mailbox: &str,
    id: &str,
    end: DateTime<Utc>,
) -> Result<(), CalendarError> {
    let url = client.url(&["users", mailbox, "events", id])?;
    let body = json!({ "end": DateTimeTimeZone::utc(end) });
    client.send(
        reqwest::Method::PATCH,
        &url,
        Some(&body),
        Some(mailbox),
        Idempotence::Safe,
    )?;
    Ok(())
}

pub(crate) fn delete(client: &GraphClient, mailbox: &str, id: &str) -> Result<(), CalendarError> {
    let url = client.url(&["users", mailbox, "events", id])?;
    client.send(
        reqwest::Method::DELETE,
        &url,
        None,
        Some(mailbox),
        Idempotence::Safe,
    )?;
    Ok(())
}

/// `GET /users/{mailbox}/calendar?$select=canEdit`: whether the account may write to
/// the calendar (for `check`, without creating anything).
pub(crate) fn can_edit(client: &GraphClient, mailbox: &str) -> Result<bool, CalendarError> {
    let mut url = client.url(&["users", mailbox, "calendar"])?;
    url.query_pairs_mut().append_pair("$select", "canEdit,name");
    let (_, text) = client.send(
        reqwest::Method::GET,
        &url,
        None,
        Some(mailbox),
        Idempotence::Safe,
    )?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| CalendarError::Invalid(format!("Graph's calendar answer is not JSON: {e}")))?;
    Ok(value
        .get("canEdit")
        .and_then(|v| v.as_bool())
        .unwrap_or(false))
}
