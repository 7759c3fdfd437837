//! `roomvoice check` (skeleton: filled in by its issue).

/// Arguments of `roomvoice check`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {}

pub fn main(_args: &Args) -> i32 {
    eprintln!("roomvoice: `check` is not available in this build yet");
    2
}
