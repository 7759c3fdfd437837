//! `roomvoice.toml`: where it is looked up, what it holds, and the embedded demo room.
//!
//! Lookup order: `--config FILE`, `$ROOMVOICE_CONFIG`, `./roomvoice.toml`,
//! `/etc/roomvoice/roomvoice.toml`. With none found, the embedded demo room is used (the
//! bundled calendar in `device/demo/`), so `roomvoice ask "alexa is this room free"`
//! works with zero setup. Every table rejects unknown keys, and a wrong key or type is
//! reported with the file, line and key. The key names are a contract that outside
//! scripts rely on: add keys, never rename them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use serde::Deserialize;

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
    pub speech: crate::speech::SpeechConfig,
    #[serde(default)]
    pub audio: crate::audio::AudioConfig,
    #[serde(default)]
    pub utilisation: UtilisationConfig,
    /// Where this configuration came from; relative paths in it resolve against
    /// `base_dir`. Not a key in the file.
    #[serde(skip)]
    pub source: ConfigSource,
}

/// Where the configuration was read from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ConfigSource {
    /// The embedded demo room (no file found).
    #[default]
    EmbeddedDemo,
    File(PathBuf),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomConfig {
    /// Spoken and logged name of the room, e.g. "Everest".
    pub name: String,
    /// The room mailbox, e.g. "everest@contoso.com".
    pub mailbox: String,
    /// IANA time zone the room lives in; answers speak times in it.
    #[serde(default = "default_timezone")]
    pub timezone: Tz,
    /// Preferred dial-in country (ISO 3166 alpha-2), used to choose among an
    /// invitation's numbers.
    #[serde(default = "default_country")]
    pub country: String,
    /// The room's usual conferencing provider (e.g. "zoom"), used when a meeting ID is
    /// given by voice and the calendar names no provider.
    #[serde(default)]
    pub provider: Option<String>,
}

fn default_timezone() -> Tz {
    Tz::UTC
}
fn default_country() -> String {
    "US".to_string()
}

/// 12- or 24-hour clock for spoken times.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum ClockStyle {
    #[default]
    #[serde(rename = "12h")]
    Twelve,
    #[serde(rename = "24h")]
    TwentyFour,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AssistantConfig {
    /// The word that starts a command, e.g. "alexa" in "alexa, start my meeting".
    pub wake_word: String,
    /// A meeting that starts within this many minutes counts as "my meeting".
    pub start_window_minutes: u32,
    /// "12h" (3:30 PM) or "24h" (15:30).
    pub clock: ClockStyle,
    /// Instant booking: when a meeting is started in a free room, book it for this many
    /// minutes (15 to 240, in steps of 15). Absent: no instant booking.
    pub instant_booking_minutes: Option<u32>,
    /// Require check-in: a reservation nobody checks into is released after this many
    /// minutes. Absent: no check-in required.
    pub release_unattended_after_minutes: Option<u32>,
    /// End-of-meeting reminders, in minutes before the end (e.g. [5, 1]).
    pub end_reminders_minutes: Vec<u32>,
    /// An action (book, end the call, extend, add an event) heard after a wake word the
    /// detector scored below this is confirmed first ("Did you want me to end the
    /// call?"). 0 turns confirmation off.
    pub confirm_below_wake_score: f32,
    /// An action heard with a recogniser confidence below this (0-1; PocketSphinx: the
    /// share of words its two passes agree on) is confirmed first too. 0: never.
    pub confirm_below_confidence: f32,
    /// When the device reads a meeting ID or PIN back before using it ("I heard 8 5 5,
    /// 1 2 3. Is that right?"): "uncertain" (the recogniser was unsure of a digit),
    /// "always" or "never".
    pub read_back_digits: ReadBack,
    /// Proactive join: when a meeting starts, the device offers to join it ("Your
    /// meeting \"X\" is starting. Shall I join?").
    pub proactive_join: bool,
    /// How many minutes before the meeting's start the offer is made (0: at the start).
    pub proactive_join_minutes_before: u32,
}

/// When spoken digits are read back before they are dialed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReadBack {
    /// When the recogniser's confidence in the answer is below full.
    #[default]
    Uncertain,
    Always,
    Never,
}

impl Default for AssistantConfig {
    fn default() -> Self {
        AssistantConfig {
            wake_word: "alexa".into(),
            start_window_minutes: 10,
            clock: ClockStyle::Twelve,
            instant_booking_minutes: None,
            release_unattended_after_minutes: None,
            end_reminders_minutes: vec![5],
            confirm_below_wake_score: 0.9,
            confirm_below_confidence: 0.9,
            read_back_digits: ReadBack::Uncertain,
            proactive_join: false,
            proactive_join_minutes_before: 0,
        }
    }
}

/// The room utilisation log (`roomvoice report` reads it).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UtilisationConfig {
    /// The log file (relative to the config file). Default: $STATE_DIRECTORY (systemd's
    /// StateDirectory), else $XDG_STATE_HOME/roomvoice, else ~/.local/state/roomvoice;
    /// the file in it is `utilisation.jsonl`.
    #[serde(default)]
    pub log: Option<PathBuf>,
}

/// Which calendar backend serves the room.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    #[default]
    Ics,
    Ews,
    Graph,
}

impl Backend {
    pub fn as_str(&self) -> &'static str {
        match self {
            Backend::Ics => "ics",
            Backend::Ews => "ews",
            Backend::Graph => "graph",
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarConfig {
    #[serde(default)]
    pub backend: Backend,
    #[serde(default)]
    pub ics: Option<IcsConfig>,
    /// Exchange Web Services (on-premises Exchange).
    #[serde(default)]
    pub ews: Option<crate::calendar::ews::EwsConfig>,
    /// Microsoft Graph (Office 365).
    #[serde(default)]
    pub graph: Option<crate::calendar::graph::GraphConfig>,
    /// Where the calendar snapshot for outages is kept (relative to the config file).
    /// Default: $XDG_STATE_HOME/roomvoice, else ~/.local/state/roomvoice.
    #[serde(default)]
    pub state_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IcsConfig {
    /// The room calendar file, relative to the config file.
    pub path: PathBuf,
    /// The enrolled user's calendar file (for "what's on my calendar"), relative to the
    /// config file.
    #[serde(default)]
    pub user_path: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    pub name: String,
    pub mailbox: String,
}

/// How a join plan is dialed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialer {
    /// Emit the join plan as an event (and print it); nothing is dialed.
    #[default]
    Print,
    /// Run `join.command` with the dial string, SIP URI or URL as arguments (no shell).
    Command,
    /// Place the call through a SIP user agent (baresip) with the `[join.sip]` settings.
    Sip,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinConfig {
    #[serde(default)]
    pub dialer: Dialer,
    /// Program and fixed arguments for `dialer = "command"`, e.g. ["/usr/local/bin/dial"].
    /// The join target is appended as arguments: never through a shell.
    #[serde(default)]
    pub command: Vec<String>,
    /// What the command receives: "dial_string" (default), "sip" or "url", in order of
    /// preference; the first the plan has is used.
    #[serde(default)]
    pub prefer: Vec<JoinTarget>,
    /// Per-provider pauses (seconds) before keying the meeting ID and the PIN.
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderDialing>,
    /// The SIP account and user agent for `dialer = "sip"`.
    #[serde(default)]
    pub sip: Option<SipConfig>,
}

/// `[join.sip]`: where `dialer = "sip"` places calls. Phone numbers are called as
/// `sip:<number>@<domain>` (a SIP trunk or PSTN gateway); a plan's SIP address (video
/// bridges) is called as it is. The password lives in its own file, never in this one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SipConfig {
    /// The registrar, "host" or "host:port". Absent: the device does not register
    /// (IP-authenticated trunks, or calls straight to SIP addresses).
    pub registrar: Option<String>,
    /// Where phone numbers are called ("host" or "host:port"). Default: the registrar.
    pub domain: Option<String>,
    /// The SIP user (account name) the device signs in and calls as.
    pub user: Option<String>,
    /// A file holding the SIP password (relative to the config file).
    pub password_file: Option<PathBuf>,
    /// Every request goes through this proxy, e.g. "sip:proxy.example.net;transport=tcp".
    pub outbound_proxy: Option<String>,
    /// "udp" (default), "tcp" or "tls".
    pub transport: SipTransport,
    /// How digits are keyed: "rfc4733" (RTP telephone-events, default), "info" (SIP
    /// INFO) or "auto" (telephone-events when the far end offers them, else INFO).
    pub dtmf: DtmfMode,
    /// Seconds to wait for the far end to answer before giving up.
    pub answer_timeout_s: u32,
    /// Local SIP address baresip listens on; port 0 picks a free one.
    pub listen: String,
    /// baresip's audio source and player ("driver,device"): the room's microphone and
    /// speaker.
    pub audio_source: String,
    pub audio_player: String,
    /// CA certificates for `transport = "tls"` (relative to the config file).
    pub ca_file: Option<PathBuf>,
    /// The baresip program.
    pub baresip: String,
}

impl Default for SipConfig {
    fn default() -> Self {
        SipConfig {
            registrar: None,
            domain: None,
            user: None,
            password_file: None,
            outbound_proxy: None,
            transport: SipTransport::Udp,
            dtmf: DtmfMode::Rfc4733,
            answer_timeout_s: 60,
            listen: "0.0.0.0:0".into(),
            audio_source: "alsa,default".into(),
            audio_player: "alsa,default".into(),
            ca_file: None,
            baresip: "baresip".into(),
        }
    }
}

impl SipConfig {
    /// Where phone numbers are called: `domain`, else the registrar.
    pub fn dial_domain(&self) -> Option<&str> {
        self.domain.as_deref().or(self.registrar.as_deref())
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SipTransport {
    #[default]
    Udp,
    Tcp,
    Tls,
}

impl SipTransport {
    pub fn as_str(&self) -> &'static str {
        match self {
            SipTransport::Udp => "udp",
            SipTransport::Tcp => "tcp",
            SipTransport::Tls => "tls",
        }
    }
}

/// How DTMF digits reach the far end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DtmfMode {
    /// RFC 4733 telephone-events in the RTP stream.
    #[default]
    Rfc4733,
    /// SIP INFO requests (application/dtmf-relay).
    Info,
    /// Telephone-events when the far end's SDP offers them, else SIP INFO.
    Auto,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinTarget {
    DialString,
    Sip,
    Url,
}

/// Conference provider settings of a room (PSTN delays, PIN requirement).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderDialing {
    /// Seconds to wait after the call connects before keying the meeting ID.
    pub meeting_id_delay_s: Option<u32>,
    /// Seconds to wait after the meeting ID before keying the PIN.
    pub pin_delay_s: Option<u32>,
    /// Whether the provider asks for a PIN: "yes", "no" or "optional".
    pub pin: Option<PinRequirement>,
    /// A PSTN number to dial when the invitation has none (E.164).
    pub number: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PinRequirement {
    Yes,
    No,
    Optional,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VoiceConfig {
    /// "auto" (espeak-ng when installed, else silent), "off", or "command".
    pub tts: TtsMode,
    /// For `tts = "command"`: program and arguments; the sentence is appended.
    pub command: Vec<String>,
    /// A short tone when the wake word is heard (the device is listening).
    pub earcon: bool,
    /// The program that plays the tone: program and arguments; a WAV file is appended.
    pub earcon_command: Vec<String>,
}

impl Default for VoiceConfig {
    fn default() -> Self {
        VoiceConfig {
            tts: TtsMode::Auto,
            command: Vec::new(),
            earcon: true,
            earcon_command: vec!["aplay".into(), "-q".into()],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TtsMode {
    Auto,
    Off,
    Command,
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

/// The longest lead a proactive join offer may have: an offer long before the start would
/// be heard by whoever is in the room then, most likely the meeting before.
pub const MAX_OFFER_MINUTES_BEFORE: u32 = 30;

/// The embedded demo room's configuration; its calendar is `device/demo/room.ics`.
pub const DEMO_CONFIG: &str = include_str!("../device/demo/roomvoice.toml");
/// The embedded demo room calendar.
pub const DEMO_CALENDAR: &str = include_str!("../device/demo/room.ics");

impl Config {
    /// Finds and loads the configuration: `explicit` (from `--config`), then
    /// `$ROOMVOICE_CONFIG`, `./roomvoice.toml`, `/etc/roomvoice/roomvoice.toml`, else the
    /// embedded demo room.
    pub fn locate(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        if let Some(path) = explicit {
            return Config::from_file(path);
        }
        if let Some(path) = std::env::var_os("ROOMVOICE_CONFIG").filter(|v| !v.is_empty()) {
            return Config::from_file(Path::new(&path));
        }
        for candidate in ["roomvoice.toml", "/etc/roomvoice/roomvoice.toml"] {
            let path = Path::new(candidate);
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
        config.source = ConfigSource::EmbeddedDemo;
        Ok(config)
    }

    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let mut config = Config::parse(&text, &path.display().to_string())?;
        config.source = ConfigSource::File(path.to_path_buf());
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
        if self.assistant.wake_word.trim().is_empty() {
            return Err(invalid(
                "[assistant] wake_word is empty; set a word such as \"alexa\"".into(),
            ));
        }
        if let Some(m) = self.assistant.instant_booking_minutes {
            if !(15..=240).contains(&m) || m % 15 != 0 {
                return Err(invalid(format!(
                    "[assistant] instant_booking_minutes = {m}: use 15 to 240 in steps of 15"
                )));
            }
        }
        if self.assistant.proactive_join_minutes_before > MAX_OFFER_MINUTES_BEFORE {
            return Err(invalid(format!(
                "[assistant] proactive_join_minutes_before = {}: use 0 to {MAX_OFFER_MINUTES_BEFORE} minutes",
                self.assistant.proactive_join_minutes_before
            )));
        }
        if self.room.country.len() != 2
            || !self.room.country.chars().all(|c| c.is_ascii_alphabetic())
        {
            return Err(invalid(format!(
                "[room] country = \"{}\": use a two-letter ISO country code such as \"US\" or \"GB\"",
                self.room.country
            )));
        }
        if self.calendar.backend == Backend::Ics && self.calendar.ics.is_none() {
            return Err(invalid(
                "[calendar] backend = \"ics\" needs a [calendar.ics] table with path = \"room.ics\"".into(),
            ));
        }
        match (self.calendar.backend, &self.calendar.ews, &self.calendar.graph) {
            (Backend::Ews, None, _) => {
                return Err(invalid(
                    "[calendar] backend = \"ews\" needs a [calendar.ews] table with url, username and password_file (see README)".into(),
                ))
            }
            (Backend::Graph, _, None) => {
                return Err(invalid(
                    "[calendar] backend = \"graph\" needs a [calendar.graph] table with tenant_id, client_id and client_secret_file (see README)".into(),
                ))
            }
            _ => {}
        }
        if let Some(ews) = &self.calendar.ews {
            ews.check().map_err(invalid)?;
        }
        if let Some(graph) = &self.calendar.graph {
            graph.check().map_err(invalid)?;
        }
        if self.join.dialer == Dialer::Command && self.join.command.is_empty() {
            return Err(invalid(
                "[join] dialer = \"command\" needs command = [\"/path/to/program\", ...]".into(),
            ));
        }
        if self.join.dialer == Dialer::Sip {
            let Some(sip) = &self.join.sip else {
                return Err(invalid(
                    "[join] dialer = \"sip\" needs a [join.sip] table with registrar (or domain), user and password_file (see README)".into(),
                ));
            };
            if sip.registrar.is_some() && sip.user.is_none() {
                return Err(invalid(
                    "[join.sip] registrar is set but user is not: set user = \"the SIP account name\"".into(),
                ));
            }
            if sip.answer_timeout_s == 0 {
                return Err(invalid(
                    "[join.sip] answer_timeout_s = 0: use the seconds to wait for an answer, e.g. 60".into(),
                ));
            }
        }
        if self.voice.tts == TtsMode::Command && self.voice.command.is_empty() {
            return Err(invalid(
                "[voice] tts = \"command\" needs command = [\"program\", ...]".into(),
            ));
        }
        Ok(())
    }

    /// The directory relative paths resolve against: the config file's folder, or the
    /// current directory for the embedded demo.
    pub fn base_dir(&self) -> PathBuf {
        match &self.source {
            ConfigSource::File(path) => path
                .parent()
                .map(Path::to_path_buf)
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or_else(|| PathBuf::from(".")),
            ConfigSource::EmbeddedDemo => PathBuf::from("."),
        }
    }

    /// Resolves a path from the config file against its directory.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.base_dir().join(path)
        }
    }

    pub fn is_demo(&self) -> bool {
        self.source == ConfigSource::EmbeddedDemo
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
    fn bad_timezone_is_reported() {
        let text = "[room]\nname = \"A\"\nmailbox = \"a@b.c\"\ntimezone = \"Mars/Olympus\"\n[calendar.ics]\npath = \"x.ics\"\n";
        let err = Config::parse(text, "t.toml").unwrap_err().to_string();
        assert!(
            err.contains("Mars/Olympus") || err.contains("line 4"),
            "{err}"
        );
    }
}
