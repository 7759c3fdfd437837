//! `ResolveNames`: look a name or address up in the directory (organiser names that
//! came without a display name; `check` uses it to confirm the room mailbox exists).
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/resolvenames-operation>

use super::soap::{Account, Answer, Operation};
use super::xml::escape;
use super::Access;
use crate::calendar::{CalendarError, Person};

#[derive(Debug, Clone)]
pub(crate) struct ResolveName<'a> {
    pub entry: &'a str,
}

impl Operation for ResolveName<'_> {
    const NAME: &'static str = "ResolveNames";
    const TIME_ZONE_CONTEXT: bool = false;
    type Response = Vec<Person>;

    fn mailbox(&self) -> Option<&str> {
        None
    }

    fn parse(&self, answer: &Answer, account: &Account) -> Result<Self::Response, CalendarError> {
        parse(answer, account)
    }

    fn to_xml(&self, _access: Access) -> String {
        format!(
            "<m:ResolveNames ReturnFullContactData=\"false\"><m:UnresolvedEntry>{}</m:UnresolvedEntry></m:ResolveNames>",
            escape(self.entry)
        )
    }
}

/// Response: the matches (empty when nothing matched: `ErrorNameResolutionNoResults`).
fn parse(answer: &Answer, account: &Account) -> Result<Vec<Person>, CalendarError> {
    let message = super::soap::response_messages(&answer.body)
        .into_iter()
        .next()
        .ok_or_else(|| {
            CalendarError::Invalid("ResolveNames answer without a response message".into())
        })?;
    if message.child_text("ResponseCode") == Some("ErrorNameResolutionNoResults") {
        return Ok(Vec::new());
    }
    let message = super::soap::check_message(account, message, None)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::ews::soap::microsoft_example;

    #[test]
    fn microsofts_example_gives_the_matching_mailbox() {
        let people = ResolveName { entry: "User2" }
            .parse(
                &microsoft_example("resolve_names.xml"),
                &Account::for_tests(),
            )
            .expect("the documented answer reads");
        assert_eq!(
            people,
            vec![Person {
                name: "User2".into(),
                email: Some("User2@example.com".into()),
            }]
        );
    }
}
