//! One function per `roomvoice` subcommand; `main.rs` only parses the command line and
//! calls these. Each returns the process exit code.

pub mod ask;
pub mod batch;
pub mod check;
pub mod devices;
pub mod dialin;
pub mod grammar;
pub mod listen;
pub mod report;
pub mod run;

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, Utc};

use crate::assistant::Assistant;
use crate::config::Config;
use crate::events::EventSink;
use crate::utilisation::UtilisationLog;

/// Options shared by the commands that run the assistant (`ask`, `run`, `listen`).
#[derive(Debug, Clone, clap::Args)]
pub struct SessionArgs {
    /// Configuration file. Default: $ROOMVOICE_CONFIG, ./roomvoice.toml,
    /// /etc/roomvoice/roomvoice.toml (not with ROOMVOICE_CONFIG_NOSYSTEM=1), else the
    /// embedded demo room.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Fix the clock (RFC 3339, e.g. 2026-11-23T10:05:00-08:00) so runs are reproducible.
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    pub now: Option<DateTime<FixedOffset>>,
    /// One JSON object per line (each with an "event" field) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Note joins, bookings, releases and meetings held in this room utilisation log
    /// (`roomvoice report` reads it). `listen` keeps one anyway ([utilisation] log, else
    /// the state directory); `ask` and `run` only with this option, so that trying
    /// commands out does not count as use of the room.
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
}

fn parse_now(value: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(value).map_err(|e| {
        format!(
            "\"{value}\" is not an RFC 3339 time ({e}); write it like 2026-11-23T10:05:00-08:00"
        )
    })
}

impl SessionArgs {
    /// The clock: `--now` when given, else the system clock.
    pub(crate) fn clock(&self) -> crate::assistant::Clock {
        match self.now {
            Some(t) => crate::assistant::Clock::Fixed(t.with_timezone(&Utc)),
            None => crate::assistant::Clock::System,
        }
    }

    /// The utilisation log for this session: `--log`, else (`always`, for `listen`) the
    /// configured or default one.
    pub(crate) fn utilisation_log(&self, config: &Config, always: bool) -> Option<UtilisationLog> {
        let path = match &self.log {
            Some(path) => Some(path.clone()),
            None if always => config.utilisation_log_path(),
            None => None,
        };
        if path.is_none() && always {
            tracing::warn!(
                "no state directory (set [utilisation] log): room utilisation is not logged"
            );
        }
        path.map(|p| UtilisationLog::new(p, config.room.timezone))
    }
}

/// A configured assistant with its calendar, ready for turns (logging utilisation only
/// with `--log`).
pub(crate) fn open_assistant(args: &SessionArgs, speak: bool) -> anyhow::Result<Assistant> {
    let config = Config::locate(args.config.as_deref())?;
    let log = args.utilisation_log(&config, false);
    let mut assistant = config.open_assistant(args.clock(), speak)?;
    assistant.set_utilisation_log(log);
    Ok(assistant)
}

/// Prints an error as an event (with `--json`) or on stderr, and returns exit code 1.
pub(crate) fn report_error(sink: &mut dyn EventSink, json: bool, error: &anyhow::Error) -> i32 {
    let message = error_chain(error);
    if json {
        sink.emit(&crate::events::Event::Error { message });
    } else {
        eprintln!("roomvoice: {message}");
    }
    1
}

/// The error and its causes, "outer: inner: ...", each cause once: the library's errors
/// already name their cause in their own message ("cannot read audio file x.wav: No such
/// file or directory"), and anyhow's `{:#}` would repeat it.
pub(crate) fn error_chain(error: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if message.contains(&text) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&text);
    }
    message
}
