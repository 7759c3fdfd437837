//! Speech engines behind one trait: Vosk and PocketSphinx, both fed 16 kHz mono audio in
//! small chunks (streaming), both restricted to the device's phrase set.
//!
//! - [`Engine`] is the trait: [`Engine::feed`] takes a chunk and returns what was heard
//!   so far ([`Heard::Partial`] while someone speaks, [`Heard::Final`] at the end of an
//!   utterance, found by the engine's own endpointing), with times in seconds from the
//!   start of the stream.
//! - [`phrases`] turns the intent grammar (`crate::intent::grammar`) into what each engine
//!   takes: a phrase list for Vosk, JSGF (with a rejection path) for PocketSphinx.
//! - [`vosk`] and [`pocketsphinx`] are the engines; each exists only when its native
//!   library was found at build time (see `build.rs`), and otherwise says how to get it.
//! - [`session`] runs an engine over a file or the microphone into the assistant.
//! - [`wakeword`] is the trained wake-word detector and the gate in front of the engine;
//!   `denoised` puts the noise suppressor (`crate::audio::denoise`) between them.
//!
//! [`open`] picks the engine from `[speech] engine` ("auto": Vosk when an English model is
//! installed, else PocketSphinx) and logs the choice.

mod denoised;
pub(crate) mod noise;
pub(crate) mod phrases;
pub mod pocketsphinx;
pub mod session;
pub mod vosk;
pub mod wakeword;

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::intent::Expecting;
use crate::paths::Paths;

pub use phrases::PhraseSet;

/// `[speech]` in roomvoice.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpeechConfig {
    /// "vosk", "pocketsphinx" or "auto" (Vosk when an English Vosk model is installed,
    /// else PocketSphinx).
    pub engine: EngineChoice,
    /// A Vosk model directory (relative to the config file). Default: `models/vosk/en-us`
    /// (where `device/setup.sh` puts vosk-model-small-en-us-0.15).
    pub vosk_model: Option<PathBuf>,
    /// PocketSphinx acoustic model directory. Default: Debian's pocketsphinx-en-us.
    pub pocketsphinx_hmm: Option<PathBuf>,
    /// PocketSphinx pronunciation dictionary. Default: Debian's cmudict-en-us.dict.
    pub pocketsphinx_dict: Option<PathBuf>,
    /// PocketSphinx wake-word spotting threshold (default 1e-70, measured): a command is only
    /// accepted when the wake word was spotted in it. Smaller spots more readily. Used
    /// when the trained detector is not (`wake_model = "off"`, or another wake word).
    pub pocketsphinx_wake_threshold: f64,
    /// The trained wake-word detector: "auto" (the microWakeWord model for the wake word
    /// when installed, else the engine's own spotting), "off", or a model description
    /// (`.json`, relative to the config file).
    pub wake_model: String,
    /// The detector's probability cutoff (0-1); default 0.7 (measured, see
    /// `wakeword::DEFAULT_CUTOFF`; the model's own is 0.9).
    pub wake_threshold: Option<f32>,
    /// A wake word scored from this up to `wake_threshold` is heard silently (no wake
    /// event, no earcon), and only a question that follows is answered (is this room
    /// free, who booked it, what is on my calendar); actions need `wake_threshold`.
    /// Default 0.25 (measured, see `wakeword::DEFAULT_QUESTION_CUTOFF`); equal to
    /// `wake_threshold` turns it off.
    pub question_wake_threshold: Option<f32>,
    /// What an action (book, end the call, extend, add an event) heard after such an
    /// uncertain wake word gets: ignored, nothing said (the default), or asked about
    /// first ("Did you want me to ...?").
    pub uncertain_wake_actions: UncertainWakeActions,
    /// The pause check (`wakeword::pause`): a wake word said in the same breath as the
    /// command, which the detector scores low because no pause follows it, is detected
    /// when the detector, given a pause right after it, scores it `wake_threshold` or
    /// more. Default on.
    pub wake_pause_check: bool,
    /// Seconds after the wake word within which the command must begin.
    pub command_window_s: f64,
    /// Noise suppression (RNNoise) in front of the speech engine (not the wake-word
    /// detector, which has its own).
    pub denoise: bool,
}

impl Default for SpeechConfig {
    fn default() -> Self {
        SpeechConfig {
            engine: EngineChoice::Auto,
            vosk_model: None,
            pocketsphinx_hmm: None,
            pocketsphinx_dict: None,
            pocketsphinx_wake_threshold: pocketsphinx::DEFAULT_WAKE_THRESHOLD,
            wake_model: "auto".into(),
            wake_threshold: None,
            question_wake_threshold: None,
            uncertain_wake_actions: UncertainWakeActions::Ignore,
            wake_pause_check: true,
            command_window_s: wakeword::gate::DEFAULT_WINDOW_S,
            denoise: true,
        }
    }
}

/// `[speech] engine`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineChoice {
    #[default]
    Auto,
    Vosk,
    Pocketsphinx,
}

/// `[speech] uncertain_wake_actions`: an action heard after a wake word scored between
/// `question_wake_threshold` and `wake_threshold`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UncertainWakeActions {
    /// Not taken, nothing said: most such wake words are speech between people ("let's
    /// book this room" woke the detector at 0.57).
    #[default]
    Ignore,
    /// Asked about first, as after any wake word below `[assistant]
    /// confirm_below_wake_score`.
    Confirm,
}

/// Where the default English Vosk model is installed by setup.
pub(crate) const DEFAULT_VOSK_MODEL: &str = "models/vosk/en-us";

/// Why speech recognition could not run.
#[derive(Debug, thiserror::Error)]
pub enum SpeechError {
    #[error("the {engine} engine is not in this build: {how}")]
    NotBuilt { engine: &'static str, how: String },
    #[error("no Vosk model at {path}: {hint}")]
    ModelMissing { path: PathBuf, hint: String },
    #[error("{path} is not a usable Vosk model ({reason}); download it again (models/README.md)")]
    ModelCorrupt { path: PathBuf, reason: String },
    #[error(
        "the phrase set uses words the {engine} model does not know: {}; {hint}",
        summarise(words)
    )]
    UnknownWords {
        engine: &'static str,
        words: Vec<String>,
        hint: String,
    },
    #[error("the phrase set is empty: {0}")]
    EmptyPhraseSet(String),
    #[error("PocketSphinx: {0}")]
    PocketSphinx(String),
    #[error("Vosk: {0}")]
    Vosk(String),
    #[error(transparent)]
    WakeWord(#[from] wakeword::WakeWordError),
    #[error("[speech] {key}: {reason}")]
    Setting { key: &'static str, reason: String },
}

/// "a, b, c and 12 more": long word lists in one line.
fn summarise(words: &[String]) -> String {
    const SHOWN: usize = 12;
    if words.len() <= SHOWN {
        words.join(", ")
    } else {
        format!(
            "{} and {} more",
            words[..SHOWN].join(", "),
            words.len() - SHOWN
        )
    }
}

/// One recognised utterance.
#[derive(Debug, Clone, PartialEq)]
pub struct Utterance {
    /// The words, lower case; empty when speech was heard but rejected (out of grammar).
    pub text: String,
    /// Seconds from the start of the stream.
    pub start_s: f64,
    pub end_s: f64,
    /// How sure the engine is of the words: the lowest posterior probability (0-1) of
    /// any word heard. `None` when the engine gives none.
    pub confidence: Option<f32>,
}

/// What an engine reports while fed.
#[derive(Debug, Clone, PartialEq)]
pub enum Heard {
    /// The best guess so far for the utterance in progress.
    Partial(String),
    /// An utterance ended.
    Final(Utterance),
    /// Speech after the wake word that is no command ("alexa, play some music"): the
    /// device says what it can do. Only with the trained detector.
    NotACommand { start_s: f64, end_s: f64 },
    /// The trained detector heard the wake word: the device listens for a command.
    Wake {
        /// The detector's averaged probability.
        score: f32,
        /// Seconds from the start of the stream.
        at_s: f64,
    },
}

/// A streaming recogniser restricted to a phrase set.
pub trait Engine {
    /// "vosk" or "pocketsphinx" (the `engine` of transcript events).
    fn name(&self) -> &'static str;
    /// Feeds 16 kHz mono samples (any chunk size).
    fn feed(&mut self, samples: &[i16]) -> Result<Vec<Heard>, SpeechError>;
    /// End of the stream: an utterance in progress is finished.
    fn finish(&mut self) -> Result<Vec<Heard>, SpeechError>;
    /// Starts a new stream (times from 0 again), e.g. for the next file.
    fn reset(&mut self) -> Result<(), SpeechError>;
    /// What the device waits for: engines may narrow the grammar for the next utterance.
    fn expect(&mut self, expecting: Expecting) -> Result<(), SpeechError> {
        let _ = expecting;
        Ok(())
    }
    /// Whether an utterance is in progress (speech heard and not yet ended).
    fn in_speech(&self) -> bool {
        false
    }
    /// Audio from just before the stream (after a reset): adaptive front ends (the noise
    /// suppressor) settle on it; nothing in it is recognised, and times do not count it.
    fn prime(&mut self, samples: &[i16]) -> Result<(), SpeechError> {
        let _ = samples;
        Ok(())
    }
    /// The engine hears nothing until the next `reset` (the device sleeps until the wake
    /// word): an utterance in progress is dropped, and what is held only for listening
    /// may be let go.
    fn sleep(&mut self) -> Result<(), SpeechError> {
        Ok(())
    }
}

/// What the speech engines are opened with: `[speech]`, the wake word (the phrase set is
/// built from it) and where relative paths resolve.
#[derive(Debug, Clone, Copy)]
pub struct Setup<'a> {
    pub speech: &'a SpeechConfig,
    pub wake_word: &'a str,
    pub paths: &'a Paths,
    /// Behind the trained detector, let go of the command search while asleep (see
    /// [`Engine::sleep`]): the device's memory. `batch`, which wakes on nearly every
    /// clip, keeps it and saves reloading it each time (38 ms).
    pub release_asleep: bool,
}

/// Which engine [`open`] chose and why (for the log and for `run`'s report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EngineKind {
    Vosk,
    PocketSphinx,
}

/// The Vosk model directory the configuration points at.
pub(crate) fn vosk_model_dir(setup: &Setup) -> PathBuf {
    match &setup.speech.vosk_model {
        Some(path) => setup.paths.resolve(path),
        None => project_path(DEFAULT_VOSK_MODEL),
    }
}

/// A path inside the project (the demo config has no folder of its own): relative to the
/// current directory when it exists there, else to the source tree this was built from.
fn project_path(relative: &str) -> PathBuf {
    let here = Path::new(relative);
    if here.exists() {
        return here.to_path_buf();
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Resolves `[speech] engine` to an engine kind.
pub(crate) fn choose(setup: &Setup) -> EngineKind {
    match setup.speech.engine {
        EngineChoice::Vosk => EngineKind::Vosk,
        EngineChoice::Pocketsphinx => EngineKind::PocketSphinx,
        EngineChoice::Auto => {
            let model = vosk_model_dir(setup);
            if vosk::AVAILABLE && model.join("conf").is_dir() {
                EngineKind::Vosk
            } else {
                EngineKind::PocketSphinx
            }
        }
    }
}

/// How the wake word is heard.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum WakePath {
    /// The trained detector (microWakeWord) in front of the engine.
    Detector {
        /// The model description (`alexa.json`).
        model: PathBuf,
        /// The probability cutoff in use.
        cutoff: f32,
        /// The lower cutoff above which a question alone is answered (at most `cutoff`).
        question_cutoff: f32,
        /// A wake word with no pause after it gets a second look (`wake_pause_check`).
        pause_check: bool,
    },
    /// The engine itself: PocketSphinx's keyword spotter / Vosk's grammar, with the
    /// wake word as the first word of each command.
    Engine {
        reason: String,
        /// True when the detector would be used had setup installed it.
        detector_missing: bool,
    },
}

impl std::fmt::Display for WakePath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WakePath::Detector {
                model,
                cutoff,
                question_cutoff,
                pause_check,
            } => write!(
                f,
                "trained detector (microWakeWord {}, cutoff {cutoff}; questions from {question_cutoff}; pause check {})",
                model.display(),
                if *pause_check { "on" } else { "off" }
            ),
            WakePath::Engine { reason, .. } => {
                write!(f, "the speech engine's own wake-word spotting ({reason})")
            }
        }
    }
}

/// Resolves `[speech] wake_model` for the configured wake word.
pub(crate) fn wake_path(setup: &Setup) -> Result<WakePath, SpeechError> {
    let speech = setup.speech;
    let wake_word = crate::intent::grammar(setup.wake_word).wake_word;
    for (key, value) in [
        ("wake_threshold", speech.wake_threshold),
        ("question_wake_threshold", speech.question_wake_threshold),
    ] {
        if let Some(cutoff) = value {
            if !(0.0..1.0).contains(&cutoff) {
                return Err(SpeechError::Setting {
                    key,
                    reason: format!("{cutoff} is not a probability between 0 and 1"),
                });
            }
        }
    }
    let (model, explicit) = match speech.wake_model.trim() {
        "off" | "none" => {
            return Ok(WakePath::Engine {
                reason: "[speech] wake_model = \"off\"".into(),
                detector_missing: false,
            })
        }
        "auto" | "" => (project_path(wakeword::DEFAULT_MODEL), false),
        path => (setup.paths.resolve(Path::new(path)), true),
    };
    if !explicit {
        if !wakeword::tflite::AVAILABLE {
            return Ok(WakePath::Engine {
                reason: "libtensorflowlite_c is not in this build; run device/setup.sh".into(),
                detector_missing: true,
            });
        }
        if !model.is_file() {
            return Ok(WakePath::Engine {
                reason: format!(
                    "no trained model at {}; run device/setup.sh",
                    model.display()
                ),
                detector_missing: true,
            });
        }
    }
    let spec = wakeword::ModelSpec::read(&model)?;
    if spec.normalised_wake_word() != wake_word {
        if explicit {
            return Err(SpeechError::Setting {
                key: "wake_model",
                reason: format!(
                    "{} is trained on \"{}\" but [assistant] wake_word is \"{wake_word}\"",
                    model.display(),
                    spec.wake_word
                ),
            });
        }
        return Ok(WakePath::Engine {
            reason: format!(
                "the installed trained model hears \"{}\", not \"{wake_word}\"",
                spec.normalised_wake_word()
            ),
            detector_missing: false,
        });
    }
    let cutoff = speech.wake_threshold.unwrap_or(wakeword::DEFAULT_CUTOFF);
    Ok(WakePath::Detector {
        model,
        cutoff,
        question_cutoff: speech
            .question_wake_threshold
            .unwrap_or(wakeword::DEFAULT_QUESTION_CUTOFF)
            .min(cutoff),
        pause_check: speech.wake_pause_check,
    })
}

/// Opens the configured engine on the device's phrase set (from the wake word), behind
/// the trained wake-word detector when [`wake_path`] chooses it.
pub fn open(setup: &Setup) -> Result<Box<dyn Engine>, SpeechError> {
    let path = wake_path(setup)?;
    tracing::info!("wake word: {path}");
    let mut certain_score = 0.0;
    let detector = match &path {
        WakePath::Detector {
            model,
            cutoff,
            question_cutoff,
            pause_check,
        } => {
            let spec = wakeword::ModelSpec::read(model)?;
            certain_score = *cutoff;
            // The detector reports everything from the lower cutoff; the gate decides.
            let detector = wakeword::WakeDetector::open(&spec, Some(*question_cutoff))?;
            Some(if *pause_check {
                detector.with_pause_check(&spec, *cutoff)?
            } else {
                detector
            })
        }
        WakePath::Engine { .. } => None,
    };
    let mut engine = open_engine(setup, detector.is_some())?;
    if setup.speech.denoise {
        tracing::info!("noise suppression: RNNoise in front of the engine ([speech] denoise)");
        engine = Box::new(denoised::Denoised::new(engine)?);
    }
    let Some(detector) = detector else {
        return Ok(engine);
    };
    if !(setup.speech.command_window_s > 0.0 && setup.speech.command_window_s <= 30.0) {
        return Err(SpeechError::Setting {
            key: "command_window_s",
            reason: format!(
                "{} s: give the seconds (more than 0, at most 30) the device listens for a command after the wake word",
                setup.speech.command_window_s
            ),
        });
    }
    let wake_word = crate::intent::grammar(setup.wake_word).wake_word;
    Ok(Box::new(wakeword::gate::WakeGate::new(
        engine,
        detector,
        &wake_word,
        wakeword::gate::GateSettings {
            window_s: setup.speech.command_window_s,
            certain_score,
            confirm_uncertain_actions: setup.speech.uncertain_wake_actions
                == UncertainWakeActions::Confirm,
        },
    )))
}

/// The engine alone; `gated`: behind the trained detector (PocketSphinx then needs no
/// keyword spotter of its own).
fn open_engine(setup: &Setup, gated: bool) -> Result<Box<dyn Engine>, SpeechError> {
    let phrases = PhraseSet::from_grammar(&crate::intent::grammar(setup.wake_word))?;
    let kind = choose(setup);
    match kind {
        EngineKind::Vosk => {
            let dir = vosk_model_dir(setup);
            tracing::info!(
                "speech engine: vosk (model {}; [speech] engine = {:?})",
                dir.display(),
                setup.speech.engine
            );
            Ok(Box::new(vosk::VoskEngine::open(&dir, &phrases)?))
        }
        EngineKind::PocketSphinx => {
            tracing::info!(
                "speech engine: pocketsphinx ([speech] engine = {:?}{})",
                setup.speech.engine,
                if setup.speech.engine == EngineChoice::Auto {
                    "; no English Vosk model installed"
                } else {
                    ""
                }
            );
            let mut settings = pocketsphinx::Settings::from_setup(setup);
            if gated {
                settings.wake_threshold = None;
                settings.behind_detector = true;
                settings.release_asleep = setup.release_asleep;
            }
            Ok(Box::new(pocketsphinx::PocketSphinxEngine::open(
                &settings, &phrases,
            )?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `[speech]` from TOML, as the configuration file gives it.
    fn speech(toml_text: &str) -> SpeechConfig {
        toml::from_str(toml_text).expect("[speech]")
    }

    fn choose_for(speech: &SpeechConfig) -> EngineKind {
        choose(&Setup {
            speech,
            wake_word: "alexa",
            release_asleep: true,
            paths: &Paths::default(),
        })
    }

    #[test]
    fn auto_uses_vosk_only_when_a_model_is_there() {
        let none = speech("engine = \"auto\"\nvosk_model = \"/nonexistent/model\"");
        assert_eq!(choose_for(&none), EngineKind::PocketSphinx);
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::create_dir_all(dir.path().join("conf")).expect("mkdir");
        let with_model = speech(&format!("vosk_model = \"{}\"", dir.path().display()));
        let expected = if vosk::AVAILABLE {
            EngineKind::Vosk
        } else {
            EngineKind::PocketSphinx
        };
        assert_eq!(choose_for(&with_model), expected);
        assert_eq!(
            choose_for(&speech("engine = \"pocketsphinx\"")),
            EngineKind::PocketSphinx
        );
        assert_eq!(choose_for(&speech("engine = \"vosk\"")), EngineKind::Vosk);
    }
}
