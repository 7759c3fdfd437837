//! Compressed recordings: FLAC, Ogg Vorbis and MP3, decoded with Symphonia. Testers'
//! recordings often come this way (public speech corpora are FLAC or MP3, phones record
//! compressed), and converting every file first is a step people get wrong.

use std::fs::File;
use std::path::Path;

use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::errors::Error as DecodeError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

use super::resample::To16kMono;
use super::{AudioError, Clip};

/// The formats [`decode`] reads, for messages.
pub(crate) const COMPRESSED_FORMATS: &str = "FLAC, Ogg Vorbis or MP3";

/// Decodes the first audio track of a compressed file to 16 kHz mono, packet by packet
/// (an hour of 48 kHz stereo would be 1.4 GB as floats; converted as it comes, it is
/// 115 MB). Every packet must decode: a damaged stretch is an error naming where it is,
/// not a silent gap in the recording.
pub(crate) fn decode(path: &Path, file: File) -> Result<Clip, AudioError> {
    let mut hint = Hint::new();
    if let Some(extension) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(extension);
    }
    let stream = MediaSourceStream::new(Box::new(file), Default::default());
    let mut format = symphonia::default::get_probe()
        .probe(
            &hint,
            stream,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|e| match e {
            DecodeError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                AudioError::CutShort {
                    path: path.to_path_buf(),
                    after: "before the end of its header".into(),
                }
            }
            DecodeError::IoError(source) => AudioError::Io {
                path: path.to_path_buf(),
                source,
            },
            DecodeError::Unsupported(_) => AudioError::NotAudio {
                path: path.to_path_buf(),
                reason: format!("it holds no WAV, {COMPRESSED_FORMATS} stream"),
            },
            other => AudioError::Corrupt {
                path: path.to_path_buf(),
                format: "compressed audio",
                reason: other.to_string(),
            },
        })?;
    let track = format
        .default_track(TrackType::Audio)
        .ok_or_else(|| AudioError::NoSamples {
            path: path.to_path_buf(),
        })?;
    let track_id = track.id;
    let promised = track.num_frames;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or_else(|| AudioError::Unsupported {
            path: path.to_path_buf(),
            reason: "its audio track does not say how it is encoded".into(),
        })?
        .clone();
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .map_err(|_| AudioError::Unsupported {
            path: path.to_path_buf(),
            reason: format!(
                "its codec ({}) is not one roomvoice decodes",
                codec_name(&params)
            ),
        })?;
    let format_name = format_name(&params);
    let corrupt = |reason: String| AudioError::Corrupt {
        path: path.to_path_buf(),
        format: format_name,
        reason,
    };
    let mut samples: Vec<i16> = Vec::new();
    let mut buffer: Vec<f32> = Vec::new();
    // The stream's rate and channels (from its first packet) and its converter.
    let mut stream: Option<((u32, u16), To16kMono)> = None;
    let mut frames: u64 = 0;
    let mut cut_short = false;
    loop {
        let packet = match format.next_packet() {
            Ok(Some(packet)) => packet,
            Ok(None) => break,
            // A stream cut short ends with an unexpected end of file, where a whole one
            // ends with no more packets.
            Err(DecodeError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                cut_short = true;
                break;
            }
            Err(e) => {
                return Err(corrupt(format!(
                    "{e}, after {}",
                    seconds(frames, stream.as_ref().map(|((rate, _), _)| *rate))
                )))
            }
        };
        if packet.track_id != track_id {
            continue;
        }
        let audio = decoder.decode(&packet).map_err(|e| {
            corrupt(format!(
                "{e}, after {}",
                seconds(frames, stream.as_ref().map(|((rate, _), _)| *rate))
            ))
        })?;
        let this = (
            audio.spec().rate(),
            u16::try_from(audio.spec().channels().count()).unwrap_or(u16::MAX),
        );
        let converter = match &mut stream {
            None => {
                let converter =
                    To16kMono::new(this.0, this.1).map_err(|e| AudioError::Unsupported {
                        path: path.to_path_buf(),
                        reason: e.to_string(),
                    })?;
                &mut stream.insert((this, converter)).1
            }
            Some((first, _)) if *first != this => {
                return Err(AudioError::Unsupported {
                    path: path.to_path_buf(),
                    reason: format!(
                        "its format changes part way ({} Hz, {} channels, then {} Hz, {} channels)",
                        first.0, first.1, this.0, this.1
                    ),
                })
            }
            Some((_, converter)) => converter,
        };
        audio.copy_to_vec_interleaved(&mut buffer);
        frames += audio.frames() as u64;
        samples.extend(converter.push(&buffer));
    }
    let Some(((rate, channels), mut converter)) = stream.take().filter(|_| frames > 0) else {
        return Err(AudioError::NoSamples {
            path: path.to_path_buf(),
        });
    };
    if let Some(promised) = promised.filter(|&p| frames < p) {
        return Err(AudioError::Truncated {
            path: path.to_path_buf(),
            promised,
            found: frames,
        });
    }
    if cut_short {
        return Err(AudioError::CutShort {
            path: path.to_path_buf(),
            after: format!("after {}", seconds(frames, Some(rate))),
        });
    }
    samples.extend(converter.finish());
    Ok(Clip {
        samples,
        source_rate: rate,
        source_channels: channels,
    })
}

/// How far decoding got, for messages.
fn seconds(frames: u64, rate: Option<u32>) -> String {
    match rate {
        Some(rate) if rate > 0 => format!("{:.1} s", frames as f64 / f64::from(rate)),
        _ => "0 s".into(),
    }
}

/// What the file is, for the message that it is corrupt.
fn format_name(params: &symphonia::core::codecs::audio::AudioCodecParameters) -> &'static str {
    use symphonia::core::codecs::audio::well_known as codec;
    match params.codec {
        codec::CODEC_ID_FLAC => "FLAC",
        codec::CODEC_ID_VORBIS => "Ogg Vorbis",
        codec::CODEC_ID_MP3 => "MP3",
        _ => "compressed audio",
    }
}

/// The codec's name for the message that it is not supported (Opus, from phones and
/// browsers, and AAC, from phones, are the usual ones).
fn codec_name(params: &symphonia::core::codecs::audio::AudioCodecParameters) -> String {
    use symphonia::core::codecs::audio::well_known as codec;
    match params.codec {
        codec::CODEC_ID_OPUS => "Opus".into(),
        codec::CODEC_ID_AAC => "AAC".into(),
        codec::CODEC_ID_SPEEX => "Speex".into(),
        codec::CODEC_ID_ALAC => "ALAC".into(),
        codec::CODEC_ID_WMA => "WMA".into(),
        other => format!("codec {other}"),
    }
}
