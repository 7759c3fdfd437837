//! `roomvoice run --audio FILE.wav`: the assistant driven by a recording, as if it had
//! been heard through the microphone. Each utterance the speech engine finds becomes a
//! `transcript` event and one turn, so a file holding a whole dialogue ("alexa start my
//! meeting", pause, the meeting ID, pause, the PIN) plays out like `roomvoice ask` with
//! the same turns. With `--now`, each turn's clock is `--now` plus the utterance's end
//! time in the file.

use std::path::PathBuf;

use anyhow::Context;
use chrono::Utc;

use super::{report_error, SessionArgs};
use crate::assistant::Assistant;
use crate::config::Config;
use crate::events::{stdout_sink, EventSink};

/// Arguments of `roomvoice run`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The recording: a WAV file (8-48 kHz, mono or stereo, 16/24-bit or 32-bit float).
    #[arg(long, value_name = "FILE.wav")]
    pub audio: PathBuf,
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
    let clip = crate::audio::read_wav(&args.audio)?;
    let config = Config::locate(args.session.config.as_deref())?;
    let mut engine = crate::speech::open(&config).context("cannot start speech recognition")?;
    let mut assistant = Assistant::open(config, args.session.clock(), args.speak)?;
    let start = args.session.now.map(|t| t.with_timezone(&Utc));
    tracing::info!(
        "{}: {:.1} s ({} Hz, {} ch) through {}",
        args.audio.display(),
        clip.duration_s(),
        clip.source_rate,
        clip.source_channels,
        engine.name()
    );
    crate::speech::session::run_clip(engine.as_mut(), &clip.samples, &mut assistant, start, sink)?;
    Ok(assistant.exit_code())
}
