//! Recognising a recording as one turn, without an assistant (`batch` and the tests);
//! the device's own loop, with the assistant, is [`crate::device`].

use crate::intent::{self, Expecting, Intent};

use super::{Engine, Heard, SpeechError, Utterance};

/// Samples per chunk fed to the engine (100 ms), as a microphone would deliver them.
pub(crate) const CHUNK: usize = 1600;

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
