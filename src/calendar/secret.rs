//! Secrets (passwords, client secrets, tokens) for the Exchange and Graph backends.
//!
//! A [`Secret`] never shows its value in `Debug` or `Display`, so it cannot leak into
//! logs, errors or `roomvoice check` output by accident; the value is read only where
//! it goes on the wire ([`Secret::expose`]). Secrets come from a file or an environment
//! variable named in the configuration, never from the TOML itself.

use std::fmt;
use std::path::Path;

use super::CalendarError;

/// A value that must not be shown. `Debug` and `Display` print `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    pub(crate) fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value itself, for the one place that sends it (an HTTP header or form).
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Reads a secret from `file` (resolved by the caller against the config folder) or the
/// environment variable `env`; exactly one must be set. `what` names the secret in
/// errors, e.g. "[calendar.ews] password".
pub(crate) fn load(
    file: Option<&Path>,
    env: Option<&str>,
    what: &str,
    key_prefix: &str,
) -> Result<Secret, CalendarError> {
    match (file, env) {
        (Some(path), None) => read_file(path, what),
        (None, Some(var)) => match std::env::var(var) {
            Ok(value) if !value.trim().is_empty() => Ok(Secret(value.trim_end_matches(['\r', '\n']).to_string())),
            Ok(_) => Err(CalendarError::Invalid(format!(
                "{what}: the environment variable {var} is empty; put the secret in it or use {key_prefix}_file"
            ))),
            Err(_) => Err(CalendarError::Invalid(format!(
                "{what}: the environment variable {var} is not set; export it or use {key_prefix}_file"
            ))),
        },
        (Some(_), Some(_)) => Err(CalendarError::Invalid(format!(
            "{what}: set either {key_prefix}_file or {key_prefix}_env, not both"
        ))),
        (None, None) => Err(CalendarError::Invalid(format!(
            "{what} is missing: set {key_prefix}_file = \"/etc/roomvoice/secret\" (a file readable only by roomvoice) or {key_prefix}_env = \"VARIABLE\""
        ))),
    }
}

fn read_file(path: &Path, what: &str) -> Result<Secret, CalendarError> {
    let text = std::fs::read_to_string(path).map_err(|source| CalendarError::Io {
        path: format!("{what} file {}", path.display()),
        source,
    })?;
    // A trailing newline from `echo secret > file` is not part of the secret.
    let value = text.trim_end_matches(['\r', '\n']);
    if value.is_empty() {
        return Err(CalendarError::Invalid(format!(
            "{what} file {} is empty; write the secret into it",
            path.display()
        )));
    }
    Ok(Secret(value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn file_secret_drops_trailing_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "s3cret\n").unwrap();
        let s = load(Some(&path), None, "[calendar.ews] password", "password").unwrap();
        assert_eq!(s.expose(), "s3cret");
    }

    #[test]
    fn missing_and_empty_secrets_say_what_to_do() {
        let err = load(None, None, "[calendar.ews] password", "password").unwrap_err();
        assert!(err.to_string().contains("password_file"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "\n").unwrap();
        let err = load(Some(&path), None, "[calendar.ews] password", "password").unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
        let err = load(
            None,
            Some("ROOMVOICE_TEST_SURELY_UNSET_VAR"),
            "x",
            "password",
        )
        .unwrap_err();
        assert!(err.to_string().contains("not set"), "{err}");
    }
}
