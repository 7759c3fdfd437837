//! The HTTP transport of the Graph backend: bearer tokens, `Prefer` headers, retries
//! that honour `Retry-After` (HTTP 429, 503, 504), and Graph's JSON errors mapped to
//! [`CalendarError`]s that name the missing permission.
//!
//! <https://learn.microsoft.com/en-us/graph/throttling>
//! <https://learn.microsoft.com/en-us/graph/errors>

use serde::Deserialize;

use super::GraphAuth;
use crate::calendar::http::{self, Limits, Retry, TransportFailure};
use crate::calendar::oauth::TokenCache;
use crate::calendar::CalendarError;

/// How a failed attempt may be retried (as in the EWS transport).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotence {
    Safe,
    LookUpFirst,
}

#[derive(Debug)]
pub struct GraphClient {
    pub client: reqwest::blocking::Client,
    pub base_url: String,
    pub tokens: TokenCache,
    pub auth: GraphAuth,
    pub limits: Limits,
    /// `outlook.body-content-type` preference: "text" or "html".
    pub body_type: &'static str,
    /// For messages: who the device signs in as.
    pub account: String,
    /// A recent network failure: calls make one attempt until it is old.
    pub outage: http::OutageMemory,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

enum Failure {
    Throttled(Option<std::time::Duration>),
    Transport(TransportFailure, CalendarError),
    Unauthorized(CalendarError),
    Final(CalendarError),
}

impl GraphClient {
    /// `base_url` + path segments, each escaped (mailboxes and ids contain `@`, `=`, `/`).
    pub fn url(&self, segments: &[&str]) -> Result<reqwest::Url, CalendarError> {
        let mut url = reqwest::Url::parse(&self.base_url).map_err(|e| {
            CalendarError::Invalid(format!(
                "[calendar.graph] base_url = \"{}\": {e}",
                self.base_url
            ))
        })?;
        {
            let mut path = url.path_segments_mut().map_err(|_| {
                CalendarError::Invalid(format!(
                    "[calendar.graph] base_url = \"{}\" cannot take a path",
                    self.base_url
                ))
            })?;
            path.pop_if_empty();
            for segment in segments {
                path.push(segment);
            }
        }
        Ok(url)
    }

    /// Sends one request with retries; returns the status and body of a 2xx answer.
    pub fn send(
        &self,
        method: reqwest::Method,
        url: &reqwest::Url,
        json: Option<&serde_json::Value>,
        mailbox: Option<&str>,
        idempotence: Idempotence,
    ) -> Result<(u16, String), CalendarError> {
        let result = self.send_with_retries(method, url, json, mailbox, idempotence);
        self.outage
            .record(matches!(result, Err(CalendarError::Unreachable { .. })));
        result
    }

    fn send_with_retries(
        &self,
        method: reqwest::Method,
        url: &reqwest::Url,
        json: Option<&serde_json::Value>,
        mailbox: Option<&str>,
        idempotence: Idempotence,
    ) -> Result<(u16, String), CalendarError> {
        let mut retry = Retry::new(self.outage.limits(self.limits));
        let mut token_refreshed = false;
        let mut last_error = None;
        while retry.next_attempt() {
            match self.attempt(method.clone(), url, json, mailbox) {
                Ok(answer) => return Ok(answer),
                Err(Failure::Throttled(delay)) => {
                    tracing::info!(%url, ?delay, "Graph throttled the request; backing off");
                    last_error = Some(CalendarError::Throttled {
                        retry_after_s: delay.map(|d| d.as_secs().max(1)),
                    });
                    if !retry.wait(delay) {
                        break;
                    }
                }
                Err(Failure::Transport(kind, error)) => {
                    let lost =
                        matches!(kind, TransportFailure::Dropped | TransportFailure::Timeout);
                    if kind == TransportFailure::Tls
                        || (lost && idempotence == Idempotence::LookUpFirst)
                    {
                        return Err(error);
                    }
                    last_error = Some(error);
                    if !retry.wait(None) {
                        break;
                    }
                }
                Err(Failure::Unauthorized(error)) => {
                    if !token_refreshed {
                        self.tokens.invalidate();
                        token_refreshed = true;
                        last_error = Some(error);
                        continue;
                    }
                    return Err(error);
                }
                Err(Failure::Final(error)) => return Err(error),
            }
        }
        Err(last_error.unwrap_or_else(|| CalendarError::Unreachable {
            endpoint: self.base_url.clone(),
            detail: "no attempt was made (max_attempts = 0)".into(),
        }))
    }

    fn attempt(
        &self,
        method: reqwest::Method,
        url: &reqwest::Url,
        json: Option<&serde_json::Value>,
        mailbox: Option<&str>,
    ) -> Result<(u16, String), Failure> {
        let token = self.tokens.token(&self.client).map_err(Failure::Final)?;
        let mut request = self
            .client
            .request(method, url.clone())
            .bearer_auth(token.expose())
            .header(
                "Prefer",
                format!(
                    "outlook.timezone=\"UTC\", outlook.body-content-type=\"{}\"",
                    self.body_type
                ),
            );
        if let Some(json) = json {
            request = request.json(json);
        }
        let endpoint = self.base_url.as_str();
        let response = request.send().map_err(|e| {
            let (kind, error) = http::transport_error(endpoint, &e);
            Failure::Transport(kind, error)
        })?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().map_err(|e| {
            let (kind, error) = http::transport_error(endpoint, &e);
            Failure::Transport(kind, error)
        })?;
        if (200..300).contains(&status) {
            return Ok((status, text));
        }
        let (code, message) = match serde_json::from_str::<ErrorEnvelope>(&text) {
            Ok(e) => (e.error.code, e.error.message),
            Err(_) => (String::new(), String::new()),
        };
        let mailbox = mailbox.unwrap_or("the mailbox");
        let said = if code.is_empty() {
            format!("HTTP {status}")
        } else {
            format!("{code}: {message}")
        };
        Err(match status {
            401 => Failure::Unauthorized(CalendarError::Auth(format!(
                "Graph rejected the token ({said}); check tenant_id, client_id and the client secret{}",
                if self.auth == GraphAuth::Delegate { ", and the service account's username and password" } else { "" }
            ))),
            403 => Failure::Final(CalendarError::Permission(match self.auth {
                GraphAuth::Application => format!(
                    "Graph refused access to {mailbox} ({said}): the app registration needs the application permission Calendars.ReadWrite with admin consent (and, if an application access policy limits it, a policy that includes {mailbox})"
                ),
                GraphAuth::Delegate => format!(
                    "Graph refused access to {mailbox} ({said}): give {} Editor rights on {mailbox}'s calendar (Add-MailboxFolderPermission -Identity {mailbox}:\\Calendar -User {} -AccessRights Editor) and the delegated permission Calendars.ReadWrite.Shared",
                    self.account, self.account
                ),
            })),
            404 => Failure::Final(CalendarError::NotFound(format!("{said} ({mailbox}); check the address"))),
            429 | 503 | 504 => Failure::Throttled(http::retry_after(&headers)),
            400 => Failure::Final(CalendarError::Invalid(format!("Graph refused the request: {said}"))),
            _ => Failure::Final(CalendarError::Server(format!("Graph answered {said}"))),
        })
    }

    /// A full URL from `@odata.nextLink`, only when it stays on the configured service
    /// (the bearer token must never go elsewhere).
    pub fn next_link(&self, link: &str) -> Result<reqwest::Url, CalendarError> {
        let url = reqwest::Url::parse(link).map_err(|e| {
            CalendarError::Invalid(format!("Graph sent an unusable @odata.nextLink: {e}"))
        })?;
        let base = reqwest::Url::parse(&self.base_url)
            .map_err(|e| CalendarError::Invalid(e.to_string()))?;
        if url.origin() != base.origin() {
            return Err(CalendarError::Invalid(format!(
                "Graph's @odata.nextLink points to another host ({}); refusing to send the token there",
                url.host_str().unwrap_or("?")
            )));
        }
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::oauth::{Grant, TokenSource};
    use crate::calendar::secret::Secret;

    fn client() -> GraphClient {
        let limits = Limits::default();
        GraphClient {
            client: http::client(&limits, None, false).unwrap(),
            base_url: "https://graph.microsoft.com/v1.0".into(),
            tokens: TokenCache::new(TokenSource {
                token_url: "https://login.microsoftonline.com/t/oauth2/v2.0/token".into(),
                client_id: "c".into(),
                client_secret: Some(Secret::new("s")),
                scope: "https://graph.microsoft.com/.default".into(),
                grant: Grant::ClientCredentials,
            }),
            auth: GraphAuth::Application,
            limits,
            body_type: "text",
            account: "the app c".into(),
            outage: http::OutageMemory::default(),
        }
    }

    #[test]
    fn path_segments_are_escaped() {
        let url = client()
            .url(&["users", "room a@contoso.com", "events", "AAMk/x=="])
            .unwrap();
        assert_eq!(
            url.as_str(),
            "https://graph.microsoft.com/v1.0/users/room%20a@contoso.com/events/AAMk%2Fx=="
        );
    }

    #[test]
    fn next_links_must_stay_on_the_service() {
        let c = client();
        assert!(c
            .next_link("https://graph.microsoft.com/v1.0/users/x/calendarView?$skip=10")
            .is_ok());
        let err = c
            .next_link("https://evil.example.com/v1.0/users/x/calendarView")
            .unwrap_err();
        assert!(
            err.to_string().contains("refusing to send the token"),
            "{err}"
        );
    }
}
