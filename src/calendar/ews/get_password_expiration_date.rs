//! `GetPasswordExpirationDate`: when the service account's password expires
//! (Exchange 2010 SP2 and later), so `check` can warn at 14, 7, 3 and 1 days.
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getpasswordexpirationdate-operation>

use chrono::{DateTime, Utc};

use super::soap::{self, parse_time, Account, Answer, Operation};
use super::xml::escape;
use super::Access;
use crate::calendar::CalendarError;

#[derive(Debug, Clone)]
pub(crate) struct GetPasswordExpiration<'a> {
    pub account: &'a str,
}

impl Operation for GetPasswordExpiration<'_> {
    const NAME: &'static str = "GetPasswordExpirationDate";
    const TIME_ZONE_CONTEXT: bool = false;
    type Response = Option<DateTime<Utc>>;

    fn mailbox(&self) -> Option<&str> {
        None
    }

    fn parse(&self, answer: &Answer, account: &Account) -> Result<Self::Response, CalendarError> {
        parse(answer, account)
    }

    fn to_xml(&self, _access: Access) -> String {
        format!(
            "<m:GetPasswordExpirationDate><m:MailboxSmtpAddress>{}</m:MailboxSmtpAddress></m:GetPasswordExpirationDate>",
            escape(self.account)
        )
    }
}

/// Response: the expiry, or `None` when the password never expires.
fn parse(answer: &Answer, account: &Account) -> Result<Option<DateTime<Utc>>, CalendarError> {
    let message = soap::single_message(account, answer, None)?;
    match message.child_text("PasswordExpirationDate") {
        Some(text) => parse_time(text).map(Some),
        None => Ok(None),
    }
}
