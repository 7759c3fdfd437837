//! The wake-word detector over WAV files: for each file, the highest averaged probability
//! and the number of detections at each cutoff (false accepts, on speech without the
//! wake word). `cargo run --release --example wake_scores -- [--cutoffs 0.5,0.9]
//! [--jsonl DIR] [--model alexa.json] FILE.wav...`; with `--jsonl`, the detections at the first cutoff are
//! also written as `{"event":"wake",...}` lines to DIR/<file stem>.jsonl (the format
//! `tests/eval/wake_count.py` counts), for the detector alone, without the gate.
use std::path::Path;

use roomvoice::speech::wakeword::{ModelSpec, WakeDetector};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut cutoffs = vec![0.9f32];
    if args.first().map(String::as_str) == Some("--cutoffs") && args.len() > 1 {
        cutoffs = args[1]
            .split(',')
            .map(str::parse)
            .collect::<Result<_, _>>()?;
        args.drain(..2);
    }
    let mut jsonl_dir = None;
    if args.first().map(String::as_str) == Some("--jsonl") && args.len() > 1 {
        jsonl_dir = Some(std::path::PathBuf::from(&args[1]));
        args.drain(..2);
    }
    let mut model = std::path::PathBuf::from("models/wakeword/alexa.json");
    if args.first().map(String::as_str) == Some("--model") && args.len() > 1 {
        model = std::path::PathBuf::from(&args[1]);
        args.drain(..2);
    }
    let spec = ModelSpec::read(&model)?;
    let mut detectors = cutoffs
        .iter()
        .map(|c| WakeDetector::open(&spec, Some(*c)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut total_s = 0.0;
    let mut totals = vec![0usize; cutoffs.len()];
    for file in &args {
        let clip = roomvoice::audio::read_audio(Path::new(file))?;
        total_s += clip.duration_s();
        let mut line = file.to_string();
        for (i, detector) in detectors.iter_mut().enumerate() {
            detector.reset()?;
            let hits = detector.feed(&clip.samples)?;
            totals[i] += hits.len();
            if i == 0 {
                line = format!("{:.3} {line}", detector.max_score);
                if let Some(dir) = &jsonl_dir {
                    let stem = Path::new(file)
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let lines: String = hits
                        .iter()
                        .map(|h| {
                            format!(
                                "{{\"event\":\"wake\",\"score\":{},\"at_s\":{}}}\n",
                                h.score, h.at_s
                            )
                        })
                        .collect();
                    std::fs::write(dir.join(format!("{stem}.jsonl")), lines)?;
                }
            }
            line.push_str(&format!(" {}:{}", cutoffs[i], hits.len()));
        }
        println!("{line}");
    }
    let hours = total_s / 3600.0;
    for (cutoff, n) in cutoffs.iter().zip(&totals) {
        println!(
            "cutoff {cutoff}: {n} detections in {hours:.2} h = {:.2} per hour",
            *n as f64 / hours.max(1e-9)
        );
    }
    Ok(())
}
