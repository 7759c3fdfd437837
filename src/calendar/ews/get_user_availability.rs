//! `GetUserAvailability`: free/busy for up to 100 mailboxes in one request (rooms or
//! people), in UTC (a time zone with no bias and no daylight saving).
//!
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getuseravailability-operation>

use chrono::{DateTime, Utc};

use super::soap::{self, parse_time, Account, Answer, Operation};
use super::xml::escape;
use super::Access;
use crate::calendar::remote;
use crate::calendar::{CalendarError, FreeBusy};

/// EWS refuses more mailboxes than this in one request.
pub(crate) const MAX_MAILBOXES: usize = 100;

#[derive(Debug, Clone)]
pub(crate) struct GetFreeBusy<'a> {
    pub mailboxes: &'a [String],
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// A UTC `SerializableTimeZone`: bias 0, the "transitions" both at January 1st.
const UTC_TIME_ZONE: &str = "<t:TimeZone><t:Bias>0</t:Bias>\
<t:StandardTime><t:Bias>0</t:Bias><t:Time>00:00:00</t:Time><t:DayOrder>1</t:DayOrder><t:Month>1</t:Month><t:DayOfWeek>Sunday</t:DayOfWeek></t:StandardTime>\
<t:DaylightTime><t:Bias>0</t:Bias><t:Time>00:00:00</t:Time><t:DayOrder>1</t:DayOrder><t:Month>1</t:Month><t:DayOfWeek>Sunday</t:DayOfWeek></t:DaylightTime>\
</t:TimeZone>";

impl Operation for GetFreeBusy<'_> {
    const NAME: &'static str = "GetUserAvailability";
    const TIME_ZONE_CONTEXT: bool = false;
    type Response = Vec<FreeBusy>;

    fn mailbox(&self) -> Option<&str> {
        None
    }

    fn parse(&self, answer: &Answer, account: &Account) -> Result<Self::Response, CalendarError> {
        parse(answer, account, self.mailboxes)
    }

    fn to_xml(&self, _access: Access) -> String {
        let mailboxes: String = self
            .mailboxes
            .iter()
            .map(|m| {
                format!(
                    "<t:MailboxData><t:Email><t:Address>{}</t:Address></t:Email><t:AttendeeType>Required</t:AttendeeType><t:ExcludeConflicts>false</t:ExcludeConflicts></t:MailboxData>",
                    escape(m)
                )
            })
            .collect();
        // Times in the request's TimeZone (UTC), written without an offset as EWS expects.
        format!(
            "<m:GetUserAvailabilityRequest>{UTC_TIME_ZONE}<m:MailboxDataArray>{mailboxes}</m:MailboxDataArray>\
<t:FreeBusyViewOptions><t:TimeWindow><t:StartTime>{start}</t:StartTime><t:EndTime>{end}</t:EndTime></t:TimeWindow>\
<t:MergedFreeBusyIntervalInMinutes>15</t:MergedFreeBusyIntervalInMinutes><t:RequestedView>FreeBusy</t:RequestedView>\
</t:FreeBusyViewOptions></m:GetUserAvailabilityRequest>",
            start = self.start.format("%Y-%m-%dT%H:%M:%S"),
            end = self.end.format("%Y-%m-%dT%H:%M:%S"),
        )
    }
}

/// Response: one [`FreeBusy`] per mailbox, in request order; a mailbox the server could
/// not read carries its error instead of failing the whole batch.
fn parse(
    answer: &Answer,
    account: &Account,
    mailboxes: &[String],
) -> Result<Vec<FreeBusy>, CalendarError> {
    let array = answer.body.child("FreeBusyResponseArray").ok_or_else(|| {
        CalendarError::Invalid("GetUserAvailability answer without FreeBusyResponseArray".into())
    })?;
    let responses: Vec<_> = array.children_named("FreeBusyResponse").collect();
    if responses.len() != mailboxes.len() {
        return Err(CalendarError::Invalid(format!(
            "GetUserAvailability answered for {} mailboxes, {} were asked",
            responses.len(),
            mailboxes.len()
        )));
    }
    let mut result = Vec::new();
    for (response, mailbox) in responses.into_iter().zip(mailboxes) {
        let checked = response
            .child("ResponseMessage")
            .ok_or_else(|| {
                CalendarError::Invalid("FreeBusyResponse without ResponseMessage".into())
            })
            .and_then(|m| soap::check_message(account, m, Some(mailbox)));
        if let Err(e) = checked {
            result.push(remote::unanswered(mailbox, e.to_string()));
            continue;
        }
        let events = response
            .path(&["FreeBusyView", "CalendarEventArray"])
            .into_iter()
            .flat_map(|events| events.children_named("CalendarEvent"));
        result.push(remote::answered(
            mailbox,
            events.map(|event| {
                (event.child_text("BusyType").unwrap_or("Busy"), move || {
                    Ok((
                        parse_time(event.child_text("StartTime").unwrap_or(""))?,
                        parse_time(event.child_text("EndTime").unwrap_or(""))?,
                    ))
                })
            }),
        )?);
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::ews::soap::microsoft_example;

    #[test]
    fn microsofts_example_gives_each_mailboxs_busy_times_in_order() {
        let mailboxes = [
            "user1@example.com".to_string(),
            "user2@example.com".to_string(),
        ];
        let request = GetFreeBusy {
            mailboxes: &mailboxes,
            start: parse_time("2006-10-16T00:00:00-08:00").expect("time"),
            end: parse_time("2006-10-16T23:59:59-08:00").expect("time"),
        };
        let answer = request
            .parse(
                &microsoft_example("get_user_availability.xml"),
                &Account::for_tests(),
            )
            .expect("the documented answer reads");
        assert_eq!(answer.len(), 2);
        assert_eq!(answer[0].mailbox, "user1@example.com");
        assert_eq!(answer[0].busy.len(), 3, "{:?}", answer[0].busy);
        assert_eq!(
            answer[0].busy[0].start,
            parse_time("2006-10-16T13:00:00Z").expect("time")
        );
        // The second mailbox is tentatively busy once.
        assert_eq!(answer[1].busy.len(), 1, "{:?}", answer[1].busy);
        assert!(answer.iter().all(|f| f.error.is_none()));
    }
}
