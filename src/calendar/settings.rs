//! `[calendar]` and `[user]`: which backend serves the room, and what every backend is
//! opened with ([`Setup`]).

use std::path::PathBuf;

use serde::Deserialize;

use crate::paths::Paths;
use crate::room::RoomConfig;

/// Which calendar backend serves the room.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    #[default]
    Ics,
    Ews,
    Graph,
}

impl Backend {
    pub(crate) fn as_str(&self) -> &'static str {
        match self {
            Backend::Ics => "ics",
            Backend::Ews => "ews",
            Backend::Graph => "graph",
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarConfig {
    #[serde(default)]
    pub backend: Backend,
    #[serde(default)]
    pub ics: Option<IcsConfig>,
    /// Exchange Web Services (on-premises Exchange).
    #[serde(default)]
    pub ews: Option<super::ews::EwsConfig>,
    /// Microsoft Graph (Office 365).
    #[serde(default)]
    pub graph: Option<super::graph::GraphConfig>,
    /// Where the calendar snapshot for outages is kept (relative to the config file).
    /// Default: $XDG_STATE_HOME/roomvoice, else ~/.local/state/roomvoice.
    #[serde(default)]
    pub state_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IcsConfig {
    /// The room calendar file, relative to the config file.
    pub path: PathBuf,
    /// The enrolled user's calendar file (for "what's on my calendar"), relative to the
    /// config file.
    #[serde(default)]
    pub user_path: Option<PathBuf>,
}

/// `[user]`: the enrolled user whose personal calendar "what's on my calendar" reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    pub name: String,
    pub mailbox: String,
}

impl CalendarConfig {
    /// What is wrong with the tables, said as the fix.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.backend == Backend::Ics && self.ics.is_none() {
            return Err(
                "[calendar] backend = \"ics\" needs a [calendar.ics] table with path = \"room.ics\"".into(),
            );
        }
        match (self.backend, &self.ews, &self.graph) {
            (Backend::Ews, None, _) => {
                return Err(
                    "[calendar] backend = \"ews\" needs a [calendar.ews] table with url, username and password_file (see README)".into(),
                )
            }
            (Backend::Graph, _, None) => {
                return Err(
                    "[calendar] backend = \"graph\" needs a [calendar.graph] table with tenant_id, client_id and client_secret_file (see README)".into(),
                )
            }
            _ => {}
        }
        if let Some(ews) = &self.ews {
            ews.check()?;
        }
        if let Some(graph) = &self.graph {
            graph.check()?;
        }
        Ok(())
    }
}

/// What a calendar backend is opened with: its table, the room whose mailbox it reads,
/// the enrolled user, and where relative paths resolve.
#[derive(Debug, Clone, Copy)]
pub struct Setup<'a> {
    pub calendar: &'a CalendarConfig,
    pub room: &'a RoomConfig,
    pub user: Option<&'a UserConfig>,
    pub paths: &'a Paths,
}

impl Setup<'_> {
    /// `[calendar.ews]`, checked.
    pub(crate) fn ews(&self) -> Result<&super::ews::EwsConfig, super::CalendarError> {
        checked(
            self.calendar.ews.as_ref(),
            "ews",
            super::ews::EwsConfig::check,
        )
    }

    /// `[calendar.graph]`, checked.
    pub(crate) fn graph(&self) -> Result<&super::graph::GraphConfig, super::CalendarError> {
        checked(
            self.calendar.graph.as_ref(),
            "graph",
            super::graph::GraphConfig::check,
        )
    }

    /// The snapshot store for outages: `[calendar] state_dir`, else the default place.
    pub(crate) fn snapshots(&self, backend: &'static str) -> super::snapshot::Snapshots {
        let state_dir = self
            .calendar
            .state_dir
            .as_deref()
            .map(|p| self.paths.resolve(p));
        super::snapshot::Snapshots::new(state_dir.as_deref(), backend)
    }
}

/// A backend's table, checked; the error names the table the backend needs.
fn checked<'a, T>(
    table: Option<&'a T>,
    backend: &str,
    check: fn(&T) -> Result<(), String>,
) -> Result<&'a T, super::CalendarError> {
    let table = table.ok_or_else(|| {
        super::CalendarError::Invalid(format!(
            "[calendar] backend = \"{backend}\" needs a [calendar.{backend}] table"
        ))
    })?;
    check(table).map_err(super::CalendarError::Invalid)?;
    Ok(table)
}

/// Defines a remote calendar's table (`[calendar.ews]`, `[calendar.graph]`): key names are a
/// contract (add keys, never rename them), unknown keys are errors, and the keys both
/// share are written in once: the service account and app secrets, the mailbox `check`
/// tests, requests in flight, TLS, bodies and limits; with `limits()`, `password()`,
/// `client_secret()` and `check_shared()`. A macro, because serde's `flatten` cannot be
/// combined with `deny_unknown_fields`, which reports a misspelt key with its line.
macro_rules! remote_calendar_table {
    (
        table = $table:literal;
        $(#[$meta:meta])*
        pub(crate) struct $name:ident {
            $( $(#[$field_meta:meta])* pub $field:ident: $type:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $( $(#[$field_meta])* pub $field: $type, )*
            /// The service account (UPN): EWS basic sign-in, Graph delegate access.
            #[serde(default)]
            pub username: Option<String>,
            /// File holding the service account's password (relative to the config file).
            #[serde(default)]
            pub password_file: Option<std::path::PathBuf>,
            /// Environment variable holding the service account's password.
            #[serde(default)]
            pub password_env: Option<String>,
            /// OAuth: directory (tenant) ID.
            #[serde(default)]
            pub tenant_id: Option<String>,
            /// OAuth: file holding the app's client secret (relative to the config file).
            #[serde(default)]
            pub client_secret_file: Option<std::path::PathBuf>,
            /// OAuth: environment variable holding the app's client secret.
            #[serde(default)]
            pub client_secret_env: Option<String>,
            /// OAuth token endpoint; default from tenant_id (override for tests).
            #[serde(default)]
            pub token_url: Option<String>,
            /// A mailbox `check` tests access to (as the original "Test" button did).
            #[serde(default)]
            pub test_mailbox: Option<String>,
            /// Requests in flight at once when serving many mailboxes (1 to 32).
            #[serde(default = "crate::calendar::settings::default_max_threads")]
            pub max_threads: usize,
            /// Allow http:// URLs (loopback tests only).
            #[serde(default)]
            pub allow_insecure_http: bool,
            /// Extra trusted CA certificates (PEM): an internal CA, a TLS-inspecting proxy.
            #[serde(default)]
            pub ca_file: Option<std::path::PathBuf>,
            /// "text" (default) or "html" bodies.
            #[serde(default)]
            pub body_type: crate::calendar::remote::BodyFormat,
            #[serde(default)]
            pub connect_timeout_ms: Option<u64>,
            #[serde(default)]
            pub timeout_ms: Option<u64>,
            #[serde(default)]
            pub max_attempts: Option<u32>,
            #[serde(default)]
            pub retry_budget_ms: Option<u64>,
        }

        impl $name {
            /// Timeouts and retries: the table's, else the defaults.
            pub(crate) fn limits(&self) -> crate::calendar::http::Limits {
                let d = crate::calendar::http::Limits::default();
                crate::calendar::http::Limits {
                    connect_timeout_ms: self.connect_timeout_ms.unwrap_or(d.connect_timeout_ms),
                    timeout_ms: self.timeout_ms.unwrap_or(d.timeout_ms),
                    max_attempts: self.max_attempts.unwrap_or(d.max_attempts),
                    retry_budget_ms: self.retry_budget_ms.unwrap_or(d.retry_budget_ms),
                }
            }

            /// Checks the shared keys.
            fn check_shared(&self) -> Result<(), String> {
                if !(1..=32).contains(&self.max_threads) {
                    return Err(format!(
                        concat!("[", $table, "] max_threads = {}: use 1 to 32"),
                        self.max_threads
                    ));
                }
                Ok(())
            }

            /// The service account's password, from `password_file` or `password_env`.
            fn password(
                &self,
                paths: &crate::paths::Paths,
            ) -> Result<crate::calendar::secret::Secret, crate::calendar::CalendarError> {
                crate::calendar::secret::load(
                    self.password_file.as_deref().map(|p| paths.resolve(p)).as_deref(),
                    self.password_env.as_deref(),
                    concat!("[", $table, "] password"),
                    "password",
                )
            }

            /// The app's client secret, from `client_secret_file` or `client_secret_env`.
            fn client_secret(
                &self,
                paths: &crate::paths::Paths,
            ) -> Result<crate::calendar::secret::Secret, crate::calendar::CalendarError> {
                crate::calendar::secret::load(
                    self.client_secret_file.as_deref().map(|p| paths.resolve(p)).as_deref(),
                    self.client_secret_env.as_deref(),
                    concat!("[", $table, "] client secret"),
                    "client_secret",
                )
            }
        }
    };
}
pub(crate) use remote_calendar_table;

pub(crate) fn default_max_threads() -> usize {
    4
}
