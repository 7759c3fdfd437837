//! Speaking answers back through a TTS program (espeak-ng by default, when installed).

use std::process::{Command, Stdio};

use crate::config::{TtsMode, VoiceConfig};

/// Speaks sentences, or stays silent.
pub struct Voice {
    program: Option<Vec<String>>,
    warned: bool,
}

impl Voice {
    /// A voice for the configuration; `enabled = false` is always silent.
    pub fn new(config: &VoiceConfig, enabled: bool) -> Voice {
        let program = match (enabled, config.tts) {
            (false, _) | (_, TtsMode::Off) => None,
            (true, TtsMode::Command) => Some(config.command.clone()),
            (true, TtsMode::Auto) => find_in_path("espeak-ng").map(|p| vec![p]),
        };
        Voice {
            program,
            warned: false,
        }
    }

    /// Speaks one sentence and waits until it has been said. Failures are logged once.
    pub fn say(&mut self, text: &str) {
        let Some((program, args)) = self.program.as_ref().and_then(|p| p.split_first()) else {
            return;
        };
        let result = Command::new(program)
            .args(args)
            .arg(text)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        match result {
            Ok(status) if status.success() => {}
            Ok(status) if !self.warned => {
                tracing::warn!(
                    "text-to-speech {program} exited with {status}; answers are not spoken"
                );
                self.warned = true;
            }
            Err(e) if !self.warned => {
                tracing::warn!("cannot run text-to-speech {program}: {e}; answers are not spoken");
                self.warned = true;
            }
            _ => {}
        }
    }
}

fn find_in_path(name: &str) -> Option<String> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .map(|p| p.display().to_string())
}
