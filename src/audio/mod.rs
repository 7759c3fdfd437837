//! Audio in: WAV files and the microphone, converted to what the speech engines take,
//! 16 kHz mono 16-bit samples.
//!
//! - [`read_wav`] reads a WAV file of any common format (8 to 48 kHz and beyond, mono or
//!   stereo, 8/16/24/32-bit integer or 32-bit float) with `hound`, and converts it with
//!   [`resample`]. A file that is not a WAV, is corrupt, truncated or empty gives an
//!   [`AudioError`] naming the file and what is wrong.
//! - [`denoise`] is the noise suppressor (RNNoise) the speech engine hears through.
//! - [`mic`] opens an input device through cpal (ALSA on Linux) and delivers converted
//!   chunks; [`mic::input_devices`] lists the devices for `roomvoice devices`.

pub mod denoise;
pub(crate) mod mic;
pub(crate) mod resample;

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The sample rate every engine is fed.
pub(crate) const SAMPLE_RATE: u32 = 16_000;

/// `[audio]` in roomvoice.toml.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AudioConfig {
    /// Input device name (see `roomvoice devices`); absent: the default input.
    #[serde(default)]
    pub device: Option<String>,
}

/// Why audio could not be read.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("cannot read audio file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is empty (0 bytes): record or convert the audio again")]
    EmptyFile { path: PathBuf },
    #[error("{path} is not a WAV file ({reason}); convert it, e.g. `sox input.mp3 -r 16000 -c 1 -b 16 output.wav`")]
    NotWav { path: PathBuf, reason: String },
    #[error("{path} is a corrupt WAV file ({reason}); re-export it as 16-bit PCM WAV")]
    Corrupt { path: PathBuf, reason: String },
    #[error("{path} is truncated: its header promises {promised} samples but only {found} are there (an interrupted copy or recording?)")]
    Truncated {
        path: PathBuf,
        promised: u64,
        found: u64,
    },
    #[error("{path} holds no audio (a WAV header with no samples)")]
    NoSamples { path: PathBuf },
    #[error(
        "{path}: unsupported WAV format ({reason}); use 8-48 kHz PCM (16/24-bit) or 32-bit float"
    )]
    Unsupported { path: PathBuf, reason: String },
    #[error("unsupported audio format: {0}")]
    Format(String),
    #[error("{0}")]
    Device(String),
}

/// A clip converted to 16 kHz mono.
#[derive(Debug, Clone)]
pub struct Clip {
    pub samples: Vec<i16>,
    /// The file's own format, for reports.
    pub source_rate: u32,
    pub source_channels: u16,
}

impl Clip {
    /// Length in seconds.
    pub fn duration_s(&self) -> f64 {
        self.samples.len() as f64 / f64::from(SAMPLE_RATE)
    }
}

/// Reads a WAV file and converts it to 16 kHz mono.
pub fn read_wav(path: &Path) -> Result<Clip, AudioError> {
    let io = |source| AudioError::Io {
        path: path.to_path_buf(),
        source,
    };
    let metadata = std::fs::metadata(path).map_err(io)?;
    if metadata.is_dir() {
        return Err(AudioError::NotWav {
            path: path.to_path_buf(),
            reason: "it is a folder".into(),
        });
    }
    if metadata.len() == 0 {
        return Err(AudioError::EmptyFile {
            path: path.to_path_buf(),
        });
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let reader =
        hound::WavReader::new(std::io::BufReader::new(file)).map_err(|e| header_error(path, e))?;
    let spec = reader.spec();
    let promised = u64::from(reader.len());
    if promised == 0 {
        return Err(AudioError::NoSamples {
            path: path.to_path_buf(),
        });
    }
    let samples = read_samples(path, reader, spec)?;
    let found = samples.len() as u64;
    if found < promised {
        return Err(AudioError::Truncated {
            path: path.to_path_buf(),
            promised,
            found,
        });
    }
    let converted =
        resample::convert_all(&samples, spec.sample_rate, spec.channels).map_err(|e| {
            AudioError::Unsupported {
                path: path.to_path_buf(),
                reason: e.to_string(),
            }
        })?;
    Ok(Clip {
        samples: converted,
        source_rate: spec.sample_rate,
        source_channels: spec.channels,
    })
}

/// All samples as f32 in -1..1; stops (without error) at a truncation, which the caller
/// detects by count.
fn read_samples<R: std::io::Read>(
    path: &Path,
    mut reader: hound::WavReader<R>,
    spec: hound::WavSpec,
) -> Result<Vec<f32>, AudioError> {
    let mut out = Vec::with_capacity(reader.len() as usize);
    let sample_error = |e: hound::Error| match e {
        hound::Error::IoError(_) => None,
        other => Some(AudioError::Corrupt {
            path: path.to_path_buf(),
            reason: other.to_string(),
        }),
    };
    match spec.sample_format {
        hound::SampleFormat::Float => {
            if spec.bits_per_sample != 32 {
                return Err(AudioError::Unsupported {
                    path: path.to_path_buf(),
                    reason: format!("{}-bit float", spec.bits_per_sample),
                });
            }
            for sample in reader.samples::<f32>() {
                match sample {
                    Ok(s) => out.push(s),
                    Err(e) => match sample_error(e) {
                        Some(err) => return Err(err),
                        None => break,
                    },
                }
            }
        }
        hound::SampleFormat::Int => {
            let bits = spec.bits_per_sample;
            if !(8..=32).contains(&bits) {
                return Err(AudioError::Unsupported {
                    path: path.to_path_buf(),
                    reason: format!("{bits}-bit integer samples"),
                });
            }
            let scale = 1.0 / (1u64 << (bits - 1)) as f32;
            for sample in reader.samples::<i32>() {
                match sample {
                    Ok(s) => out.push(s as f32 * scale),
                    Err(e) => match sample_error(e) {
                        Some(err) => return Err(err),
                        None => break,
                    },
                }
            }
        }
    }
    Ok(out)
}

fn header_error(path: &Path, error: hound::Error) -> AudioError {
    let path = path.to_path_buf();
    match error {
        hound::Error::FormatError(reason) if reason.contains("RIFF") || reason.contains("WAVE") => {
            AudioError::NotWav {
                path,
                reason: format!("no RIFF/WAVE header: {reason}"),
            }
        }
        hound::Error::FormatError(reason) => AudioError::Corrupt {
            path,
            reason: reason.to_string(),
        },
        hound::Error::Unsupported => AudioError::Unsupported {
            path,
            reason: "compressed or unusual encoding".into(),
        },
        hound::Error::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            AudioError::Corrupt {
                path,
                reason: "the header ends early".into(),
            }
        }
        hound::Error::IoError(source) => AudioError::Io { path, source },
        other => AudioError::Corrupt {
            path,
            reason: other.to_string(),
        },
    }
}
