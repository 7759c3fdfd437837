//! The `ews` backend: Exchange Web Services, for on-premises Exchange (2010 SP1 and
//! later) and Exchange Online tenants that still allow EWS (Microsoft blocks EWS in
//! Exchange Online from 2026-10-01 and removes it on 2027-04-01: use `graph` there).
//!
//! One file per operation, request and response side by side ([`find_item`],
//! [`get_item`], [`create_item`], [`update_item`], [`delete_item`],
//! [`get_user_availability`], [`resolve_names`], [`get_password_expiration_date`],
//! [`get_folder`]); [`soap`] is the transport (envelope, auth, error codes) and [`xml`]
//! the reader. This file holds `[calendar.ews]` and [`EwsCalendar`], which puts the
//! operations together as a [`Remote`]; what EWS shares with Graph (retries, the outage
//! snapshot, bookings made once, free/busy in parallel batches) is in
//! [`remote`](super::remote).

pub(crate) mod create_item;
pub(crate) mod delete_item;
pub(crate) mod find_item;
pub(crate) mod get_folder;
pub(crate) mod get_item;
pub(crate) mod get_password_expiration_date;
pub(crate) mod get_user_availability;
pub(crate) mod resolve_names;
pub(crate) mod soap;
pub(crate) mod update_item;
pub mod xml;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::http;
use super::oauth::{Grant, TokenCache, TokenSource};
use super::remote::{BodyFormat, Common, MarkedMeetings, Remote, Window};
use super::{Body, CalendarError, FreeBusy, Meeting, NewBooking};
use soap::{Credentials, Transport};

/// Name of the extended property holding a booking's per-request marker.
pub(crate) const BOOKING_MARKER_NAME: &str = "RoomvoiceBooking";
/// The marker property's path, as used in requests.
pub(crate) const BOOKING_MARKER_URI: &str = "<t:ExtendedFieldURI DistinguishedPropertySetId=\"PublicStrings\" PropertyName=\"RoomvoiceBooking\" PropertyType=\"String\"/>";

/// Exchange versions accepted in `version` (the schema's `ExchangeVersionType`).
pub(crate) const VERSIONS: &[&str] = &[
    "Exchange2007_SP1",
    "Exchange2010",
    "Exchange2010_SP1",
    "Exchange2010_SP2",
    "Exchange2013",
    "Exchange2013_SP1",
    "Exchange2016",
];

/// How the service account reaches other mailboxes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// `t:ExchangeImpersonation` (the ApplicationImpersonation role); Exchange Online
    /// counts throttling against each impersonated mailbox.
    #[default]
    Impersonation,
    /// The mailbox named in `t:DistinguishedFolderId` (Editor on the room calendar).
    Delegate,
}

impl Access {
    pub(crate) fn as_str(&self) -> &'static str {
        match self {
            Access::Impersonation => "impersonation",
            Access::Delegate => "delegate",
        }
    }
}

/// How the device signs in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EwsAuth {
    /// HTTP Basic with `username` and the password (on-premises Exchange).
    #[default]
    Basic,
    /// OAuth 2 client credentials (Exchange Online, where EWS is still allowed).
    #[serde(rename = "oauth")]
    OAuth,
}

super::settings::remote_calendar_table! {
table = "calendar.ews";
/// `[calendar.ews]`: on-premises Exchange (or Exchange Online) through EWS; with the keys
/// every remote calendar has (`remote_calendar_table!`).
pub(crate) struct EwsConfig {
    /// The EWS endpoint, e.g. "https://mail.contoso.com/EWS/Exchange.asmx".
    pub url: String,
    /// "basic" (default) or "oauth".
    #[serde(default)]
    pub auth: EwsAuth,
    /// `RequestServerVersion`, e.g. "Exchange2013".
    #[serde(default = "default_version")]
    pub version: String,
    /// "impersonation" (default) or "delegate".
    #[serde(default)]
    pub access: Access,
    /// OAuth: application (client) ID.
    #[serde(default)]
    pub client_id: Option<String>,
}
}

fn default_version() -> String {
    "Exchange2013".into()
}

impl EwsConfig {
    /// Structural checks at load time (what is missing, what is contradictory).
    pub(crate) fn check(&self) -> Result<(), String> {
        if !VERSIONS.contains(&self.version.as_str()) {
            return Err(format!(
                "[calendar.ews] version = \"{}\" is not an EWS version; use one of {}",
                self.version,
                VERSIONS.join(", ")
            ));
        }
        self.check_shared()?;
        match self.auth {
            EwsAuth::Basic => {
                if self.username.as_deref().unwrap_or("").trim().is_empty() {
                    return Err("[calendar.ews] auth = \"basic\" needs username = \"service-account@domain\"".into());
                }
                if self.password_file.is_none() && self.password_env.is_none() {
                    return Err("[calendar.ews] needs password_file = \"/etc/roomvoice/ews-password\" or password_env = \"VARIABLE\" (never the password itself)".into());
                }
            }
            EwsAuth::OAuth => {
                if self.tenant_id.is_none() && self.token_url.is_none() {
                    return Err("[calendar.ews] auth = \"oauth\" needs tenant_id".into());
                }
                if self.client_id.is_none() {
                    return Err("[calendar.ews] auth = \"oauth\" needs client_id".into());
                }
                if self.client_secret_file.is_none() && self.client_secret_env.is_none() {
                    return Err("[calendar.ews] auth = \"oauth\" needs client_secret_file or client_secret_env".into());
                }
                if self.access == Access::Delegate {
                    return Err("[calendar.ews] auth = \"oauth\" uses an app-only token, which needs access = \"impersonation\"".into());
                }
            }
        }
        Ok(())
    }

    /// The account the device signs in as, for messages.
    pub(crate) fn account(&self) -> String {
        match self.auth {
            EwsAuth::Basic => self.username.clone().unwrap_or_default(),
            EwsAuth::OAuth => format!("the app {}", self.client_id.as_deref().unwrap_or("?")),
        }
    }
}

/// `t:DistinguishedFolderId` of a mailbox's calendar: with the mailbox for delegate
/// access; impersonation already names the mailbox in the header.
pub(crate) fn folder_id(access: Access, mailbox: &str) -> String {
    match access {
        Access::Impersonation => "<t:DistinguishedFolderId Id=\"calendar\"/>".into(),
        Access::Delegate => format!(
            "<t:DistinguishedFolderId Id=\"calendar\">{}</t:DistinguishedFolderId>",
            find_item::mailbox_xml(mailbox)
        ),
    }
}

/// The Exchange calendar of one device.
#[derive(Debug)]
pub struct EwsCalendar {
    transport: Transport,
    common: Common,
    body_format: BodyFormat,
    room_name: String,
    /// Display names found with ResolveNames, by address (None: nothing found).
    names: std::sync::Mutex<std::collections::HashMap<String, Option<String>>>,
}

/// Items a calendar view may hold before it is reported as cut.
const MAX_ENTRIES: u32 = 200;

impl EwsCalendar {
    /// Opens the backend `[calendar.ews]` describes: reads secrets, checks the URL.
    pub fn open(setup: &super::Setup) -> Result<EwsCalendar, CalendarError> {
        let ews = setup.ews()?;
        if soap::is_owa_url(&ews.url) {
            return Err(CalendarError::Invalid(format!(
                "[calendar.ews] url = \"{}\" is the Outlook on the web (OWA) address, not EWS; use url = \"{}\"",
                ews.url,
                soap::suggested_ews_url(&ews.url)
            )));
        }
        http::check_scheme(&ews.url, ews.allow_insecure_http, "[calendar.ews]")?;
        let limits = ews.limits();
        let ca_file = ews.ca_file.as_deref().map(|p| setup.paths.resolve(p));
        let client = http::client(&limits, ca_file.as_deref(), !ews.allow_insecure_http)?;
        let credentials = match ews.auth {
            EwsAuth::Basic => Credentials::Basic {
                username: ews.username.clone().unwrap_or_default(),
                password: ews.password(setup.paths)?,
            },
            EwsAuth::OAuth => {
                let token_url = match (&ews.token_url, &ews.tenant_id) {
                    (Some(url), _) => url.clone(),
                    (None, Some(tenant)) => TokenSource::default_url(tenant),
                    (None, None) => {
                        return Err(CalendarError::Invalid(
                            "[calendar.ews] auth = \"oauth\" needs tenant_id".into(),
                        ))
                    }
                };
                http::check_scheme(
                    &token_url,
                    ews.allow_insecure_http,
                    "[calendar.ews] token_url",
                )?;
                Credentials::OAuth(TokenCache::new(TokenSource {
                    token_url,
                    client_id: ews.client_id.clone().unwrap_or_default(),
                    client_secret: Some(ews.client_secret(setup.paths)?),
                    scope: "https://outlook.office365.com/.default".into(),
                    grant: Grant::ClientCredentials,
                }))
            }
        };
        let time_zone = super::windows_tz::to_windows(setup.room.timezone).unwrap_or("UTC");
        Ok(EwsCalendar {
            transport: Transport {
                client,
                url: ews.url.clone(),
                credentials,
                access: ews.access,
                auth: ews.auth,
                time_zone: time_zone.to_string(),
                limits,
                account: soap::Account {
                    name: ews.account(),
                    version: ews.version.clone(),
                },
                outage: http::OutageMemory::default(),
                anchor_mailbox: setup.room.mailbox.clone(),
            },
            common: Common {
                backend: "ews",
                free_busy_batch: get_user_availability::MAX_MAILBOXES,
                endpoint: ews.url.clone(),
                snapshots: setup.snapshots("ews"),
                max_threads: ews.max_threads,
            },
            body_format: ews.body_type,
            room_name: setup.room.name.clone(),
            names: Default::default(),
        })
    }

    fn find(
        &self,
        mailbox: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<find_item::CalendarItems, CalendarError> {
        let request = find_item::FindCalendarItems {
            mailbox,
            start: from,
            end: to,
            max_entries: MAX_ENTRIES,
        };
        let mut items = self.transport.send(&request)?;
        self.fill_organizer_names(&mut items.events);
        if !items.complete {
            tracing::warn!(
                mailbox,
                count = items.events.len(),
                "the calendar view was cut at {MAX_ENTRIES} items"
            );
        }
        Ok(items)
    }

    /// The server version (`ServerVersionInfo`) and the mailbox's calendar rights.
    pub fn calendar_rights(
        &self,
        mailbox: &str,
    ) -> Result<(get_folder::CalendarRights, Option<String>), CalendarError> {
        let request = get_folder::GetCalendarRights { mailbox };
        self.transport.send(&request)
    }

    /// Directory matches for a name or address.
    pub fn resolve_name(&self, entry: &str) -> Result<Vec<super::Person>, CalendarError> {
        let request = resolve_names::ResolveName { entry };
        self.transport.send(&request)
    }

    /// When the service account's password expires (`None`: never).
    pub fn password_expiration(
        &self,
        account: &str,
    ) -> Result<Option<DateTime<Utc>>, CalendarError> {
        let request = get_password_expiration_date::GetPasswordExpiration { account };
        self.transport.send(&request)
    }

    /// Organisers that came with an address but no display name get their name from
    /// the directory (`ResolveNames`), once per address; a failed lookup leaves the
    /// address, which is what the room then hears.
    fn fill_organizer_names(&self, events: &mut [Meeting]) {
        for event in events.iter_mut() {
            let Some(organizer) = event.organizer.as_mut() else {
                continue;
            };
            let Some(address) = organizer.email.clone() else {
                continue;
            };
            if !organizer.name.trim().is_empty() {
                continue;
            }
            let known = self
                .names
                .lock()
                .ok()
                .and_then(|names| names.get(&address.to_lowercase()).cloned());
            let name = match known {
                Some(name) => name,
                None => {
                    let found = match self.resolve_name(&address) {
                        Ok(people) => people
                            .into_iter()
                            .find(|p| {
                                p.email
                                    .as_deref()
                                    .is_some_and(|e| e.eq_ignore_ascii_case(&address))
                            })
                            .map(|p| p.name)
                            .filter(|n| !n.trim().is_empty()),
                        Err(e) => {
                            tracing::debug!(%address, error = %e, "cannot resolve the organiser's name");
                            None
                        }
                    };
                    if let Ok(mut names) = self.names.lock() {
                        names.insert(address.to_lowercase(), found.clone());
                    }
                    found
                }
            };
            if let Some(name) = name {
                organizer.name = name;
            }
        }
    }
}

impl Remote for EwsCalendar {
    fn common(&self) -> &Common {
        &self.common
    }

    fn fetch(&self, mailbox: &str, window: Window) -> super::Result<MarkedMeetings> {
        let items = self.find(mailbox, window.from, window.to)?;
        Ok(items.events.into_iter().zip(items.markers).collect())
    }

    fn fetch_body(&self, mailbox: &str, event: &Meeting) -> super::Result<Option<Body>> {
        let ids = [event.id.as_str()];
        let request = get_item::GetBodies {
            mailbox,
            item_ids: &ids,
            format: self.body_format,
        };
        let body = self.transport.send(&request)?.into_iter().next().flatten();
        if body.is_none() {
            tracing::warn!(mailbox, subject = %event.subject, "the event has no body: room mailboxes delete them unless Set-CalendarProcessing -DeleteComments $false");
        }
        Ok(body)
    }

    fn create(&self, mailbox: &str, booking: &NewBooking, marker: &str) -> super::Result<Meeting> {
        let request = create_item::CreateBooking {
            mailbox,
            booking,
            marker,
            location: Some(&self.room_name),
        };
        self.transport.send(&request)
    }

    fn move_end(&self, mailbox: &str, event: &Meeting, end: DateTime<Utc>) -> super::Result<()> {
        let request = update_item::SetEnd {
            mailbox,
            item_id: &event.id,
            end,
        };
        self.transport.send(&request)
    }

    fn delete(&self, mailbox: &str, event: &Meeting) -> super::Result<()> {
        let request = delete_item::DeleteCalendarItem {
            mailbox,
            item_id: &event.id,
        };
        self.transport.send(&request)
    }

    fn free_busy_batch(
        &self,
        mailboxes: &[String],
        window: Window,
    ) -> super::Result<Vec<FreeBusy>> {
        let request = get_user_availability::GetFreeBusy {
            mailboxes,
            start: window.from,
            end: window.to,
        };
        self.transport.send(&request)
    }
}
