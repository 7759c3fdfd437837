//! The SOAP transport of the EWS backend: envelopes, authentication, retries, and the
//! mapping of HTTP statuses, SOAP faults and EWS response codes to [`CalendarError`]s
//! that tell the administrator what to fix.
//!
//! Every request carries `t:RequestServerVersion`; item and folder operations a
//! `t:TimeZoneContext` (the room's Windows time-zone ID); and, with impersonation,
//! `t:ExchangeImpersonation` naming the mailbox. See
//! <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/ews-xml-elements-in-exchange>.

use std::time::Duration;

use super::xml::{self, escape, Element};
use super::{Access, EwsAuth};
use crate::calendar::http::{self, Limits, TransportFailure};
use crate::calendar::oauth::TokenCache;
use crate::calendar::remote::{self, Endpoint, Failure, Idempotence};
use crate::calendar::CalendarError;

pub(crate) const NS_SOAP: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub(crate) const NS_TYPES: &str = "http://schemas.microsoft.com/exchange/services/2006/types";
pub(crate) const NS_MESSAGES: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";

/// A successful answer: the SOAP Body's first child, and the server's version.
#[derive(Debug)]
pub(crate) struct Answer {
    pub body: Element,
    /// `ServerVersionInfo` as "15.1 (build 2507.6, V2017_07_11)", when sent.
    pub server_version: Option<String>,
}

impl Answer {
    /// The answer a successful envelope carries (tests: Microsoft's documented examples).
    #[cfg(test)]
    pub(crate) fn from_envelope(text: &str) -> Answer {
        let root = xml::parse(text).expect("an XML envelope");
        let body = root.child("Body").expect("a SOAP Body");
        Answer {
            body: body
                .children
                .first()
                .expect("an operation's response")
                .clone(),
            server_version: server_version(&root),
        }
    }
}

/// Microsoft's documented response example `name` (`tests/fixtures/ews/microsoft/`), for
/// the unit test next to each operation.
#[cfg(test)]
pub(crate) fn microsoft_example(name: &str) -> Answer {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ews/microsoft")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Answer::from_envelope(&text)
}

/// `ServerVersionInfo` of an envelope's header, as "15.1 (build 2507.6, V2017_07_11)".
fn server_version(envelope: &Element) -> Option<String> {
    envelope.path(&["Header", "ServerVersionInfo"]).map(|v| {
        format!(
            "{}.{} (build {}.{}, {})",
            v.attr("MajorVersion").unwrap_or("?"),
            v.attr("MinorVersion").unwrap_or("?"),
            v.attr("MajorBuildNumber").unwrap_or("?"),
            v.attr("MinorBuildNumber").unwrap_or("?"),
            v.attr("Version").unwrap_or("?")
        )
    })
}

/// Credentials as sent.
pub(crate) enum Credentials {
    Basic {
        username: String,
        password: crate::calendar::secret::Secret,
    },
    OAuth(TokenCache),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Basic { username, .. } => write!(f, "Basic({username}, <redacted>)"),
            Credentials::OAuth(_) => f.write_str("OAuth(<token cache>)"),
        }
    }
}

/// One EWS endpoint with its credentials and settings.
#[derive(Debug)]
pub(crate) struct Transport {
    pub client: reqwest::blocking::Client,
    pub url: String,
    pub credentials: Credentials,
    pub access: Access,
    pub auth: EwsAuth,
    /// Windows time-zone ID for `t:TimeZoneContext`.
    pub time_zone: String,
    pub limits: Limits,
    /// Who the device is on this server: `RequestServerVersion`, and the account that
    /// error messages name.
    pub account: Account,
    /// A recent network failure: calls make one attempt until it is old.
    pub outage: http::OutageMemory,
    /// The room mailbox: app-only OAuth tokens must impersonate a mailbox on every
    /// request, also those about no mailbox in particular (ResolveNames, free/busy).
    pub anchor_mailbox: String,
}

impl Transport {
    /// The envelope around `body_xml` (one `m:` operation element), with
    /// `TimeZoneContext` when `time_zone_context` ([`Operation::TIME_ZONE_CONTEXT`]).
    pub(crate) fn envelope(
        &self,
        time_zone_context: bool,
        mailbox: Option<&str>,
        body_xml: &str,
    ) -> String {
        let time_zone = if time_zone_context {
            format!(
                "<t:TimeZoneContext><t:TimeZoneDefinition Id=\"{}\"/></t:TimeZoneContext>",
                escape(&self.time_zone)
            )
        } else {
            String::new()
        };
        let impersonation = match (self.access, mailbox) {
            (Access::Impersonation, Some(mailbox)) => format!(
                "<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>{}</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>",
                escape(mailbox)
            ),
            _ => String::new(),
        };
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
<soap:Envelope xmlns:soap=\"{NS_SOAP}\" xmlns:t=\"{NS_TYPES}\" xmlns:m=\"{NS_MESSAGES}\">\
<soap:Header><t:RequestServerVersion Version=\"{version}\"/>{impersonation}{time_zone}</soap:Header>\
<soap:Body>{body_xml}</soap:Body></soap:Envelope>",
            version = escape(&self.account.version),
        )
    }

    /// Sends one operation with retries and reads its answer.
    pub(crate) fn send<O: Operation>(&self, operation: &O) -> Result<O::Response, CalendarError> {
        let answer = self.call(
            O::NAME,
            operation.mailbox(),
            &operation.to_xml(self.access),
            O::IDEMPOTENCE,
            O::TIME_ZONE_CONTEXT,
        )?;
        operation.parse(&answer, &self.account)
    }

    /// Sends one operation's body with retries. `mailbox` is the mailbox acted on (for
    /// the impersonation header and for messages).
    fn call(
        &self,
        operation: &str,
        mailbox: Option<&str>,
        body_xml: &str,
        idempotence: Idempotence,
        time_zone_context: bool,
    ) -> Result<Answer, CalendarError> {
        let mailbox = match (mailbox, self.auth) {
            (None, EwsAuth::OAuth) => Some(self.anchor_mailbox.as_str()),
            (mailbox, _) => mailbox,
        };
        let envelope = self.envelope(time_zone_context, mailbox, body_xml);
        let endpoint = Endpoint {
            service: "EWS",
            url: &self.url,
            limits: self.limits,
            outage: &self.outage,
        };
        remote::with_retries(
            &endpoint,
            operation,
            idempotence,
            || self.attempt(operation, mailbox, &envelope),
            || match &self.credentials {
                Credentials::OAuth(cache) => {
                    cache.invalidate();
                    true
                }
                Credentials::Basic { .. } => false,
            },
        )
    }

    fn attempt(
        &self,
        operation: &str,
        mailbox: Option<&str>,
        envelope: &str,
    ) -> Result<Answer, Failure> {
        let mut request = self
            .client
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "text/xml; charset=utf-8")
            .header("SOAPAction", format!("\"{NS_MESSAGES}/{operation}\""));
        request = match &self.credentials {
            Credentials::Basic { username, password } => {
                request.basic_auth(username, Some(password.expose()))
            }
            Credentials::OAuth(cache) => {
                let token = cache.token(&self.client).map_err(Failure::Final)?;
                let mut request = request.bearer_auth(token.expose());
                // Exchange Online wants the target mailbox named for app-only tokens.
                if let Some(mailbox) = mailbox {
                    request = request.header("X-AnchorMailbox", mailbox);
                }
                request
            }
        };
        tracing::debug!(operation, url = %self.url, "EWS request");
        let response = request
            .body(envelope.to_string())
            .send()
            .map_err(|e| Failure::Transport(http::transport_error(&self.url, &e)))?;
        let status = response.status();
        let headers = response.headers().clone();
        let text = response
            .text()
            .map_err(|e| Failure::Transport(http::transport_error(&self.url, &e)))?;
        let content_type = headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();

        match status.as_u16() {
            401 => return Err(Failure::Unauthorized(self.rejected_credentials())),
            403 => {
                return Err(Failure::Final(CalendarError::Permission(format!(
                    "the server refused {} (HTTP 403): check that EWS is enabled for it (Set-CASMailbox -EwsEnabled $true) and, for Exchange Online, that the tenant still allows EWS for this app",
                    self.account.name
                ))))
            }
            429 | 503 => return Err(Failure::Throttled(http::retry_after(&headers))),
            300..=399 => {
                let location = headers
                    .get(reqwest::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                return Err(Failure::Final(CalendarError::Invalid(if location.to_ascii_lowercase().contains("/owa") {
                    format!(
                        "{} redirects to Outlook on the web ({location}): that is the OWA address, not EWS. Set url = \"{}\"",
                        self.url,
                        suggested_ews_url(&self.url)
                    )
                } else {
                    format!(
                        "{} redirects to {location}: set url to the EWS endpoint itself, usually {}",
                        self.url,
                        suggested_ews_url(&self.url)
                    )
                })));
            }
            404 => {
                return Err(Failure::Final(CalendarError::Invalid(format!(
                    "{} answered 404: there is no EWS endpoint at this path. EWS lives at {}",
                    self.url,
                    suggested_ews_url(&self.url)
                ))))
            }
            _ => {}
        }
        if content_type.contains("text/html") {
            return Err(Failure::Final(CalendarError::Invalid(format!(
                "{} answered with a web page (HTTP {status}), not EWS: is it the Outlook on the web (OWA) address? Set url = \"{}\"",
                self.url,
                suggested_ews_url(&self.url)
            ))));
        }
        let root = xml::parse(&text).map_err(|e| {
            if status.is_success() {
                // A cut response: the request may have been carried out.
                Failure::Transport(CalendarError::Unreachable {
                    endpoint: self.url.clone(),
                    kind: TransportFailure::Dropped,
                    detail: format!("the answer was cut short ({e})"),
                })
            } else {
                Failure::Final(CalendarError::Server(format!(
                    "HTTP {status} with an unreadable body ({e})"
                )))
            }
        })?;
        let server_version = server_version(&root);
        let Some(body) = root.child("Body") else {
            return Err(Failure::Final(CalendarError::Invalid(
                "the server's answer is not a SOAP envelope (no Body)".into(),
            )));
        };
        if let Some(fault) = body.child("Fault") {
            let code = fault
                .find("ResponseCode")
                .map(|c| c.text.trim().to_string())
                .unwrap_or_default();
            let message = fault.child_text("faultstring").unwrap_or("").to_string();
            if code == "ErrorServerBusy" {
                return Err(Failure::Throttled(back_off(fault)));
            }
            return Err(Failure::Final(self.account.error(&code, &message, mailbox)));
        }
        if !status.is_success() {
            return Err(Failure::Final(CalendarError::Server(format!(
                "HTTP {status} from {}",
                self.url
            ))));
        }
        let Some(operation_response) = body.children.first() else {
            return Err(Failure::Final(CalendarError::Invalid(
                "the server's SOAP Body is empty".into(),
            )));
        };
        // Throttling can also arrive inside a response message.
        for message in response_messages(operation_response) {
            if message.child_text("ResponseCode") == Some("ErrorServerBusy") {
                return Err(Failure::Throttled(back_off(message)));
            }
        }
        Ok(Answer {
            body: operation_response.clone(),
            server_version,
        })
    }

    fn rejected_credentials(&self) -> CalendarError {
        match self.auth {
            EwsAuth::Basic => CalendarError::Auth(format!(
                "the credentials were rejected for {} (HTTP 401): check username and password_file / password_env; the password may have expired, and Exchange Online no longer accepts Basic authentication (use auth = \"oauth\")",
                self.account.name
            )),
            EwsAuth::OAuth => CalendarError::Auth(
                "the OAuth token was rejected (HTTP 401): the app registration needs the Office 365 Exchange Online application permission full_access_as_app with admin consent, and the tenant must allow EWS for it".into(),
            ),
        }
    }
}

/// Who the device is on the server, for the request header and for error messages that
/// name the fix.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    /// The account the device signs in as ("svc@contoso.com", "the app <client id>").
    pub name: String,
    /// `RequestServerVersion`, e.g. "Exchange2013".
    pub version: String,
}

impl Account {
    /// The account of the unit tests.
    #[cfg(test)]
    pub(crate) fn for_tests() -> Account {
        Account {
            name: "svc-roomvoice@contoso.com".into(),
            version: "Exchange2013".into(),
        }
    }

    /// Maps an EWS `ResponseCode` to an error that names the fix.
    pub(crate) fn error(&self, code: &str, message: &str, mailbox: Option<&str>) -> CalendarError {
        let mailbox = mailbox.unwrap_or("the mailbox");
        match code {
            "ErrorImpersonationDenied" | "ErrorImpersonationFailed" => CalendarError::Permission(format!(
                "{code}: {} may not impersonate {mailbox}. Give it the ApplicationImpersonation role (New-ManagementRoleAssignment -Role ApplicationImpersonation -User {}), or use access = \"delegate\" with Editor rights on the room calendar",
                self.name, self.name
            )),
            "ErrorAccessDenied" | "ErrorDelegateNoUser" | "ErrorNoPermissionToAction" => CalendarError::Permission(format!(
                "{code}: {} has no access to {mailbox}'s calendar. Grant it: Add-MailboxFolderPermission -Identity {mailbox}:\\Calendar -User {} -AccessRights Editor (or use access = \"impersonation\")",
                self.name, self.name
            )),
            "ErrorNonExistentMailbox" | "ErrorInvalidSmtpAddress" | "ErrorMailRecipientNotFound" | "ErrorNoPublicFolderReplicaAvailable" => {
                CalendarError::NotFound(format!("{code}: no mailbox {mailbox}; check the address ([room] mailbox or test_mailbox)"))
            }
            "ErrorFolderNotFound" => CalendarError::Permission(format!(
                "{code}: {mailbox}'s calendar is not visible to {}: with access = \"delegate\" grant Editor on it (Add-MailboxFolderPermission -Identity {mailbox}:\\Calendar -User {} -AccessRights Editor)",
                self.name, self.name
            )),
            "ErrorItemNotFound" => CalendarError::NotFound(format!("{code}: the event no longer exists in {mailbox}")),
            "ErrorInvalidServerVersion" | "ErrorIncorrectSchemaVersion" => CalendarError::Invalid(format!(
                "{code}: the server does not accept version = \"{}\"; set [calendar.ews] version to the Exchange release it runs (e.g. \"Exchange2013\")",
                self.version
            )),
            "ErrorCalendarEndDateIsEarlierThanStartDate" | "ErrorCalendarInvalidDayForTimeChangePattern" => {
                CalendarError::InPast(format!("{code}: {message}"))
            }
            "ErrorQuotaExceeded" => CalendarError::Server(format!("{code}: {mailbox} is over its storage quota")),
            "" => CalendarError::Server(if message.is_empty() { "a SOAP fault without a message".into() } else { message.to_string() }),
            _ => CalendarError::Server(format!("{code}: {message}")),
        }
    }
}

/// One EWS operation: what is sent and how its answer reads. Each lives in a module of
/// its own (named after the operation) with a test built from Microsoft's documented
/// response example, so a parse is checked without a transport.
pub(crate) trait Operation {
    /// The operation's name (`FindItem`): the SOAP body element and the log's label.
    const NAME: &'static str;
    /// Whether a lost answer may be asked for again.
    const IDEMPOTENCE: Idempotence = Idempotence::Safe;
    /// Whether the header carries `t:TimeZoneContext`: item and folder operations do;
    /// GetUserAvailability carries its own `TimeZone`, directory operations have no times.
    const TIME_ZONE_CONTEXT: bool = true;
    type Response;
    /// The mailbox acted on (impersonation header, messages); `None`: none in particular.
    fn mailbox(&self) -> Option<&str>;
    /// The operation element (`access` decides how a mailbox's folder is named).
    fn to_xml(&self, access: Access) -> String;
    /// Reads the answer; `account` words the errors of failed response messages.
    fn parse(&self, answer: &Answer, account: &Account) -> Result<Self::Response, CalendarError>;
}

/// `BackOffMilliseconds` from a fault's or message's `MessageXml`.
fn back_off(element: &Element) -> Option<Duration> {
    let xml = element.find("MessageXml")?;
    xml.children
        .iter()
        .find(|v| v.attr("Name") == Some("BackOffMilliseconds"))
        .and_then(|v| v.text.trim().parse::<u64>().ok())
        .map(Duration::from_millis)
}

/// The `*ResponseMessage` elements of an operation's response (in order).
pub(crate) fn response_messages(operation_response: &Element) -> Vec<&Element> {
    match operation_response.child("ResponseMessages") {
        Some(messages) => messages.children.iter().collect(),
        None => vec![operation_response],
    }
}

/// Checks one response message: `Ok` for Success and Warning, the mapped error
/// otherwise.
pub(crate) fn check_message<'a>(
    account: &Account,
    message: &'a Element,
    mailbox: Option<&str>,
) -> Result<&'a Element, CalendarError> {
    match message.attr("ResponseClass") {
        Some("Success") | Some("Warning") => Ok(message),
        _ => {
            let code = message.child_text("ResponseCode").unwrap_or("");
            let text = message.child_text("MessageText").unwrap_or("");
            Err(account.error(code, text, mailbox))
        }
    }
}

/// The first response message of an answer, checked.
pub(crate) fn single_message<'a>(
    account: &Account,
    answer: &'a Answer,
    mailbox: Option<&str>,
) -> Result<&'a Element, CalendarError> {
    let messages = response_messages(&answer.body);
    let first = messages.first().ok_or_else(|| {
        CalendarError::Invalid(format!(
            "the {} answer has no response message",
            answer.body.name
        ))
    })?;
    check_message(account, first, mailbox)
}

/// `https://host/EWS/Exchange.asmx` for whatever URL was configured (an OWA or
/// autodiscover address, a bare host).
pub(crate) fn suggested_ews_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(parsed) => {
            let host = parsed.host_str().unwrap_or("mail.example.com");
            let port = parsed.port().map(|p| format!(":{p}")).unwrap_or_default();
            format!("{}://{host}{port}/EWS/Exchange.asmx", parsed.scheme())
        }
        Err(_) => "https://mail.example.com/EWS/Exchange.asmx".into(),
    }
}

/// True when a URL points at Outlook on the web rather than EWS.
pub(crate) fn is_owa_url(url: &str) -> bool {
    reqwest::Url::parse(url)
        .map(|u| {
            let path = u.path().to_ascii_lowercase();
            path == "/owa" || path.starts_with("/owa/") || path.starts_with("/owa?")
        })
        .unwrap_or(false)
}

/// EWS date-times: UTC with a `Z`.
pub(crate) fn format_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Parses an EWS date-time: RFC 3339 (with `Z` or an offset), or a zone-less value,
/// which EWS uses in the request's time zone (always UTC for the operations here).
pub(crate) fn parse_time(text: &str) -> Result<chrono::DateTime<chrono::Utc>, CalendarError> {
    let text = text.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .map(|n| n.and_utc())
        .map_err(|e| {
            CalendarError::Invalid(format!(
                "the server sent an unreadable time \"{text}\": {e}"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owa_urls_are_recognised_and_the_ews_url_suggested() {
        assert!(is_owa_url("https://mail.contoso.com/owa"));
        assert!(is_owa_url("https://mail.contoso.com/OWA/"));
        assert!(!is_owa_url("https://mail.contoso.com/EWS/Exchange.asmx"));
        assert_eq!(
            suggested_ews_url("https://mail.contoso.com/owa/#path=/calendar"),
            "https://mail.contoso.com/EWS/Exchange.asmx"
        );
        assert_eq!(
            suggested_ews_url("http://127.0.0.1:8080/owa"),
            "http://127.0.0.1:8080/EWS/Exchange.asmx"
        );
    }

    #[test]
    fn times_parse_with_and_without_zone() {
        let a = parse_time("2026-11-23T18:00:00Z").unwrap();
        let b = parse_time("2026-11-23T18:00:00").unwrap();
        let c = parse_time("2026-11-23T10:00:00-08:00").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(format_time(a), "2026-11-23T18:00:00Z");
        assert!(parse_time("tomorrow").is_err());
    }
}
