//! `roomvoice check [--config F] [--json]`: the administrator's connectivity test for
//! the room calendar, like the "Test" button of the original connector.
//!
//! Each line is pass, warn or fail, and every warn or fail says what to do. For EWS:
//! the URL is EWS (not OWA) and not on retiring Exchange Online EWS, the server is
//! reachable with a valid certificate, the credentials are accepted, the server version
//! (`ServerVersionInfo`), the room mailbox exists and its calendar can be read, booking
//! is permitted, invitation bodies are kept, the test mailbox is reachable with the
//! configured access method, and when the service account's password expires. For
//! Graph: the token, read and write access to the room calendar and the test mailbox.
//! For ICS: the file is readable and parses.
//!
//! Booking permission is tested without side effects: EWS `GetFolder` returns the
//! account's `EffectiveRights` on the room calendar (CreateContents, Modify, Delete),
//! Graph returns the calendar's `canEdit`. Nothing is created, changed or deleted.
//!
//! Exit status: 0 when nothing failed (warnings allowed), 1 when something needed
//! failed.

mod ews;
mod graph;

use std::path::PathBuf;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde::Serialize;

use crate::calendar::CalendarError;
use crate::config::{Backend, Config};

/// Arguments of `roomvoice check`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Configuration file. Default: $ROOMVOICE_CONFIG, ./roomvoice.toml,
    /// /etc/roomvoice/roomvoice.toml (not with ROOMVOICE_CONFIG_NOSYSTEM=1), else the
    /// embedded demo room.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// One JSON object per line: {"event":"check","check":..,"status":..,"message":..,"fix":..}.
    #[arg(long)]
    pub json: bool,
    /// Check as of this time (RFC 3339), for password-expiry warnings in tests.
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    pub now: Option<DateTime<FixedOffset>>,
}

fn parse_now(value: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(value).map_err(|e| {
        format!(
            "\"{value}\" is not an RFC 3339 time ({e}); write it like 2026-11-23T10:05:00-08:00"
        )
    })
}

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    Pass,
    Warn,
    Fail,
}

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Line {
    /// Stable name of the check, e.g. "ews.credentials".
    pub check: String,
    pub status: Status,
    pub message: String,
    /// What to do, for warn and fail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// The report being built.
#[derive(Debug, Default)]
pub(crate) struct Report {
    pub lines: Vec<Line>,
}

impl Report {
    fn pass(&mut self, check: &str, message: impl Into<String>) {
        self.lines.push(Line {
            check: check.into(),
            status: Status::Pass,
            message: message.into(),
            fix: None,
        });
    }
    fn warn(&mut self, check: &str, message: impl Into<String>, fix: impl Into<String>) {
        self.lines.push(Line {
            check: check.into(),
            status: Status::Warn,
            message: message.into(),
            fix: Some(fix.into()),
        });
    }
    fn fail(&mut self, check: &str, message: impl Into<String>, fix: impl Into<String>) {
        self.lines.push(Line {
            check: check.into(),
            status: Status::Fail,
            message: message.into(),
            fix: Some(fix.into()),
        });
    }
    /// A calendar error as a failed check; its message already says what to do.
    fn error(&mut self, check: &str, what: &str, error: &CalendarError) {
        let fix = match error {
            CalendarError::Unreachable { .. } => "check the URL, DNS, firewall and the server; the detail above says which step failed",
            CalendarError::Auth(_) => "fix the credentials named above",
            CalendarError::Permission(_) => "grant the right named above",
            CalendarError::Throttled { .. } => "try again later; if it persists, raise the throttling policy for the service account",
            _ => "see the message",
        };
        self.fail(check, format!("{what}: {error}"), fix);
    }
    pub(crate) fn failed(&self) -> bool {
        self.lines.iter().any(|l| l.status == Status::Fail)
    }
}

pub fn main(args: &Args) -> i32 {
    let now = args
        .now
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(Utc::now);
    let report = match Config::locate(args.config.as_deref()) {
        Ok(config) => run(&config, now),
        Err(e) => {
            let mut report = Report::default();
            report.fail(
                "config",
                e.to_string(),
                "fix the configuration file as the message says",
            );
            report
        }
    };
    print(&report, args.json);
    if report.failed() {
        1
    } else {
        0
    }
}

fn print(report: &Report, json: bool) {
    for line in &report.lines {
        if json {
            let mut value = serde_json::to_value(line).unwrap_or_default();
            value["event"] = serde_json::Value::from("check");
            println!("{value}");
        } else {
            let tag = match line.status {
                Status::Pass => "PASS",
                Status::Warn => "WARN",
                Status::Fail => "FAIL",
            };
            println!("{tag}  {:<20} {}", line.check, line.message);
            if let Some(fix) = &line.fix {
                println!("      {:<20} fix: {fix}", "");
            }
        }
    }
    if !json {
        let count = |s| report.lines.iter().filter(|l| l.status == s).count();
        println!(
            "{} passed, {} warnings, {} failed",
            count(Status::Pass),
            count(Status::Warn),
            count(Status::Fail)
        );
    }
}

/// Runs every check for the configured backend.
pub(crate) fn run(config: &Config, now: DateTime<Utc>) -> Report {
    let mut report = Report::default();
    let origin = match config.source() {
        crate::config::ConfigSource::File(p) => p.display().to_string(),
        crate::config::ConfigSource::EmbeddedDemo => "the embedded demo room".into(),
    };
    report.pass(
        "config",
        format!(
            "{origin}: room {} <{}>, backend {}",
            config.room.name,
            config.room.mailbox,
            config.calendar.backend.as_str()
        ),
    );
    check_wake_word(config, &mut report);
    match config.calendar.backend {
        Backend::Ics => check_ics(config, now, &mut report),
        Backend::Ews => ews::check(config, now, &mut report),
        Backend::Graph => graph::check(config, now, &mut report),
    }
    report
}

/// How the wake word will be heard: the trained detector, or the engine's spotting.
fn check_wake_word(config: &Config, report: &mut Report) {
    use crate::speech::WakePath;
    match crate::speech::wake_path(&config.speech_setup()) {
        Ok(path @ WakePath::Detector { .. }) => report.pass("speech.wake_word", path.to_string()),
        Ok(
            path @ WakePath::Engine {
                detector_missing: true,
                ..
            },
        ) => report.warn(
            "speech.wake_word",
            path.to_string(),
            "run device/setup.sh to install the trained wake-word detector (PyPI pymicro-wakeword)",
        ),
        Ok(path) => report.pass("speech.wake_word", path.to_string()),
        Err(e) => report.fail(
            "speech.wake_word",
            e.to_string(),
            "fix [speech] wake_model / wake_threshold",
        ),
    }
}

fn check_ics(config: &Config, now: DateTime<Utc>, report: &mut Report) {
    if let Some(ics) = &config.calendar.ics {
        if !config.is_demo() {
            let path = config.resolve(&ics.path);
            if let Err(e) = std::fs::read(&path) {
                report.fail(
                    "ics.file",
                    format!("cannot read {}: {e}", path.display()),
                    "check [calendar.ics] path and the file's permissions",
                );
                return;
            }
            report.pass("ics.file", format!("{} is readable", path.display()));
        }
    }
    match crate::calendar::open(&config.calendar_setup())
        .and_then(|c| c.events(&config.room.mailbox, now, now + Duration::days(1)))
    {
        Ok(view) => report.pass(
            "ics.parse",
            format!(
                "the calendar parses; {} events in the next 24 hours",
                view.events.len()
            ),
        ),
        Err(e) => report.error("ics.parse", "the calendar cannot be read", &e),
    }
}

pub(super) fn events(n: usize) -> String {
    if n == 1 {
        "1 event".into()
    } else {
        format!("{n} events")
    }
}

/// The backend `open` gave, or its error reported as `key` (and `None`).
pub(super) fn opened<T>(
    report: &mut Report,
    key: &'static str,
    what: &str,
    open: Result<T, CalendarError>,
) -> Option<T> {
    match open {
        Ok(calendar) => Some(calendar),
        Err(e) => {
            report.error(key, what, &e);
            None
        }
    }
}
