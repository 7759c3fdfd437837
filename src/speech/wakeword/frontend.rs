//! The TFLite Micro audio frontend (`tensorflow/lite/experimental/microfrontend`), the
//! feature extractor microWakeWord models are trained on, in pure Rust.
//!
//! It reproduces pymicro-features 2.0.2 (what pymicro-wakeword feeds its models) with
//! the configuration that package compiles in: 16 kHz 16-bit mono; a 30 ms Hann window
//! (480 samples) every 10 ms (160 samples); a 512-point fixed-point real FFT (KISS FFT,
//! 16-bit: `fft.rs`); 40 mel channels from 125 to 7500 Hz with an integer square root
//! (`filterbank.rs`); noise reduction (smoothing bits 10, even/odd smoothing
//! 0.025/0.06, minimum signal 0.05); PCAN gain control (strength 0.95, offset 80, gain
//! bits 21) and a log scale (shift 6) from the frontend's log table (`compress.rs`).
//! The pipeline is integer arithmetic throughout; each output value is a `u16` that the
//! reference turns into a float by multiplying with 0.0390625 (= 5/128, so the float
//! is exact and so is ours).
//!
//! The result is bit-exact: the tests compare every value of the committed fixtures
//! (`tests/fixtures/wakeword/`, made with the reference by `make_frontend_fixtures.py`)
//! for equality, fed in several chunk sizes. Where the C code relies on wrapping
//! (16-bit stores, the `-32768` case of the window's absolute value, the energy of a
//! `(-32768, -32768)` bin), this code wraps the same way on purpose.
//!
//! Only the start-up tables involve floating point, computed as the reference computes
//! them: window and mel weights in single precision (`cosf`, `log1pf`; the TFLite Micro
//! sources the reference is built from, not TensorFlow's older double-precision copy,
//! whose weights differ by one here and there), PCAN gains with `powf`, FFT twiddles
//! with `f64` sin/cos. The tests compare them with the reference's own tables
//! (`frontend_tables.json`), so a libm that rounds differently on another platform
//! shows up there first.
//!
//! Cost: the tables are computed once in [`MicroFrontend::new`]; a step allocates
//! nothing and is a few thousand integer operations. The ignored `speed` test measured
//! 10-16 us per vector in release mode on the (busy) x86-64 development VM: a real-time
//! factor of about 0.0013, 0.1-0.2 % of one core at 100 vectors a second.

use super::compress::{log_scale, Pcan};
use super::fft::{Cpx, RealFft};
use super::filterbank::Filterbank;

/// Values in one feature vector (mel channels).
pub(crate) const FEATURES: usize = 40;
/// Samples per step (10 ms at 16 kHz): one feature vector per step.
pub(crate) const STEP_SAMPLES: usize = 160;
/// Samples per analysis window (30 ms at 16 kHz); the first vector needs this many.
const WINDOW_SAMPLES: usize = 480;
/// Smallest power of two holding a window.
const FFT_SIZE: usize = 512;
const SPECTRUM_BINS: usize = FFT_SIZE / 2 + 1;
pub(super) const SAMPLE_RATE: u32 = 16_000;
/// How the reference turns its `u16` outputs into floats (pymicro-features' FLOAT32_SCALE).
const FEATURE_SCALE: f32 = 0.039_062_5;

/// Fixed-point fraction bits of the window coefficients (`kFrontendWindowBits`).
const WINDOW_BITS: u32 = 12;
/// How far the filterbank output's scale is from a unit one, given the FFT size: the
/// log scale shifts its input up by this, and the PCAN gain accounts for it.
const CORRECTION_BITS: u32 = FFT_SIZE.ilog2() - super::filterbank::FILTERBANK_BITS / 2;

/// Fraction bits of the noise reduction coefficients (`kNoiseReductionBits`).
const NOISE_REDUCTION_BITS: u32 = 14;
/// Fraction bits of the noise estimate.
const SMOOTHING_BITS: u32 = 10;
const EVEN_SMOOTHING: f32 = 0.025;
const ODD_SMOOTHING: f32 = 0.06;
const MIN_SIGNAL_REMAINING: f32 = 0.05;

/// Bits needed to represent `n` (0 for 0), the reference's `MostSignificantBit32`.
#[inline]
pub(super) fn msb32(n: u32) -> u32 {
    32 - n.leading_zeros()
}

/// Streaming TFLite Micro frontend: 16 kHz mono samples in, one vector of
/// [`FEATURES`] floats out per [`STEP_SAMPLES`] samples once a 30 ms window is full.
#[derive(Debug, Clone)]
pub(crate) struct MicroFrontend {
    // Tables, fixed after `new`.
    window: [i16; WINDOW_SAMPLES],
    fft: RealFft,
    filterbank: Filterbank,
    pcan: Pcan,
    even_smoothing: u32,
    odd_smoothing: u32,
    min_signal_remaining: u32,

    // Streaming state.
    input: [i16; WINDOW_SAMPLES],
    input_used: usize,
    /// Per-channel noise estimate (scaled up by `SMOOTHING_BITS`), also PCAN's input.
    noise_estimate: [u32; FEATURES],

    // Scratch, reused every step.
    fft_input: Vec<i16>,
    spectrum: Vec<Cpx>,
}

impl Default for MicroFrontend {
    fn default() -> Self {
        MicroFrontend::new()
    }
}

impl MicroFrontend {
    /// A frontend in its initial state, with all tables computed.
    pub(crate) fn new() -> MicroFrontend {
        let fixed = |x: f32| (x * (1 << NOISE_REDUCTION_BITS) as f32) as u16 as u32;
        MicroFrontend {
            window: hann_window(),
            fft: RealFft::new(FFT_SIZE),
            filterbank: Filterbank::new(SPECTRUM_BINS),
            pcan: Pcan::new(SMOOTHING_BITS, CORRECTION_BITS),
            even_smoothing: fixed(EVEN_SMOOTHING),
            odd_smoothing: fixed(ODD_SMOOTHING),
            min_signal_remaining: fixed(MIN_SIGNAL_REMAINING),
            input: [0; WINDOW_SAMPLES],
            input_used: 0,
            noise_estimate: [0; FEATURES],
            fft_input: vec![0; FFT_SIZE],
            spectrum: vec![Cpx::default(); SPECTRUM_BINS],
        }
    }

    /// Back to the initial state: no buffered samples, noise estimates zero.
    pub(crate) fn reset(&mut self) {
        self.input = [0; WINDOW_SAMPLES];
        self.input_used = 0;
        self.noise_estimate = [0; FEATURES];
    }

    /// Samples still needed before the next feature vector.
    pub(crate) fn samples_to_next_step(&self) -> usize {
        WINDOW_SAMPLES - self.input_used
    }

    /// Feeds samples (any number; the remainder is buffered) and appends one feature
    /// vector to `out` for every completed 10 ms step: the same sequence the reference
    /// gives when fed 160-sample chunks. The first vector comes once 480 samples are in.
    pub(crate) fn process(&mut self, mut samples: &[i16], out: &mut Vec<[f32; FEATURES]>) {
        while !samples.is_empty() {
            let n = (WINDOW_SAMPLES - self.input_used).min(samples.len());
            self.input[self.input_used..self.input_used + n].copy_from_slice(&samples[..n]);
            self.input_used += n;
            samples = &samples[n..];
            if self.input_used == WINDOW_SAMPLES {
                out.push(self.step().map(|v| f32::from(v) * FEATURE_SCALE));
                self.input.copy_within(STEP_SAMPLES.., 0);
                self.input_used -= STEP_SAMPLES;
            }
        }
    }

    /// One feature vector from the full window in `input` (`FrontendProcessSamples`).
    fn step(&mut self) -> [u16; FEATURES] {
        // Window; the FFT input is then shifted up so its peak uses all 16 bits.
        let mut max_abs: i16 = 0;
        for ((out, &x), &c) in self.fft_input.iter_mut().zip(&self.input).zip(&self.window) {
            let v = ((i32::from(x) * i32::from(c)) >> WINDOW_BITS) as i16;
            *out = v;
            // -32768 stays negative, as in C, and so never counts as the peak.
            max_abs = max_abs.max(v.wrapping_abs());
        }
        let shift = 15 - msb32(max_abs as u32);
        for v in &mut self.fft_input[..WINDOW_SAMPLES] {
            *v = ((*v as u16) << shift) as i16;
        }
        self.fft_input[WINDOW_SAMPLES..].fill(0);
        self.fft.run(&self.fft_input, &mut self.spectrum);

        let mut signal = self.filterbank.apply(&self.spectrum, shift);
        self.reduce_noise(&mut signal);
        self.pcan.apply(&mut signal, &self.noise_estimate);
        log_scale(&signal, CORRECTION_BITS)
    }

    /// Subtracts a slowly tracking per-channel noise floor (`NoiseReductionApply`),
    /// keeping at least `min_signal_remaining` of the signal.
    fn reduce_noise(&mut self, signal: &mut [u32; FEATURES]) {
        let one = 1u64 << NOISE_REDUCTION_BITS;
        for (i, (s, estimate)) in signal.iter_mut().zip(&mut self.noise_estimate).enumerate() {
            let smoothing = if i % 2 == 0 {
                self.even_smoothing
            } else {
                self.odd_smoothing
            };
            let scaled_up = *s << SMOOTHING_BITS;
            let new_estimate = ((u64::from(scaled_up) * u64::from(smoothing)
                + u64::from(*estimate) * (one - u64::from(smoothing)))
                >> NOISE_REDUCTION_BITS) as u32;
            *estimate = new_estimate;
            let floor = ((u64::from(*s) * u64::from(self.min_signal_remaining))
                >> NOISE_REDUCTION_BITS) as u32;
            let subtracted = (scaled_up - new_estimate.min(scaled_up)) >> SMOOTHING_BITS;
            *s = subtracted.max(floor);
        }
    }
}

/// Hann window in Q12, computed in single precision like `WindowPopulateState`.
fn hann_window() -> [i16; WINDOW_SAMPLES] {
    let arg = std::f32::consts::PI * 2.0 / WINDOW_SAMPLES as f32;
    std::array::from_fn(|i| {
        let v = 0.5 - 0.5 * (arg * (i as f32 + 0.5)).cos();
        (v * (1 << WINDOW_BITS) as f32 + 0.5).floor() as i16
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/wakeword");
    const NAMES: [&str; 5] = [
        "speech",
        "speech_pink_noise",
        "silence",
        "loud_clipped",
        "odd_length",
    ];

    fn samples(name: &str) -> Vec<i16> {
        let path = format!("{FIXTURES}/{name}.wav");
        let mut reader = hound::WavReader::open(&path).unwrap();
        let spec = reader.spec();
        assert_eq!(
            (spec.sample_rate, spec.channels, spec.bits_per_sample),
            (16_000, 1, 16),
            "{path}"
        );
        reader.samples::<i16>().map(Result::unwrap).collect()
    }

    fn reference(name: &str) -> Vec<[f32; FEATURES]> {
        let path = format!("{FIXTURES}/{name}.features.csv");
        std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .map(|line| {
                let row: Vec<f32> = line.split(',').map(|v| v.parse().unwrap()).collect();
                row.try_into().unwrap()
            })
            .collect()
    }

    pub(in crate::speech::wakeword) fn reference_tables() -> serde_json::Value {
        let path = format!("{FIXTURES}/frontend_tables.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn run(frontend: &mut MicroFrontend, audio: &[i16], chunk: usize) -> Vec<[f32; FEATURES]> {
        let mut out = Vec::new();
        for piece in audio.chunks(chunk) {
            frontend.process(piece, &mut out);
        }
        out
    }

    fn assert_same(name: &str, chunk: usize, got: &[[f32; FEATURES]], want: &[[f32; FEATURES]]) {
        assert_eq!(
            got.len(),
            want.len(),
            "{name}, chunks of {chunk}: step count"
        );
        for (step, (g, w)) in got.iter().zip(want).enumerate() {
            for (ch, (a, b)) in g.iter().zip(w).enumerate() {
                assert!(
                    a.to_bits() == b.to_bits(),
                    "{name}, chunks of {chunk}: step {step} channel {ch}: {a} != {b}"
                );
            }
        }
    }

    /// Every value of every fixture equals the reference, whatever the chunk size.
    #[test]
    fn bit_exact_against_reference_in_any_chunk_size() {
        for name in NAMES {
            let audio = samples(name);
            let want = reference(name);
            assert_eq!(want.len(), (audio.len() / STEP_SAMPLES).saturating_sub(2));
            for chunk in [STEP_SAMPLES, 1600, 37, 1, 479, 481, audio.len()] {
                let got = run(&mut MicroFrontend::new(), &audio, chunk);
                assert_same(name, chunk, &got, &want);
            }
        }
    }

    /// The tables come from libm (cosf, log1pf, powf); they equal the reference's, read
    /// out of its state by the fixture script. A libm rounding differently shows here.
    #[test]
    fn tables_match_reference() {
        fn widen<T: Copy + Into<i64>>(v: &[T]) -> Vec<i64> {
            v.iter().map(|&x| x.into()).collect()
        }
        let tables = reference_tables();
        let want = |key: &str| -> Vec<i64> {
            let values = tables[key].as_array().unwrap();
            values.iter().map(|v| v.as_i64().unwrap()).collect()
        };
        let frontend = MicroFrontend::new();
        let bank = &frontend.filterbank;
        assert_eq!(widen(&frontend.window), want("window"), "window");
        assert_eq!(
            widen(&frontend.pcan.gain_lut),
            want("gain_lut"),
            "gain table"
        );
        assert_eq!(Some(bank.start as i64), tables["filterbank_start"].as_i64());
        assert_eq!(widen(&bank.band), want("filterbank_band"), "bands");
        assert_eq!(widen(&bank.weight), want("filterbank_weight"), "weights");
        assert_eq!(
            widen(&bank.unweight),
            want("filterbank_unweight"),
            "unweights"
        );
    }

    /// Guards against a test that passes on nothing: speech gives varied, non-zero
    /// features that differ from those of silence.
    #[test]
    fn speech_features_are_not_trivial() {
        let speech = reference("speech");
        assert!(speech.len() > 150);
        let values: Vec<f32> = speech.iter().flatten().copied().collect();
        let max = values.iter().copied().fold(f32::MIN, f32::max);
        let min = values.iter().copied().fold(f32::MAX, f32::min);
        assert!(max > 10.0 && max - min > 10.0, "range {min}..{max}");
        assert!(speech.windows(2).filter(|w| w[0] != w[1]).count() > 100);
        let silence = reference("silence");
        assert_ne!(speech[..silence.len()], silence[..]);
        // And the frontend itself is not constant.
        let got = run(&mut MicroFrontend::new(), &samples("speech"), 160);
        assert_ne!(got[40], got[80]);
    }

    /// `reset` brings back the initial state, mid-window or after a whole file.
    #[test]
    fn reset_restores_initial_state() {
        let audio = samples("speech_pink_noise");
        let want = reference("speech_pink_noise");
        let mut frontend = MicroFrontend::new();
        let first = run(&mut frontend, &audio, 160);
        frontend.reset();
        let second = run(&mut frontend, &audio, 1600);
        assert_same("after reset", 1600, &second, &want);
        assert_eq!(first, second);

        let mut out = Vec::new();
        frontend.process(&audio[..1234], &mut out);
        frontend.reset();
        assert_same(
            "reset mid-window",
            160,
            &run(&mut frontend, &audio, 160),
            &want,
        );
    }

    /// Features per second in release mode:
    /// `cargo test --release --lib wakeword::frontend::tests::speed -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn speed() {
        let audio = samples("speech_pink_noise");
        let mut frontend = MicroFrontend::new();
        let mut out = Vec::with_capacity(audio.len() / STEP_SAMPLES);
        let rounds = 200;
        let start = std::time::Instant::now();
        let mut steps = 0;
        for _ in 0..rounds {
            out.clear();
            frontend.reset();
            frontend.process(std::hint::black_box(&audio), &mut out);
            steps += out.len();
        }
        let secs = start.elapsed().as_secs_f64();
        let audio_secs = (rounds * audio.len()) as f64 / f64::from(SAMPLE_RATE);
        println!(
            "{steps} feature vectors in {secs:.3} s: {:.0} per second, {:.1} us each, \
             real-time factor {:.5} ({:.3}% of one core at 100 vectors/s)",
            steps as f64 / secs,
            secs / steps as f64 * 1e6,
            secs / audio_secs,
            secs / audio_secs * 100.0
        );
    }
}
