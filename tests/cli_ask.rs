//! The meeting-room dialogue through the command line, as a script or a tester would
//! drive it: `roomvoice ask TURN... --json --now T`, checking the events and the
//! sentences a person in the room would hear.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_roomvoice");

/// A room calendar in a temp dir with a config pointing at it.
struct Room {
    dir: tempfile::TempDir,
}

const VTIMEZONE_LA: &str = "BEGIN:VTIMEZONE\r\nTZID:America/Los_Angeles\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:-0800\r\nTZOFFSETTO:-0700\r\nTZNAME:PDT\r\nDTSTART:19700308T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:-0700\r\nTZOFFSETTO:-0800\r\nTZNAME:PST\r\nDTSTART:19701101T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";

/// One VEVENT on 2026-11-23 in Los Angeles time, `start`/`end` as "HHMM".
fn vevent(
    uid: &str,
    start: &str,
    end: &str,
    summary: &str,
    organizer: &str,
    description: &str,
) -> String {
    format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID=America/Los_Angeles:20261123T{start}00\r\nDTEND;TZID=America/Los_Angeles:20261123T{end}00\r\nSUMMARY:{summary}\r\nORGANIZER;CN={organizer}:mailto:{}@contoso.com\r\nDESCRIPTION:{description}\r\nEND:VEVENT\r\n",
        organizer.split(' ').next().unwrap_or("x").to_lowercase()
    )
}

impl Room {
    fn new(events: &[String], extra_config: &str) -> Room {
        let dir = tempfile::tempdir().expect("tempdir");
        let ics = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//roomvoice tests//EN\r\n{VTIMEZONE_LA}{}END:VCALENDAR\r\n",
            events.concat()
        );
        std::fs::write(dir.path().join("room.ics"), ics).expect("write ics");
        let config = format!(
            "[room]\nname = \"Everest\"\nmailbox = \"everest@contoso.com\"\ntimezone = \"America/Los_Angeles\"\ncountry = \"US\"\nprovider = \"zoom\"\n\n[calendar]\nbackend = \"ics\"\n\n[calendar.ics]\npath = \"room.ics\"\n{extra_config}"
        );
        std::fs::write(dir.path().join("roomvoice.toml"), config).expect("write config");
        Room { dir }
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("roomvoice.toml")
    }

    fn ics(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("room.ics")).expect("read ics")
    }

    fn ask(&self, now: &str, turns: &[&str]) -> Vec<Value> {
        events(&ask_raw(Some(&self.config()), now, turns))
    }
}

fn ask_raw(config: Option<&Path>, now: &str, turns: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("ask").args(turns).args(["--json", "--now", now]);
    if let Some(c) = config {
        cmd.arg("--config").arg(c);
    }
    // The embedded demo must not pick up a developer's own config.
    cmd.env_remove("ROOMVOICE_CONFIG")
        .env("ROOMVOICE_CONFIG_NOSYSTEM", "1")
        .current_dir(std::env::temp_dir());
    cmd.output().expect("run roomvoice")
}

fn events(out: &Output) -> Vec<Value> {
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

fn said(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["event"] == "say")
        .map(|e| e["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn find<'a>(events: &'a [Value], kind: &str) -> Option<&'a Value> {
    events.iter().find(|e| e["event"] == kind)
}

const ZOOM_BODY: &str = "Dana Lee is inviting you to a scheduled Zoom meeting.\\n\\nJoin Zoom Meeting\\nhttps://us02web.zoom.us/j/81234567890?pwd=abc\\n\\nMeeting ID: 812 3456 7890\\nPasscode: 271828\\n\\nOne tap mobile\\n+16699006833\\,\\,81234567890#\\,\\,\\,\\,*271828# US (San Jose)\\n\\nDial by your location\\n        +1 669 900 6833 US (San Jose)\\n        +1 646 558 8656 US (New York)\\nMeeting ID: 812 3456 7890\\nPasscode: 271828\\n";

const NOW_IN_DEMO_ZOOM: &str = "2026-11-23T10:05:00-08:00";

#[test]
fn demo_room_joins_the_zoom_meeting_without_asking() {
    let out = ask_raw(None, NOW_IN_DEMO_ZOOM, &["alexa start my meeting"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ev = events(&out);
    assert_eq!(ev[0]["event"], "intent");
    assert_eq!(ev[0]["intent"], "start_meeting");
    let join = find(&ev, "join").expect("a join event");
    assert_eq!(join["provider"], "zoom");
    assert_eq!(join["number"], "+16465588656");
    assert_eq!(join["meeting_id"], "85512345678");
    assert_eq!(join["passcode"], "414376");
    let dial = join["dial_string"].as_str().expect("dial string");
    assert!(
        dial.starts_with("+16465588656,")
            && dial.contains("85512345678#")
            && dial.ends_with("414376#"),
        "{dial}"
    );
    assert!(
        !said(&ev).iter().any(|s| s.contains("meeting ID?")),
        "must not ask for the ID: {:?}",
        said(&ev)
    );
}

#[test]
fn another_ics_file_gives_its_own_invitation() {
    let room = Room::new(
        &[vevent(
            "z1",
            "1400",
            "1500",
            "Design review",
            "Sam Ortiz",
            ZOOM_BODY,
        )],
        "",
    );
    let ev = room.ask("2026-11-23T14:02:00-08:00", &["alexa, join my meeting"]);
    let join = find(&ev, "join").expect("join");
    assert_eq!(join["meeting_id"], "81234567890");
    assert_eq!(join["passcode"], "271828");
    assert_eq!(join["subject"], "Design review");
    assert!(
        join["number"]
            .as_str()
            .unwrap_or_default()
            .starts_with("+1"),
        "{join}"
    );
}

#[test]
fn a_meeting_starting_within_the_window_counts() {
    let room = Room::new(
        &[vevent(
            "z1",
            "1400",
            "1500",
            "Design review",
            "Sam Ortiz",
            ZOOM_BODY,
        )],
        "",
    );
    let ev = room.ask("2026-11-23T13:55:00-08:00", &["alexa start the meeting"]);
    assert_eq!(
        find(&ev, "join").expect("join")["meeting_id"],
        "81234567890"
    );
}

#[test]
fn room_free_answers() {
    let room = Room::new(
        &[
            vevent("a", "1300", "1400", "Planning", "Dana Lee", "no dial-in"),
            vevent("b", "1400", "1430", "Standup", "Sam Ortiz", "no dial-in"),
            vevent("c", "1530", "1600", "Review", "Sam Ortiz", "no dial-in"),
        ],
        "",
    );
    assert_eq!(
        said(&room.ask("2026-11-23T10:00:00-08:00", &["alexa is this room free"])),
        ["This room is free until 1 PM."]
    );
    // Back-to-back meetings keep the room busy; the organiser of the one on now is named.
    assert_eq!(
        said(&room.ask(
            "2026-11-23T13:10:00-08:00",
            &["alexa is this room available"]
        )),
        ["This room is booked until 2:30 PM by Dana Lee."]
    );
    assert_eq!(
        said(&room.ask("2026-11-23T14:45:00-08:00", &["alexa is the room free"])),
        ["This room is free until 3:30 PM."]
    );
    assert_eq!(
        said(&room.ask("2026-11-23T16:30:00-08:00", &["alexa is this room free"])),
        ["This room is free for the rest of the day."]
    );
}

#[test]
fn times_follow_the_room_zone_not_the_machine() {
    let room = Room::new(
        &[vevent("c", "1530", "1600", "Review", "Sam Ortiz", "x")],
        "",
    );
    let out = Command::new(BIN)
        .args([
            "ask",
            "alexa is this room free",
            "--json",
            "--now",
            "2026-11-23T18:00:00Z",
            "--config",
        ])
        .arg(room.config())
        .env("TZ", "Asia/Tokyo")
        .output()
        .expect("run");
    // 18:00Z is 10 AM in Los Angeles.
    assert_eq!(said(&events(&out)), ["This room is free until 3:30 PM."]);
}

#[test]
fn twenty_four_hour_clock_by_config() {
    let room = Room::new(
        &[vevent("c", "1530", "1600", "Review", "Sam Ortiz", "x")],
        "\n[assistant]\nclock = \"24h\"\n",
    );
    assert_eq!(
        said(&room.ask("2026-11-23T10:00:00-08:00", &["alexa is this room free"])),
        ["This room is free until 15:30."]
    );
}

#[test]
fn who_booked_and_whats_next() {
    let room = Room::new(
        &[
            vevent("a", "1300", "1400", "Planning", "Dana Lee", "x"),
            vevent("c", "1530", "1600", "Review", "Sam Ortiz", "x"),
        ],
        "",
    );
    let s = said(&room.ask("2026-11-23T13:10:00-08:00", &["alexa who booked this room"]));
    assert_eq!(s, ["\"Planning\" is on now until 2 PM, booked by Dana Lee. Next is \"Review\" at 3:30 PM, booked by Sam Ortiz."]);
    let s = said(&room.ask(
        "2026-11-23T16:10:00-08:00",
        &["alexa what's next in this room"],
    ));
    assert_eq!(
        s,
        ["Nobody has booked this room right now. Nothing else is booked today."]
    );
}

#[test]
fn booking_adds_one_event_and_leaves_the_rest_of_the_file_alone() {
    let room = Room::new(
        &[vevent("c", "1530", "1600", "Review", "Sam Ortiz", "x")],
        "",
    );
    let before = room.ics();
    let ev = room.ask(
        "2026-11-23T10:00:00-08:00",
        &["alexa book this room for half an hour"],
    );
    assert_eq!(ev[0]["intent"], "book_room");
    assert_eq!(ev[0]["minutes"], 30);
    let booked = find(&ev, "booked").expect("booked event");
    assert_eq!(booked["start"], "2026-11-23T18:00:00Z");
    assert_eq!(booked["end"], "2026-11-23T18:30:00Z");
    assert_eq!(said(&ev), ["Okay, Everest is yours until 10:30 AM."]);
    let after = room.ics();
    let end = before.rfind("END:VCALENDAR").expect("end");
    assert!(
        after.starts_with(&before[..end]),
        "bytes before the new event changed"
    );
    assert!(after.ends_with("END:VCALENDAR\r\n"));
    assert_eq!(after.matches("BEGIN:VEVENT").count(), 2);
    // The booking is now what the room sees.
    let s = said(&room.ask("2026-11-23T10:10:00-08:00", &["alexa is this room free"]));
    assert_eq!(s, ["This room is booked until 10:30 AM."]);
}

#[test]
fn booking_into_a_conflict_offers_what_is_possible() {
    let room = Room::new(
        &[vevent("c", "1500", "1600", "Review", "Sam Ortiz", "x")],
        "",
    );
    let ev = room.ask(
        "2026-11-23T14:20:00-08:00",
        &["alexa book this room for an hour", "yes"],
    );
    let s = said(&ev);
    assert_eq!(
        s[0],
        "The room is booked at 3 PM; I can book it until then."
    );
    assert_eq!(s[1], "Shall I book it?");
    let booked = find(&ev, "booked").expect("booked after yes");
    assert_eq!(booked["end"], "2026-11-23T23:00:00Z");
    // Saying no books nothing.
    let room = Room::new(
        &[vevent("c", "1500", "1600", "Review", "Sam Ortiz", "x")],
        "",
    );
    let ev = room.ask(
        "2026-11-23T14:20:00-08:00",
        &["alexa book this room for an hour", "no"],
    );
    assert!(find(&ev, "booked").is_none());
    assert_eq!(room.ics().matches("BEGIN:VEVENT").count(), 1);
}

#[test]
fn booking_while_busy_or_in_the_past_is_refused() {
    let room = Room::new(
        &[vevent("a", "1300", "1400", "Planning", "Dana Lee", "x")],
        "",
    );
    let s = said(&room.ask(
        "2026-11-23T13:30:00-08:00",
        &["alexa book this room for thirty minutes"],
    ));
    assert_eq!(s, ["The room is booked until 2 PM by Dana Lee."]);
    let s = said(&room.ask(
        "2026-11-23T10:05:00-08:00",
        &["alexa book this room until nine a m"],
    ));
    assert_eq!(s, ["9 AM has already passed today."]);
    // Until an ambiguous "three thirty" means the afternoon.
    let ev = room.ask(
        "2026-11-23T14:05:00-08:00",
        &["alexa book this room until three thirty"],
    );
    assert_eq!(
        find(&ev, "booked").expect("booked")["end"],
        "2026-11-23T23:30:00Z"
    );
}

#[test]
fn no_meeting_asks_for_the_meeting_id_and_pin() {
    let room = Room::new(&[], "");
    let ev = room.ask(
        "2026-11-23T10:00:00-08:00",
        &[
            "alexa start my meeting",
            "eight five five one two three four five six seven eight",
            "four one four three seven six",
        ],
    );
    let s = said(&ev);
    assert_eq!(s[0], "Do you want to start a new meeting?");
    assert_eq!(s[1], "What is your meeting PIN?");
    let intents: Vec<&str> = ev
        .iter()
        .filter(|e| e["event"] == "intent")
        .map(|e| e["intent"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(intents, ["start_meeting", "meeting_id", "pin"]);
    let join = find(&ev, "join").expect("join");
    assert_eq!(join["meeting_id"], "85512345678");
    assert_eq!(join["passcode"], "414376");
    assert_eq!(join["provider"], "zoom");
    // Zoom's phone flow: meeting ID, then `*` and the passcode after a longer pause.
    assert_eq!(
        join["dial_string"],
        "+16465588656,,85512345678#,,,,*414376#"
    );
}

#[test]
fn the_meeting_id_and_pin_may_be_introduced() {
    let room = Room::new(&[], "");
    let ev = room.ask(
        "2026-11-23T10:00:00-08:00",
        &[
            "alexa start my meeting",
            "my meeting id is eight five five one two three four five six seven eight",
            "the passcode is four one four three seven six",
        ],
    );
    let join = find(&ev, "join").expect("join");
    assert_eq!(join["meeting_id"], "85512345678");
    assert_eq!(join["passcode"], "414376");
}

#[test]
fn yes_to_a_new_meeting_then_the_id() {
    let room = Room::new(&[], "\n[join.providers.zoom]\npin = \"no\"\n");
    let ev = room.ask(
        "2026-11-23T10:00:00-08:00",
        &[
            "alexa start my meeting",
            "yes",
            "double five one two three four five",
        ],
    );
    let s = said(&ev);
    assert_eq!(
        &s[..2],
        [
            "Do you want to start a new meeting?",
            "What is your meeting ID?"
        ]
    );
    assert_eq!(find(&ev, "join").expect("join")["meeting_id"], "5512345");
}

#[test]
fn an_unclear_meeting_id_is_asked_again_once_then_given_up() {
    let room = Room::new(&[], "");
    let ev = room.ask(
        "2026-11-23T10:00:00-08:00",
        &["alexa start my meeting", "yes", "banana", "purple"],
    );
    let s = said(&ev);
    assert_eq!(s[2], "Sorry, I didn't get that. Please say the digits of the meeting ID, one by one. What is your meeting ID?");
    assert_eq!(
        s[3],
        "Sorry, I still didn't get that. Let's try again later."
    );
    assert!(find(&ev, "join").is_none());
}

#[test]
fn cancel_and_silence_give_up_politely() {
    let room = Room::new(&[], "");
    let ev = room.ask(
        "2026-11-23T10:00:00-08:00",
        &["alexa start my meeting", "yes", "cancel"],
    );
    assert_eq!(
        said(&ev).last().map(String::as_str),
        Some("Okay, cancelled.")
    );
    let ev = room.ask(
        "2026-11-23T10:00:00-08:00",
        &["alexa start my meeting", "yes"],
    );
    assert_eq!(
        said(&ev).last().map(String::as_str),
        Some("I didn't hear an answer, so I'll stop here.")
    );
}

#[test]
fn the_wake_word_is_required_in_a_first_turn() {
    let room = Room::new(&[], "");
    let ev = room.ask("2026-11-23T10:00:00-08:00", &["start my meeting"]);
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!(ev[0]["intent"], "none");
    let room = Room::new(&[], "\n[assistant]\nwake_word = \"computer\"\n");
    let ev = room.ask("2026-11-23T10:00:00-08:00", &["computer is this room free"]);
    assert_eq!(ev[0]["intent"], "room_free");
    let ev = room.ask("2026-11-23T10:00:00-08:00", &["alexa is this room free"]);
    assert_eq!(ev[0]["intent"], "none");
}

#[test]
fn extend_checks_the_next_booking() {
    let room = Room::new(
        &[
            vevent("a", "1300", "1400", "Planning", "Dana Lee", "x"),
            vevent("c", "1410", "1500", "Review", "Sam Ortiz", "x"),
        ],
        "",
    );
    let ev = room.ask(
        "2026-11-23T13:50:00-08:00",
        &["alexa extend the meeting by thirty minutes", "yes"],
    );
    let s = said(&ev);
    assert_eq!(
        s[0],
        "The room is booked at 2:10 PM; I can extend the meeting until then."
    );
    let updated = find(&ev, "updated").expect("updated");
    assert_eq!(updated["end"], "2026-11-23T22:10:00Z");
    let s = said(&room.ask("2026-11-23T13:55:00-08:00", &["alexa is this room free"]));
    assert_eq!(s, ["This room is booked until 3 PM by Dana Lee."]);
}

#[test]
fn end_meeting_hangs_up_and_ends_an_instant_booking() {
    let room = Room::new(
        &[],
        "\n[assistant]\ninstant_booking_minutes = 30\n[join.providers.zoom]\npin = \"no\"\n",
    );
    let ev = room.ask(
        "2026-11-23T10:00:00-08:00",
        &[
            "alexa start my meeting",
            "one two three four five six seven eight nine",
            "alexa end the meeting",
        ],
    );
    let kinds: Vec<&str> = ev
        .iter()
        .map(|e| e["event"].as_str().unwrap_or(""))
        .collect();
    assert!(
        kinds.contains(&"booked") && kinds.contains(&"join") && kinds.contains(&"hangup"),
        "{kinds:?}"
    );
    let booked = find(&ev, "booked").expect("instant booking");
    assert_eq!(booked["end"], "2026-11-23T18:30:00Z");
    assert_eq!(
        said(&ev).last().map(String::as_str),
        Some("Ending the meeting. Goodbye.")
    );
    let ev = room.ask("2026-11-23T10:00:00-08:00", &["alexa end the meeting"]);
    assert_eq!(said(&ev), ["There's no meeting in progress."]);
}

#[test]
fn check_in_and_personal_calendar() {
    let room = Room::new(
        &[vevent("a", "1300", "1400", "Planning", "Dana Lee", "x")],
        "",
    );
    assert_eq!(
        said(&room.ask("2026-11-23T12:55:00-08:00", &["alexa check in"])),
        ["You're checked in to \"Planning\"."]
    );
    assert_eq!(
        said(&room.ask("2026-11-23T10:00:00-08:00", &["alexa check in"])),
        ["There's no reservation to check in to right now."]
    );
    assert_eq!(
        said(&room.ask(
            "2026-11-23T10:00:00-08:00",
            &["alexa what's on my calendar"]
        )),
        ["No personal calendar is linked to this device."]
    );
}

#[test]
fn personal_calendar_reads_and_adds_events() {
    let room = Room::new(
        &[],
        "\n[user]\nname = \"Dana\"\nmailbox = \"dana@contoso.com\"\n",
    );
    std::fs::write(
        room.dir.path().join("dana.ics"),
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n{VTIMEZONE_LA}{}END:VCALENDAR\r\n",
            vevent("d1", "1100", "1130", "Dentist", "Dana Lee", "x")
        ),
    )
    .expect("write");
    let config = std::fs::read_to_string(room.config())
        .expect("read")
        .replace(
            "path = \"room.ics\"",
            "path = \"room.ics\"\nuser_path = \"dana.ics\"",
        );
    std::fs::write(room.config(), config).expect("write");
    let s = said(&room.ask(
        "2026-11-23T10:00:00-08:00",
        &["alexa what's on my calendar"],
    ));
    assert_eq!(
        s,
        ["Dana, you have one more thing today: \"Dentist\" at 11 AM."]
    );
    let ev = room.ask(
        "2026-11-23T10:00:00-08:00",
        &["alexa add lunch at noon for an hour"],
    );
    assert_eq!(ev[0]["intent"], "add_event");
    assert_eq!(
        said(&ev),
        ["I've added \"Lunch\" at 12 PM to your calendar."]
    );
    let s = said(&room.ask(
        "2026-11-23T10:00:00-08:00",
        &["alexa what's on my calendar"],
    ));
    assert_eq!(
        s,
        ["Dana, you have 2 more things today: \"Dentist\" at 11 AM and \"Lunch\" at 12 PM."]
    );
}

#[test]
fn two_processes_booking_the_same_slot_give_one_booking() {
    let room = Room::new(&[], "");
    let spawn = || {
        Command::new(BIN)
            .args([
                "ask",
                "alexa book this room for thirty minutes",
                "--json",
                "--now",
                "2026-11-23T10:00:00-08:00",
                "--config",
            ])
            .arg(room.config())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("spawn")
    };
    let (a, b) = (spawn(), spawn());
    let outs = [
        a.wait_with_output().expect("a"),
        b.wait_with_output().expect("b"),
    ];
    let booked = outs
        .iter()
        .filter(|o| find(&events(o), "booked").is_some())
        .count();
    assert_eq!(
        booked,
        1,
        "exactly one booking: {:?}",
        outs.iter().map(|o| said(&events(o))).collect::<Vec<_>>()
    );
    let refused: Vec<String> = outs
        .iter()
        .flat_map(|o| said(&events(o)))
        .filter(|s| !s.starts_with("Okay"))
        .collect();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(refused[0].contains("booked"), "{refused:?}");
    assert_eq!(room.ics().matches("BEGIN:VEVENT").count(), 1);
}

#[test]
fn the_dialer_command_gets_the_dial_string_as_one_argument() {
    let dir = tempfile::tempdir().expect("tmp");
    let log = dir.path().join("dialed.txt");
    let script = dir.path().join("dial.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> {}; done\n",
            log.display()
        ),
    )
    .expect("script");
    let mut perms = std::fs::metadata(&script).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&script, perms).expect("chmod");
    let hostile = "Meeting ID: 812 3456 7890\\nPasscode: 271828\\nDial +1 646 558 8656\\n$(touch /tmp/pwned); rm -rf ~ `id`";
    let room = Room::new(
        &[vevent("z", "1000", "1100", "Sync", "Dana Lee", hostile)],
        &format!(
            "\n[join]\ndialer = \"command\"\ncommand = [\"{}\", \"--call\"]\n",
            script.display()
        ),
    );
    let ev = room.ask("2026-11-23T10:05:00-08:00", &["alexa start my meeting"]);
    assert!(find(&ev, "join").is_some(), "{ev:?}");
    let dialed = std::fs::read_to_string(&log).expect("dialer ran");
    let args: Vec<&str> = dialed.lines().collect();
    assert_eq!(args[0], "--call");
    assert_eq!(args.len(), 2, "{args:?}");
    assert!(
        args[1].starts_with("+16465588656,") && args[1].contains("81234567890#"),
        "{args:?}"
    );
}

#[test]
fn config_errors_are_clear() {
    let out = ask_raw(
        Some(Path::new("/nonexistent/roomvoice.toml")),
        NOW_IN_DEMO_ZOOM,
        &["alexa is this room free"],
    );
    assert!(!out.status.success());
    let ev = events(&out);
    let msg = find(&ev, "error").expect("error")["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(msg.contains("/nonexistent/roomvoice.toml"), "{msg}");

    let room = Room::new(&[], "\n[assistant]\nwake_wrd = \"alexa\"\n");
    let out = ask_raw(
        Some(&room.config()),
        NOW_IN_DEMO_ZOOM,
        &["alexa is this room free"],
    );
    assert!(!out.status.success());
    let msg = find(&events(&out), "error").expect("error")["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        msg.contains("roomvoice.toml") && msg.contains("wake_wrd") && msg.contains("line 15"),
        "{msg}"
    );

    // Without --json the error goes to stderr in words.
    let out = Command::new(BIN)
        .args([
            "ask",
            "alexa is this room free",
            "--config",
            "/nonexistent/x.toml",
        ])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot read config file /nonexistent/x.toml"),
        "{stderr}"
    );
    // The cause once, not once per layer of the error.
    assert_eq!(
        stderr.matches("No such file or directory").count(),
        1,
        "{stderr}"
    );
}

#[test]
fn an_unreadable_calendar_is_reported_with_its_line() {
    let room = Room::new(&[], "");
    std::fs::write(
        room.dir.path().join("room.ics"),
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:2026-13-45\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .expect("write");
    let out = ask_raw(
        Some(&room.config()),
        NOW_IN_DEMO_ZOOM,
        &["alexa is this room free"],
    );
    assert!(!out.status.success());
    let msg = find(&events(&out), "error").expect("error")["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(msg.contains("room.ics") && msg.contains("line 5"), "{msg}");
}

#[test]
fn a_bad_now_is_explained() {
    let out = Command::new(BIN)
        .args(["ask", "alexa is this room free", "--now", "tomorrow"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("2026-11-23T10:05:00-08:00"));
}

#[test]
fn a_spoken_meeting_id_without_a_known_service_says_to_set_the_rooms_provider() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("room.ics"),
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//roomvoice tests//EN\r\n{VTIMEZONE_LA}END:VCALENDAR\r\n"),
    )
    .expect("write ics");
    let config = dir.path().join("roomvoice.toml");
    std::fs::write(
        &config,
        "[room]\nname = \"Everest\"\nmailbox = \"everest@contoso.com\"\ntimezone = \"America/Los_Angeles\"\n\n[calendar.ics]\npath = \"room.ics\"\n",
    )
    .expect("write config");
    let ev = events(&ask_raw(
        Some(&config),
        "2026-11-23T10:00:00-08:00",
        &[
            "alexa start my meeting",
            "yes",
            "one two three four five six seven",
        ],
    ));
    assert!(find(&ev, "join").is_none(), "{ev:?}");
    let error = find(&ev, "error").expect("an error event");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("[room]") && message.contains("provider"),
        "{message}"
    );
    assert!(!message.contains("join.providers.unknown"), "{message}");
}

#[test]
fn nosystem_runs_the_demo_room_even_on_an_installed_device() {
    // With /etc/roomvoice/roomvoice.toml present (an installed device, or CI's machine
    // after the device-install test), ROOMVOICE_CONFIG_NOSYSTEM=1 still gives the
    // embedded demo room, so a try-out never reads or books the device's calendar.
    let out = Command::new(BIN)
        .args(["-v", "ask", "alexa is this room free", "--json"])
        .args(["--now", "2026-11-23T10:05:00-08:00"])
        .env_remove("ROOMVOICE_CONFIG")
        .env("ROOMVOICE_CONFIG_NOSYSTEM", "1")
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run roomvoice");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("using the embedded demo room"), "{stderr}");
    assert!(!stderr.contains("/var/lib/roomvoice"), "{stderr}");
}
