//! The events a run emits: what was heard, understood, said and done.
//!
//! With `--json` each event is one JSON object on its own line with an `event` field;
//! this is a stable contract for scripts (add fields, never rename). Without `--json`
//! the same events are printed for people.

use std::io::Write;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::dialin::JoinPlan;
use crate::intent::Intent;

/// One thing that happened.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The wake-word detector heard the wake word; the device listens for a command.
    Wake {
        /// The detector's averaged probability (0-1).
        score: f32,
        /// Seconds from the start of the audio.
        at_s: f64,
    },
    /// Speech recognised from audio.
    Transcript {
        text: String,
        engine: String,
        start_s: f64,
        end_s: f64,
    },
    /// What an utterance was understood as; the intent's slots are flattened in.
    Intent {
        #[serde(flatten)]
        intent: Intent,
        /// The words as heard.
        text: String,
    },
    /// A sentence the device says.
    Say { text: String },
    /// Joining a call with this plan.
    Join {
        #[serde(flatten)]
        plan: Box<JoinPlan>,
        /// The calendar event joined, when it came from the calendar.
        #[serde(skip_serializing_if = "Option::is_none")]
        subject: Option<String>,
    },
    /// Hanging up.
    Hangup {},
    /// The SIP dialer is calling this address (`sip:+16465588656@gateway`).
    Dialing { uri: String },
    /// The far end answered.
    Connected { uri: String },
    /// Digits of the dial string keyed as DTMF (one group between pauses, e.g.
    /// "85512345678#").
    DtmfSent { digits: String },
    /// The call is over: `by` is "room" (the device hung up) or "far_end".
    Ended { by: String, reason: String },
    /// The call did not go through. `status` is the SIP status when the far end gave
    /// one (486, 404, ...); `message` is the sentence said in the room.
    Failed {
        status: Option<u16>,
        reason: String,
        message: String,
    },
    /// A booking made on the room calendar.
    Booked {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        subject: String,
    },
    /// A meeting's end moved (extended or ended early).
    Updated { subject: String, end: DateTime<Utc> },
    /// A reservation released (nobody checked in).
    Released { subject: String },
    /// The device offers to join a meeting as it starts (proactive join); the question
    /// follows as a `say` event, "yes" joins.
    Offer {
        subject: String,
        /// The meeting's start (UTC, RFC 3339).
        start: DateTime<Utc>,
    },
    /// Something went wrong; `message` says what and what to do.
    Error { message: String },
}

impl Event {
    /// The `booked` event for a booking the calendar confirmed.
    pub(crate) fn booked(booking: &crate::calendar::Meeting) -> Event {
        Event::Booked {
            start: booking.start,
            end: booking.end,
            subject: booking.subject.clone(),
        }
    }
}

/// Where events go.
pub trait EventSink {
    fn emit(&mut self, event: &Event);
}

/// JSON lines on a writer (stdout for `--json`).
pub(crate) struct JsonLines<W: Write>(pub W);

impl<W: Write> EventSink for JsonLines<W> {
    fn emit(&mut self, event: &Event) {
        match serde_json::to_string(event) {
            Ok(line) => {
                // A closed stdout (e.g. `| head`) is not worth a panic.
                let _ = writeln!(self.0, "{line}");
                let _ = self.0.flush();
            }
            Err(e) => tracing::error!("cannot serialise event: {e}"),
        }
    }
}

/// Human-readable lines.
pub(crate) struct HumanLines<W: Write>(pub W);

impl<W: Write> EventSink for HumanLines<W> {
    fn emit(&mut self, event: &Event) {
        let line = match event {
            Event::Wake { score, at_s } => format!("wake word at {at_s:.2} s (score {score:.2})"),
            Event::Transcript {
                text,
                engine,
                start_s,
                end_s,
            } => {
                format!("heard ({engine}, {start_s:.1}-{end_s:.1} s): \"{text}\"")
            }
            Event::Intent { intent, .. } => match serde_json::to_value(intent) {
                Ok(serde_json::Value::Object(map)) => {
                    let slots: Vec<String> = map
                        .iter()
                        .filter(|(k, _)| k.as_str() != "intent")
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect();
                    format!("intent: {} {}", intent.name(), slots.join(" "))
                        .trim_end()
                        .to_string()
                }
                _ => format!("intent: {}", intent.name()),
            },
            Event::Say { text } => format!("roomvoice: {text}"),
            Event::Join { plan, subject } => {
                let mut parts = vec![format!("provider {}", plan.provider)];
                if let Some(n) = &plan.number {
                    parts.push(format!("number {n}"));
                }
                if let Some(id) = &plan.meeting_id {
                    parts.push(format!("meeting ID {id}"));
                }
                if let Some(p) = &plan.passcode {
                    parts.push(format!("passcode {p}"));
                }
                if let Some(d) = &plan.dial_string {
                    parts.push(format!("dial {d}"));
                }
                if let Some(s) = &plan.sip {
                    parts.push(format!("SIP {s}"));
                }
                if let Some(u) = &plan.url {
                    parts.push(format!("URL {u}"));
                }
                let what = subject
                    .as_deref()
                    .map(|s| format!(" \"{s}\""))
                    .unwrap_or_default();
                format!("join{what}: {}", parts.join(", "))
            }
            Event::Hangup {} => "hang up".to_string(),
            Event::Dialing { uri } => format!("dialing {uri}"),
            Event::Connected { uri } => format!("connected to {uri}"),
            Event::DtmfSent { digits } => format!("keyed {digits}"),
            Event::Ended { by, reason } => format!("call ended by {by}: {reason}"),
            Event::Failed { status, reason, .. } => match status {
                Some(code) => format!("call failed: {code} {reason}"),
                None => format!("call failed: {reason}"),
            },
            Event::Booked {
                start,
                end,
                subject,
            } => format!("booked \"{subject}\" {start} - {end}"),
            Event::Updated { subject, end } => format!("updated \"{subject}\": ends {end}"),
            Event::Released { subject } => format!("released \"{subject}\""),
            Event::Offer { subject, start } => format!("offer to join \"{subject}\" ({start})"),
            Event::Error { message } => format!("error: {message}"),
        };
        let _ = writeln!(self.0, "{line}");
        let _ = self.0.flush();
    }
}

/// Collects events in memory (tests, benchmarks).
#[derive(Default)]
pub struct Collect(pub Vec<Event>);

impl EventSink for Collect {
    fn emit(&mut self, event: &Event) {
        self.0.push(event.clone());
    }
}

/// A sink for the command line: JSON lines or human lines on stdout.
pub(crate) fn stdout_sink(json: bool) -> Box<dyn EventSink> {
    if json {
        Box::new(JsonLines(std::io::stdout()))
    } else {
        Box::new(HumanLines(std::io::stdout()))
    }
}
