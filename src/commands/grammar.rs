//! `roomvoice grammar`: print the phrase set in the forms the speech engines use, so a
//! grammar can be inspected, or tried with other tools, exactly as the device hears it.
//! Standard error says how the wake word is heard (trained detector or the engine).

use std::collections::BTreeSet;

use crate::config::Config;
use crate::speech::phrases::PhraseSet;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// JSGF of first turns (wake word + command), as PocketSphinx searches it.
    Jsgf,
    /// JSGF of answers to the device's questions (digits, yes, no, cancel).
    JsgfAnswer,
    /// JSGF of the command after the trained detector heard the wake word (the wake
    /// word optional).
    JsgfWoken,
    /// The Vosk grammar: a JSON list of entries (the model's unknown-word token is added
    /// by the engine).
    Vosk,
    /// Every word of the phrase set, one per line.
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
    let phrases = match PhraseSet::from_grammar(&grammar) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("roomvoice: {e}");
            return 1;
        }
    };
    // Which path hears the wake word, on stderr so the grammar on stdout stays exact.
    match crate::speech::wake_path(&config.speech_setup()) {
        Ok(path) => eprintln!(
            "roomvoice: wake word \"{}\" heard by the {path}",
            phrases.wake_word
        ),
        Err(e) => eprintln!("roomvoice: wake word: {e}"),
    }
    let none = BTreeSet::new();
    match args.format {
        Format::Jsgf => print!("{}", phrases.jsgf("command", &none)),
        Format::JsgfAnswer => print!("{}", phrases.jsgf("answer", &none)),
        Format::JsgfWoken => print!("{}", phrases.jsgf(crate::speech::phrases::WOKEN, &none)),
        Format::Vosk => match serde_json::to_string_pretty(&phrases.vosk_grammar(None, &none)) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("roomvoice: {e}");
                return 1;
            }
        },
        Format::Words => {
            for word in grammar.vocabulary() {
                println!("{word}");
            }
        }
    }
    0
}
