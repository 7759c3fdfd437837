//! The Vosk engine: libvosk (from the PyPI `vosk` wheel, linked by `build.rs`) through a
//! small FFI of our own, restricted to the phrase set with Vosk's grammar mode.
//!
//! Our own FFI rather than the `vosk` crate: the crate builds the grammar JSON without
//! escaping quotes and cannot be left out of the build when libvosk is missing. Vosk
//! models differ in their unknown-word token (`[unk]` in English models, `<UNK>` in the
//! Korean one) and vocabulary, so every phrase-set word is looked up in the model first:
//! unknown words are reported (and their entries left out) instead of being silently
//! dropped by the recogniser.

use std::collections::BTreeSet;
use std::path::Path;

use super::{Engine, Heard, PhraseSet, SpeechError, Utterance};

/// True when libvosk was linked into this build.
pub const AVAILABLE: bool = cfg!(roomvoice_vosk);

#[cfg_attr(roomvoice_vosk, allow(dead_code))]
const NOT_BUILT: &str = "libvosk was not found when roomvoice was built; run device/setup.sh (it puts libvosk in vendor/vosk/<arch>/) and rebuild";

/// libvosk, opened with `dlopen` when a Vosk model is first loaded rather than linked:
/// a device on PocketSphinx then never maps it (measured: 4 MB of resident memory).
/// `build.rs` still records its folder in the binary's run path, where `dlopen` looks.
#[cfg(roomvoice_vosk)]
mod ffi {
    use std::os::raw::{c_char, c_float, c_int, c_short};
    use std::sync::OnceLock;

    #[repr(C)]
    pub(crate) struct VoskModel {
        _private: [u8; 0],
    }
    #[repr(C)]
    pub(crate) struct VoskRecognizer {
        _private: [u8; 0],
    }

    type Text = unsafe extern "C" fn(*mut VoskRecognizer) -> *const c_char;

    /// The functions of libvosk roomvoice calls.
    pub(crate) struct Api {
        pub set_log_level: unsafe extern "C" fn(c_int),
        pub model_new: unsafe extern "C" fn(*const c_char) -> *mut VoskModel,
        pub model_free: unsafe extern "C" fn(*mut VoskModel),
        pub model_find_word: unsafe extern "C" fn(*mut VoskModel, *const c_char) -> c_int,
        pub recognizer_new_grm:
            unsafe extern "C" fn(*mut VoskModel, c_float, *const c_char) -> *mut VoskRecognizer,
        pub recognizer_set_words: unsafe extern "C" fn(*mut VoskRecognizer, c_int),
        pub recognizer_accept_waveform_s:
            unsafe extern "C" fn(*mut VoskRecognizer, *const c_short, c_int) -> c_int,
        pub recognizer_result: Text,
        pub recognizer_partial_result: Text,
        pub recognizer_final_result: Text,
        pub recognizer_free: unsafe extern "C" fn(*mut VoskRecognizer),
        /// Keeps the library mapped for as long as the pointers above are used.
        _library: libloading::Library,
    }

    static API: OnceLock<Result<Api, String>> = OnceLock::new();

    /// libvosk's functions, opening the library on first use.
    pub(crate) fn api() -> Result<&'static Api, String> {
        API.get_or_init(open).as_ref().map_err(Clone::clone)
    }

    fn open() -> Result<Api, String> {
        // SAFETY: libvosk's initialisers have no preconditions; each symbol is read
        // with the C signature of vosk_api.h (Vosk 0.3.45).
        unsafe {
            let library = libloading::Library::new("libvosk.so").map_err(|e| e.to_string())?;
            macro_rules! symbol {
                ($name:literal) => {
                    *library
                        .get(concat!($name, "\0").as_bytes())
                        .map_err(|e| format!("{}: {e}", $name))?
                };
            }
            Ok(Api {
                set_log_level: symbol!("vosk_set_log_level"),
                model_new: symbol!("vosk_model_new"),
                model_free: symbol!("vosk_model_free"),
                model_find_word: symbol!("vosk_model_find_word"),
                recognizer_new_grm: symbol!("vosk_recognizer_new_grm"),
                recognizer_set_words: symbol!("vosk_recognizer_set_words"),
                recognizer_accept_waveform_s: symbol!("vosk_recognizer_accept_waveform_s"),
                recognizer_result: symbol!("vosk_recognizer_result"),
                recognizer_partial_result: symbol!("vosk_recognizer_partial_result"),
                recognizer_final_result: symbol!("vosk_recognizer_final_result"),
                recognizer_free: symbol!("vosk_recognizer_free"),
                _library: library,
            })
        }
    }
}

/// A loaded Vosk model.
pub struct VoskModel {
    #[cfg(roomvoice_vosk)]
    api: &'static ffi::Api,
    #[cfg(roomvoice_vosk)]
    raw: *mut ffi::VoskModel,
    /// The model's unknown-word token, when it has one.
    pub unk: Option<String>,
}

impl VoskModel {
    /// Loads a model directory (checked first, so a wrong path says what is wrong).
    pub fn load(dir: &Path) -> Result<VoskModel, SpeechError> {
        if !dir.exists() {
            return Err(SpeechError::ModelMissing {
                path: dir.to_path_buf(),
                hint: "download vosk-model-small-en-us-0.15 and unzip it there (models/README.md), or set [speech] vosk_model".into(),
            });
        }
        if !dir.is_dir() {
            return Err(SpeechError::ModelCorrupt {
                path: dir.to_path_buf(),
                reason: "it is a file, not a model directory".into(),
            });
        }
        for needed in ["am/final.mdl", "conf/model.conf"] {
            if !dir.join(needed).is_file() {
                return Err(SpeechError::ModelCorrupt {
                    path: dir.to_path_buf(),
                    reason: format!("{needed} is missing"),
                });
            }
        }
        Self::load_checked(dir)
    }

    #[cfg(not(roomvoice_vosk))]
    fn load_checked(_dir: &Path) -> Result<VoskModel, SpeechError> {
        Err(SpeechError::NotBuilt {
            engine: "vosk",
            how: NOT_BUILT.into(),
        })
    }

    #[cfg(roomvoice_vosk)]
    fn load_checked(dir: &Path) -> Result<VoskModel, SpeechError> {
        let path = c_string(&dir.to_string_lossy())?;
        let api = ffi::api().map_err(|e| SpeechError::NotBuilt {
            engine: "vosk",
            how: format!("libvosk cannot be opened ({e}); run device/setup.sh, which puts it in vendor/vosk/<arch>/ (or /usr/local/lib/roomvoice/ with --install)"),
        })?;
        // libvosk logs every model file it reads unless told otherwise; keep errors only.
        // SAFETY: plain C calls with a valid NUL-terminated path; a failed load is NULL.
        let raw = unsafe {
            (api.set_log_level)(-1);
            (api.model_new)(path.as_ptr())
        };
        if raw.is_null() {
            return Err(SpeechError::ModelCorrupt {
                path: dir.to_path_buf(),
                reason: "libvosk could not load it (files damaged or from another Vosk version)"
                    .into(),
            });
        }
        let mut model = VoskModel {
            api,
            raw,
            unk: None,
        };
        model.unk = ["[unk]", "<UNK>", "<unk>"]
            .into_iter()
            .find(|t| model.knows(t))
            .map(str::to_string);
        Ok(model)
    }

    /// Whether the model's vocabulary has this word.
    pub fn knows(&self, word: &str) -> bool {
        #[cfg(roomvoice_vosk)]
        {
            match std::ffi::CString::new(word) {
                // SAFETY: `raw` is a live model; the word is NUL-terminated.
                Ok(c) => unsafe { (self.api.model_find_word)(self.raw, c.as_ptr()) >= 0 },
                Err(_) => false,
            }
        }
        #[cfg(not(roomvoice_vosk))]
        {
            let _ = word;
            false
        }
    }

    /// The phrase-set words this model does not know.
    pub(crate) fn unknown_words(&self, phrases: &PhraseSet) -> BTreeSet<String> {
        phrases
            .words
            .iter()
            .filter(|w| !self.knows(w))
            .cloned()
            .collect()
    }
}

#[cfg(roomvoice_vosk)]
impl Drop for VoskModel {
    fn drop(&mut self) {
        // SAFETY: `raw` came from vosk_model_new and is freed once (recognisers hold
        // their own reference inside libvosk).
        unsafe { (self.api.model_free)(self.raw) }
    }
}

#[cfg(roomvoice_vosk)]
fn c_string(text: &str) -> Result<std::ffi::CString, SpeechError> {
    std::ffi::CString::new(text)
        .map_err(|_| SpeechError::Vosk(format!("{text:?} contains a NUL byte")))
}

/// The Vosk engine: a model and a grammar-restricted recogniser.
pub struct VoskEngine {
    model: VoskModel,
    grammar_json: String,
    /// Phrase-set words missing from the model (left out of the grammar).
    pub missing_words: BTreeSet<String>,
    #[cfg(roomvoice_vosk)]
    recognizer: *mut ffi::VoskRecognizer,
    /// The last partial text reported (partials are only reported when they change).
    last_partial: String,
}

impl VoskEngine {
    /// Loads the model at `dir` and prepares recognition of `phrases`.
    pub fn open(dir: &Path, phrases: &PhraseSet) -> Result<VoskEngine, SpeechError> {
        let model = VoskModel::load(dir)?;
        Self::with_model(model, phrases)
    }

    /// Prepares recognition of `phrases` with a loaded model. Words the model does not
    /// know are reported in `missing_words` and logged; when none of the phrase set is
    /// left, that is an error.
    pub(crate) fn with_model(
        model: VoskModel,
        phrases: &PhraseSet,
    ) -> Result<VoskEngine, SpeechError> {
        let missing = model.unknown_words(phrases);
        let grammar = phrases.vosk_grammar(model.unk.as_deref(), &missing);
        let usable = grammar
            .iter()
            .filter(|e| Some(e.as_str()) != model.unk.as_deref())
            .count();
        if usable == 0 {
            return Err(SpeechError::UnknownWords {
                engine: "vosk",
                words: missing.into_iter().collect(),
                hint: "no phrase is left: is this a model for the right language?".into(),
            });
        }
        if !missing.is_empty() {
            tracing::warn!(
                "the Vosk model does not know {} word(s) of the phrase set; phrases with them cannot be heard: {}",
                missing.len(),
                missing.iter().cloned().collect::<Vec<_>>().join(", ")
            );
        }
        let grammar_json = serde_json::to_string(&grammar)
            .map_err(|e| SpeechError::Vosk(format!("cannot write the grammar: {e}")))?;
        let mut engine = VoskEngine {
            model,
            grammar_json,
            missing_words: missing,
            #[cfg(roomvoice_vosk)]
            recognizer: std::ptr::null_mut(),
            last_partial: String::new(),
        };
        engine.reset()?;
        Ok(engine)
    }
}

/// Vosk's JSON results. (Read only when libvosk is linked: `roomvoice_vosk`.)
#[derive(serde::Deserialize, Default)]
#[cfg_attr(not(roomvoice_vosk), allow(dead_code))]
struct VoskResult {
    #[serde(default)]
    text: String,
    #[serde(default)]
    partial: String,
    #[serde(default)]
    result: Vec<VoskWord>,
}

#[derive(serde::Deserialize)]
#[cfg_attr(not(roomvoice_vosk), allow(dead_code))]
struct VoskWord {
    word: String,
    start: f64,
    end: f64,
    /// The word's posterior probability (Vosk gives it with word times).
    #[serde(default)]
    conf: Option<f32>,
}

#[cfg_attr(not(roomvoice_vosk), allow(dead_code))]
impl VoskEngine {
    /// Words without the unknown-word token, which means "something else was said".
    fn clean(&self, text: &str) -> String {
        text.split_whitespace()
            .filter(|w| Some(*w) != self.model.unk.as_deref())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn utterance(&self, json: &str) -> Option<Utterance> {
        let parsed: VoskResult = match serde_json::from_str(json) {
            Ok(p) => p,
            Err(e) => {
                tracing::error!("unreadable Vosk result ({e}): {json}");
                return None;
            }
        };
        if parsed.text.trim().is_empty() && parsed.result.is_empty() {
            return None;
        }
        let start_s = parsed.result.first().map_or(0.0, |w| w.start);
        let end_s = parsed.result.last().map_or(start_s, |w| w.end);
        let heard: Vec<&str> = parsed.result.iter().map(|w| w.word.as_str()).collect();
        let text = if heard.is_empty() {
            parsed.text.clone()
        } else {
            heard.join(" ")
        };
        // The lowest word confidence, scaled by the share of words that are not the
        // unknown-word token: "alexa [unk] book this room" is something else said around
        // a command.
        let unknown = parsed
            .result
            .iter()
            .filter(|w| Some(w.word.as_str()) == self.model.unk.as_deref())
            .count();
        let known_share = if parsed.result.is_empty() {
            1.0
        } else {
            1.0 - unknown as f32 / parsed.result.len() as f32
        };
        let confidence = parsed
            .result
            .iter()
            .filter(|w| Some(w.word.as_str()) != self.model.unk.as_deref())
            .filter_map(|w| w.conf)
            .reduce(f32::min)
            .map(|c| c * known_share);
        Some(Utterance {
            text: self.clean(&text),
            start_s,
            end_s,
            confidence,
        })
    }
}

#[cfg(roomvoice_vosk)]
impl VoskEngine {
    fn take(
        &self,
        f: unsafe extern "C" fn(*mut ffi::VoskRecognizer) -> *const std::os::raw::c_char,
    ) -> String {
        // SAFETY: the recogniser is live; libvosk returns a NUL-terminated string it owns
        // until the next call, which is copied at once.
        unsafe {
            let ptr = f(self.recognizer);
            if ptr.is_null() {
                String::new()
            } else {
                std::ffi::CStr::from_ptr(ptr).to_string_lossy().into_owned()
            }
        }
    }
}

#[cfg(roomvoice_vosk)]
impl Engine for VoskEngine {
    fn name(&self) -> &'static str {
        "vosk"
    }

    fn feed(&mut self, samples: &[i16]) -> Result<Vec<Heard>, SpeechError> {
        let mut heard = Vec::new();
        // Small pieces: Vosk checks for an endpoint once per call.
        for piece in samples.chunks(4000) {
            // SAFETY: the recogniser is live and the slice valid for `len` samples.
            let status = unsafe {
                (self.model.api.recognizer_accept_waveform_s)(
                    self.recognizer,
                    piece.as_ptr(),
                    piece.len() as i32,
                )
            };
            match status {
                1 => {
                    self.last_partial.clear();
                    let json = self.take(self.model.api.recognizer_result);
                    if let Some(u) = self.utterance(&json) {
                        heard.push(Heard::Final(u));
                    }
                }
                0 => {
                    let json = self.take(self.model.api.recognizer_partial_result);
                    let partial = serde_json::from_str::<VoskResult>(&json)
                        .map(|r| self.clean(&r.partial))
                        .unwrap_or_default();
                    if !partial.is_empty() && partial != self.last_partial {
                        self.last_partial = partial.clone();
                        heard.push(Heard::Partial(partial));
                    }
                }
                _ => {
                    return Err(SpeechError::Vosk(
                        "the recogniser failed on this audio".into(),
                    ))
                }
            }
        }
        Ok(heard)
    }

    fn finish(&mut self) -> Result<Vec<Heard>, SpeechError> {
        self.last_partial.clear();
        let json = self.take(self.model.api.recognizer_final_result);
        Ok(self
            .utterance(&json)
            .map(Heard::Final)
            .into_iter()
            .collect())
    }

    fn in_speech(&self) -> bool {
        !self.last_partial.is_empty()
    }

    fn reset(&mut self) -> Result<(), SpeechError> {
        // A new recogniser rather than vosk_recognizer_reset: times start at 0 again.
        let grammar = c_string(&self.grammar_json)?;
        // SAFETY: the model is live; the grammar is NUL-terminated JSON.
        let recognizer = unsafe {
            (self.model.api.recognizer_new_grm)(
                self.model.raw,
                super::super::audio::SAMPLE_RATE as f32,
                grammar.as_ptr(),
            )
        };
        if recognizer.is_null() {
            return Err(SpeechError::Vosk(
                "cannot create a recogniser with the phrase-set grammar".into(),
            ));
        }
        // SAFETY: the new recogniser is live; the old one (if any) is freed once.
        unsafe {
            (self.model.api.recognizer_set_words)(recognizer, 1);
            if !self.recognizer.is_null() {
                (self.model.api.recognizer_free)(self.recognizer);
            }
        }
        self.recognizer = recognizer;
        self.last_partial.clear();
        Ok(())
    }
}

#[cfg(roomvoice_vosk)]
impl Drop for VoskEngine {
    fn drop(&mut self) {
        if !self.recognizer.is_null() {
            // SAFETY: freed once, before the model (field order drops the model after).
            unsafe { (self.model.api.recognizer_free)(self.recognizer) }
        }
    }
}

#[cfg(not(roomvoice_vosk))]
impl Engine for VoskEngine {
    fn name(&self) -> &'static str {
        "vosk"
    }
    fn feed(&mut self, _samples: &[i16]) -> Result<Vec<Heard>, SpeechError> {
        Err(SpeechError::NotBuilt {
            engine: "vosk",
            how: NOT_BUILT.into(),
        })
    }
    fn finish(&mut self) -> Result<Vec<Heard>, SpeechError> {
        self.feed(&[])
    }
    fn reset(&mut self) -> Result<(), SpeechError> {
        let _ = (&self.model, &self.grammar_json, &self.last_partial);
        self.feed(&[]).map(|_| ())
    }
}
