//! Room utilisation: a local, append-only log of what happened in the room, and the
//! summary `roomvoice report` prints from it.
//!
//! `listen` appends one JSON line per happening: a call joined, a call ended, a room
//! booked by voice or instantly, a reservation released because nobody checked in, a
//! reservation held (its end passed while the device watched it). Every time is written
//! in the room's own UTC offset (RFC 3339), so a line says which local day it belongs to
//! without the configuration. Only subjects, providers and times are written: never a
//! meeting ID, passcode, number or invitation text.
//!
//! The file is opened for each line in append mode and the line written in one call, so
//! a second writer (a restarted `listen`) or a crash leaves at worst one torn last line,
//! which the report names and skips.

pub mod report;

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::paths::Paths;

/// The room utilisation log (`roomvoice report` reads it).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UtilisationConfig {
    /// The log file (relative to the config file). Default: $STATE_DIRECTORY (systemd's
    /// StateDirectory), else $XDG_STATE_HOME/roomvoice, else ~/.local/state/roomvoice;
    /// the file in it is `utilisation.jsonl`.
    #[serde(default)]
    pub log: Option<PathBuf>,
}

/// The log's file name inside the state directory.
pub(crate) const LOG_FILE: &str = "utilisation.jsonl";

/// One happening, as one line of the log (`"kind"` says which).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    /// A call was joined (`provider` as in the `join` event; `subject` when it came
    /// from the calendar). `offered` when the device offered it (proactive join).
    Joined {
        at: DateTime<FixedOffset>,
        provider: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subject: Option<String>,
        #[serde(default)]
        offered: bool,
    },
    /// The call ended: `by` is "room" (hung up here) or "far_end".
    Ended {
        at: DateTime<FixedOffset>,
        by: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subject: Option<String>,
    },
    /// The device booked the room (ad hoc): `how` is "voice" ("book this room") or
    /// "instant" (a meeting started in a free room).
    Booked {
        at: DateTime<FixedOffset>,
        start: DateTime<FixedOffset>,
        end: DateTime<FixedOffset>,
        subject: String,
        how: String,
    },
    /// A reservation nobody checked into was released.
    Released {
        at: DateTime<FixedOffset>,
        start: DateTime<FixedOffset>,
        end: DateTime<FixedOffset>,
        subject: String,
    },
    /// A reservation's end passed while the device watched it. `attended`: somebody
    /// checked in, started or joined it from this room (as far as this run knows).
    MeetingHeld {
        start: DateTime<FixedOffset>,
        end: DateTime<FixedOffset>,
        subject: String,
        attended: bool,
    },
}

/// Appends records to the log file.
#[derive(Debug)]
pub struct UtilisationLog {
    path: PathBuf,
    zone: Tz,
    /// A failing disk is reported once, not on every line.
    warned: bool,
}

impl UtilisationLog {
    /// A log at `path`; times are written in `zone` (the room's time zone).
    pub fn new(path: PathBuf, zone: Tz) -> UtilisationLog {
        UtilisationLog {
            path,
            zone,
            warned: false,
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// A time in the room's offset, as the log writes it.
    pub(crate) fn local(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        t.with_timezone(&self.zone).fixed_offset()
    }

    /// Appends one record. A write that fails is logged (once) and otherwise ignored:
    /// the room's dialogue matters more than its statistics.
    pub(crate) fn append(&mut self, record: &Record) {
        match self.try_append(record) {
            Ok(()) => self.warned = false,
            Err(e) if !self.warned => {
                self.warned = true;
                tracing::warn!(
                    path = %self.path.display(),
                    "cannot write the utilisation log: {e}; set [utilisation] log to a writable file"
                );
            }
            Err(e) => tracing::debug!("utilisation log: {e}"),
        }
    }

    fn try_append(&self, record: &Record) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut line = serde_json::to_string(record).map_err(std::io::Error::other)?;
        line.push('\n');
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        // One write of the whole line: O_APPEND keeps concurrent lines whole.
        file.write_all(line.as_bytes())
    }
}

/// Where the log is kept when `[utilisation] log` is not set: `$STATE_DIRECTORY` (set by
/// systemd for the unit's `StateDirectory=roomvoice`: /var/lib/roomvoice), else
/// `$XDG_STATE_HOME/roomvoice`, else `~/.local/state/roomvoice` (as the calendar
/// snapshot). None when none of them is set.
pub(crate) fn default_log_path() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    // systemd may list several directories, separated by colons; the first is ours.
    if let Some(dirs) = var("STATE_DIRECTORY") {
        let dirs = dirs.to_string_lossy().into_owned();
        if let Some(first) = dirs.split(':').find(|d| !d.is_empty()) {
            return Some(PathBuf::from(first).join(LOG_FILE));
        }
    }
    if let Some(dir) = var("XDG_STATE_HOME") {
        return Some(PathBuf::from(dir).join("roomvoice").join(LOG_FILE));
    }
    var("HOME").map(|home| {
        PathBuf::from(home)
            .join(".local/state/roomvoice")
            .join(LOG_FILE)
    })
}

/// The log path for a configuration: `[utilisation] log` (relative to the config file),
/// else [`default_log_path`].
pub(crate) fn configured_log_path(config: &UtilisationConfig, paths: &Paths) -> Option<PathBuf> {
    match &config.log {
        Some(path) => Some(paths.resolve(path)),
        None => default_log_path(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_appended_in_the_room_offset_without_secrets() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("state/utilisation.jsonl");
        let mut log = UtilisationLog::new(path.clone(), chrono_tz::America::Los_Angeles);
        let at = DateTime::parse_from_rfc3339("2026-11-23T18:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        log.append(&Record::Joined {
            at: log.local(at),
            provider: "zoom".into(),
            subject: Some("Standup".into()),
            offered: true,
        });
        log.append(&Record::Ended {
            at: log.local(at),
            by: "room".into(),
            subject: None,
        });
        let text = std::fs::read_to_string(&path).expect("log");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0],
            r#"{"kind":"joined","at":"2026-11-23T10:00:00-08:00","provider":"zoom","subject":"Standup","offered":true}"#
        );
        let back: Record = serde_json::from_str(lines[1]).expect("parse");
        assert!(matches!(back, Record::Ended { by, .. } if by == "room"));
    }
}
