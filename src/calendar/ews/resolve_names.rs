//! `ResolveNames`: look a name or address up in the directory (organiser names that
//! came without a display name; `check` uses it to confirm the room mailbox exists).
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/resolvenames-operation>

use super::soap::{Answer, Transport};
use super::xml::escape;
use crate::calendar::{CalendarError, Person};

#[derive(Debug, Clone)]
pub(crate) struct ResolveName<'a> {
    pub entry: &'a str,
}

impl ResolveName<'_> {
    pub(crate) fn to_xml(&self) -> String {
        format!(
            "<m:ResolveNames ReturnFullContactData=\"false\"><m:UnresolvedEntry>{}</m:UnresolvedEntry></m:ResolveNames>",
            escape(self.entry)
        )
    }
}

/// Response: the matches (empty when nothing matched: `ErrorNameResolutionNoResults`).
pub(crate) fn parse(transport: &Transport, answer: &Answer) -> Result<Vec<Person>, CalendarError> {
    let message = super::soap::response_messages(&answer.body)
        .into_iter()
        .next()
        .ok_or_else(|| {
            CalendarError::Invalid("ResolveNames answer without a response message".into())
        })?;
    if message.child_text("ResponseCode") == Some("ErrorNameResolutionNoResults") {
        return Ok(Vec::new());
    }
    let message = super::soap::check_message(transport, message, None)?;
    Ok(message
        .child("ResolutionSet")
        .map(|set| {
            set.children_named("Resolution")
                .filter_map(|r| r.child("Mailbox"))
                .map(|m| Person {
                    name: m.child_text("Name").unwrap_or("").to_string(),
                    email: m.child_text("EmailAddress").map(str::to_string),
                })
                .collect()
        })
        .unwrap_or_default())
}
