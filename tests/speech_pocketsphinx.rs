//! PocketSphinx in English on the device's real phrase set: spoken commands made with
//! espeak-ng across voices, speeds and added noise must be understood as the right
//! intent and slots, and non-commands (no wake word, other requests, chatter, silence,
//! noise) must not trigger anything.
//!
//! Synthetic voices are hard for the US English acoustic model, so some tests allow a
//! documented number of misses: each floor below is the figure measured on this set
//! (README, "[speech]"), minus a small margin, so a real regression still fails.
#![cfg(roomvoice_pocketsphinx)]

use crate::support;
use std::path::Path;

use roomvoice::intent::{Expecting, Intent};
use roomvoice::speech::pocketsphinx::{PocketSphinxEngine, Settings};
use roomvoice::speech::session::recognise;
use roomvoice::speech::{Engine, Heard, PhraseSet, SpeechError};

const VOICES: [&str; 4] = ["en-us", "en-gb", "en-us+f3", "en-us+m3"];

/// Commands and the intent each must give.
fn commands() -> Vec<(&'static str, Intent)> {
    vec![
        ("alexa start my meeting", Intent::StartMeeting),
        ("alexa join my meeting", Intent::StartMeeting),
        ("alexa end the meeting", Intent::EndMeeting),
        ("alexa is this room free", Intent::RoomFree),
        ("alexa who booked this room", Intent::WhoBooked),
        (
            "alexa book this room for thirty minutes",
            Intent::BookRoom {
                minutes: Some(30),
                until: None,
            },
        ),
        ("alexa cancel", Intent::Cancel),
        ("alexa check in", Intent::CheckIn),
    ]
}

const NON_COMMANDS: [&str; 8] = [
    "we should start the meeting soon",
    "what's the weather like",
    "play some music",
    "can you pass me the report please",
    "i think the room is free after lunch",
    "start my meeting",
    "hello everyone thanks for coming",
    "i'll book the room for tomorrow",
];

/// More non-commands, for the accuracy table: the first ten were used when the chatter
/// path's weight was chosen, the last twelve were written afterwards and used for nothing
/// else (a held-out check).
const MORE_NON_COMMANDS: [&str; 22] = [
    "the projector is not working again",
    "let me share my screen",
    "can everyone hear me",
    "who is taking notes today",
    "i will send the slides after the call",
    "the next item on the agenda is the budget",
    "alex can you start the presentation",
    "is anyone free for lunch",
    "we need more chairs in here",
    "book a table for two at noon",
    // held out
    "does anyone know the wifi password",
    "sorry i am late the traffic was terrible",
    "let us take a five minute break",
    "could you move the camera a little to the left",
    "my laptop battery is almost dead",
    "the client wants the proposal by friday",
    "turn the lights down please",
    "we are over time let us wrap up",
    "who has the marker for the whiteboard",
    "i asked alexa about the weather last week",
    "remind me to email the design team",
    "is the coffee machine working",
];

fn engine() -> PocketSphinxEngine {
    let phrases = PhraseSet::from_grammar(&roomvoice::intent::grammar("alexa")).expect("phrases");
    PocketSphinxEngine::open(&Settings::default(), &phrases).expect("pocketsphinx")
}

fn heard(engine: &mut PocketSphinxEngine, wav: &Path, expecting: Expecting) -> Intent {
    let samples = support::speech::samples(wav);
    recognise(engine, &samples, "alexa", expecting)
        .expect("recognise")
        .intent
}

/// Correct intents among the commands for one voice/speed/noise condition.
fn score_commands(
    engine: &mut PocketSphinxEngine,
    dir: &Path,
    voice: &str,
    speed: u32,
    snr: Option<f64>,
) -> usize {
    let mut correct = 0;
    for (i, (text, want)) in commands().into_iter().enumerate() {
        let mut wav =
            support::speech::speak(dir, &format!("{voice}-{speed}-{i}"), voice, speed, text);
        if let Some(snr) = snr {
            wav = support::speech::add_noise(dir, &wav, snr);
        }
        let got = heard(engine, &wav, Expecting::Command);
        eprintln!("{voice} {speed} {snr:?} {text:?} -> {got:?}");
        if got == want {
            correct += 1;
        }
    }
    correct
}

fn false_triggers(engine: &mut PocketSphinxEngine, dir: &Path, voice: &str, speed: u32) -> usize {
    false_triggers_among(engine, dir, voice, speed, &NON_COMMANDS)
}

fn false_triggers_among(
    engine: &mut PocketSphinxEngine,
    dir: &Path,
    voice: &str,
    speed: u32,
    sentences: &[&str],
) -> usize {
    let mut triggered = 0;
    for (i, text) in sentences.iter().enumerate() {
        let name = format!("non-{voice}-{speed}-{}-{i}", sentences.len());
        let wav = support::speech::speak(dir, &name, voice, speed, text);
        let got = heard(engine, &wav, Expecting::Command);
        if got != Intent::None {
            eprintln!("false trigger: {voice} {speed} {text:?} -> {got:?}");
            triggered += 1;
        }
    }
    triggered
}

#[test]
fn commands_across_voices_are_understood_with_their_slots() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut engine = engine();
    let per_voice: Vec<usize> = VOICES
        .iter()
        .map(|voice| score_commands(&mut engine, tmp.path(), voice, 160, None))
        .collect();
    let total: usize = per_voice.iter().sum();
    eprintln!("commands understood per voice {VOICES:?}: {per_voice:?}, total {total} of 32");
    // Measured: 31 of 32, per voice [8, 7, 8, 8] (README).
    assert!(total >= 29, "{per_voice:?}");
    assert!(per_voice.iter().all(|&n| n >= 6), "{per_voice:?}");
}

#[test]
fn commands_at_other_speeds_and_in_noise() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut engine = engine();
    let slow = score_commands(&mut engine, tmp.path(), "en-us", 140, None);
    let fast = score_commands(&mut engine, tmp.path(), "en-us", 175, None);
    let noisy20 = score_commands(&mut engine, tmp.path(), "en-us", 160, Some(20.0));
    let noisy10 = score_commands(&mut engine, tmp.path(), "en-us", 160, Some(10.0));
    eprintln!(
        "en-us: 140 wpm {slow}/8, 175 wpm {fast}/8, 20 dB SNR {noisy20}/8, 10 dB SNR {noisy10}/8"
    );
    // Measured: 8 of 8 in each.
    assert!(slow >= 7, "140 wpm: {slow}/8");
    assert!(fast >= 7, "175 wpm: {fast}/8");
    assert!(noisy20 >= 7, "20 dB: {noisy20}/8");
    assert!(noisy10 >= 6, "10 dB: {noisy10}/8");
}

#[test]
fn non_commands_rarely_trigger_and_silence_and_noise_never() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut engine = engine();
    let per_voice: Vec<usize> = VOICES
        .iter()
        .map(|voice| false_triggers(&mut engine, tmp.path(), voice, 160))
        .collect();
    let total: usize = per_voice.iter().sum();
    eprintln!("false triggers per voice {VOICES:?}: {per_voice:?}, total {total} of 32");
    // Measured: none (1 of 32 before the chatter path, in en-us+f3's voice).
    assert!(total <= 1, "{per_voice:?}");

    // Silence and noise: nothing at all.
    let silence = tmp.path().join("silence.wav");
    support::speech::write(&silence, &vec![0i16; 16_000 * 3]);
    assert_eq!(
        heard(&mut engine, &silence, Expecting::Command),
        Intent::None
    );
    let quiet = tmp.path().join("quiet.wav");
    support::speech::write(&quiet, &vec![0i16; 16_000 * 3]);
    let hiss = support::speech::add_noise(tmp.path(), &quiet, -40.0);
    assert_eq!(heard(&mut engine, &hiss, Expecting::Command), Intent::None);
}

#[test]
fn meeting_room_chatter_is_not_taken_for_commands() {
    // Sentences a room hears, some with command words ("start the presentation", "book
    // a table"), one with the wake word inside ("i asked alexa about ...").
    let tmp = tempfile::tempdir().expect("tmp");
    let mut engine = engine();
    let triggered: usize = ["en-us", "en-gb"]
        .iter()
        .map(|voice| false_triggers_among(&mut engine, tmp.path(), voice, 160, &MORE_NON_COMMANDS))
        .sum();
    // Measured: none of 44.
    assert!(triggered <= 1, "{triggered} of 44");
}

#[test]
fn answers_need_no_wake_word_when_the_device_asked() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut engine = engine();
    let yes = support::speech::speak(tmp.path(), "yes", "en-us", 160, "yes please");
    assert_eq!(heard(&mut engine, &yes, Expecting::YesNo), Intent::Yes);
    let no = support::speech::speak(tmp.path(), "no", "en-us", 160, "no");
    let r = recognise(
        &mut engine,
        &support::speech::samples(&no),
        "alexa",
        Expecting::YesNo,
    )
    .expect("no");
    assert_eq!(r.intent, Intent::No, "{:?}", r.utterances);
    // The same "yes" as a first turn is not a command (no wake word).
    assert_eq!(heard(&mut engine, &yes, Expecting::Command), Intent::None);
    // Digits: a meeting ID is heard as digits (espeak-ng's fast digits are hard; the
    // digit count is what this checks).
    let digits = support::speech::speak(
        tmp.path(),
        "digits",
        "en-us",
        130,
        "four one four three seven six",
    );
    match heard(&mut engine, &digits, Expecting::Pin) {
        Intent::Pin { digits } | Intent::MeetingId { digits } => {
            assert!((5..=8).contains(&digits.len()), "{digits}")
        }
        other => panic!("digits heard as {other:?}"),
    }
}

#[test]
fn digit_answers_are_heard_exactly_in_most_voices() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut engine = engine();
    let per_voice: Vec<usize> = VOICES
        .iter()
        .map(|voice| score_digits(&mut engine, tmp.path(), voice, 130, &DIGIT_ANSWERS))
        .collect();
    let total: usize = per_voice.iter().sum();
    eprintln!("digit answers exact per voice {VOICES:?}: {per_voice:?}, total {total} of 12");
    // Measured: 6 of 12, per voice [2, 1, 2, 1] (1 of 12 before the noise floor,
    // insertion penalty and second pass).
    assert!(total >= 5, "{per_voice:?}");
}

#[test]
fn one_recording_decodes_the_same_whatever_came_before() {
    // The live cepstral mean is reset per utterance: a loud noisy clip before must not
    // change how the next one is heard.
    let tmp = tempfile::tempdir().expect("tmp");
    let mut engine = engine();
    let command =
        support::speech::speak(tmp.path(), "cmd", "en-us", 160, "alexa is this room free");
    let samples = support::speech::samples(&command);
    let first = recognise(&mut engine, &samples, "alexa", Expecting::Command).expect("first");
    let noise = support::speech::add_noise(tmp.path(), &command, -10.0);
    recognise(
        &mut engine,
        &support::speech::samples(&noise),
        "alexa",
        Expecting::Command,
    )
    .expect("noise");
    let again = recognise(&mut engine, &samples, "alexa", Expecting::Command).expect("again");
    assert_eq!(first.intent, Intent::RoomFree);
    assert_eq!(
        first.utterances.iter().map(|u| &u.text).collect::<Vec<_>>(),
        again.utterances.iter().map(|u| &u.text).collect::<Vec<_>>()
    );
}

/// Every final utterance of `samples` fed in pieces of `piece` samples.
fn finals_in_pieces(engine: &mut PocketSphinxEngine, samples: &[i16], piece: usize) -> Vec<String> {
    engine.reset().expect("reset");
    engine.expect(Expecting::Pin).expect("expect");
    let mut heard = Vec::new();
    for chunk in samples.chunks(piece) {
        heard.extend(engine.feed(chunk).expect("feed"));
    }
    heard.extend(engine.finish().expect("finish"));
    heard
        .into_iter()
        .filter_map(|h| match h {
            Heard::Final(u) => Some(format!("{} {:.2}-{:.2}", u.text, u.start_s, u.end_s)),
            Heard::Partial(_) | Heard::Wake { .. } | Heard::NotACommand { .. } => None,
        })
        .collect()
}

#[test]
fn how_the_audio_is_cut_into_chunks_changes_nothing() {
    // A microphone delivers pieces of any size, the noise suppressor whole 10 ms frames:
    // the same digits must come out, at the same times.
    let tmp = tempfile::tempdir().expect("tmp");
    let wav = support::speech::speak(
        tmp.path(),
        "pin",
        "en-us",
        140,
        "four one four three seven six",
    );
    let samples = support::speech::samples(&wav);
    let mut engine = engine();
    let whole_steps = finals_in_pieces(&mut engine, &samples, 1600);
    assert!(!whole_steps.is_empty());
    for piece in [160, 777, 2500] {
        assert_eq!(
            finals_in_pieces(&mut engine, &samples, piece),
            whole_steps,
            "pieces of {piece}"
        );
    }
}

#[test]
fn partials_stream_and_finals_carry_times() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut engine = engine();
    let wav = support::speech::speak(tmp.path(), "p", "en-us", 160, "alexa who booked this room");
    let samples = support::speech::samples(&wav);
    engine.reset().expect("reset");
    let mut partials = 0;
    let mut finals = Vec::new();
    for chunk in samples.chunks(1600) {
        for h in engine.feed(chunk).expect("feed") {
            match h {
                Heard::Partial(_) => partials += 1,
                Heard::Final(u) => finals.push(u),
                Heard::Wake { .. } | Heard::NotACommand { .. } => {
                    panic!("the engine alone has no detector")
                }
            }
        }
    }
    finals.extend(
        engine
            .finish()
            .expect("finish")
            .into_iter()
            .filter_map(|h| match h {
                Heard::Final(u) => Some(u),
                Heard::Partial(_) | Heard::Wake { .. } | Heard::NotACommand { .. } => None,
            }),
    );
    assert!(partials >= 2, "{partials} partials");
    let u = finals.iter().find(|u| !u.text.is_empty()).expect("a final");
    // 0.5 s of silence, then about 1.5 s of speech, then 0.8 s of silence.
    assert!(u.start_s >= 0.2 && u.start_s <= 0.8, "{u:?}");
    assert!(
        u.end_s > u.start_s + 0.8 && u.end_s <= samples.len() as f64 / 16_000.0,
        "{u:?}"
    );
}

#[test]
fn a_wake_word_the_dictionary_lacks_is_an_error() {
    let phrases = PhraseSet::from_grammar(&roomvoice::intent::grammar("zorblax")).expect("phrases");
    match PocketSphinxEngine::open(&Settings::default(), &phrases) {
        Err(SpeechError::UnknownWords { words, .. }) => assert_eq!(words, vec!["zorblax"]),
        Err(other) => panic!("wrong error: {other}"),
        Ok(_) => panic!("an unknown wake word must be refused"),
    }
}

/// Digit answers (meeting IDs and PINs, as the device asks for them) and what each
/// must give. The noise floor, insertion penalty and second pass were tuned on these.
const DIGIT_ANSWERS: [(&str, &str); 3] = [
    (
        "eight five five one two three four five six seven eight",
        "85512345678",
    ),
    ("four one four three seven six", "414376"),
    ("nine three zero two six one eight", "9302618"),
];

/// Digit answers nothing was tuned on, for the accuracy table (spoken at 150 wpm).
const HELD_OUT_DIGIT_ANSWERS: [(&str, &str); 4] = [
    ("six two eight zero four nine one three five", "628049135"),
    ("three one seven seven two", "31772"),
    (
        "five oh nine eight six four two one zero three",
        "5098642103",
    ),
    ("two four six eight", "2468"),
];

/// Digit answers heard exactly, for one voice.
fn score_digits(
    engine: &mut PocketSphinxEngine,
    dir: &Path,
    voice: &str,
    speed: u32,
    answers: &[(&str, &str)],
) -> usize {
    let mut exact = 0;
    for (i, (text, want)) in answers.iter().enumerate() {
        let name = format!("digits-{voice}-{speed}-{i}");
        let wav = support::speech::speak(dir, &name, voice, speed, text);
        let got = heard(engine, &wav, Expecting::MeetingId);
        eprintln!("{voice} {speed} {text:?} -> {got:?}");
        if matches!(&got, Intent::MeetingId { digits } if digits == want) {
            exact += 1;
        }
    }
    exact
}

/// The accuracy table of README's "[speech]" section, printed:
/// `cargo test --test integration -- --ignored --nocapture accuracy_table`.
#[test]
#[ignore = "a measurement (about a minute): run it with --ignored --nocapture"]
fn accuracy_table() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut engine = engine();
    let mut rows = Vec::new();
    for voice in VOICES {
        let understood = score_commands(&mut engine, tmp.path(), voice, 160, None);
        let triggered = false_triggers(&mut engine, tmp.path(), voice, 160);
        let tuning = false_triggers_among(
            &mut engine,
            tmp.path(),
            voice,
            160,
            &MORE_NON_COMMANDS[..10],
        );
        let held_out = false_triggers_among(
            &mut engine,
            tmp.path(),
            voice,
            160,
            &MORE_NON_COMMANDS[10..],
        );
        let digits = score_digits(&mut engine, tmp.path(), voice, 130, &DIGIT_ANSWERS);
        let digits_held_out =
            score_digits(&mut engine, tmp.path(), voice, 150, &HELD_OUT_DIGIT_ANSWERS);
        rows.push(format!(
            "| {voice}, 160 wpm | {understood}/8 | {triggered}/8, {tuning}/10, {held_out}/12 | {digits}/{} | {digits_held_out}/{} |",
            DIGIT_ANSWERS.len(),
            HELD_OUT_DIGIT_ANSWERS.len()
        ));
    }
    for (speed, snr) in [
        (140, None),
        (175, None),
        (160, Some(20.0)),
        (160, Some(10.0)),
    ] {
        let understood = score_commands(&mut engine, tmp.path(), "en-us", speed, snr);
        let noise = snr.map_or(String::new(), |s| format!(", pink noise at {s} dB SNR"));
        rows.push(format!(
            "| en-us, {speed} wpm{noise} | {understood}/8 | | | |"
        ));
    }
    println!("| PocketSphinx condition | commands understood | non-commands triggered (set 1, set 2, held out) | digit answers exact (130 wpm) | held-out digit answers exact (150 wpm) |");
    println!("|---|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
}

/// A recording as the live loop's microphone: 100 ms chunks, then a second of silence,
/// then it sets the stop flag (as Ctrl-C would).
struct Recording<'a> {
    samples: Vec<i16>,
    at: usize,
    stop: &'a std::sync::atomic::AtomicBool,
}

impl roomvoice::device::AudioSource for Recording<'_> {
    fn next_chunk(
        &mut self,
        _wait: std::time::Duration,
    ) -> Result<Option<Vec<i16>>, roomvoice::audio::AudioError> {
        if self.at >= self.samples.len() {
            self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
            return Ok(None);
        }
        let end = (self.at + 1600).min(self.samples.len());
        let chunk = self.samples[self.at..end].to_vec();
        self.at = end;
        Ok(Some(chunk))
    }
}

/// The engine and the assistant of `config`'s device at `now` (RFC 3339), speaking
/// aloud when `speak`.
fn device_at(
    config: &roomvoice::config::Config,
    now: &str,
    speak: bool,
) -> (Box<dyn Engine>, roomvoice::assistant::Assistant) {
    let engine = roomvoice::speech::open(&config.speech_setup()).expect("engine");
    let now = chrono::DateTime::parse_from_rfc3339(now)
        .expect("time")
        .with_timezone(&chrono::Utc);
    let assistant = config
        .open_assistant(roomvoice::assistant::Clock::Fixed(now), speak)
        .expect("assistant");
    (engine, assistant)
}

/// What the live loop did with `microphone` until the microphone set `stop`.
fn listen_until_stopped(
    microphone: &mut dyn roomvoice::device::AudioSource,
    engine: &mut dyn Engine,
    assistant: &mut roomvoice::assistant::Assistant,
    stop: &std::sync::atomic::AtomicBool,
) -> roomvoice::events::Collect {
    let mut sink = roomvoice::events::Collect::default();
    roomvoice::device::listen(microphone, engine, assistant, stop, &mut sink)
        .expect("the loop runs until stopped");
    sink
}

#[test]
fn the_live_loop_joins_the_meeting_heard_and_stops_when_told() {
    let config = roomvoice::config::Config::demo().expect("demo config");
    // 10:05 in Los Angeles is inside the demo room's daily Zoom meeting.
    let (mut engine, mut assistant) = device_at(&config, "2026-11-23T10:05:00-08:00", false);
    let clip = roomvoice::audio::read_audio(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("device/demo/audio/start_meeting.wav"),
    )
    .expect("recording");
    let mut samples = clip.samples;
    samples.extend(std::iter::repeat_n(0, 16_000));
    let stop = std::sync::atomic::AtomicBool::new(false);
    let mut microphone = Recording {
        samples,
        at: 0,
        stop: &stop,
    };
    let sink = listen_until_stopped(&mut microphone, engine.as_mut(), &mut assistant, &stop);
    let joins: Vec<_> = sink
        .0
        .iter()
        .filter_map(|e| match e {
            roomvoice::events::Event::Join { plan, .. } => Some(plan),
            _ => None,
        })
        .collect();
    assert_eq!(joins.len(), 1, "{:?}", sink.0);
    assert_eq!(joins[0].provider, "zoom");
    assert_eq!(joins[0].meeting_id.as_deref(), Some("85512345678"));
}

/// Every final utterance (text and where it was heard) of `samples` fed in 100 ms
/// chunks, with the stream position (seconds) at which each came.
fn finals_with_arrival(
    engine: &mut PocketSphinxEngine,
    samples: &[i16],
) -> Vec<(String, f64, f64)> {
    let mut finals = Vec::new();
    let mut fed = 0;
    for chunk in samples.chunks(1600) {
        fed += chunk.len();
        for h in engine.feed(chunk).expect("feed") {
            if let Heard::Final(u) = h {
                finals.push((u.text, u.end_s, fed as f64 / 16_000.0));
            }
        }
    }
    for h in engine.finish().expect("finish") {
        if let Heard::Final(u) = h {
            finals.push((u.text, u.end_s, samples.len() as f64 / 16_000.0));
        }
    }
    finals.retain(|(text, _, _)| !text.is_empty());
    finals
}

#[test]
fn a_short_pause_does_not_cut_a_command_and_the_result_waits_for_the_silence() {
    // The result is decided when the detector reports the end of speech, before the
    // silence that ends an utterance is over; speech within that silence continues the
    // same utterance, and the result still comes only once the silence is long enough.
    let tmp = tempfile::tempdir().expect("tmp");
    let settings = Settings {
        wake_threshold: None,
        ..Settings::default()
    };
    let phrases = PhraseSet::from_grammar(&roomvoice::intent::grammar("alexa")).expect("phrases");
    let mut engine = PocketSphinxEngine::open(&settings, &phrases).expect("pocketsphinx");
    let whole = support::speech::speak_with_pause(
        tmp.path(),
        "paused",
        "en-us",
        150,
        "alexa book this room",
        "for thirty minutes",
        0.3,
    );
    let finals = finals_with_arrival(&mut engine, &support::speech::samples(&whole));
    assert_eq!(finals.len(), 1, "{finals:?}");
    let (text, end_s, arrived_s) = &finals[0];
    assert_eq!(text, "alexa book this room for thirty minutes");
    assert!(
        arrived_s - end_s >= 0.45,
        "the result came {:.2} s after the speech ended, before the silence was long enough",
        arrived_s - end_s
    );

    // A pause longer than that silence: two utterances.
    let split = support::speech::speak_with_pause(
        tmp.path(),
        "split",
        "en-us",
        150,
        "alexa book this room",
        "for thirty minutes",
        1.2,
    );
    engine.reset().expect("reset");
    let finals = finals_with_arrival(&mut engine, &support::speech::samples(&split));
    assert_eq!(
        finals.first().map(|f| f.0.as_str()),
        Some("alexa book this room"),
        "{finals:?}"
    );
}

#[test]
fn digits_said_in_groups_are_one_answer() {
    // A PIN said "eight five five ... one two three": the first group is too short to
    // end the answer, so the pause is waited through and the answer decoded whole.
    let tmp = tempfile::tempdir().expect("tmp");
    let mut engine = engine();
    let wav = support::speech::speak_with_pause(
        tmp.path(),
        "groups",
        "en-us",
        140,
        "eight five five",
        "one two three",
        0.6,
    );
    engine.reset().expect("reset");
    engine.expect(Expecting::Pin).expect("expect");
    let finals = finals_with_arrival(&mut engine, &support::speech::samples(&wav));
    assert_eq!(finals.len(), 1, "{finals:?}");
    assert_eq!(finals[0].0, "eight five five one two three");
}

#[test]
fn a_lead_in_before_the_digits_is_not_heard_as_digits() {
    // "my meeting id is ..." had no place in the digit search, so its words were forced
    // into digits ("nine eight nine eight two oh six ...") and the ID was wrong.
    let tmp = tempfile::tempdir().expect("tmp");
    let mut engine = engine();
    let meeting_id = support::speech::speak_with_pause(
        tmp.path(),
        "meeting-id",
        "en-us",
        140,
        "my meeting id is two oh six",
        "nine four four seven three one five",
        0.6,
    );
    assert_eq!(
        heard(&mut engine, &meeting_id, Expecting::MeetingId),
        Intent::MeetingId {
            digits: "2069447315".into()
        }
    );
    let pin = support::speech::speak(
        tmp.path(),
        "pin",
        "en-us",
        140,
        "the pin is four one four three seven six",
    );
    assert_eq!(
        heard(&mut engine, &pin, Expecting::Pin),
        Intent::Pin {
            digits: "414376".into()
        }
    );
}

#[test]
fn digits_heard_clearly_are_sure_and_digits_forced_on_other_speech_are_read_back() {
    // The confidence of a digit answer (below 0.8 the device reads it back) comes from
    // how well its words, aligned alone, fit the audio against any sequence of phones.
    let tmp = tempfile::tempdir().expect("tmp");
    let mut engine = engine();
    let clear = support::speech::speak(
        tmp.path(),
        "clear",
        "en-us",
        140,
        "my meeting id is four one four three seven six",
    );
    let r = recognise(
        &mut engine,
        &support::speech::samples(&clear),
        "alexa",
        Expecting::Pin,
    )
    .expect("clear");
    assert_eq!(
        r.intent,
        Intent::Pin {
            digits: "414376".into()
        }
    );
    assert!(r.confidence.is_some_and(|c| c >= 0.8), "{:?}", r.utterances);
    for (i, other) in [
        "we should order lunch for the whole team today",
        "the projector in this room is broken again",
    ]
    .iter()
    .enumerate()
    {
        let wav = support::speech::speak(tmp.path(), &format!("other-{i}"), "en-us", 140, other);
        let r = recognise(
            &mut engine,
            &support::speech::samples(&wav),
            "alexa",
            Expecting::Pin,
        )
        .expect("other");
        eprintln!("{other:?} -> {:?} {:?}", r.intent, r.utterances);
        if matches!(r.intent, Intent::Pin { .. }) {
            assert!(r.confidence.is_some_and(|c| c < 0.8), "{:?}", r.utterances);
        }
    }
}

/// A room's microphone that also hears the device's loudspeaker: the user's recording
/// in 100 ms chunks, and every sentence the device says (its TTS command writes it to
/// `said`) spoken by espeak-ng into the microphone's queue as the device says it, ahead
/// of the rest of the recording. Stops like [`Recording`].
struct MicrophoneNearSpeaker<'a> {
    recording: Recording<'a>,
    said: std::path::PathBuf,
    sentences_heard: usize,
    queued: std::collections::VecDeque<i16>,
    dir: &'a Path,
}

impl MicrophoneNearSpeaker<'_> {
    /// The device's new sentences, into the queue as the microphone picked them up.
    fn hear_the_speaker(&mut self) {
        let said = std::fs::read_to_string(&self.said).unwrap_or_default();
        for sentence in said.lines().skip(self.sentences_heard) {
            let name = format!("said-{}", self.sentences_heard);
            let wav = support::speech::speak(self.dir, &name, "en-us", 160, sentence);
            self.queued.extend(support::speech::samples(&wav));
            self.sentences_heard += 1;
        }
    }
}

impl roomvoice::device::AudioSource for MicrophoneNearSpeaker<'_> {
    fn next_chunk(
        &mut self,
        wait: std::time::Duration,
    ) -> Result<Option<Vec<i16>>, roomvoice::audio::AudioError> {
        self.hear_the_speaker();
        if !self.queued.is_empty() {
            let n = self.queued.len().min(1600);
            return Ok(Some(self.queued.drain(..n).collect()));
        }
        self.recording.next_chunk(wait)
    }

    fn discard_queued(&mut self) -> Result<usize, roomvoice::audio::AudioError> {
        self.hear_the_speaker();
        let n = self.queued.len();
        self.queued.clear();
        Ok(n)
    }
}

#[test]
fn the_device_does_not_take_its_own_question_for_the_answer() {
    let tmp = tempfile::tempdir().expect("tmp");
    let said = tmp.path().join("said.txt");
    let mut config = roomvoice::config::Config::demo().expect("demo config");
    // The loudspeaker: each sentence the device says is written down (the test's
    // microphone then hears it).
    config.voice.tts = roomvoice::voice::TtsMode::Command;
    config.voice.command = vec![
        "sh".into(),
        "-c".into(),
        format!("printf '%s\\n' \"$0\" >> '{}'", said.display()),
    ];
    config.voice.earcon = false;
    // 12:35: nothing on the calendar, so "start my meeting" asks "Do you want to start
    // a new meeting?", which espeak-ng's voice through the microphone is heard as "do
    // not" when the device listens to itself.
    let (mut engine, mut assistant) = device_at(&config, "2026-11-23T12:35:00-08:00", true);
    let mut samples = support::speech::samples(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("device/demo/audio/start_meeting.wav"),
    );
    samples.extend(std::iter::repeat_n(0, 16_000));
    let yes = support::speech::speak(tmp.path(), "yes", "en-us", 160, "yes");
    samples.extend(support::speech::samples(&yes));
    samples.extend(std::iter::repeat_n(0, 32_000));
    let stop = std::sync::atomic::AtomicBool::new(false);
    let mut microphone = MicrophoneNearSpeaker {
        recording: Recording {
            samples,
            at: 0,
            stop: &stop,
        },
        said: said.clone(),
        sentences_heard: 0,
        queued: std::collections::VecDeque::new(),
        dir: tmp.path(),
    };
    let sink = listen_until_stopped(&mut microphone, engine.as_mut(), &mut assistant, &stop);
    let intents: Vec<&str> = sink
        .0
        .iter()
        .filter_map(|e| match e {
            roomvoice::events::Event::Intent { intent, .. } => Some(intent.name()),
            _ => None,
        })
        .collect();
    assert_eq!(intents, ["start_meeting", "yes"], "{:?}", sink.0);
    // Then the recording ends with the question open, and the device gives up on it.
    let spoken = std::fs::read_to_string(&said).expect("the device spoke");
    assert_eq!(
        spoken.lines().take(2).collect::<Vec<_>>(),
        [
            "Do you want to start a new meeting?",
            "What is your meeting ID?"
        ],
        "{:?}",
        sink.0
    );
}
