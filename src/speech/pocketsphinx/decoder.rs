//! One libpocketsphinx decoder behind a safe API: Debian's libpocketsphinx
//! (0.8+5prealpha API) through a small FFI of our own (the `pocketsphinx` crate targets an
//! older API), and the pronunciation dictionary cut down to the phrase set's words.

use std::collections::BTreeSet;
use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_int};
use std::path::Path;

use super::word_graph::{Transition, WordGraph};
use super::SpeechError;

#[allow(non_camel_case_types)]
mod ffi {
    use std::os::raw::{c_char, c_int, c_void};

    pub(crate) type ps_decoder_t = c_void;
    pub(crate) type cmd_ln_t = c_void;
    pub(crate) type arg_t = c_void;
    pub(crate) type ps_seg_t = c_void;
    pub(crate) type fsg_model_t = c_void;

    #[cfg(roomvoice_pocketsphinx)]
    extern "C" {
        pub(crate) fn ps_args() -> *const arg_t;
        pub(crate) fn cmd_ln_parse_r(
            inout: *mut cmd_ln_t,
            defn: *const arg_t,
            argc: i32,
            argv: *const *const c_char,
            strict: i32,
        ) -> *mut cmd_ln_t;
        pub(crate) fn cmd_ln_free_r(cmdln: *mut cmd_ln_t) -> c_int;
        pub(crate) fn ps_init(config: *mut cmd_ln_t) -> *mut ps_decoder_t;
        pub(crate) fn ps_free(ps: *mut ps_decoder_t) -> c_int;
        pub(crate) fn ps_lookup_word(ps: *mut ps_decoder_t, word: *const c_char) -> *mut c_char;
        pub(crate) fn ps_add_word(
            ps: *mut ps_decoder_t,
            word: *const c_char,
            phones: *const c_char,
            update: c_int,
        ) -> c_int;
        pub(crate) fn roomvoice_jsgf_fsg(
            ps: *mut ps_decoder_t,
            jsgf: *const c_char,
        ) -> *mut fsg_model_t;
        pub(crate) fn roomvoice_fsg_shape(
            fsg: *mut fsg_model_t,
            n_states: *mut i32,
            start: *mut i32,
            final_state: *mut i32,
        ) -> i32;
        pub(crate) fn roomvoice_fsg_transitions(
            fsg: *mut fsg_model_t,
            out: *mut i32,
            cap: i32,
        ) -> i32;
        pub(crate) fn roomvoice_fsg_with(
            words: *mut fsg_model_t,
            n_states: i32,
            start: i32,
            final_state: i32,
            transitions: *const i32,
            count: i32,
        ) -> *mut fsg_model_t;
        pub(crate) fn roomvoice_ps_set_fsg_compact(
            ps: *mut ps_decoder_t,
            name: *const c_char,
            fsg: *mut fsg_model_t,
        ) -> c_int;
        pub(crate) fn fsg_model_free(fsg: *mut fsg_model_t) -> c_int;
        pub(crate) fn ps_set_keyphrase(
            ps: *mut ps_decoder_t,
            name: *const c_char,
            phrase: *const c_char,
        ) -> c_int;
        pub(crate) fn ps_set_search(ps: *mut ps_decoder_t, name: *const c_char) -> c_int;
        pub(crate) fn ps_unset_search(ps: *mut ps_decoder_t, name: *const c_char) -> c_int;
        pub(crate) fn ps_start_utt(ps: *mut ps_decoder_t) -> c_int;
        pub(crate) fn ps_process_raw(
            ps: *mut ps_decoder_t,
            data: *const i16,
            n_samples: usize,
            no_search: c_int,
            full_utt: c_int,
        ) -> c_int;
        pub(crate) fn ps_end_utt(ps: *mut ps_decoder_t) -> c_int;
        pub(crate) fn ps_get_hyp(ps: *mut ps_decoder_t, out_best_score: *mut i32) -> *const c_char;
        pub(crate) fn ps_get_in_speech(ps: *mut ps_decoder_t) -> u8;
        pub(crate) fn roomvoice_ps_reset_cmn(ps: *mut ps_decoder_t) -> c_int;
        pub(crate) fn roomvoice_ps_reset_noise(ps: *mut ps_decoder_t);
        pub(crate) fn ps_seg_iter(ps: *mut ps_decoder_t) -> *mut ps_seg_t;
        pub(crate) fn ps_seg_next(seg: *mut ps_seg_t) -> *mut ps_seg_t;
        pub(crate) fn ps_seg_frames(seg: *mut ps_seg_t, out_sf: *mut c_int, out_ef: *mut c_int);
        pub(crate) fn ps_seg_prob(
            seg: *mut ps_seg_t,
            out_ascr: *mut i32,
            out_lscr: *mut i32,
            out_lback: *mut i32,
        ) -> i32;
        pub(crate) fn ps_set_allphone(
            ps: *mut ps_decoder_t,
            name: *const c_char,
            lm: *mut std::ffi::c_void,
        ) -> c_int;
    }

    /// Stand-ins so the module compiles without the library; `Decoder::new` refuses
    /// before any of these could run.
    #[cfg(not(roomvoice_pocketsphinx))]
    mod absent {
        #![allow(clippy::missing_safety_doc)]
        use super::*;
        pub(crate) unsafe fn ps_free(_: *mut ps_decoder_t) -> c_int {
            0
        }
        pub(crate) unsafe fn cmd_ln_free_r(_: *mut cmd_ln_t) -> c_int {
            0
        }
        pub(crate) unsafe fn ps_add_word(
            _: *mut ps_decoder_t,
            _: *const c_char,
            _: *const c_char,
            _: c_int,
        ) -> c_int {
            -1
        }
        pub(crate) unsafe fn ps_lookup_word(_: *mut ps_decoder_t, _: *const c_char) -> *mut c_char {
            std::ptr::null_mut()
        }
        pub(crate) unsafe fn roomvoice_jsgf_fsg(
            _: *mut ps_decoder_t,
            _: *const c_char,
        ) -> *mut fsg_model_t {
            std::ptr::null_mut()
        }
        pub(crate) unsafe fn roomvoice_fsg_shape(
            _: *mut fsg_model_t,
            _: *mut i32,
            _: *mut i32,
            _: *mut i32,
        ) -> i32 {
            0
        }
        pub(crate) unsafe fn roomvoice_fsg_transitions(
            _: *mut fsg_model_t,
            _: *mut i32,
            _: i32,
        ) -> i32 {
            0
        }
        pub(crate) unsafe fn roomvoice_fsg_with(
            _: *mut fsg_model_t,
            _: i32,
            _: i32,
            _: i32,
            _: *const i32,
            _: i32,
        ) -> *mut fsg_model_t {
            std::ptr::null_mut()
        }
        pub(crate) unsafe fn roomvoice_ps_set_fsg_compact(
            _: *mut ps_decoder_t,
            _: *const c_char,
            _: *mut fsg_model_t,
        ) -> c_int {
            -1
        }
        pub(crate) unsafe fn fsg_model_free(_: *mut fsg_model_t) -> c_int {
            0
        }
        pub(crate) unsafe fn ps_set_keyphrase(
            _: *mut ps_decoder_t,
            _: *const c_char,
            _: *const c_char,
        ) -> c_int {
            -1
        }
        pub(crate) unsafe fn ps_set_search(_: *mut ps_decoder_t, _: *const c_char) -> c_int {
            -1
        }
        pub(crate) unsafe fn ps_unset_search(_: *mut ps_decoder_t, _: *const c_char) -> c_int {
            -1
        }
        pub(crate) unsafe fn ps_start_utt(_: *mut ps_decoder_t) -> c_int {
            -1
        }
        pub(crate) unsafe fn ps_process_raw(
            _: *mut ps_decoder_t,
            _: *const i16,
            _: usize,
            _: c_int,
            _: c_int,
        ) -> c_int {
            -1
        }
        pub(crate) unsafe fn ps_end_utt(_: *mut ps_decoder_t) -> c_int {
            -1
        }
        pub(crate) unsafe fn ps_get_hyp(_: *mut ps_decoder_t, _: *mut i32) -> *const c_char {
            std::ptr::null()
        }
        pub(crate) unsafe fn ps_get_in_speech(_: *mut ps_decoder_t) -> u8 {
            0
        }
        pub(crate) unsafe fn roomvoice_ps_reset_cmn(_: *mut ps_decoder_t) -> c_int {
            -1
        }
        pub(crate) unsafe fn roomvoice_ps_reset_noise(_: *mut ps_decoder_t) {}
        pub(crate) unsafe fn ps_seg_iter(_: *mut ps_decoder_t) -> *mut ps_seg_t {
            std::ptr::null_mut()
        }
        pub(crate) unsafe fn ps_seg_next(_: *mut ps_seg_t) -> *mut ps_seg_t {
            std::ptr::null_mut()
        }
        pub(crate) unsafe fn ps_seg_frames(_: *mut ps_seg_t, _: *mut c_int, _: *mut c_int) {}
        pub(crate) unsafe fn ps_seg_prob(
            _: *mut ps_seg_t,
            _: *mut i32,
            _: *mut i32,
            _: *mut i32,
        ) -> i32 {
            0
        }
        pub(crate) unsafe fn ps_set_allphone(
            _: *mut ps_decoder_t,
            _: *const c_char,
            _: *mut std::ffi::c_void,
        ) -> c_int {
            -1
        }
    }
    #[cfg(not(roomvoice_pocketsphinx))]
    pub use absent::*;
}

/// The states and transitions of a sphinxbase FSG; `None` when it has none.
fn read_word_graph(fsg: *mut ffi::fsg_model_t) -> Option<WordGraph> {
    let (mut states, mut start, mut end) = (0, 0, 0);
    // SAFETY: `fsg` is a live FSG; the out pointers are valid.
    let count = unsafe { ffi::roomvoice_fsg_shape(fsg, &mut states, &mut start, &mut end) };
    if count <= 0 {
        return None;
    }
    let mut flat = vec![0i32; 4 * count as usize];
    // SAFETY: `flat` has room for `count` quads.
    let written = unsafe { ffi::roomvoice_fsg_transitions(fsg, flat.as_mut_ptr(), count) };
    let transitions = flat
        .chunks_exact(4)
        .take(written.max(0) as usize)
        .map(|t| Transition {
            from: t[0],
            to: t[1],
            log_prob: t[2],
            word: t[3],
        })
        .collect();
    Some(WordGraph {
        states,
        start,
        end,
        transitions,
    })
}

/// One libpocketsphinx decoder and its configuration.
pub(super) struct Decoder {
    ps: *mut ffi::ps_decoder_t,
    config: *mut ffi::cmd_ln_t,
}

impl Decoder {
    #[cfg(not(roomvoice_pocketsphinx))]
    pub(super) fn new(_args: &[(&str, &str)]) -> Result<Decoder, SpeechError> {
        Err(SpeechError::NotBuilt {
            engine: "pocketsphinx",
            how: "libpocketsphinx was not found by pkg-config when roomvoice was built; install libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us (device/setup.sh does) and rebuild".into(),
        })
    }

    #[cfg(roomvoice_pocketsphinx)]
    pub(super) fn new(args: &[(&str, &str)]) -> Result<Decoder, SpeechError> {
        let mut owned = Vec::new();
        for (key, value) in args {
            owned.push(cstring(key)?);
            owned.push(cstring(value)?);
        }
        let argv: Vec<*const c_char> = owned.iter().map(|s| s.as_ptr()).collect();
        // SAFETY: argv points at NUL-terminated strings that outlive the call; the
        // returned configuration is owned by this Decoder and freed in Drop.
        let config = unsafe {
            ffi::cmd_ln_parse_r(
                std::ptr::null_mut(),
                ffi::ps_args(),
                argv.len() as i32,
                argv.as_ptr(),
                1,
            )
        };
        if config.is_null() {
            return Err(SpeechError::PocketSphinx(format!(
                "invalid decoder options {args:?}"
            )));
        }
        // SAFETY: config is valid; ps_init takes its own reference.
        let ps = unsafe { ffi::ps_init(config) };
        if ps.is_null() {
            // SAFETY: freed once.
            unsafe { ffi::cmd_ln_free_r(config) };
            return Err(SpeechError::PocketSphinx(
                "cannot load the acoustic model or dictionary (are pocketsphinx-en-us's files intact?)".into(),
            ));
        }
        Ok(Decoder { ps, config })
    }

    /// Adds a pronunciation (ARPAbet phones) unless the dictionary has the word.
    pub(super) fn add_word(&self, word: &str, phones: &str) {
        if !self.knows(word) {
            self.add_entry(word, phones);
        }
    }

    /// Adds dictionary entries (`word` or `word(2)` for an alternative, phones) before
    /// any search exists, so no search is rebuilt per word.
    pub(super) fn add_entries(&self, entries: &[(String, String)]) {
        for (word, phones) in entries {
            self.add_entry(word, phones);
        }
    }

    fn add_entry(&self, word: &str, phones: &str) {
        let (Ok(w), Ok(p)) = (CString::new(word), CString::new(phones)) else {
            return;
        };
        // SAFETY: live decoder; NUL-terminated strings copied by the library; 0: no
        // search is rebuilt.
        if unsafe { ffi::ps_add_word(self.ps, w.as_ptr(), p.as_ptr(), 0) } < 0 {
            tracing::warn!("cannot add \"{word}\" to the PocketSphinx dictionary");
        }
    }

    pub(super) fn knows(&self, word: &str) -> bool {
        let Ok(word) = CString::new(word) else {
            return false;
        };
        // SAFETY: live decoder; the returned string is owned by the dictionary.
        unsafe { !ffi::ps_lookup_word(self.ps, word.as_ptr()).is_null() }
    }

    /// Adds a JSGF search named `name` (outside an utterance), its word graph made
    /// minimal first (see [`super::word_graph`]).
    pub(super) fn add_jsgf(&self, name: &str, jsgf: &CStr) -> Result<(), SpeechError> {
        let c_name = search_name(name)?;
        // SAFETY: live decoder, NUL-terminated grammar; the FSG returned is ours to free.
        let built = unsafe { ffi::roomvoice_jsgf_fsg(self.ps, jsgf.as_ptr()) };
        if built.is_null() {
            return Err(SpeechError::PocketSphinx(format!(
                "the <{name}> JSGF grammar does not parse"
            )));
        }
        let minimal = read_word_graph(built)
            .and_then(|graph| {
                let minimal = graph.minimal();
                tracing::debug!(
                    "pocketsphinx: <{name}> word graph of {} states made minimal: {:?}",
                    graph.states,
                    minimal.as_ref().map(|m| m.states)
                );
                minimal
            })
            .map(|graph| {
                let flat: Vec<i32> = graph
                    .transitions
                    .iter()
                    .flat_map(|t| [t.from, t.to, t.log_prob, t.word])
                    .collect();
                // SAFETY: `built` is live; `flat` holds graph.transitions.len() quads.
                unsafe {
                    ffi::roomvoice_fsg_with(
                        built,
                        graph.states,
                        graph.start,
                        graph.end,
                        flat.as_ptr(),
                        graph.transitions.len() as i32,
                    )
                }
            })
            .filter(|fsg| !fsg.is_null());
        let searched = match minimal {
            Some(fsg) => {
                // SAFETY: the compiled graph is no longer read (the minimal one copied its
                // words); freed before the search is built, which is the memory peak.
                unsafe { ffi::fsg_model_free(built) };
                fsg
            }
            None => built,
        };
        // SAFETY: live decoder outside an utterance; the search takes its own reference
        // to the FSG, and ours is released once.
        let status = unsafe {
            let status = ffi::roomvoice_ps_set_fsg_compact(self.ps, c_name.as_ptr(), searched);
            ffi::fsg_model_free(searched);
            status
        };
        self.check(status, &format!("loading the <{name}> JSGF grammar"))
    }

    /// Makes the search named `name` the active one (outside an utterance).
    pub(super) fn set_search(&self, name: &str) -> Result<(), SpeechError> {
        let c_name = search_name(name)?;
        // SAFETY: live decoder, outside an utterance.
        let status = unsafe { ffi::ps_set_search(self.ps, c_name.as_ptr()) };
        self.check(status, &format!("selecting the <{name}> grammar"))
    }

    /// Frees a search that is not the active one.
    pub(super) fn drop_search(&self, name: &str) -> Result<(), SpeechError> {
        let c_name = search_name(name)?;
        // SAFETY: live decoder; the search is loaded and not the active one.
        let status = unsafe { ffi::ps_unset_search(self.ps, c_name.as_ptr()) };
        self.check(status, &format!("dropping the <{name}> grammar"))
    }

    /// Spots `phrase` (keyword search named `name`) and makes that the active search.
    pub(super) fn spot_keyphrase(&self, name: &str, phrase: &str) -> Result<(), SpeechError> {
        let c_name = search_name(name)?;
        let c_phrase = CString::new(phrase)
            .map_err(|_| SpeechError::PocketSphinx("the wake word contains a NUL byte".into()))?;
        // SAFETY: live decoder outside an utterance, NUL-terminated strings.
        let status = unsafe { ffi::ps_set_keyphrase(self.ps, c_name.as_ptr(), c_phrase.as_ptr()) };
        self.check(status, "setting up wake-word spotting")?;
        self.set_search(name)
    }

    pub(super) fn check(&self, status: c_int, what: &str) -> Result<(), SpeechError> {
        if status < 0 {
            Err(SpeechError::PocketSphinx(format!("{what} failed")))
        } else {
            Ok(())
        }
    }

    pub(super) fn start(&mut self) -> Result<(), SpeechError> {
        // SAFETY: live decoder, outside an utterance.
        unsafe {
            ffi::roomvoice_ps_reset_cmn(self.ps);
            self.check(ffi::ps_start_utt(self.ps), "starting an utterance")
        }
    }

    /// Starts an utterance for [`Decoder::process_whole`]. The live cepstral mean is left
    /// alone: measured, setting it (as `start` does) spoils the one-call decode.
    /// Starts an utterance for [`Decoder::process_whole`]. The voice-activity detector's
    /// noise estimate is forgotten first, so the utterance decodes the same whatever the
    /// decoder heard before: without it, the same "alexa cancel" became "use off" when
    /// its second pass ran at the end of speech rather than 0.3 s of silence later.
    pub(super) fn start_whole(&mut self) -> Result<(), SpeechError> {
        // SAFETY: live decoder, outside an utterance.
        unsafe {
            ffi::roomvoice_ps_reset_noise(self.ps);
            self.check(ffi::ps_start_utt(self.ps), "starting an utterance")
        }
    }

    pub(super) fn process(&mut self, samples: &[i16]) -> Result<(), SpeechError> {
        // SAFETY: live decoder inside an utterance; the slice is valid for its length.
        let status = unsafe { ffi::ps_process_raw(self.ps, samples.as_ptr(), samples.len(), 0, 0) };
        self.check(status, "decoding audio")
    }

    /// Decodes a whole utterance in one call: the cepstral mean is the utterance's own
    /// (the library's batch mode), not the running estimate.
    pub(super) fn process_whole(&mut self, samples: &[i16]) -> Result<(), SpeechError> {
        // SAFETY: live decoder inside an utterance; the slice is valid for its length.
        let status = unsafe { ffi::ps_process_raw(self.ps, samples.as_ptr(), samples.len(), 0, 1) };
        self.check(status, "decoding an utterance")
    }

    pub(super) fn end(&mut self) -> Result<(), SpeechError> {
        // SAFETY: live decoder inside an utterance.
        let status = unsafe { ffi::ps_end_utt(self.ps) };
        self.check(status, "ending an utterance")
    }

    pub(super) fn in_speech(&self) -> bool {
        // SAFETY: live decoder.
        unsafe { ffi::ps_get_in_speech(self.ps) != 0 }
    }

    /// The first frame of each word of the best hypothesis. For the keyword spotter,
    /// frames count from when the decoder was created (they do not restart with each
    /// utterance; measured).
    pub(super) fn word_starts(&self) -> Vec<i32> {
        let mut starts = Vec::new();
        // SAFETY: live decoder; the iterator is walked to its end, which frees it.
        unsafe {
            let mut seg = ffi::ps_seg_iter(self.ps);
            while !seg.is_null() {
                let (mut first, mut last) = (0, 0);
                ffi::ps_seg_frames(seg, &mut first, &mut last);
                starts.push(first);
                seg = ffi::ps_seg_next(seg);
            }
        }
        starts
    }

    /// Adds a search named `name` that hears any sequence of phones (no language model:
    /// PocketSphinx's unconstrained phone loop; context-independent phones when the
    /// decoder was made with `-allphone_ci yes`).
    pub(super) fn add_phone_loop(&self, name: &str) -> Result<(), SpeechError> {
        let c_name = search_name(name)?;
        // SAFETY: live decoder outside an utterance; a null language model is allowed.
        let status =
            unsafe { ffi::ps_set_allphone(self.ps, c_name.as_ptr(), std::ptr::null_mut()) };
        self.check(status, "setting up the phone loop")
    }

    /// The acoustic score of the last utterance's best path (the sum over its segments,
    /// silences included) and how many frames it spans.
    pub(super) fn acoustic_score(&self) -> (i64, i32) {
        let mut total = 0i64;
        let (mut start, mut end) = (i32::MAX, -1);
        // SAFETY: live decoder; the iterator is walked to its end, which frees it.
        unsafe {
            let mut seg = ffi::ps_seg_iter(self.ps);
            while !seg.is_null() {
                let (mut first, mut last) = (0, 0);
                ffi::ps_seg_frames(seg, &mut first, &mut last);
                let (mut a, mut l, mut b) = (0, 0, 0);
                ffi::ps_seg_prob(seg, &mut a, &mut l, &mut b);
                total += i64::from(a);
                start = start.min(first);
                end = end.max(last);
                seg = ffi::ps_seg_next(seg);
            }
        }
        (total, (end - start + 1).max(0))
    }

    /// The best hypothesis so far and its path score.
    pub(super) fn hypothesis(&self) -> Option<(String, i32)> {
        let mut score = 0i32;
        // SAFETY: live decoder; the string is owned by it and copied at once.
        let text = unsafe {
            let ptr = ffi::ps_get_hyp(self.ps, &mut score);
            if ptr.is_null() {
                return None;
            }
            CStr::from_ptr(ptr).to_string_lossy().into_owned()
        };
        Some((text, score))
    }
}

impl Drop for Decoder {
    fn drop(&mut self) {
        // SAFETY: both were created by this Decoder and are freed once.
        unsafe {
            ffi::ps_free(self.ps);
            ffi::cmd_ln_free_r(self.config);
        }
    }
}

#[cfg(roomvoice_pocketsphinx)]
fn cstring(text: &str) -> Result<CString, SpeechError> {
    CString::new(text)
        .map_err(|_| SpeechError::PocketSphinx(format!("{text:?} contains a NUL byte")))
}

pub(super) fn path_str(path: &Path, what: &str) -> Result<String, SpeechError> {
    if !path.exists() {
        return Err(SpeechError::PocketSphinx(format!(
            "{what} {} does not exist; install pocketsphinx-en-us (device/setup.sh does) or fix [speech] in the config",
            path.display()
        )));
    }
    Ok(path.to_string_lossy().into_owned())
}

fn search_name(search: &str) -> Result<CString, SpeechError> {
    CString::new(search).map_err(|_| SpeechError::PocketSphinx("search name".into()))
}

/// The dictionary a decoder opens with: none, its words come from [`dictionary_entries`].
pub(super) const EMPTY_DICTIONARY: &str = "/dev/null";

/// The entries of the pronunciation dictionary at `path` (CMU format: `word phones`,
/// `word(2) phones` for alternatives) whose word is in `words`, read line by line. Loading
/// CMU's whole dictionary (135,000 words) into each decoder cost 25 MB and 90 ms at
/// every start, measured on the 2-core development machine; the phrase set and the
/// chatter path use about 550 entries.
pub(super) fn dictionary_entries(
    path: &Path,
    words: &BTreeSet<String>,
) -> Result<Vec<(String, String)>, SpeechError> {
    use std::io::BufRead;
    let unreadable = |e: std::io::Error| {
        SpeechError::PocketSphinx(format!(
            "cannot read the pronunciation dictionary {}: {e}; install pocketsphinx-en-us (device/setup.sh does) or fix [speech] pocketsphinx_dict",
            path.display()
        ))
    };
    let wanted: std::collections::HashSet<&[u8]> = words.iter().map(|w| w.as_bytes()).collect();
    let mut reader = std::io::BufReader::new(std::fs::File::open(path).map_err(unreadable)?);
    let mut entries = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).map_err(unreadable)? == 0 {
            break;
        }
        let Some(space) = line.iter().position(|b| b.is_ascii_whitespace()) else {
            continue;
        };
        let entry = &line[..space];
        let word = entry.split(|b| *b == b'(').next().unwrap_or(entry);
        if !wanted.contains(word) {
            continue;
        }
        let phones = String::from_utf8_lossy(&line[space..]).trim().to_string();
        if !phones.is_empty() {
            entries.push((String::from_utf8_lossy(entry).into_owned(), phones));
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::dictionary_entries;
    use std::collections::BTreeSet;

    #[test]
    fn only_the_phrase_sets_words_are_taken_from_the_dictionary_with_their_alternatives() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("dict");
        std::fs::write(
            &path,
            "alexa AH L EH K S AH\nthe DH AH\nthe(2) DH IY\ntheir DH EH R\nthere(2) DH ER\n\nbroken\n",
        )
        .expect("write");
        let words: BTreeSet<String> = ["the", "alexa", "missing"].map(String::from).into();
        let entries = dictionary_entries(&path, &words).expect("read");
        assert_eq!(
            entries,
            vec![
                ("alexa".to_string(), "AH L EH K S AH".to_string()),
                ("the".to_string(), "DH AH".to_string()),
                ("the(2)".to_string(), "DH IY".to_string()),
            ]
        );
        let err = dictionary_entries(&dir.path().join("nope"), &words)
            .unwrap_err()
            .to_string();
        assert!(err.contains("pocketsphinx_dict"), "{err}");
    }
}
