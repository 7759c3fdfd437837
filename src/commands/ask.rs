//! `roomvoice ask "alexa start my meeting" ["eight five five ..." ...]`: the assistant
//! driven by text, one argument per turn.
//!
//! With `dialer = "sip"` each turn waits until the call has keyed its dial string (or
//! failed), so `ask "alexa start my meeting" "alexa end the meeting"` joins, keys the
//! meeting ID and PIN, then hangs up. A call still up after the last turn is hung up
//! (BYE) before `ask` exits: a text command does not leave a call running unattended;
//! `listen` keeps the call until "end the meeting".

use super::{open_assistant, report_error, SessionArgs};
use crate::events::stdout_sink;

/// Arguments of `roomvoice ask`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// What is said, one argument per turn, in order: the first needs the wake word
    /// ("alexa start my meeting"); answers to the device's questions ("eight five five
    /// one two ...", "yes") do not.
    #[arg(value_name = "TURN", required = true)]
    pub turns: Vec<String>,
    #[command(flatten)]
    pub session: SessionArgs,
    /// Also speak the answers through the configured TTS ([voice] tts).
    #[arg(long)]
    pub speak: bool,
}

pub fn main(args: &Args) -> i32 {
    let mut sink = stdout_sink(args.session.json);
    let mut assistant = match open_assistant(&args.session, args.speak) {
        Ok(a) => a,
        Err(e) => return report_error(sink.as_mut(), args.session.json, &e),
    };
    for turn in &args.turns {
        assistant.hear(turn, sink.as_mut());
        // A SIP call keys its dial string before the next turn is heard.
        assistant.settle(sink.as_mut());
    }
    assistant.finish(sink.as_mut());
    assistant.exit_code()
}
