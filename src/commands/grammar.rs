//! `roomvoice grammar`: print the phrase set as a recognition grammar.

use crate::config::Config;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// JSGF, as PocketSphinx reads it.
    Jsgf,
    /// Every word of the grammar, one per line.
    Words,
}

/// Arguments of `roomvoice grammar`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[arg(long, value_enum, default_value = "jsgf")]
    pub format: Format,
    /// Configuration file (for the wake word).
    #[arg(long, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
}

pub fn main(args: &Args) -> i32 {
    let config = match Config::locate(args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("roomvoice: {e}");
            return 1;
        }
    };
    let grammar = crate::intent::grammar(&config.assistant.wake_word);
    match args.format {
        Format::Jsgf => print!("{}", grammar.to_jsgf()),
        Format::Words => {
            for word in grammar.vocabulary() {
                println!("{word}");
            }
        }
    }
    0
}
