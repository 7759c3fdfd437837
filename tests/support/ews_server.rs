//! A fake Exchange server speaking EWS on loopback, for the `ews` backend's tests.
//!
//! It keeps a small calendar per mailbox and answers FindItem, GetItem, CreateItem,
//! UpdateItem, DeleteItem, GetUserAvailability, ResolveNames, GetPasswordExpirationDate
//! and GetFolder with responses rendered from `tests/fixtures/ews/` (modelled on
//! Microsoft's published examples). Faults are switched on per test: throttling,
//! impersonation denied, 401, slow and dropped answers, an OWA redirect. Every request
//! it receives and every EWS response it sends is kept, and [`FakeExchange::schema_check`]
//! runs `tests/ews-schema/validate` on all of them.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use roomvoice::calendar::ews::xml::{self, Element};

use super::http_server::{HttpServer, Reply, Request};

pub const EWS_PATH: &str = "/EWS/Exchange.asmx";

/// One item of the fake calendars.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: String,
    pub mailbox: String,
    pub subject: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub organizer_name: String,
    pub organizer_email: String,
    pub body: String,
    pub marker: Option<String>,
    pub categories: Vec<String>,
    pub cancelled: bool,
}

impl Item {
    pub fn meeting(mailbox: &str, subject: &str, start: &str, end: &str, body: &str) -> Item {
        Item {
            id: String::new(),
            mailbox: mailbox.into(),
            subject: subject.into(),
            start: start.parse().expect("test start time"),
            end: end.parse().expect("test end time"),
            organizer_name: "Dana Lee".into(),
            organizer_email: "dana@contoso.com".into(),
            body: body.into(),
            marker: None,
            categories: Vec::new(),
            cancelled: false,
        }
    }
}

/// What the fake server does, switched per test.
#[derive(Debug, Clone)]
pub struct Behaviour {
    pub username: String,
    pub password: String,
    /// Accepted bearer tokens (OAuth) contain this; `None`: Basic only.
    pub bearer: Option<String>,
    /// Mailboxes the account may impersonate (`None`: any).
    pub impersonable: Option<Vec<String>>,
    /// Mailboxes the account has delegate (Editor) access to.
    pub delegate_of: Vec<String>,
    /// Mailboxes that exist.
    pub mailboxes: Vec<String>,
    /// Answer this many requests with ErrorServerBusy (as a SOAP fault).
    pub busy: u32,
    pub busy_back_off_ms: u64,
    /// Answer this many operations with ErrorServerBusy inside the response message.
    pub busy_in_message: u32,
    /// Answer this many requests with HTTP 503 + Retry-After: 1.
    pub unavailable: u32,
    /// Close this many connections without an answer.
    pub drop: u32,
    /// Carry out this many CreateItems, then drop the connection.
    pub drop_after_create: u32,
    /// Answer every request after this pause.
    pub delay: Duration,
    /// Cut this many answers in half (headers sent, body short).
    pub truncate: u32,
    /// `ServerVersionInfo` major and minor version (15.1 is Exchange 2016).
    pub server_version: (u32, u32),
    pub password_expires: Option<String>,
    pub can_create: bool,
    /// Everything refused with HTTP 401 (e.g. an expired password).
    pub reject_all: bool,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            username: "svc-roomvoice@contoso.com".into(),
            password: "Corr3ct-Horse-Battery!".into(),
            bearer: None,
            impersonable: None,
            delegate_of: Vec::new(),
            mailboxes: vec![
                "everest@contoso.com".into(),
                "dana@contoso.com".into(),
                "k2@contoso.com".into(),
            ],
            busy: 0,
            busy_back_off_ms: 50,
            busy_in_message: 0,
            unavailable: 0,
            drop: 0,
            drop_after_create: 0,
            delay: Duration::ZERO,
            truncate: 0,
            server_version: (15, 1),
            password_expires: None,
            can_create: true,
            reject_all: false,
        }
    }
}

#[derive(Debug, Default)]
pub struct State {
    pub items: Vec<Item>,
    pub behaviour: Behaviour,
    next_id: u32,
    /// EWS responses sent (for schema validation).
    pub responses: Vec<String>,
    /// Operations seen, in order ("FindItem", ...).
    pub operations: Vec<String>,
}

pub struct FakeExchange {
    pub server: HttpServer,
    pub state: Arc<Mutex<State>>,
}

impl FakeExchange {
    pub fn start(behaviour: Behaviour, items: Vec<Item>) -> FakeExchange {
        let state = Arc::new(Mutex::new(State {
            behaviour,
            ..State::default()
        }));
        for item in items {
            add_item(&mut state.lock().unwrap(), item);
        }
        let shared = state.clone();
        let server = HttpServer::start(move |request| handle(&shared, request));
        FakeExchange { server, state }
    }

    pub fn url(&self) -> String {
        self.server.url(EWS_PATH)
    }

    pub fn items(&self, mailbox: &str) -> Vec<Item> {
        let state = self.state.lock().unwrap();
        state
            .items
            .iter()
            .filter(|i| i.mailbox.eq_ignore_ascii_case(mailbox))
            .cloned()
            .collect()
    }

    pub fn operations(&self) -> Vec<String> {
        self.state.lock().unwrap().operations.clone()
    }

    pub fn behave(&self, change: impl FnOnce(&mut Behaviour)) {
        change(&mut self.state.lock().unwrap().behaviour);
    }

    /// Validates every request received and every EWS response sent against the
    /// schema copy in tests/ews-schema (one run of its `validate` script); panics with
    /// the validator's messages when any fails.
    pub fn schema_check(&self) {
        let mut documents: BTreeSet<String> = self
            .server
            .requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path() == EWS_PATH)
            .map(|r| r.body)
            .collect();
        documents.extend(self.state.lock().unwrap().responses.iter().cloned());
        validate(documents.into_iter().collect());
    }
}

/// Runs the schema validator on documents; panics with its output when one fails.
pub fn validate(documents: Vec<String>) {
    if documents.is_empty() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut paths = Vec::new();
    for (i, document) in documents.iter().enumerate() {
        let path = dir.path().join(format!("doc{i:03}.xml"));
        std::fs::write(&path, document).expect("write document");
        paths.push(path);
    }
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/ews-schema/validate");
    let output = std::process::Command::new("python3")
        .arg(&script)
        .args(&paths)
        .output()
        .expect("run tests/ews-schema/validate (needs python3 and xmllint)");
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let mut failing = String::new();
        for (path, document) in paths.iter().zip(&documents) {
            let name = path.file_name().unwrap().to_string_lossy();
            if stderr.contains(&*name) {
                failing.push_str(&format!("--- {name}:\n{document}\n"));
            }
        }
        panic!("schema validation failed:\n{stderr}\n{failing}");
    }
}

/// A fixture from tests/fixtures/ews with `{{name}}` placeholders filled.
pub fn fixture(name: &str, values: &[(&str, &str)]) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ews")
        .join(name);
    let mut text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()));
    for (key, value) in values {
        text = text.replace(&format!("{{{{{key}}}}}"), value);
    }
    assert!(
        !text.contains("{{"),
        "fixture {name} has an unfilled placeholder"
    );
    text
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn ews_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn add_item(state: &mut State, mut item: Item) -> String {
    state.next_id += 1;
    item.id = format!("AAMkADEzOTExYjJkLTYxZDAt{:04}AAA=", state.next_id);
    let id = item.id.clone();
    state.items.push(item);
    id
}

fn soap(status: u16, body: String) -> Reply {
    Reply::new(status, "text/xml; charset=utf-8", body)
}

fn fault(code: &str, text: &str, back_off_ms: Option<u64>) -> Reply {
    let message_xml = back_off_ms
        .map(|ms| format!("<t:MessageXml xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\"><t:Value Name=\"BackOffMilliseconds\">{ms}</t:Value></t:MessageXml>"))
        .unwrap_or_default();
    // SOAP faults are SOAP, not EWS messages: not schema-validated (the validator
    // checks Body children against messages.xsd).
    soap(
        500,
        fixture(
            "fault.xml",
            &[
                ("code", code),
                ("text", text),
                ("message_xml", &message_xml),
            ],
        ),
    )
}

fn error(state: &mut State, operation: &str, code: &str, text: &str) -> Reply {
    let body = fixture(
        "error.xml",
        &[
            ("operation", operation),
            ("code", code),
            ("text", text),
            ("message_xml", ""),
        ],
    );
    state.responses.push(body.clone());
    soap(200, body)
}

fn ok(state: &mut State, body: String) -> Reply {
    let (major, minor) = state.behaviour.server_version;
    let body = body.replace(
        "MajorVersion=\"15\" MinorVersion=\"1\"",
        &format!("MajorVersion=\"{major}\" MinorVersion=\"{minor}\""),
    );
    state.responses.push(body.clone());
    if state.behaviour.truncate > 0 {
        state.behaviour.truncate -= 1;
        return Reply::Truncate { status: 200, body };
    }
    soap(200, body)
}

fn handle(shared: &Mutex<State>, request: &Request) -> Reply {
    let delay = shared.lock().unwrap().behaviour.delay;
    let reply = handle_now(shared, request);
    if delay.is_zero() {
        reply
    } else {
        Reply::Delay(delay, Box::new(reply))
    }
}

fn handle_now(shared: &Mutex<State>, request: &Request) -> Reply {
    let mut state = shared.lock().unwrap();
    let path = request.path().to_ascii_lowercase();
    if path.starts_with("/owa") {
        return Reply::new(302, "text/html", "<html>moved</html>")
            .with_header("Location", "/owa/auth/logon.aspx?replaceCurrent=1");
    }
    if request.path() != EWS_PATH {
        return Reply::new(404, "text/html", "<html>404 Not Found</html>");
    }
    if state.behaviour.drop > 0 {
        state.behaviour.drop -= 1;
        return Reply::Drop;
    }
    if !authorised(&state.behaviour, request) {
        return Reply::new(401, "text/html", "")
            .with_header("WWW-Authenticate", "Basic realm=\"mail.contoso.com\"");
    }
    if state.behaviour.unavailable > 0 {
        state.behaviour.unavailable -= 1;
        return Reply::new(503, "text/html", "<html>Service Unavailable</html>")
            .with_header("Retry-After", "1");
    }
    if state.behaviour.busy > 0 {
        state.behaviour.busy -= 1;
        let ms = state.behaviour.busy_back_off_ms;
        return fault(
            "ErrorServerBusy",
            "The server cannot service this request right now. Try again later.",
            Some(ms),
        );
    }
    let envelope = match xml::parse(&request.body) {
        Ok(e) => e,
        Err(e) => return fault("ErrorSchemaValidation", &format!("not XML: {e}"), None),
    };
    let Some(operation) = envelope
        .path(&["Body"])
        .and_then(|b| b.children.first())
        .cloned()
    else {
        return fault("ErrorSchemaValidation", "empty body", None);
    };
    state.operations.push(operation.name.clone());
    let impersonated = envelope
        .find("ExchangeImpersonation")
        .and_then(|i| i.find("PrimarySmtpAddress"))
        .map(|p| p.text.trim().to_ascii_lowercase());
    if let Some(mailbox) = &impersonated {
        if let Some(allowed) = &state.behaviour.impersonable {
            if !allowed.iter().any(|a| a.eq_ignore_ascii_case(mailbox)) {
                return fault(
                    "ErrorImpersonationDenied",
                    "The account does not have permission to impersonate the requested user.",
                    None,
                );
            }
        }
        if !state
            .behaviour
            .mailboxes
            .iter()
            .any(|m| m.eq_ignore_ascii_case(mailbox))
        {
            return fault(
                "ErrorNonExistentMailbox",
                "The SMTP address has no mailbox associated with it.",
                None,
            );
        }
    }
    // The mailbox acted on: impersonated, or named in the folder id (delegate).
    let delegate_mailbox = operation
        .find("DistinguishedFolderId")
        .and_then(|f| f.find("EmailAddress"))
        .map(|e| e.text.trim().to_ascii_lowercase());
    let mailbox = impersonated.clone().or(delegate_mailbox.clone());
    if impersonated.is_none() {
        if let Some(target) = &delegate_mailbox {
            let behaviour = &state.behaviour;
            if !behaviour
                .mailboxes
                .iter()
                .any(|m| m.eq_ignore_ascii_case(target))
            {
                return error(
                    &mut state,
                    &response_name(&operation.name),
                    "ErrorNonExistentMailbox",
                    "The SMTP address has no mailbox associated with it.",
                );
            }
            if !behaviour
                .delegate_of
                .iter()
                .any(|m| m.eq_ignore_ascii_case(target))
            {
                return error(
                    &mut state,
                    &response_name(&operation.name),
                    "ErrorAccessDenied",
                    "Access is denied. Check credentials and try again.",
                );
            }
        }
    }
    if state.behaviour.busy_in_message > 0 {
        state.behaviour.busy_in_message -= 1;
        let ms = state.behaviour.busy_back_off_ms;
        let body = fixture(
            "error.xml",
            &[
                ("operation", &response_name(&operation.name)),
                ("code", "ErrorServerBusy"),
                ("text", "The server cannot service this request right now. Try again later."),
                (
                    "message_xml",
                    &format!("<m:MessageXml><t:Value Name=\"BackOffMilliseconds\">{ms}</t:Value></m:MessageXml>"),
                ),
            ],
        );
        state.responses.push(body.clone());
        return soap(200, body);
    }
    match operation.name.as_str() {
        "FindItem" => find_item(&mut state, &operation, mailbox.as_deref()),
        "GetItem" => get_item(&mut state, &operation),
        "CreateItem" => create_item(&mut state, &operation, mailbox.as_deref()),
        "UpdateItem" => update_item(&mut state, &operation),
        "DeleteItem" => delete_item(&mut state, &operation),
        "GetUserAvailabilityRequest" => availability(&mut state, &operation),
        "ResolveNames" => resolve_names(&mut state, &operation),
        "GetPasswordExpirationDate" => password_expiration(&mut state),
        "GetFolder" => get_folder(&mut state),
        other => fault(
            "ErrorInvalidRequest",
            &format!("{other} is not served by this fake"),
            None,
        ),
    }
}

fn response_name(operation: &str) -> String {
    operation.trim_end_matches("Request").to_string()
}

fn authorised(behaviour: &Behaviour, request: &Request) -> bool {
    if behaviour.reject_all {
        return false;
    }
    let Some(value) = request.header("Authorization") else {
        return false;
    };
    if let Some(token) = value.strip_prefix("Bearer ") {
        return behaviour
            .bearer
            .as_deref()
            .is_some_and(|mark| token.contains(mark));
    }
    let Some(encoded) = value.strip_prefix("Basic ") else {
        return false;
    };
    let expected = format!("{}:{}", behaviour.username, behaviour.password);
    encoded == base64(expected.as_bytes())
}

/// Standard base64 (for checking Basic credentials).
pub fn base64(data: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn render_item(item: &Item) -> String {
    let categories = if item.categories.is_empty() {
        String::new()
    } else {
        format!(
            "<t:Categories>{}</t:Categories>",
            item.categories
                .iter()
                .map(|c| format!("<t:String>{}</t:String>", esc(c)))
                .collect::<String>()
        )
    };
    let extended = item
        .marker
        .as_ref()
        .map(|m| format!("<t:ExtendedProperty><t:ExtendedFieldURI DistinguishedPropertySetId=\"PublicStrings\" PropertyName=\"RoomvoiceBooking\" PropertyType=\"String\"/><t:Value>{}</t:Value></t:ExtendedProperty>", esc(m)))
        .unwrap_or_default();
    fixture(
        "calendar_item.xml",
        &[
            ("id", &item.id),
            ("subject", &esc(&item.subject)),
            ("categories", &categories),
            ("extended", &extended),
            ("start", &ews_time(item.start)),
            ("end", &ews_time(item.end)),
            ("all_day", "false"),
            ("location", "Everest"),
            ("cancelled", if item.cancelled { "true" } else { "false" }),
            ("organizer_name", &esc(&item.organizer_name)),
            ("organizer_email", &esc(&item.organizer_email)),
        ],
    )
}

fn find_item(state: &mut State, operation: &Element, mailbox: Option<&str>) -> Reply {
    let Some(mailbox) = mailbox else {
        return fault(
            "ErrorInvalidRequest",
            "no mailbox: neither impersonation nor a folder mailbox",
            None,
        );
    };
    let view = operation
        .child("CalendarView")
        .expect("FindItem has CalendarView");
    let start: DateTime<Utc> = view.attr("StartDate").unwrap().parse().unwrap();
    let end: DateTime<Utc> = view.attr("EndDate").unwrap().parse().unwrap();
    let max: usize = view
        .attr("MaxEntriesReturned")
        .unwrap_or("1000")
        .parse()
        .unwrap();
    let mut matching: Vec<&Item> = state
        .items
        .iter()
        .filter(|i| i.mailbox.eq_ignore_ascii_case(mailbox) && i.start < end && i.end > start)
        .collect();
    matching.sort_by_key(|i| i.start);
    let complete = matching.len() <= max;
    let items: String = matching.iter().take(max).map(|i| render_item(i)).collect();
    let count = matching.len().to_string();
    let body = fixture(
        "find_item.xml",
        &[
            ("count", &count),
            ("complete", if complete { "true" } else { "false" }),
            ("items", &items),
        ],
    );
    ok(state, body)
}

fn item_ids(operation: &Element) -> Vec<String> {
    let mut ids = Vec::new();
    collect_ids(operation, &mut ids);
    ids
}

fn collect_ids(element: &Element, ids: &mut Vec<String>) {
    if element.name == "ItemId" {
        if let Some(id) = element.attr("Id") {
            ids.push(id.to_string());
        }
    }
    for child in &element.children {
        collect_ids(child, ids);
    }
}

fn get_item(state: &mut State, operation: &Element) -> Reply {
    let ids = item_ids(operation);
    let body_type = operation
        .find("BodyType")
        .map(|b| b.text.trim().to_string())
        .unwrap_or("Best".into());
    let Some(item) = state.items.iter().find(|i| ids.contains(&i.id)).cloned() else {
        return error(
            state,
            "GetItem",
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        );
    };
    let (kind, text) = if body_type == "HTML" {
        (
            "HTML",
            format!(
                "<html><body><p>{}</p></body></html>",
                item.body.replace('\n', "<br>")
            ),
        )
    } else {
        ("Text", item.body.clone())
    };
    let body = fixture(
        "get_item.xml",
        &[("id", &item.id), ("body_type", kind), ("body", &esc(&text))],
    );
    ok(state, body)
}

fn create_item(state: &mut State, operation: &Element, mailbox: Option<&str>) -> Reply {
    let Some(mailbox) = mailbox else {
        return fault("ErrorInvalidRequest", "no mailbox", None);
    };
    if !state.behaviour.can_create {
        return error(
            state,
            "CreateItem",
            "ErrorAccessDenied",
            "Access is denied. Check credentials and try again.",
        );
    }
    let item = operation
        .find("CalendarItem")
        .expect("CreateItem has a CalendarItem");
    let marker = item
        .children_named("ExtendedProperty")
        .find_map(|p| p.child_text("Value"))
        .map(str::to_string);
    let categories = item
        .child("Categories")
        .map(|c| {
            c.children
                .iter()
                .map(|s| s.text.trim().to_string())
                .collect()
        })
        .unwrap_or_default();
    let new = Item {
        id: String::new(),
        mailbox: mailbox.to_string(),
        subject: item.child_text("Subject").unwrap_or("").to_string(),
        start: item.child_text("Start").unwrap().parse().unwrap(),
        end: item.child_text("End").unwrap().parse().unwrap(),
        organizer_name: "Everest".into(),
        organizer_email: mailbox.to_string(),
        body: item.child_text("Body").unwrap_or("").to_string(),
        marker,
        categories,
        cancelled: false,
    };
    let id = add_item(state, new);
    if state.behaviour.drop_after_create > 0 {
        state.behaviour.drop_after_create -= 1;
        return Reply::Drop;
    }
    let body = fixture("create_item.xml", &[("id", &id)]);
    ok(state, body)
}

fn update_item(state: &mut State, operation: &Element) -> Reply {
    let ids = item_ids(operation);
    let end = operation.find("End").map(|e| e.text.trim().to_string());
    let Some(item) = state.items.iter_mut().find(|i| ids.contains(&i.id)) else {
        return error(
            state,
            "UpdateItem",
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        );
    };
    if let Some(end) = end {
        item.end = end.parse().unwrap();
    }
    let id = item.id.clone();
    let body = fixture("update_item.xml", &[("id", &id)]);
    ok(state, body)
}

fn delete_item(state: &mut State, operation: &Element) -> Reply {
    let ids = item_ids(operation);
    let before = state.items.len();
    state.items.retain(|i| !ids.contains(&i.id));
    if state.items.len() == before {
        return error(
            state,
            "DeleteItem",
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        );
    }
    let body = fixture("delete_item.xml", &[]);
    ok(state, body)
}

fn availability(state: &mut State, operation: &Element) -> Reply {
    let window = operation.find("TimeWindow").expect("TimeWindow");
    let start = format!("{}Z", window.child_text("StartTime").unwrap());
    let end = format!("{}Z", window.child_text("EndTime").unwrap());
    let start: DateTime<Utc> = start.parse().unwrap();
    let end: DateTime<Utc> = end.parse().unwrap();
    let addresses: Vec<String> = operation
        .find("MailboxDataArray")
        .unwrap()
        .children
        .iter()
        .filter_map(|d| {
            d.find("Address")
                .map(|a| a.text.trim().to_ascii_lowercase())
        })
        .collect();
    if addresses.len() > 100 {
        return fault("ErrorExceededFindCountLimit", "too many mailboxes", None);
    }
    let mut responses = String::new();
    for address in &addresses {
        if !state
            .behaviour
            .mailboxes
            .iter()
            .any(|m| m.eq_ignore_ascii_case(address))
        {
            responses.push_str(&fixture(
                "free_busy_response.xml",
                &[
                    ("class", "Error"),
                    ("message", "<MessageText>Mailbox not found</MessageText>"),
                    ("code", "ErrorMailRecipientNotFound"),
                    ("events", ""),
                ],
            ));
            continue;
        }
        let events: String = state
            .items
            .iter()
            .filter(|i| i.mailbox.eq_ignore_ascii_case(address) && i.start < end && i.end > start)
            .map(|i| {
                fixture(
                    "free_busy_event.xml",
                    &[
                        ("start", &i.start.format("%Y-%m-%dT%H:%M:%S").to_string()),
                        ("end", &i.end.format("%Y-%m-%dT%H:%M:%S").to_string()),
                        ("busy_type", "Busy"),
                    ],
                )
            })
            .collect();
        responses.push_str(&fixture(
            "free_busy_response.xml",
            &[
                ("class", "Success"),
                ("message", ""),
                ("code", "NoError"),
                ("events", &events),
            ],
        ));
    }
    let body = fixture("get_user_availability.xml", &[("responses", &responses)]);
    ok(state, body)
}

fn resolve_names(state: &mut State, operation: &Element) -> Reply {
    let entry = operation
        .child_text("UnresolvedEntry")
        .unwrap_or("")
        .to_ascii_lowercase();
    let found = state
        .behaviour
        .mailboxes
        .iter()
        .find(|m| m.eq_ignore_ascii_case(&entry))
        .cloned();
    let body = match found {
        Some(address) => {
            let (name, kind) = if address.starts_with("everest") || address.starts_with("k2") {
                ("Everest", "Mailbox")
            } else {
                ("Dana Lee", "Mailbox")
            };
            let resolution = fixture(
                "resolution.xml",
                &[("name", name), ("email", &address), ("mailbox_type", kind)],
            );
            fixture(
                "resolve_names.xml",
                &[
                    ("class", "Success"),
                    ("message", ""),
                    ("code", "NoError"),
                    ("count", "1"),
                    ("resolutions", &resolution),
                ],
            )
        }
        None => fixture(
            "resolve_names.xml",
            &[
                ("class", "Error"),
                (
                    "message",
                    "<m:MessageText>No results were found.</m:MessageText>",
                ),
                ("code", "ErrorNameResolutionNoResults"),
                ("count", "0"),
                ("resolutions", ""),
            ],
        ),
    };
    ok(state, body)
}

fn password_expiration(state: &mut State) -> Reply {
    // A password that never expires reads as the largest date Exchange can send.
    let date = state
        .behaviour
        .password_expires
        .clone()
        .unwrap_or_else(|| "9999-12-31T23:59:59Z".into());
    let body = fixture("get_password_expiration_date.xml", &[("date", &date)]);
    ok(state, body)
}

fn get_folder(state: &mut State) -> Reply {
    let create = if state.behaviour.can_create {
        "true"
    } else {
        "false"
    };
    let body = fixture(
        "get_folder.xml",
        &[("create", create), ("modify", create), ("delete", create)],
    );
    ok(state, body)
}
