//! `roomvoice listen` (skeleton: filled in by its issue).

/// Arguments of `roomvoice listen`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {}

pub fn main(_args: &Args) -> i32 {
    eprintln!("roomvoice: `listen` is not available in this build yet");
    2
}
