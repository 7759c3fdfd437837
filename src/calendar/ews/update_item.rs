//! `UpdateItem`: move the end of a calendar item (extend a meeting, end it early).
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/updateitem-operation>

use chrono::{DateTime, Utc};

use super::soap::{self, format_time, Answer, Transport};
use super::xml::escape;
use crate::calendar::CalendarError;

/// Request: set `calendar:End` of `item_id`. Attendees are not notified: the room's own
/// copy changes (for a device booking, the only copy).
#[derive(Debug, Clone)]
pub(crate) struct SetEnd<'a> {
    pub item_id: &'a str,
    pub end: DateTime<Utc>,
}

impl SetEnd<'_> {
    pub(crate) fn to_xml(&self) -> String {
        format!(
            "<m:UpdateItem ConflictResolution=\"AlwaysOverwrite\" SendMeetingInvitationsOrCancellations=\"SendToNone\">\
<m:ItemChanges><t:ItemChange><t:ItemId Id=\"{id}\"/><t:Updates><t:SetItemField>\
<t:FieldURI FieldURI=\"calendar:End\"/><t:CalendarItem><t:End>{end}</t:End></t:CalendarItem>\
</t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>",
            id = escape(self.item_id),
            end = format_time(self.end),
        )
    }
}

pub(crate) fn parse(
    transport: &Transport,
    answer: &Answer,
    mailbox: &str,
) -> Result<(), CalendarError> {
    soap::single_message(transport, answer, Some(mailbox)).map(|_| ())
}
