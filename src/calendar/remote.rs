//! What the two server backends, `ews` and `graph`, share: everything between "send
//! one request" and the [`Calendar`](super::Calendar) trait.
//!
//! - the retry loop ([`with_retries`]): back-off on throttling within the retry budget,
//!   one fresh token after a 401, no retry of a create whose answer was lost
//!   ([`Idempotence`]), no retry at all while an outage is fresh;
//! - reads that fall back to the on-disk snapshot during an outage ([`read`]);
//! - bookings: the conflict check, then a create made at most once, found again by its
//!   marker when the answer is lost ([`book`]);
//! - free/busy fanned out in batches over at most `max_threads` threads ([`free_busy`]);
//! - the booking category, markers and the invitation body format.
//!
//! Each backend implements [`Remote`] (how to fetch, create, change and ask for
//! free/busy in its own protocol) and is a [`Calendar`] through it, so a fix to
//! retries or outage handling is made once.
//!
//! Over 600 lines only with its tests (the code is under 480).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::http::{self, Limits, Retry, TransportFailure};
use super::snapshot::Snapshots;
use super::{
    Body, BusyInterval, Calendar, CalendarError, CalendarView, FreeBusy, Meeting, NewBooking,
};

/// Category put on every booking the device makes (visible in Outlook).
pub(crate) const BOOKING_CATEGORY: &str = "roomvoice";

/// Which form of the invitation body to ask for (`body_type` in `[calendar.ews]` and
/// `[calendar.graph]`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BodyFormat {
    #[default]
    Text,
    Html,
}

impl BodyFormat {
    /// EWS `BodyType`.
    pub(crate) fn as_ews(&self) -> &'static str {
        match self {
            BodyFormat::Text => "Text",
            BodyFormat::Html => "HTML",
        }
    }

    /// Graph's `outlook.body-content-type` preference.
    pub(crate) fn as_graph(&self) -> &'static str {
        match self {
            BodyFormat::Text => "text",
            BodyFormat::Html => "html",
        }
    }
}

/// How a failed attempt may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idempotence {
    /// Reads, updates, deletes: a lost response is retried.
    Safe,
    /// Creates: a lost response is returned to the caller, which looks the item up
    /// before trying again (never a double booking).
    LookUpFirst,
}

/// How one attempt failed, which decides whether to try again.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The server asked us to slow down, for this long when it said.
    Throttled(Option<Duration>),
    /// The network failed (the kind is in the error).
    Transport(CalendarError),
    /// HTTP 401: worth one more try with a fresh token.
    Unauthorized(CalendarError),
    /// Anything else: returned as it is.
    Final(CalendarError),
}

/// One endpoint's retry settings, for [`with_retries`].
pub(crate) struct Endpoint<'a> {
    /// "EWS" or "Graph", for logs.
    pub service: &'static str,
    pub url: &'a str,
    pub limits: Limits,
    pub outage: &'a http::OutageMemory,
}

/// Runs `attempt` until it succeeds or retries are used up. `refresh_token` drops a
/// cached token and says whether one more try is worth it (false: no token to renew).
/// `what` names the request in logs (the operation or the URL).
pub(crate) fn with_retries<T>(
    endpoint: &Endpoint<'_>,
    what: &str,
    idempotence: Idempotence,
    mut attempt: impl FnMut() -> Result<T, Failure>,
    mut refresh_token: impl FnMut() -> bool,
) -> Result<T, CalendarError> {
    let mut retry = Retry::new(endpoint.outage.limits(endpoint.limits));
    let mut token_refreshed = false;
    let mut last_error = None;
    let result = loop {
        if !retry.next_attempt() {
            break Err(last_error.unwrap_or_else(|| CalendarError::Unreachable {
                endpoint: endpoint.url.to_string(),
                kind: TransportFailure::Dropped,
                detail: "no attempt was made (max_attempts = 0)".into(),
            }));
        }
        match attempt() {
            Ok(answer) => break Ok(answer),
            Err(Failure::Throttled(delay)) => {
                tracing::info!(
                    service = endpoint.service,
                    what,
                    ?delay,
                    "the server is busy; backing off"
                );
                // Whole seconds, rounded up: "retry after 0 s" would say nothing.
                let retry_after_s = delay.map(|d| (d.as_millis().div_ceil(1000) as u64).max(1));
                if !retry.wait(delay) {
                    break Err(CalendarError::Throttled { retry_after_s });
                }
                last_error = Some(CalendarError::Throttled { retry_after_s });
            }
            Err(Failure::Transport(error)) => {
                tracing::info!(service = endpoint.service, what, attempt = retry.attempt(), error = %error, "request failed");
                let kind = error
                    .transport_failure()
                    .unwrap_or(TransportFailure::Dropped);
                let lost = matches!(kind, TransportFailure::Dropped | TransportFailure::Timeout);
                if kind == TransportFailure::Tls
                    || (lost && idempotence == Idempotence::LookUpFirst)
                {
                    break Err(error);
                }
                if !retry.wait(None) {
                    break Err(error);
                }
                last_error = Some(error);
            }
            Err(Failure::Unauthorized(error)) => {
                // A cached token can be revoked early: fetch a new one once.
                if !token_refreshed && refresh_token() {
                    token_refreshed = true;
                    last_error = Some(error);
                    continue;
                }
                break Err(error);
            }
            Err(Failure::Final(error)) => break Err(error),
        }
    };
    endpoint
        .outage
        .record(matches!(result, Err(CalendarError::Unreachable { .. })));
    result
}

/// Reads that failed for network reasons fall back to the snapshot.
pub(crate) fn is_outage(error: &CalendarError) -> bool {
    matches!(
        error,
        CalendarError::Unreachable { .. } | CalendarError::Throttled { .. }
    )
}

/// What both server backends keep: where the service is, the outage snapshots, how
/// many free/busy requests may be in flight.
#[derive(Debug)]
pub(crate) struct Common {
    /// Backend name for logs and events ("ews", "graph").
    pub backend: &'static str,
    /// Mailboxes one free/busy request may name.
    pub free_busy_batch: usize,
    /// The service's URL, for errors.
    pub endpoint: String,
    pub snapshots: Snapshots,
    pub max_threads: usize,
}

/// The span of time a read covers: events overlapping `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// Events as a backend fetched them, each with the booking marker it carries.
pub(crate) type MarkedMeetings = Vec<(Meeting, Option<String>)>;

/// What a server backend does in its own protocol. Every `Remote` is a [`Calendar`]:
/// the functions of this module add retries around lost bookings, the snapshot, the
/// conflict check and the free/busy fan-out.
pub(crate) trait Remote: Send + Sync {
    fn common(&self) -> &Common;
    /// Events overlapping the window, sorted by start, cancelled ones left out, each
    /// with the booking marker it carries.
    fn fetch(&self, mailbox: &str, window: Window) -> super::Result<MarkedMeetings>;
    /// The body of an event `fetch` returned without one.
    fn fetch_body(&self, mailbox: &str, event: &Meeting) -> super::Result<Option<Body>> {
        let _ = mailbox;
        Ok(event.body.clone())
    }
    /// One create request for `booking`, tagged with `marker`.
    fn create(&self, mailbox: &str, booking: &NewBooking, marker: &str) -> super::Result<Meeting>;
    /// Moves an event's end (already checked to be after its start).
    fn move_end(&self, mailbox: &str, event: &Meeting, end: DateTime<Utc>) -> super::Result<()>;
    fn delete(&self, mailbox: &str, event: &Meeting) -> super::Result<()>;
    /// One free/busy request for at most [`Common::free_busy_batch`] mailboxes.
    fn free_busy_batch(&self, mailboxes: &[String], window: Window)
        -> super::Result<Vec<FreeBusy>>;
}

impl<R: Remote> Calendar for R {
    fn backend(&self) -> &'static str {
        self.common().backend
    }

    fn events(
        &self,
        mailbox: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<CalendarView, CalendarError> {
        read(self, mailbox, from, to)
    }

    fn body(&self, mailbox: &str, event: &Meeting) -> Result<Option<Body>, CalendarError> {
        match &event.body {
            Some(body) => Ok(Some(body.clone())),
            None => self.fetch_body(mailbox, event),
        }
    }

    fn book(&self, mailbox: &str, booking: &NewBooking) -> Result<Meeting, CalendarError> {
        book(self, mailbox, booking)
    }

    fn set_end(
        &self,
        mailbox: &str,
        event: &Meeting,
        new_end: DateTime<Utc>,
    ) -> Result<(), CalendarError> {
        check_new_end(event, new_end)?;
        self.move_end(mailbox, event, new_end)
    }

    fn cancel(&self, mailbox: &str, event: &Meeting) -> Result<(), CalendarError> {
        self.delete(mailbox, event)
    }

    fn free_busy(
        &self,
        mailboxes: &[String],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<FreeBusy>, CalendarError> {
        free_busy(self, mailboxes, from, to)
    }
}

/// Reads the window, keeping a snapshot of it; during an outage the snapshot answers.
fn read<R: Remote>(
    remote: &R,
    mailbox: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<CalendarView, CalendarError> {
    match remote.fetch(mailbox, Window { from, to }) {
        Ok(events) => {
            let events: Vec<Meeting> = events.into_iter().map(|(e, _)| e).collect();
            remote
                .common()
                .snapshots
                .store(mailbox, from, to, &events, Utc::now());
            Ok(CalendarView {
                events,
                stale_since: None,
            })
        }
        Err(error) if is_outage(&error) => {
            match remote.common().snapshots.view(mailbox, from, to) {
                Some(view) => {
                    tracing::warn!(mailbox, error = %error, stale_since = ?view.stale_since, "answering from the calendar snapshot");
                    Ok(view)
                }
                None => Err(error),
            }
        }
        Err(error) => Err(error),
    }
}

/// Books when the slot is free (`CalendarError::Conflict` names the event in the way),
/// creating the booking at most once.
fn book<R: Remote>(
    remote: &R,
    mailbox: &str,
    booking: &NewBooking,
) -> Result<Meeting, CalendarError> {
    if booking.end <= booking.start {
        return Err(CalendarError::Invalid(
            "a booking must end after it starts".into(),
        ));
    }
    let existing = remote.fetch(
        mailbox,
        Window {
            from: booking.start,
            to: booking.end,
        },
    )?;
    if let Some((conflict, _)) = existing
        .into_iter()
        .find(|(e, _)| e.start < booking.end && e.end > booking.start)
    {
        return Err(CalendarError::Conflict {
            conflict: Box::new(conflict),
        });
    }
    let marker = new_marker();
    create_once(
        mailbox,
        &remote.common().endpoint,
        || remote.create(mailbox, booking, &marker),
        || {
            let events = remote.fetch(
                mailbox,
                Window {
                    from: booking.start,
                    to: booking.end,
                },
            )?;
            Ok(events
                .into_iter()
                .find(|(_, m)| m.as_deref() == Some(marker.as_str()))
                .map(|(e, _)| e))
        },
    )
}

/// A marker unique to one booking request.
fn new_marker() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    format!(
        "roomvoice-{nanos:x}-{:x}-{:x}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Creates a booking at most once. When the answer to the create request is lost (the
/// server may or may not have made it), the booking is looked up by its marker before
/// one more try; when even that cannot be known, the error is returned rather than
/// risking a double booking.
fn create_once(
    mailbox: &str,
    endpoint: &str,
    mut create: impl FnMut() -> Result<Meeting, CalendarError>,
    mut find: impl FnMut() -> Result<Option<Meeting>, CalendarError>,
) -> Result<Meeting, CalendarError> {
    for attempt in 1..=2 {
        match create() {
            Ok(event) => return Ok(event),
            Err(lost @ CalendarError::Unreachable { .. }) if attempt == 1 => {
                tracing::warn!(mailbox, error = %lost, "the booking's answer was lost; looking it up before trying again");
                match find() {
                    Ok(Some(event)) => return Ok(event),
                    Ok(None) => continue,
                    Err(_) => return Err(lost),
                }
            }
            Err(error) => return Err(error),
        }
    }
    Err(CalendarError::Unreachable {
        endpoint: endpoint.to_string(),
        kind: TransportFailure::Dropped,
        detail: "the booking could not be confirmed".into(),
    })
}

/// Refuses a new end that is not after the event's start.
fn check_new_end(event: &Meeting, new_end: DateTime<Utc>) -> Result<(), CalendarError> {
    if new_end <= event.start {
        return Err(CalendarError::InPast(format!(
            "the new end {new_end} is not after the start {}",
            event.start
        )));
    }
    Ok(())
}

/// Free/busy of many mailboxes: batches of [`Common::free_busy_batch`], at most
/// `max_threads` in flight, answers in the order asked. A failed batch fails the call
/// (one mailbox the server cannot read only marks that mailbox).
fn free_busy<R: Remote>(
    remote: &R,
    mailboxes: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<FreeBusy>, CalendarError> {
    let batches: Vec<&[String]> = mailboxes.chunks(remote.common().free_busy_batch).collect();
    let mut all = Vec::new();
    for group in batches.chunks(remote.common().max_threads.max(1)) {
        let results: Vec<Result<Vec<FreeBusy>, CalendarError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = group
                .iter()
                .map(|batch| {
                    scope.spawn(move || remote.free_busy_batch(batch, Window { from, to }))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(CalendarError::Server("a free/busy worker panicked".into()))
                    })
                })
                .collect()
        });
        for result in results {
            all.extend(result?);
        }
    }
    Ok(all)
}

/// One mailbox's answer from the stretches the server sent, each a status as the
/// server names it and its times (read only for busy stretches): "free" and "no data"
/// left out, statuses in lower case, sorted by start.
pub(crate) fn answered<'a, Times>(
    mailbox: &str,
    stretches: impl IntoIterator<Item = (&'a str, Times)>,
) -> Result<FreeBusy, CalendarError>
where
    Times: FnOnce() -> Result<(DateTime<Utc>, DateTime<Utc>), CalendarError>,
{
    let mut busy = Vec::new();
    for (status, times) in stretches {
        let status = status.to_ascii_lowercase();
        if matches!(status.as_str(), "free" | "nodata" | "unknown") {
            continue;
        }
        let (start, end) = times()?;
        busy.push(BusyInterval { start, end, status });
    }
    busy.sort_by_key(|b| b.start);
    Ok(FreeBusy {
        mailbox: mailbox.to_string(),
        busy,
        error: None,
    })
}

/// One mailbox the server could not read; the rest of the batch still answers.
pub(crate) fn unanswered(mailbox: &str, error: String) -> FreeBusy {
    FreeBusy {
        mailbox: mailbox.to_string(),
        busy: Vec::new(),
        error: Some(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn endpoint(outage: &http::OutageMemory) -> Endpoint<'_> {
        Endpoint {
            service: "test",
            url: "https://calendar.example.com/",
            limits: Limits {
                max_attempts: 3,
                retry_budget_ms: 1000,
                ..Limits::default()
            },
            outage,
        }
    }

    fn unreachable(kind: TransportFailure) -> CalendarError {
        CalendarError::Unreachable {
            endpoint: "https://calendar.example.com/".into(),
            kind,
            detail: "test".into(),
        }
    }

    #[test]
    fn a_lost_create_is_not_retried_but_a_lost_read_is() {
        let outage = http::OutageMemory::default();
        let tries = Cell::new(0);
        let lost = || {
            tries.set(tries.get() + 1);
            Err::<(), _>(Failure::Transport(unreachable(TransportFailure::Dropped)))
        };
        let err = with_retries(
            &endpoint(&outage),
            "create",
            Idempotence::LookUpFirst,
            lost,
            || false,
        )
        .unwrap_err();
        assert!(matches!(err, CalendarError::Unreachable { .. }));
        assert_eq!(tries.get(), 1);

        let outage = http::OutageMemory::default();
        tries.set(0);
        let _ = with_retries(&endpoint(&outage), "read", Idempotence::Safe, lost, || {
            false
        });
        assert_eq!(tries.get(), 3);
    }

    #[test]
    fn tls_failures_are_never_retried_and_an_outage_means_one_attempt() {
        let outage = http::OutageMemory::default();
        let tries = Cell::new(0);
        let tls = || {
            tries.set(tries.get() + 1);
            Err::<(), _>(Failure::Transport(unreachable(TransportFailure::Tls)))
        };
        let _ = with_retries(&endpoint(&outage), "read", Idempotence::Safe, tls, || false);
        assert_eq!(tries.get(), 1);
        // The failure is remembered: the next call makes a single attempt.
        tries.set(0);
        let refused = || {
            tries.set(tries.get() + 1);
            Err::<(), _>(Failure::Transport(unreachable(TransportFailure::Connect)))
        };
        let _ = with_retries(
            &endpoint(&outage),
            "read",
            Idempotence::Safe,
            refused,
            || false,
        );
        assert_eq!(tries.get(), 1);
    }

    #[test]
    fn a_rejected_token_is_renewed_once() {
        let outage = http::OutageMemory::default();
        let tries = Cell::new(0);
        let refreshed = Cell::new(0);
        let err = with_retries(
            &endpoint(&outage),
            "read",
            Idempotence::Safe,
            || {
                tries.set(tries.get() + 1);
                Err::<(), _>(Failure::Unauthorized(CalendarError::Auth("no".into())))
            },
            || {
                refreshed.set(refreshed.get() + 1);
                true
            },
        )
        .unwrap_err();
        assert!(matches!(err, CalendarError::Auth(_)));
        assert_eq!((tries.get(), refreshed.get()), (2, 1));
    }

    #[test]
    fn throttling_says_when_to_retry_in_whole_seconds() {
        let outage = http::OutageMemory::default();
        let err = with_retries(
            &endpoint(&outage),
            "read",
            Idempotence::Safe,
            || Err::<(), _>(Failure::Throttled(Some(Duration::from_millis(1500)))),
            || false,
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                CalendarError::Throttled {
                    retry_after_s: Some(2)
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn busy_stretches_leave_out_free_time_and_sort() {
        let at = |h: u32| chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 23, h, 0, 0).unwrap();
        let stretch = |status, from, to| (status, move || Ok((at(from), at(to))));
        let unread = || Err(CalendarError::Invalid("free time is not read".into()));
        let answer = answered(
            "everest@contoso.com",
            [
                stretch("Busy", 12, 13),
                stretch("Tentative", 10, 11),
                stretch("unknown", 15, 16),
            ],
        )
        .unwrap();
        assert!(answered("x", [("Free", unread), ("NoData", unread)]).is_ok());
        let statuses: Vec<_> = answer.busy.iter().map(|b| b.status.as_str()).collect();
        assert_eq!(statuses, ["tentative", "busy"]);
        assert_eq!(answer.error, None);
    }
}
