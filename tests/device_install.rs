//! A room device's install (`device/setup.sh --install`, `device/install.sh`): the
//! system user in group `audio`, the config and its secrets, the hardened systemd unit;
//! then the unit's own command line, run as the unit's user with the unit's working
//! directory and environment, against an ALSA pipe device standing in for the
//! microphone (as in `tests/listen_alsa.rs`): `roomvoice check`, and `listen` answering
//! a spoken command until SIGTERM.
//!
//! It changes the machine (a user, /etc/roomvoice, /usr/local, /var/lib/roomvoice; and an
//! /etc/roomvoice/roomvoice.toml is then the default config of every `roomvoice` run),
//! so it is ignored by default, needs root and `ROOMVOICE_TEST_INSTALL=1`; CI (root, a
//! throwaway machine) runs it: `.ci/run`. systemd itself is not
//! needed: the hardening is checked in the unit file, the command line is run directly.
#![cfg(all(target_os = "linux", roomvoice_pocketsphinx))]

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_roomvoice");
const UNIT: &str = "/etc/systemd/system/roomvoice.service";
const CONFIG: &str = "/etc/roomvoice/roomvoice.toml";
const SECRET: &str = "/etc/roomvoice/sip-password";

/// The `[Service]` settings the test needs from the installed unit.
struct Unit {
    exec_start: Vec<String>,
    user: String,
    group: String,
    working_directory: String,
    environment: Vec<(String, String)>,
    text: String,
}

fn read_unit() -> Unit {
    let text = std::fs::read_to_string(UNIT).expect("the installed unit");
    let value = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("{key}= in {UNIT}"))
            .to_string()
    };
    let environment = text
        .lines()
        .filter_map(|l| l.strip_prefix("Environment="))
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Unit {
        exec_start: value("ExecStart")
            .split_whitespace()
            .map(String::from)
            .collect(),
        user: value("User"),
        group: value("Group"),
        working_directory: value("WorkingDirectory"),
        environment,
        text,
    }
}

impl Unit {
    /// The unit's command line with `replace` applied to its arguments, run as its user
    /// and group (`setpriv` execs it: the supplementary groups, `audio` among them, come
    /// from /etc/group, and no new privileges as the unit says), in its working
    /// directory, with only its environment and `HOME`.
    fn command(&self, home: &Path, replace: impl Fn(&str) -> String) -> Command {
        let mut command = Command::new("setpriv");
        command
            .arg(format!("--reuid={}", self.user))
            .arg(format!("--regid={}", self.group))
            .args(["--init-groups", "--no-new-privs", "--"])
            .args(self.exec_start.iter().map(|a| replace(a)))
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("HOME", home)
            .envs(self.environment.iter().map(|(k, v)| (k, v)))
            .current_dir(&self.working_directory);
        command
    }
}

fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().expect("id");
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// A HOME the service user can read, whose `.asoundrc` makes the default ALSA input a
/// named pipe (so the unit's command line needs no `--device`).
fn alsa_home() -> tempfile::TempDir {
    let home = tempfile::tempdir().expect("tmp");
    std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let fifo = home.path().join("input");
    assert!(Command::new("mkfifo")
        .args(["-m", "0644"])
        .arg(&fifo)
        .status()
        .expect("mkfifo")
        .success());
    let asoundrc = format!(
        r#"pcm.!default {{
    type plug
    slave {{ pcm "roomvoice_pipe" rate 16000 channels 1 format S16_LE }}
}}
pcm.roomvoice_pipe {{
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

/// Writes 1 s of silence, the recording and 3 s of silence into the pipe in real time.
fn play_into(fifo: &Path, wav: &Path) -> std::thread::JoinHandle<()> {
    let mut reader = hound::WavReader::open(wav).expect("wav");
    let mut samples = vec![0i16; 16_000];
    samples.extend(reader.samples::<i16>().map(|s| s.expect("sample")));
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
#[ignore = "installs roomvoice system-wide (root); CI runs it with --ignored"]
fn installed_unit_runs_as_its_user_against_an_alsa_pipe() {
    assert!(
        std::env::var("ROOMVOICE_TEST_INSTALL").is_ok_and(|v| v == "1"),
        "this test installs roomvoice system-wide: set ROOMVOICE_TEST_INSTALL=1 on a machine where that is fine"
    );
    assert!(
        is_root(),
        "the install test needs root (it adds a user and writes /etc)"
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));

    // A secret left world-readable by an administrator: the install must close it.
    if !Path::new(SECRET).exists() {
        std::fs::create_dir_all("/etc/roomvoice").expect("mkdir");
        std::fs::write(SECRET, "not-a-real-password\n").expect("secret");
    }
    std::fs::set_permissions(SECRET, std::fs::Permissions::from_mode(0o644)).expect("chmod");

    let setup = Command::new(root.join("device/setup.sh"))
        .args(["--no-demo", "--install", "--binary", BIN])
        .env("CI", "true")
        .output()
        .expect("setup runs");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&setup.stdout),
        String::from_utf8_lossy(&setup.stderr)
    );
    assert!(setup.status.success(), "setup --install failed:\n{log}");
    assert!(
        !log.contains("not-a-real-password"),
        "a secret was printed:\n{log}"
    );

    // The user, the files, the unit.
    let groups = Command::new("id")
        .args(["-nG", "roomvoice"])
        .output()
        .expect("id");
    let groups = String::from_utf8_lossy(&groups.stdout);
    assert!(groups.split_whitespace().any(|g| g == "audio"), "{groups}");
    let uid = |name: &str| {
        let out = Command::new("id").args(["-u", name]).output().expect("id");
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse::<u32>()
            .expect("uid")
    };
    let secret = std::fs::metadata(SECRET).expect("secret");
    assert_eq!(secret.mode() & 0o777, 0o600);
    assert_eq!(secret.uid(), uid("roomvoice"));
    let config = std::fs::metadata(CONFIG).expect("config");
    assert_eq!(config.mode() & 0o777, 0o640);
    assert_eq!(config.uid(), 0);
    let unit = read_unit();
    for line in [
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "StateDirectory=roomvoice",
        "SupplementaryGroups=audio",
    ] {
        assert!(unit.text.lines().any(|l| l == line), "{UNIT} lacks {line}");
    }
    assert_eq!(unit.user, "roomvoice");
    assert_eq!(unit.exec_start[0], "/usr/local/bin/roomvoice");
    assert!(unit.exec_start.iter().any(|a| a == CONFIG));

    // `roomvoice check` with the unit's command line and config.
    let home = alsa_home();
    let check = unit
        .command(home.path(), |a| {
            if a == "listen" {
                "check".into()
            } else {
                a.into()
            }
        })
        .output()
        .expect("check runs");
    assert!(
        check.status.success(),
        "check as the service user:\n{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );

    // `listen`: the unit's command line on a copy of the installed config with the
    // engine's own wake-word spotting (the pipe device drops audio the detector needs,
    // see tests/listen_alsa.rs), printing events as JSON.
    let installed = std::fs::read_to_string(CONFIG).expect("config");
    let listen_config = home.path().join("roomvoice.toml");
    let wake_line = installed
        .lines()
        .find(|l| l.trim_start().starts_with("wake_model"))
        .expect("wake_model in the config");
    std::fs::write(
        &listen_config,
        installed.replace(wake_line, "wake_model = \"off\""),
    )
    .expect("config copy");
    let listen_config = listen_config.display().to_string();
    let writer = play_into(
        &home.path().join("input"),
        &root.join("device/demo/audio/room_free.wav"),
    );
    let mut child = unit
        .command(home.path(), |a| {
            if a == CONFIG {
                listen_config.clone()
            } else {
                a.into()
            }
        })
        .args(["--json", "--quiet", "--now", "2026-11-23T10:05:00-08:00"])
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
    // SIGTERM, as systemd's KillSignal (setpriv exec'd roomvoice: this is its pid).
    assert!(Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill")
        .success());
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
    let intent = seen.iter().find(|e| e["event"] == "intent");
    assert_eq!(
        intent.map(|e| e["intent"].clone()),
        Some("room_free".into()),
        "{seen:?}"
    );
    assert!(seen.iter().any(|e| e["event"] == "say"), "{seen:?}");
    assert!(
        status.is_some_and(|s| s.success()),
        "listen exits cleanly on SIGTERM: {status:?}"
    );
}
