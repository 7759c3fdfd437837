//! `roomvoice batch`: a manifest of recordings with expected intents gives a summary of
//! accuracy, confusions, false triggers and decode speed, and its exit status says
//! whether every expectation held.
#![cfg(roomvoice_pocketsphinx)]

use crate::support;
use std::path::Path;

use assert_cmd::Command;

fn demo(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("device/demo/audio")
        .join(name)
        .display()
        .to_string()
}

fn batch(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("roomvoice")
        .expect("binary")
        .env_remove("ROOMVOICE_CONFIG")
        .env("ROOMVOICE_CONFIG_NOSYSTEM", "1")
        .arg("batch")
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Commands (the demo recordings) and non-commands (silence, noise, speech without the
/// wake word), with their expected intents.
fn manifest(dir: &Path, wrong: bool) -> std::path::PathBuf {
    let silence = dir.join("silence.wav");
    support::speech::write(&silence, &vec![0i16; 32_000]);
    let hiss = support::speech::add_noise(dir, &silence, -40.0);
    // chatter.wav: speech without the wake word.
    support::speech::speak(dir, "chatter", "en-us", 160, "play some music");
    let start_expectation = if wrong {
        "end_meeting"
    } else {
        "start_meeting"
    };
    let text = format!(
        "file,intent,slots\n{},{start_expectation}\n{},room_free\n{},book_room,minutes=30\nsilence.wav,none\n{},none\nchatter.wav,none\n",
        demo("start_meeting.wav"),
        demo("room_free.wav"),
        demo("book_room.wav"),
        hiss.file_name().and_then(|n| n.to_str()).unwrap_or_default(),
    );
    let path = dir.join(if wrong { "wrong.csv" } else { "set.csv" });
    std::fs::write(&path, text).expect("write manifest");
    path
}

#[test]
fn a_manifest_that_holds_passes_with_a_summary() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = manifest(tmp.path(), false);
    let (code, stdout, stderr) = batch(&[path.to_str().unwrap_or_default()]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("engine: pocketsphinx"), "{stdout}");
    assert!(
        stdout.contains("book_room") && stdout.contains("100.0%"),
        "{stdout}"
    );
    assert!(
        stdout.contains("false triggers on non-commands: 0 of 3"),
        "{stdout}"
    );
    assert!(stdout.contains("x real time"), "{stdout}");
}

#[test]
fn a_failed_expectation_exits_1_and_shows_the_confusion() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = manifest(tmp.path(), true);
    let (code, stdout, _) = batch(&[path.to_str().unwrap_or_default()]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("end_meeting -> start_meeting: 1"),
        "{stdout}"
    );
    assert!(stdout.contains("FAIL"), "{stdout}");
}

#[test]
fn json_gives_one_line_per_file_and_a_summary() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = manifest(tmp.path(), false);
    let (code, stdout, _) = batch(&["--json", path.to_str().unwrap_or_default()]);
    assert_eq!(code, 0, "{stdout}");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 7, "{stdout}");
    assert_eq!(lines[2]["intent"]["intent"], "book_room");
    assert_eq!(lines[2]["intent"]["minutes"], 30);
    let summary = &lines[6];
    assert_eq!(summary["passed"], 6);
    assert_eq!(summary["false_triggers"], 0);
    assert!(
        summary["x_real_time"]
            .as_f64()
            .is_some_and(|x| x > 0.0 && x < 1.0),
        "{summary}"
    );
}

#[test]
fn a_folder_is_recognised_without_expectations() {
    let (code, stdout, _) = batch(&[&demo("")]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("start_meeting.wav") && stdout.contains("\"start_meeting\""),
        "{stdout}"
    );
}

#[test]
fn a_folder_of_flac_ogg_and_mp3_recordings_is_heard_like_wav() {
    let tmp = tempfile::tempdir().expect("tmp");
    let wav = demo("start_meeting.wav");
    for (name, format) in [("a.flac", ["-r", "44100"]), ("b.ogg", ["-r", "48000"])] {
        let status = std::process::Command::new("sox")
            .arg(&wav)
            .args(format)
            .arg(tmp.path().join(name))
            .status()
            .expect("sox runs");
        assert!(status.success());
    }
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audio/start_meeting.mp3"),
        tmp.path().join("c.mp3"),
    )
    .expect("copy");
    std::fs::write(tmp.path().join("notes.txt"), "not a recording").expect("write");
    let (code, stdout, stderr) = batch(&[tmp.path().to_str().unwrap_or_default(), "--json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let files: Vec<serde_json::Value> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v.get("file").is_some())
        .collect();
    assert_eq!(files.len(), 3, "{stdout}");
    for file in &files {
        assert_eq!(file["intent"]["intent"], "start_meeting", "{file}");
    }
}

#[test]
fn bad_manifests_and_files_are_reported() {
    let tmp = tempfile::tempdir().expect("tmp");
    let bad = tmp.path().join("bad.csv");
    std::fs::write(&bad, "a.wav,book_room,minutes30\n").expect("write");
    let (code, _, stderr) = batch(&[bad.to_str().unwrap_or_default()]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("line 1") && stderr.contains("key=value"),
        "{stderr}"
    );

    let missing = tmp.path().join("missing.csv");
    std::fs::write(&missing, "nothere.wav,start_meeting\n").expect("write");
    let (code, stdout, _) = batch(&[missing.to_str().unwrap_or_default()]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("ERR") && stdout.contains("nothere.wav"),
        "{stdout}"
    );
}
