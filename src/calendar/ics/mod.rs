//! The `ics` backend: iCalendar (RFC 5545) files as the room's calendar (and an enrolled
//! user's), and the embedded demo room.
//!
//! - `lines`: content lines with their line numbers and byte spans.
//! - `model`: VEVENTs and recurrence rules (the `rrule` crate).
//! - `zones`: TZIDs (IANA, Windows, VTIMEZONE) to time zones (`chrono-tz`).
//! - `expand`: the occurrences in a window (overrides, EXDATEs, cancelled ones out).
//! - `edit`: bookings and changes as byte edits of the file.
//!
//! Reading: the file is parsed once and parsed again only when its modification time or
//! size changes, so edits by people or other programs are seen on the next read.
//! Writing: under an exclusive lock on a sidecar `<file>.lock` (the file itself is
//! replaced by rename, so it cannot carry the lock), the file is read again, the change
//! planned against what is there now, written to a temporary file in the same folder,
//! flushed to disk and renamed over the original. Two devices booking the same slot at
//! once therefore get one booking and one `Conflict`, and a reader never sees half a file.
//!
//! The demo room (no config file) serves the embedded `device/demo/room.ics` for every
//! mailbox except the configured user's, who gets `device/demo/user.ics`; changes to
//! them live in memory for the process only.
//!
//! Events marked `TRANSP:TRANSPARENT` (holiday markers, "focus time") do not occupy
//! anything: they are left out of the room's events (the assistant treats every room
//! event as the room being taken) and never block a booking, but a user's transparent
//! events are listed, since "what's on my calendar" should mention them. All-day events
//! come with `all_day = true` and span the room's local midnight to midnight.

mod edit;
mod expand;
mod lines;
mod model;
mod zones;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{Calendar, CalendarError, CalendarView, Meeting, NewBooking};
use edit::Edit;
use model::Document;

/// An iCalendar file (or the embedded demo) per mailbox.
pub struct IcsCalendar {
    sources: Vec<Source>,
    /// In the demo every mailbox not listed is the room.
    demo_room: Option<usize>,
}

struct Source {
    mailbox: String,
    /// The room's calendar (transparent events left out) or a user's.
    is_room: bool,
    store: Store,
}

/// A parsed calendar and the text it came from.
struct Loaded {
    text: String,
    doc: Document,
}

enum Store {
    /// Embedded text; changes last for this process only.
    Memory {
        label: String,
        room_tz: Tz,
        state: Mutex<Arc<Loaded>>,
    },
    File {
        path: PathBuf,
        room_tz: Tz,
        cache: Mutex<Option<(FileStamp, Arc<Loaded>)>>,
    },
}

/// What tells us the file changed since we parsed it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileStamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

impl FileStamp {
    fn of(meta: &std::fs::Metadata) -> FileStamp {
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(meta);
        #[cfg(not(unix))]
        let inode = 0;
        FileStamp {
            modified: meta.modified().ok(),
            len: meta.len(),
            inode,
        }
    }
}

fn io_error(path: &Path, source: std::io::Error) -> CalendarError {
    CalendarError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn parse(text: String, label: &str, room_tz: Tz) -> Result<Loaded, CalendarError> {
    match model::parse(&text, room_tz) {
        Ok(doc) => Ok(Loaded { text, doc }),
        Err(e) => Err(CalendarError::Invalid(format!(
            "{label} line {}: {}",
            e.line, e.message
        ))),
    }
}

impl IcsCalendar {
    /// Opens the calendars the configuration names: the embedded demo, or
    /// `[calendar.ics] path` for the room mailbox and `user_path` for `[user] mailbox`.
    pub fn open(setup: &super::Setup) -> Result<IcsCalendar, CalendarError> {
        let room_tz = setup.room.timezone;
        if setup.paths.is_demo() {
            let mut sources = vec![Source {
                mailbox: setup.room.mailbox.clone(),
                is_room: true,
                store: Store::memory(
                    "demo room calendar (device/demo/room.ics)",
                    crate::demo::ROOM_CALENDAR,
                    room_tz,
                )?,
            }];
            if let Some(user) = setup.user {
                sources.push(Source {
                    mailbox: user.mailbox.clone(),
                    is_room: false,
                    store: Store::memory(
                        "demo user calendar (device/demo/user.ics)",
                        crate::demo::USER_CALENDAR,
                        room_tz,
                    )?,
                });
            }
            return Ok(IcsCalendar {
                sources,
                demo_room: Some(0),
            });
        }
        let ics = setup.calendar.ics.as_ref().ok_or_else(|| {
            CalendarError::Invalid(
                "[calendar] backend = \"ics\" needs a [calendar.ics] table with path = \"room.ics\""
                    .into(),
            )
        })?;
        let origin = setup.paths.origin();
        let mut sources = vec![Source {
            mailbox: setup.room.mailbox.clone(),
            is_room: true,
            store: Store::file(
                setup.paths.resolve(&ics.path),
                "[calendar.ics] path",
                &origin,
                room_tz,
            )?,
        }];
        match (&ics.user_path, setup.user) {
            (Some(user_path), Some(user)) => sources.push(Source {
                mailbox: user.mailbox.clone(),
                is_room: false,
                store: Store::file(
                    setup.paths.resolve(user_path),
                    "[calendar.ics] user_path",
                    &origin,
                    room_tz,
                )?,
            }),
            (Some(user_path), None) => tracing::warn!(
                "[calendar.ics] user_path = {} is not used: there is no [user] table with the user's mailbox",
                user_path.display()
            ),
            _ => {}
        }
        Ok(IcsCalendar {
            sources,
            demo_room: None,
        })
    }

    fn source(&self, mailbox: &str) -> Result<&Source, CalendarError> {
        let wanted = mailbox.trim();
        if let Some(source) = self
            .sources
            .iter()
            .find(|s| s.mailbox.trim().eq_ignore_ascii_case(wanted))
        {
            return Ok(source);
        }
        if let Some(room) = self.demo_room.and_then(|i| self.sources.get(i)) {
            return Ok(room);
        }
        let served: Vec<&str> = self.sources.iter().map(|s| s.mailbox.as_str()).collect();
        Err(CalendarError::NotFound(format!(
            "mailbox {wanted}: this ics calendar serves only {} (set [room] mailbox, or [user] mailbox with [calendar.ics] user_path)",
            served.join(" and ")
        )))
    }
}

impl Store {
    fn memory(label: &str, text: &str, room_tz: Tz) -> Result<Store, CalendarError> {
        let loaded = parse(text.to_string(), label, room_tz)?;
        Ok(Store::Memory {
            label: label.to_string(),
            room_tz,
            state: Mutex::new(Arc::new(loaded)),
        })
    }

    fn file(path: PathBuf, key: &str, origin: &str, room_tz: Tz) -> Result<Store, CalendarError> {
        if !path.is_file() {
            return Err(CalendarError::NotFound(format!(
                "the calendar file {} does not exist (or is not a file); check {key} in {origin} (a relative path is read from the config file's folder)",
                path.display()
            )));
        }
        let store = Store::File {
            path,
            room_tz,
            cache: Mutex::new(None),
        };
        store.current()?;
        Ok(store)
    }

    /// The parsed calendar as it is now (re-read when the file changed).
    fn current(&self) -> Result<Arc<Loaded>, CalendarError> {
        match self {
            Store::Memory { state, .. } => Ok(state.lock().map_err(poisoned)?.clone()),
            Store::File {
                path,
                room_tz,
                cache,
            } => {
                let mut cache = cache.lock().map_err(poisoned)?;
                let meta = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
                let stamp = FileStamp::of(&meta);
                if let Some((cached, loaded)) = cache.as_ref() {
                    if *cached == stamp {
                        return Ok(loaded.clone());
                    }
                }
                let text = std::fs::read_to_string(path).map_err(|e| io_error(path, e))?;
                let loaded = Arc::new(parse(text, &path.display().to_string(), *room_tz)?);
                tracing::debug!(path = %path.display(), events = loaded.doc.events.len(), "calendar file read");
                *cache = Some((stamp, loaded.clone()));
                Ok(loaded)
            }
        }
    }

    /// Reads the latest text under the write lock, plans one edit, writes it atomically.
    fn modify<T>(
        &self,
        plan: impl FnOnce(&Document, &str) -> Result<(Edit, T), CalendarError>,
    ) -> Result<T, CalendarError> {
        match self {
            Store::Memory {
                label,
                room_tz,
                state,
            } => {
                let mut state = state.lock().map_err(poisoned)?;
                let (edit, result) = plan(&state.doc, &state.text)?;
                let text = edit.apply(&state.text);
                *state = Arc::new(parse(text, label, *room_tz)?);
                tracing::info!("{label}: changed in memory only; the demo calendar is not saved");
                Ok(result)
            }
            Store::File {
                path,
                room_tz,
                cache,
            } => {
                let lock_path = lock_path(path);
                let lock = open_lock(&lock_path, path).map_err(|e| io_error(&lock_path, e))?;
                // Held until `lock` is dropped at the end of this block.
                lock_exclusive(&lock).map_err(|e| io_error(&lock_path, e))?;
                let meta = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
                let text = std::fs::read_to_string(path).map_err(|e| io_error(path, e))?;
                let loaded = parse(text, &path.display().to_string(), *room_tz)?;
                let (edit, result) = plan(&loaded.doc, &loaded.text)?;
                let new_text = edit.apply(&loaded.text);
                write_atomically(path, &new_text, &meta)?;
                // The next read sees the new file's stamp and parses it again.
                if let Ok(mut cache) = cache.lock() {
                    *cache = None;
                }
                drop(lock);
                Ok(result)
            }
        }
    }
}

fn poisoned<T>(_: std::sync::PoisonError<T>) -> CalendarError {
    CalendarError::Server(
        "the calendar's in-memory state was left inconsistent by a crashed thread; restart roomvoice".into(),
    )
}

fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    path.with_file_name(name)
}

/// Opens the lock file beside the calendar `path`. An existing one is opened for reading
/// only (a lock needs no more), so a lock file another user made (root running
/// `roomvoice ask` on the device, say) does not lock the service out; a new one gets the
/// calendar file's owner where this process may give it.
fn open_lock(lock_path: &Path, path: &Path) -> std::io::Result<std::fs::File> {
    match std::fs::File::open(lock_path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(lock_path)?;
            if let Ok(original) = std::fs::metadata(path) {
                crate::paths::keep_owner(&file, lock_path, &original);
            }
            Ok(file)
        }
        other => other,
    }
}

/// Blocks until this process holds the exclusive lock (`flock` on Unix).
#[allow(clippy::incompatible_msrv)] // File::lock is stable since Rust 1.89
fn lock_exclusive(file: &std::fs::File) -> std::io::Result<()> {
    file.lock()
}

/// Writes `text` to a temporary file next to `path`, flushes it to disk, keeps the
/// original's permissions and owner and renames it over `path`.
fn write_atomically(
    path: &Path,
    text: &str,
    original: &std::fs::Metadata,
) -> Result<(), CalendarError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".roomvoice-")
        .suffix(".ics.tmp")
        .tempfile_in(dir)
        .map_err(|e| io_error(dir, e))?;
    temp.write_all(text.as_bytes())
        .map_err(|e| io_error(temp.path(), e))?;
    temp.as_file()
        .sync_all()
        .map_err(|e| io_error(temp.path(), e))?;
    std::fs::set_permissions(temp.path(), original.permissions())
        .map_err(|e| io_error(temp.path(), e))?;
    crate::paths::keep_owner(temp.as_file(), path, original);
    temp.persist(path).map_err(|e| io_error(path, e.error))?;
    // Make the rename itself durable.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

impl Calendar for IcsCalendar {
    fn backend(&self) -> &'static str {
        "ics"
    }

    fn events(
        &self,
        mailbox: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<CalendarView, CalendarError> {
        let source = self.source(mailbox)?;
        let loaded = source.store.current()?;
        let events = expand::occurrences(&loaded.doc, from, to)
            .iter()
            .filter(|o| !(source.is_room && o.event.transparent))
            .map(edit::to_event)
            .collect();
        Ok(CalendarView {
            events,
            stale_since: None,
        })
    }

    fn book(&self, mailbox: &str, booking: &NewBooking) -> Result<Meeting, CalendarError> {
        self.source(mailbox)?
            .store
            .modify(|doc, _| edit::book(doc, booking, Utc::now()))
    }

    fn set_end(
        &self,
        mailbox: &str,
        event: &Meeting,
        new_end: DateTime<Utc>,
    ) -> Result<(), CalendarError> {
        self.source(mailbox)?.store.modify(|doc, text| {
            edit::set_end(doc, text, event, new_end, Utc::now()).map(|e| (e, ()))
        })
    }

    fn cancel(&self, mailbox: &str, event: &Meeting) -> Result<(), CalendarError> {
        self.source(mailbox)?
            .store
            .modify(|doc, text| edit::cancel(doc, text, event, Utc::now()).map(|e| (e, ())))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    /// Damaged files (a line removed, cut short, doubled, or a value garbled) give an
    /// error or fewer events, never a panic.
    #[test]
    fn damaged_files_never_panic() {
        let text = include_str!("../../../tests/fixtures/ics/edge_cases.ics");
        let lines: Vec<&str> = text.lines().collect();
        let from = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        let mut variants = Vec::new();
        for i in 0..lines.len() {
            let mut removed = lines.clone();
            removed.remove(i);
            variants.push(removed.join("\n"));
            let mut doubled = lines.clone();
            doubled.insert(i, lines[i]);
            variants.push(doubled.join("\n"));
            variants.push(lines[..i].join("\n"));
            let garbled = lines[i].replace(['0', '1', '2'], "9").replace("T", "X");
            let mut changed = lines.clone();
            changed[i] = &garbled;
            variants.push(changed.join("\n"));
        }
        let mut errors = 0;
        for variant in &variants {
            match model::parse(variant, chrono_tz::America::Los_Angeles) {
                Ok(doc) => {
                    for o in &expand::occurrences(&doc, from, to) {
                        assert!(o.start <= o.end);
                    }
                }
                Err(e) => {
                    errors += 1;
                    // Every error names a line of the file and says what is wrong.
                    assert!(
                        e.line >= 1 && e.line <= variant.lines().count().max(1),
                        "{e:?}"
                    );
                    assert!(!e.message.is_empty());
                }
            }
        }
        assert!(
            errors > lines.len(),
            "only {errors} of {} variants were refused",
            variants.len()
        );
    }
}
