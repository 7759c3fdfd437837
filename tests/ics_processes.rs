//! Several roomvoice processes booking the same slot of one calendar file at the same
//! moment (as several devices sharing a room file would): exactly one gets the room,
//! the others are refused, and the file stays a valid calendar with one new VEVENT.

use std::process::{Command, Stdio};

use crate::support::ics::{fixture, room_with};

#[test]
fn processes_booking_one_slot_at_once_give_one_booking() {
    const PROCESSES: usize = 4;
    let room = room_with(&fixture("edge_cases.ics"), "America/Los_Angeles");
    let before = String::from_utf8(room.bytes()).unwrap();
    let config = room.dir.path().join("roomvoice.toml");
    let children: Vec<_> = (0..PROCESSES)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_roomvoice"))
                .args(["ask", "alexa book this room for half an hour", "--json"])
                .args(["--now", "2026-11-23T12:00:00-08:00", "--config"])
                .arg(&config)
                .env_remove("ROOMVOICE_CONFIG")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start roomvoice")
        })
        .collect();
    let outputs: Vec<String> = children
        .into_iter()
        .map(|c| String::from_utf8_lossy(&c.wait_with_output().expect("wait").stdout).into_owned())
        .collect();
    let booked = outputs
        .iter()
        .filter(|o| o.contains("\"event\":\"booked\""))
        .count();
    assert_eq!(booked, 1, "{outputs:#?}");
    // The others hear that the room is taken.
    let refused = outputs
        .iter()
        .filter(|o| o.contains("booked") && !o.contains("\"event\":\"booked\""))
        .count();
    assert_eq!(refused, PROCESSES - 1, "{outputs:#?}");
    let after = String::from_utf8(room.bytes()).unwrap();
    assert_eq!(
        after.matches("BEGIN:VEVENT").count(),
        before.matches("BEGIN:VEVENT").count() + 1
    );
    // The file still parses and shows the one booking.
    let events = room.events("2026-11-23T12:00:00-08:00", "2026-11-23T12:30:00-08:00");
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(events[0].booked_by_device);
}
