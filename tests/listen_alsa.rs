//! `roomvoice listen` end to end through the real audio stack (cpal -> ALSA), on a
//! machine without a sound card: an ALSA configuration of the test's own (in a temporary
//! HOME) defines an input device whose samples come from a named pipe, and a thread
//! writes a recording into the pipe at the pace of real time, as a microphone would
//! deliver it. The device then answers the spoken command, and SIGTERM stops it cleanly.
#![cfg(all(target_os = "linux", roomvoice_pocketsphinx))]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_roomvoice");
const DEVICE: &str = "roomvoice_test";

/// A temporary HOME whose `.asoundrc` defines [`DEVICE`] reading from `input` (a named
/// pipe when `pipe`, else an empty file: opening a pipe waits for a writer).
fn alsa_home(pipe: bool) -> tempfile::TempDir {
    let home = tempfile::tempdir().expect("tmp");
    let fifo = home.path().join("input");
    if pipe {
        let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
        assert!(made.success());
    } else {
        std::fs::write(&fifo, b"").expect("input file");
    }
    let asoundrc = format!(
        r#"pcm.{DEVICE} {{
    type plug
    slave {{ pcm "{DEVICE}_file" rate 16000 channels 1 format S16_LE }}
    hint {{ show on description "roomvoice test input" }}
}}
pcm.{DEVICE}_file {{
    type file
    slave.pcm "null"
    file "/dev/null"
    infile "{}"
    format "raw"
}}
"#,
        fifo.display()
    );
    std::fs::write(home.path().join(".asoundrc"), asoundrc).expect("asoundrc");
    home
}

/// Writes silence, the recording and more silence into the pipe, 100 ms at a time in
/// real time. Opening the pipe waits until `listen` opens the device.
fn play_into(fifo: &Path, wav: &Path) -> std::thread::JoinHandle<()> {
    let mut reader = hound::WavReader::open(wav).expect("wav");
    assert_eq!(reader.spec().sample_rate, 16_000);
    let speech: Vec<i16> = reader
        .samples::<i16>()
        .map(|s| s.expect("sample"))
        .collect();
    let mut samples = vec![0i16; 16_000];
    samples.extend(speech);
    samples.extend(vec![0i16; 16_000 * 3]);
    let fifo = fifo.to_path_buf();
    std::thread::spawn(move || {
        let Ok(mut pipe) = std::fs::OpenOptions::new().write(true).open(&fifo) else {
            return;
        };
        for chunk in samples.chunks(1_600) {
            let bytes: Vec<u8> = chunk.iter().flat_map(|s| s.to_le_bytes()).collect();
            if pipe.write_all(&bytes).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    })
}

#[test]
fn devices_lists_an_alsa_input() {
    let home = alsa_home(false);
    let out = Command::new(BIN)
        .arg("devices")
        .env("HOME", home.path())
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(DEVICE), "{stdout}");
}

#[test]
fn listen_answers_a_spoken_command_and_stops_on_sigterm() {
    let home = alsa_home(true);
    let writer = play_into(
        &home.path().join("input"),
        Path::new("device/demo/audio/room_free.wav"),
    );
    // This pipe device does not deliver the recording faithfully: even without the
    // wake-word detector, the speech was heard at 0.57-1.37 s instead of 1.2-2.7 s and
    // audio was dropped (measured); with the detector, 31,923 callback chunks were
    // dropped in 5 s and "alexa" was never detected. PocketSphinx's endpointing survives
    // that, the detector's 30 ms features do not. This test is about the audio path and
    // shutdown, so it hears the wake word through the engine's own spotting; the detector
    // is tested on files (tests/speech_wakeword.rs).
    let config = home.path().join("roomvoice.toml");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("device/demo");
    std::fs::write(
        &config,
        format!(
            "[room]\nname = \"Everest\"\nmailbox = \"everest@contoso.com\"\ntimezone = \"America/Los_Angeles\"\n[calendar.ics]\npath = \"{}\"\n[speech]\nwake_model = \"off\"\n",
            demo.join("room.ics").display()
        ),
    )
    .expect("config");
    let mut child = Command::new(BIN)
        .args([
            "listen", "--device", DEVICE, "--json", "--quiet", "--config",
        ])
        .arg(&config)
        .args(["--now", "2026-11-23T10:05:00-08:00"])
        .env("HOME", home.path())
        .env_remove("ROOMVOICE_CONFIG")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("listen starts");
    let stdout = child.stdout.take().expect("stdout");
    let (lines, events) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen: Vec<serde_json::Value> = Vec::new();
    while !seen.iter().any(|e| e["event"] == "say") {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok(line) => seen.push(serde_json::from_str(&line).expect("a JSON event line")),
            Err(_) => break,
        }
    }
    let stopped = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(stopped.success());
    // A listener stuck in the audio stack is killed rather than waited for forever (the
    // writer thread is then left blocked on the pipe; the test process ends anyway).
    let stop_deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if Instant::now() > stop_deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    if status.is_some() {
        let _ = writer.join();
    }

    let transcript = seen.iter().find(|e| e["event"] == "transcript");
    assert_eq!(
        transcript.map(|e| e["text"].clone()),
        Some("alexa is this room free".into()),
        "{seen:?}"
    );
    let intent = seen.iter().find(|e| e["event"] == "intent");
    assert_eq!(
        intent.map(|e| e["intent"].clone()),
        Some("room_free".into()),
        "{seen:?}"
    );
    let say = seen
        .iter()
        .find(|e| e["event"] == "say")
        .expect("an answer");
    assert_eq!(
        say["text"], "This room is booked until 10:40 AM by Dana Lee.",
        "{seen:?}"
    );
    assert!(
        status.is_some_and(|s| s.success()),
        "listen exits cleanly on SIGTERM: {status:?}"
    );
}
