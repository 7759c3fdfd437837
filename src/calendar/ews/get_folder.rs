//! `GetFolder` on a mailbox's calendar with `folder:EffectiveRights`: whether the
//! account can read it and create, change and delete items there. `check` uses it to
//! test booking permission without creating anything.
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getfolder-operation>
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/effectiverights>

use super::soap::{self, Account, Answer, Operation};
use super::{folder_id, Access};
use crate::calendar::CalendarError;

#[derive(Debug, Clone)]
pub(crate) struct GetCalendarRights<'a> {
    pub mailbox: &'a str,
}

impl Operation for GetCalendarRights<'_> {
    const NAME: &'static str = "GetFolder";
    type Response = (CalendarRights, Option<String>);

    fn mailbox(&self) -> Option<&str> {
        Some(self.mailbox)
    }

    fn parse(&self, answer: &Answer, account: &Account) -> Result<Self::Response, CalendarError> {
        // The server version comes with the rights: `check` reports both.
        parse(answer, account, self.mailbox).map(|rights| (rights, answer.server_version.clone()))
    }

    fn to_xml(&self, access: Access) -> String {
        format!(
            "<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties>\
<t:FieldURI FieldURI=\"folder:EffectiveRights\"/></t:AdditionalProperties></m:FolderShape>\
<m:FolderIds>{}</m:FolderIds></m:GetFolder>",
            folder_id(access, self.mailbox)
        )
    }
}

/// What the account may do in the calendar folder.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CalendarRights {
    pub read: bool,
    pub create: bool,
    pub modify: bool,
    pub delete: bool,
}

fn parse(
    answer: &Answer,
    account: &Account,
    mailbox: &str,
) -> Result<CalendarRights, CalendarError> {
    let message = soap::single_message(account, answer, Some(mailbox))?;
    let rights = message
        .find("EffectiveRights")
        .ok_or_else(|| CalendarError::Invalid("GetFolder answer without EffectiveRights".into()))?;
    let flag = |name: &str| rights.child_text(name) == Some("true");
    Ok(CalendarRights {
        read: flag("Read"),
        create: flag("CreateContents"),
        modify: flag("Modify"),
        delete: flag("Delete"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::ews::soap::microsoft_example;

    const REQUEST: GetCalendarRights<'static> = GetCalendarRights {
        mailbox: "everest@contoso.com",
    };

    #[test]
    fn microsofts_example_without_the_rights_asked_for_is_no_answer() {
        // The documented answer shows an Inbox without EffectiveRights: rights the server
        // did not send are not read as "no rights".
        let err = REQUEST
            .parse(&microsoft_example("get_folder.xml"), &Account::for_tests())
            .expect_err("no EffectiveRights");
        assert!(err.to_string().contains("EffectiveRights"), "{err}");
    }

    #[test]
    fn microsofts_error_example_gives_its_response_code() {
        let err = REQUEST
            .parse(
                &microsoft_example("error_get_folder.xml"),
                &Account::for_tests(),
            )
            .expect_err("an error answer");
        assert!(err.to_string().contains("ErrorInvalidIdMalformed"), "{err}");
    }
}
