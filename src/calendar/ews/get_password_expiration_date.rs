//! `GetPasswordExpirationDate`: when the service account's password expires
//! (Exchange 2010 SP2 and later), so `check` can warn at 14, 7, 3 and 1 days.
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getpasswordexpirationdate-operation>

use chrono::{DateTime, Utc};

use super::soap::{self, parse_time, Answer, Transport};
use super::xml::escape;
use crate::calendar::CalendarError;

#[derive(Debug, Clone)]
pub(crate) struct GetPasswordExpiration<'a> {
    pub account: &'a str,
}

impl GetPasswordExpiration<'_> {
    pub(crate) fn to_xml(&self) -> String {
        format!(
            "<m:GetPasswordExpirationDate><m:MailboxSmtpAddress>{}</m:MailboxSmtpAddress></m:GetPasswordExpirationDate>",
            escape(self.account)
        )
    }
}

/// Response: the expiry, or `None` when the password never expires.
pub(crate) fn parse(
    transport: &Transport,
    answer: &Answer,
) -> Result<Option<DateTime<Utc>>, CalendarError> {
    let message = soap::single_message(transport, answer, None)?;
    match message.child_text("PasswordExpirationDate") {
        Some(text) => parse_time(text).map(Some),
        None => Ok(None),
    }
}
