//! An engine that hears the audio through the noise suppressor
//! ([`crate::audio::denoise`]). The suppressor's output is in step with its input, so
//! utterance times are unchanged; a reset starts both afresh.

use crate::audio::denoise::Denoiser;
use crate::intent::Expecting;

use super::{Engine, Heard, SpeechError};

pub(crate) struct Denoised {
    inner: Box<dyn Engine>,
    denoiser: Denoiser,
}

impl Denoised {
    pub(crate) fn new(inner: Box<dyn Engine>) -> Result<Denoised, SpeechError> {
        let denoiser = Denoiser::new().map_err(|e| SpeechError::Setting {
            key: "denoise",
            reason: e.to_string(),
        })?;
        Ok(Denoised { inner, denoiser })
    }
}

impl Engine for Denoised {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn feed(&mut self, samples: &[i16]) -> Result<Vec<Heard>, SpeechError> {
        let clean = self.denoiser.push(samples);
        self.inner.feed(&clean)
    }

    fn finish(&mut self) -> Result<Vec<Heard>, SpeechError> {
        let rest = self.denoiser.finish();
        let mut heard = self.inner.feed(&rest)?;
        heard.extend(self.inner.finish()?);
        Ok(heard)
    }

    fn reset(&mut self) -> Result<(), SpeechError> {
        self.denoiser.reset();
        self.inner.reset()
    }

    fn expect(&mut self, expecting: Expecting) -> Result<(), SpeechError> {
        self.inner.expect(expecting)
    }

    fn in_speech(&self) -> bool {
        self.inner.in_speech()
    }

    fn prime(&mut self, samples: &[i16]) -> Result<(), SpeechError> {
        self.denoiser.prime(samples);
        self.inner.prime(samples)
    }

    fn sleep(&mut self) -> Result<(), SpeechError> {
        self.inner.sleep()
    }
}
