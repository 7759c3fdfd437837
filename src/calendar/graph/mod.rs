//! The `graph` backend: Microsoft Graph, for Office 365 rooms (and the way forward now
//! that EWS is being retired in Exchange Online).
//!
//! Two ways to sign in:
//! - `auth = "application"` (recommended): an app registration with the application
//!   permission `Calendars.ReadWrite` (admin consent), client-credentials flow, scope
//!   `https://graph.microsoft.com/.default`. Limit it to the room mailboxes with an
//!   application access policy.
//! - `auth = "delegate"`: a service account with Editor rights on the room calendars,
//!   signing in with the resource-owner password grant. Microsoft discourages that
//!   grant: it fails with MFA, federated or guest accounts and conditional access. Use
//!   it only for a dedicated service account excluded from those policies.
//!
//! [`calendar_view`] reads, [`get_schedule`] gives free/busy, [`events`] books and
//! changes; [`client`] is the transport and [`types`] the JSON resources. `onlineMeeting`
//! (Teams join URL, conference ID, numbers) is handed to the invitation reader as
//! `Meeting::online_meeting`. What Graph shares with EWS (retries, the outage snapshot,
//! bookings made once, free/busy in parallel batches) is in [`remote`](super::remote).

pub(crate) mod calendar_view;
pub(crate) mod client;
pub(crate) mod events;
pub(crate) mod get_schedule;
pub(crate) mod types;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::http;
use super::oauth::{Grant, TokenCache, TokenSource};
use super::remote::{Common, MarkedMeetings, Remote, Window};
use super::{CalendarError, FreeBusy, Meeting, NewBooking};
use client::GraphClient;

/// How the device signs in to Graph.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GraphAuth {
    /// Client credentials with application permissions.
    #[default]
    Application,
    /// A service account (password grant) with delegated rights on the calendars.
    Delegate,
}

super::settings::remote_calendar_table! {
table = "calendar.graph";
/// `[calendar.graph]`: Office 365 through Microsoft Graph; with the keys every remote
/// calendar has (`remote_calendar_table!`).
pub(crate) struct GraphConfig {
    /// "application" (default) or "delegate".
    #[serde(default)]
    pub auth: GraphAuth,
    /// Application (client) ID.
    pub client_id: String,
    /// Graph endpoint; default "https://graph.microsoft.com/v1.0" (override for tests
    /// or national clouds).
    #[serde(default = "default_base_url")]
    pub base_url: String,
}
}

fn default_base_url() -> String {
    "https://graph.microsoft.com/v1.0".into()
}

impl GraphConfig {
    /// Structural checks at load time.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.tenant_id.is_none() && self.token_url.is_none() {
            return Err(
                "[calendar.graph] needs tenant_id (the directory ID of the Microsoft 365 tenant)"
                    .into(),
            );
        }
        if self.client_id.trim().is_empty() {
            return Err("[calendar.graph] client_id is empty: use the application (client) ID of the app registration".into());
        }
        self.check_shared()?;
        match self.auth {
            GraphAuth::Application => {
                if self.client_secret_file.is_none() && self.client_secret_env.is_none() {
                    return Err("[calendar.graph] auth = \"application\" needs client_secret_file or client_secret_env".into());
                }
            }
            GraphAuth::Delegate => {
                if self.username.is_none() {
                    return Err(
                        "[calendar.graph] auth = \"delegate\" needs username (the service account)"
                            .into(),
                    );
                }
                if self.password_file.is_none() && self.password_env.is_none() {
                    return Err(
                        "[calendar.graph] auth = \"delegate\" needs password_file or password_env"
                            .into(),
                    );
                }
            }
        }
        Ok(())
    }

    pub(crate) fn token_url(&self) -> String {
        match (&self.token_url, &self.tenant_id) {
            (Some(url), _) => url.clone(),
            (None, Some(tenant)) => TokenSource::default_url(tenant),
            (None, None) => TokenSource::default_url("common"),
        }
    }
}

/// The Office 365 calendar of one device.
#[derive(Debug)]
pub struct GraphCalendar {
    client: GraphClient,
    common: Common,
    room_name: String,
    room_mailbox: String,
}

impl GraphCalendar {
    pub fn open(setup: &super::Setup) -> Result<GraphCalendar, CalendarError> {
        let graph = setup.graph()?;
        http::check_scheme(
            &graph.base_url,
            graph.allow_insecure_http,
            "[calendar.graph] base_url",
        )?;
        let token_url = graph.token_url();
        http::check_scheme(
            &token_url,
            graph.allow_insecure_http,
            "[calendar.graph] token_url",
        )?;
        let limits = graph.limits();
        let ca_file = graph.ca_file.as_deref().map(|p| setup.paths.resolve(p));
        let http_client = http::client(&limits, ca_file.as_deref(), !graph.allow_insecure_http)?;
        let client_secret =
            if graph.client_secret_file.is_some() || graph.client_secret_env.is_some() {
                Some(graph.client_secret(setup.paths)?)
            } else {
                None
            };
        let (grant, account) = match graph.auth {
            GraphAuth::Application => (
                Grant::ClientCredentials,
                format!("the app {}", graph.client_id),
            ),
            GraphAuth::Delegate => {
                let username = graph.username.clone().unwrap_or_default();
                let password = graph.password(setup.paths)?;
                (
                    Grant::Password {
                        username: username.clone(),
                        password,
                    },
                    username,
                )
            }
        };
        Ok(GraphCalendar {
            client: GraphClient {
                client: http_client,
                base_url: graph.base_url.trim_end_matches('/').to_string(),
                tokens: TokenCache::new(TokenSource {
                    token_url,
                    client_id: graph.client_id.clone(),
                    client_secret,
                    scope: "https://graph.microsoft.com/.default".into(),
                    grant,
                }),
                auth: graph.auth,
                limits,
                body_type: graph.body_type,
                account,
                outage: http::OutageMemory::default(),
            },
            common: Common {
                backend: "graph",
                free_busy_batch: get_schedule::MAX_SCHEDULES,
                endpoint: graph.base_url.trim_end_matches('/').to_string(),
                snapshots: setup.snapshots("graph"),
                max_threads: graph.max_threads,
            },
            room_name: setup.room.name.clone(),
            room_mailbox: setup.room.mailbox.clone(),
        })
    }

    /// The transport, for `check`'s probes.
    pub(crate) fn client(&self) -> &GraphClient {
        &self.client
    }

    /// Gets a token now (for `check`) and returns the permissions it carries (`None`:
    /// not a readable JWT).
    pub(crate) fn token_permissions(&self) -> Result<Option<Vec<String>>, CalendarError> {
        let token = self.client.tokens.token(&self.client.client)?;
        Ok(super::oauth::token_permissions(&token))
    }
}

impl Remote for GraphCalendar {
    fn common(&self) -> &Common {
        &self.common
    }

    fn fetch(&self, mailbox: &str, window: Window) -> super::Result<MarkedMeetings> {
        calendar_view::fetch(&self.client, mailbox, window.from, window.to)
    }

    fn create(&self, mailbox: &str, booking: &NewBooking, marker: &str) -> super::Result<Meeting> {
        events::create(&self.client, mailbox, booking, marker, &self.room_name)
    }

    fn move_end(&self, mailbox: &str, event: &Meeting, end: DateTime<Utc>) -> super::Result<()> {
        events::set_end(&self.client, mailbox, &event.id, end)
    }

    fn delete(&self, mailbox: &str, event: &Meeting) -> super::Result<()> {
        events::delete(&self.client, mailbox, &event.id)
    }

    fn free_busy_batch(
        &self,
        mailboxes: &[String],
        window: Window,
    ) -> super::Result<Vec<FreeBusy>> {
        get_schedule::fetch(
            &self.client,
            &self.room_mailbox,
            mailboxes,
            window.from,
            window.to,
        )
    }
}
