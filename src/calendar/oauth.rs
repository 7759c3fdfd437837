//! OAuth 2 tokens from Microsoft Entra ID for Exchange Online (EWS) and Graph.
//!
//! Two grants: client credentials (an app registration with application permissions;
//! the documented way for daemons) and the resource-owner password grant (a delegate
//! service account; Microsoft discourages it: no MFA, no federated or guest accounts,
//! no conditional access prompts. Use it only for a dedicated, excluded service
//! account). The token is cached and renewed a few minutes before it expires, so a
//! voice command rarely pays for a token round trip. The token endpoint is
//! `https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token` unless `token_url`
//! overrides it (tests).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::http;
use super::secret::Secret;
use super::CalendarError;

/// Renew when less than this is left on the token.
const RENEW_BEFORE: Duration = Duration::from_secs(300);

/// Which grant to ask for.
#[derive(Debug, Clone)]
pub(crate) enum Grant {
    ClientCredentials,
    Password { username: String, password: Secret },
}

/// Everything needed to ask Entra ID for a token.
#[derive(Debug, Clone)]
pub(crate) struct TokenSource {
    pub token_url: String,
    pub client_id: String,
    /// Required for client credentials; optional for the password grant (public clients).
    pub client_secret: Option<Secret>,
    pub scope: String,
    pub grant: Grant,
}

impl TokenSource {
    /// The Entra ID token endpoint of a tenant.
    pub(crate) fn default_url(tenant_id: &str) -> String {
        format!("https://login.microsoftonline.com/{tenant_id}/oauth2/v2.0/token")
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct TokenError {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// A cached bearer token, renewed before expiry. Thread-safe.
#[derive(Debug)]
pub(crate) struct TokenCache {
    source: TokenSource,
    cached: Mutex<Option<(Secret, Instant)>>,
}

impl TokenCache {
    pub(crate) fn new(source: TokenSource) -> TokenCache {
        TokenCache {
            source,
            cached: Mutex::new(None),
        }
    }

    /// A valid token: the cached one, or a new one from the endpoint.
    pub(crate) fn token(
        &self,
        client: &reqwest::blocking::Client,
    ) -> Result<Secret, CalendarError> {
        {
            let cached = self.cached.lock().map_err(|_| poisoned())?;
            if let Some((token, expires)) = cached.as_ref() {
                if expires.saturating_duration_since(Instant::now()) > RENEW_BEFORE {
                    return Ok(token.clone());
                }
            }
        }
        let (token, lifetime) = self.fetch(client)?;
        let mut cached = self.cached.lock().map_err(|_| poisoned())?;
        *cached = Some((token.clone(), Instant::now() + lifetime));
        Ok(token)
    }

    /// Forgets the cached token (after the server rejected it).
    pub(crate) fn invalidate(&self) {
        if let Ok(mut cached) = self.cached.lock() {
            *cached = None;
        }
    }

    fn fetch(
        &self,
        client: &reqwest::blocking::Client,
    ) -> Result<(Secret, Duration), CalendarError> {
        let source = &self.source;
        let mut form: Vec<(&str, &str)> =
            vec![("client_id", &source.client_id), ("scope", &source.scope)];
        if let Some(secret) = &source.client_secret {
            form.push(("client_secret", secret.expose()));
        }
        match &source.grant {
            Grant::ClientCredentials => form.push(("grant_type", "client_credentials")),
            Grant::Password { username, password } => {
                form.push(("grant_type", "password"));
                form.push(("username", username));
                form.push(("password", password.expose()));
            }
        }
        tracing::debug!(url = %source.token_url, client_id = %source.client_id, "requesting an OAuth token");
        let response = client
            .post(&source.token_url)
            .form(&form)
            .send()
            .map_err(|e| http::transport_error(&source.token_url, &e))?;
        let status = response.status();
        let text = response
            .text()
            .map_err(|e| http::transport_error(&source.token_url, &e))?;
        if status.is_success() {
            let parsed: TokenResponse = serde_json::from_str(&text).map_err(|e| {
                CalendarError::Server(format!(
                    "the token endpoint {} answered without a usable access_token ({e})",
                    source.token_url
                ))
            })?;
            let lifetime = Duration::from_secs(parsed.expires_in.unwrap_or(3600));
            return Ok((Secret::new(parsed.access_token), lifetime));
        }
        let (code, description) = match serde_json::from_str::<TokenError>(&text) {
            Ok(e) => (e.error, e.error_description.unwrap_or_default()),
            Err(_) => (format!("HTTP {status}"), String::new()),
        };
        // Entra ID's descriptions carry AADSTS codes and trace ids, never the secret.
        let first_line = description.lines().next().unwrap_or("").to_string();
        let fix = match code.as_str() {
            "invalid_client" | "unauthorized_client" => {
                "check client_id and the client secret (it may have expired in the app registration)"
            }
            "invalid_grant" => "check the service account's username and password; the password grant fails for accounts with MFA or federated sign-in",
            "invalid_scope" => "the scope must be the resource's /.default scope",
            "invalid_request" if first_line.contains("AADSTS900023") || first_line.contains("AADSTS90002") => "check tenant_id",
            _ => "check tenant_id, client_id and the client secret",
        };
        Err(CalendarError::Auth(format!(
            "the token endpoint refused ({code}: {first_line}); {fix}"
        )))
    }
}

/// The permissions a Microsoft Entra access token carries: application permissions
/// (`roles`) and delegated scopes (`scp`), read from its payload without verifying it
/// (the server verifies it; this is only for `check` to name what is missing).
/// `None` when the token is not a readable JWT.
pub(crate) fn token_permissions(token: &Secret) -> Option<Vec<String>> {
    use base64::Engine;
    let payload = token.expose().split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let mut permissions: Vec<String> = claims
        .get("roles")
        .and_then(|r| r.as_array())
        .map(|r| {
            r.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if let Some(scp) = claims.get("scp").and_then(|s| s.as_str()) {
        permissions.extend(scp.split_whitespace().map(str::to_string));
    }
    Some(permissions)
}

fn poisoned() -> CalendarError {
    CalendarError::Server("the token cache lock was poisoned by an earlier panic".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_come_from_roles_and_scp() {
        // {"roles":["Calendars.ReadWrite"],"scp":"User.Read Calendars.Read.Shared"}
        let payload = "eyJyb2xlcyI6WyJDYWxlbmRhcnMuUmVhZFdyaXRlIl0sInNjcCI6IlVzZXIuUmVhZCBDYWxlbmRhcnMuUmVhZC5TaGFyZWQifQ";
        let token = Secret::new(format!("eyJ0eXAiOiJKV1QifQ.{payload}.sig"));
        assert_eq!(
            token_permissions(&token).unwrap(),
            ["Calendars.ReadWrite", "User.Read", "Calendars.Read.Shared"]
        );
        assert_eq!(token_permissions(&Secret::new("opaque-token")), None);
    }
}
