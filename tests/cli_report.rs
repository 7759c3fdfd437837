//! `roomvoice report` end to end: a log written by the assistant (`ask --log`) and logs
//! written by hand (a torn line, days to leave out), read back through the binary.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_roomvoice");

fn roomvoice(args: &[&str], home: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .env("HOME", home)
        .env_remove("ROOMVOICE_CONFIG")
        .env("ROOMVOICE_CONFIG_NOSYSTEM", "1")
        .env_remove("STATE_DIRECTORY")
        .env_remove("XDG_STATE_HOME")
        .current_dir(home)
        .output()
        .expect("roomvoice runs")
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

#[test]
fn a_join_logged_by_ask_is_reported_per_day_and_provider() {
    let home = tempfile::tempdir().expect("tmp");
    let log = home.path().join("utilisation.jsonl");
    let log_arg = log.to_str().expect("utf-8 path");
    let out = roomvoice(
        &[
            "ask",
            "--log",
            log_arg,
            "--now",
            "2026-11-23T10:05:00-08:00",
            "alexa start my meeting",
            "alexa end the meeting",
        ],
        home.path(),
    );
    assert!(out.status.success(), "{out:?}");
    let written = std::fs::read_to_string(&log).expect("ask --log wrote the log");
    assert!(written.contains("\"kind\":\"joined\""), "{written}");
    assert!(written.contains("\"kind\":\"ended\""), "{written}");
    // The demo meeting's passcode and ID stay out of it.
    assert!(
        !written.contains("414376") && !written.contains("85512345678"),
        "{written}"
    );

    let out = roomvoice(&["report", "--log", log_arg, "--json"], home.path());
    assert!(out.status.success(), "{out:?}");
    let lines = json_lines(&out);
    assert_eq!(lines[0]["event"], "day");
    assert_eq!(lines[0]["day"], "2026-11-23");
    assert_eq!(lines[0]["joins"]["zoom"], 1);
    assert_eq!(lines.last().expect("total")["event"], "total");

    let out = roomvoice(&["report", "--log", log_arg], home.path());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("booked h"), "{text}");
    assert!(
        text.contains("2026-11-23") && text.contains("zoom 1"),
        "{text}"
    );
}

#[test]
fn ask_without_log_leaves_no_log() {
    let home = tempfile::tempdir().expect("tmp");
    let out = roomvoice(
        &[
            "ask",
            "--now",
            "2026-11-23T10:05:00-08:00",
            "alexa start my meeting",
        ],
        home.path(),
    );
    assert!(out.status.success(), "{out:?}");
    assert!(
        !home
            .path()
            .join(".local/state/roomvoice/utilisation.jsonl")
            .exists(),
        "trying a command out is no use of the room"
    );
}

const LOG: &str = r#"{"kind":"meeting_held","start":"2026-11-22T10:00:00-08:00","end":"2026-11-22T11:00:00-08:00","subject":"Sunday","attended":true}
{"kind":"meeting_held","start":"2026-11-23T10:00:00-08:00","end":"2026-11-23T10:40:00-08:00","subject":"Weekly Product Sync","attended":true}
{"kind":"joined","at":"2026-11-23T10:00:30-08:00","provider":"zoom","subject":"Weekly Product Sync","offered":true}
{"kind":"released","at":"2026-11-23T11:10:00-08:00","start":"2026-11-23T11:00:00-08:00","end":"2026-11-23T11:40:00-08:00","subject":"Design review"}
{"kind":"joined","at":"2026-11-23T13:00:00-08:00","provider":"teams"
{"kind":"booked","at":"2026-11-23T12:00:00-08:00","start":"2026-11-23T12:00:00-08:00","end":"2026-11-23T12:30:00-08:00","subject":"Booked in Everest by voice","how":"voice"}
"#;

#[test]
fn since_and_a_torn_line_are_reported_clearly() {
    let home = tempfile::tempdir().expect("tmp");
    let log = home.path().join("utilisation.jsonl");
    std::fs::write(&log, LOG).expect("log");
    let log_arg = log.to_str().expect("utf-8 path");
    let out = roomvoice(
        &[
            "report",
            "--log",
            log_arg,
            "--since",
            "2026-11-23",
            "--json",
        ],
        home.path(),
    );
    // The torn line is named and left out; the rest is still reported.
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let lines = json_lines(&out);
    let error = lines
        .iter()
        .find(|l| l["event"] == "error")
        .expect("an error line");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("line 5")),
        "{error}"
    );
    let days: Vec<&Value> = lines.iter().filter(|l| l["event"] == "day").collect();
    assert_eq!(days.len(), 1, "Sunday is before --since: {lines:?}");
    let day = days[0];
    assert_eq!(day["day"], "2026-11-23");
    assert_eq!(day["booked_hours"], 1.33);
    assert_eq!(day["used_hours"], 0.67);
    assert_eq!(day["released"], 1);
    assert_eq!(day["ad_hoc_bookings"], 1);
    assert_eq!(day["joins"], serde_json::json!({"zoom": 1}));
}

#[test]
fn a_missing_log_says_where_it_looked() {
    let home = tempfile::tempdir().expect("tmp");
    let out = roomvoice(&["report"], home.path());
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(".local/state/roomvoice/utilisation.jsonl") && stderr.contains("--log"),
        "{stderr}"
    );
    let out = roomvoice(&["report", "--since", "23/11/2026"], home.path());
    assert_eq!(out.status.code(), Some(2), "a bad date is a usage error");
}
