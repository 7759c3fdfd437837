//! The HTTP side shared by the Exchange (EWS) and Graph backends: one blocking client
//! with short timeouts and verified TLS, the retry policy, and the translation of
//! transport failures into errors an administrator can act on.
//!
//! Why short timeouts: a person in the room is waiting for an answer. Every call is
//! bounded by `connect_timeout_ms` and `timeout_ms`, and retries (after throttling or a
//! dropped connection) by `retry_budget_ms`; past that the room hears "I can't reach
//! the calendar right now" and the snapshot answers reads.

use std::path::Path;
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::CalendarError;

/// Timeouts and retry bounds, shared by `[calendar.ews]` and `[calendar.graph]`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Limits {
    /// Time to open a TCP + TLS connection.
    pub connect_timeout_ms: u64,
    /// Time for one whole request and response.
    pub timeout_ms: u64,
    /// Attempts per operation, the first included (throttling, dropped connections).
    pub max_attempts: u32,
    /// Total time one operation may spend waiting between attempts. A server asking
    /// for a longer back-off gets `CalendarError::Throttled` at once instead.
    pub retry_budget_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            connect_timeout_ms: 3000,
            timeout_ms: 8000,
            max_attempts: 3,
            retry_budget_ms: 4000,
        }
    }
}

/// Builds the blocking client: rustls with the `ring` provider, the platform's trust
/// store (plus `ca_file` for a private CA), no redirects followed (an EWS URL that
/// redirects is almost always an OWA login page, which we want to report, not follow).
pub(crate) fn client(
    limits: &Limits,
    ca_file: Option<&Path>,
    https_only: bool,
) -> Result<reqwest::blocking::Client, CalendarError> {
    // reqwest is built without a default crypto provider; installing ring twice is a
    // harmless no-op error.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_millis(limits.connect_timeout_ms))
        .timeout(Duration::from_millis(limits.timeout_ms))
        .redirect(reqwest::redirect::Policy::none())
        .https_only(https_only)
        .user_agent(concat!("roomvoice/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = ca_file {
        let pem = std::fs::read(path).map_err(|source| CalendarError::Io {
            path: format!("ca_file {}", path.display()),
            source,
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            CalendarError::Invalid(format!(
                "ca_file {} is not a PEM certificate bundle: {e}",
                path.display()
            ))
        })?;
        builder = builder.tls_certs_merge(certs);
    }
    builder.build().map_err(|e| {
        CalendarError::Invalid(format!("cannot set up the HTTP client: {}", chain(&e)))
    })
}

/// The whole `source()` chain of an error, joined: reqwest's top-level message alone
/// ("error sending request") hides the cause.
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// What kind of transport failure this was, for the message, the retry decision and
/// `check`'s verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportFailure {
    /// Certificate or handshake problem: never retried, always explained.
    Tls,
    Timeout,
    Connect,
    /// The connection dropped or the response was cut: the request may have been done.
    Dropped,
}

/// Classifies a reqwest error and writes the explanation for the administrator.
pub(crate) fn transport_error(endpoint: &str, error: &reqwest::Error) -> CalendarError {
    let detail = chain(error);
    // Classify on the causes only: the top message holds the URL, whose host name
    // could contain any word.
    let mut causes = String::new();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        causes.push_str(&cause.to_string().to_lowercase());
        causes.push(' ');
        source = cause.source();
    }
    let lower = causes;
    let kind = if lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("handshake")
        || lower.contains("unknownissuer")
        || lower.contains("corrupt message")
    {
        TransportFailure::Tls
    } else if error.is_timeout() {
        TransportFailure::Timeout
    } else if error.is_connect() {
        TransportFailure::Connect
    } else {
        TransportFailure::Dropped
    };
    let explained = match kind {
        TransportFailure::Tls => format!(
            "TLS failed ({detail}). The server's certificate must chain to a trusted CA and name this host: install the CA in the system trust store (update-ca-certificates) or set ca_file = \"/etc/roomvoice/ca.pem\"; check that the URL uses the certificate's host name and that the device clock is right"
        ),
        TransportFailure::Timeout => format!("no answer in time ({detail}); check the network and the server load, or raise timeout_ms"),
        TransportFailure::Connect => format!("cannot connect ({detail}); check the host name, port and firewall"),
        TransportFailure::Dropped => format!("the connection dropped before the answer arrived ({detail})"),
    };
    CalendarError::Unreachable {
        endpoint: endpoint.to_string(),
        kind,
        detail: explained,
    }
}

/// Reads `Retry-After` (seconds; HTTP dates are treated as "soon").
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    match value.trim().parse::<u64>() {
        Ok(seconds) => Some(Duration::from_secs(seconds)),
        Err(_) => Some(Duration::from_secs(1)),
    }
}

/// Tracks one operation's attempts and its waiting budget.
#[derive(Debug)]
pub(crate) struct Retry {
    limits: Limits,
    attempt: u32,
    waited: Duration,
}

impl Retry {
    pub(crate) fn new(limits: Limits) -> Retry {
        Retry {
            limits,
            attempt: 0,
            waited: Duration::ZERO,
        }
    }

    /// Starts the next attempt; false when attempts are used up.
    pub(crate) fn next_attempt(&mut self) -> bool {
        if self.attempt >= self.limits.max_attempts.max(1) {
            return false;
        }
        self.attempt += 1;
        true
    }

    pub(crate) fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Waits `delay` (or a short exponential back-off when the server named none) when
    /// another attempt is allowed and the wait fits the budget; false otherwise.
    pub(crate) fn wait(&mut self, delay: Option<Duration>) -> bool {
        if self.attempt >= self.limits.max_attempts.max(1) {
            return false;
        }
        let delay = delay.unwrap_or_else(|| Duration::from_millis(100u64 << self.attempt.min(5)));
        let budget = Duration::from_millis(self.limits.retry_budget_ms);
        if self.waited + delay > budget {
            tracing::debug!(?delay, waited = ?self.waited, "retry budget would be exceeded; giving up");
            return false;
        }
        std::thread::sleep(delay);
        self.waited += delay;
        true
    }
}

/// How long after a network failure calls make a single attempt: while the server is
/// down, each voice answer should not pay for retries again before the snapshot speaks.
pub(crate) const OUTAGE_MEMORY: Duration = Duration::from_secs(30);

/// Remembers a recent network failure of one endpoint.
#[derive(Debug, Default)]
pub(crate) struct OutageMemory(std::sync::Mutex<Option<Instant>>);

impl OutageMemory {
    /// The limits for the next call: no retries while an outage is fresh.
    pub(crate) fn limits(&self, limits: Limits) -> Limits {
        let recent = self
            .0
            .lock()
            .map(|since| since.is_some_and(|t| t.elapsed() < OUTAGE_MEMORY))
            .unwrap_or(false);
        if recent {
            Limits {
                max_attempts: 1,
                ..limits
            }
        } else {
            limits
        }
    }

    /// Records how a call ended: `true` for a network failure.
    pub(crate) fn record(&self, network_failure: bool) {
        if let Ok(mut since) = self.0.lock() {
            *since = network_failure.then(Instant::now);
        }
    }
}

/// An `http://` URL is refused unless the configuration allows it (loopback tests):
/// Basic credentials would cross the network in clear text.
pub(crate) fn check_scheme(
    url: &str,
    allow_insecure_http: bool,
    table: &str,
) -> Result<(), CalendarError> {
    let parsed = reqwest::Url::parse(url).map_err(|e| {
        CalendarError::Invalid(format!("{table} url = \"{url}\" is not a URL: {e}"))
    })?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if allow_insecure_http => Ok(()),
        "http" => Err(CalendarError::Invalid(format!(
            "{table} url = \"{url}\" uses http://: credentials would travel unencrypted. Use the https:// URL (allow_insecure_http = true is only for loopback tests)"
        ))),
        other => Err(CalendarError::Invalid(format!(
            "{table} url = \"{url}\": scheme {other} is not supported; use https://"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_is_refused_unless_allowed() {
        let err = check_scheme(
            "http://mail.contoso.com/EWS/Exchange.asmx",
            false,
            "[calendar.ews]",
        )
        .unwrap_err();
        assert!(err.to_string().contains("https://"), "{err}");
        assert!(check_scheme(
            "http://127.0.0.1:1/EWS/Exchange.asmx",
            true,
            "[calendar.ews]"
        )
        .is_ok());
        assert!(check_scheme(
            "https://mail.contoso.com/EWS/Exchange.asmx",
            false,
            "[calendar.ews]"
        )
        .is_ok());
        assert!(check_scheme("ftp://x/", true, "[calendar.ews]").is_err());
    }

    #[test]
    fn retry_respects_budget_and_attempts() {
        let mut retry = Retry::new(Limits {
            max_attempts: 3,
            retry_budget_ms: 50,
            ..Limits::default()
        });
        assert!(retry.next_attempt());
        // A back-off longer than the budget is not waited for.
        assert!(!retry.wait(Some(Duration::from_millis(60))));
        assert!(retry.wait(Some(Duration::from_millis(10))));
        assert!(retry.next_attempt());
        assert!(retry.wait(Some(Duration::from_millis(10))));
        assert!(retry.next_attempt());
        assert!(
            !retry.wait(Some(Duration::from_millis(1))),
            "attempts used up"
        );
        assert!(!retry.next_attempt());
    }
}
