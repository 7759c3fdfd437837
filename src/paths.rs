//! Where the files a configuration names are found: relative paths resolve against the
//! configuration file's folder (the current directory for the embedded demo room).
//! Components get a [`Paths`] with their own settings instead of the whole
//! configuration.

use std::path::{Path, PathBuf};

/// Where the configuration was read from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ConfigSource {
    /// The embedded demo room (no file found).
    #[default]
    EmbeddedDemo,
    File(PathBuf),
}

/// Resolves the paths a configuration names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Paths {
    source: ConfigSource,
}

impl Paths {
    pub fn new(source: ConfigSource) -> Paths {
        Paths { source }
    }

    /// Where the configuration came from.
    pub(crate) fn source(&self) -> &ConfigSource {
        &self.source
    }

    /// Whether this is the embedded demo room (its calendars are embedded too).
    pub(crate) fn is_demo(&self) -> bool {
        self.source == ConfigSource::EmbeddedDemo
    }

    /// The configuration file as errors name it.
    pub(crate) fn origin(&self) -> String {
        match &self.source {
            ConfigSource::File(p) => p.display().to_string(),
            ConfigSource::EmbeddedDemo => "the configuration".into(),
        }
    }

    /// The directory relative paths resolve against: the config file's folder, or the
    /// current directory for the embedded demo.
    pub(crate) fn base_dir(&self) -> PathBuf {
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
    pub(crate) fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.base_dir().join(path)
        }
    }
}

/// Gives `file`, about to replace `path`, the owner and group of `original` when they
/// differ: a calendar file or snapshot rewritten by root (running `roomvoice ask` on a
/// device) would otherwise become root's, and the service could no longer read it.
/// Only root may give a file away: anyone else gets a warning instead.
pub(crate) fn keep_owner(file: &std::fs::File, path: &Path, original: &std::fs::Metadata) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let Ok(now) = file.metadata() else {
            return;
        };
        if (now.uid(), now.gid()) == (original.uid(), original.gid()) {
            return;
        }
        if let Err(e) = std::os::unix::fs::fchown(file, Some(original.uid()), Some(original.gid()))
        {
            tracing::warn!(
                "{} now belongs to user {} (group {}), not to user {} (group {}) as before: {e}; the service may no longer read it",
                path.display(),
                now.uid(),
                now.gid(),
                original.uid(),
                original.gid()
            );
        }
    }
    #[cfg(not(unix))]
    let _ = (file, path, original);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_resolve_against_the_config_files_folder() {
        let paths = Paths::new(ConfigSource::File("/etc/roomvoice/roomvoice.toml".into()));
        assert_eq!(
            paths.resolve(Path::new("room.ics")),
            PathBuf::from("/etc/roomvoice/room.ics")
        );
        assert_eq!(
            paths.resolve(Path::new("/srv/x.ics")),
            PathBuf::from("/srv/x.ics")
        );
        let here = Paths::new(ConfigSource::File("roomvoice.toml".into()));
        assert_eq!(
            here.resolve(Path::new("room.ics")),
            PathBuf::from("./room.ics")
        );
        assert!(Paths::default().is_demo());
    }
}
