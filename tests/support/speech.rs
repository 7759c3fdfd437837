//! Test audio made at test time: espeak-ng speaks, sox converts to 16 kHz mono 16-bit
//! and makes noise, so no recordings need to be committed.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Speaks `text` with an espeak-ng voice at `speed` words per minute into `dir`, as a
/// 16 kHz mono WAV, with `pause_ms` of silence before and after.
pub fn speak(dir: &Path, name: &str, voice: &str, speed: u32, text: &str) -> PathBuf {
    let raw = dir.join(format!("{name}.raw.wav"));
    let out = dir.join(format!("{name}.wav"));
    espeak(&raw, voice, speed, text);
    convert(&raw, &out, &["pad", "0.5", "0.8"]);
    out
}

/// espeak-ng's own WAV of `text` (22 kHz, silence at the edges).
fn espeak(raw: &Path, voice: &str, speed: u32, text: &str) {
    let status = Command::new("espeak-ng")
        .args(["-v", voice, "-s", &speed.to_string(), "-w"])
        .arg(raw)
        .arg(text)
        .status()
        .expect("espeak-ng runs (apt-get install espeak-ng)");
    assert!(status.success(), "espeak-ng failed for {text:?}");
}

/// Speaks `first`, then `gap_s` of silence, then `second` (one speaker pausing within
/// an utterance), with 0.5 s of silence before and 1 s after; espeak-ng's own silence
/// at the edges of each part is cut, so the pause is `gap_s` long.
pub fn speak_with_pause(
    dir: &Path,
    name: &str,
    voice: &str,
    speed: u32,
    first: &str,
    second: &str,
    gap_s: f32,
) -> PathBuf {
    let mut parts = Vec::new();
    for (i, text) in [first, second].into_iter().enumerate() {
        let raw = dir.join(format!("{name}.{i}.raw.wav"));
        espeak(&raw, voice, speed, text);
        let part = dir.join(format!("{name}.{i}.wav"));
        // Leading silence cut, then trailing (by cutting the reversed audio's leading).
        let trim = [
            "silence", "1", "0.01", "0.5%", "reverse", "silence", "1", "0.01", "0.5%", "reverse",
        ];
        convert(&raw, &part, &trim);
        parts.push(part);
    }
    let joined = concat(dir, &format!("{name}.joined"), &parts, gap_s);
    let out = dir.join(format!("{name}.wav"));
    convert(&joined, &out, &["pad", "0.5", "1.0"]);
    out
}

/// sox -R -D INPUT -r 16000 -c 1 -b 16 OUTPUT [effects]
pub fn convert(input: &Path, output: &Path, effects: &[&str]) {
    // -R -D: repeatable, no dither (sox's default dither is random noise, which makes
    // the same text decode differently from run to run).
    let status = Command::new("sox")
        .args(["-R", "-D"])
        .arg(input)
        .args(["-r", "16000", "-c", "1", "-b", "16"])
        .arg(output)
        .args(effects)
        .status()
        .expect("sox runs (apt-get install sox)");
    assert!(status.success(), "sox failed on {}", input.display());
}

/// Joins WAVs with `gap_s` of silence between them (a dialogue in one file).
pub fn concat(dir: &Path, name: &str, parts: &[PathBuf], gap_s: f32) -> PathBuf {
    let silence = dir.join(format!("{name}.gap.wav"));
    let status = Command::new("sox")
        .args(["-R", "-D", "-n", "-r", "16000", "-c", "1", "-b", "16"])
        .arg(&silence)
        .args(["trim", "0", &gap_s.to_string()])
        .status()
        .expect("sox runs");
    assert!(status.success());
    let out = dir.join(format!("{name}.wav"));
    let mut cmd = Command::new("sox");
    cmd.args(["-R", "-D"]);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            cmd.arg(&silence);
        }
        cmd.arg(part);
    }
    assert!(cmd.arg(&out).status().expect("sox runs").success());
    out
}

/// Samples of a 16-bit WAV.
pub fn samples(path: &Path) -> Vec<i16> {
    let mut reader = hound::WavReader::open(path).expect("wav");
    reader
        .samples::<i16>()
        .map(|s| s.expect("sample"))
        .collect()
}

/// Writes 16 kHz mono samples.
pub fn write(path: &Path, samples: &[i16]) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).expect("create wav");
    for &s in samples {
        writer.write_sample(s).expect("write");
    }
    writer.finalize().expect("finalize");
}

fn rms(samples: &[i16]) -> f64 {
    let sum: f64 = samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    (sum / samples.len().max(1) as f64).sqrt()
}

/// Adds sox's pink noise (repeatable: `sox -R`) at `snr_db` relative to the speech's RMS
/// (measured over the louder half of the file, i.e. the speech, not the padding).
pub fn add_noise(dir: &Path, input: &Path, snr_db: f64) -> PathBuf {
    let speech = samples(input);
    let noise_path = dir.join(format!(
        "{}.noise.wav",
        input.file_stem().and_then(|s| s.to_str()).unwrap_or("x")
    ));
    let seconds = speech.len() as f64 / 16_000.0;
    let status = Command::new("sox")
        .args(["-R", "-D", "-n", "-r", "16000", "-c", "1", "-b", "16"])
        .arg(&noise_path)
        .args(["synth", &format!("{seconds:.3}"), "pinknoise", "vol", "0.3"])
        .status()
        .expect("sox runs");
    assert!(status.success());
    let noise = samples(&noise_path);
    let mut loud: Vec<i16> = speech
        .chunks(160)
        .filter(|c| rms(c) > 300.0)
        .flatten()
        .copied()
        .collect();
    if loud.is_empty() {
        loud = speech.clone();
    }
    let gain = rms(&loud) / rms(&noise).max(1.0) / 10f64.powf(snr_db / 20.0);
    let mixed: Vec<i16> = speech
        .iter()
        .zip(noise.iter().chain(std::iter::repeat(&0)))
        .map(|(&s, &n)| (f64::from(s) + gain * f64::from(n)).clamp(-32768.0, 32767.0) as i16)
        .collect();
    let out = dir.join(format!(
        "{}.snr{snr_db}.wav",
        input.file_stem().and_then(|s| s.to_str()).unwrap_or("x")
    ));
    write(&out, &mixed);
    out
}

/// The Korean Vosk model that setup installs, when present.
pub fn korean_model() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/vosk/ko");
    dir.join("conf/model.conf").is_file().then_some(dir)
}
