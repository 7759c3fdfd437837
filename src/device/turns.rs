//! Recorded audio through the engine into the assistant: `roomvoice run` and the tests.
//!
//! Each utterance the engine ends becomes a `transcript` event and one
//! `assistant.hear(text)` turn, exactly like one argument of `roomvoice ask`; the intent
//! parser applies the wake word. Before each utterance the engine is told what the device
//! is waiting for (a meeting ID, a PIN, yes/no), so it can narrow its grammar. Speech the
//! engine rejected (out of grammar) is not a turn: a device ignores chatter.

use chrono::{DateTime, Duration, Utc};

use crate::assistant::{Assistant, Clock};
use crate::events::{Event, EventSink};
use crate::speech::session::CHUNK;
use crate::speech::{Engine, Heard, SpeechError};

/// Plays one recording as a stream of its own (times from 0), leaving the dialogue open
/// for the next recording: `roomvoice run --audio a.wav --audio b.wav` plays the
/// files one after the other as one conversation.
///
/// A question the device asked waits for its answer as on the device
/// ([`super::ANSWER_TIMEOUT`] of the recording's time without a turn: asked once more,
/// then given up), so a recording's later conversation is not taken as the answer
/// (measured in the evaluation's 3 h without the wake word: "yes it is", 21 s after
/// "Did you want me to add "interview" to your calendar?", added the event). Each
/// recording starts that wait afresh: the time between files is not the room's.
/// Speech the engine rejected does not restart the wait (see [`super::listen`]).
pub fn play_clip(
    engine: &mut dyn Engine,
    samples: &[i16],
    assistant: &mut Assistant,
    start: Option<DateTime<Utc>>,
    sink: &mut dyn EventSink,
) -> Result<(), SpeechError> {
    engine.reset()?;
    engine.expect(assistant.expecting())?;
    let timeout_s = super::ANSWER_TIMEOUT.as_secs_f64();
    let mut fed = 0usize;
    let mut last_turn_s = 0.0;
    for chunk in samples.chunks(CHUNK) {
        fed += chunk.len();
        let now_s = fed as f64 / f64::from(crate::audio::SAMPLE_RATE);
        for heard in engine.feed(chunk)? {
            let understood = super::understood(&heard);
            turn(engine, heard, assistant, start, sink)?;
            if understood {
                last_turn_s = now_s;
            }
        }
        if super::answer_overdue(engine, assistant, now_s - last_turn_s > timeout_s) {
            if let Some(start) = start {
                let offset = Duration::milliseconds((now_s * 1000.0) as i64);
                assistant.set_clock(Clock::Fixed(start + offset));
            }
            assistant.silence(sink);
            engine.expect(assistant.expecting())?;
            last_turn_s = now_s;
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
