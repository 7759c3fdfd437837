//! The calendar backends against the local fake Exchange (EWS) and Graph servers of the
//! tests: round trips and time for "is this room free" cold (a freshly opened backend:
//! new connection, new OAuth token where used) and from the on-disk snapshot during an
//! outage, and for "start my meeting" through the assistant (calendar read, body,
//! invitation reading, join plan).
//!
//! Run: `cargo bench --bench calendar`. Loopback only: the figures are the client's own
//! cost plus the fakes' (schema validation is not run here), not a real server's.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use roomvoice::assistant::Clock;
use roomvoice::calendar::ews::EwsCalendar;
use roomvoice::calendar::graph::GraphCalendar;
use roomvoice::calendar::Calendar;
use roomvoice::events::Collect;
use support::ews_server::{Behaviour, FakeExchange, Item};
use support::graph_server::{FakeGraph, GraphBehaviour, GraphItem};

const ROOM: &str = "everest@contoso.com";
const RUNS: usize = 30;
const BODY: &str = "Join Zoom Meeting\nhttps://us02web.zoom.us/j/81234567890?pwd=abc\nMeeting ID: 812 3456 7890\nPasscode: 271828\n";

fn main() {
    let now: DateTime<Utc> = "2026-11-23T18:05:00Z"
        .parse()
        .unwrap_or_else(|_| Utc::now());
    let end_of_day = now + chrono::Duration::hours(6);

    // --- EWS -------------------------------------------------------------------------
    let items: Vec<Item> = (0..8)
        .map(|i| {
            let start = format!("2026-11-23T{:02}:00:00Z", 16 + i);
            let end = format!("2026-11-23T{:02}:50:00Z", 16 + i);
            Item::meeting(ROOM, &format!("Meeting {i}"), &start, &end, BODY)
        })
        .collect();
    let fake = FakeExchange::start(Behaviour::default(), items.clone());
    let setup = support::Setup::new(&support::ews_basic(&fake.url(), "impersonation", ""));
    let config = setup.load();

    let before = fake.server.requests().len();
    let times = measure(|| {
        let calendar = EwsCalendar::open(&config.calendar_setup()).expect("ews opens");
        let view = calendar.events(ROOM, now, end_of_day).expect("events");
        assert_eq!(view.events.len(), 6);
    });
    report(
        "ews: \"is this room free\" cold (open + FindItem)",
        &times,
        trips(&fake.server, before),
    );

    let calendar = EwsCalendar::open(&config.calendar_setup()).expect("ews opens");
    calendar
        .events(ROOM, now, end_of_day)
        .expect("prime the snapshot");
    let before = fake.server.requests().len();
    let times = measure(|| {
        calendar.events(ROOM, now, end_of_day).expect("events");
    });
    report(
        "ews: \"is this room free\" warm connection",
        &times,
        trips(&fake.server, before),
    );

    let assistant_config = config.clone();
    let before = fake.server.requests().len();
    let times = measure(|| {
        let mut assistant = assistant_config
            .open_assistant(Clock::Fixed(now), false)
            .expect("open");
        let mut sink = Collect::default();
        assistant.hear("alexa start my meeting", &mut sink);
        assert!(sink
            .0
            .iter()
            .any(|e| matches!(e, roomvoice::events::Event::Join { .. })));
    });
    report(
        "ews: \"start my meeting\" (assistant, cold)",
        &times,
        trips(&fake.server, before),
    );

    // Outage: the server drops every connection (the client retries within its budget)
    // and, separately, nothing listens any more (connection refused).
    fake.behave(|b| b.drop = u32::MAX);
    let read_stale = || {
        let view = calendar.events(ROOM, now, end_of_day).expect("snapshot");
        assert!(view.stale_since.is_some());
    };
    let before = fake.server.requests().len();
    let times = measure_n(1, read_stale);
    report(
        "ews: snapshot, first read of an outage (3 attempts)",
        &times,
        trips(&fake.server, before),
    );
    let before = fake.server.requests().len();
    let times = measure(read_stale);
    report(
        "ews: snapshot, later reads (1 attempt while the outage is fresh)",
        &times,
        trips(&fake.server, before),
    );
    drop(fake);
    let times = measure(|| {
        let view = calendar.events(ROOM, now, end_of_day).expect("snapshot");
        assert!(view.stale_since.is_some());
    });
    report(
        "ews: snapshot, connection refused (server gone)",
        &times,
        0.0,
    );

    // --- Graph -----------------------------------------------------------------------
    let items: Vec<GraphItem> = (0..8)
        .map(|i| {
            let start = format!("2026-11-23T{:02}:00:00Z", 16 + i);
            let end = format!("2026-11-23T{:02}:50:00Z", 16 + i);
            GraphItem::meeting(ROOM, &format!("Meeting {i}"), &start, &end, BODY, i == 2)
        })
        .collect();
    let graph = FakeGraph::start(
        GraphBehaviour {
            page_size: 10,
            ..GraphBehaviour::default()
        },
        items,
    );
    let setup = support::Setup::new(&support::graph_app(
        &graph.base_url(),
        &graph.token_url(),
        "",
    ));
    let config = setup.load();
    let before = graph.server.requests().len();
    let times = measure(|| {
        let calendar = GraphCalendar::open(&config.calendar_setup()).expect("graph opens");
        calendar.events(ROOM, now, end_of_day).expect("events");
    });
    report(
        "graph: \"is this room free\" cold (token + calendarView)",
        &times,
        trips(&graph.server, before),
    );
    let before = graph.server.requests().len();
    let times = measure(|| {
        let mut assistant = config
            .open_assistant(Clock::Fixed(now), false)
            .expect("open");
        let mut sink = Collect::default();
        assistant.hear("alexa start my meeting", &mut sink);
    });
    report(
        "graph: \"start my meeting\" (assistant, cold)",
        &times,
        trips(&graph.server, before),
    );
}

fn measure(f: impl FnMut()) -> Vec<Duration> {
    measure_n(RUNS, f)
}

fn measure_n(runs: usize, mut f: impl FnMut()) -> Vec<Duration> {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect()
}

fn trips(server: &support::http_server::HttpServer, before: usize) -> f64 {
    (server.requests().len() - before) as f64
}

fn report(name: &str, times: &[Duration], requests: f64) {
    let mut ms: Vec<f64> = times.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    ms.sort_by(|a, b| a.total_cmp(b));
    let median = ms[ms.len() / 2];
    let max = ms[ms.len() - 1];
    println!(
        "{name:<62} median {median:>8.2} ms  max {max:>8.2} ms  {:>4.1} round trips/run  ({} runs)",
        requests / times.len() as f64,
        times.len()
    );
}
