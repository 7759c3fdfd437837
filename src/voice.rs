//! Speaking answers back through a TTS program (espeak-ng by default, when installed),
//! and the earcon: a short rising tone when the wake word is heard, played through
//! `[voice] earcon_command` (`aplay -q` by default) so people know the device listens.

use std::process::{Command, Stdio};

use serde::Deserialize;

/// `[voice]`: how answers are spoken.
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

impl VoiceConfig {
    /// What is wrong with the table, said as the fix.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.tts == TtsMode::Command && self.command.is_empty() {
            return Err("[voice] tts = \"command\" needs command = [\"program\", ...]".into());
        }
        Ok(())
    }
}

/// Speaks sentences, or stays silent.
pub(crate) struct Voice {
    program: Option<Vec<String>>,
    warned: bool,
    /// The earcon player and the tone's WAV file (written once, at start).
    earcon: Option<(Vec<String>, tempfile::TempPath)>,
}

impl Voice {
    /// A voice for the configuration; `enabled = false` is always silent.
    pub(crate) fn new(config: &VoiceConfig, enabled: bool) -> Voice {
        let program = match (enabled, config.tts) {
            (false, _) | (_, TtsMode::Off) => None,
            (true, TtsMode::Command) => Some(config.command.clone()),
            (true, TtsMode::Auto) => find_in_path("espeak-ng").map(|p| vec![p]),
        };
        let earcon = if enabled && config.earcon {
            earcon_player(&config.earcon_command)
        } else {
            None
        };
        Voice {
            program,
            warned: false,
            earcon,
        }
    }

    /// Whether sentences are spoken aloud (a TTS program is set), so that the room's
    /// microphone hears them too.
    pub(crate) fn is_audible(&self) -> bool {
        self.program.is_some()
    }

    /// Plays the earcon without waiting for it (the device goes on listening).
    pub(crate) fn earcon(&mut self) {
        let Some((player, file)) = &self.earcon else {
            return;
        };
        let Some((program, args)) = player.split_first() else {
            return;
        };
        let spawned = Command::new(program)
            .args(args)
            .arg(file.as_os_str())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        match spawned {
            // Reaped by a thread so no zombie is left behind.
            Ok(mut child) => {
                std::thread::spawn(move || child.wait());
            }
            Err(e) => {
                tracing::warn!("cannot play the earcon with {program}: {e}; no earcon from now on");
                self.earcon = None;
            }
        }
    }

    /// Speaks one sentence and waits until it has been said. Failures are logged once.
    pub(crate) fn say(&mut self, text: &str) {
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

/// The earcon player when its program is installed, with the tone written to a
/// temporary WAV file.
fn earcon_player(command: &[String]) -> Option<(Vec<String>, tempfile::TempPath)> {
    let program = command.first()?;
    let resolved = if program.contains('/') {
        std::path::Path::new(program)
            .is_file()
            .then(|| program.clone())
    } else {
        find_in_path(program)
    };
    let Some(resolved) = resolved else {
        tracing::info!("no earcon: {program} is not installed ([voice] earcon_command)");
        return None;
    };
    match write_earcon() {
        Ok(path) => {
            let mut player = command.to_vec();
            player[0] = resolved;
            Some((player, path))
        }
        Err(e) => {
            tracing::warn!("no earcon: cannot write its sound file: {e}");
            None
        }
    }
}

/// Two short rising tones (150 ms in all, 16 kHz mono), faded in and out.
fn write_earcon() -> Result<tempfile::TempPath, Box<dyn std::error::Error>> {
    const RATE: u32 = 16_000;
    let file = tempfile::Builder::new()
        .prefix("roomvoice-earcon-")
        .suffix(".wav")
        .tempfile()?;
    let path = file.into_temp_path();
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(&path, spec)?;
    for (frequency, length) in [(660.0f64, 0.07f64), (990.0, 0.08)] {
        let n = (length * f64::from(RATE)) as usize;
        for i in 0..n {
            let t = i as f64 / f64::from(RATE);
            let fade = (i.min(n - i) as f64 / 160.0).min(1.0);
            let sample = (2.0 * std::f64::consts::PI * frequency * t).sin() * fade * 8000.0;
            writer.write_sample(sample as i16)?;
        }
    }
    writer.finalize()?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_earcon_is_a_short_audible_tone() {
        let path = write_earcon().expect("earcon");
        let mut reader = hound::WavReader::open(&path).expect("wav");
        let samples: Vec<i16> = reader
            .samples::<i16>()
            .map(|s| s.expect("sample"))
            .collect();
        let seconds = samples.len() as f64 / 16_000.0;
        assert!((0.1..0.3).contains(&seconds), "{seconds} s");
        let peak = samples.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
        assert!(peak > 4000, "peak {peak}");
    }

    #[test]
    fn a_silent_voice_plays_no_earcon() {
        let config = VoiceConfig::default();
        let voice = Voice::new(&config, false);
        assert!(voice.earcon.is_none());
        let off = VoiceConfig {
            earcon: false,
            ..VoiceConfig::default()
        };
        assert!(Voice::new(&off, true).earcon.is_none());
    }
}
