//! `roomvoice.toml`: where it is looked up, what it holds, and the embedded demo room.
//!
//! Lookup order: `--config FILE`, `$ROOMVOICE_CONFIG`, `./roomvoice.toml`,
//! `/etc/roomvoice/roomvoice.toml` (skipped when `$ROOMVOICE_CONFIG_NOSYSTEM` is set to
//! anything but `0`). With none found, the embedded demo room is used
//! ([`crate::demo`]), so `roomvoice ask "alexa is this room free"` works with zero setup.
//! Every table rejects unknown keys, and a wrong key or type is reported with the file,
//! line and key. The key names are a contract that outside scripts rely on: add keys,
//! never rename them.
//!
//! Each table is defined and checked by the component it configures (`[speech]` in
//! `speech`, `[calendar]` in `calendar`, ...); this file only gathers them, and hands
//! each component its own settings with a [`Paths`] to resolve files
//! ([`Config::calendar_setup`], [`Config::speech_setup`], [`Config::assistant_settings`]).
//! Components never see the whole configuration.

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use crate::assistant::{AssistantConfig, ClockStyle, ReadBack, MAX_OFFER_MINUTES_BEFORE};
pub use crate::audio::AudioConfig;
pub use crate::calendar::{Backend, CalendarConfig, IcsConfig, UserConfig};
pub use crate::dialin::{PinRequirement, ProviderDialing};
pub use crate::join::{Dialer, DtmfMode, JoinConfig, JoinTarget, SipConfig, SipTransport};
pub use crate::paths::{ConfigSource, Paths};
pub use crate::room::RoomConfig;
pub use crate::speech::SpeechConfig;
pub use crate::utilisation::UtilisationConfig;
pub use crate::voice::{TtsMode, VoiceConfig};

/// The configuration of one room device.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub room: RoomConfig,
    #[serde(default)]
    pub assistant: AssistantConfig,
    #[serde(default)]
    pub calendar: CalendarConfig,
    /// The enrolled user whose personal calendar "what's on my calendar" reads.
    #[serde(default)]
    pub user: Option<UserConfig>,
    #[serde(default)]
    pub join: JoinConfig,
    #[serde(default)]
    pub voice: VoiceConfig,
    #[serde(default)]
    pub speech: SpeechConfig,
    #[serde(default)]
    pub audio: AudioConfig,
    #[serde(default)]
    pub utilisation: UtilisationConfig,
    /// Where this configuration came from; relative paths in it resolve against its
    /// folder. Not a key in the file.
    #[serde(skip)]
    pub paths: Paths,
}

/// Why the configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {message}")]
    Parse { path: String, message: String },
    #[error("invalid config file {path}: {message}")]
    Invalid { path: String, message: String },
}

/// The system-wide configuration a device install writes.
const SYSTEM_CONFIG: &str = "/etc/roomvoice/roomvoice.toml";

/// The embedded demo room's configuration (see [`crate::demo`]).
pub(crate) const DEMO_CONFIG: &str = crate::demo::CONFIG;
/// The embedded demo room calendar.
pub const DEMO_CALENDAR: &str = crate::demo::ROOM_CALENDAR;

impl Config {
    /// Finds and loads the configuration: `explicit` (from `--config`), then
    /// `$ROOMVOICE_CONFIG`, `./roomvoice.toml`, `/etc/roomvoice/roomvoice.toml` (unless
    /// `$ROOMVOICE_CONFIG_NOSYSTEM` is set), else the embedded demo room.
    pub(crate) fn locate(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        if let Some(path) = explicit {
            return Config::from_file(path);
        }
        if let Some(path) = std::env::var_os("ROOMVOICE_CONFIG").filter(|v| !v.is_empty()) {
            return Config::from_file(Path::new(&path));
        }
        // Tests and demos on an installed device: the device's own room and calendar
        // must not be used (or written) by a run meant for the demo room.
        let skip_system = std::env::var_os("ROOMVOICE_CONFIG_NOSYSTEM")
            .is_some_and(|v| !v.is_empty() && v != "0");
        for candidate in ["roomvoice.toml", SYSTEM_CONFIG] {
            let path = Path::new(candidate);
            if candidate == SYSTEM_CONFIG && skip_system {
                tracing::debug!("{SYSTEM_CONFIG} skipped: ROOMVOICE_CONFIG_NOSYSTEM is set");
                continue;
            }
            if path.is_file() {
                return Config::from_file(path);
            }
        }
        tracing::info!("no configuration file found; using the embedded demo room");
        Config::demo()
    }

    /// The embedded demo room.
    pub fn demo() -> Result<Config, ConfigError> {
        let mut config = Config::parse(DEMO_CONFIG, "<embedded demo config>")?;
        config.paths = Paths::new(ConfigSource::EmbeddedDemo);
        Ok(config)
    }

    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let mut config = Config::parse(&text, &path.display().to_string())?;
        config.paths = Paths::new(ConfigSource::File(path.to_path_buf()));
        Ok(config)
    }

    /// Parses and checks a configuration; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: origin.to_string(),
            message: describe_toml_error(text, &e),
        })?;
        config.check(origin)?;
        Ok(config)
    }

    fn check(&self, origin: &str) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: origin.to_string(),
            message,
        };
        self.assistant.check().map_err(invalid)?;
        self.room.check().map_err(invalid)?;
        self.calendar.check().map_err(invalid)?;
        self.join.check().map_err(invalid)?;
        self.voice.check().map_err(invalid)?;
        self.check_uncertain_wake_actions().map_err(invalid)?;
        Ok(())
    }

    /// Actions after an uncertain wake word may only be passed on when the assistant
    /// then asks about them.
    fn check_uncertain_wake_actions(&self) -> Result<(), String> {
        let cutoff = self
            .speech
            .wake_threshold
            .unwrap_or(crate::speech::wakeword::DEFAULT_CUTOFF);
        let asks_below = self.assistant.confirm_below_wake_score;
        if self.speech.uncertain_wake_actions == crate::speech::UncertainWakeActions::Confirm
            && asks_below < cutoff
        {
            return Err(format!(
                "[speech] uncertain_wake_actions = \"confirm\" passes on actions heard after a wake word scored below wake_threshold ({cutoff}), but [assistant] confirm_below_wake_score ({asks_below}) would take them without asking; raise confirm_below_wake_score to at least {cutoff}, or set uncertain_wake_actions = \"ignore\""
            ));
        }
        Ok(())
    }

    /// Where the configuration came from.
    pub(crate) fn source(&self) -> &ConfigSource {
        self.paths.source()
    }

    /// Resolves a path from the config file against its directory.
    pub(crate) fn resolve(&self, path: &Path) -> PathBuf {
        self.paths.resolve(path)
    }

    pub(crate) fn is_demo(&self) -> bool {
        self.paths.is_demo()
    }

    /// What the calendar backend is opened with.
    pub fn calendar_setup(&self) -> crate::calendar::Setup<'_> {
        crate::calendar::Setup {
            calendar: &self.calendar,
            room: &self.room,
            user: self.user.as_ref(),
            paths: &self.paths,
        }
    }

    /// What the speech engine is opened with.
    pub fn speech_setup(&self) -> crate::speech::Setup<'_> {
        crate::speech::Setup {
            speech: &self.speech,
            wake_word: &self.assistant.wake_word,
            paths: &self.paths,
            release_asleep: true,
        }
    }

    /// What the dialogue is opened with.
    pub(crate) fn assistant_settings(&self) -> crate::assistant::Settings {
        crate::assistant::Settings {
            room: self.room.clone(),
            assistant: self.assistant.clone(),
            user: self.user.clone(),
            join: self.join.clone(),
            voice: self.voice.clone(),
            paths: self.paths.clone(),
        }
    }

    /// Opens the calendar and prepares the dialogue.
    pub fn open_assistant(
        &self,
        clock: crate::assistant::Clock,
        speak: bool,
    ) -> anyhow::Result<crate::assistant::Assistant> {
        crate::assistant::Assistant::open(
            self.assistant_settings(),
            &self.calendar_setup(),
            clock,
            speak,
        )
    }

    /// The room's dial-in preferences (country, provider pauses).
    pub fn dial_preferences(&self) -> crate::dialin::DialPreferences {
        crate::dialin::DialPreferences::for_room(&self.room.country, &self.join.providers)
    }

    /// The utilisation log's file: `[utilisation] log`, else the default place.
    pub(crate) fn utilisation_log_path(&self) -> Option<PathBuf> {
        crate::utilisation::configured_log_path(&self.utilisation, &self.paths)
    }
}

/// toml's message already carries line, column and a caret; make it one readable block.
fn describe_toml_error(text: &str, error: &toml::de::Error) -> String {
    let mut message = error.message().to_string();
    if let Some(span) = error.span() {
        let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
        let line_text = text.lines().nth(line - 1).unwrap_or("").trim();
        // A secret typed into the file must not be echoed back in the error.
        let secret_key = |key: &str| {
            let key = key.to_lowercase();
            ["password", "secret", "token"]
                .iter()
                .any(|s| key.contains(s))
        };
        let line_text = match line_text.split_once('=') {
            Some((key, _)) if secret_key(key) => format!("{key}= <redacted>"),
            _ => line_text.to_string(),
        };
        message = format!("line {line} (`{line_text}`): {message}");
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_config_loads() {
        let config = Config::demo().expect("demo config");
        assert_eq!(config.assistant.wake_word, "alexa");
        assert!(config.is_demo());
    }

    #[test]
    fn example_config_in_device_is_valid() {
        let config = Config::parse(include_str!("../device/roomvoice.example.toml"), "example")
            .expect("device/roomvoice.example.toml must stay valid");
        assert_eq!(config.room.timezone, chrono_tz::America::Los_Angeles);
    }

    #[test]
    fn unknown_key_is_reported_with_line_and_key() {
        let text = "[room]\nname = \"A\"\nmailbox = \"a@b.c\"\ncolour = \"red\"\n[calendar.ics]\npath = \"x.ics\"\n";
        let err = Config::parse(text, "test.toml").unwrap_err().to_string();
        assert!(err.contains("test.toml"), "{err}");
        assert!(err.contains("line 4"), "{err}");
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn wrong_type_is_reported() {
        let text = "[room]\nname = \"A\"\nmailbox = \"a@b.c\"\n[assistant]\nstart_window_minutes = \"ten\"\n[calendar.ics]\npath = \"x.ics\"\n";
        let err = Config::parse(text, "t.toml").unwrap_err().to_string();
        assert!(err.contains("line 5"), "{err}");
        assert!(
            err.contains("start_window_minutes") || err.contains("integer"),
            "{err}"
        );
    }

    #[test]
    fn sip_dialer_needs_its_table() {
        let base = "[room]\nname = \"A\"\nmailbox = \"a@b.c\"\n[calendar.ics]\npath = \"x.ics\"\n[join]\ndialer = \"sip\"\n";
        let err = Config::parse(base, "t.toml").unwrap_err().to_string();
        assert!(err.contains("[join.sip]"), "{err}");
        let with_table = format!("{base}[join.sip]\ndomain = \"gw.example.net\"\n");
        let config = Config::parse(&with_table, "t.toml").expect("valid");
        let sip = config.join.sip.expect("sip table");
        assert_eq!(sip.dial_domain(), Some("gw.example.net"));
        assert_eq!(sip.answer_timeout_s, 60);
        let typo = format!("{base}[join.sip]\npassword = \"hunter2\"\n");
        let err = Config::parse(&typo, "t.toml").unwrap_err().to_string();
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn speech_keys_are_checked() {
        let text = "[room]\nname = \"A\"\nmailbox = \"a@b.c\"\n[calendar.ics]\npath = \"x.ics\"\n[speech]\nengine = \"whisper\"\n";
        let err = Config::parse(text, "t.toml").unwrap_err().to_string();
        assert!(err.contains("whisper") || err.contains("engine"), "{err}");
        let text = "[room]\nname = \"A\"\nmailbox = \"a@b.c\"\n[calendar.ics]\npath = \"x.ics\"\n[speech]\nmodel = \"x\"\n";
        let err = Config::parse(text, "t.toml").unwrap_err().to_string();
        assert!(err.contains("model"), "{err}");
    }

    #[test]
    fn bad_timezone_is_reported() {
        let text = "[room]\nname = \"A\"\nmailbox = \"a@b.c\"\ntimezone = \"Mars/Olympus\"\n[calendar.ics]\npath = \"x.ics\"\n";
        let err = Config::parse(text, "t.toml").unwrap_err().to_string();
        assert!(
            err.contains("Mars/Olympus") || err.contains("line 4"),
            "{err}"
        );
    }
}
