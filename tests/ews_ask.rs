//! End to end: the `roomvoice` binary answering a person in the room from an Exchange
//! (EWS) or Office 365 (Graph) calendar served on loopback: "is this room free",
//! "start my meeting" (the dial-in read from the invitation body fetched with GetItem,
//! or from Graph's onlineMeeting), and an answer from the snapshot during an outage.

use crate::support;
use std::process::Command;

use crate::support::ews_server::{Behaviour, FakeExchange, Item};
use crate::support::graph_server::{FakeGraph, GraphBehaviour, GraphItem};
use crate::support::{ews_basic, graph_app, Setup, PASSWORD};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_roomvoice");
const ROOM: &str = "everest@contoso.com";
/// Monday 23 November 2026, 10:05 in Los Angeles (18:05 UTC).
const NOW: &str = "2026-11-23T10:05:00-08:00";

const ZOOM_BODY: &str = "Dana Lee is inviting you to a scheduled Zoom meeting.\n\nJoin Zoom Meeting\nhttps://us02web.zoom.us/j/81234567890?pwd=abc\n\nMeeting ID: 812 3456 7890\nPasscode: 271828\n\nOne tap mobile\n+16699006833,,81234567890#,,,,*271828# US (San Jose)\n\nDial by your location\n        +1 669 900 6833 US (San Jose)\nMeeting ID: 812 3456 7890\nPasscode: 271828\n";

fn ask(setup: &Setup, turns: &[&str]) -> Vec<Value> {
    let out = Command::new(BIN)
        .arg("ask")
        .args(turns)
        .args(["--json", "--now", NOW, "--config"])
        .arg(setup.path())
        .output()
        .expect("run roomvoice");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains(PASSWORD), "the password leaked:\n{all}");
    let basic =
        support::ews_server::base64(format!("svc-roomvoice@contoso.com:{PASSWORD}").as_bytes());
    assert!(
        !all.contains(&basic),
        "the Basic credentials leaked:\n{all}"
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

fn said(events: &[Value]) -> String {
    events
        .iter()
        .filter(|e| e["event"] == "say")
        .map(|e| e["text"].as_str().unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" | ")
}

fn meeting_now() -> Vec<Item> {
    vec![
        Item::meeting(
            ROOM,
            "Design review",
            "2026-11-23T18:00:00Z",
            "2026-11-23T19:00:00Z",
            ZOOM_BODY,
        ),
        Item::meeting(
            ROOM,
            "Planning",
            "2026-11-23T21:00:00Z",
            "2026-11-23T22:00:00Z",
            "",
        ),
    ]
}

#[test]
fn is_this_room_free_from_exchange() {
    let fake = FakeExchange::start(Behaviour::default(), meeting_now());
    let setup = Setup::new(&ews_basic(&fake.url(), "impersonation", ""));
    let events = ask(&setup, &["alexa is this room free"]);
    let text = said(&events);
    assert!(
        text.contains("booked until 11") && text.contains("Dana Lee"),
        "{text}"
    );
    assert!(fake.operations().contains(&"FindItem".to_string()));

    // Later that morning the room is free until the next meeting.
    let free = FakeExchange::start(Behaviour::default(), meeting_now()[1..].to_vec());
    let setup = Setup::new(&ews_basic(&free.url(), "impersonation", ""));
    let text = said(&ask(&setup, &["alexa is this room free"]));
    assert!(text.contains("free until 1"), "{text}");
    fake.schema_check();
    free.schema_check();
}

#[test]
fn start_my_meeting_reads_the_dial_in_from_exchange() {
    let fake = FakeExchange::start(Behaviour::default(), meeting_now());
    let setup = Setup::new(&ews_basic(&fake.url(), "impersonation", ""));
    let events = ask(&setup, &["alexa start my meeting"]);
    let join = events
        .iter()
        .find(|e| e["event"] == "join")
        .unwrap_or_else(|| panic!("no join: {events:?}"));
    assert_eq!(join["meeting_id"], "81234567890", "{join}");
    assert_eq!(join["passcode"], "271828", "{join}");
    assert!(!said(&events).contains("meeting ID?"), "{}", said(&events));
    let ops = fake.operations();
    assert!(
        ops.contains(&"GetItem".to_string()),
        "the body was fetched: {ops:?}"
    );
    fake.schema_check();
}

#[test]
fn during_an_outage_the_room_hears_a_possibly_stale_answer() {
    let fake = FakeExchange::start(Behaviour::default(), meeting_now());
    let setup = Setup::new(&ews_basic(&fake.url(), "impersonation", ""));
    let first = said(&ask(&setup, &["alexa is this room free"]));
    assert!(first.contains("booked until 11"), "{first}");
    fake.behave(|b| b.drop = 1000);
    let events = ask(&setup, &["alexa is this room free"]);
    let text = said(&events);
    assert!(
        text.contains("booked until 11") && text.contains("out of date"),
        "{text}"
    );
}

#[test]
fn an_unreachable_calendar_is_said_plainly() {
    let fake = FakeExchange::start(
        Behaviour {
            drop: 1000,
            ..Behaviour::default()
        },
        meeting_now(),
    );
    let setup = Setup::new(&ews_basic(&fake.url(), "impersonation", ""));
    let text = said(&ask(&setup, &["alexa is this room free"]));
    assert!(text.contains("can't reach the calendar"), "{text}");
}

#[test]
fn start_my_meeting_uses_graphs_online_meeting() {
    let fake = FakeGraph::start(
        GraphBehaviour::default(),
        vec![GraphItem::meeting(
            ROOM,
            "Quarterly review",
            "2026-11-23T18:00:00Z",
            "2026-11-23T19:00:00Z",
            "Microsoft Teams meeting",
            true,
        )],
    );
    let setup = Setup::new(&graph_app(&fake.base_url(), &fake.token_url(), ""));
    let events = ask(&setup, &["alexa start my meeting"]);
    let join = events
        .iter()
        .find(|e| e["event"] == "join")
        .unwrap_or_else(|| panic!("no join: {events:?}"));
    assert_eq!(join["meeting_id"], "177513992", "{join}");
    let text = said(&ask(&setup, &["alexa is this room free"]));
    assert!(text.contains("booked until 11"), "{text}");
}

#[test]
fn book_this_room_creates_one_exchange_booking() {
    let fake = FakeExchange::start(Behaviour::default(), meeting_now()[1..].to_vec());
    let setup = Setup::new(&ews_basic(&fake.url(), "impersonation", ""));
    let events = ask(&setup, &["alexa book this room for half an hour"]);
    let text = said(&events);
    let booked = events
        .iter()
        .find(|e| e["event"] == "booked")
        .unwrap_or_else(|| panic!("no booking: {text}"));
    assert!(
        booked.to_string().contains("2026-11-23T18:35:00Z"),
        "{booked}"
    );
    let items = fake.items(ROOM);
    let booking: Vec<_> = items
        .iter()
        .filter(|i| i.categories == ["roomvoice"])
        .collect();
    assert_eq!(booking.len(), 1, "{items:?}");
    assert_eq!(
        booking[0].start,
        "2026-11-23T18:05:00Z"
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    );
    fake.schema_check();
}

#[test]
fn a_refused_personal_calendar_is_named_as_the_persons_not_the_rooms() {
    // The service account may act for the room but not for Dana: her calendar is refused
    // while the room's is read as usual.
    let fake = FakeExchange::start(
        Behaviour {
            impersonable: Some(vec![ROOM.to_string()]),
            ..Behaviour::default()
        },
        meeting_now(),
    );
    let setup = Setup::new(&ews_basic(
        &fake.url(),
        "impersonation",
        "\n[user]\nname = \"Dana Lee\"\nmailbox = \"dana@contoso.com\"\n",
    ));
    let room = said(&ask(&setup, &["alexa is this room free"]));
    assert!(room.contains("booked until 11"), "{room}");
    let events = ask(&setup, &["alexa what's on my calendar"]);
    let text = said(&events);
    assert!(text.contains("your calendar"), "{text}");
    assert!(
        !text.contains("room"),
        "the room's calendar was blamed: {text}"
    );
    assert!(
        events.iter().any(|e| e["event"] == "error"),
        "the administrator gets the error: {events:?}"
    );
}
