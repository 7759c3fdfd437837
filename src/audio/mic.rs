//! The microphone through cpal (ALSA on Linux): listing input devices and capturing one
//! as a stream of 16 kHz mono chunks.
//!
//! cpal's callback runs on its own thread and must never block, so it only copies the
//! samples into a bounded channel; the converting (downmix + resampling) happens on the
//! reader's side in [`Microphone::next_chunk`]. A machine without a sound card still
//! reports a "default" device; the failure shows when its configuration is asked for or
//! the stream is built, and is reported as an [`AudioError::Device`] saying what to check.
//!
//! A microphone that stops delivering (a USB microphone unplugged) does not end the
//! stream: cpal reports errors to a callback and no audio comes. [`Microphone::next_chunk`]
//! turns [`INPUT_SILENT_LIMIT`] without audio into an error, so that `listen` stops and
//! its service restarts it, opening the microphone again, instead of a device that
//! looks alive and hears nothing.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};

use super::resample::To16kMono;
use super::AudioError;

/// One input device, as `roomvoice devices` lists it.
#[derive(Debug, Clone)]
pub(crate) struct InputDevice {
    pub name: String,
    pub is_default: bool,
    /// "48000 Hz, 2 channels, F32", or why the configuration is unusable.
    pub config: Result<String, String>,
}

/// Every input device cpal can see, default first.
pub(crate) fn input_devices() -> Result<Vec<InputDevice>, AudioError> {
    let host = cpal::default_host();
    let default_name = host.default_input_device().and_then(|d| d.name().ok());
    let devices = host
        .input_devices()
        .map_err(|e| AudioError::Device(format!("cannot list audio input devices: {e}")))?;
    let mut list: Vec<InputDevice> = devices
        .filter_map(|device| {
            let name = device.name().ok()?;
            Some(InputDevice {
                is_default: default_name.as_deref() == Some(name.as_str()),
                config: describe_config(&device),
                name,
            })
        })
        .collect();
    // The default device may not be among the enumerated ones (no card: ALSA's "default"
    // plugin exists but cannot open); list it anyway so its problem is shown.
    if let Some(name) = default_name {
        if !list.iter().any(|d| d.name == name) {
            if let Some(device) = host.default_input_device() {
                list.push(InputDevice {
                    config: describe_config(&device),
                    name,
                    is_default: true,
                });
            }
        }
    }
    list.sort_by_key(|d| !d.is_default);
    Ok(list)
}

fn describe_config(device: &cpal::Device) -> Result<String, String> {
    device
        .default_input_config()
        .map(|c| {
            format!(
                "{} Hz, {} channel(s), {:?}",
                c.sample_rate().0,
                c.channels(),
                c.sample_format()
            )
        })
        .map_err(|e| e.to_string())
}

/// How long a capture may deliver nothing before it counts as lost: a working one
/// delivers every few milliseconds, silence included.
pub(crate) const INPUT_SILENT_LIMIT: Duration = Duration::from_secs(5);

/// A running capture.
pub(crate) struct Microphone {
    _stream: cpal::Stream,
    chunks: Receiver<Vec<f32>>,
    converter: To16kMono,
    pub device_name: String,
    health: Arc<InputHealth>,
}

/// What the capture's callbacks saw, for the reader: when audio last came and the last
/// error the audio system reported.
struct InputHealth {
    opened: Instant,
    /// Milliseconds from `opened` to the last callback with audio.
    last_audio_ms: AtomicU64,
    last_error: Mutex<Option<String>>,
}

impl InputHealth {
    fn since_audio(&self) -> Duration {
        let last = Duration::from_millis(self.last_audio_ms.load(Ordering::Relaxed));
        self.opened.elapsed().saturating_sub(last)
    }
}

impl Microphone {
    /// Opens the named input device (or the default) and starts capturing.
    pub(crate) fn open(name: Option<&str>) -> Result<Microphone, AudioError> {
        let host = cpal::default_host();
        let device = match name {
            Some(wanted) => {
                let devices = host.input_devices().map_err(|e| {
                    AudioError::Device(format!("cannot list audio input devices: {e}"))
                })?;
                let mut names = Vec::new();
                let mut found = None;
                for device in devices {
                    let device_name = device.name().unwrap_or_default();
                    if device_name == wanted {
                        found = Some(device);
                        break;
                    }
                    names.push(device_name);
                }
                found.ok_or_else(|| {
                    AudioError::Device(format!(
                        "no audio input device named \"{wanted}\"; available: {}. See `roomvoice devices`",
                        if names.is_empty() { "none".to_string() } else { names.join(", ") }
                    ))
                })?
            }
            None => host.default_input_device().ok_or_else(|| {
                AudioError::Device(
                    "no audio input device: plug in a microphone (check `arecord -l`)".into(),
                )
            })?,
        };
        let device_name = device.name().unwrap_or_else(|_| "default".into());
        let unusable = |what: &str, e: &dyn std::fmt::Display| {
            AudioError::Device(format!(
                "audio input \"{device_name}\" is not usable ({what}: {e}); is a microphone connected? \
                 Check `arecord -l`, or choose another with --device / [audio] device (see `roomvoice devices`)"
            ))
        };
        let supported = device
            .default_input_config()
            .map_err(|e| unusable("no input configuration", &e))?;
        let config: cpal::StreamConfig = supported.config();
        let converter = To16kMono::new(config.sample_rate.0, config.channels)?;
        // About 10 s of audio in 10 ms callbacks; beyond that the reader is stuck.
        let (sender, chunks) = mpsc::sync_channel::<Vec<f32>>(1000);
        let health = Arc::new(InputHealth {
            opened: Instant::now(),
            last_audio_ms: AtomicU64::new(0),
            last_error: Mutex::new(None),
        });
        let on_error = error_reporter(Arc::clone(&health));
        let feed = (sender, Arc::clone(&health));
        let stream = match supported.sample_format() {
            cpal::SampleFormat::F32 => build::<f32>(&device, &config, feed, on_error),
            cpal::SampleFormat::I16 => build::<i16>(&device, &config, feed, on_error),
            cpal::SampleFormat::I32 => build::<i32>(&device, &config, feed, on_error),
            cpal::SampleFormat::U16 => build::<u16>(&device, &config, feed, on_error),
            other => {
                return Err(unusable(
                    "sample format",
                    &format!("{other:?} is not supported"),
                ));
            }
        }
        .map_err(|e| unusable("cannot open the stream", &e))?;
        stream
            .play()
            .map_err(|e| unusable("cannot start the stream", &e))?;
        tracing::info!(
            "listening on \"{device_name}\" ({} Hz, {} ch)",
            config.sample_rate.0,
            config.channels
        );
        if config.sample_rate.0 < super::SAMPLE_RATE {
            tracing::warn!(
                "audio input \"{device_name}\" delivers {} Hz: {}",
                config.sample_rate.0,
                super::NARROWBAND_ADVICE
            );
        }
        Ok(Microphone {
            _stream: stream,
            chunks,
            converter,
            device_name,
            health,
        })
    }

    /// The next converted chunk; `Ok(None)` when nothing arrived within `timeout`; an
    /// error when nothing has come for [`INPUT_SILENT_LIMIT`].
    pub(crate) fn next_chunk(&mut self, timeout: Duration) -> Result<Option<Vec<i16>>, AudioError> {
        match self.chunks.recv_timeout(timeout) {
            Ok(samples) => Ok(Some(self.converter.push(&samples))),
            Err(RecvTimeoutError::Timeout) => {
                let silent = self.health.since_audio();
                if silent < INPUT_SILENT_LIMIT {
                    return Ok(None);
                }
                let cause = match self.health.last_error.lock() {
                    Ok(last) => last.as_ref().map(|e| format!(" (last error: {e})")),
                    Err(_) => None,
                }
                .unwrap_or_default();
                Err(AudioError::Device(format!(
                    "audio input \"{}\" delivered no audio for {} s{cause}: was the microphone \
                     unplugged? Check `arecord -l`; the roomvoice service starts again by itself \
                     and opens the microphone when it is back",
                    self.device_name,
                    silent.as_secs()
                )))
            }
            Err(RecvTimeoutError::Disconnected) => Err(AudioError::Device(format!(
                "audio input \"{}\" stopped",
                self.device_name
            ))),
        }
    }
}

impl Microphone {
    /// Drops the audio that has arrived but not been read yet; returns how many
    /// converted samples it held.
    pub(crate) fn discard_queued(&mut self) -> Result<usize, AudioError> {
        let mut dropped = 0;
        loop {
            match self.chunks.try_recv() {
                // Converted all the same, so that the converter's state runs on.
                Ok(samples) => dropped += self.converter.push(&samples).len(),
                Err(std::sync::mpsc::TryRecvError::Empty) => return Ok(dropped),
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    return Err(AudioError::Device(format!(
                        "audio input \"{}\" stopped",
                        self.device_name
                    )))
                }
            }
        }
    }
}

/// How often dropped audio is reported at most.
const DROP_REPORT_EVERY: Duration = Duration::from_secs(5);

/// The stream's error callback: keeps the last error for [`Microphone::next_chunk`]'s
/// message and logs at most one line every [`DROP_REPORT_EVERY`] (an unplugged device
/// reports an error on every poll).
fn error_reporter(health: Arc<InputHealth>) -> impl FnMut(cpal::StreamError) + Send + 'static {
    let mut errors: u64 = 0;
    let mut last_report: Option<Instant> = None;
    move |e: cpal::StreamError| {
        errors += 1;
        if let Ok(mut last) = health.last_error.lock() {
            *last = Some(e.to_string());
        }
        if last_report.is_none_or(|at| at.elapsed() >= DROP_REPORT_EVERY) {
            last_report = Some(Instant::now());
            tracing::error!("audio input: {e} ({errors} error(s) so far)");
        }
    }
}

fn build<T>(
    device: &cpal::Device,
    config: &cpal::StreamConfig,
    (sender, health): (SyncSender<Vec<f32>>, Arc<InputHealth>),
    on_error: impl FnMut(cpal::StreamError) + Send + 'static,
) -> Result<cpal::Stream, cpal::BuildStreamError>
where
    T: cpal::SizedSample,
    f32: cpal::FromSample<T>,
{
    // Dropped chunks are counted and reported at most every few seconds: a stuck
    // recogniser would otherwise log a hundred lines a second.
    let mut dropped: u64 = 0;
    let mut last_report: Option<Instant> = None;
    device.build_input_stream(
        config,
        move |data: &[T], _: &cpal::InputCallbackInfo| {
            let now_ms = u64::try_from(health.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
            health.last_audio_ms.store(now_ms, Ordering::Relaxed);
            let samples: Vec<f32> = data.iter().map(|&s| cpal::Sample::from_sample(s)).collect();
            if sender.try_send(samples).is_err() {
                dropped += 1;
                if last_report.is_none_or(|at| at.elapsed() >= DROP_REPORT_EVERY) {
                    last_report = Some(Instant::now());
                    tracing::warn!(
                        "audio input: the recogniser is behind; {dropped} chunk(s) of audio dropped so far"
                    );
                }
            }
        },
        on_error,
        None,
    )
}
