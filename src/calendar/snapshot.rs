//! The last good view of each mailbox's calendar, kept on disk so "is this room free"
//! still answers while Exchange or Graph cannot be reached (the answer then says it
//! may be out of date: `CalendarView::stale_since`).
//!
//! One JSON file per backend and mailbox under `<state_dir>/calendar-snapshots/`, where
//! `state_dir` is `[calendar] state_dir`, else `$XDG_STATE_HOME/roomvoice`, else
//! `~/.local/state/roomvoice`. A successful read replaces the events inside its window
//! and keeps the rest when the windows touch, so the snapshot grows to cover the day
//! as the room is asked about it. Files are written atomically (temp file + rename).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{CalendarView, Meeting};

#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    taken_at: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    events: Vec<Meeting>,
}

/// Where one backend keeps its snapshots.
#[derive(Debug, Clone)]
pub(crate) struct Snapshots {
    dir: Option<PathBuf>,
    backend: &'static str,
}

impl Snapshots {
    /// `state_dir` from the configuration, or the XDG default; `None` anywhere turns
    /// snapshots off (logged once here).
    pub(crate) fn new(state_dir: Option<&Path>, backend: &'static str) -> Snapshots {
        let dir = state_dir.map(Path::to_path_buf).or_else(default_state_dir);
        if dir.is_none() {
            tracing::warn!("no state directory (set [calendar] state_dir): the calendar snapshot for outages is off");
        }
        Snapshots {
            dir: dir.map(|d| d.join("calendar-snapshots")),
            backend,
        }
    }

    fn file(&self, mailbox: &str) -> Option<PathBuf> {
        let safe: String = mailbox
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '@' || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir
            .as_ref()
            .map(|d| d.join(format!("{}-{safe}.json", self.backend)))
    }

    /// Records a fresh read of `[from, to)`. Failures are logged, never fatal: the
    /// snapshot is a convenience for outages.
    pub(crate) fn store(
        &self,
        mailbox: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        events: &[Meeting],
        now: DateTime<Utc>,
    ) {
        let Some(path) = self.file(mailbox) else {
            return;
        };
        let mut stored = Stored {
            taken_at: now,
            from,
            to,
            events: events.to_vec(),
        };
        if let Some(old) = read(&path) {
            // Windows that touch or overlap merge; the fresh read wins inside its window.
            if old.from <= to && from <= old.to {
                let keep = old
                    .events
                    .into_iter()
                    .filter(|e| e.end <= from || e.start >= to);
                stored.events.extend(keep);
                stored.events.sort_by_key(|e| e.start);
                stored.events.dedup_by(|a, b| a.id == b.id);
                stored.from = old.from.min(from);
                stored.to = old.to.max(to);
            }
        }
        if let Err(e) = write(&path, &stored) {
            tracing::warn!(path = %path.display(), error = %e, "cannot write the calendar snapshot");
        }
    }

    /// The snapshot's events overlapping `[from, to)`, when the snapshot covers that
    /// whole window; `stale_since` is when it was taken.
    pub(crate) fn view(
        &self,
        mailbox: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Option<CalendarView> {
        let stored = read(&self.file(mailbox)?)?;
        if stored.from > from || stored.to < to {
            return None;
        }
        let events = stored
            .events
            .into_iter()
            .filter(|e| e.start < to && e.end > from)
            .collect();
        Some(CalendarView {
            events,
            stale_since: Some(stored.taken_at),
        })
    }
}

fn default_state_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("XDG_STATE_HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir).join("roomvoice"));
    }
    std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .map(|home| PathBuf::from(home).join(".local/state/roomvoice"))
}

fn read(path: &Path) -> Option<Stored> {
    let text = std::fs::read_to_string(path).ok()?;
    match serde_json::from_str(&text) {
        Ok(stored) => Some(stored),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "ignoring an unreadable calendar snapshot");
            None
        }
    }
}

fn write(path: &Path, stored: &Stored) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    serde_json::to_writer(&mut tmp, stored)?;
    // The service's snapshot stays the service's when root asks the room something.
    if let Ok(before) = std::fs::metadata(path) {
        crate::paths::keep_owner(tmp.as_file(), path, &before);
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn event(id: &str, h0: u32, h1: u32) -> Meeting {
        Meeting {
            id: id.into(),
            subject: format!("meeting {id}"),
            organizer: None,
            start: Utc.with_ymd_and_hms(2026, 11, 23, h0, 0, 0).unwrap(),
            end: Utc.with_ymd_and_hms(2026, 11, 23, h1, 0, 0).unwrap(),
            all_day: false,
            location: None,
            body: None,
            online_meeting: None,
            booked_by_device: false,
        }
    }

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, h, 0, 0).unwrap()
    }

    #[test]
    fn covered_window_is_served_stale_and_uncovered_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let snaps = Snapshots::new(Some(dir.path()), "ews");
        snaps.store("room@x", at(8), at(12), &[event("a", 9, 10)], at(8));
        let view = snaps.view("room@x", at(9), at(11)).unwrap();
        assert_eq!(view.events.len(), 1);
        assert_eq!(view.stale_since, Some(at(8)));
        assert!(
            snaps.view("room@x", at(9), at(13)).is_none(),
            "13:00 was never read"
        );
        assert!(snaps.view("other@x", at(9), at(11)).is_none());
    }

    #[test]
    fn touching_windows_merge_and_fresh_read_wins() {
        let dir = tempfile::tempdir().unwrap();
        let snaps = Snapshots::new(Some(dir.path()), "ews");
        snaps.store(
            "room@x",
            at(8),
            at(12),
            &[event("a", 9, 10), event("b", 11, 12)],
            at(8),
        );
        // "b" was cancelled; the new read of 10-14 no longer has it.
        snaps.store("room@x", at(10), at(14), &[event("c", 13, 14)], at(10));
        let view = snaps.view("room@x", at(8), at(14)).unwrap();
        let ids: Vec<_> = view.events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["a", "c"]);
    }
}
