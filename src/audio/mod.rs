//! Audio in: WAV files and the microphone, converted to 16 kHz mono 16-bit samples.
//! (Skeleton: the speech work fills this in.)

use serde::Deserialize;

/// `[audio]` in roomvoice.toml.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AudioConfig {
    /// Input device name (see `roomvoice devices`); absent: the default input.
    #[serde(default)]
    pub device: Option<String>,
}
