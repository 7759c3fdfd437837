//! `CreateItem`: a booking on the room's calendar (an appointment saved straight into
//! the room mailbox's calendar folder, `SendMeetingInvitations="SendToNone"`: nobody is
//! invited, the room is simply busy). The item carries the `roomvoice` category and a
//! per-request marker (a named extended property) so a booking whose response was
//! lost can be found again instead of being made twice.
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/createitem-operation-calendar-item>

use super::find_item::calendar_item;
use super::soap::{self, format_time, Account, Answer, Operation};
use super::xml::escape;
use super::{folder_id, Access, BOOKING_MARKER_URI};
use crate::calendar::remote::{Idempotence, BOOKING_CATEGORY};
use crate::calendar::{CalendarError, Meeting, NewBooking};

/// Request: book `booking` on `mailbox`, tagged with `marker`.
#[derive(Debug, Clone)]
pub(crate) struct CreateBooking<'a> {
    pub mailbox: &'a str,
    pub booking: &'a NewBooking,
    pub marker: &'a str,
    pub location: Option<&'a str>,
}

impl Operation for CreateBooking<'_> {
    const NAME: &'static str = "CreateItem";
    const IDEMPOTENCE: Idempotence = Idempotence::LookUpFirst;
    type Response = Meeting;

    fn mailbox(&self) -> Option<&str> {
        Some(self.mailbox)
    }

    fn parse(&self, answer: &Answer, account: &Account) -> Result<Self::Response, CalendarError> {
        parse(answer, account, self.mailbox, self.booking)
    }

    fn to_xml(&self, access: Access) -> String {
        let body = self
            .booking
            .body
            .as_deref()
            .map(|b| format!("<t:Body BodyType=\"Text\">{}</t:Body>", escape(b)))
            .unwrap_or_default();
        let location = self
            .location
            .map(|l| format!("<t:Location>{}</t:Location>", escape(l)))
            .unwrap_or_default();
        format!(
            "<m:CreateItem SendMeetingInvitations=\"SendToNone\"><m:SavedItemFolderId>{folder}</m:SavedItemFolderId>\
<m:Items><t:CalendarItem><t:Subject>{subject}</t:Subject>{body}\
<t:Categories><t:String>{BOOKING_CATEGORY}</t:String></t:Categories>\
<t:ExtendedProperty>{BOOKING_MARKER_URI}<t:Value>{marker}</t:Value></t:ExtendedProperty>\
<t:Start>{start}</t:Start><t:End>{end}</t:End><t:LegacyFreeBusyStatus>Busy</t:LegacyFreeBusyStatus>{location}\
</t:CalendarItem></m:Items></m:CreateItem>",
            folder = folder_id(access, self.mailbox),
            subject = escape(&self.booking.subject),
            marker = escape(self.marker),
            start = format_time(self.booking.start),
            end = format_time(self.booking.end),
        )
    }
}

/// Response: the new item's id (the rest of the event is what was asked for).
fn parse(
    answer: &Answer,
    account: &Account,
    mailbox: &str,
    booking: &NewBooking,
) -> Result<Meeting, CalendarError> {
    let message = soap::single_message(account, answer, Some(mailbox))?;
    let item = message
        .child("Items")
        .and_then(|items| items.children.first())
        .ok_or_else(|| CalendarError::Invalid("CreateItem answer without the new item".into()))?;
    let id = item
        .child("ItemId")
        .and_then(|i| i.attr("Id"))
        .ok_or_else(|| CalendarError::Invalid("CreateItem answer without ItemId".into()))?;
    // A full item (some servers echo it) is read as such; an id alone gets the request's data.
    if item.child("Start").is_some() {
        if let Ok((event, _)) = calendar_item(item) {
            return Ok(event);
        }
    }
    Ok(Meeting {
        id: id.to_string(),
        subject: booking.subject.clone(),
        organizer: None,
        start: booking.start,
        end: booking.end,
        all_day: false,
        location: None,
        body: booking.body.clone().map(crate::calendar::Body::Text),
        online_meeting: None,
        booked_by_device: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::ews::soap::{microsoft_example, parse_time};

    #[test]
    fn microsofts_example_gives_the_new_items_id_with_the_booking_asked_for() {
        let booking = NewBooking {
            subject: "Instant meeting".into(),
            start: parse_time("2026-11-23T18:00:00Z").expect("time"),
            end: parse_time("2026-11-23T18:30:00Z").expect("time"),
            body: None,
        };
        let request = CreateBooking {
            mailbox: "everest@contoso.com",
            booking: &booking,
            marker: "roomvoice-1",
            location: Some("Everest"),
        };
        let meeting = request
            .parse(&microsoft_example("create_item.xml"), &Account::for_tests())
            .expect("the documented answer reads");
        assert_eq!(meeting.id, "AAAlAFV");
        assert_eq!(meeting.subject, "Instant meeting");
        assert_eq!((meeting.start, meeting.end), (booking.start, booking.end));
        assert!(meeting.booked_by_device);
    }
}
