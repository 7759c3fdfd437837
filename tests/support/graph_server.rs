//! A fake Microsoft Graph (and Entra ID token endpoint) on loopback, for the `graph`
//! backend's tests: calendarView with paging, getSchedule, events create / update /
//! delete, calendar `canEdit`, and the token endpoint for client credentials and the
//! password grant. JSON shapes follow Microsoft's published examples
//! (tests/fixtures/graph/). Faults per test: 429 throttling, 403, dropped answers,
//! refused secrets.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::http_server::{HttpServer, Reply, Request};

pub const TOKEN_PATH: &str = "/tenant-id/oauth2/v2.0/token";

#[derive(Debug, Clone)]
pub struct GraphItem {
    pub id: String,
    pub mailbox: String,
    pub subject: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub body: String,
    pub teams: bool,
    pub categories: Vec<String>,
    pub transaction_id: Option<String>,
}

impl GraphItem {
    pub fn meeting(
        mailbox: &str,
        subject: &str,
        start: &str,
        end: &str,
        body: &str,
        teams: bool,
    ) -> GraphItem {
        GraphItem {
            id: String::new(),
            mailbox: mailbox.into(),
            subject: subject.into(),
            start: start.parse().unwrap(),
            end: end.parse().unwrap(),
            body: body.into(),
            teams,
            categories: Vec::new(),
            transaction_id: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct GraphBehaviour {
    pub client_secret: String,
    /// For the password grant.
    pub username: String,
    pub password: String,
    pub token_lifetime_s: u64,
    pub page_size: usize,
    /// Answer this many API requests with 429 + Retry-After: 1.
    pub throttle: u32,
    /// Mailboxes the app may not read (403).
    pub forbidden: Vec<String>,
    pub mailboxes: Vec<String>,
    pub drop_after_create: u32,
    pub drop: u32,
    pub can_edit: bool,
    pub delay: Duration,
    /// Application permissions put in client-credentials tokens (`roles`).
    pub roles: Vec<String>,
    /// Delegated scopes put in password-grant tokens (`scp`).
    pub scopes: String,
}

/// Every token the fake issues ends with this and a serial number; tests grep output
/// for it to prove no token leaks.
pub const TOKEN_MARK: &str = ".sig-fake-";

impl Default for GraphBehaviour {
    fn default() -> Self {
        GraphBehaviour {
            client_secret: super::CLIENT_SECRET.into(),
            username: "svc-roomvoice@contoso.com".into(),
            password: super::PASSWORD.into(),
            token_lifetime_s: 3599,
            page_size: 2,
            throttle: 0,
            forbidden: Vec::new(),
            mailboxes: vec![
                "everest@contoso.com".into(),
                "dana@contoso.com".into(),
                "k2@contoso.com".into(),
            ],
            drop_after_create: 0,
            drop: 0,
            can_edit: true,
            delay: Duration::ZERO,
            roles: vec!["Calendars.ReadWrite".into()],
            scopes: "Calendars.ReadWrite.Shared User.Read".into(),
        }
    }
}

#[derive(Debug, Default)]
pub struct GraphState {
    pub items: Vec<GraphItem>,
    pub behaviour: GraphBehaviour,
    pub tokens_issued: u32,
    next_id: u32,
}

pub struct FakeGraph {
    pub server: HttpServer,
    pub state: Arc<Mutex<GraphState>>,
}

impl FakeGraph {
    pub fn start(behaviour: GraphBehaviour, items: Vec<GraphItem>) -> FakeGraph {
        let state = Arc::new(Mutex::new(GraphState {
            behaviour,
            ..GraphState::default()
        }));
        for item in items {
            add(&mut state.lock().unwrap(), item);
        }
        let shared = state.clone();
        let server = HttpServer::start(move |request| {
            let delay = shared.lock().unwrap().behaviour.delay;
            let reply = handle(&shared, request);
            if delay.is_zero() {
                reply
            } else {
                Reply::Delay(delay, Box::new(reply))
            }
        });
        FakeGraph { server, state }
    }

    pub fn base_url(&self) -> String {
        self.server.url("/v1.0")
    }

    pub fn token_url(&self) -> String {
        self.server.url(TOKEN_PATH)
    }

    pub fn items(&self, mailbox: &str) -> Vec<GraphItem> {
        self.state
            .lock()
            .unwrap()
            .items
            .iter()
            .filter(|i| i.mailbox.eq_ignore_ascii_case(mailbox))
            .cloned()
            .collect()
    }

    pub fn behave(&self, change: impl FnOnce(&mut GraphBehaviour)) {
        change(&mut self.state.lock().unwrap().behaviour);
    }

    pub fn tokens_issued(&self) -> u32 {
        self.state.lock().unwrap().tokens_issued
    }
}

fn add(state: &mut GraphState, mut item: GraphItem) -> String {
    state.next_id += 1;
    item.id = format!("AAMkAGI2TGuLAAA={:04}", state.next_id);
    let id = item.id.clone();
    state.items.push(item);
    id
}

fn fixture(name: &str, values: &[(&str, &str)]) -> String {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/graph")
        .join(name);
    let mut text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()));
    for (key, value) in values {
        text = text.replace(&format!("{{{{{key}}}}}"), value);
    }
    text
}

fn json_reply(status: u16, value: &Value) -> Reply {
    Reply::new(status, "application/json", value.to_string())
}

fn graph_error(status: u16, code: &str, message: &str) -> Reply {
    Reply::new(
        status,
        "application/json",
        fixture("error.json", &[("code", code), ("message", message)]),
    )
}

/// Percent-decoding for paths and query values.
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("00");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query(request: &Request, name: &str) -> Option<String> {
    let query = request.target.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (decode(k) == name).then(|| decode(v))
    })
}

fn form(body: &str, name: &str) -> Option<String> {
    body.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (decode(k) == name).then(|| decode(v))
    })
}

fn utc_time(value: &Value) -> DateTime<Utc> {
    let text = value["dateTime"].as_str().unwrap();
    assert_eq!(
        value["timeZone"].as_str(),
        Some("UTC"),
        "the client sends UTC times"
    );
    format!("{}Z", text.trim_end_matches('Z')).parse().unwrap()
}

fn render(item: &GraphItem) -> Value {
    let text = fixture(
        "event.json",
        &[
            ("id", &item.id),
            ("subject", &item.subject),
            ("body", &item.body.replace('\n', "\\n")),
            (
                "start",
                &item.start.format("%Y-%m-%dT%H:%M:%S.0000000").to_string(),
            ),
            (
                "end",
                &item.end.format("%Y-%m-%dT%H:%M:%S.0000000").to_string(),
            ),
        ],
    );
    let mut value: Value = serde_json::from_str(&text).unwrap();
    value["categories"] = json!(item.categories);
    value["transactionId"] = json!(item.transaction_id);
    if !item.teams {
        value["isOnlineMeeting"] = json!(false);
        value["onlineMeeting"] = Value::Null;
        value["onlineMeetingProvider"] = json!("unknown");
    }
    value
}

fn handle(shared: &Mutex<GraphState>, request: &Request) -> Reply {
    let mut state = shared.lock().unwrap();
    if state.behaviour.drop > 0 {
        state.behaviour.drop -= 1;
        return Reply::Drop;
    }
    if request.path() == TOKEN_PATH {
        return token(&mut state, request);
    }
    let auth = request.header("Authorization").unwrap_or("");
    let Some(token) = auth.strip_prefix("Bearer ") else {
        return graph_error(401, "InvalidAuthenticationToken", "Access token is empty.");
    };
    if !token.contains(TOKEN_MARK) {
        return graph_error(
            401,
            "InvalidAuthenticationToken",
            "Access token validation failure.",
        );
    }
    if state.behaviour.throttle > 0 {
        state.behaviour.throttle -= 1;
        return graph_error(
            429,
            "ApplicationThrottled",
            "Application is over its MailboxConcurrency limit.",
        )
        .with_header("Retry-After", "1");
    }
    let path = decode(request.path());
    let segments: Vec<&str> = path.trim_start_matches("/v1.0/").split('/').collect();
    let ["users", mailbox, rest @ ..] = segments.as_slice() else {
        return graph_error(400, "BadRequest", "Resource not found for the segment.");
    };
    let mailbox = mailbox.to_ascii_lowercase();
    if !state.behaviour.mailboxes.contains(&mailbox) {
        return graph_error(404, "ErrorInvalidUser", "The requested user is invalid.");
    }
    if state.behaviour.forbidden.contains(&mailbox) {
        return graph_error(
            403,
            "ErrorAccessDenied",
            "Access is denied. Check credentials and try again.",
        );
    }
    match (request.method.as_str(), rest) {
        ("GET", ["calendarView"]) => calendar_view(&state, request, &mailbox),
        ("GET", ["calendar"]) => json_reply(
            200,
            &json!({"id": "AAMkAGI2TGuLAAA=", "name": "Calendar", "canEdit": state.behaviour.can_edit}),
        ),
        ("POST", ["calendar", "getSchedule"]) => schedule(&state, request),
        ("POST", ["events"]) => create(&mut state, request, &mailbox),
        ("PATCH", ["events", id]) => {
            let body: Value = serde_json::from_str(&request.body).unwrap();
            match state.items.iter_mut().find(|i| i.id == *id) {
                Some(item) => {
                    if body.get("end").is_some() {
                        item.end = utc_time(&body["end"]);
                    }
                    let value = render(item);
                    json_reply(200, &value)
                }
                None => graph_error(
                    404,
                    "ErrorItemNotFound",
                    "The specified object was not found in the store.",
                ),
            }
        }
        ("DELETE", ["events", id]) => {
            let before = state.items.len();
            state.items.retain(|i| i.id != *id);
            if state.items.len() == before {
                graph_error(
                    404,
                    "ErrorItemNotFound",
                    "The specified object was not found in the store.",
                )
            } else {
                Reply::new(204, "text/plain", "")
            }
        }
        _ => graph_error(400, "BadRequest", "Unsupported segment type."),
    }
}

fn token(state: &mut GraphState, request: &Request) -> Reply {
    let body = &request.body;
    let grant = form(body, "grant_type").unwrap_or_default();
    let secret_ok =
        form(body, "client_secret").as_deref() == Some(state.behaviour.client_secret.as_str());
    let scope = form(body, "scope").unwrap_or_default();
    if !scope.ends_with("/.default") {
        return Reply::new(400, "application/json", fixture("token_error.json", &[("error", "invalid_scope"), ("description", "AADSTS70011: The provided value for the input parameter 'scope' is not valid.")]));
    }
    let ok = match grant.as_str() {
        "client_credentials" => secret_ok,
        "password" => {
            form(body, "username").as_deref() == Some(state.behaviour.username.as_str())
                && form(body, "password").as_deref() == Some(state.behaviour.password.as_str())
        }
        _ => false,
    };
    if !ok {
        let (error, description) = if grant == "password" && secret_ok {
            (
                "invalid_grant",
                "AADSTS50126: Error validating credentials due to invalid username or password.",
            )
        } else {
            ("invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.")
        };
        return Reply::new(
            401,
            "application/json",
            fixture(
                "token_error.json",
                &[("error", error), ("description", description)],
            ),
        );
    }
    state.tokens_issued += 1;
    // A JWT-shaped token: header, claims (roles or scp), a fake signature.
    let claims = if grant == "password" {
        json!({"aud": "https://graph.microsoft.com", "scp": state.behaviour.scopes})
    } else {
        json!({"aud": "https://graph.microsoft.com", "roles": state.behaviour.roles})
    };
    let payload = super::ews_server::base64(claims.to_string().as_bytes())
        .replace('+', "-")
        .replace('/', "_")
        .replace('=', "");
    let token = format!(
        "eyJ0eXAiOiJKV1QifQ.{payload}{TOKEN_MARK}{}",
        state.tokens_issued
    );
    let lifetime = state.behaviour.token_lifetime_s.to_string();
    Reply::new(
        200,
        "application/json",
        fixture(
            "token.json",
            &[("expires_in", &lifetime), ("token", &token)],
        ),
    )
}

fn calendar_view(state: &GraphState, request: &Request, mailbox: &str) -> Reply {
    let prefer = request.header("Prefer").unwrap_or("");
    assert!(
        prefer.contains("outlook.timezone=\"UTC\""),
        "calendarView without the UTC preference: {prefer}"
    );
    let start: DateTime<Utc> = query(request, "startDateTime").unwrap().parse().unwrap();
    let end: DateTime<Utc> = query(request, "endDateTime").unwrap().parse().unwrap();
    let skip: usize = query(request, "$skip")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut matching: Vec<&GraphItem> = state
        .items
        .iter()
        .filter(|i| i.mailbox.eq_ignore_ascii_case(mailbox) && i.start < end && i.end > start)
        .collect();
    matching.sort_by_key(|i| i.start);
    let page_size = state.behaviour.page_size;
    let page: Vec<Value> = matching
        .iter()
        .skip(skip)
        .take(page_size)
        .map(|i| render(i))
        .collect();
    let mut value = json!({
        "@odata.context": format!("https://graph.microsoft.com/v1.0/$metadata#users('{mailbox}')/calendarView"),
        "value": page,
    });
    if skip + page_size < matching.len() {
        let base = request.target.split("&$skip=").next().unwrap();
        let host = request.header("Host").unwrap();
        value["@odata.nextLink"] = json!(format!("http://{host}{base}&$skip={}", skip + page_size));
    }
    json_reply(200, &value)
}

fn schedule(state: &GraphState, request: &Request) -> Reply {
    let body: Value = serde_json::from_str(&request.body).unwrap();
    let start = utc_time(&body["startTime"]);
    let end = utc_time(&body["endTime"]);
    let schedules: Vec<String> = body["schedules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    if schedules.len() > 20 {
        return graph_error(400, "ErrorInvalidParameter", "Too many schedules.");
    }
    let value: Vec<Value> = schedules
        .iter()
        .map(|s| {
            if !state.behaviour.mailboxes.contains(&s.to_ascii_lowercase()) {
                return json!({"scheduleId": s, "error": {"message": "The specified user could not be found.", "responseCode": "ErrorMailRecipientNotFound"}});
            }
            let items: Vec<Value> = state
                .items
                .iter()
                .filter(|i| i.mailbox.eq_ignore_ascii_case(s) && i.start < end && i.end > start)
                .map(|i| json!({
                    "isPrivate": false, "status": "busy", "subject": i.subject, "location": "Everest",
                    "start": {"dateTime": i.start.format("%Y-%m-%dT%H:%M:%S.0000000").to_string(), "timeZone": "UTC"},
                    "end": {"dateTime": i.end.format("%Y-%m-%dT%H:%M:%S.0000000").to_string(), "timeZone": "UTC"},
                }))
                .collect();
            json!({"scheduleId": s, "availabilityView": "0000", "scheduleItems": items})
        })
        .collect();
    json_reply(200, &json!({"value": value}))
}

fn create(state: &mut GraphState, request: &Request, mailbox: &str) -> Reply {
    if !state.behaviour.can_edit {
        return graph_error(
            403,
            "ErrorAccessDenied",
            "Access is denied. Check credentials and try again.",
        );
    }
    let body: Value = serde_json::from_str(&request.body).unwrap();
    let transaction_id = body["transactionId"].as_str().map(str::to_string);
    // Graph's own duplicate guard: the same transactionId returns the first event.
    if let Some(tid) = &transaction_id {
        if let Some(existing) = state
            .items
            .iter()
            .find(|i| i.transaction_id.as_deref() == Some(tid))
        {
            return json_reply(201, &render(existing));
        }
    }
    let item = GraphItem {
        id: String::new(),
        mailbox: mailbox.into(),
        subject: body["subject"].as_str().unwrap_or("").into(),
        start: utc_time(&body["start"]),
        end: utc_time(&body["end"]),
        body: body["body"]["content"].as_str().unwrap_or("").into(),
        teams: false,
        categories: body["categories"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        transaction_id,
    };
    let id = add(state, item);
    if state.behaviour.drop_after_create > 0 {
        state.behaviour.drop_after_create -= 1;
        return Reply::Drop;
    }
    let created = state.items.iter().find(|i| i.id == id).unwrap();
    json_reply(201, &render(created))
}
