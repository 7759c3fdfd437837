//! Conversion of any input stream (rate, channels, sample format) to what the speech
//! engines take: 16 kHz mono 16-bit. Channels are averaged first, then rubato's FFT
//! resampler (fixed ratio, high quality) converts the rate; a stream fed in pieces gives
//! the same samples as the whole file at once, so files and the microphone share it.

use rubato::{FftFixedIn, Resampler};

use super::{AudioError, SAMPLE_RATE};

/// Frames of input per resampler step.
const CHUNK: usize = 1024;

/// A streaming converter to 16 kHz mono i16.
pub(crate) struct To16kMono {
    channels: usize,
    inner: Option<Inner>,
}

struct Inner {
    resampler: FftFixedIn<f32>,
    pending: Vec<f32>,
    /// Output frames still to drop: the resampler's delay.
    skip: usize,
    frames_in: u64,
    frames_out: u64,
    rate_in: u32,
}

impl To16kMono {
    /// A converter for `channels` interleaved channels at `rate` Hz.
    pub(crate) fn new(rate: u32, channels: u16) -> Result<To16kMono, AudioError> {
        if channels == 0 {
            return Err(AudioError::Format("the stream has 0 channels".into()));
        }
        if !(8_000..=192_000).contains(&rate) {
            return Err(AudioError::Format(format!(
                "sample rate {rate} Hz is outside 8000..192000 Hz"
            )));
        }
        let inner = if rate == SAMPLE_RATE {
            None
        } else {
            let resampler =
                FftFixedIn::<f32>::new(rate as usize, SAMPLE_RATE as usize, CHUNK, 2, 1)
                    .map_err(|e| AudioError::Format(format!("cannot resample {rate} Hz: {e}")))?;
            let skip = resampler.output_delay();
            Some(Inner {
                resampler,
                pending: Vec::with_capacity(CHUNK * 2),
                skip,
                frames_in: 0,
                frames_out: 0,
                rate_in: rate,
            })
        };
        Ok(To16kMono {
            channels: usize::from(channels),
            inner,
        })
    }

    /// Converts interleaved samples in -1.0..1.0; returns what is ready so far.
    pub(crate) fn push(&mut self, interleaved: &[f32]) -> Vec<i16> {
        let mono = interleaved
            .chunks(self.channels)
            .map(|frame| frame.iter().sum::<f32>() / frame.len() as f32);
        match &mut self.inner {
            None => mono.map(to_i16).collect(),
            Some(inner) => {
                let before = inner.pending.len();
                inner.pending.extend(mono);
                inner.frames_in += (inner.pending.len() - before) as u64;
                let mut out = Vec::new();
                while inner.pending.len() >= inner.resampler.input_frames_next() {
                    let n = inner.resampler.input_frames_next();
                    match inner.resampler.process(&[&inner.pending[..n]], None) {
                        Ok(wave) => inner.emit(&wave[0], &mut out, None),
                        Err(e) => tracing::error!("resampler: {e}"),
                    }
                    inner.pending.drain(..n);
                }
                out
            }
        }
    }

    /// Flushes the end of the stream.
    pub(crate) fn finish(&mut self) -> Vec<i16> {
        let Some(inner) = &mut self.inner else {
            return Vec::new();
        };
        let expected = inner.frames_in * u64::from(SAMPLE_RATE) / u64::from(inner.rate_in);
        let mut out = Vec::new();
        let pending = std::mem::take(&mut inner.pending);
        // Nothing pending (the stream a whole number of resampler steps long) is no
        // input: the resampler refuses an empty one, and the last 0.01 s was lost.
        let mut input: Option<&[f32]> = (!pending.is_empty()).then_some(&pending[..]);
        // The resampler holds `delay` frames: feed silence until they are out.
        for _ in 0..8 {
            if inner.frames_out >= expected {
                break;
            }
            let result = match input.take() {
                Some(rest) => inner.resampler.process_partial(Some(&[rest]), None),
                None => inner.resampler.process_partial(None::<&[&[f32]]>, None),
            };
            match result {
                Ok(wave) => inner.emit(&wave[0], &mut out, Some(expected)),
                Err(e) => {
                    tracing::error!("resampler: {e}");
                    break;
                }
            }
        }
        out
    }
}

impl Inner {
    fn emit(&mut self, wave: &[f32], out: &mut Vec<i16>, limit: Option<u64>) {
        let drop = self.skip.min(wave.len());
        self.skip -= drop;
        for &s in &wave[drop..] {
            if limit.is_some_and(|l| self.frames_out >= l) {
                break;
            }
            out.push(to_i16(s));
            self.frames_out += 1;
        }
    }
}

fn to_i16(sample: f32) -> i16 {
    (sample * 32767.0).round().clamp(-32768.0, 32767.0) as i16
}

/// Converts a whole clip at once (the tests' reference for the streaming converter).
#[cfg(test)]
fn convert_all(interleaved: &[f32], rate: u32, channels: u16) -> Result<Vec<i16>, AudioError> {
    let mut converter = To16kMono::new(rate, channels)?;
    let mut out = converter.push(interleaved);
    out.extend(converter.finish());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f32, rate: u32, seconds: f32) -> Vec<f32> {
        let n = (rate as f32 * seconds) as usize;
        (0..n)
            .map(|i| 0.5 * (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin())
            .collect()
    }

    /// Frequency estimated from zero crossings.
    fn frequency(samples: &[i16], rate: u32) -> f32 {
        let crossings = samples
            .windows(2)
            .filter(|w| (w[0] < 0) != (w[1] < 0))
            .count();
        crossings as f32 / 2.0 / (samples.len() as f32 / rate as f32)
    }

    #[test]
    fn resampling_keeps_duration_and_pitch() {
        for rate in [8_000, 11_025, 22_050, 44_100, 48_000] {
            let out = convert_all(&sine(440.0, rate, 1.0), rate, 1).expect("convert");
            assert!(
                (out.len() as i64 - 16_000).abs() <= 2,
                "{rate}: {} samples",
                out.len()
            );
            let f = frequency(&out[400..15_600], SAMPLE_RATE);
            assert!((f - 440.0).abs() < 5.0, "{rate}: {f} Hz");
        }
    }

    #[test]
    fn a_stream_of_whole_resampler_steps_keeps_its_end() {
        for rate in [44_100, 48_000] {
            let frames = 1024 * 47;
            let out = convert_all(&sine(440.0, rate, frames as f32 / rate as f32), rate, 1)
                .expect("convert");
            let expected = frames as i64 * 16_000 / i64::from(rate);
            assert!(
                (out.len() as i64 - expected).abs() <= 1,
                "{rate}: {} samples of {expected}",
                out.len()
            );
        }
    }

    #[test]
    fn stereo_is_averaged() {
        // Left carries the tone, right silence: the mono mix is the tone at half level.
        let tone = sine(300.0, 16_000, 0.5);
        let stereo: Vec<f32> = tone.iter().flat_map(|&s| [s, 0.0]).collect();
        let out = convert_all(&stereo, 16_000, 2).expect("convert");
        let peak = out.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
        assert!((8000..8400).contains(&peak), "peak {peak}");
    }

    #[test]
    fn pieces_give_the_same_as_whole() {
        let input = sine(500.0, 44_100, 0.7);
        let whole = convert_all(&input, 44_100, 1).expect("convert");
        let mut converter = To16kMono::new(44_100, 1).expect("new");
        let mut pieces = Vec::new();
        for chunk in input.chunks(333) {
            pieces.extend(converter.push(chunk));
        }
        pieces.extend(converter.finish());
        assert_eq!(whole, pieces);
    }

    #[test]
    fn silly_rates_are_refused() {
        assert!(To16kMono::new(4_000, 1).is_err());
        assert!(To16kMono::new(16_000, 0).is_err());
    }
}
