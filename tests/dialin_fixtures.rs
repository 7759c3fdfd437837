//! The invitation corpus: every `tests/fixtures/invitations/<provider>-<variant>.{txt,html}`
//! is read and its plan compared, field by field, with the sibling `.expected.json`.
//!
//! Expected files hold the plan's contract fields. Fields left out must be empty in the
//! plan (null, or an empty list), so a fixture that expects no dial-in fails when the
//! reader invents one. Extra keys:
//! - `"_country"`: the room's country (default `US`), `"_location"`: the event location;
//! - `"_pauses"`: `{provider: [before_meeting_id, before_pin]}` overrides from config;
//! - `"notes_contain"`: substrings that must appear in the plan's notes.
//!
//! All fixtures are checked and every failure is reported by fixture name at the end.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use roomvoice::calendar::Body;
use roomvoice::dialin::{looks_like_html, read_invitation, DialPreferences, Invitation, Pauses};
use serde_json::{json, Value};

const CONTRACT: &[&str] = &[
    "provider",
    "url",
    "meeting_id",
    "passcode",
    "web_password",
    "numbers",
    "number",
    "one_tap",
    "sip",
    "h323",
    "dial_string",
];

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invitations");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixture folder exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("txt" | "html")))
        .collect();
    files.sort();
    files
}

fn expected_path(input: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("utf-8 name");
    input.with_file_name(format!("{stem}.expected.json"))
}

/// Reads one fixture and returns the differences from its expectation.
fn check(input: &Path) -> Vec<String> {
    let body_text = std::fs::read_to_string(input).expect("fixture is UTF-8 text");
    let expected: Value = match std::fs::read_to_string(expected_path(input)) {
        Ok(s) => serde_json::from_str(&s).expect("expected file is JSON"),
        Err(_) => return vec!["no .expected.json beside it".into()],
    };
    let is_html = input.extension().and_then(|e| e.to_str()) == Some("html");
    assert_eq!(
        looks_like_html(&body_text),
        is_html,
        "{}: HTML detection disagrees with the file extension",
        input.display()
    );
    let body = if is_html {
        Body::Html(body_text)
    } else {
        Body::Text(body_text)
    };
    let mut pauses = BTreeMap::new();
    if let Some(map) = expected.get("_pauses").and_then(Value::as_object) {
        for (provider, v) in map {
            let pair: Vec<u32> = serde_json::from_value(v.clone()).expect("[n, n] pauses");
            pauses.insert(
                provider.clone(),
                Pauses {
                    before_meeting_id: pair[0],
                    before_pin: pair[1],
                },
            );
        }
    }
    let prefs = DialPreferences {
        country: expected
            .get("_country")
            .and_then(Value::as_str)
            .unwrap_or("US")
            .to_string(),
        pauses,
    };
    let location = expected.get("_location").and_then(Value::as_str);
    let plan = read_invitation(
        &Invitation {
            subject: "fixture",
            body: Some(&body),
            location,
            online_meeting: None,
        },
        &prefs,
    );
    let actual = serde_json::to_value(&plan).expect("plan serialises");
    let mut problems = Vec::new();
    for field in CONTRACT {
        let got = actual.get(*field).cloned().unwrap_or(Value::Null);
        let got = if *field == "numbers" {
            // `country` is informative; the contract is e164, label, toll_free.
            Value::Array(
                got.as_array()
                    .into_iter()
                    .flatten()
                    .map(|n| json!({"e164": n["e164"], "label": n["label"], "toll_free": n["toll_free"]}))
                    .collect(),
            )
        } else {
            got
        };
        let want = match expected.get(*field) {
            Some(v) => v.clone(),
            None if matches!(*field, "numbers" | "one_tap") => json!([]),
            None if *field == "provider" => json!("unknown"),
            None => Value::Null,
        };
        if got != want {
            problems.push(format!("{field}: expected {want}, got {got}"));
        }
    }
    let notes = plan.notes.join(" | ");
    for needle in expected
        .get("notes_contain")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let needle = needle.as_str().expect("notes_contain holds strings");
        if !notes.contains(needle) {
            problems.push(format!("notes should mention {needle:?}; notes: {notes:?}"));
        }
    }
    problems
}

#[test]
fn every_fixture_reads_to_its_expected_plan() {
    let files = corpus();
    assert!(
        files.len() >= 30,
        "the corpus has only {} fixtures",
        files.len()
    );
    let mut failures = Vec::new();
    for file in &files {
        let problems = check(file);
        if !problems.is_empty() {
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("?")
                .to_string();
            failures.push(format!("{name}:\n    {}", problems.join("\n    ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures differ from their expected plans:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn negative_fixtures_never_yield_a_number_or_meeting_id() {
    let negatives: Vec<PathBuf> = corpus()
        .into_iter()
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("none-"))
        })
        .collect();
    assert!(
        negatives.len() >= 5,
        "only {} negative fixtures",
        negatives.len()
    );
    for file in negatives {
        let text = std::fs::read_to_string(&file).expect("fixture");
        let body = if looks_like_html(&text) {
            Body::Html(text)
        } else {
            Body::Text(text)
        };
        for country in ["US", "GB", "DE", "IN"] {
            let plan = read_invitation(
                &Invitation {
                    body: Some(&body),
                    ..Invitation::default()
                },
                &DialPreferences {
                    country: country.into(),
                    ..DialPreferences::default()
                },
            );
            assert!(
                plan.numbers.is_empty(),
                "{} ({country}): numbers {:?}",
                file.display(),
                plan.numbers
            );
            assert_eq!(plan.meeting_id, None, "{} ({country})", file.display());
            assert_eq!(plan.dial_string, None, "{} ({country})", file.display());
        }
    }
}
