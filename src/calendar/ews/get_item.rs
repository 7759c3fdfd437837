//! `GetItem`: the invitation bodies of calendar items, as text or HTML (`BodyType`).
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getitem-operation-calendar-item>

use super::soap::{self, Account, Answer, Operation};
use super::xml::escape;
use super::Access;
use crate::calendar::remote::BodyFormat;
use crate::calendar::{Body, CalendarError};

/// Request: the bodies of `item_ids`.
#[derive(Debug, Clone)]
pub(crate) struct GetBodies<'a> {
    /// The mailbox the item is in.
    pub mailbox: &'a str,
    pub item_ids: &'a [&'a str],
    pub format: BodyFormat,
}

impl Operation for GetBodies<'_> {
    const NAME: &'static str = "GetItem";
    type Response = Vec<Option<Body>>;

    fn mailbox(&self) -> Option<&str> {
        Some(self.mailbox)
    }

    fn parse(&self, answer: &Answer, account: &Account) -> Result<Self::Response, CalendarError> {
        parse(answer, account, self.mailbox)
    }

    fn to_xml(&self, _access: Access) -> String {
        let ids: String = self
            .item_ids
            .iter()
            .map(|id| format!("<t:ItemId Id=\"{}\"/>", escape(id)))
            .collect();
        format!(
            "<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:BodyType>{}</t:BodyType>\
<t:AdditionalProperties><t:FieldURI FieldURI=\"item:Body\"/></t:AdditionalProperties></m:ItemShape>\
<m:ItemIds>{ids}</m:ItemIds></m:GetItem>",
            self.format.as_ews()
        )
    }
}

/// Response: one body per requested id, in order (`None`: the item has no body, or the
/// room mailbox deleted it: `Set-CalendarProcessing -DeleteComments $false` keeps them).
fn parse(
    answer: &Answer,
    account: &Account,
    mailbox: &str,
) -> Result<Vec<Option<Body>>, CalendarError> {
    let mut bodies = Vec::new();
    for message in soap::response_messages(&answer.body) {
        let message = soap::check_message(account, message, Some(mailbox))?;
        let body = message
            .child("Items")
            .and_then(|items| items.children.first())
            .and_then(|item| item.child("Body"))
            .filter(|b| !b.text.trim().is_empty())
            .map(|b| match b.attr("BodyType") {
                Some("HTML") => Body::Html(b.text.clone()),
                _ => Body::Text(b.text.clone()),
            });
        bodies.push(body);
    }
    Ok(bodies)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::ews::soap::microsoft_example;

    #[test]
    fn microsofts_example_with_an_empty_body_reads_as_no_body() {
        let ids = ["AAAlAFVz"];
        let request = GetBodies {
            mailbox: "everest@contoso.com",
            item_ids: &ids,
            format: BodyFormat::Text,
        };
        let bodies = request
            .parse(&microsoft_example("get_item.xml"), &Account::for_tests())
            .expect("the documented answer reads");
        // One calendar item, whose `t:Body` is empty: no invitation to read.
        assert_eq!(bodies, vec![None]);
    }
}
