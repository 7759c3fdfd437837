//! The room's calendar, behind one trait.
//!
//! The assistant asks a [`Calendar`] for the events of a mailbox (the room's, or an
//! enrolled user's) in a time window, for an event's invitation body, and to book, extend
//! or cancel. Three backends implement it:
//!
//! - [`ics`]: an iCalendar file on disk: the embedded demo room and offline rooms.
//! - `ews`: Exchange Web Services (on-premises Exchange; Exchange Online where allowed).
//! - `graph`: Microsoft Graph (Office 365).
//!
//! All times crossing this trait are UTC; the assistant converts to the room's time zone
//! only when it speaks.

pub mod ews;
pub mod graph;
pub(crate) mod http;
pub mod ics;
pub(crate) mod oauth;
pub(crate) mod remote;
pub(crate) mod secret;
mod settings;
pub(crate) mod snapshot;
pub(crate) mod windows_tz;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use settings::{Backend, CalendarConfig, IcsConfig, Setup, UserConfig};

/// A person named on an event (organiser or attendee).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Display name, e.g. "Dana Lee". May be empty when the calendar only has the address.
    pub name: String,
    /// SMTP address, e.g. "dana@contoso.com", when known.
    pub email: Option<String>,
}

impl Person {
    /// What to say for this person: the name, or the address when there is no name.
    pub(crate) fn spoken(&self) -> &str {
        if self.name.trim().is_empty() {
            self.email.as_deref().unwrap_or("someone")
        } else {
            self.name.trim()
        }
    }
}

/// An invitation body as the calendar stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "content", rename_all = "snake_case")]
pub enum Body {
    Text(String),
    Html(String),
}

/// Structured conference data a calendar may carry (Graph's `onlineMeeting`).
/// The invitation reader prefers it over parsing the body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnlineMeeting {
    pub join_url: Option<String>,
    pub conference_id: Option<String>,
    pub toll_number: Option<String>,
    pub toll_free_numbers: Vec<String>,
    pub quick_dial: Option<String>,
}

/// One occurrence of a calendar event (recurring series are expanded by the backend).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// Backend-specific identifier of this occurrence, stable across reads
    /// (ICS: UID plus recurrence id; EWS: ItemId; Graph: event id).
    pub id: String,
    pub subject: String,
    pub organizer: Option<Person>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub all_day: bool,
    pub location: Option<String>,
    /// The invitation body, when the backend returned it with the event. `None` means
    /// "not fetched": ask [`Calendar::body`] (EWS `FindItem` returns no bodies).
    pub body: Option<Body>,
    pub online_meeting: Option<OnlineMeeting>,
    /// True for bookings this device made (instant bookings, "book this room").
    pub booked_by_device: bool,
}

impl Meeting {
    pub(crate) fn is_active_at(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }
}

/// What a read returned: the events, and whether they come from the last good snapshot
/// because the server could not be reached.
#[derive(Debug, Clone, Default)]
pub struct CalendarView {
    /// Events overlapping the window, sorted by start; cancelled events left out.
    pub events: Vec<Meeting>,
    /// `Some(t)` when served from a snapshot taken at `t` during an outage.
    pub stale_since: Option<DateTime<Utc>>,
}

/// A booking the device wants to make.
#[derive(Debug, Clone)]
pub struct NewBooking {
    pub subject: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Body text to store (e.g. "Booked by roomvoice in Everest").
    pub body: Option<String>,
}

/// A busy stretch of a mailbox's calendar (free/busy: no subjects, no bodies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BusyInterval {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// "busy", "tentative", "oof" (out of office), "workingelsewhere".
    pub status: String,
}

/// One mailbox's free/busy in a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FreeBusy {
    pub mailbox: String,
    pub busy: Vec<BusyInterval>,
    /// Why this mailbox could not be read; the others of the batch still answer.
    pub error: Option<String>,
}

/// What a calendar operation gives: the value, or why it failed.
pub(crate) type Result<T, E = CalendarError> = std::result::Result<T, E>;

/// Why a calendar operation failed. Messages say what is wrong and what to do.
#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    /// Network trouble: refused, timed out, DNS, TLS handshake. The room hears
    /// "I can't reach the calendar right now."
    #[error("cannot reach the calendar at {endpoint}: {detail}")]
    Unreachable {
        endpoint: String,
        /// Which step failed: `check` reports TLS failures as a certificate problem.
        kind: http::TransportFailure,
        detail: String,
    },
    /// The server rejected the credentials (HTTP 401, bad token).
    #[error("the calendar server rejected the credentials: {0}")]
    Auth(String),
    /// Authenticated but not allowed (impersonation denied, no Editor right).
    #[error("not permitted: {0}")]
    Permission(String),
    /// The server asked us to slow down and retries ran out.
    #[error("the calendar server is busy (throttling){}", retry_after_s.map(|s| format!("; retry after {s} s")).unwrap_or_default())]
    Throttled { retry_after_s: Option<u64> },
    /// The requested slot overlaps an existing event.
    #[error("the room is already booked from {} to {} ({})", conflict.start, conflict.end, conflict.subject)]
    Conflict { conflict: Box<Meeting> },
    /// A booking or change that ends in the past.
    #[error("{0}")]
    InPast(String),
    /// The calendar data could not be understood (with file and line where known).
    #[error("{0}")]
    Invalid(String),
    /// The event or mailbox does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The backend cannot do this (e.g. a read-only calendar).
    #[error("{0}")]
    Unsupported(String),
    /// Anything else the server said, with its code.
    #[error("calendar server error: {0}")]
    Server(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl CalendarError {
    /// The kind of network failure, for an `Unreachable` error.
    pub(crate) fn transport_failure(&self) -> Option<http::TransportFailure> {
        match self {
            CalendarError::Unreachable { kind, .. } => Some(*kind),
            _ => None,
        }
    }
}

/// The room's calendar (or a user's): read events, fetch bodies, book and change.
///
/// `mailbox` is the SMTP address of the calendar to use: the room's (`[room] mailbox`) or
/// an enrolled user's (`[user] mailbox`). Implementations are blocking; they bound every
/// network call with timeouts so a person in the room hears an answer within seconds.
pub trait Calendar: Send + Sync {
    /// Backend name for logs and events: "ics", "ews", "graph".
    fn backend(&self) -> &'static str;

    /// Events overlapping `[from, to)`, sorted by start, cancelled events left out.
    fn events(
        &self,
        mailbox: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<CalendarView, CalendarError>;

    /// The invitation body of an event, fetching it when `events` did not return it.
    fn body(&self, mailbox: &str, event: &Meeting) -> Result<Option<Body>, CalendarError> {
        let _ = mailbox;
        Ok(event.body.clone())
    }

    /// Books `[start, end)` when it is free; `CalendarError::Conflict` names the event in
    /// the way. Never creates two bookings for one request, even when a response is lost.
    fn book(&self, mailbox: &str, booking: &NewBooking) -> Result<Meeting, CalendarError>;

    /// Moves the end of an event (extend, or end early).
    fn set_end(
        &self,
        mailbox: &str,
        event: &Meeting,
        new_end: DateTime<Utc>,
    ) -> Result<(), CalendarError>;

    /// Removes an event (release an unattended booking).
    fn cancel(&self, mailbox: &str, event: &Meeting) -> Result<(), CalendarError>;

    /// Free/busy of several mailboxes (rooms or people) over `[from, to)`. Backends
    /// with a batched call (EWS `GetUserAvailability`, Graph `getSchedule`) override
    /// this; the default reads each calendar in turn.
    fn free_busy(
        &self,
        mailboxes: &[String],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<FreeBusy>, CalendarError> {
        Ok(mailboxes
            .iter()
            .map(|mailbox| match self.events(mailbox, from, to) {
                Ok(view) => FreeBusy {
                    mailbox: mailbox.clone(),
                    busy: view
                        .events
                        .iter()
                        .map(|e| BusyInterval {
                            start: e.start,
                            end: e.end,
                            status: "busy".into(),
                        })
                        .collect(),
                    error: None,
                },
                Err(e) => FreeBusy {
                    mailbox: mailbox.clone(),
                    busy: Vec::new(),
                    error: Some(e.to_string()),
                },
            })
            .collect())
    }
}

/// Opens the calendar backend the configuration names.
pub(crate) fn open(setup: &Setup) -> Result<Box<dyn Calendar>, CalendarError> {
    match setup.calendar.backend {
        Backend::Ics => Ok(Box::new(ics::IcsCalendar::open(setup)?)),
        Backend::Ews => Ok(Box::new(ews::EwsCalendar::open(setup)?)),
        Backend::Graph => Ok(Box::new(graph::GraphCalendar::open(setup)?)),
    }
}
