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
    assert!(!jsgf.contains('{'), "slot braces must not leak into JSGF");
    // Commands, and the chatter path that other speech is heard as (then rejected).
    assert!(
        jsgf.contains("public <utterance> = <command> | <chatter>;"),
        "{jsgf}"
    );
}

#[test]
fn answer_grammar_and_vosk_list() {
    let run = |format: &str| {
        let out = Command::new(BIN)
            .args(["grammar", "--format", format])
            .env_remove("ROOMVOICE_CONFIG")
            .env("ROOMVOICE_CONFIG_NOSYSTEM", "1")
            .current_dir(std::env::temp_dir())
            .output()
            .expect("run");
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    assert!(run("jsgf-answer").contains("public <utterance> = <answer>;"));
    let vosk: Vec<String> = serde_json::from_str(&run("vosk")).expect("a JSON list");
    assert!(vosk.iter().any(|w| w == "alexa") && vosk.iter().any(|w| w == "eight"));
}

#[test]
fn word_list_covers_commands_and_digits() {
    let out = Command::new(BIN)
        .args(["grammar", "--format", "words"])
        .env_remove("ROOMVOICE_CONFIG")
        .env("ROOMVOICE_CONFIG_NOSYSTEM", "1")
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
