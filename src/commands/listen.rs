//! `roomvoice listen [--device NAME]`: the device's normal life ([`crate::device::listen`])
//! on the microphone, in 100 ms chunks. Runs until Ctrl-C or SIGTERM, which finish the
//! dialogue cleanly (exit 0). `listen` always keeps the room utilisation log (`--log`,
//! `[utilisation] log`, else the state directory).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context;

use super::{report_error, SessionArgs};
use crate::audio::mic::Microphone;
use crate::config::Config;
use crate::events::{stdout_sink, EventSink};

/// Arguments of `roomvoice listen`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Input device name (see `roomvoice devices`). Default: [audio] device, else the
    /// system's default input.
    #[arg(long, value_name = "NAME")]
    pub device: Option<String>,
    #[command(flatten)]
    pub session: SessionArgs,
    /// Do not speak the answers (a device speaks them through [voice] tts by default).
    #[arg(long)]
    pub quiet: bool,
}

pub fn main(args: &Args) -> i32 {
    let mut sink = stdout_sink(args.session.json);
    match listen(args, sink.as_mut()) {
        Ok(code) => code,
        Err(e) => report_error(sink.as_mut(), args.session.json, &e),
    }
}

fn listen(args: &Args, sink: &mut dyn EventSink) -> anyhow::Result<i32> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    // The `termination` feature makes this cover SIGTERM (systemd stop) as well.
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .context("cannot install the Ctrl-C/SIGTERM handler")?;

    let config = Config::locate(args.session.config.as_deref())?;
    let device = args.device.clone().or_else(|| config.audio.device.clone());
    // The microphone first: on a device without one, that is the error worth showing.
    let mut microphone = Microphone::open(device.as_deref())?;
    let mut engine =
        crate::speech::open(&config.speech_setup()).context("cannot start speech recognition")?;
    let log = args.session.utilisation_log(&config, true);
    if let Some(log) = &log {
        tracing::info!(path = %log.path().display(), "room utilisation log");
    }
    let mut assistant = config.open_assistant(args.session.clock(), !args.quiet)?;
    // Ready before the first "start my meeting", without delaying the first wake word.
    std::thread::spawn(crate::dialin::warm_up);
    assistant.set_utilisation_log(log);
    eprintln!(
        "roomvoice: listening on \"{}\" with {}; Ctrl-C to stop",
        microphone.device_name,
        engine.name()
    );
    let outcome = crate::device::listen(
        &mut microphone,
        engine.as_mut(),
        &mut assistant,
        &stop,
        sink,
    );
    if let Err(crate::device::DeviceError::Audio(_)) = &outcome {
        // The capture thread of a lost microphone can be stuck in the driver, and
        // dropping the stream waits for it: the error would not be reported, nor the
        // process end for systemd to restart it. The process ends now anyway.
        std::mem::forget(microphone);
    }
    outcome?;
    Ok(0)
}
