//! `roomvoice batch DIR_OR_MANIFEST [--json]`: recognition accuracy for testers.
//!
//! Every recording (WAV, FLAC, Ogg Vorbis, MP3) of a folder, or the files of a manifest CSV (`file,intent[,slots]`, slots as
//! `key=value;key=value`, paths relative to the manifest), is recognised as one turn and
//! parsed to an intent. A manifest's `intent` is what should be understood: `none` marks
//! a non-command (no wake word, other requests, chatter, silence, noise) that must not
//! trigger anything; `meeting_id`, `pin`, `yes` and `no` are heard as answers to the
//! device's question; `wake` is the wake word alone: it passes when the wake-word
//! detector heard it and nothing was acted on (with no trained detector in use, when
//! nothing was acted on). The summary table gives accuracy per intent, the confusions, false
//! triggers on non-commands and decode speed (x real time). Exit status: 0 when every
//! expectation holds, 1 when one fails, 2 when the batch cannot run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::config::Config;
use crate::intent::{Expecting, Intent};
use crate::speech::session::recognise;

/// Arguments of `roomvoice batch`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// A folder of recordings (WAV, FLAC, Ogg Vorbis, MP3), or a manifest CSV:
    /// `file,intent[,key=value;key=value]`.
    #[arg(value_name = "DIR_OR_MANIFEST")]
    pub input: PathBuf,
    /// Configuration file (wake word, [speech]); default lookup as for `ask`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// One JSON object per file, then a summary object, instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// One file to recognise and what it should give.
#[derive(Debug, Clone)]
pub(crate) struct Case {
    pub file: PathBuf,
    /// Expected intent name; `None` in folder mode (no expectation).
    pub intent: Option<String>,
    /// Expected slot values, e.g. minutes=30.
    pub slots: Vec<(String, String)>,
}

/// The result for one file.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Outcome {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    pub intent: serde_json::Value,
    pub text: String,
    /// None: no expectation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ok: Option<bool>,
    pub audio_s: f64,
    pub decode_s: f64,
    /// The wake-word detector's first detection (score), when it heard one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wake_score: Option<f32>,
    /// The engine's confidence in the utterance that gave the intent (0-1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The recording's own sample rate (for the warning about narrowband audio).
    #[serde(skip)]
    pub source_rate: Option<u32>,
}

pub fn main(args: &Args) -> i32 {
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("roomvoice: {}", super::error_chain(&e));
            2
        }
    }
}

fn run(args: &Args) -> anyhow::Result<i32> {
    let cases = load_cases(&args.input)?;
    if cases.is_empty() {
        bail!(
            "{} holds no recordings (files ending {})",
            args.input.display(),
            RECORDING_EXTENSIONS.join(", ")
        );
    }
    let config = Config::locate(args.config.as_deref())?;
    let wake_word = config.assistant.wake_word.clone();
    let detector = matches!(
        crate::speech::wake_path(&config.speech_setup())?,
        crate::speech::WakePath::Detector { .. }
    );
    // Nearly every clip wakes the device: the command search stays loaded between them.
    let setup = crate::speech::Setup {
        release_asleep: false,
        ..config.speech_setup()
    };
    let mut engine = crate::speech::open(&setup).context("cannot start speech recognition")?;
    let progress = ProgressBar::new(cases.len() as u64);
    progress.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut outcomes = Vec::new();
    for case in &cases {
        progress.set_message(case.file.display().to_string());
        tracing::debug!("batch: {}", case.file.display());
        let outcome = run_case(engine.as_mut(), case, &wake_word, detector);
        if args.json {
            progress.suspend(|| match serde_json::to_string(&outcome) {
                Ok(line) => println!("{line}"),
                Err(e) => tracing::error!("cannot serialise: {e}"),
            });
        }
        outcomes.push(outcome);
        progress.inc(1);
    }
    progress.finish_and_clear();
    let narrowband: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.source_rate.is_some_and(|r| r < crate::audio::SAMPLE_RATE))
        .collect();
    if let Some(first) = narrowband.first() {
        tracing::warn!(
            "{} of {} recordings are not wideband (e.g. {} at {} Hz): {}",
            narrowband.len(),
            outcomes.len(),
            first.file,
            first.source_rate.unwrap_or_default(),
            crate::audio::NARROWBAND_ADVICE
        );
    }
    let summary = Summary::of(&outcomes, engine.name());
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        print!("{}", summary.table(&outcomes));
    }
    Ok(if summary.failed > 0 { 1 } else { 0 })
}

fn run_case(
    engine: &mut dyn crate::speech::Engine,
    case: &Case,
    wake_word: &str,
    detector: bool,
) -> Outcome {
    let mut outcome = Outcome {
        file: case.file.display().to_string(),
        expected: case.intent.clone(),
        intent: serde_json::json!({"intent": "none"}),
        text: String::new(),
        ok: case.intent.as_ref().map(|_| false),
        audio_s: 0.0,
        decode_s: 0.0,
        wake_score: None,
        confidence: None,
        error: None,
        source_rate: None,
    };
    let clip = match crate::audio::read_audio(&case.file) {
        Ok(c) => c,
        Err(e) => {
            outcome.error = Some(e.to_string());
            return outcome;
        }
    };
    outcome.audio_s = clip.duration_s();
    outcome.source_rate = Some(clip.source_rate);
    let expecting = match case.intent.as_deref() {
        Some("meeting_id") => Expecting::MeetingId,
        Some("pin") => Expecting::Pin,
        Some("yes" | "no") => Expecting::YesNo,
        _ => Expecting::Command,
    };
    let started = Instant::now();
    let result = recognise(engine, &clip.samples, wake_word, expecting);
    outcome.decode_s = started.elapsed().as_secs_f64();
    match result {
        Ok(recognition) => {
            outcome.intent = serde_json::to_value(&recognition.intent).unwrap_or_default();
            outcome.text = recognition.text;
            outcome.confidence = recognition.confidence;
            outcome.wake_score = recognition.wakes.first().map(|(score, _)| *score);
            let woke = outcome.wake_score.is_some() || !detector;
            outcome.ok = case
                .intent
                .as_ref()
                .map(|_| matches(case, &recognition.intent, woke));
        }
        Err(e) => outcome.error = Some(e.to_string()),
    }
    outcome
}

/// Whether the recognised intent is the expected one with the expected slots. `woke`:
/// the wake word was heard (for the expected value `wake`: the wake word alone, nothing
/// acted on).
pub(crate) fn matches(case: &Case, intent: &Intent, woke: bool) -> bool {
    let Some(expected) = &case.intent else {
        return true;
    };
    if expected == "wake" {
        return woke && *intent == Intent::None;
    }
    if intent.name() != expected {
        return false;
    }
    let value = serde_json::to_value(intent).unwrap_or_default();
    case.slots.iter().all(|(key, want)| match value.get(key) {
        Some(serde_json::Value::String(s)) => s == want,
        Some(other) => {
            let text = other.to_string();
            text == *want
        }
        None => false,
    })
}

/// What a folder's recordings are named (the files are told apart by their contents; the
/// extension only picks which files of a folder are recordings).
const RECORDING_EXTENSIONS: [&str; 5] = [".wav", ".flac", ".ogg", ".oga", ".mp3"];

/// The cases of a folder (every recording, sorted) or a manifest CSV.
pub(crate) fn load_cases(input: &Path) -> anyhow::Result<Vec<Case>> {
    if input.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(input)
            .with_context(|| format!("cannot read folder {}", input.display()))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    RECORDING_EXTENSIONS
                        .iter()
                        .any(|known| known[1..].eq_ignore_ascii_case(e))
                })
            })
            .collect();
        files.sort();
        return Ok(files
            .into_iter()
            .map(|file| Case {
                file,
                intent: None,
                slots: Vec::new(),
            })
            .collect());
    }
    let base = input.parent().unwrap_or(Path::new("."));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_path(input)
        .with_context(|| format!("cannot read manifest {}", input.display()))?;
    let mut cases = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 1;
        let record = record.with_context(|| format!("{} line {line}", input.display()))?;
        let file = record.get(0).unwrap_or("");
        if line == 1 && file == "file" {
            continue; // header row
        }
        if file.is_empty() {
            continue;
        }
        let Some(intent) = record.get(1).filter(|i| !i.is_empty()) else {
            bail!(
                "{} line {line}: no expected intent for {file}; write `file,intent[,key=value;...]`, e.g. `a.wav,book_room,minutes=30` or `b.wav,none`",
                input.display()
            );
        };
        let mut slots = Vec::new();
        for pair in record
            .get(2)
            .unwrap_or("")
            .split(';')
            .filter(|p| !p.trim().is_empty())
        {
            let Some((key, value)) = pair.split_once('=') else {
                bail!(
                    "{} line {line}: slot \"{pair}\" is not key=value (e.g. minutes=30;digits=123)",
                    input.display()
                );
            };
            slots.push((key.trim().to_string(), value.trim().to_string()));
        }
        cases.push(Case {
            file: base.join(file),
            intent: Some(intent.to_string()),
            slots,
        });
    }
    Ok(cases)
}

/// Totals over a batch.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Summary {
    pub engine: String,
    pub files: usize,
    pub checked: usize,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    /// Per expected intent: (passed, total).
    pub per_intent: BTreeMap<String, (usize, usize)>,
    /// (expected, recognised) -> count, for mismatches.
    pub confusion: BTreeMap<String, usize>,
    /// Non-commands (expected `none`) that triggered an intent, and their number.
    pub false_triggers: usize,
    pub non_commands: usize,
    pub audio_s: f64,
    pub decode_s: f64,
    /// Decode time / audio time (below 1: faster than real time).
    pub x_real_time: f64,
}

impl Summary {
    pub(crate) fn of(outcomes: &[Outcome], engine: &str) -> Summary {
        let mut s = Summary {
            engine: engine.to_string(),
            files: outcomes.len(),
            checked: 0,
            passed: 0,
            failed: 0,
            errors: 0,
            per_intent: BTreeMap::new(),
            confusion: BTreeMap::new(),
            false_triggers: 0,
            non_commands: 0,
            audio_s: 0.0,
            decode_s: 0.0,
            x_real_time: 0.0,
        };
        for o in outcomes {
            s.audio_s += o.audio_s;
            s.decode_s += o.decode_s;
            if o.error.is_some() {
                s.errors += 1;
            }
            let (Some(expected), Some(ok)) = (&o.expected, o.ok) else {
                continue;
            };
            s.checked += 1;
            let entry = s.per_intent.entry(expected.clone()).or_insert((0, 0));
            entry.1 += 1;
            let got = o
                .intent
                .get("intent")
                .and_then(|v| v.as_str())
                .unwrap_or("error");
            let got = if o.error.is_some() { "error" } else { got };
            if ok {
                s.passed += 1;
                entry.0 += 1;
            } else {
                s.failed += 1;
                *s.confusion
                    .entry(format!("{expected} -> {got}"))
                    .or_insert(0) += 1;
            }
            if expected == "none" || expected == "wake" {
                s.non_commands += 1;
                if got != "none" {
                    s.false_triggers += 1;
                }
            }
        }
        s.x_real_time = if s.audio_s > 0.0 {
            s.decode_s / s.audio_s
        } else {
            0.0
        };
        s
    }

    /// The summary for people: one line per file, then the tables.
    pub(crate) fn table(&self, outcomes: &[Outcome]) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        for o in outcomes {
            let mark = match (o.ok, &o.error) {
                (_, Some(_)) => "ERR ",
                (Some(true), _) => "ok  ",
                (Some(false), _) => "FAIL",
                (None, _) => "    ",
            };
            let got = o.intent.to_string();
            let detail = match (&o.error, &o.expected) {
                (Some(e), _) => e.clone(),
                (None, Some(exp)) => format!("expected {exp}, got {got} \"{}\"", o.text),
                (None, None) => format!("{got} \"{}\"", o.text),
            };
            let _ = writeln!(out, "{mark} {}  {detail}", o.file);
        }
        let _ = writeln!(out, "\nengine: {}", self.engine);
        if self.checked > 0 {
            let _ = writeln!(
                out,
                "\n{:<16} {:>7} {:>6} {:>9}",
                "intent", "correct", "total", "accuracy"
            );
            for (intent, (ok, total)) in &self.per_intent {
                let _ = writeln!(
                    out,
                    "{intent:<16} {ok:>7} {total:>6} {:>8.1}%",
                    100.0 * *ok as f64 / (*total).max(1) as f64
                );
            }
            let _ = writeln!(
                out,
                "{:<16} {:>7} {:>6} {:>8.1}%",
                "all",
                self.passed,
                self.checked,
                100.0 * self.passed as f64 / self.checked.max(1) as f64
            );
            if !self.confusion.is_empty() {
                let _ = writeln!(out, "\nconfusion (expected -> recognised):");
                for (pair, n) in &self.confusion {
                    let _ = writeln!(out, "  {pair}: {n}");
                }
            }
            let _ = writeln!(
                out,
                "\nfalse triggers on non-commands: {} of {}",
                self.false_triggers, self.non_commands
            );
        }
        if self.errors > 0 {
            let _ = writeln!(out, "files that could not be recognised: {}", self.errors);
        }
        let _ = writeln!(
            out,
            "decode speed: {:.3} x real time ({:.1} s of audio in {:.1} s)",
            self.x_real_time, self.audio_s, self.decode_s
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_rows_with_slots_header_and_comments() {
        let dir = tempfile::tempdir().expect("tmp");
        let manifest = dir.path().join("set.csv");
        std::fs::write(
            &manifest,
            "file,intent,slots\n# a comment\na.wav,book_room,minutes=30\nb.wav, none\nc.wav,meeting_id,digits=8551234567;x=1\n",
        )
        .expect("write");
        let cases = load_cases(&manifest).expect("cases");
        assert_eq!(cases.len(), 3);
        assert_eq!(cases[0].file, dir.path().join("a.wav"));
        assert_eq!(
            cases[0].slots,
            vec![("minutes".to_string(), "30".to_string())]
        );
        assert_eq!(cases[1].intent.as_deref(), Some("none"));
        assert_eq!(cases[2].slots.len(), 2);
    }

    #[test]
    fn a_row_without_intent_is_an_error_with_its_line() {
        let dir = tempfile::tempdir().expect("tmp");
        let manifest = dir.path().join("set.csv");
        std::fs::write(&manifest, "a.wav,start_meeting\nb.wav\n").expect("write");
        let err = load_cases(&manifest).unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("b.wav"), "{err}");
    }

    #[test]
    fn slots_must_match_too() {
        let case = Case {
            file: "x.wav".into(),
            intent: Some("book_room".into()),
            slots: vec![("minutes".into(), "30".into())],
        };
        let thirty = Intent::BookRoom {
            minutes: Some(30),
            until: None,
        };
        let sixty = Intent::BookRoom {
            minutes: Some(60),
            until: None,
        };
        assert!(matches(&case, &thirty, true));
        assert!(!matches(&case, &sixty, true));
        assert!(!matches(&case, &Intent::StartMeeting, true));
    }

    #[test]
    fn the_wake_word_alone_must_be_heard_and_do_nothing() {
        let case = Case {
            file: "alexa.wav".into(),
            intent: Some("wake".into()),
            slots: Vec::new(),
        };
        assert!(matches(&case, &Intent::None, true));
        assert!(!matches(&case, &Intent::None, false), "not heard");
        assert!(!matches(&case, &Intent::EndMeeting, true), "acted on");
    }

    #[test]
    fn summary_counts_false_triggers_and_confusions() {
        let outcome = |expected: &str, got: &str, ok: bool| Outcome {
            file: "f.wav".into(),
            expected: Some(expected.into()),
            intent: serde_json::json!({ "intent": got }),
            text: String::new(),
            ok: Some(ok),
            audio_s: 2.0,
            decode_s: 0.1,
            wake_score: None,
            confidence: None,
            error: None,
            source_rate: Some(16_000),
        };
        let outcomes = vec![
            outcome("start_meeting", "start_meeting", true),
            outcome("start_meeting", "end_meeting", false),
            outcome("none", "none", true),
            outcome("none", "start_meeting", false),
        ];
        let s = Summary::of(&outcomes, "pocketsphinx");
        assert_eq!(
            (s.passed, s.failed, s.false_triggers, s.non_commands),
            (2, 2, 1, 2)
        );
        assert_eq!(s.confusion.get("start_meeting -> end_meeting"), Some(&1));
        assert!((s.x_real_time - 0.05).abs() < 1e-9);
        let table = s.table(&outcomes);
        assert!(
            table.contains("false triggers on non-commands: 1 of 2"),
            "{table}"
        );
    }
}
