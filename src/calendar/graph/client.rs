//! The HTTP transport of the Graph backend: bearer tokens, `Prefer` headers, retries
//! that honour `Retry-After` (HTTP 429, 503, 504), and Graph's JSON errors mapped to
//! [`CalendarError`]s that name the missing permission.
//!
//! <https://learn.microsoft.com/en-us/graph/throttling>
//! <https://learn.microsoft.com/en-us/graph/errors>

use serde::Deserialize;

use super::GraphAuth;
use crate::calendar::http::{self, Limits};
use crate::calendar::oauth::TokenCache;
use crate::calendar::remote::{self, BodyFormat, Endpoint, Failure, Idempotence};
use crate::calendar::CalendarError;

#[derive(Debug)]
pub(crate) struct GraphClient {
    pub client: reqwest::blocking::Client,
    pub base_url: String,
    pub tokens: TokenCache,
    pub auth: GraphAuth,
    pub limits: Limits,
    /// Which body form to ask for (`outlook.body-content-type`).
    pub body_type: BodyFormat,
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

impl GraphClient {
    /// `base_url` + path segments, each escaped (mailboxes and ids contain `@`, `=`, `/`).
    pub(crate) fn url(&self, segments: &[&str]) -> Result<reqwest::Url, CalendarError> {
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
    pub(crate) fn send(
        &self,
        method: reqwest::Method,
        url: &reqwest::Url,
        json: Option<&serde_json::Value>,
        mailbox: Option<&str>,
        idempotence: Idempotence,
    ) -> Result<(u16, String), CalendarError> {
        let endpoint = Endpoint {
            service: "Graph",
            url: &self.base_url,
            limits: self.limits,
            outage: &self.outage,
        };
        remote::with_retries(
            &endpoint,
            url.as_str(),
            idempotence,
            || self.attempt(method.clone(), url, json, mailbox),
            || {
                self.tokens.invalidate();
                true
            },
        )
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
                    self.body_type.as_graph()
                ),
            );
        if let Some(json) = json {
            request = request.json(json);
        }
        let endpoint = self.base_url.as_str();
        let response = request
            .send()
            .map_err(|e| Failure::Transport(http::transport_error(endpoint, &e)))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response
            .text()
            .map_err(|e| Failure::Transport(http::transport_error(endpoint, &e)))?;
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
    pub(crate) fn next_link(&self, link: &str) -> Result<reqwest::Url, CalendarError> {
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
            body_type: BodyFormat::Text,
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
