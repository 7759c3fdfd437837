//! Shared helpers for the ics tests: a room in a temporary folder with its own
//! roomvoice.toml and calendar file, opened through the library API.
#![allow(dead_code)]

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use roomvoice::calendar::ics::IcsCalendar;
use roomvoice::calendar::{Calendar, Meeting};
use roomvoice::config::{Config, ConfigSource, Paths};

pub struct Room {
    pub dir: tempfile::TempDir,
    pub config: Config,
    pub ics: PathBuf,
}

impl Room {
    pub fn mailbox(&self) -> &str {
        &self.config.room.mailbox
    }

    pub fn open(&self) -> IcsCalendar {
        IcsCalendar::open(&self.config.calendar_setup()).expect("open the room calendar")
    }

    pub fn bytes(&self) -> Vec<u8> {
        std::fs::read(&self.ics).expect("read the calendar file")
    }

    /// Events between two RFC 3339 times, read by a fresh calendar (as another process).
    pub fn events(&self, from: &str, to: &str) -> Vec<Meeting> {
        self.open()
            .events(self.mailbox(), at(from), at(to))
            .expect("read events")
            .events
    }
}

pub fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ics")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A room in `timezone` whose calendar file (room.ics) holds `calendar`.
pub fn room_with(calendar: &str, timezone: &str) -> Room {
    room_with_config(calendar, timezone, "")
}

pub fn room_with_config(calendar: &str, timezone: &str, extra_toml: &str) -> Room {
    let dir = tempfile::tempdir().expect("temp dir");
    let ics = dir.path().join("room.ics");
    std::fs::write(&ics, calendar).expect("write calendar");
    let toml = format!(
        "[room]\nname = \"Everest\"\nmailbox = \"everest@example.com\"\ntimezone = \"{timezone}\"\n\n[calendar]\nbackend = \"ics\"\n\n[calendar.ics]\npath = \"room.ics\"\n{extra_toml}"
    );
    let config_path = dir.path().join("roomvoice.toml");
    std::fs::write(&config_path, &toml).expect("write config");
    let mut config = Config::parse(&toml, &config_path.display().to_string()).expect("config");
    config.paths = Paths::new(ConfigSource::File(config_path));
    Room { dir, config, ics }
}

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .with_timezone(&Utc)
}

pub fn subjects(events: &[Meeting]) -> Vec<&str> {
    events.iter().map(|e| e.subject.as_str()).collect()
}

/// What the device said, in order.
pub fn said(sink: &roomvoice::events::Collect) -> Vec<String> {
    sink.0
        .iter()
        .filter_map(|e| match e {
            roomvoice::events::Event::Say { text } => Some(text.clone()),
            _ => None,
        })
        .collect()
}
