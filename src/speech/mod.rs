//! Speech engines behind one trait: Vosk and PocketSphinx.
//! (Skeleton: the speech work fills this in.)

use serde::Deserialize;

/// `[speech]` in roomvoice.toml.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpeechConfig {}
