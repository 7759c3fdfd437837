//! Writing to iCalendar files: bookings leave every other byte as it was (LF and CRLF
//! files), overlaps are refused, set_end and cancel change only what they must, and
//! several devices booking one slot at once get exactly one booking.

use std::sync::{Arc, Barrier};

use crate::support::ics::{at, fixture, room_with, subjects, Room};
use roomvoice::calendar::ics::IcsCalendar;
use roomvoice::calendar::{Calendar, CalendarError, NewBooking};

fn booking(start: &str, end: &str) -> NewBooking {
    NewBooking {
        subject: "Instant meeting; booked, by voice".into(),
        start: at(start),
        end: at(end),
        body: Some(
            "Booked by roomvoice in Everest.\nSay \"alexa, end the meeting\" to release it. "
                .repeat(2),
        ),
    }
}

fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// The room file before and after one booking: the new bytes are one VEVENT inserted
/// just before END:VCALENDAR, and nothing else changed.
fn assert_booking_is_a_pure_insertion(room: &Room, eol: &str) {
    let before = room.bytes();
    let calendar = room.open();
    let booked = calendar
        .book(
            room.mailbox(),
            &booking("2026-11-23T12:00:00-08:00", "2026-11-23T12:30:00-08:00"),
        )
        .unwrap();
    let after = room.bytes();
    let end = String::from_utf8_lossy(&before)
        .rfind("END:VCALENDAR")
        .unwrap();
    let inserted_len = after.len() - before.len();
    assert_eq!(
        &after[..end],
        &before[..end],
        "bytes before the insertion changed"
    );
    assert_eq!(
        &after[end + inserted_len..],
        &before[end..],
        "bytes after the insertion changed"
    );
    let inserted = String::from_utf8(after[end..end + inserted_len].to_vec()).unwrap();
    assert!(
        inserted.starts_with(&format!("BEGIN:VEVENT{eol}")),
        "{inserted}"
    );
    assert!(
        inserted.ends_with(&format!("END:VEVENT{eol}")),
        "{inserted}"
    );
    assert!(
        inserted.contains(&format!("X-ROOMVOICE-BOOKED:TRUE{eol}")),
        "{inserted}"
    );
    assert!(
        inserted.contains(&format!("DTSTART:20261123T200000Z{eol}")),
        "{inserted}"
    );
    assert!(
        inserted.contains(&format!("DTEND:20261123T203000Z{eol}")),
        "{inserted}"
    );
    assert!(
        inserted.contains("SUMMARY:Instant meeting\\; booked\\, by voice"),
        "{inserted}"
    );
    assert_eq!(inserted.matches("BEGIN:VEVENT").count(), 1);
    for physical in inserted.split(eol) {
        assert!(
            physical.len() <= 75,
            "line longer than 75 octets: {physical:?}"
        );
        if eol == "\r\n" {
            assert!(
                !physical.contains('\n'),
                "a bare LF in a CRLF file: {physical:?}"
            );
        }
    }
    // Another device reading the file sees the booking, with the body unfolded.
    let events = room.events("2026-11-23T12:00:00-08:00", "2026-11-23T12:30:00-08:00");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].id, booked.id);
    assert_eq!(events[0].subject, "Instant meeting; booked, by voice");
    assert!(events[0].booked_by_device);
    assert_eq!(events[0].body, booked.body);
}

#[test]
fn booking_an_lf_file_inserts_one_event_and_keeps_every_other_byte() {
    let room = room_with(&fixture("edge_cases.ics"), "America/Los_Angeles");
    assert!(!String::from_utf8(room.bytes()).unwrap().contains('\r'));
    assert_booking_is_a_pure_insertion(&room, "\n");
}

#[test]
fn booking_a_crlf_file_inserts_one_event_and_keeps_every_other_byte() {
    let room = room_with(&crlf(&fixture("edge_cases.ics")), "America/Los_Angeles");
    assert_booking_is_a_pure_insertion(&room, "\r\n");
}

#[test]
fn booking_over_a_meeting_is_refused_and_the_file_is_untouched() {
    let room = room_with(&fixture("edge_cases.ics"), "America/Los_Angeles");
    let before = room.bytes();
    let err = room
        .open()
        .book(
            room.mailbox(),
            &booking("2026-11-23T08:45:00-08:00", "2026-11-23T09:15:00-08:00"),
        )
        .unwrap_err();
    match &err {
        CalendarError::Conflict { conflict } => {
            assert_eq!(conflict.subject, "Morning standup");
            assert_eq!(conflict.start, at("2026-11-23T09:00:00-08:00"));
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert!(err.to_string().contains("Morning standup"), "{err}");
    assert_eq!(room.bytes(), before);
    // Back to back is fine: the standup ends at 9:30.
    room.open()
        .book(
            room.mailbox(),
            &booking("2026-11-23T09:30:00-08:00", "2026-11-23T10:00:00-08:00"),
        )
        .unwrap();
    // A transparent all-day event does not block the room.
    room.open()
        .book(
            room.mailbox(),
            &booking("2026-11-27T10:00:00-08:00", "2026-11-27T11:00:00-08:00"),
        )
        .unwrap();
}

#[test]
fn a_booking_that_ends_before_it_starts_is_invalid() {
    let room = room_with(&fixture("edge_cases.ics"), "America/Los_Angeles");
    let err = room
        .open()
        .book(
            room.mailbox(),
            &booking("2026-11-23T12:00:00-08:00", "2026-11-23T12:00:00-08:00"),
        )
        .unwrap_err();
    assert!(matches!(err, CalendarError::Invalid(_)), "{err:?}");
    assert!(
        err.to_string().contains("must end after it starts"),
        "{err}"
    );
}

#[test]
fn set_end_rewrites_only_the_dtend_line_of_a_single_event() {
    let room = room_with(&fixture("edge_cases.ics"), "America/Los_Angeles");
    let calendar = room.open();
    let lunch = room.events("2026-11-12T12:00:00-08:00", "2026-11-12T12:10:00-08:00");
    let lunch = lunch
        .iter()
        .find(|e| e.subject == "Floating lunch")
        .unwrap();
    let before = String::from_utf8(room.bytes()).unwrap();
    calendar
        .set_end(room.mailbox(), lunch, at("2026-11-12T13:30:00-08:00"))
        .unwrap();
    let after = String::from_utf8(room.bytes()).unwrap();
    let changed: Vec<_> = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(
        changed,
        [("DTEND:20261112T130000", "DTEND:20261112T213000Z")]
    );
    assert_eq!(before.lines().count(), after.lines().count());
    let events = room.events("2026-11-12T12:00:00-08:00", "2026-11-12T12:10:00-08:00");
    let lunch = events
        .iter()
        .find(|e| e.subject == "Floating lunch")
        .unwrap();
    assert_eq!(lunch.end, at("2026-11-12T13:30:00-08:00"));
}

#[test]
fn set_end_on_a_duration_event_rewrites_the_duration() {
    let room = room_with(&fixture("edge_cases.ics"), "America/Los_Angeles");
    let call = room.events("2026-11-12T18:00:00Z", "2026-11-12T18:01:00Z");
    let call = call.iter().find(|e| e.subject == "UTC call").unwrap();
    room.open()
        .set_end(room.mailbox(), call, at("2026-11-12T18:30:00Z"))
        .unwrap();
    let text = String::from_utf8(room.bytes()).unwrap();
    assert!(
        text.contains("\nDURATION:PT30M\n") && !text.contains("PT45M"),
        "{text}"
    );
}

#[test]
fn set_end_on_one_occurrence_of_a_series_adds_an_override() {
    let room = room_with(&fixture("edge_cases.ics"), "America/Los_Angeles");
    let standup = room.events("2026-11-23T09:00:00-08:00", "2026-11-23T09:10:00-08:00");
    room.open()
        .set_end(room.mailbox(), &standup[0], at("2026-11-23T10:00:00-08:00"))
        .unwrap();
    let monday = room.events("2026-11-23T09:00:00-08:00", "2026-11-23T09:10:00-08:00");
    assert_eq!(subjects(&monday), ["Morning standup"]);
    assert_eq!(monday[0].end, at("2026-11-23T10:00:00-08:00"));
    assert_eq!(monday[0].id, standup[0].id, "the occurrence keeps its id");
    assert_eq!(monday[0].organizer, standup[0].organizer);
    assert_eq!(monday[0].body, standup[0].body);
    let tuesday = room.events("2026-11-24T09:00:00-08:00", "2026-11-24T09:10:00-08:00");
    let tuesday = tuesday
        .iter()
        .find(|e| e.subject == "Morning standup")
        .unwrap();
    assert_eq!(tuesday.end, at("2026-11-24T09:30:00-08:00"));
    let text = String::from_utf8(room.bytes()).unwrap();
    assert!(
        text.contains("RECURRENCE-ID;TZID=America/Los_Angeles:20261123T090000\n"),
        "{text}"
    );
}

#[test]
fn cancelling_a_device_booking_restores_the_file_byte_for_byte() {
    let room = room_with(&crlf(&fixture("edge_cases.ics")), "America/Los_Angeles");
    let original = room.bytes();
    let calendar = room.open();
    let booked = calendar
        .book(
            room.mailbox(),
            &booking("2026-11-23T12:00:00-08:00", "2026-11-23T12:30:00-08:00"),
        )
        .unwrap();
    assert_ne!(room.bytes(), original);
    calendar.cancel(room.mailbox(), &booked).unwrap();
    assert_eq!(room.bytes(), original);
    assert!(room
        .events("2026-11-23T12:00:00-08:00", "2026-11-23T12:30:00-08:00")
        .is_empty());
}

#[test]
fn cancelling_someone_elses_meeting_marks_it_cancelled_and_keeps_it_in_the_file() {
    let room = room_with(&fixture("edge_cases.ics"), "America/Los_Angeles");
    let deploy = room.events("2026-11-20T23:00:00-08:00", "2026-11-20T23:10:00-08:00");
    assert_eq!(subjects(&deploy), ["Overnight deploy"]);
    room.open().cancel(room.mailbox(), &deploy[0]).unwrap();
    assert!(room
        .events("2026-11-20T23:00:00-08:00", "2026-11-20T23:10:00-08:00")
        .is_empty());
    let text = String::from_utf8(room.bytes()).unwrap();
    let block = &text[text.find("UID:deploy@example.com").unwrap()..];
    let block = &block[..block.find("END:VEVENT").unwrap()];
    assert!(
        // Properties go before the VALARM inside the event (RFC 5545 §3.6.1).
        block.contains("SUMMARY:Overnight deploy\nSTATUS:CANCELLED\nBEGIN:VALARM\n"),
        "{block}"
    );
}

#[test]
fn cancelling_one_occurrence_leaves_the_rest_of_the_series() {
    let room = room_with(&fixture("edge_cases.ics"), "America/Los_Angeles");
    let retro = room.events("2026-11-12T14:00:00-08:00", "2026-11-12T14:10:00-08:00");
    assert_eq!(subjects(&retro), ["Team retro"]);
    room.open().cancel(room.mailbox(), &retro[0]).unwrap();
    let november = room.events("2026-11-01T00:00:00-07:00", "2026-12-01T00:00:00-08:00");
    let retros: Vec<_> = november
        .iter()
        .filter(|e| e.subject == "Team retro")
        .map(|e| e.start)
        .collect();
    assert_eq!(retros.len(), 5);
    assert!(!retros.contains(&at("2026-11-12T14:00:00-08:00")));
    // Cancelling it again: it is no longer there.
    let err = room.open().cancel(room.mailbox(), &retro[0]).unwrap_err();
    assert!(matches!(err, CalendarError::NotFound(_)), "{err:?}");
}

#[test]
fn several_devices_booking_one_slot_at_once_get_exactly_one_booking() {
    const DEVICES: usize = 6;
    let room = Arc::new(room_with(&fixture("edge_cases.ics"), "America/Los_Angeles"));
    let before = String::from_utf8(room.bytes()).unwrap();
    let barrier = Arc::new(Barrier::new(DEVICES));
    let handles: Vec<_> = (0..DEVICES)
        .map(|_| {
            let room = room.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                // Each device opens its own calendar, as separate processes would.
                let calendar = IcsCalendar::open(&room.config.calendar_setup()).unwrap();
                barrier.wait();
                calendar.book(
                    room.mailbox(),
                    &booking("2026-11-23T12:00:00-08:00", "2026-11-23T12:30:00-08:00"),
                )
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let booked = results.iter().filter(|r| r.is_ok()).count();
    let conflicts = results
        .iter()
        .filter(|r| matches!(r, Err(CalendarError::Conflict { .. })))
        .count();
    assert_eq!((booked, conflicts), (1, DEVICES - 1), "{results:?}");
    let after = String::from_utf8(room.bytes()).unwrap();
    assert_eq!(
        after.matches("BEGIN:VEVENT").count(),
        before.matches("BEGIN:VEVENT").count() + 1
    );
    assert_eq!(
        room.events("2026-11-23T12:00:00-08:00", "2026-11-23T12:30:00-08:00")
            .len(),
        1
    );
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(room.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_booking_by_root_leaves_the_calendar_file_its_owner() {
    // Root running `roomvoice ask "alexa, book this room"` on a device rewrote the
    // service's calendar file as root's (mode 0640), and the service could no longer
    // read it. Only root can give a file to another user, so only root can check this.
    use std::os::unix::fs::MetadataExt;
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !root {
        eprintln!("skipped: needs root (CI runs as root)");
        return;
    }
    let room = room_with(&fixture("edge_cases.ics"), "America/Los_Angeles");
    let nobody = 65534;
    std::os::unix::fs::chown(&room.ics, Some(nobody), Some(nobody)).unwrap();
    let calendar = room.open();
    calendar
        .book(
            room.mailbox(),
            &booking("2026-11-23T12:00:00-08:00", "2026-11-23T12:30:00-08:00"),
        )
        .unwrap();
    let after = std::fs::metadata(&room.ics).unwrap();
    assert_eq!((after.uid(), after.gid()), (nobody, nobody));
    let mut lock = room.ics.clone().into_os_string();
    lock.push(".lock");
    let lock = std::fs::metadata(lock).unwrap();
    assert_eq!((lock.uid(), lock.gid()), (nobody, nobody));
}
