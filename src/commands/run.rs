//! `roomvoice run --audio FILE [--audio NEXT ...]`: the assistant driven by
//! recordings, as if heard through the microphone. Several files are played one after
//! the other as one conversation (each is a stream of its own, like one argument of
//! `ask` per file: "alexa start my meeting", then the meeting ID, then the PIN). Each utterance the speech engine finds becomes a
//! `transcript` event and one turn, so a file holding a whole dialogue ("alexa start my
//! meeting", pause, the meeting ID, pause, the PIN) plays out like `roomvoice ask` with
//! the same turns. With `--now`, each turn's clock is `--now` plus the utterance's end
//! time in the file.

use std::path::PathBuf;

use anyhow::Context;
use chrono::Utc;

use super::{report_error, SessionArgs};
use crate::config::Config;
use crate::events::{stdout_sink, EventSink};

/// Arguments of `roomvoice run`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// A recording: WAV (8-48 kHz, mono or stereo, 16/24-bit or 32-bit float), FLAC,
    /// Ogg Vorbis or MP3. Give it several times to play several recordings as one
    /// conversation, in order.
    #[arg(long, value_name = "FILE", required = true)]
    pub audio: Vec<PathBuf>,
    #[command(flatten)]
    pub session: SessionArgs,
    /// Also speak the answers through the configured TTS ([voice] tts).
    #[arg(long)]
    pub speak: bool,
}

pub fn main(args: &Args) -> i32 {
    let mut sink = stdout_sink(args.session.json);
    match run(args, sink.as_mut()) {
        Ok(code) => code,
        Err(e) => report_error(sink.as_mut(), args.session.json, &e),
    }
}

fn run(args: &Args, sink: &mut dyn EventSink) -> anyhow::Result<i32> {
    // Every file is read first: a bad one is reported before anything is heard.
    let clips = args
        .audio
        .iter()
        .map(|path| crate::audio::read_audio(path))
        .collect::<Result<Vec<_>, _>>()?;
    let config = Config::locate(args.session.config.as_deref())?;
    let mut engine =
        crate::speech::open(&config.speech_setup()).context("cannot start speech recognition")?;
    let log = args.session.utilisation_log(&config, false);
    let mut assistant = config.open_assistant(args.session.clock(), args.speak)?;
    assistant.set_utilisation_log(log);
    let mut start = args.session.now.map(|t| t.with_timezone(&Utc));
    for (path, clip) in args.audio.iter().zip(&clips) {
        if clip.is_narrowband() {
            tracing::warn!(
                "{} is recorded at {} Hz: {}",
                path.display(),
                clip.source_rate,
                crate::audio::NARROWBAND_ADVICE
            );
        }
        tracing::info!(
            "{}: {:.1} s ({} Hz, {} ch) through {}",
            path.display(),
            clip.duration_s(),
            clip.source_rate,
            clip.source_channels,
            engine.name()
        );
        crate::device::play_clip(engine.as_mut(), &clip.samples, &mut assistant, start, sink)?;
        // A SIP call keys its dial string before the next recording is heard.
        assistant.settle(sink);
        // The next file starts where this one ended.
        start =
            start.map(|t| t + chrono::Duration::milliseconds((clip.duration_s() * 1000.0) as i64));
    }
    assistant.finish(sink);
    Ok(assistant.exit_code())
}
