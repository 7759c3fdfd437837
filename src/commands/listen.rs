//! `roomvoice listen [--device NAME]`: the device's normal life. The microphone feeds
//! the speech engine in 100 ms chunks; each utterance becomes a turn of the assistant.
//! Runs until Ctrl-C or SIGTERM, which finish the dialogue cleanly (exit 0). When the
//! device asked a question and nobody answers within [`ANSWER_TIMEOUT`], the assistant
//! is told about the silence.
//!
//! The assistant's timers (reminders, releasing unattended reservations, proactive
//! join offers, the utilisation log) run at start, every [`TICK_EVERY`] and right after
//! each turn. `listen` always keeps the room utilisation log (`--log`, `[utilisation]
//! log`, else the state directory).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

use super::{report_error, SessionArgs};
use crate::audio::mic::Microphone;
use crate::config::Config;
use crate::events::{stdout_sink, EventSink};
use crate::intent::Expecting;

/// How long an answer to the device's question may take.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(8);

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

/// How often the assistant's timers run.
const TICK_EVERY: Duration = Duration::from_secs(20);

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
    engine.expect(assistant.expecting())?;
    let mut last_turn = Instant::now();
    // Due at once: a device started during a meeting offers to join it (or releases
    // it) without waiting a tick.
    let mut tick_due = true;
    let mut last_tick = Instant::now();
    while !stop.load(Ordering::SeqCst) {
        // Timers: end-of-meeting reminders, releasing unattended reservations, offers.
        if tick_due || last_tick.elapsed() >= TICK_EVERY {
            let before = assistant.expecting();
            assistant.tick(sink);
            last_tick = Instant::now();
            tick_due = false;
            if assistant.expecting() != before {
                // The timers asked a question (an offer to join): the engine listens
                // for the answer, and the answer's time runs from now.
                engine.expect(assistant.expecting())?;
                last_turn = Instant::now();
            }
        }
        let Some(samples) = microphone.next_chunk(Duration::from_millis(200))? else {
            continue;
        };
        for heard in engine.feed(&samples)? {
            let final_turn = matches!(heard, crate::speech::Heard::Final(_));
            let understood = matches!(&heard, crate::speech::Heard::Final(u) if !u.text.is_empty());
            crate::speech::session::turn(engine.as_mut(), heard, &mut assistant, None, sink)?;
            if final_turn {
                last_turn = Instant::now();
            }
            // After a turn the timers run at once: a call just joined near its end gets
            // its reminder now, not a tick later, and an offer waiting behind a
            // question is made once it is settled. (Rejected chatter does not count:
            // on EWS or Graph each tick is a request.)
            tick_due |= understood;
        }
        if assistant.expecting() != Expecting::Command && last_turn.elapsed() > ANSWER_TIMEOUT {
            assistant.silence(sink);
            engine.expect(assistant.expecting())?;
            last_turn = Instant::now();
        }
    }
    tracing::info!("stopping");
    for heard in engine.finish()? {
        crate::speech::session::turn(engine.as_mut(), heard, &mut assistant, None, sink)?;
    }
    assistant.finish(sink);
    Ok(0)
}
