//! The assistant: the meeting-room dialogue and the device's state (skeleton).

use chrono::{DateTime, Utc};

use crate::calendar::{self, Calendar};
use crate::config::Config;
use crate::events::{Event, EventSink};
use crate::intent::{self, Expecting};
use crate::voice::Voice;

/// Where "now" comes from.
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    System,
    /// A fixed start time (`--now`); audio runs add the offset into the file.
    Fixed(DateTime<Utc>),
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(t) => *t,
        }
    }
}

/// The device: configuration, calendar, dialogue state.
pub struct Assistant {
    pub config: Config,
    calendar: Box<dyn Calendar>,
    clock: Clock,
    voice: Voice,
    expecting: Expecting,
    failed: bool,
}

impl Assistant {
    /// Opens the configured calendar and prepares the dialogue.
    pub fn open(config: Config, clock: Clock, speak: bool) -> anyhow::Result<Assistant> {
        let calendar = calendar::open(&config)?;
        Ok(Assistant::new(config, calendar, clock, speak))
    }

    pub fn new(
        config: Config,
        calendar: Box<dyn Calendar>,
        clock: Clock,
        speak: bool,
    ) -> Assistant {
        let voice = Voice::new(&config.voice, speak);
        Assistant {
            config,
            calendar,
            clock,
            voice,
            expecting: Expecting::Command,
            failed: false,
        }
    }

    /// What the device is waiting for (speech engines may narrow their grammar by it).
    pub fn expecting(&self) -> Expecting {
        self.expecting
    }

    /// Sets the clock (audio runs: `--now` plus the offset of the utterance in the file).
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    /// One utterance heard (text from the command line or from a speech engine).
    pub fn hear(&mut self, text: &str, sink: &mut dyn EventSink) {
        let parsed = intent::parse(text, &self.config.assistant.wake_word, self.expecting);
        sink.emit(&Event::Intent {
            intent: parsed.intent.clone(),
            text: text.to_string(),
        });
        let _ = (&self.calendar, self.clock.now());
        self.say("Sorry, I can't do that yet.", sink);
    }

    /// The person said nothing when an answer was expected.
    pub fn silence(&mut self, sink: &mut dyn EventSink) {
        let _ = sink;
    }

    /// End of input: a pending question is given up politely.
    pub fn finish(&mut self, sink: &mut dyn EventSink) {
        let _ = sink;
    }

    /// 0 when every turn was handled, 1 when an error was reported.
    pub fn exit_code(&self) -> i32 {
        i32::from(self.failed)
    }

    fn say(&mut self, text: &str, sink: &mut dyn EventSink) {
        sink.emit(&Event::Say {
            text: text.to_string(),
        });
        self.voice.say(text);
    }
}
