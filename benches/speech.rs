//! Speech benchmark (not a test): per engine, model load time, decode speed in x real
//! time, the time from the end of speech to the answer, and peak memory.
//!
//!   cargo bench --bench speech                 # both engines, each in its own process
//!   cargo bench --bench speech -- pocketsphinx # one engine
//!   cargo bench --bench speech -- wakeword     # the trained wake-word detector alone
//!   cargo bench --bench speech -- denoise      # the noise suppressor alone
//!
//! Test audio is spoken by espeak-ng at run time (PocketSphinx: English commands;
//! Vosk: Korean phrases with the PyPI Korean model, the only Vosk model installable
//! here). Peak memory is the process's VmHWM, so each engine runs in a child process.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use roomvoice::assistant::{Assistant, Clock};
use roomvoice::events::{Collect, Event};
use roomvoice::intent::Expecting;
use roomvoice::speech::vosk::VoskEngine;
use roomvoice::speech::{Engine, Heard, PhraseSet};

const SAMPLE_RATE: f64 = 16_000.0;
/// Silence after each spoken clip (seconds): the endpointers need some.
const TAIL_S: f64 = 1.5;

/// When the process's `main` began: "ready to hear" counts from here.
static PROCESS_START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

fn main() {
    PROCESS_START.get_or_init(Instant::now);
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    match wanted.first().map(String::as_str) {
        Some("pocketsphinx") => pocketsphinx(),
        Some("vosk") => vosk(),
        Some("wakeword") => wakeword(),
        Some("denoise") => denoise(),
        _ => {
            // Each engine in its own process, so VmHWM is that engine's peak.
            let exe = match std::env::current_exe() {
                Ok(exe) => exe,
                Err(e) => {
                    eprintln!("cannot find the benchmark executable: {e}");
                    return;
                }
            };
            println!("machine: {} cores, {}", cores(), cpu_model());
            for engine in ["wakeword", "denoise", "pocketsphinx", "vosk"] {
                match Command::new(&exe).arg(engine).status() {
                    Ok(s) if s.success() => {}
                    Ok(s) => println!("{engine}: benchmark failed ({s})"),
                    Err(e) => println!("{engine}: cannot run ({e})"),
                }
            }
        }
    }
}

/// The wake-word detector (frontend + TFLite model) over a minute of speech, fed in
/// 10 ms pieces as the gate does: its share of one core is what it costs a device
/// all the time.
fn wakeword() {
    use roomvoice::speech::wakeword::{ModelSpec, WakeDetector};
    let started = Instant::now();
    let spec = match ModelSpec::read(Path::new("models/wakeword/alexa.json")) {
        Ok(spec) => spec,
        Err(e) => {
            println!("wakeword: {e}");
            return;
        }
    };
    // As on the device: detections from the question cutoff (0.25), sure from 0.7.
    let open = |pause_check: bool| {
        WakeDetector::open(&spec, Some(0.25)).and_then(|d| {
            if pause_check {
                d.with_pause_check(&spec, 0.7)
            } else {
                Ok(d)
            }
        })
    };
    if let Err(e) = open(true) {
        println!("wakeword: {e}");
        return;
    }
    let load = started.elapsed();
    let tmp = tempfile::tempdir().expect("temp dir");
    // Conversation with the wake word run into a question, in two voices.
    let mut clip = Vec::new();
    for (name, voice) in [("us", "en-us"), ("rp", "en-gb-x-rp")] {
        let (speech, _) = speak(
            tmp.path(),
            name,
            voice,
            "the quarterly review starts at nine and the budget meeting follows after lunch; \
             alexa is this room free; we will need the large screen and two more chairs",
        );
        clip.extend_from_slice(&speech);
        let (command, _) = speak(tmp.path(), "command", voice, "alexa start my meeting");
        clip.extend_from_slice(&command);
    }
    let mut audio = Vec::new();
    while audio.len() < 60 * SAMPLE_RATE as usize {
        audio.extend_from_slice(&clip);
    }
    let audio_s = audio.len() as f64 / SAMPLE_RATE;
    println!("wakeword (microWakeWord alexa, Rust frontend + TFLite, 10 ms pieces):");
    println!("  model load: {:.1} ms", load.as_secs_f64() * 1000.0);
    for pause_check in [false, true] {
        let mut detector = open(pause_check).expect("detector");
        let started = Instant::now();
        let mut detections = 0;
        for piece in audio.chunks(160) {
            detections += detector.feed(piece).expect("detector").len();
        }
        let spent = started.elapsed().as_secs_f64();
        println!(
            "  pause check {}: {audio_s:.0} s of audio in {:.3} s: {:.4} x real time = {:.2}% of one core ({detections} detections)",
            if pause_check { "on " } else { "off" },
            spent,
            spent / audio_s,
            100.0 * spent / audio_s
        );
    }
    println!("  peak memory (VmHWM): {}", vm_hwm());
}

/// The noise suppressor (RNNoise at 48 kHz, two resamplings) over a minute of speech
/// in loud noise, so that it is fully on, fed in 100 ms pieces as the engine is: what it
/// adds while the engine listens.
fn denoise() {
    use roomvoice::audio::denoise::Denoiser;
    let tmp = tempfile::tempdir().expect("temp dir");
    let (clip, _) = speak(
        tmp.path(),
        "long",
        "en-us",
        "alexa, book this room for thirty minutes; the budget meeting follows after lunch",
    );
    let mut audio = Vec::new();
    let mut state: u32 = 1;
    while audio.len() < 60 * SAMPLE_RATE as usize {
        for &s in &clip {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = ((state >> 16) as i32 - 32768) / 16;
            audio.push((i32::from(s) + noise).clamp(-32768, 32767) as i16);
        }
    }
    let mut denoiser = Denoiser::new().expect("denoiser");
    let started = Instant::now();
    let mut out = 0;
    for piece in audio.chunks(1600) {
        out += denoiser.push(piece).len();
    }
    out += denoiser.finish().len();
    let spent = started.elapsed().as_secs_f64();
    let audio_s = audio.len() as f64 / SAMPLE_RATE;
    assert_eq!(out, audio.len());
    println!("denoise (RNNoise via nnnoiseless, 16 -> 48 -> 16 kHz, 100 ms pieces):");
    println!(
        "  {audio_s:.0} s of noisy audio in {spent:.3} s: {:.4} x real time = {:.2}% of one core",
        spent / audio_s,
        100.0 * spent / audio_s
    );
}

/// PocketSphinx as the device runs it: the demo room's configuration, the trained
/// wake-word detector in front (`roomvoice::speech::open`), the assistant on the demo
/// calendar.
fn pocketsphinx() {
    let mut config = roomvoice::config::Config::demo().expect("demo config");
    config.speech.engine = roomvoice::speech::EngineChoice::Pocketsphinx;
    let started = Instant::now();
    let mut engine = roomvoice::speech::open(&config.speech_setup()).expect("pocketsphinx");
    let load_s = started.elapsed().as_secs_f64();
    let mut assistant = {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-23T10:05:00-08:00")
            .expect("time")
            .with_timezone(&chrono::Utc);
        config
            .open_assistant(Clock::Fixed(now), false)
            .expect("assistant")
    };
    // As `listen` does.
    let warm_up = std::thread::spawn(roomvoice::dialin::warm_up);
    let ready_ms = PROCESS_START
        .get()
        .map_or(0.0, |t| t.elapsed().as_secs_f64() * 1000.0);
    let tmp = tempfile::tempdir().expect("temp dir");
    let commands = [
        "alexa start my meeting",
        "alexa is this room free",
        "alexa end the meeting",
        "alexa book this room for thirty minutes",
        "alexa who booked this room",
        "alexa cancel",
    ];
    let clips: Vec<(Vec<i16>, usize)> = commands
        .iter()
        .enumerate()
        .map(|(i, text)| speak(tmp.path(), &format!("c{i}"), "en-us", text))
        .collect();
    let _ = warm_up.join();
    println!("pocketsphinx: ready to hear {ready_ms:.0} ms after the process's main began (engine, detector, assistant and calendar loaded)");
    report(
        "pocketsphinx (trained wake-word detector in front, as on the device)",
        load_s,
        engine.as_mut(),
        &clips,
        Some(&mut assistant),
    );
    answers(engine.as_mut(), tmp.path());
}

/// Answers to the device's questions, each with its own search: the costliest 100 ms
/// chunk of the answer (where the result is worked out, during the silence that ends
/// it: a digit answer is also aligned alone and measured against the phone loop; a
/// yes/no answer has its chatter path), and the chunk that gives the result.
fn answers(engine: &mut dyn Engine, dir: &Path) {
    let answers = [
        (
            "meeting ID, 11 digits",
            "eight five five one two three four five six seven eight",
            Expecting::MeetingId,
        ),
        (
            "meeting ID after \"my meeting id is\"",
            "my meeting id is eight five five one two three four five six seven eight",
            Expecting::MeetingId,
        ),
        (
            "PIN, 6 digits",
            "four one four three seven six",
            Expecting::Pin,
        ),
        ("yes", "yes please", Expecting::YesNo),
        ("no", "no thanks", Expecting::YesNo),
    ];
    println!("  answers (3 rounds each): costliest chunk / chunk that gives the result");
    for (i, (name, text, expecting)) in answers.iter().enumerate() {
        let (samples, _) = speak(dir, &format!("a{i}"), "en-us", text);
        let mut ms = Vec::new();
        let mut costliest = Vec::new();
        let mut heard = String::new();
        for _round in 0..3 {
            engine.reset().expect("reset");
            engine.expect(*expecting).expect("expect");
            let mut round_max: f64 = 0.0;
            for chunk in samples.chunks(1600) {
                let started = Instant::now();
                let finals: Vec<String> = engine
                    .feed(chunk)
                    .expect("feed")
                    .into_iter()
                    .filter_map(|h| match h {
                        Heard::Final(u) if !u.text.is_empty() => Some(u.text),
                        _ => None,
                    })
                    .collect();
                let chunk_ms = started.elapsed().as_secs_f64() * 1000.0;
                round_max = round_max.max(chunk_ms);
                if let Some(text) = finals.into_iter().next() {
                    ms.push(chunk_ms);
                    heard = text;
                }
            }
            engine.finish().expect("finish");
            costliest.push(round_max);
        }
        println!(
            "    {name}: {} / {} (heard \"{heard}\")",
            stats(&costliest, "ms"),
            stats(&ms, "ms")
        );
    }
}

fn vosk() {
    if !roomvoice::speech::vosk::AVAILABLE {
        println!("vosk: not in this build (run device/setup.sh)");
        return;
    }
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/vosk/ko");
    if !model.is_dir() {
        println!(
            "vosk: no model at {} (run device/setup.sh)",
            model.display()
        );
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let phrases = [
        "알렉사 회의 시작해",
        "알렉사 회의 종료",
        "알렉사 방 예약",
        "네",
        "아니요",
    ];
    let clips: Vec<(Vec<i16>, usize)> = phrases
        .iter()
        .enumerate()
        .map(|(i, text)| speak(tmp.path(), &format!("k{i}"), "ko", text))
        .collect();
    let started = Instant::now();
    let set = PhraseSet::from_phrases(&phrases).expect("phrases");
    let mut engine = VoskEngine::open(&model, &set).expect("vosk");
    let load_s = started.elapsed().as_secs_f64();
    report("vosk (Korean model)", load_s, &mut engine, &clips, None);
}

/// Decodes every clip three times; prints the figures.
fn report(
    name: &str,
    load_s: f64,
    engine: &mut dyn Engine,
    clips: &[(Vec<i16>, usize)],
    mut assistant: Option<&mut Assistant>,
) {
    let mut audio_s = 0.0;
    let mut decode_s = 0.0;
    let mut silence_waited = Vec::new();
    let mut answer_ms = Vec::new();
    let mut first_answer_ms = None;
    for _round in 0..3 {
        for (samples, speech_end) in clips {
            engine.reset().expect("reset");
            let mut endpoint_seen = false;
            let started = Instant::now();
            let mut fed = 0usize;
            for chunk in samples.chunks(1600) {
                let chunk_started = Instant::now();
                let heard = engine.feed(chunk).expect("feed");
                fed += chunk.len();
                for h in heard {
                    let Heard::Final(u) = h else { continue };
                    if endpoint_seen || u.text.is_empty() {
                        continue;
                    }
                    endpoint_seen = true;
                    silence_waited.push(fed.saturating_sub(*speech_end) as f64 / SAMPLE_RATE);
                    // The answer: the assistant's reply to this utterance.
                    if let Some(assistant) = assistant.as_deref_mut() {
                        let mut sink = Collect::default();
                        assistant.hear(&u.text, &mut sink);
                        assistant.finish(&mut sink);
                        let answered = sink.0.iter().any(|e| matches!(e, Event::Say { .. }));
                        if answered {
                            let ms = chunk_started.elapsed().as_secs_f64() * 1000.0;
                            if first_answer_ms.is_none() {
                                first_answer_ms = Some(ms);
                            }
                            answer_ms.push(ms);
                        }
                    } else {
                        answer_ms.push(chunk_started.elapsed().as_secs_f64() * 1000.0);
                    }
                }
            }
            engine.finish().expect("finish");
            decode_s += started.elapsed().as_secs_f64();
            audio_s += samples.len() as f64 / SAMPLE_RATE;
        }
    }
    println!("{name}:");
    println!("  model load: {load_s:.2} s");
    println!(
        "  decode speed: {:.3} x real time ({audio_s:.1} s of audio in {decode_s:.2} s, 100 ms chunks)",
        decode_s / audio_s
    );
    println!(
        "  end of speech to final result: {} (silence the endpointer waits for, audio time)",
        stats(&silence_waited, "s")
    );
    println!(
        "  last chunk to answer: {} (compute for the endpointing chunk{})",
        stats(&answer_ms, "ms"),
        if assistant.is_some() {
            " + assistant turn"
        } else {
            ""
        }
    );
    if let Some(first) = first_answer_ms {
        println!("  first answer in the process: {first:.1} ms (the first \"start my meeting\" reads an invitation)");
    }
    println!(
        "  utterances endpointed: {} of {}",
        silence_waited.len(),
        clips.len() * 3
    );
    println!("  peak memory (VmHWM): {}", vm_hwm());
}

fn stats(values: &[f64], unit: &str) -> String {
    if values.is_empty() {
        return "n/a".into();
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
    let max = sorted[sorted.len() - 1];
    format!(
        "mean {mean:.2} {unit}, median {:.2} {unit}, max {max:.2} {unit}",
        sorted[sorted.len() / 2]
    )
}

/// Speaks `text` to a 16 kHz mono clip with 0.5 s before and TAIL_S after; returns the
/// samples and the sample where the speech ends.
fn speak(dir: &Path, name: &str, voice: &str, text: &str) -> (Vec<i16>, usize) {
    let raw: PathBuf = dir.join(format!("{name}.raw.wav"));
    let wav: PathBuf = dir.join(format!("{name}.wav"));
    let ok = Command::new("espeak-ng")
        .args(["-v", voice, "-s", "160", "-w"])
        .arg(&raw)
        .arg(text)
        .status()
        .is_ok_and(|s| s.success())
        && Command::new("sox")
            .args(["-R", "-D"])
            .arg(&raw)
            .args(["-r", "16000", "-c", "1", "-b", "16"])
            .arg(&wav)
            .args(["pad", "0.5", &TAIL_S.to_string()])
            .status()
            .is_ok_and(|s| s.success());
    assert!(
        ok,
        "espeak-ng and sox are needed (apt-get install espeak-ng sox)"
    );
    let clip = roomvoice::audio::read_audio(&wav).expect("wav");
    // The end of speech: the last 10 ms window with sound in it (espeak-ng adds some
    // silence of its own before the padding).
    let end = clip
        .samples
        .chunks(160)
        .enumerate()
        .rev()
        .find(|(_, w)| w.iter().any(|s| s.unsigned_abs() > 500))
        .map_or(clip.samples.len(), |(i, w)| i * 160 + w.len());
    (clip.samples, end)
}

fn vm_hwm() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l[6..].trim().to_string())
        })
        .unwrap_or_else(|| "n/a".into())
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}
