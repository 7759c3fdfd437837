//! `UpdateItem`: move the end of a calendar item (extend a meeting, end it early).
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/updateitem-operation>

use chrono::{DateTime, Utc};

use super::soap::{self, format_time, Account, Answer, Operation};
use super::xml::escape;
use super::Access;
use crate::calendar::CalendarError;

/// Request: set `calendar:End` of `item_id`. Attendees are not notified: the room's own
/// copy changes (for a device booking, the only copy).
#[derive(Debug, Clone)]
pub(crate) struct SetEnd<'a> {
    /// The mailbox the item is in.
    pub mailbox: &'a str,
    pub item_id: &'a str,
    pub end: DateTime<Utc>,
}

impl Operation for SetEnd<'_> {
    const NAME: &'static str = "UpdateItem";
    type Response = ();

    fn mailbox(&self) -> Option<&str> {
        Some(self.mailbox)
    }

    fn parse(&self, answer: &Answer, account: &Account) -> Result<Self::Response, CalendarError> {
        parse(answer, account, self.mailbox)
    }

    fn to_xml(&self, _access: Access) -> String {
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

fn parse(answer: &Answer, account: &Account, mailbox: &str) -> Result<(), CalendarError> {
    soap::single_message(account, answer, Some(mailbox)).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::ews::soap::{microsoft_example, parse_time};

    #[test]
    fn microsofts_example_reads_as_done() {
        let request = SetEnd {
            mailbox: "everest@contoso.com",
            item_id: "AAAtAEFkbW",
            end: parse_time("2026-11-23T19:00:00Z").expect("time"),
        };
        request
            .parse(&microsoft_example("update_item.xml"), &Account::for_tests())
            .expect("the documented answer reads as done");
    }
}
