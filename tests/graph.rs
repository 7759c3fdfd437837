//! The `graph` backend against a fake Microsoft Graph and token endpoint on loopback:
//! calendarView with paging and `onlineMeeting`, booking, extending, releasing,
//! getSchedule batches, both sign-in methods, throttling, permissions, outages and
//! lost answers.

use std::time::{Duration, Instant};

use crate::support::graph_server::{FakeGraph, GraphBehaviour, GraphItem};
use crate::support::{graph_app, Setup, CLIENT_SECRET, PASSWORD};
use chrono::{DateTime, Utc};
use roomvoice::calendar::graph::GraphCalendar;
use roomvoice::calendar::{Body, Calendar, CalendarError, NewBooking};

const ROOM: &str = "everest@contoso.com";

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn day() -> Vec<GraphItem> {
    vec![
        GraphItem::meeting(
            ROOM,
            "Budget review",
            "2026-11-23T17:00:00Z",
            "2026-11-23T18:00:00Z",
            "Microsoft Teams meeting\nJoin on your computer",
            true,
        ),
        GraphItem::meeting(
            ROOM,
            "Design sync",
            "2026-11-23T19:00:00Z",
            "2026-11-23T19:30:00Z",
            "Join Zoom Meeting https://zoom.us/j/91965709975",
            false,
        ),
        GraphItem::meeting(
            ROOM,
            "Retro",
            "2026-11-23T20:00:00Z",
            "2026-11-23T21:00:00Z",
            "",
            false,
        ),
        GraphItem::meeting(
            ROOM,
            "All hands",
            "2026-11-23T22:00:00Z",
            "2026-11-23T23:00:00Z",
            "",
            false,
        ),
        GraphItem::meeting(
            ROOM,
            "Late call",
            "2026-11-24T01:00:00Z",
            "2026-11-24T02:00:00Z",
            "",
            false,
        ),
        GraphItem::meeting(
            "k2@contoso.com",
            "Other room",
            "2026-11-23T17:00:00Z",
            "2026-11-23T18:00:00Z",
            "",
            false,
        ),
    ]
}

fn open(fake: &FakeGraph, extra: &str) -> (Setup, GraphCalendar) {
    let setup = Setup::new(&graph_app(&fake.base_url(), &fake.token_url(), extra));
    let calendar =
        GraphCalendar::open(&setup.load().calendar_setup()).expect("graph backend opens");
    (setup, calendar)
}

fn future_booking(minutes_from_now: i64, length: i64) -> NewBooking {
    let start = Utc::now() + chrono::Duration::minutes(minutes_from_now);
    let start = start - chrono::Duration::nanoseconds(start.timestamp_subsec_nanos() as i64);
    NewBooking {
        subject: "Booked by roomvoice".into(),
        start,
        end: start + chrono::Duration::minutes(length),
        body: Some("Booked by roomvoice in Everest".into()),
    }
}

#[test]
fn reads_every_page_with_bodies_and_online_meetings() {
    let fake = FakeGraph::start(GraphBehaviour::default(), day());
    let (_setup, calendar) = open(&fake, "");
    let view = calendar
        .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-24T08:00:00Z"))
        .unwrap();
    let subjects: Vec<_> = view.events.iter().map(|e| e.subject.as_str()).collect();
    assert_eq!(
        subjects,
        [
            "Budget review",
            "Design sync",
            "Retro",
            "All hands",
            "Late call"
        ]
    );
    let requests = fake.server.requests();
    let views: Vec<_> = requests
        .iter()
        .filter(|r| r.path().ends_with("/calendarView"))
        .collect();
    assert_eq!(
        views.len(),
        3,
        "5 events in pages of 2 follow @odata.nextLink"
    );
    assert!(views[0]
        .header("Prefer")
        .unwrap()
        .contains("outlook.body-content-type=\"text\""));

    let teams = &view.events[0];
    assert_eq!(teams.start, t("2026-11-23T17:00:00Z"));
    let meeting = teams
        .online_meeting
        .as_ref()
        .expect("onlineMeeting is mapped");
    assert_eq!(meeting.conference_id.as_deref(), Some("177513992"));
    assert_eq!(meeting.toll_number.as_deref(), Some("+1 425-555-0123"));
    assert_eq!(meeting.toll_free_numbers, ["+1 800-555-0123"]);
    assert!(meeting
        .join_url
        .as_deref()
        .unwrap()
        .starts_with("https://teams.microsoft.com/l/meetup-join/"));
    assert_eq!(teams.organizer.as_ref().unwrap().name, "Dana Lee");
    assert_eq!(teams.location.as_deref(), Some("Everest"));
    match calendar.body(ROOM, &view.events[1]).unwrap() {
        Some(Body::Text(text)) => assert!(text.contains("zoom.us/j/91965709975")),
        other => panic!("expected the text body from calendarView, got {other:?}"),
    }
    assert!(view.events[1].online_meeting.is_none());
    assert_eq!(fake.tokens_issued(), 1);
    let token = &requests[0];
    assert!(token.body.contains("grant_type=client_credentials"));
    assert!(
        token
            .body
            .contains("scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"),
        "{}",
        token.body
    );
}

#[test]
fn books_extends_and_releases() {
    let fake = FakeGraph::start(GraphBehaviour::default(), Vec::new());
    let (_setup, calendar) = open(&fake, "");
    let booking = future_booking(5, 30);
    let event = calendar.book(ROOM, &booking).unwrap();
    assert!(event.booked_by_device);
    assert_eq!(event.start, booking.start);
    let items = fake.items(ROOM);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].categories, ["roomvoice"]);
    assert!(items[0].transaction_id.is_some());

    match calendar.book(ROOM, &booking) {
        Err(CalendarError::Conflict { conflict }) => {
            assert_eq!(conflict.subject, "Booked by roomvoice")
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let new_end = booking.end + chrono::Duration::minutes(15);
    calendar.set_end(ROOM, &event, new_end).unwrap();
    assert_eq!(fake.items(ROOM)[0].end, new_end);
    calendar.cancel(ROOM, &event).unwrap();
    assert!(fake.items(ROOM).is_empty());
    let err = calendar.cancel(ROOM, &event).unwrap_err();
    assert!(matches!(err, CalendarError::NotFound(_)), "{err:?}");
}

#[test]
fn a_booking_whose_answer_was_lost_is_found_not_made_twice() {
    let fake = FakeGraph::start(
        GraphBehaviour {
            drop_after_create: 1,
            ..GraphBehaviour::default()
        },
        Vec::new(),
    );
    let (_setup, calendar) = open(&fake, "");
    let event = calendar.book(ROOM, &future_booking(5, 30)).unwrap();
    let items = fake.items(ROOM);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].id, event.id);
    let posts = fake
        .server
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path().ends_with("/events"))
        .count();
    assert_eq!(posts, 1, "looked up, not posted again");
}

#[test]
fn throttling_is_retried_after_retry_after() {
    let fake = FakeGraph::start(
        GraphBehaviour {
            throttle: 1,
            ..GraphBehaviour::default()
        },
        day(),
    );
    let (_setup, calendar) = open(&fake, "");
    let started = Instant::now();
    let view = calendar
        .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-23T18:00:00Z"))
        .unwrap();
    assert_eq!(view.events.len(), 1);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited Retry-After: 1"
    );
}

#[test]
fn throttling_beyond_the_budget_fails_fast() {
    let fake = FakeGraph::start(
        GraphBehaviour {
            throttle: 10,
            ..GraphBehaviour::default()
        },
        day(),
    );
    let (_setup, calendar) = open(&fake, "");
    let started = Instant::now();
    let err = calendar
        .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-23T18:00:00Z"))
        .unwrap_err();
    assert!(matches!(err, CalendarError::Throttled { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[test]
fn a_forbidden_mailbox_names_the_permission() {
    let fake = FakeGraph::start(
        GraphBehaviour {
            forbidden: vec![ROOM.into()],
            ..GraphBehaviour::default()
        },
        day(),
    );
    let (_setup, calendar) = open(&fake, "");
    let err = calendar
        .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-23T18:00:00Z"))
        .unwrap_err();
    assert!(matches!(err, CalendarError::Permission(_)), "{err:?}");
    assert!(err.to_string().contains("Calendars.ReadWrite"), "{err}");
    let err = calendar
        .events(
            "nobody@contoso.com",
            t("2026-11-23T16:00:00Z"),
            t("2026-11-23T18:00:00Z"),
        )
        .unwrap_err();
    assert!(matches!(err, CalendarError::NotFound(_)), "{err:?}");
}

#[test]
fn a_refused_client_secret_is_explained_without_the_secret() {
    let fake = FakeGraph::start(
        GraphBehaviour {
            client_secret: "rotated".into(),
            ..GraphBehaviour::default()
        },
        day(),
    );
    let (_setup, calendar) = open(&fake, "");
    let err = calendar
        .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-23T18:00:00Z"))
        .unwrap_err();
    assert!(matches!(err, CalendarError::Auth(_)), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("invalid_client") && message.contains("AADSTS7000215"),
        "{message}"
    );
    assert!(
        !message.contains("Trace ID"),
        "only the first line of Entra's description"
    );
    assert!(!message.contains(CLIENT_SECRET) && !format!("{calendar:?}").contains(CLIENT_SECRET));
}

#[test]
fn a_delegate_service_account_signs_in_with_the_password_grant() {
    let fake = FakeGraph::start(GraphBehaviour::default(), day());
    let extra = "auth = \"delegate\"\nusername = \"svc-roomvoice@contoso.com\"\npassword_file = \"ews-password\"\n";
    let (_setup, calendar) = open(&fake, extra);
    let view = calendar
        .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-23T18:00:00Z"))
        .unwrap();
    assert_eq!(view.events.len(), 1);
    let token = &fake.server.requests()[0];
    assert!(
        token.body.contains("grant_type=password")
            && token.body.contains("username=svc-roomvoice%40contoso.com"),
        "{}",
        token.body
    );

    fake.behave(|b| b.password = "changed".into());
    let (_setup, calendar) = open(&fake, extra);
    let err = calendar
        .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-23T18:00:00Z"))
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("invalid_grant") && message.contains("MFA"),
        "{message}"
    );
    assert!(!message.contains(PASSWORD));
}

#[test]
fn an_outage_is_answered_from_the_snapshot() {
    let fake = FakeGraph::start(GraphBehaviour::default(), day());
    let (_setup, calendar) = open(&fake, "");
    let fresh = calendar
        .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-24T08:00:00Z"))
        .unwrap();
    fake.behave(|b| b.drop = 100);
    let stale = calendar
        .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-24T08:00:00Z"))
        .unwrap();
    assert!(stale.stale_since.is_some());
    assert_eq!(stale.events, fresh.events);
}

#[test]
fn free_busy_is_batched_by_20_within_max_threads() {
    let fake = FakeGraph::start(
        GraphBehaviour {
            delay: Duration::from_millis(150),
            ..GraphBehaviour::default()
        },
        day(),
    );
    let (_setup, calendar) = open(&fake, "");
    let mut mailboxes: Vec<String> = (0..44).map(|i| format!("room{i}@contoso.com")).collect();
    mailboxes.push(ROOM.into());
    let result = calendar
        .free_busy(
            &mailboxes,
            t("2026-11-23T16:00:00Z"),
            t("2026-11-24T08:00:00Z"),
        )
        .unwrap();
    assert_eq!(result.len(), 45);
    let calls = fake
        .server
        .requests()
        .iter()
        .filter(|r| r.path().ends_with("/getSchedule"))
        .count();
    assert_eq!(calls, 3, "45 mailboxes in 3 getSchedule calls");
    assert!(
        fake.server.max_concurrent() <= 2,
        "max_threads = 2, saw {}",
        fake.server.max_concurrent()
    );
    let everest = result.iter().find(|f| f.mailbox == ROOM).unwrap();
    assert_eq!(everest.busy.len(), 5);
    assert!(result[0]
        .error
        .as_deref()
        .unwrap()
        .contains("ErrorMailRecipientNotFound"));
}

#[test]
fn a_token_close_to_expiry_is_renewed() {
    // Tokens are renewed when less than five minutes are left: a 200 s token is
    // replaced on every use, a one-hour token is reused.
    let fake = FakeGraph::start(
        GraphBehaviour {
            token_lifetime_s: 200,
            ..GraphBehaviour::default()
        },
        day(),
    );
    let (_setup, calendar) = open(&fake, "");
    for _ in 0..3 {
        calendar
            .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-23T18:00:00Z"))
            .unwrap();
    }
    assert_eq!(fake.tokens_issued(), 3);
}
