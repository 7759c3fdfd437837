//! The embedded demo room: the schedule device/demo/README.md promises, read through
//! the `ics` backend exactly as the assistant reads it.

use chrono::{DateTime, Duration, Utc};
use roomvoice::calendar::ics::IcsCalendar;
use roomvoice::calendar::{Body, Calendar, CalendarError, NewBooking};
use roomvoice::config::Config;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn demo() -> (Config, IcsCalendar) {
    let config = Config::demo().unwrap();
    let calendar = IcsCalendar::open(&config.calendar_setup()).unwrap();
    (config, calendar)
}

fn body_text(body: &Option<Body>) -> String {
    match body {
        Some(Body::Text(t)) | Some(Body::Html(t)) => t.clone(),
        None => String::new(),
    }
}

#[test]
fn ten_oclock_is_the_zoom_product_sync_by_dana_lee() {
    let (config, calendar) = demo();
    let now = at("2026-11-23T10:05:00-08:00");
    let view = calendar
        .events(&config.room.mailbox, now, now + Duration::minutes(1))
        .unwrap();
    assert_eq!(view.events.len(), 1, "{:?}", view.events);
    let sync = &view.events[0];
    assert_eq!(sync.subject, "Weekly Product Sync");
    assert_eq!(sync.organizer.as_ref().unwrap().name, "Dana Lee");
    assert_eq!(sync.start, at("2026-11-23T10:00:00-08:00"));
    assert_eq!(sync.end, at("2026-11-23T10:40:00-08:00"));
    let text = body_text(&sync.body);
    for needle in [
        "+1 646 558 8656",
        "855 1234 5678",
        "414376",
        "https://us02web.zoom.us/j/85512345678?pwd=",
        "+16465588656,,85512345678#,,,,*414376# US (New York)",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in {text}");
    }
}

#[test]
fn the_product_sync_is_at_ten_every_day_in_summer_and_winter() {
    let (config, calendar) = demo();
    for (day, offset) in [
        ("2024-01-01", "-08:00"), // the first day of the series
        ("2026-01-05", "-08:00"),
        ("2026-03-09", "-07:00"),
        ("2026-07-14", "-07:00"),
        ("2026-11-02", "-08:00"),
        ("2026-12-31", "-08:00"),
        ("2028-06-30", "-07:00"),
    ] {
        let ten = at(&format!("{day}T10:00:00{offset}"));
        let view = calendar
            .events(&config.room.mailbox, ten, ten + Duration::minutes(40))
            .unwrap();
        assert_eq!(view.events.len(), 1, "{day}: {:?}", view.events);
        assert_eq!(view.events[0].subject, "Weekly Product Sync", "{day}");
        assert_eq!(view.events[0].start, ten, "{day}");
    }
}

#[test]
fn every_hour_has_a_meeting_until_forty_past_or_is_free() {
    let (config, calendar) = demo();
    let day_start = at("2026-11-30T00:00:00-08:00");
    let view = calendar
        .events(
            &config.room.mailbox,
            day_start,
            day_start + Duration::days(1),
        )
        .unwrap();
    let free_hours = [6, 12, 19];
    let mut providers = std::collections::BTreeSet::new();
    for hour in 0..24 {
        let start = day_start + Duration::hours(hour);
        let in_hour: Vec<_> = view
            .events
            .iter()
            .filter(|e| e.start >= start && e.start < start + Duration::hours(1))
            .collect();
        if free_hours.contains(&hour) {
            assert!(in_hour.is_empty(), "hour {hour}: {in_hour:?}");
        } else {
            assert_eq!(in_hour.len(), 1, "hour {hour}: {in_hour:?}");
            assert_eq!(in_hour[0].start, start);
            assert_eq!(in_hour[0].end, start + Duration::minutes(40));
            let text = body_text(&in_hour[0].body).to_lowercase();
            for provider in ["zoom", "teams", "webex", "chime", "meet.google", "goto"] {
                if text.contains(provider) {
                    providers.insert(provider);
                }
            }
        }
    }
    assert_eq!(providers.len(), 6, "{providers:?}");
}

#[test]
fn demo_exceptions_cancelled_moved_removed_and_all_day() {
    let (config, calendar) = demo();
    let room = &config.room.mailbox;
    // Mon 23 Nov 14:00 Chime is cancelled: free from 13:40 to 15:00.
    let view = calendar
        .events(
            room,
            at("2026-11-23T13:45:00-08:00"),
            at("2026-11-23T15:00:00-08:00"),
        )
        .unwrap();
    assert!(view.events.is_empty(), "{:?}", view.events);
    // Tue 24 Nov: the 17:00 Webex moved to 19:00.
    let view = calendar
        .events(
            room,
            at("2026-11-24T17:00:00-08:00"),
            at("2026-11-24T20:00:00-08:00"),
        )
        .unwrap();
    assert_eq!(
        subjects(&view.events),
        ["Partner Check-in", "Sales Pipeline Review (moved to 7 PM)"]
    );
    assert_eq!(view.events[1].start, at("2026-11-24T19:00:00-08:00"));
    assert!(matches!(view.events[1].body, Some(Body::Html(_))));
    // Wed 25 Nov 11:00 Webex removed by EXDATE.
    let view = calendar
        .events(
            room,
            at("2026-11-25T11:00:00-08:00"),
            at("2026-11-25T12:00:00-08:00"),
        )
        .unwrap();
    assert!(view.events.is_empty(), "{:?}", view.events);
    // Thu 26 Nov: Thanksgiving, a transparent all-day marker: the room is not taken,
    // the 12:00 free hour stays free and the 13:00 meeting still happens.
    let view = calendar
        .events(
            room,
            at("2026-11-26T12:30:00-08:00"),
            at("2026-11-26T13:10:00-08:00"),
        )
        .unwrap();
    assert_eq!(subjects(&view.events), ["Design Critique"]);
    booking_is_possible(
        &calendar,
        room,
        "2026-11-26T12:00:00-08:00",
        "2026-11-26T12:45:00-08:00",
    );
}

fn subjects(events: &[roomvoice::calendar::Meeting]) -> Vec<&str> {
    events.iter().map(|e| e.subject.as_str()).collect()
}

fn booking_is_possible(calendar: &IcsCalendar, room: &str, start: &str, end: &str) {
    let booking = NewBooking {
        subject: "Instant meeting".into(),
        start: at(start),
        end: at(end),
        body: None,
    };
    calendar.book(room, &booking).unwrap();
}

/// What the demo user has on Tuesday 24 November from 4 to 6 PM (the dentist).
fn user_tuesday_afternoon(config: &Config, calendar: &IcsCalendar) -> Vec<String> {
    let user = config.user.as_ref().unwrap();
    let view = calendar
        .events(
            &user.mailbox,
            at("2026-11-24T16:00:00-08:00"),
            at("2026-11-24T18:00:00-08:00"),
        )
        .unwrap();
    view.events.iter().map(|e| e.subject.clone()).collect()
}

#[test]
fn demo_user_has_a_personal_calendar_and_other_mailboxes_are_the_room() {
    let (config, calendar) = demo();
    let user = config.user.as_ref().unwrap();
    assert_eq!(user_tuesday_afternoon(&config, &calendar), ["Dentist"]);
    // The user's all-day events are listed, in the room's zone.
    let view = calendar
        .events(
            &user.mailbox,
            at("2026-11-27T09:45:00-08:00"),
            at("2026-11-27T09:46:00-08:00"),
        )
        .unwrap();
    assert_eq!(subjects(&view.events), ["Out of office (Thanksgiving)"]);
    assert!(view.events[0].all_day);
    assert_eq!(view.events[0].start, at("2026-11-26T00:00:00-08:00"));
    assert_eq!(view.events[0].end, at("2026-11-28T00:00:00-08:00"));
    let now = at("2026-11-23T10:05:00-08:00");
    let other = calendar
        .events("someone-else@contoso.com", now, now + Duration::minutes(1))
        .unwrap();
    assert_eq!(other.events[0].subject, "Weekly Product Sync");
}

#[test]
fn the_demo_configuration_given_as_a_file_reads_the_same_user_calendar() {
    // `--config device/demo/roomvoice.toml` (as tests/eval/run.sh --engine writes it)
    // used to answer "what's on my calendar" with an error: the file named no user
    // calendar, which only the embedded demo supplied.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("device/demo/roomvoice.toml");
    let config = Config::from_file(&path).unwrap();
    let calendar = IcsCalendar::open(&config.calendar_setup()).unwrap();
    assert_eq!(user_tuesday_afternoon(&config, &calendar), ["Dentist"]);
}

#[test]
fn demo_bookings_stay_in_memory_of_this_process() {
    let (config, calendar) = demo();
    let room = &config.room.mailbox;
    let booking = NewBooking {
        subject: "Instant meeting".into(),
        start: at("2026-11-23T12:00:00-08:00"),
        end: at("2026-11-23T12:30:00-08:00"),
        body: Some("Booked by roomvoice in Everest".into()),
    };
    let booked = calendar.book(room, &booking).unwrap();
    assert!(booked.booked_by_device);
    let view = calendar.events(room, booking.start, booking.end).unwrap();
    assert_eq!(view.events.len(), 1);
    assert_eq!(view.events[0].id, booked.id);
    // The same slot again is a conflict naming the booking.
    match calendar.book(room, &booking) {
        Err(CalendarError::Conflict { conflict }) => {
            assert_eq!(conflict.subject, "Instant meeting")
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    // A new process (a new calendar) starts from the embedded file again.
    let (_, fresh) = demo();
    assert!(fresh
        .events(room, booking.start, booking.end)
        .unwrap()
        .events
        .is_empty());
}
