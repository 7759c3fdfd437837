//! `[room]`: the room the device serves. Its name, mailbox, time zone and country are
//! read by the calendar, the invitation reader and the dialogue alike.

use chrono_tz::Tz;
use serde::Deserialize;

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

impl RoomConfig {
    /// What is wrong with the table, said as the fix.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.country.len() != 2 || !self.country.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(format!(
                "[room] country = \"{}\": use a two-letter ISO country code such as \"US\" or \"GB\"",
                self.country
            ));
        }
        Ok(())
    }
}
