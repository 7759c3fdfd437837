//! baresip, the SIP user agent behind `dialer = "sip"`: starting it, commanding it and
//! hearing its call events.
//!
//! Why baresip: Debian packages it (`baresip-core`, on Raspberry Pi OS too), and it
//! carries the room's audio (ALSA microphone and speaker) as well as the signalling:
//! UDP/TCP/TLS, digest authentication, registration, outbound proxies, RFC 4733
//! telephone-events. The Rust SIP crates do signalling only; the RTP audio path a
//! meeting room needs would have been ours to write and keep working.
//!
//! How: each call runs its own baresip with a configuration written into a private
//! temporary folder: `config` (modules, audio devices, control port) and `accounts` (the
//! SIP account; the password is written only there, mode 0600, never on a command line
//! where `ps` would show it). baresip's `ctrl_tcp` module listens on 127.0.0.1; commands
//! go to it as netstring-framed JSON (`{"command":"dial","params":"sip:..."}`), and
//! the call's events come back the same way (`CALL_RINGING`, `CALL_ESTABLISHED`,
//! `CALL_CLOSED` with "486 Busy Here"). baresip's own output is logged at debug level
//! with the password taken out.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use super::settings::{DtmfMode, SipConfig};

use super::JoinError;

/// Where Debian (and a source build) put baresip's modules; baresip itself looks in
/// the current directory unless told.
const MODULE_DIRS: &[&str] = &[
    "/usr/lib/baresip/modules",
    "/usr/local/lib/baresip/modules",
    "/usr/lib/aarch64-linux-gnu/baresip/modules",
    "/usr/lib/arm-linux-gnueabihf/baresip/modules",
    "/usr/lib/x86_64-linux-gnu/baresip/modules",
];

/// Audio codecs offered, in order of preference, when baresip has them.
const CODECS: &[&str] = &["opus", "g722", "g711"];

/// How long baresip gets to open its control port.
const CONTROL_WAIT: Duration = Duration::from_secs(5);

/// What baresip tells the dialer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Notice {
    /// A user-agent event: `kind` is baresip's type (`CALL_ESTABLISHED`, ...), `param`
    /// its detail ("486 Busy Here" for a closed call).
    Event { kind: String, param: String },
    /// The answer to a command.
    Response { ok: bool, data: String },
    /// The control connection closed (baresip exited).
    Closed,
}

/// The SIP account as baresip's `accounts` file needs it.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    /// Address of record, e.g. "sip:room-everest@sip.example.net;transport=tcp".
    pub aor: String,
    pub password: Option<Secret>,
    /// Re-registration interval in seconds; 0: no registration.
    pub regint: u32,
    pub outbound_proxy: Option<String>,
    pub dtmf: DtmfMode,
}

/// A password: printed as `<redacted>` by `Debug`, so it cannot reach a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    /// Reads a password file (one line; surrounding whitespace is dropped). Errors name
    /// the file, never its content.
    pub(crate) fn from_file(path: &Path) -> Result<Secret, JoinError> {
        let text = std::fs::read_to_string(path).map_err(|source| JoinError::PasswordFile {
            path: path.display().to_string(),
            source,
        })?;
        let password = text.trim().to_string();
        // baresip's account line cannot quote a parameter value.
        if password.is_empty()
            || password
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, ';' | '"' | '<' | '>'))
        {
            return Err(JoinError::PasswordUnusable {
                path: path.display().to_string(),
            });
        }
        Ok(Secret(password))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A running baresip and its control connection.
pub(crate) struct Baresip {
    child: Child,
    control: TcpStream,
    /// The configuration folder; removed when the call is over.
    _dir: tempfile::TempDir,
}

impl Baresip {
    /// Writes the configuration, starts baresip and connects to its control port.
    /// Every notice from baresip is sent to `notices` (from a thread of its own).
    pub(crate) fn start<T: From<Notice> + Send + 'static>(
        config: &SipConfig,
        account: &Account,
        ca_file: Option<&Path>,
        notices: Sender<T>,
    ) -> Result<Baresip, JoinError> {
        if account.dtmf != DtmfMode::Rfc4733 && !knows_dtmf_mode(&config.baresip) {
            return Err(JoinError::DtmfModeUnsupported {
                mode: match account.dtmf {
                    DtmfMode::Info => "info",
                    _ => "auto",
                },
            });
        }
        let module_dir = MODULE_DIRS
            .iter()
            .map(Path::new)
            .find(|d| d.join("ctrl_tcp.so").is_file())
            .ok_or(JoinError::BaresipMissing)?;
        let dir = tempfile::Builder::new()
            .prefix("roomvoice-sip-")
            .tempdir()
            .map_err(|source| JoinError::Io {
                what: "create baresip's configuration folder".into(),
                source,
            })?;
        let control_port = free_port()?;
        write_private(
            &dir.path().join("config"),
            &config_file(config, module_dir, control_port, ca_file),
        )?;
        write_private(&dir.path().join("accounts"), &account_line(account))?;

        let mut child = Command::new(&config.baresip)
            .arg("-f")
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| {
                if source.kind() == std::io::ErrorKind::NotFound {
                    JoinError::BaresipMissing
                } else {
                    JoinError::Spawn {
                        program: config.baresip.clone(),
                        source,
                    }
                }
            })?;
        let secret = account.password.clone();
        if let Some(out) = child.stdout.take() {
            log_output(out, secret.clone());
        }
        if let Some(err) = child.stderr.take() {
            log_output(err, secret);
        }
        let control = match connect(&mut child, control_port) {
            Ok(c) => c,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(e);
            }
        };
        let reader = control.try_clone().map_err(|source| JoinError::Io {
            what: "read baresip's control connection".into(),
            source,
        })?;
        std::thread::Builder::new()
            .name("baresip-events".into())
            .spawn(move || read_notices(reader, notices))
            .map_err(|source| JoinError::Io {
                what: "start the baresip event reader".into(),
                source,
            })?;
        tracing::debug!(pid = child.id(), control_port, "baresip started");
        Ok(Baresip {
            child,
            control,
            _dir: dir,
        })
    }

    /// Sends one command (`dial`, `sndcode`, `hangup`, `quit`, ...).
    pub(crate) fn command(&mut self, command: &str, params: Option<&str>) -> std::io::Result<()> {
        let mut message = serde_json::json!({ "command": command });
        if let Some(p) = params {
            message["params"] = serde_json::Value::String(p.to_string());
        }
        let body = message.to_string();
        tracing::debug!(command, "to baresip");
        write!(self.control, "{}:{},", body.len(), body)?;
        self.control.flush()
    }

    /// Asks baresip to quit and waits for it a moment; kills it if it lingers.
    pub(crate) fn stop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let _ = self.command("quit", None);
        let until = Instant::now() + Duration::from_secs(2);
        while Instant::now() < until {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        tracing::warn!("baresip did not quit; stopping it");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Baresip {
    fn drop(&mut self) {
        self.stop();
    }
}

/// baresip 1.0 (Debian 12) keys digits as RTP telephone-events only; the `dtmfmode`
/// account parameter (SIP INFO) came with later versions.
fn knows_dtmf_mode(program: &str) -> bool {
    let Ok(out) = Command::new(program)
        .arg("-h")
        .stdin(Stdio::null())
        .output()
    else {
        return false;
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    parse_version(&text).is_some_and(|v| v >= (1, 1))
}

/// "baresip v1.0.0 Copyright ..." -> (1, 0).
fn parse_version(text: &str) -> Option<(u32, u32)> {
    let rest = &text[text.find("baresip v")? + "baresip v".len()..];
    let mut parts = rest.split(|c: char| !c.is_ascii_digit());
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// A free TCP port on 127.0.0.1 for baresip's control interface.
fn free_port() -> Result<u16, JoinError> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|source| JoinError::Io {
            what: "find a free local port for baresip's control interface".into(),
            source,
        })
}

/// baresip's `config` file.
fn config_file(
    config: &SipConfig,
    module_dir: &Path,
    control_port: u16,
    ca_file: Option<&Path>,
) -> String {
    let mut lines = vec![
        format!("module_path {}", module_dir.display()),
        "poll_method epoll".into(),
        format!("sip_listen {}", config.listen),
        // Our own answer timeout decides; baresip's must not come first.
        format!("call_local_timeout {}", config.answer_timeout_s + 30),
        "call_max_calls 1".into(),
        format!("audio_player {}", config.audio_player),
        format!("audio_alert {}", config.audio_player),
        format!("audio_source {}", config.audio_source),
        "statmode_default off".into(),
    ];
    if let Some(ca) = ca_file {
        lines.push(format!("sip_cafile {}", ca.display()));
    }
    for codec in CODECS {
        if module_dir.join(format!("{codec}.so")).is_file() {
            lines.push(format!("module {codec}.so"));
        }
    }
    let mut drivers: Vec<&str> = [&config.audio_source, &config.audio_player]
        .iter()
        .filter_map(|d| d.split(',').next())
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect();
    drivers.dedup();
    for driver in drivers {
        lines.push(format!("module {driver}.so"));
    }
    lines.extend([
        "module_tmp account.so".into(),
        "module_app menu.so".into(),
        "module_app ctrl_tcp.so".into(),
        format!("ctrl_tcp_listen 127.0.0.1:{control_port}"),
    ]);
    lines.join("\n") + "\n"
}

/// baresip's `accounts` file: one line, `<aor>;params`.
fn account_line(account: &Account) -> String {
    let mut line = format!("<{}>;regint={}", account.aor, account.regint);
    if let Some(password) = &account.password {
        line.push_str(";auth_pass=");
        line.push_str(password.expose());
    }
    if let Some(proxy) = &account.outbound_proxy {
        line.push_str(&format!(";outbound=\"{proxy}\""));
    }
    match account.dtmf {
        DtmfMode::Rfc4733 => {}
        DtmfMode::Info => line.push_str(";dtmfmode=info"),
        DtmfMode::Auto => line.push_str(";dtmfmode=auto"),
    }
    line + "\n"
}

/// Writes a file only this user can read (the accounts file holds the password).
fn write_private(path: &PathBuf, text: &str) -> Result<(), JoinError> {
    use std::os::unix::fs::OpenOptionsExt;
    let io = |source| JoinError::Io {
        what: format!("write {}", path.display()),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)
}

/// Connects to the control port, waiting for baresip to open it.
fn connect(child: &mut Child, port: u16) -> Result<TcpStream, JoinError> {
    let until = Instant::now() + CONTROL_WAIT;
    loop {
        if let Ok(stream) = TcpStream::connect(("127.0.0.1", port)) {
            return Ok(stream);
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(JoinError::BaresipExited {
                status: status.to_string(),
            });
        }
        if Instant::now() > until {
            return Err(JoinError::ControlUnreachable { port });
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Reads netstring-framed JSON messages (`<length>:<json>,`) until the connection closes.
fn read_notices<T: From<Notice>>(stream: TcpStream, notices: Sender<T>) {
    let mut reader = BufReader::new(stream);
    loop {
        match read_netstring(&mut reader) {
            Ok(Some(body)) => {
                let Some(notice) = parse_notice(&body) else {
                    tracing::debug!("unreadable message from baresip");
                    continue;
                };
                if notices.send(T::from(notice)).is_err() {
                    return;
                }
            }
            Ok(None) | Err(_) => {
                let _ = notices.send(T::from(Notice::Closed));
                return;
            }
        }
    }
}

fn read_netstring(reader: &mut impl BufRead) -> std::io::Result<Option<Vec<u8>>> {
    let mut length = Vec::new();
    if reader.read_until(b':', &mut length)? == 0 {
        return Ok(None);
    }
    length.pop();
    let length: usize = std::str::from_utf8(&length)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .filter(|n| *n <= 1 << 20)
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "bad netstring"))?;
    let mut body = vec![0; length + 1];
    reader.read_exact(&mut body)?;
    if body.pop() != Some(b',') {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "netstring without its comma",
        ));
    }
    Ok(Some(body))
}

fn parse_notice(body: &[u8]) -> Option<Notice> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let text = |key: &str| value[key].as_str().unwrap_or_default().to_string();
    if value.get("event").is_some() {
        Some(Notice::Event {
            kind: text("type"),
            param: text("param"),
        })
    } else if value.get("response").is_some() {
        Some(Notice::Response {
            ok: value["ok"].as_bool().unwrap_or(false),
            data: text("data"),
        })
    } else {
        None
    }
}

/// Logs baresip's output at debug level, one line at a time, without colour codes,
/// status lines or the password.
fn log_output(stream: impl Read + Send + 'static, secret: Option<Secret>) {
    let spawned = std::thread::Builder::new()
        .name("baresip-output".into())
        .spawn(move || {
            let mut reader = BufReader::new(stream);
            let mut line = Vec::new();
            // Status lines end in '\r' only: split on both.
            while let Ok(n) = read_line_cr(&mut reader, &mut line) {
                if n == 0 {
                    break;
                }
                let text = clean_line(&String::from_utf8_lossy(&line), secret.as_ref());
                if !text.is_empty() {
                    tracing::debug!(target: "roomvoice::baresip", "{text}");
                }
                line.clear();
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("cannot read baresip's output: {e}");
    }
}

fn read_line_cr(reader: &mut impl BufRead, line: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut total = 0;
    loop {
        let (done, used) = {
            let buf = reader.fill_buf()?;
            if buf.is_empty() {
                return Ok(total);
            }
            match buf.iter().position(|b| *b == b'\n' || *b == b'\r') {
                Some(i) => {
                    line.extend_from_slice(&buf[..i]);
                    (true, i + 1)
                }
                None => {
                    line.extend_from_slice(buf);
                    (false, buf.len())
                }
            }
        };
        reader.consume(used);
        total += used;
        if done {
            return Ok(total);
        }
    }
}

fn clean_line(line: &str, secret: Option<&Secret>) -> String {
    let mut text = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // ANSI colour: ESC [ ... letter
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else if !c.is_control() {
            text.push(c);
        }
    }
    let mut text = text.trim().to_string();
    if let Some(secret) = secret {
        text = text.replace(secret.expose(), "<redacted>");
    }
    // The per-second audio status line says nothing worth keeping.
    if text.starts_with("[0:") {
        return String::new();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_netstring_messages() {
        let input = b"36:{\"event\":true,\"type\":\"CALL_RINGING\"},12:{\"response\":";
        let mut reader = BufReader::new(&input[..]);
        let body = read_netstring(&mut reader).unwrap().unwrap();
        assert_eq!(
            parse_notice(&body),
            Some(Notice::Event {
                kind: "CALL_RINGING".into(),
                param: String::new()
            })
        );
        assert!(
            read_netstring(&mut reader).is_err(),
            "a cut message is an error"
        );
    }

    #[test]
    fn closed_call_keeps_the_sip_status() {
        let body = br#"{"event":true,"type":"CALL_CLOSED","class":"call","param":"486 Busy Here"}"#;
        assert_eq!(
            parse_notice(body),
            Some(Notice::Event {
                kind: "CALL_CLOSED".into(),
                param: "486 Busy Here".into()
            })
        );
    }

    #[test]
    fn account_line_quotes_the_proxy_and_holds_the_password() {
        let account = Account {
            aor: "sip:room@sip.example.net;transport=tcp".into(),
            password: Some(Secret("s3cret".into())),
            regint: 3600,
            outbound_proxy: Some("sip:proxy.example.net;transport=tcp".into()),
            dtmf: DtmfMode::Rfc4733,
        };
        assert_eq!(
            account_line(&account),
            "<sip:room@sip.example.net;transport=tcp>;regint=3600;auth_pass=s3cret;outbound=\"sip:proxy.example.net;transport=tcp\"\n"
        );
        assert_eq!(format!("{account:?}").matches("s3cret").count(), 0);
    }

    #[test]
    fn output_lines_lose_colour_and_password() {
        let secret = Secret("hunter2".into());
        assert_eq!(
            clean_line("\u{1b}[31mauth failed for hunter2\u{1b}[;m", Some(&secret)),
            "auth failed for <redacted>"
        );
        assert_eq!(clean_line("[0:00:03] audio=0/0 (bit/s)", None), "");
    }

    #[test]
    fn version_from_help_text() {
        assert_eq!(
            parse_version("baresip v1.0.0 Copyright (C) 2010 - 2020"),
            Some((1, 0))
        );
        assert_eq!(parse_version("baresip v3.24.0"), Some((3, 24)));
        assert_eq!(parse_version("usage"), None);
    }

    #[test]
    fn unusable_password_is_refused_without_showing_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "two words\n").unwrap();
        let err = Secret::from_file(&path).unwrap_err().to_string();
        assert!(!err.contains("two words"), "{err}");
        assert!(err.contains("pw"), "{err}");
        std::fs::write(&path, "  fine-password \n").unwrap();
        assert_eq!(Secret::from_file(&path).unwrap().expose(), "fine-password");
    }
}
