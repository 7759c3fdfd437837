//! Running an engine over audio into the assistant: the glue of `roomvoice run`,
//! `listen` and `batch`.
//!
//! Each utterance the engine ends becomes a `transcript` event and one
//! `assistant.hear(text)` turn, exactly like one argument of `roomvoice ask`; the intent
//! parser applies the wake word. Before each utterance the engine is told what the device
//! is waiting for (a meeting ID, a PIN, yes/no), so it can narrow its grammar. Speech the
//! engine rejected (out of grammar) is not a turn: a device ignores chatter.

use chrono::{DateTime, Duration, Utc};

use crate::assistant::{Assistant, Clock};
use crate::events::{Event, EventSink};
use crate::intent::{self, Expecting, Intent};

use super::{Engine, Heard, SpeechError, Utterance};

/// Samples per chunk fed to the engine (100 ms), as a microphone would deliver them.
pub const CHUNK: usize = 1600;

/// Plays a whole recording through the engine and the assistant. `start` is the time at
/// the start of the recording (`--now`); each turn's clock is `start` plus the
/// utterance's end time in the file. Ends with `assistant.finish`.
pub fn run_clip(
    engine: &mut dyn Engine,
    samples: &[i16],
    assistant: &mut Assistant,
    start: Option<DateTime<Utc>>,
    sink: &mut dyn EventSink,
) -> Result<(), SpeechError> {
    play_clip(engine, samples, assistant, start, sink)?;
    assistant.finish(sink);
    Ok(())
}

/// Plays one recording as a stream of its own (times from 0), leaving the dialogue open
/// for the next recording: `roomvoice run --audio a.wav --audio b.wav` plays the
/// files one after the other as one conversation.
pub fn play_clip(
    engine: &mut dyn Engine,
    samples: &[i16],
    assistant: &mut Assistant,
    start: Option<DateTime<Utc>>,
    sink: &mut dyn EventSink,
) -> Result<(), SpeechError> {
    engine.reset()?;
    engine.expect(assistant.expecting())?;
    for chunk in samples.chunks(CHUNK) {
        for heard in engine.feed(chunk)? {
            turn(engine, heard, assistant, start, sink)?;
        }
    }
    for heard in engine.finish()? {
        turn(engine, heard, assistant, start, sink)?;
    }
    Ok(())
}

/// Handles one thing the engine heard: a final utterance becomes a turn.
pub fn turn(
    engine: &mut dyn Engine,
    heard: Heard,
    assistant: &mut Assistant,
    start: Option<DateTime<Utc>>,
    sink: &mut dyn EventSink,
) -> Result<(), SpeechError> {
    let utterance = match heard {
        Heard::Final(utterance) => utterance,
        Heard::Partial(text) => {
            tracing::trace!("partial: {text}");
            return Ok(());
        }
        Heard::Wake { score, at_s } => {
            assistant.woke(score, round_ms(at_s), sink);
            return Ok(());
        }
        Heard::NotACommand { start_s, end_s } => {
            tracing::debug!("after the wake word: {start_s:.1}-{end_s:.1} s is no command");
            assistant.not_a_command(sink);
            return engine.expect(assistant.expecting());
        }
    };
    if utterance.text.is_empty() {
        tracing::debug!(
            "speech at {:.1}-{:.1} s rejected (not in the phrase set)",
            utterance.start_s,
            utterance.end_s
        );
        return Ok(());
    }
    sink.emit(&Event::Transcript {
        text: utterance.text.clone(),
        engine: engine.name().to_string(),
        start_s: round_ms(utterance.start_s),
        end_s: round_ms(utterance.end_s),
    });
    if let Some(start) = start {
        let offset = Duration::milliseconds((utterance.end_s * 1000.0) as i64);
        assistant.set_clock(Clock::Fixed(start + offset));
    }
    assistant.hear_spoken(&utterance.text, utterance.confidence, sink);
    engine.expect(assistant.expecting())
}

fn round_ms(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

/// What one recording was heard as, without an assistant (for `batch` and tests).
#[derive(Debug, Clone)]
pub struct Recognition {
    /// Every utterance, rejected ones with empty text.
    pub utterances: Vec<Utterance>,
    /// The first utterance that parsed to an intent other than `none`, else `none`.
    pub intent: Intent,
    /// The text that gave `intent` (empty for `none`).
    pub text: String,
    /// The engine's confidence in that utterance ([`Utterance::confidence`]).
    pub confidence: Option<f32>,
    /// The trained detector's wake-word detections (empty without the detector).
    pub wakes: Vec<(f32, f64)>,
}

/// Recognises a recording as one turn: the engine is narrowed by `expecting` and every
/// utterance is parsed with the wake word.
pub fn recognise(
    engine: &mut dyn Engine,
    samples: &[i16],
    wake_word: &str,
    expecting: Expecting,
) -> Result<Recognition, SpeechError> {
    engine.reset()?;
    engine.expect(expecting)?;
    let mut heard = Vec::new();
    for chunk in samples.chunks(CHUNK) {
        heard.extend(engine.feed(chunk)?);
    }
    heard.extend(engine.finish()?);
    let mut result = Recognition {
        utterances: Vec::new(),
        intent: Intent::None,
        text: String::new(),
        confidence: None,
        wakes: Vec::new(),
    };
    for h in heard {
        match h {
            Heard::Final(u) => result.utterances.push(u),
            Heard::Wake { score, at_s } => result.wakes.push((score, at_s)),
            Heard::Partial(_) | Heard::NotACommand { .. } => {}
        }
    }
    for u in &result.utterances {
        if u.text.is_empty() {
            continue;
        }
        let parsed = intent::parse(&u.text, wake_word, expecting);
        if parsed.intent != Intent::None {
            result.intent = parsed.intent;
            result.text = u.text.clone();
            result.confidence = u.confidence;
            break;
        }
    }
    Ok(result)
}
