//! `[calendar]` and `[user]`: which backend serves the room, and what every backend is
//! opened with ([`Setup`]).

use std::path::PathBuf;

use serde::Deserialize;

use crate::paths::Paths;
use crate::room::RoomConfig;

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
    pub ews: Option<super::ews::EwsConfig>,
    /// Microsoft Graph (Office 365).
    #[serde(default)]
    pub graph: Option<super::graph::GraphConfig>,
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

/// `[user]`: the enrolled user whose personal calendar "what's on my calendar" reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    pub name: String,
    pub mailbox: String,
}

impl CalendarConfig {
    /// What is wrong with the tables, said as the fix.
    pub fn check(&self) -> Result<(), String> {
        if self.backend == Backend::Ics && self.ics.is_none() {
            return Err(
                "[calendar] backend = \"ics\" needs a [calendar.ics] table with path = \"room.ics\"".into(),
            );
        }
        match (self.backend, &self.ews, &self.graph) {
            (Backend::Ews, None, _) => {
                return Err(
                    "[calendar] backend = \"ews\" needs a [calendar.ews] table with url, username and password_file (see README)".into(),
                )
            }
            (Backend::Graph, _, None) => {
                return Err(
                    "[calendar] backend = \"graph\" needs a [calendar.graph] table with tenant_id, client_id and client_secret_file (see README)".into(),
                )
            }
            _ => {}
        }
        if let Some(ews) = &self.ews {
            ews.check()?;
        }
        if let Some(graph) = &self.graph {
            graph.check()?;
        }
        Ok(())
    }
}

/// What a calendar backend is opened with: its table, the room whose mailbox it reads,
/// the enrolled user, and where relative paths resolve.
#[derive(Debug, Clone, Copy)]
pub struct Setup<'a> {
    pub calendar: &'a CalendarConfig,
    pub room: &'a RoomConfig,
    pub user: Option<&'a UserConfig>,
    pub paths: &'a Paths,
}
