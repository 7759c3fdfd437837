//! What the device does with the recogniser's confidence, through the library: spoken
//! digits are read back before they are dialed (all of them by default, those heard
//! uncertainly with `read_back_digits = "uncertain"`), and an action heard uncertainly
//! is confirmed first. Typed text (`ask`) is never doubted.

use crate::support;
use crate::support::ics::said;

use chrono::{DateTime, Utc};
use roomvoice::assistant::{Assistant, Clock};
use roomvoice::events::{Collect, Event};

/// Nothing on the calendar at 12:35: "start my meeting" offers a new meeting, asks for
/// the meeting ID and the PIN (Zoom, the room's provider).
const EMPTY_DAY: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:late\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261123T230000Z\r\nDTEND:20261123T233000Z\r\nSUMMARY:Late sync\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

fn open(extra: &str) -> (support::ics::Room, Assistant) {
    let room = support::ics::room_with_config(EMPTY_DAY, "UTC", extra);
    let mut config = room.config.clone();
    // The room's own conferencing service: a meeting ID alone is enough to dial.
    config.room.provider = Some("zoom".into());
    let assistant = config
        .open_assistant(Clock::Fixed(at("2026-11-23T12:35:00Z")), false)
        .expect("open");
    (room, assistant)
}

/// The demo meeting's ID and PIN as spoken.
const MEETING_ID: &str = "eight five five one two three four five six seven eight";
const PIN: &str = "four one four three seven six";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("time")
        .with_timezone(&Utc)
}

/// What the device says to one utterance heard with `confidence`.
fn reply(assistant: &mut Assistant, text: &str, confidence: f32) -> Vec<String> {
    let mut sink = Collect::default();
    assistant.hear_spoken(text, Some(confidence), &mut sink);
    said(&sink)
}

fn joined(sink: &Collect) -> Vec<(Option<String>, Option<String>)> {
    sink.0
        .iter()
        .filter_map(|e| match e {
            Event::Join { plan, .. } => Some((plan.meeting_id.clone(), plan.passcode.clone())),
            _ => None,
        })
        .collect()
}

/// Up to "What is your meeting ID?".
fn asked_for_the_id(assistant: &mut Assistant) {
    let mut sink = Collect::default();
    assistant.hear_spoken("alexa start my meeting", Some(1.0), &mut sink);
    assistant.hear_spoken("yes", Some(1.0), &mut sink);
    assert_eq!(
        said(&sink).last().map(String::as_str),
        Some("What is your meeting ID?"),
        "{:?}",
        sink.0
    );
}

/// Read back only what the recogniser was unsure of.
const UNCERTAIN_READ_BACK: &str = "\n[assistant]\nread_back_digits = \"uncertain\"\n";

#[test]
fn by_default_every_spoken_meeting_id_and_pin_is_read_back_and_typed_ones_are_not() {
    let (_room, mut assistant) = at_the_id_question("");
    // Heard with full confidence, still read back: a wrong meeting ID would put the
    // room into somebody else's meeting.
    assert_eq!(
        reply(&mut assistant, MEETING_ID, 1.0),
        ["I heard 8 5 5, 1 2 3, 4 5 6, 7 8. Is that right?"]
    );
    assert_eq!(
        reply(&mut assistant, "yes", 1.0),
        ["What is your meeting PIN?"]
    );
    pin_read_back_then_joined(&mut assistant, 1.0);

    // Typed (`ask`): the digits are what was typed, dialed without a read-back.
    let (_room, mut assistant) = open("");
    let mut sink = Collect::default();
    for text in ["alexa start my meeting", "yes", MEETING_ID, PIN] {
        assistant.hear(text, &mut sink);
    }
    assert!(
        !said(&sink).iter().any(|s| s.contains("Is that right?")),
        "{:?}",
        said(&sink)
    );
    assert_eq!(
        joined(&sink),
        [(Some("85512345678".into()), Some("414376".into()))]
    );
}

#[test]
fn an_uncertain_meeting_id_is_read_back_and_a_no_asks_again() {
    let (_room, mut assistant) = at_the_id_question(UNCERTAIN_READ_BACK);
    assert_eq!(
        reply(
            &mut assistant,
            "eight five five one two three four five six seven",
            0.6
        ),
        ["I heard 8 5 5, 1 2 3, 4 5 6 7. Is that right?"]
    );
    assert_eq!(
        reply(&mut assistant, "no", 1.0),
        ["Okay, let's try again. What is your meeting ID?"]
    );
    // Said again, heard surely this time: no read-back, on to the PIN and the call.
    let mut sink = Collect::default();
    assistant.hear_spoken(MEETING_ID, Some(1.0), &mut sink);
    assistant.hear_spoken(PIN, Some(1.0), &mut sink);
    assert_eq!(
        joined(&sink),
        [(Some("85512345678".into()), Some("414376".into()))],
        "{:?}",
        sink.0
    );
}

#[test]
fn a_read_back_confirmed_with_yes_is_dialed() {
    let (_room, mut assistant) = at_the_id_question(UNCERTAIN_READ_BACK);
    assert_eq!(
        reply(&mut assistant, MEETING_ID, 1.0),
        ["What is your meeting PIN?"]
    );
    // The PIN heard uncertainly: read back; "yes" joins with it.
    pin_read_back_then_joined(&mut assistant, 0.5);
}

/// The PIN heard with `confidence` is read back, nothing is dialed before the answer,
/// and "yes" joins the demo meeting with it.
fn pin_read_back_then_joined(assistant: &mut Assistant, confidence: f32) {
    let mut sink = Collect::default();
    assistant.hear_spoken(PIN, Some(confidence), &mut sink);
    assert_eq!(said(&sink), ["I heard 4 1 4, 3 7 6. Is that right?"]);
    assert!(joined(&sink).is_empty(), "nothing dialed before the answer");
    assistant.hear_spoken("yes", Some(1.0), &mut sink);
    assert_eq!(
        joined(&sink),
        [(Some("85512345678".into()), Some("414376".into()))]
    );
}

/// A device configured with `extra` that has just asked for the meeting ID.
fn at_the_id_question(extra: &str) -> (support::ics::Room, Assistant) {
    let (room, mut assistant) = open(extra);
    asked_for_the_id(&mut assistant);
    (room, assistant)
}

const NEVER_READ_BACK: &str = "\n[assistant]\nread_back_digits = \"never\"\n";

/// Twelve digits (the demo meeting's ID with its last digit heard twice): Zoom's meeting
/// IDs have 9 to 11.
const TWELVE_DIGITS: &str = "eight five five one two three four five six seven eight eight";

#[test]
fn read_back_always_and_never_are_honoured() {
    let (_room, mut assistant) =
        at_the_id_question("\n[assistant]\nread_back_digits = \"always\"\n");
    assert_eq!(
        reply(&mut assistant, MEETING_ID, 1.0),
        ["I heard 8 5 5, 1 2 3, 4 5 6, 7 8. Is that right?"]
    );

    let (_room, mut assistant) = at_the_id_question(NEVER_READ_BACK);
    assert_eq!(
        reply(&mut assistant, MEETING_ID, 0.1),
        ["What is your meeting PIN?"]
    );
    // Not even a meeting ID of a length the service never uses.
    let (_room, mut assistant) = at_the_id_question(NEVER_READ_BACK);
    assert_eq!(
        reply(&mut assistant, TWELVE_DIGITS, 1.0),
        ["What is your meeting PIN?"]
    );
}

#[test]
fn a_meeting_id_of_a_length_the_service_never_uses_is_read_back_even_when_heard_surely() {
    let (_room, mut assistant) = at_the_id_question(UNCERTAIN_READ_BACK);
    assert_eq!(
        reply(&mut assistant, TWELVE_DIGITS, 1.0),
        ["I heard 8 5 5, 1 2 3, 4 5 6, 7 8 8. That is 12 digits; Zoom meeting IDs have 9 to 11. Is that right?"]
    );
    assert_eq!(
        reply(&mut assistant, "no", 1.0),
        ["Okay, let's try again. What is your meeting ID?"]
    );
    // Eleven digits heard surely: on to the PIN without a read-back.
    assert_eq!(
        reply(&mut assistant, MEETING_ID, 1.0),
        ["What is your meeting PIN?"]
    );
}

#[test]
fn an_action_heard_uncertainly_is_confirmed_and_a_question_is_answered() {
    let (_room, mut assistant) = open("");
    let mut sink = Collect::default();
    assistant.hear_spoken(
        "alexa book this room for thirty minutes",
        Some(0.5),
        &mut sink,
    );
    assert_eq!(
        said(&sink),
        ["Did you want me to book this room for 30 minutes?"]
    );
    assert!(
        !sink.0.iter().any(|e| matches!(e, Event::Booked { .. })),
        "{:?}",
        sink.0
    );
    let mut sink = Collect::default();
    assistant.hear_spoken("no", Some(1.0), &mut sink);
    assert_eq!(said(&sink), ["Okay."]);
    // A question changes nothing: answered even when heard uncertainly.
    let mut sink = Collect::default();
    assistant.hear_spoken("alexa is this room free", Some(0.5), &mut sink);
    let answer = said(&sink);
    assert_eq!(answer.len(), 1, "{answer:?}");
    assert!(answer[0].contains("free"), "{answer:?}");
    // The same booking heard surely (or typed) is done at once.
    let mut sink = Collect::default();
    assistant.hear("alexa book this room for thirty minutes", &mut sink);
    assert!(
        sink.0.iter().any(|e| matches!(e, Event::Booked { .. })),
        "{:?}",
        sink.0
    );
}
