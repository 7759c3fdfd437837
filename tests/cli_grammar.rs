//! `roomvoice grammar`: the phrase set exported for speech engines follows the
//! configured wake word and holds every word the parser understands.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_roomvoice");

#[test]
fn jsgf_for_the_configured_wake_word() {
    let dir = tempfile::tempdir().expect("tmp");
    let config = dir.path().join("roomvoice.toml");
    std::fs::write(
        &config,
        "[room]\nname = \"A\"\nmailbox = \"a@example.com\"\n[assistant]\nwake_word = \"hey room\"\n[calendar.ics]\npath = \"room.ics\"\n",
    )
    .expect("write");
    let out = Command::new(BIN)
        .args(["grammar", "--config"])
        .arg(&config)
        .output()
        .expect("run");
    assert!(out.status.success());
    let jsgf = String::from_utf8_lossy(&out.stdout);
    assert!(jsgf.starts_with("#JSGF V1.0;"), "{jsgf}");
    assert!(jsgf.contains("<wake> = hey room;"), "{jsgf}");
    assert!(jsgf.contains("public <command> ="), "{jsgf}");
}

#[test]
fn word_list_covers_commands_and_digits() {
    let out = Command::new(BIN)
        .args(["grammar", "--format", "words"])
        .env_remove("ROOMVOICE_CONFIG")
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run");
    assert!(out.status.success());
    let words: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    for w in [
        "alexa", "start", "meeting", "book", "room", "free", "oh", "nine", "double", "half",
    ] {
        assert!(words.iter().any(|x| x == w), "missing {w}");
    }
    assert!(!words.iter().any(|w| w.contains(' ')));
}
