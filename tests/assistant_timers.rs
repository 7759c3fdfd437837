//! The device's timers and voice, through the library: end-of-meeting reminders during
//! a call, releasing a reservation nobody checked into, and answers spoken through the
//! configured text-to-speech command.

use crate::support;
use crate::support::ics::said;

use chrono::{DateTime, Utc};
use roomvoice::assistant::Clock;
use roomvoice::events::{Collect, Event};

const CALENDAR: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:standup\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261123T180000Z\r\nDTEND:20261123T183000Z\r\nSUMMARY:Standup\r\nORGANIZER;CN=Dana Lee:mailto:dana@example.com\r\nDESCRIPTION:Meeting ID: 812 3456 7890\\nPasscode: 271828\\nDial +1 646 558 8656\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("time")
        .with_timezone(&Utc)
}

#[test]
fn reminds_before_the_end_of_the_meeting_once() {
    let room = support::ics::room_with_config(
        CALENDAR,
        "UTC",
        "\n[assistant]\nend_reminders_minutes = [5, 1]\n",
    );
    let mut assistant = room
        .config
        .open_assistant(Clock::Fixed(at("2026-11-23T18:02:00Z")), false)
        .expect("open");
    let mut sink = Collect::default();
    assistant.hear("alexa start my meeting", &mut sink);
    assert!(assistant.in_call());
    let mut sink = Collect::default();
    for t in [
        "2026-11-23T18:20:00Z",
        "2026-11-23T18:25:00Z",
        "2026-11-23T18:26:00Z",
        "2026-11-23T18:29:00Z",
        "2026-11-23T18:29:30Z",
    ] {
        assistant.set_clock(Clock::Fixed(at(t)));
        assistant.tick(&mut sink);
    }
    assert_eq!(
        said(&sink),
        [
            "This meeting ends in 5 minutes.",
            "This meeting ends in 1 minute."
        ]
    );
}

#[test]
fn releases_a_reservation_nobody_checked_into() {
    let room = support::ics::room_with_config(
        CALENDAR,
        "UTC",
        "\n[assistant]\nrelease_unattended_after_minutes = 10\n",
    );
    let mut assistant = room
        .config
        .open_assistant(Clock::Fixed(at("2026-11-23T18:05:00Z")), false)
        .expect("open");
    let mut sink = Collect::default();
    assistant.tick(&mut sink);
    assert!(sink.0.is_empty(), "not yet: {:?}", sink.0);
    assistant.set_clock(Clock::Fixed(at("2026-11-23T18:11:00Z")));
    assistant.tick(&mut sink);
    assert!(
        sink.0
            .iter()
            .any(|e| matches!(e, Event::Released { subject } if subject == "Standup")),
        "{:?}",
        sink.0
    );
    assert_eq!(
        said(&sink),
        ["Nobody checked in to \"Standup\", so I've released the room."]
    );
    // The room is free now, for the device and for anyone reading the file.
    let mut sink = Collect::default();
    assistant.hear("alexa is this room free", &mut sink);
    assert_eq!(said(&sink), ["This room is free for the rest of the day."]);
}

#[test]
fn a_checked_in_reservation_is_kept() {
    let room = support::ics::room_with_config(
        CALENDAR,
        "UTC",
        "\n[assistant]\nrelease_unattended_after_minutes = 10\n",
    );
    let mut assistant = room
        .config
        .open_assistant(Clock::Fixed(at("2026-11-23T18:03:00Z")), false)
        .expect("open");
    let mut sink = Collect::default();
    assistant.hear("alexa check in", &mut sink);
    assistant.set_clock(Clock::Fixed(at("2026-11-23T18:15:00Z")));
    assistant.tick(&mut sink);
    assert!(
        !sink.0.iter().any(|e| matches!(e, Event::Released { .. })),
        "{:?}",
        sink.0
    );
    let mut sink = Collect::default();
    assistant.hear("alexa is this room free", &mut sink);
    assert_eq!(
        said(&sink),
        ["This room is booked until 6:30 PM by Dana Lee."]
    );
}

#[test]
fn answers_are_spoken_through_the_tts_command() {
    let dir = tempfile::tempdir().expect("tmp");
    let log = dir.path().join("spoken.txt");
    let script = dir.path().join("tts.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nprintf '%s\\n' \"$1\" >> {}\n", log.display()),
    )
    .expect("script");
    let mut perms = std::fs::metadata(&script).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&script, perms).expect("chmod");
    let extra = format!(
        "\n[voice]\ntts = \"command\"\ncommand = [\"{}\"]\n",
        script.display()
    );
    let room = support::ics::room_with_config(CALENDAR, "UTC", &extra);

    let mut silent = room
        .config
        .open_assistant(Clock::Fixed(at("2026-11-23T17:00:00Z")), false)
        .expect("open");
    silent.hear("alexa is this room free", &mut Collect::default());
    assert!(!log.exists(), "speak = false must stay silent");

    let mut speaking = room
        .config
        .open_assistant(Clock::Fixed(at("2026-11-23T17:00:00Z")), true)
        .expect("open");
    speaking.hear("alexa is this room free", &mut Collect::default());
    assert_eq!(
        std::fs::read_to_string(&log).expect("spoken"),
        "This room is free until 6 PM.\n"
    );
}
