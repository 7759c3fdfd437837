//! Timing of the `ics` backend on the demo room calendar: opening (parsing), reading a
//! window (recurrences expanded from their DTSTART up to the window), and a booking
//! round trip on disk (lock, re-read, write, fsync, rename). Plain timing code:
//! `cargo bench --bench ics`.

use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use roomvoice::calendar::ics::IcsCalendar;
use roomvoice::calendar::{Calendar, NewBooking};
use roomvoice::config::{Config, ConfigSource, Paths, DEMO_CALENDAR};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("valid time")
        .with_timezone(&Utc)
}

fn time<T>(label: &str, runs: u32, mut f: impl FnMut() -> T) {
    let _ = f(); // warm up
    let started = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(f());
    }
    let each = started.elapsed() / runs;
    println!("{label:<58} {:>10.3} ms  ({runs} runs)", as_ms(each));
}

fn as_ms(d: StdDuration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let demo = Config::demo().expect("demo config");
    let room = demo.room.mailbox.clone();
    println!(
        "demo room.ics: {} bytes, {} VEVENTs",
        DEMO_CALENDAR.len(),
        DEMO_CALENDAR.matches("BEGIN:VEVENT").count()
    );
    time(
        "open demo calendar (parse room.ics + user.ics)",
        200,
        || IcsCalendar::open(&demo.calendar_setup()).expect("open"),
    );
    let calendar = IcsCalendar::open(&demo.calendar_setup()).expect("open");
    let now = at("2026-11-23T10:05:00-08:00");
    time("events(): 1 minute window, 23 Nov 2026", 500, || {
        calendar
            .events(&room, now, now + Duration::minutes(1))
            .expect("events")
    });
    time("events(): rest of the day, 23 Nov 2026", 500, || {
        calendar
            .events(&room, now, at("2026-11-24T00:00:00-08:00"))
            .expect("events")
    });
    time("events(): one week, 23-30 Nov 2026", 100, || {
        calendar
            .events(&room, now, now + Duration::days(7))
            .expect("events")
    });
    let late = at("2027-12-20T10:05:00-08:00");
    time(
        "events(): 1 minute window, Dec 2027 (series from 2024)",
        200,
        || {
            calendar
                .events(&room, late, late + Duration::minutes(1))
                .expect("events")
        },
    );

    // On disk: the demo calendar copied to a temporary folder.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("room.ics"), DEMO_CALENDAR).expect("write");
    let toml = "[room]\nname = \"Everest\"\nmailbox = \"everest@contoso.com\"\ntimezone = \"America/Los_Angeles\"\n[calendar.ics]\npath = \"room.ics\"\n";
    let config_path = dir.path().join("roomvoice.toml");
    let mut config = Config::parse(toml, "bench").expect("config");
    config.paths = Paths::new(ConfigSource::File(config_path));
    let file_calendar = IcsCalendar::open(&config.calendar_setup()).expect("open file");
    time(
        "file: events(), 1 minute window (cached parse)",
        500,
        || {
            file_calendar
                .events(&config.room.mailbox, now, now + Duration::minutes(1))
                .expect("events")
        },
    );
    let booking = NewBooking {
        subject: "Instant meeting".into(),
        start: at("2026-11-23T12:00:00-08:00"),
        end: at("2026-11-23T12:30:00-08:00"),
        body: Some("Booked by roomvoice in Everest".into()),
    };
    time("file: book + cancel (2 locked, fsynced writes)", 50, || {
        let event = file_calendar
            .book(&config.room.mailbox, &booking)
            .expect("book");
        file_calendar
            .cancel(&config.room.mailbox, &event)
            .expect("cancel");
    });
}
