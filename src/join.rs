//! Dialing a join plan: `print` (emit the plan, dial nothing) or `command` (run a
//! configured program with the dial string, SIP URI or URL as arguments: no shell, so
//! nothing in an invitation can inject a command).

use std::process::Command;

use crate::config::{Dialer, JoinConfig, JoinTarget};
use crate::dialin::JoinPlan;

/// Why a join could not be started.
#[derive(Debug, thiserror::Error)]
pub enum JoinError {
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
}

/// What the dialer is handed for a plan, by the configured preference order
/// (default: dial string, then SIP, then URL).
pub fn target(plan: &JoinPlan, prefer: &[JoinTarget]) -> Option<String> {
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
/// the `join` event in every case).
pub fn dial(config: &JoinConfig, plan: &JoinPlan) -> Result<(), JoinError> {
    match config.dialer {
        Dialer::Print => Ok(()),
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
                Ok(())
            } else {
                Err(JoinError::Failed {
                    program: program.clone(),
                    status: status.to_string(),
                })
            }
        }
    }
}
