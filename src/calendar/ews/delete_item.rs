//! `DeleteItem`: release a booking (moved to Deleted Items, so an administrator can
//! still restore it).
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/deleteitem-operation>

use super::soap::{self, Account, Answer, Operation};
use super::xml::escape;
use super::Access;
use crate::calendar::CalendarError;

#[derive(Debug, Clone)]
pub(crate) struct DeleteCalendarItem<'a> {
    /// The mailbox the item is in.
    pub mailbox: &'a str,
    pub item_id: &'a str,
}

impl Operation for DeleteCalendarItem<'_> {
    const NAME: &'static str = "DeleteItem";
    type Response = ();

    fn mailbox(&self) -> Option<&str> {
        Some(self.mailbox)
    }

    fn parse(&self, answer: &Answer, account: &Account) -> Result<Self::Response, CalendarError> {
        parse(answer, account, self.mailbox)
    }

    fn to_xml(&self, _access: Access) -> String {
        format!(
            "<m:DeleteItem DeleteType=\"MoveToDeletedItems\" SendMeetingCancellations=\"SendToNone\">\
<m:ItemIds><t:ItemId Id=\"{}\"/></m:ItemIds></m:DeleteItem>",
            escape(self.item_id)
        )
    }
}

fn parse(answer: &Answer, account: &Account, mailbox: &str) -> Result<(), CalendarError> {
    soap::single_message(account, answer, Some(mailbox)).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::ews::soap::microsoft_example;

    const REQUEST: DeleteCalendarItem<'static> = DeleteCalendarItem {
        mailbox: "everest@contoso.com",
        item_id: "AAAtAEFkbW",
    };

    #[test]
    fn microsofts_example_reads_as_done() {
        REQUEST
            .parse(&microsoft_example("delete_item.xml"), &Account::for_tests())
            .expect("the documented answer reads as done");
    }

    #[test]
    fn microsofts_error_example_says_the_event_is_gone() {
        let err = REQUEST
            .parse(
                &microsoft_example("error_delete_item.xml"),
                &Account::for_tests(),
            )
            .expect_err("ErrorItemNotFound");
        assert!(matches!(err, CalendarError::NotFound(_)), "{err:?}");
        assert!(err.to_string().contains("everest@contoso.com"), "{err}");
    }
}
