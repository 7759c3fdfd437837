//! How long the device takes from an utterance's text to its answer, on the embedded
//! demo room (ICS backend): intent parsing alone, "is this room free", and "start my
//! meeting" (calendar read, invitation reading, join plan).
//!
//! Run: `cargo bench --bench assistant`. Prints one line per case.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use roomvoice::assistant::Clock;
use roomvoice::config::Config;
use roomvoice::events::Collect;
use roomvoice::intent::{self, Expecting};

fn main() {
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-11-23T10:05:00-08:00")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|_| Utc::now());
    let config = match Config::demo() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("demo config: {e}");
            std::process::exit(1);
        }
    };

    report(
        "parse \"alexa book this room for half an hour\"",
        2000,
        || {
            let p = intent::parse(
                "alexa book this room for half an hour",
                "alexa",
                Expecting::Command,
            );
            assert_eq!(p.intent.name(), "book_room");
        },
    );
    report("parse a 24-word non-command", 2000, || {
        let p = intent::parse(
            "we should really start the meeting soon because the room is booked after lunch and everyone has to leave at three thirty today okay",
            "alexa",
            Expecting::Command,
        );
        assert_eq!(p.intent.name(), "none");
    });

    let start = Instant::now();
    let mut assistant = match config.open_assistant(Clock::Fixed(now), false) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("open: {e:#}");
            std::process::exit(1);
        }
    };
    println!(
        "{:<55} {:>10.3} ms (once)",
        "open the demo room (config + calendar)",
        ms(start.elapsed())
    );

    report("\"alexa is this room free\" -> answer", 300, || {
        let mut sink = Collect::default();
        assistant.hear("alexa is this room free", &mut sink);
        assert_eq!(sink.0.len(), 2);
    });
    report("\"alexa start my meeting\" -> join plan", 300, || {
        let mut fresh = match config.open_assistant(Clock::Fixed(now), false) {
            Ok(a) => a,
            Err(_) => return,
        };
        let mut sink = Collect::default();
        fresh.hear("alexa start my meeting", &mut sink);
        assert!(sink
            .0
            .iter()
            .any(|e| matches!(e, roomvoice::events::Event::Join { .. })));
    });
}

fn report(name: &str, iterations: u32, mut f: impl FnMut()) {
    f(); // warm-up
    let start = Instant::now();
    for _ in 0..iterations {
        f();
    }
    let per = start.elapsed() / iterations;
    println!(
        "{name:<55} {:>10.3} ms per run ({iterations} runs)",
        ms(per)
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
