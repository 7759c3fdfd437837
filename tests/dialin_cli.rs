//! `roomvoice dialin` as a user runs it: a file or standard input, text or HTML, human
//! lines or one JSON object, and clear errors for a missing file or a bad country.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/invitations/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn roomvoice() -> Command {
    Command::cargo_bin("roomvoice").expect("the roomvoice binary is built")
}

#[test]
fn json_output_is_one_object_with_the_contract_fields() {
    let out = roomvoice()
        .args(["dialin", "--json", "--country", "gb"])
        .arg(fixture("zoom-text.txt"))
        .output()
        .expect("runs");
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(stdout.trim().lines().count(), 1, "one JSON line: {stdout}");
    let plan: Value = serde_json::from_str(&stdout).expect("valid JSON");
    for field in [
        "provider",
        "url",
        "meeting_id",
        "passcode",
        "numbers",
        "number",
        "one_tap",
        "sip",
        "dial_string",
    ] {
        assert!(plan.get(field).is_some(), "missing {field}: {plan}");
    }
    assert_eq!(plan["provider"], "zoom");
    assert_eq!(plan["number"], "+442034815240");
    assert_eq!(
        plan["dial_string"],
        "+442034815240,,85512345678#,,,,*414376#"
    );
    let first = &plan["numbers"][0];
    assert_eq!(first["e164"], "+16465588656");
    assert_eq!(first["label"], "US (New York)");
    assert_eq!(first["toll_free"], false);
}

#[test]
fn human_output_is_readable_lines_not_debug() {
    roomvoice()
        .args(["dialin"])
        .arg(fixture("teams-classic.txt"))
        .assert()
        .success()
        .stdout(predicate::str::contains("Provider:    teams"))
        .stdout(predicate::str::contains("Meeting ID:  391527846"))
        .stdout(predicate::str::contains(
            "+13238494874     United States, Los Angeles  <- chosen",
        ))
        .stdout(predicate::str::contains("JoinPlan {").not())
        .stdout(predicate::str::contains("Some(").not());
}

#[test]
fn reads_html_from_standard_input() {
    let html = std::fs::read_to_string(fixture("google_meet-calendar.html")).expect("fixture");
    let out = roomvoice()
        .args(["dialin", "--json", "-"])
        .write_stdin(html)
        .output()
        .expect("runs");
    assert!(out.status.success());
    let plan: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(plan["provider"], "google_meet");
    assert_eq!(plan["meeting_id"], "648213975");
    assert_eq!(plan["dial_string"], "+12766951204,,648213975#");
}

#[test]
fn an_unreadable_file_is_a_clear_error() {
    roomvoice()
        .args(["dialin", "/no/such/invitation.txt"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "cannot read the invitation file /no/such/invitation.txt",
        ))
        .stderr(predicate::str::contains("or - for standard input"));
}

#[test]
fn a_bad_country_is_a_clear_error() {
    roomvoice()
        .args(["dialin", "--country", "USA"])
        .arg(fixture("zoom-text.txt"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("use two letters such as US"));
}

#[test]
fn a_body_without_a_meeting_says_so() {
    roomvoice()
        .args(["dialin"])
        .arg(fixture("none-signature.txt"))
        .assert()
        .success()
        .stdout(predicate::str::contains("Provider:    unknown"))
        .stdout(predicate::str::contains("Meeting ID:  (none found)"))
        .stdout(predicate::str::contains("Dial:        (nothing to dial)"));
}

#[test]
fn a_room_config_sets_the_country_and_the_pauses() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("roomvoice.toml");
    std::fs::write(
        &config,
        "[room]\nname = \"Ben Nevis\"\nmailbox = \"bennevis@example.com\"\ncountry = \"GB\"\n\n\
         [calendar.ics]\npath = \"room.ics\"\n\n[join.providers.zoom]\nmeeting_id_delay_s = 8\n",
    )
    .expect("config written");
    let out = roomvoice()
        .args(["dialin", "--json", "--config"])
        .arg(&config)
        .arg(fixture("zoom-text.txt"))
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    // GB from the config; 8 s before the meeting ID = 4 commas; Zoom's PIN pause kept.
    assert_eq!(
        plan["dial_string"],
        "+442034815240,,,,85512345678#,,,,*414376#"
    );

    // --country still wins over the config.
    let out = roomvoice()
        .args(["dialin", "--json", "--country", "US", "--config"])
        .arg(&config)
        .arg(fixture("zoom-text.txt"))
        .output()
        .expect("runs");
    let plan: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(plan["number"], "+16465588656");

    roomvoice()
        .args(["dialin", "--config", "/no/such/roomvoice.toml"])
        .arg(fixture("zoom-text.txt"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("/no/such/roomvoice.toml"));
}
