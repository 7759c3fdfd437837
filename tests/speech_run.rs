//! `roomvoice run --audio FILE` end to end: the bundled demo recordings through
//! PocketSphinx, the assistant and the demo room's calendar, as JSON events.
#![cfg(roomvoice_pocketsphinx)]

use assert_cmd::Command;
use serde_json::Value;

fn run(file: &str, now: &str) -> Vec<Value> {
    let out = Command::cargo_bin("roomvoice")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("ROOMVOICE_CONFIG")
        .env("ROOMVOICE_CONFIG_NOSYSTEM", "1")
        .args(["run", "--json", "--now", now, "--audio", file])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn of_kind<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["event"] == kind).collect()
}

#[test]
fn start_my_meeting_joins_the_zoom_meeting_on_the_calendar() {
    // 10:05 in Los Angeles is inside the demo room's daily Zoom meeting.
    let events = run(
        "device/demo/audio/start_meeting.wav",
        "2026-11-23T10:05:00-08:00",
    );
    let transcript = of_kind(&events, "transcript");
    assert_eq!(transcript.len(), 1, "{events:?}");
    assert_eq!(transcript[0]["engine"], "pocketsphinx");
    let (start, end) = (
        transcript[0]["start_s"].as_f64(),
        transcript[0]["end_s"].as_f64(),
    );
    let (Some(start), Some(end)) = (start, end) else {
        panic!("times: {events:?}")
    };
    // Behind the wake-word detector the recogniser hears the command from where the
    // wake word ends (the wake event's time, its score's peak), not "alexa" itself.
    let wake_at = of_kind(&events, "wake")
        .first()
        .and_then(|w| w["at_s"].as_f64())
        .unwrap_or_else(|| panic!("no wake event: {events:?}"));
    assert!(
        (0.6..1.3).contains(&wake_at)
            && (wake_at - 0.4..wake_at).contains(&start)
            && end > wake_at + 0.5
            && end < 2.5,
        "wake {wake_at}, speech {start}-{end}"
    );
    assert_eq!(of_kind(&events, "intent")[0]["intent"], "start_meeting");
    let join = of_kind(&events, "join");
    assert_eq!(join.len(), 1, "{events:?}");
    assert_eq!(join[0]["provider"], "zoom");
    assert_eq!(join[0]["meeting_id"], "85512345678");
    // The transcript comes first (after the wake-word detector's `wake`, when it is in
    // use), then the intent, then the join.
    let order: Vec<&str> = events
        .iter()
        .filter_map(|e| e["event"].as_str())
        .filter(|kind| *kind != "wake")
        .collect();
    assert_eq!(&order[..2], &["transcript", "intent"], "{order:?}");
}

#[test]
fn an_mp3_recording_joins_as_its_wav_does() {
    // The demo's "alexa, start my meeting" as public speech corpora give their clips
    // (48 kHz MP3; tests/fixtures/audio/README.md).
    let events = run(
        "tests/fixtures/audio/start_meeting.mp3",
        "2026-11-23T10:05:00-08:00",
    );
    assert_eq!(of_kind(&events, "intent")[0]["intent"], "start_meeting");
    let join = of_kind(&events, "join");
    assert_eq!(join.len(), 1, "{events:?}");
    assert_eq!(join[0]["meeting_id"], "85512345678");
}

/// Telephone-band audio (8 kHz) is converted like any other, but the models miss most of
/// what is said in it: the tester is told so, rather than left with a recording that
/// was silently not heard.
#[test]
fn a_narrowband_recording_is_played_with_a_warning() {
    let tmp = tempfile::tempdir().expect("tmp");
    let narrow = tmp.path().join("phone.wav");
    let status = std::process::Command::new("sox")
        .args(["device/demo/audio/start_meeting.wav", "-r", "8000"])
        .arg(&narrow)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("sox runs");
    assert!(status.success());
    let out = Command::cargo_bin("roomvoice")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("ROOMVOICE_CONFIG")
        .env("ROOMVOICE_CONFIG_NOSYSTEM", "1")
        .args(["run", "--json", "--audio"])
        .arg(&narrow)
        .args(["--audio", "device/demo/audio/room_free.wav"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains("8000 Hz")).collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(
        warnings[0].contains("phone.wav") && warnings[0].contains("record at 16 kHz"),
        "{stderr}"
    );

    let out = Command::cargo_bin("roomvoice")
        .expect("binary")
        .env_remove("ROOMVOICE_CONFIG")
        .env("ROOMVOICE_CONFIG_NOSYSTEM", "1")
        .args(["batch"])
        .arg(tmp.path())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("1 of 1 recordings are not wideband") && stderr.contains("8000 Hz"),
        "{stderr}"
    );
}

#[test]
fn is_this_room_free_is_answered_from_the_calendar() {
    let events = run(
        "device/demo/audio/room_free.wav",
        "2026-11-23T10:05:00-08:00",
    );
    assert_eq!(of_kind(&events, "intent")[0]["intent"], "room_free");
    let say = of_kind(&events, "say");
    assert!(
        say[0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("booked until")),
        "{say:?}"
    );
}

#[test]
fn a_whole_dialogue_in_one_file_plays_out_turn_by_turn() {
    // "alexa start my meeting", pause, "yes", pause, the meeting ID digits, pause, "yes",
    // pause, the PIN, pause, "yes", at 12:35 when nothing is scheduled: the device offers
    // a new meeting, asks for the ID and the PIN, reads each back, then joins on the
    // room's provider (Zoom).
    let events = run(
        "device/demo/audio/dialogue.wav",
        "2026-11-23T12:35:00-08:00",
    );
    let intents: Vec<&str> = of_kind(&events, "intent")
        .iter()
        .filter_map(|e| e["intent"].as_str())
        .collect();
    assert_eq!(
        intents,
        vec!["start_meeting", "yes", "meeting_id", "yes", "pin", "yes"],
        "{events:?}"
    );
    let transcripts = of_kind(&events, "transcript");
    let starts: Vec<f64> = transcripts
        .iter()
        .filter_map(|t| t["start_s"].as_f64())
        .collect();
    assert!(starts.windows(2).all(|w| w[0] < w[1]), "{starts:?}");
    let read_back: Vec<&str> = of_kind(&events, "say")
        .iter()
        .filter_map(|e| e["text"].as_str())
        .filter(|t| t.ends_with("Is that right?"))
        .collect();
    assert_eq!(
        read_back,
        [
            "I heard 8 5 5, 1 2 3, 4 5 6, 7 8. Is that right?",
            "I heard 4 1 4, 3 7 6. Is that right?"
        ],
        "{events:?}"
    );
    let join = of_kind(&events, "join");
    assert_eq!(join.len(), 1, "{events:?}");
    assert_eq!(join[0]["provider"], "zoom");
    // The meeting ID and PIN as spoken ("eight five five ...", "four one four ...").
    assert_eq!(join[0]["meeting_id"], "85512345678", "{events:?}");
    assert_eq!(join[0]["passcode"], "414376", "{events:?}");
}
