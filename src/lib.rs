//! roomvoice: an offline voice runtime for meeting-room devices.
//!
//! The modules follow the data, in the order a spoken command travels:
//!
//! - [`audio`]: WAV files and the microphone, resampled to 16 kHz mono; noise suppression.
//! - [`speech`]: speech engines (Vosk, PocketSphinx) behind one trait, turning audio into
//!   text, behind the trained wake-word detector.
//! - [`intent`]: what was said: the phrase set (one source of truth, also exported as a
//!   recognition grammar) and the parser from text to [`intent::Intent`].
//! - [`assistant`]: the dialogue and the device's state: follow-up questions, answers.
//! - [`calendar`]: one trait over the room's calendar; `ics`, `ews` and `graph` backends.
//! - [`dialin`]: reading invitations: provider, numbers, meeting ID, passcode, join plan.
//! - [`join`]: dialing a join plan (print it, run a configured program, or call over SIP).
//! - [`voice`]: speaking answers back (a TTS command such as espeak-ng).
//! - [`device`]: the device's life: audio through the engine into the assistant, with
//!   its timers (the live loop of `listen`, and recordings for `run`).
//! - [`utilisation`]: the room utilisation log `listen` keeps, and its report.
//!
//! [`config`] loads `roomvoice.toml` and hands each component its own table ([`room`]:
//! the room's identity; [`paths`]: where files resolve; [`demo`]: the embedded demo
//! room). No component depends on the whole configuration. [`commands`] holds one
//! function per CLI subcommand, which only parses and calls, and [`events`] the JSON
//! event lines those commands emit (a stable contract).

pub mod assistant;
pub mod audio;
pub mod calendar;
pub mod commands;
pub mod config;
pub mod demo;
pub mod device;
pub mod dialin;
pub mod events;
pub mod intent;
pub mod join;
pub mod paths;
pub mod room;
pub mod speech;
pub mod utilisation;
pub mod voice;
