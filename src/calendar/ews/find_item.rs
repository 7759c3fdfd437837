//! `FindItem` with a `CalendarView`: the occurrences of a mailbox's calendar in a window
//! (recurring series expanded by the server; no bodies).
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/finditem-operation-calendar-item>
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/calendarview>

use chrono::{DateTime, Utc};

use super::soap::{self, format_time, parse_time, Account, Answer, Operation};
use super::xml::{escape, Element};
use super::{folder_id, Access, BOOKING_MARKER_URI};
use crate::calendar::{CalendarError, Meeting, Person};

/// Request: the calendar items of `mailbox` overlapping `[start, end)`.
#[derive(Debug, Clone)]
pub(crate) struct FindCalendarItems<'a> {
    pub mailbox: &'a str,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// `MaxEntriesReturned`; a view with more is reported as truncated.
    pub max_entries: u32,
}

impl Operation for FindCalendarItems<'_> {
    const NAME: &'static str = "FindItem";
    type Response = CalendarItems;

    fn mailbox(&self) -> Option<&str> {
        Some(self.mailbox)
    }

    fn parse(&self, answer: &Answer, account: &Account) -> Result<Self::Response, CalendarError> {
        parse(answer, account, self.mailbox)
    }

    fn to_xml(&self, access: Access) -> String {
        format!(
            "<m:FindItem Traversal=\"Shallow\"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties>\
<t:FieldURI FieldURI=\"item:Subject\"/><t:FieldURI FieldURI=\"item:Categories\"/>\
<t:FieldURI FieldURI=\"calendar:Start\"/><t:FieldURI FieldURI=\"calendar:End\"/>\
<t:FieldURI FieldURI=\"calendar:IsAllDayEvent\"/><t:FieldURI FieldURI=\"calendar:Location\"/>\
<t:FieldURI FieldURI=\"calendar:Organizer\"/><t:FieldURI FieldURI=\"calendar:IsCancelled\"/>\
{BOOKING_MARKER_URI}</t:AdditionalProperties></m:ItemShape>\
<m:CalendarView MaxEntriesReturned=\"{max}\" StartDate=\"{start}\" EndDate=\"{end}\"/>\
<m:ParentFolderIds>{folder}</m:ParentFolderIds></m:FindItem>",
            max = self.max_entries,
            start = format_time(self.start),
            end = format_time(self.end),
            folder = folder_id(access, self.mailbox),
        )
    }
}

/// Response: the events (cancelled ones left out, sorted by start), and whether the
/// view held every item in the window.
#[derive(Debug, Clone)]
pub(crate) struct CalendarItems {
    pub events: Vec<Meeting>,
    pub complete: bool,
    /// The booking marker of each event, by position (device bookings only).
    pub markers: Vec<Option<String>>,
}

fn parse(
    answer: &Answer,
    account: &Account,
    mailbox: &str,
) -> Result<CalendarItems, CalendarError> {
    let message = soap::single_message(account, answer, Some(mailbox))?;
    let root = message
        .child("RootFolder")
        .ok_or_else(|| CalendarError::Invalid("FindItem answer without RootFolder".into()))?;
    let complete = root.attr("IncludesLastItemInRange") != Some("false");
    let mut pairs = Vec::new();
    if let Some(items) = root.child("Items") {
        for item in items.children_named("CalendarItem") {
            if item.child_text("IsCancelled") == Some("true") {
                continue;
            }
            pairs.push(calendar_item(item)?);
        }
    }
    pairs.sort_by_key(|(e, _)| e.start);
    let (events, markers) = pairs.into_iter().unzip();
    Ok(CalendarItems {
        events,
        complete,
        markers,
    })
}

/// One `t:CalendarItem` as a [`Meeting`] and its booking marker.
pub(crate) fn calendar_item(item: &Element) -> Result<(Meeting, Option<String>), CalendarError> {
    let id = item
        .child("ItemId")
        .and_then(|i| i.attr("Id"))
        .ok_or_else(|| CalendarError::Invalid("a calendar item without ItemId".into()))?
        .to_string();
    let start = parse_time(item.child_text("Start").unwrap_or(""))?;
    let end = parse_time(item.child_text("End").unwrap_or(""))?;
    let organizer = item.path(&["Organizer", "Mailbox"]).map(|mailbox| Person {
        name: mailbox.child_text("Name").unwrap_or("").to_string(),
        // Internal senders may come as X.500 addresses (RoutingType EX): not an address.
        email: mailbox
            .child_text("EmailAddress")
            .filter(|a| a.contains('@') && mailbox.child_text("RoutingType") != Some("EX"))
            .map(str::to_string),
    });
    let marker = item
        .children_named("ExtendedProperty")
        .find(|p| {
            p.child("ExtendedFieldURI")
                .and_then(|u| u.attr("PropertyName"))
                == Some(super::BOOKING_MARKER_NAME)
        })
        .and_then(|p| p.child_text("Value"))
        .map(str::to_string);
    let tagged = item
        .child("Categories")
        .map(|c| {
            c.children_named("String")
                .any(|s| s.text.trim() == crate::calendar::remote::BOOKING_CATEGORY)
        })
        .unwrap_or(false);
    Ok((
        Meeting {
            id,
            subject: item.child_text("Subject").unwrap_or("").to_string(),
            organizer,
            start,
            end,
            all_day: item.child_text("IsAllDayEvent") == Some("true"),
            location: item.child_text("Location").map(str::to_string),
            body: None,
            online_meeting: None,
            booked_by_device: marker.is_some() || tagged,
        },
        marker,
    ))
}

/// Escaped mailbox text for `t:Mailbox` elements.
pub(crate) fn mailbox_xml(mailbox: &str) -> String {
    format!(
        "<t:Mailbox><t:EmailAddress>{}</t:EmailAddress></t:Mailbox>",
        escape(mailbox)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::ews::soap::microsoft_example;

    fn request() -> FindCalendarItems<'static> {
        FindCalendarItems {
            mailbox: "everest@contoso.com",
            start: parse_time("2026-11-23T00:00:00Z").expect("time"),
            end: parse_time("2026-11-24T00:00:00Z").expect("time"),
            max_entries: 200,
        }
    }

    #[test]
    fn microsofts_example_reads_as_a_complete_view_of_calendar_items_only() {
        let items = request()
            .parse(&microsoft_example("find_item.xml"), &Account::for_tests())
            .expect("the documented answer reads");
        // The documented answer lists two messages: a calendar view keeps calendar items.
        assert!(items.complete);
        assert!(items.events.is_empty(), "{:?}", items.events);
    }

    #[test]
    fn microsofts_error_example_gives_its_response_code() {
        let err = request()
            .parse(
                &microsoft_example("error_find_item.xml"),
                &Account::for_tests(),
            )
            .expect_err("an error answer");
        assert!(err.to_string().contains("ErrorInvalidIdMalformed"), "{err}");
    }
}
