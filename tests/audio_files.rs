//! Reading recordings: every common WAV format, FLAC, Ogg Vorbis and MP3 come out as
//! 16 kHz mono of the right length, and bad files give an error that names the file and
//! the problem (library and `roomvoice run`).

use crate::support;
use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;
use roomvoice::audio::{read_audio, AudioError};

/// A 1 s, 440 Hz tone in the given format, made by sox.
fn tone(dir: &Path, name: &str, format: &[&str]) -> std::path::PathBuf {
    tone_as(dir, &format!("{name}.wav"), format)
}

/// The same tone in the file `name` (sox takes the container from its extension).
fn tone_as(dir: &Path, name: &str, format: &[&str]) -> std::path::PathBuf {
    let path = dir.join(name);
    let status = Process::new("sox")
        .args(["-R", "-D", "-n"])
        .args(format)
        .arg(&path)
        .args(["synth", "1", "sine", "440", "vol", "0.5"])
        .status()
        .expect("sox runs");
    assert!(status.success());
    path
}

#[test]
fn common_formats_become_16k_mono_of_the_same_length() {
    let tmp = tempfile::tempdir().expect("tmp");
    let formats: [(&str, &[&str]); 6] = [
        ("8k_16bit", &["-r", "8000", "-c", "1", "-b", "16"]),
        ("22k_stereo", &["-r", "22050", "-c", "2", "-b", "16"]),
        ("44k_24bit", &["-r", "44100", "-c", "1", "-b", "24"]),
        (
            "48k_float",
            &["-r", "48000", "-c", "2", "-b", "32", "-e", "floating-point"],
        ),
        (
            "16k_8bit",
            &[
                "-r",
                "16000",
                "-c",
                "1",
                "-b",
                "8",
                "-e",
                "unsigned-integer",
            ],
        ),
        (
            "32k_32bit",
            &["-r", "32000", "-c", "1", "-b", "32", "-e", "signed-integer"],
        ),
    ];
    for (name, format) in formats {
        let path = tone(tmp.path(), name, format);
        let clip = read_audio(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            (clip.duration_s() - 1.0).abs() < 0.01,
            "{name}: {} s",
            clip.duration_s()
        );
        // Level kept: a 0.5 sine peaks near 16384.
        let peak = clip
            .samples
            .iter()
            .map(|s| s.unsigned_abs())
            .max()
            .unwrap_or(0);
        assert!((14_000..19_000).contains(&peak), "{name}: peak {peak}");
    }
}

/// A file of the repository (fixtures, the demo's recordings).
fn in_repo(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn peak(samples: &[i16]) -> u16 {
    samples.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0)
}

#[test]
fn flac_is_read_sample_for_sample_as_its_wav() {
    let tmp = tempfile::tempdir().expect("tmp");
    for (rate, channels) in [("16000", "1"), ("44100", "2")] {
        let format = ["-r", rate, "-c", channels, "-b", "16"];
        let wav = read_audio(&tone_as(tmp.path(), "t.wav", &format)).expect("wav");
        let flac = read_audio(&tone_as(tmp.path(), "t.flac", &format))
            .unwrap_or_else(|e| panic!("{rate} Hz: {e}"));
        assert_eq!(flac.source_rate.to_string(), rate);
        assert_eq!(flac.source_channels.to_string(), channels);
        // Lossless: the same samples, not just the same length.
        assert!(flac.samples == wav.samples, "{rate} Hz: samples differ");
    }
}

#[test]
fn ogg_vorbis_and_mp3_keep_length_and_level() {
    let tmp = tempfile::tempdir().expect("tmp");
    let ogg = tone_as(tmp.path(), "t.ogg", &["-r", "48000", "-c", "2"]);
    let clip = read_audio(&ogg).unwrap_or_else(|e| panic!("ogg: {e}"));
    assert!(
        (clip.duration_s() - 1.0).abs() < 0.01,
        "{} s",
        clip.duration_s()
    );
    assert!((14_000..19_000).contains(&peak(&clip.samples)), "ogg peak");

    // A file named .wav is read by what it holds: the MP3 fixture under another name.
    let mp3 = in_repo("tests/fixtures/audio/start_meeting.mp3");
    let misnamed = tmp.path().join("start_meeting.wav");
    std::fs::copy(&mp3, &misnamed).expect("copy");
    let wav = in_repo("device/demo/audio/start_meeting.wav");
    let source = read_audio(&wav).expect("wav");
    for path in [&mp3, &misnamed] {
        let clip = read_audio(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!((clip.source_rate, clip.source_channels), (48_000, 1));
        // The encoder's delay and padding are taken off (the LAME header says how much).
        assert!(
            (clip.duration_s() - source.duration_s()).abs() < 0.005,
            "{} s against {} s",
            clip.duration_s(),
            source.duration_s()
        );
        let ratio = f64::from(peak(&clip.samples)) / f64::from(peak(&source.samples));
        assert!((0.8..1.25).contains(&ratio), "level {ratio}");
    }
}

#[test]
fn a_text_file_is_not_audio() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("notes.wav");
    std::fs::write(&path, "this is not audio\n").expect("write");
    let err = read_audio(&path).unwrap_err();
    assert!(matches!(err, AudioError::NotAudio { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("notes.wav") && text.contains("not an audio file"),
        "{text}"
    );
}

#[test]
fn cut_and_undecodable_compressed_files_are_named() {
    let tmp = tempfile::tempdir().expect("tmp");
    // Cut in half: FLAC and MP3 say how long they are, Ogg ends without its last page.
    let mp3 = in_repo("tests/fixtures/audio/start_meeting.mp3");
    let flac = tone_as(tmp.path(), "t.flac", &["-r", "16000", "-c", "1"]);
    let ogg = tone_as(tmp.path(), "t.ogg", &["-r", "16000", "-c", "1"]);
    for (whole, expect) in [
        (&mp3, "truncated"),
        (&flac, "truncated"),
        (&ogg, "ends in the middle"),
    ] {
        let bytes = std::fs::read(whole).expect("read");
        let cut = tmp.path().join(format!(
            "cut.{}",
            whole.extension().and_then(|e| e.to_str()).unwrap_or("")
        ));
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
        let err = read_audio(&cut).unwrap_err().to_string();
        assert!(err.contains(expect) && err.contains("cut."), "{err}");
    }

    let opus = in_repo("tests/fixtures/audio/tone.opus");
    let err = read_audio(&opus).unwrap_err();
    assert!(matches!(err, AudioError::Unsupported { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("tone.opus") && text.contains("Opus") && text.contains("ffmpeg"),
        "{text}"
    );
}

#[test]
fn empty_truncated_and_headerless_files_are_named() {
    let tmp = tempfile::tempdir().expect("tmp");
    let empty = tmp.path().join("empty.wav");
    std::fs::write(&empty, b"").expect("write");
    assert!(matches!(
        read_audio(&empty),
        Err(AudioError::EmptyFile { .. })
    ));

    let good = tone(tmp.path(), "good", &["-r", "16000", "-c", "1", "-b", "16"]);
    let bytes = std::fs::read(&good).expect("read");
    let truncated = tmp.path().join("truncated.wav");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    let err = read_audio(&truncated).unwrap_err();
    assert!(matches!(err, AudioError::Truncated { .. }), "{err}");
    assert!(err.to_string().contains("truncated.wav"), "{err}");

    let header_only = tmp.path().join("header.wav");
    std::fs::write(&header_only, &bytes[..20]).expect("write");
    let err = read_audio(&header_only).unwrap_err();
    assert!(err.to_string().contains("header.wav"), "{err}");

    let no_samples = tmp.path().join("nosamples.wav");
    support::speech::write(&no_samples, &[]);
    assert!(matches!(
        read_audio(&no_samples),
        Err(AudioError::NoSamples { .. })
    ));

    let missing = read_audio(&tmp.path().join("missing.wav")).unwrap_err();
    assert!(missing.to_string().contains("missing.wav"), "{missing}");
}

/// A recording damaged anywhere (bytes overwritten, the end cut off) gives an error that
/// says the file is damaged: never a crash, and never "cannot read" as if the disk had
/// failed. Deterministic: the same damage every run.
#[test]
fn damaged_recordings_are_reported_as_damaged_not_crashes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let wav = in_repo("device/demo/audio/start_meeting.wav");
    let mut sources = vec![
        wav.clone(),
        in_repo("tests/fixtures/audio/start_meeting.mp3"),
    ];
    for name in ["s.flac", "s.ogg"] {
        let path = tmp.path().join(name);
        let status = Process::new("sox")
            .arg(&wav)
            .arg(&path)
            .status()
            .expect("sox runs");
        assert!(status.success());
        sources.push(path);
    }
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut random = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as usize
    };
    let damaged = tmp.path().join("damaged");
    for source in &sources {
        let whole = std::fs::read(source).expect("read");
        let mut errors = 0;
        for round in 0..150 {
            let mut bytes = whole.clone();
            // Half the time in the first 512 bytes, where the headers are.
            let span = if round % 2 == 0 { 512 } else { bytes.len() };
            for _ in 0..1 + random() % 8 {
                let at = random() % span.min(bytes.len());
                bytes[at] = random() as u8;
            }
            if round % 5 == 0 {
                bytes.truncate(1 + random() % bytes.len());
            }
            std::fs::write(&damaged, &bytes).expect("write");
            match read_audio(&damaged) {
                Ok(_) => {}
                Err(e @ AudioError::Io { .. }) => {
                    panic!("{} round {round}: {e}", source.display())
                }
                Err(_) => errors += 1,
            }
        }
        assert!(errors > 0, "{}: no damage was noticed", source.display());
    }
}

#[test]
fn run_reports_a_bad_file_and_fails() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("song.mp3");
    std::fs::write(&path, b"ID3\x03\x00\x00\x00\x00\x00\x00 not a wav").expect("write");
    let out = Command::cargo_bin("roomvoice")
        .expect("binary")
        .args(["run", "--audio"])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("song.mp3") && stderr.contains("not an audio file"),
        "{stderr}"
    );
    assert!(stderr.contains("ffmpeg"), "says how to convert: {stderr}");
    // The decoder's own log does not repeat it.
    assert_eq!(stderr.lines().count(), 1, "{stderr}");

    // With --json the error is an event on stdout.
    let out = Command::cargo_bin("roomvoice")
        .expect("binary")
        .args(["run", "--json", "--audio"])
        .arg(tmp.path().join("absent.wav"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("\"event\":\"error\"") && stdout.contains("absent.wav"),
        "{stdout}"
    );
}

/// This machine (and CI) has no sound card: cpal still reports a default input, and the
/// failure shows when it is opened. `devices` and `listen` must say so, not crash.
#[test]
fn without_a_sound_card_devices_and_listen_say_what_is_wrong() {
    let cards = std::fs::read_to_string("/proc/asound/cards").unwrap_or_default();
    if !cards.trim().is_empty() && !cards.contains("no soundcards") {
        eprintln!("skipped: this machine has a sound card");
        return;
    }
    let out = Command::cargo_bin("roomvoice")
        .expect("binary")
        .arg("devices")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no usable audio input device"), "{stderr}");

    let out = Command::cargo_bin("roomvoice")
        .expect("binary")
        .arg("listen")
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("not usable") && stderr.contains("arecord -l"),
        "{stderr}"
    );

    let out = Command::cargo_bin("roomvoice")
        .expect("binary")
        .args(["listen", "--device", "USB Mic 9000"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("USB Mic 9000") && stderr.contains("roomvoice devices"),
        "{stderr}"
    );
}
