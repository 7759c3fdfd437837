//! `DeleteItem`: release a booking (moved to Deleted Items, so an administrator can
//! still restore it).
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/deleteitem-operation>

use super::soap::{self, Answer, Transport};
use super::xml::escape;
use crate::calendar::CalendarError;

#[derive(Debug, Clone)]
pub(crate) struct DeleteCalendarItem<'a> {
    pub item_id: &'a str,
}

impl DeleteCalendarItem<'_> {
    pub(crate) fn to_xml(&self) -> String {
        format!(
            "<m:DeleteItem DeleteType=\"MoveToDeletedItems\" SendMeetingCancellations=\"SendToNone\">\
<m:ItemIds><t:ItemId Id=\"{}\"/></m:ItemIds></m:DeleteItem>",
            escape(self.item_id)
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
