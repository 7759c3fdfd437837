//! The machine's time zone never matters: floating times and all-day dates are read in
//! the room's zone. This binary sets TZ to a zone far from the room's (Auckland vs
//! Tokyo); any use of the machine's local time would move the events. One test only,
//! because it changes the process environment.

#[path = "support/ics.rs"]
mod ics_support;

use ics_support::{at, room_with, subjects};

#[test]
fn room_zone_not_machine_zone_places_floating_and_all_day_events() {
    std::env::set_var("TZ", "Pacific/Auckland");
    let room = room_with(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\
BEGIN:VEVENT\r\nUID:floating\r\nDTSTART:20261123T090000\r\nDTEND:20261123T093000\r\nRRULE:FREQ=DAILY;UNTIL=20261125T090000\r\nSUMMARY:Floating daily\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:allday\r\nDTSTART;VALUE=DATE:20261124\r\nRRULE:FREQ=DAILY;UNTIL=20261125\r\nSUMMARY:All day\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n",
        "Asia/Tokyo",
    );
    let events = room.events("2026-11-23T00:00:00+09:00", "2026-11-27T00:00:00+09:00");
    let starts: Vec<_> = events
        .iter()
        .map(|e| (e.subject.as_str(), e.start))
        .collect();
    assert_eq!(
        starts,
        [
            ("Floating daily", at("2026-11-23T09:00:00+09:00")),
            ("All day", at("2026-11-24T00:00:00+09:00")),
            ("Floating daily", at("2026-11-24T09:00:00+09:00")),
            ("All day", at("2026-11-25T00:00:00+09:00")),
            ("Floating daily", at("2026-11-25T09:00:00+09:00")),
        ]
    );
    assert!(events
        .iter()
        .filter(|e| e.subject == "All day")
        .all(|e| e.all_day && e.end - e.start == chrono::Duration::days(1)));
    assert_eq!(
        subjects(&room.events("2026-11-26T00:00:00+09:00", "2026-11-27T00:00:00+09:00")),
        Vec::<&str>::new()
    );
}
