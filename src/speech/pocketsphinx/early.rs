//! The result before the silence is over. An utterance ends after 0.5 s of silence, so
//! that a short pause does not cut a command; the voice-activity detector reports the
//! end of speech after 0.2 s of it ([`super::VAD_END_FRAMES`]). The second pass (the
//! utterance decoded again with its own cepstral mean, 70-120 ms here) runs then, while
//! the remaining 0.3 s pass, instead of after them: when the silence lasts, the result is
//! ready the moment the utterance ends.
//!
//! The decoder is needed for the second pass, so the streaming utterance ends early; a
//! new one goes on listening. If speech resumes before the silence was long enough, the
//! early result is dropped and everything the decoder heard since the utterance began is
//! decoded again, as one utterance, before going on. A digit answer too short to be
//! complete waits longer for the next group of digits; its result is worked out in the
//! last 0.3 s of that wait, not at the first pause (where the next group usually
//! follows: deciding there cost a second pass and a decoding again per group).
//!
//! Not for commands heard with the keyword spotter beside the grammar (a wake word
//! other than the trained detector's): where it heard the wake word decides, and its
//! utterance would have to be decoded again too, so those wait as before. Answers do
//! not look at the spotter.

use super::{PocketSphinxEngine, SpeechError, Utterance, COMMAND, SECOND_PASS_MAX_SAMPLES, STEP};

/// A result decided at the detector's end of speech.
pub(super) struct Pending {
    /// What the utterance gave (its times as they will be reported).
    heard: Option<Utterance>,
    /// Decoding steps of silence so far, counted as the engine's `silent_steps`.
    steps: u32,
    /// Steps of silence that end the utterance.
    wait: u32,
    resume: Resume,
}

/// The utterance as it was when its result was decided, to go on with it.
struct Resume {
    stream_audio: Vec<i16>,
    utterance_audio: Vec<i16>,
    speech_started: Option<u64>,
    utterance_start: u64,
    lifetime_start: u64,
    last_partial: String,
}

impl PocketSphinxEngine {
    /// Keeps what the decoder hears in this utterance, to decode it again if speech
    /// resumes after an early result; nothing once it is too long to keep.
    pub(super) fn keep_for_decoding_again(&mut self, piece: &[i16]) {
        if self.stream_too_long {
            return;
        }
        self.stream_audio.extend_from_slice(piece);
        if self.stream_audio.len() > SECOND_PASS_MAX_SAMPLES {
            self.stream_too_long = true;
            self.stream_audio = Vec::new();
        }
    }

    pub(super) fn can_decide_early(&self) -> bool {
        (self.wake.is_none() || self.search != COMMAND)
            && !self.stream_too_long
            && !self.utterance_too_long
    }

    /// Ends the utterance now (second pass included) and keeps its result until `wait`
    /// steps of silence have passed; the decoder listens on in a new utterance.
    pub(super) fn decide_early(&mut self, wait: u32) -> Result<(), SpeechError> {
        let resume = Resume {
            stream_audio: std::mem::take(&mut self.stream_audio),
            utterance_audio: self.utterance_audio.clone(),
            speech_started: self.speech_started,
            utterance_start: self.utterance_start,
            lifetime_start: self.lifetime_start,
            last_partial: self.last_partial.clone(),
        };
        let steps = self.silent_steps;
        let heard = self.end(true)?;
        self.start_decoders()?;
        tracing::debug!(
            "pocketsphinx: result ready at the end of speech; it stands after {:.1} s more of silence",
            f64::from(wait) * STEP as f64 / f64::from(crate::audio::SAMPLE_RATE)
        );
        self.pending = Some(Pending {
            heard,
            steps,
            wait,
            resume,
        });
        Ok(())
    }

    /// One more step of silence after an early result: the result once the silence is
    /// long enough.
    pub(super) fn wait_for_pending(&mut self) -> Result<Option<Utterance>, SpeechError> {
        let Some(pending) = self.pending.as_mut() else {
            return Ok(None);
        };
        pending.steps += 1;
        if pending.steps <= pending.wait {
            return Ok(None);
        }
        self.finish_pending()
    }

    /// The early result, now final (silence long enough, or the end of the stream); the
    /// decoder starts the next utterance.
    pub(super) fn finish_pending(&mut self) -> Result<Option<Utterance>, SpeechError> {
        let Some(pending) = self.pending.take() else {
            return Ok(None);
        };
        self.end_decoders()?;
        self.restart()?;
        Ok(pending.heard)
    }

    /// Speech resumed after an early result (in the last `current` samples heard): the
    /// result is dropped and the utterance goes on, decoded again from its start.
    pub(super) fn resume_utterance(&mut self, current: usize) -> Result<(), SpeechError> {
        let Some(pending) = self.pending.take() else {
            return Ok(());
        };
        let Resume {
            mut stream_audio,
            mut utterance_audio,
            speech_started,
            utterance_start,
            lifetime_start,
            last_partial,
        } = pending.resume;
        let since = std::mem::take(&mut self.stream_audio);
        let started = std::time::Instant::now();
        self.grammar.end()?;
        self.grammar.start()?;
        stream_audio.extend_from_slice(&since);
        for step in stream_audio.chunks(STEP) {
            self.grammar.process(step)?;
        }
        tracing::debug!(
            "pocketsphinx: speech again after {} steps of silence: {:.2} s decoded again in {:.1} ms",
            pending.steps,
            stream_audio.len() as f64 / f64::from(crate::audio::SAMPLE_RATE),
            started.elapsed().as_secs_f64() * 1000.0
        );
        // The current piece goes into the second pass's audio as any other.
        utterance_audio.extend_from_slice(&since[..since.len().saturating_sub(current)]);
        self.stream_audio = stream_audio;
        self.stream_too_long = self.stream_audio.len() > SECOND_PASS_MAX_SAMPLES;
        if self.stream_too_long {
            self.stream_audio = Vec::new();
        }
        self.utterance_too_long = utterance_audio.len() > SECOND_PASS_MAX_SAMPLES;
        self.utterance_audio = if self.utterance_too_long {
            Vec::new()
        } else {
            utterance_audio
        };
        self.speech_started = speech_started;
        self.utterance_start = utterance_start;
        self.lifetime_start = lifetime_start;
        self.last_partial = last_partial;
        self.speaking = true;
        self.silent_steps = 0;
        Ok(())
    }
}
