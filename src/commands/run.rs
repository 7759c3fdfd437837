//! `roomvoice run` (skeleton: filled in by its issue).

/// Arguments of `roomvoice run`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {}

pub fn main(_args: &Args) -> i32 {
    eprintln!("roomvoice: `run` is not available in this build yet");
    2
}
