//! Reading iCalendar files: time zones, recurrence with exceptions, all-day and
//! cancelled events, events crossing midnight and DST change days, and broken files.

use crate::support;
use crate::support::ics::{at, fixture, room_with, room_with_config, subjects};
use roomvoice::calendar::ics::IcsCalendar;
use roomvoice::calendar::{Body, Calendar, CalendarError};

fn edge_room() -> support::ics::Room {
    room_with(&fixture("edge_cases.ics"), "America/Los_Angeles")
}

#[test]
fn a_nine_oclock_daily_meeting_stays_at_nine_across_both_dst_changes() {
    let room = edge_room();
    for (day, offset) in [
        ("2026-03-07", "-08:00"),
        ("2026-03-08", "-07:00"), // spring forward
        ("2026-03-09", "-07:00"),
        ("2026-10-31", "-07:00"),
        ("2026-11-01", "-08:00"), // fall back
        ("2026-11-02", "-08:00"),
    ] {
        let events = room.events(
            &format!("{day}T08:00:00{offset}"),
            &format!("{day}T10:00:00{offset}"),
        );
        assert_eq!(subjects(&events), ["Morning standup"], "{day}");
        assert_eq!(
            events[0].start,
            at(&format!("{day}T09:00:00{offset}")),
            "{day}"
        );
        assert_eq!(
            events[0].end,
            at(&format!("{day}T09:30:00{offset}")),
            "{day}"
        );
    }
}

#[test]
fn organiser_name_and_folded_escaped_description_are_read() {
    let room = edge_room();
    let events = room.events("2026-11-23T09:00:00-08:00", "2026-11-23T09:10:00-08:00");
    let standup = &events[0];
    assert_eq!(standup.organizer.as_ref().unwrap().name, "Lee, Dana");
    assert_eq!(
        standup.organizer.as_ref().unwrap().email.as_deref(),
        Some("dana@example.com")
    );
    assert_eq!(
        standup.body,
        Some(Body::Text(
            "Join Zoom Meeting\nhttps://zoom.us/j/85512345678\n\nMeeting ID: 855 1234 5678, Passcode: 414376".into()
        ))
    );
    assert!(!standup.all_day);
    // The id names the occurrence and stays the same on every read.
    let again = room.events("2026-11-23T09:00:00-08:00", "2026-11-23T09:10:00-08:00");
    assert_eq!(standup.id, again[0].id);
    assert_ne!(
        standup.id,
        room.events("2026-11-24T09:00:00-08:00", "2026-11-24T09:10:00-08:00")[0].id
    );
}

#[test]
fn until_ends_the_series() {
    let room = edge_room();
    assert_eq!(
        subjects(&room.events("2026-12-31T08:00:00-08:00", "2026-12-31T10:00:00-08:00")),
        ["Morning standup"]
    );
    assert!(room
        .events("2027-01-01T08:00:00-08:00", "2027-01-01T10:00:00-08:00")
        .is_empty());
}

#[test]
fn all_day_event_spans_the_rooms_local_day() {
    let room = edge_room();
    let events = room.events("2026-11-24T12:00:00-08:00", "2026-11-24T12:01:00-08:00");
    assert_eq!(subjects(&events), ["Offsite planning day"]);
    assert!(events[0].all_day);
    assert_eq!(events[0].start, at("2026-11-24T00:00:00-08:00"));
    assert_eq!(events[0].end, at("2026-11-25T00:00:00-08:00"));
    assert_eq!(events[0].location.as_deref(), Some("Everest"));
}

#[test]
fn transparent_events_do_not_take_the_room_but_show_on_a_users_calendar() {
    let room = room_with_config(
        &fixture("edge_cases.ics"),
        "America/Los_Angeles",
        "user_path = \"room.ics\"\n\n[user]\nname = \"Dana Lee\"\nmailbox = \"dana@example.com\"\n",
    );
    let calendar = room.open();
    let (from, to) = (
        at("2026-11-27T23:00:00-08:00"),
        at("2026-11-28T01:00:00-08:00"),
    );
    assert!(calendar
        .events(room.mailbox(), from, to)
        .unwrap()
        .events
        .is_empty());
    // The same file read as a user's calendar lists it; a date without DTEND lasts a day.
    let events = calendar
        .events("dana@example.com", from, to)
        .unwrap()
        .events;
    assert_eq!(subjects(&events), ["Day after Thanksgiving"]);
    assert!(events[0].all_day);
    assert_eq!(events[0].start, at("2026-11-27T00:00:00-08:00"));
    assert_eq!(events[0].end, at("2026-11-28T00:00:00-08:00"));
}

#[test]
fn weekly_byday_with_count() {
    let room = edge_room();
    let events = room.events("2026-11-01T00:00:00-07:00", "2026-12-31T00:00:00-08:00");
    let retros: Vec<_> = events
        .iter()
        .filter(|e| e.subject == "Team retro")
        .map(|e| e.start)
        .collect();
    let expected: Vec<_> = ["03", "05", "10", "12", "17", "19"]
        .iter()
        .map(|d| at(&format!("2026-11-{d}T14:00:00-08:00")))
        .collect();
    assert_eq!(retros, expected);
}

#[test]
fn exdate_removes_and_recurrence_id_moves_or_cancels_occurrences() {
    let room = edge_room();
    let events = room.events("2026-11-02T00:00:00-08:00", "2026-11-08T00:00:00-08:00");
    let reviews: Vec<_> = events
        .iter()
        .filter(|e| e.subject.starts_with("Design review"))
        .map(|e| (e.subject.as_str(), e.start))
        .collect();
    assert_eq!(
        reviews,
        [
            ("Design review", at("2026-11-02T11:00:00-08:00")),
            ("Design review", at("2026-11-03T11:00:00-08:00")),
            // 4 Nov: EXDATE. 5 Nov: moved to 15:00. 6 Nov: cancelled.
            ("Design review (moved)", at("2026-11-05T15:00:00-08:00")),
            ("Design review", at("2026-11-07T11:00:00-08:00")),
        ]
    );
    // The HTML-only invitation is an Html body.
    let first = events
        .iter()
        .find(|e| e.subject == "Design review")
        .unwrap();
    assert!(
        matches!(&first.body, Some(Body::Html(h)) if h.contains("https://meet.google.com/abc-defg-hij"))
    );
    // The moved occurrence is not at its old time.
    assert!(room
        .events("2026-11-05T11:00:00-08:00", "2026-11-05T12:00:00-08:00")
        .iter()
        .all(|e| !e.subject.starts_with("Design review")));
}

#[test]
fn event_crossing_midnight_is_seen_from_both_days() {
    let room = edge_room();
    let before = room.events("2026-11-20T22:00:00-08:00", "2026-11-20T23:59:00-08:00");
    let after = room.events("2026-11-21T01:00:00-08:00", "2026-11-21T01:30:00-08:00");
    assert_eq!(subjects(&before), ["Overnight deploy"]);
    assert_eq!(subjects(&after), ["Overnight deploy"]);
    assert_eq!(after[0].start, at("2026-11-20T23:00:00-08:00"));
    assert_eq!(after[0].end, at("2026-11-21T02:00:00-08:00"));
    // The VALARM's DESCRIPTION is the reminder's text, not the invitation.
    assert_eq!(after[0].body, None);
}

#[test]
fn cancelled_events_are_left_out() {
    let room = edge_room();
    assert!(room
        .events("2026-11-10T13:00:00-08:00", "2026-11-10T14:00:00-08:00")
        .is_empty());
}

#[test]
fn floating_utc_and_windows_zones() {
    let room = edge_room();
    let events = room.events("2026-11-12T00:00:00Z", "2026-11-13T00:00:00Z");
    let find = |s: &str| {
        events
            .iter()
            .find(|e| e.subject == s)
            .unwrap_or_else(|| panic!("{s}: {events:?}"))
    };
    // Floating: the room's zone (Los Angeles).
    assert_eq!(
        find("Floating lunch").start,
        at("2026-11-12T12:00:00-08:00")
    );
    assert_eq!(find("UTC call").start, at("2026-11-12T18:00:00Z"));
    assert_eq!(find("UTC call").end, at("2026-11-12T18:45:00Z"));
    // "W. Europe Standard Time" is Europe/Berlin (UTC+1 in November).
    assert_eq!(find("Berlin sync").start, at("2026-11-12T09:00:00+01:00"));
}

#[test]
fn byhour_and_rdate_series() {
    let room = edge_room();
    let events = room.events("2026-11-16T00:00:00-08:00", "2026-11-21T00:00:00-08:00");
    let starts = |s: &str| -> Vec<_> {
        events
            .iter()
            .filter(|e| e.subject == s)
            .map(|e| e.start)
            .collect()
    };
    assert_eq!(
        starts("Shift handover"),
        [
            at("2026-11-16T07:00:00-08:00"),
            at("2026-11-16T19:00:00-08:00"),
            at("2026-11-17T07:00:00-08:00"),
            at("2026-11-17T19:00:00-08:00"),
        ]
    );
    assert_eq!(
        starts("Board prep"),
        [
            at("2026-11-16T08:00:00-08:00"),
            at("2026-11-18T08:00:00-08:00"),
            at("2026-11-20T16:00:00-08:00"),
        ]
    );
}

#[test]
fn unreadable_file_names_file_line_and_value() {
    let room = room_with(&fixture("bad_date.ics"), "UTC");
    let err = match IcsCalendar::open(&room.config.calendar_setup()) {
        Err(e) => e,
        Ok(_) => panic!("a broken file must not open"),
    };
    let message = err.to_string();
    assert!(matches!(err, CalendarError::Invalid(_)), "{err:?}");
    assert!(message.contains("room.ics line 12"), "{message}");
    assert!(
        message.contains("DTSTART \"2026-13-01\" is not a date-time"),
        "{message}"
    );
}

#[test]
fn file_broken_after_opening_gives_the_error_on_read() {
    let room = edge_room();
    let calendar = room.open();
    let text = fixture("edge_cases.ics").replace(
        "RRULE:FREQ=WEEKLY;BYDAY=TU,TH;COUNT=6",
        "RRULE:FREQ=FORTNIGHTLY",
    );
    std::fs::write(&room.ics, text).unwrap();
    let err = calendar
        .events(
            room.mailbox(),
            at("2026-11-23T00:00:00Z"),
            at("2026-11-24T00:00:00Z"),
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("room.ics line 45: RRULE \"FREQ=FORTNIGHTLY\""),
        "{err}"
    );
}

#[test]
fn structural_errors_are_reported_with_lines() {
    for (text, expected) in [
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20261123T100000Z\nEND:VCALENDAR\n", "line 5: END:VCALENDAR does not close BEGIN:VEVENT on line 2"),
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nSUMMARY:no start\nEND:VEVENT\nEND:VCALENDAR\n", "line 2: this VEVENT has no DTSTART"),
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART;TZID=Mars/Olympus:20261123T100000\nEND:VEVENT\nEND:VCALENDAR\n", "line 4: DTSTART has TZID \"Mars/Olympus\""),
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20261123T100000Z\nDTEND:20261123T090000Z\nEND:VEVENT\nEND:VCALENDAR\n", "line 5: DTEND \"20261123T090000Z\" is before DTSTART"),
        ("Hello, this is not a calendar\n", "line 1: expected NAME:VALUE"),
    ] {
        let room = room_with(text, "UTC");
        let err = match IcsCalendar::open(&room.config.calendar_setup()) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{text:?} must not open"),
        };
        assert!(err.contains(expected), "{err}\nexpected: {expected}");
    }
}

#[test]
fn edits_by_others_are_seen_on_the_next_read() {
    let room = edge_room();
    let calendar = room.open();
    let before = calendar
        .events(
            room.mailbox(),
            at("2026-11-12T17:00:00Z"),
            at("2026-11-12T20:00:00Z"),
        )
        .unwrap();
    assert!(subjects(&before.events).contains(&"UTC call"));
    let text = fixture("edge_cases.ics").replace("SUMMARY:UTC call", "SUMMARY:UTC call (renamed)");
    std::fs::write(&room.ics, text).unwrap();
    let after = calendar
        .events(
            room.mailbox(),
            at("2026-11-12T17:00:00Z"),
            at("2026-11-12T20:00:00Z"),
        )
        .unwrap();
    assert!(
        subjects(&after.events).contains(&"UTC call (renamed)"),
        "{:?}",
        subjects(&after.events)
    );
}

#[test]
fn missing_file_names_the_path_and_the_config_key() {
    let room = edge_room();
    std::fs::remove_file(&room.ics).unwrap();
    let err = match IcsCalendar::open(&room.config.calendar_setup()) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("a missing file must not open"),
    };
    assert!(err.contains(&room.ics.display().to_string()), "{err}");
    assert!(err.contains("[calendar.ics] path"), "{err}");
}

#[test]
fn mailboxes_route_to_room_and_user_files() {
    let dir_room = room_with_config(
        &fixture("edge_cases.ics"),
        "America/Los_Angeles",
        "user_path = \"dana.ics\"\n\n[user]\nname = \"Dana Lee\"\nmailbox = \"dana@example.com\"\n",
    );
    std::fs::write(
        dir_room.dir.path().join("dana.ics"),
        "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:dentist\nDTSTART:20261124T163000\nDTEND:20261124T173000\nSUMMARY:Dentist\nEND:VEVENT\nEND:VCALENDAR\n",
    )
    .unwrap();
    let calendar = dir_room.open();
    let (from, to) = (
        at("2026-11-24T16:00:00-08:00"),
        at("2026-11-24T18:00:00-08:00"),
    );
    let dana = calendar.events("DANA@example.com", from, to).unwrap();
    assert_eq!(subjects(&dana.events), ["Dentist"]);
    let room = calendar.events("everest@example.com", from, to).unwrap();
    assert_eq!(subjects(&room.events), ["Offsite planning day"]);
    let err = calendar.events("bob@example.com", from, to).unwrap_err();
    assert!(matches!(err, CalendarError::NotFound(_)), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("everest@example.com") && message.contains("dana@example.com"),
        "{message}"
    );
}

#[test]
fn a_made_up_tzid_is_read_from_its_vtimezone_offsets() {
    // Exchange writes "Customized Time Zone" for zones the organiser edited.
    let room = room_with(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\
BEGIN:VTIMEZONE\r\nTZID:Customized Time Zone\r\n\
BEGIN:STANDARD\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:-0700\r\nTZOFFSETTO:-0800\r\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=11\r\nEND:STANDARD\r\n\
BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:-0800\r\nTZOFFSETTO:-0700\r\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3\r\nEND:DAYLIGHT\r\n\
END:VTIMEZONE\r\n\
BEGIN:VEVENT\r\nUID:x\r\nDTSTART;TZID=Customized Time Zone:20260701T090000\r\nDTEND;TZID=Customized Time Zone:20260701T100000\r\nRRULE:FREQ=MONTHLY;COUNT=6\r\nSUMMARY:Monthly review\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n",
        "UTC",
    );
    let events = room.events("2026-07-01T00:00:00Z", "2026-12-31T00:00:00Z");
    let starts: Vec<_> = events.iter().map(|e| e.start).collect();
    assert_eq!(starts.len(), 6);
    assert_eq!(starts[0], at("2026-07-01T09:00:00-07:00"));
    assert_eq!(starts[5], at("2026-12-01T09:00:00-08:00"));
}

#[test]
fn exdate_as_a_date_and_rdate_as_a_period() {
    let room = room_with(
        "BEGIN:VCALENDAR\nVERSION:2.0\n\
BEGIN:VEVENT\nUID:s\nDTSTART;TZID=Europe/Paris:20261123T090000\nDURATION:PT30M\n\
RRULE:FREQ=DAILY;COUNT=3\nEXDATE;VALUE=DATE:20261124\n\
RDATE;VALUE=PERIOD:20261130T080000Z/20261130T083000Z\nSUMMARY:Daily\nEND:VEVENT\n\
END:VCALENDAR\n",
        "Europe/Paris",
    );
    let starts: Vec<_> = room
        .events("2026-11-20T00:00:00Z", "2026-12-05T00:00:00Z")
        .iter()
        .map(|e| e.start)
        .collect();
    assert_eq!(
        starts,
        [
            at("2026-11-23T09:00:00+01:00"),
            // 24 Nov removed by a date-only EXDATE.
            at("2026-11-25T09:00:00+01:00"),
            at("2026-11-30T08:00:00Z"),
        ]
    );
}
