//! `[join]` and `[join.sip]`: how the device dials a join plan.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

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
    pub providers: BTreeMap<String, crate::dialin::ProviderDialing>,
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
    pub(crate) fn dial_domain(&self) -> Option<&str> {
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
    pub(crate) fn as_str(&self) -> &'static str {
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

impl JoinConfig {
    /// What is wrong with the tables, said as the fix.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.dialer == Dialer::Command && self.command.is_empty() {
            return Err(
                "[join] dialer = \"command\" needs command = [\"/path/to/program\", ...]".into(),
            );
        }
        if self.dialer == Dialer::Sip {
            let Some(sip) = &self.sip else {
                return Err(
                    "[join] dialer = \"sip\" needs a [join.sip] table with registrar (or domain), user and password_file (see README)".into(),
                );
            };
            if sip.registrar.is_some() && sip.user.is_none() {
                return Err(
                    "[join.sip] registrar is set but user is not: set user = \"the SIP account name\"".into(),
                );
            }
            if sip.answer_timeout_s == 0 {
                return Err(
                    "[join.sip] answer_timeout_s = 0: use the seconds to wait for an answer, e.g. 60".into(),
                );
            }
        }
        Ok(())
    }
}
