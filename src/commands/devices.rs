//! `roomvoice devices`: the audio input devices cpal can see, with the default marked
//! and each one's input format (or why it cannot be used), to choose `[audio] device`
//! or `listen --device`.

use crate::audio::mic;

/// Arguments of `roomvoice devices`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// One JSON object per device instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn main(args: &Args) -> i32 {
    let devices = match mic::input_devices() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("roomvoice: {e}");
            return 1;
        }
    };
    if args.json {
        for d in &devices {
            let line = serde_json::json!({
                "name": d.name,
                "default": d.is_default,
                "config": d.config.as_ref().ok(),
                "error": d.config.as_ref().err(),
            });
            println!("{line}");
        }
    } else if devices.is_empty() {
        println!("no audio input devices (is a microphone connected? check `arecord -l`)");
    } else {
        for d in &devices {
            let mark = if d.is_default { "*" } else { " " };
            match &d.config {
                Ok(config) => println!("{mark} {}  ({config})", d.name),
                Err(e) => println!("{mark} {}  (not usable: {e})", d.name),
            }
        }
    }
    let usable = devices.iter().any(|d| d.config.is_ok());
    if !usable {
        eprintln!("roomvoice: no usable audio input device; `roomvoice listen` needs a microphone");
        return 1;
    }
    0
}
