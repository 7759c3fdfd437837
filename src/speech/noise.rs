//! A quiet, fixed pseudo-random noise floor added to what the recognisers hear. Digital
//! silence (exact zeros, as in padded or synthetic recordings, or an ALSA pipe) has no
//! log energy: it threw PocketSphinx's features off, and it resets the wake-word
//! frontend's noise estimate so that the next "alexa" scores far lower (measured: 0.86
//! -> 0.38 after 1 s of zeros). A microphone is never that quiet.

/// The low noise floor added to the audio (`sigma`): a fixed pseudo-random
/// sequence restarted with each utterance, so a recording decodes the same every time.
pub(crate) struct NoiseFloor {
    state: u64,
    sigma: f64,
}

impl NoiseFloor {
    const SEED: u64 = 0x9E37_79B9_7F4A_7C15;

    /// A noise floor of standard deviation `sigma`, in 16-bit sample units.
    pub(crate) fn new(sigma: f64) -> NoiseFloor {
        NoiseFloor {
            state: Self::SEED,
            sigma,
        }
    }

    pub(crate) fn restart(&mut self) {
        self.state = Self::SEED;
    }

    /// Uniform in [-0.5, 0.5) (xorshift64*).
    fn uniform(&mut self) -> f64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        let bits = self.state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
        bits as f64 / (1u64 << 53) as f64 - 0.5
    }

    /// The samples with the noise added (near-Gaussian: a sum of four uniforms, whose
    /// variance is 1/3).
    pub(crate) fn add(&mut self, samples: &[i16]) -> Vec<i16> {
        let scale = self.sigma * 3f64.sqrt();
        samples
            .iter()
            .map(|&s| {
                let noise = (0..4).map(|_| self.uniform()).sum::<f64>() * scale;
                (f64::from(s) + noise)
                    .round()
                    .clamp(f64::from(i16::MIN), f64::from(i16::MAX)) as i16
            })
            .collect()
    }
}
