//! Dialing a join plan: `print` (emit the plan, dial nothing), `command` (run a
//! configured program with the dial string, SIP URI or URL as arguments: no shell, so
//! nothing in an invitation can inject a command), or `sip` (place the call through
//! baresip and follow it: [`sip`] for the call, [`baresip`] for the user agent).

pub(crate) mod baresip;
mod settings;
pub(crate) mod sip;

use std::process::Command;

use crate::dialin::JoinPlan;
use crate::paths::Paths;

pub use settings::{Dialer, DtmfMode, JoinConfig, JoinTarget, SipConfig, SipTransport};
pub use sip::{EndedBy, Failure, Progress, SipCall};

/// Why a join could not be started.
#[derive(Debug, thiserror::Error)]
pub(crate) enum JoinError {
    #[error("the join plan has no dial string, SIP address or URL to give to the dialer")]
    NothingToDial,
    #[error("cannot run the dialer command {program}: {source}")]
    Spawn {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the dialer command {program} failed with {status}")]
    Failed { program: String, status: String },
    #[error("baresip is not installed: install the Debian package baresip-core (apt-get install baresip-core, or run device/setup.sh), or set [join.sip] baresip to its path")]
    BaresipMissing,
    #[error("baresip exited right after starting ({status}); run with -v to see its log")]
    BaresipExited { status: String },
    #[error("baresip's control interface (its ctrl_tcp module) did not open on 127.0.0.1:{port}; run with -v to see baresip's log")]
    ControlUnreachable { port: u16 },
    #[error("cannot {what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the SIP password file {path}: {source}")]
    PasswordFile {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the SIP password in {path} is empty or holds a space, ';', '\"', '<' or '>', which baresip's account file cannot carry")]
    PasswordUnusable { path: String },
    #[error("[join.sip] dtmf = \"{mode}\" needs baresip 1.1 or newer (Debian 12 has 1.0, which keys digits as RTP telephone-events only): use dtmf = \"rfc4733\"")]
    DtmfModeUnsupported { mode: &'static str },
    #[error("no SIP domain to call phone numbers at: set registrar or domain under [join.sip]")]
    NoSipDomain,
}

/// What the dialer is handed for a plan, by the configured preference order
/// (default: dial string, then SIP, then URL).
pub(crate) fn target(plan: &JoinPlan, prefer: &[JoinTarget]) -> Option<String> {
    let default = [JoinTarget::DialString, JoinTarget::Sip, JoinTarget::Url];
    let order = if prefer.is_empty() {
        &default[..]
    } else {
        prefer
    };
    order.iter().find_map(|t| match t {
        JoinTarget::DialString => plan.dial_string.clone(),
        JoinTarget::Sip => plan.sip.clone(),
        JoinTarget::Url => plan.url.clone(),
    })
}

/// Dials a plan with the configured dialer. `print` does nothing here (the caller emits
/// the `join` event in every case); `sip` returns the call, which goes on in the
/// background until hung up.
pub(crate) fn dial(
    config: &JoinConfig,
    paths: &Paths,
    plan: &JoinPlan,
) -> Result<Option<SipCall>, JoinError> {
    match config.dialer {
        Dialer::Print => Ok(None),
        Dialer::Sip => {
            let sip = config.sip.clone().unwrap_or_default();
            // A web link is nothing a SIP user agent can call.
            let prefer: Vec<JoinTarget> = if config.prefer.is_empty() {
                vec![JoinTarget::DialString, JoinTarget::Sip]
            } else {
                config.prefer.clone()
            };
            let prefer: Vec<JoinTarget> = prefer
                .into_iter()
                .filter(|t| *t != JoinTarget::Url)
                .collect();
            let target = target(plan, &prefer).ok_or(JoinError::NothingToDial)?;
            let call = sip::plan_call(&target, &sip)?;
            let password = sip
                .password_file
                .as_ref()
                .map(|p| baresip::Secret::from_file(&paths.resolve(p)))
                .transpose()?;
            let account = sip::account(&sip, password);
            let ca_file = sip.ca_file.as_ref().map(|p| paths.resolve(p));
            SipCall::start(&sip, &account, ca_file.as_deref(), call).map(Some)
        }
        Dialer::Command => {
            let target = target(plan, &config.prefer).ok_or(JoinError::NothingToDial)?;
            let (program, fixed) = config
                .command
                .split_first()
                .ok_or(JoinError::NothingToDial)?;
            tracing::info!(program, "dialing through the configured command");
            let status = Command::new(program)
                .args(fixed)
                .arg(&target)
                .status()
                .map_err(|source| JoinError::Spawn {
                    program: program.clone(),
                    source,
                })?;
            if status.success() {
                Ok(None)
            } else {
                Err(JoinError::Failed {
                    program: program.clone(),
                    status: status.to_string(),
                })
            }
        }
    }
}
