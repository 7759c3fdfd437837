//! The device's life: audio through the speech engine into the assistant, with the
//! assistant's timers, until it is told to stop.
//!
//! [`listen`] is the live loop (`roomvoice listen` gives it the microphone and a flag
//! set by Ctrl-C or SIGTERM); [`play_clip`] plays a recording through the same turns
//! (`roomvoice run`). The assistant's timers (reminders, releasing unattended
//! reservations, proactive join offers, the utilisation log) run at start, every
//! [`TICK_EVERY`] and right after each understood turn. When the device asked a question
//! and nobody answers within [`ANSWER_TIMEOUT`], the assistant is told about the silence.

mod turns;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::assistant::Assistant;
use crate::audio::mic::Microphone;
use crate::audio::AudioError;
use crate::events::EventSink;
use crate::intent::Expecting;
use crate::speech::{Engine, Heard, SpeechError};

pub use turns::{play_clip, turn};

/// How long an answer to the device's question may take.
pub(crate) const ANSWER_TIMEOUT: Duration = Duration::from_secs(8);

/// Whether the engine understood something (a turn for the assistant), not speech it
/// rejected.
fn understood(heard: &Heard) -> bool {
    matches!(heard, Heard::Final(u) if !u.text.is_empty())
}

/// Whether the device waited long enough (`waited_too_long`) for an answer to its
/// question: not while someone is still speaking (a meeting ID begun late is heard out).
fn answer_overdue(engine: &dyn Engine, assistant: &Assistant, waited_too_long: bool) -> bool {
    waited_too_long && assistant.expecting() != Expecting::Command && !engine.in_speech()
}

/// How often the assistant's timers run.
pub(crate) const TICK_EVERY: Duration = Duration::from_secs(20);

/// How long the loop waits for audio before it looks at the stop flag and the timers.
const AUDIO_WAIT: Duration = Duration::from_millis(200);

/// Where the live loop's audio comes from: the microphone, or a recording played at
/// its own pace (tests).
pub trait AudioSource {
    /// The next chunk of 16 kHz mono samples; `None` when none came within `wait`.
    fn next_chunk(&mut self, wait: Duration) -> Result<Option<Vec<i16>>, AudioError>;

    /// Drops the audio that arrived but was not read yet (it was recorded while the
    /// device spoke); returns how many 16 kHz samples it held. A source that keeps no
    /// queue drops nothing.
    fn discard_queued(&mut self) -> Result<usize, AudioError> {
        Ok(0)
    }
}

impl AudioSource for Microphone {
    fn next_chunk(&mut self, wait: Duration) -> Result<Option<Vec<i16>>, AudioError> {
        Microphone::next_chunk(self, wait)
    }

    fn discard_queued(&mut self) -> Result<usize, AudioError> {
        Microphone::discard_queued(self)
    }
}

/// After the device has spoken, how much more of the microphone's audio (0.3 s at
/// 16 kHz) is not listened to: the end of the sentence can still be in the speaker's
/// buffer and in the room's echo when the TTS program returns.
const OWN_VOICE_TAIL_SAMPLES: usize = 4_800;

/// Samples of silence fed per chunk in place of the device's own voice (0.1 s).
const SILENCE_CHUNK: usize = 1600;

/// Why the live loop stopped before it was told to.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error(transparent)]
    Audio(#[from] AudioError),
    #[error(transparent)]
    Speech(#[from] SpeechError),
}

/// Runs the device until `stop` is set: each chunk of audio through the engine, each
/// utterance a turn of the assistant, the timers in between. On stop, the utterance in
/// progress is finished and the dialogue closed (`assistant.finish`).
pub fn listen(
    audio: &mut dyn AudioSource,
    engine: &mut dyn Engine,
    assistant: &mut Assistant,
    stop: &AtomicBool,
    sink: &mut dyn EventSink,
) -> Result<(), DeviceError> {
    engine.expect(assistant.expecting())?;
    let mut last_turn = Instant::now();
    // Due at once: a device started during a meeting offers to join it (or releases
    // it) without waiting a tick.
    let mut tick_due = true;
    let mut last_tick = Instant::now();
    // The device's own voice: the microphone hears what the speaker says, and a
    // question heard back as its answer ("Do you want to start a new meeting?" came out
    // "do not") would answer itself. What was recorded while the device spoke, and a
    // short tail after it, is replaced by silence of the same length, so that the
    // engine's clock and any utterance in progress run on.
    let mut own_voice_samples = 0usize;
    let mut tail_samples = 0usize;
    let mut sentences_heard_out = assistant.sentences_spoken();
    while !stop.load(Ordering::SeqCst) {
        // Timers: end-of-meeting reminders, releasing unattended reservations, offers.
        if tick_due || last_tick.elapsed() >= TICK_EVERY {
            let before = assistant.expecting();
            assistant.tick(sink);
            last_tick = Instant::now();
            tick_due = false;
            if assistant.expecting() != before {
                // The timers asked a question (an offer to join): the engine listens
                // for the answer, and the answer's time runs from now.
                engine.expect(assistant.expecting())?;
                last_turn = Instant::now();
            }
        }
        // Said since the last look: by the last turns, the silence check or the timers.
        if assistant.sentences_spoken() != sentences_heard_out {
            sentences_heard_out = assistant.sentences_spoken();
            own_voice_samples += audio.discard_queued()?;
            tail_samples = OWN_VOICE_TAIL_SAMPLES;
        }
        let samples = if own_voice_samples > 0 {
            let n = own_voice_samples.min(SILENCE_CHUNK);
            own_voice_samples -= n;
            vec![0; n]
        } else {
            let Some(mut samples) = audio.next_chunk(AUDIO_WAIT)? else {
                continue;
            };
            let tail = tail_samples.min(samples.len());
            samples[..tail].fill(0);
            tail_samples -= tail;
            samples
        };
        for heard in engine.feed(&samples)? {
            let understood = understood(&heard);
            turn(engine, heard, assistant, None, sink)?;
            // Only what was understood restarts the wait for an answer: conversation
            // the engine rejects kept a question open for as long as people talked,
            // until a "yes" among it was taken for the answer.
            if understood {
                last_turn = Instant::now();
            }
            // After a turn the timers run at once: a call just joined near its end gets
            // its reminder now, not a tick later, and an offer waiting behind a
            // question is made once it is settled. (Rejected chatter does not count:
            // on EWS or Graph each tick is a request.)
            tick_due |= understood;
        }
        if answer_overdue(engine, assistant, last_turn.elapsed() > ANSWER_TIMEOUT) {
            assistant.silence(sink);
            engine.expect(assistant.expecting())?;
            last_turn = Instant::now();
        }
    }
    tracing::info!("stopping");
    for heard in engine.finish()? {
        turn(engine, heard, assistant, None, sink)?;
    }
    assistant.finish(sink);
    Ok(())
}
