//! The `sip` dialer: one call, from dialing to hanging up, through baresip
//! ([`super::baresip`]).
//!
//! The dial string says what to do: `+16465588656,85512345678#,,*414376#` calls
//! `sip:+16465588656@<domain>` (the SIP trunk or PSTN gateway of `[join.sip]`), and once
//! the far end answers waits a comma (2 s) per comma, keying each digit group as DTMF
//! in between. A plan's SIP address (video bridges) is called as it is, nothing keyed.
//!
//! A call runs on a thread of its own, so the device keeps hearing the room while it
//! dials; what happens comes back as [`Progress`] (`dialing`, `connected`, `dtmf_sent`,
//! `ended`, `failed`), which the assistant turns into events and sentences. A failed
//! call carries the SIP status and a sentence for the room ("The call didn't go
//! through: the number is busy."). Dropping a [`SipCall`] hangs up (BYE) and stops
//! baresip, so a process that exits with a call up ends it cleanly.
//!
//! Over 600 lines only with its tests (the code is under 540).

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::settings::{SipConfig, SipTransport};

use super::baresip::{Account, Baresip, Notice, Secret};
use super::JoinError;

/// One comma of a dial string (the provider delays are written as commas of 2 s).
pub(crate) const COMMA: Duration = Duration::from_secs(2);
/// From one digit to the next: baresip sends each telephone-event for 180 ms.
const DIGIT_INTERVAL: Duration = Duration::from_millis(300);
/// After the answer, before the first digit: the audio stream has to be running for
/// telephone-events to go out.
const MEDIA_SETTLE: Duration = Duration::from_millis(500);
/// How long a hang-up waits for baresip to confirm the call closed.
const HANGUP_WAIT: Duration = Duration::from_secs(3);

/// What happened to the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    Dialing {
        uri: String,
    },
    Connected {
        uri: String,
    },
    /// One group of digits keyed (between two pauses of the dial string).
    DtmfSent {
        digits: String,
    },
    /// The whole dial string has been keyed (or there was nothing to key).
    Keyed,
    Ended {
        by: EndedBy,
        reason: String,
    },
    Failed(Failure),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndedBy {
    Room,
    FarEnd,
}

impl EndedBy {
    pub(crate) fn as_str(&self) -> &'static str {
        match self {
            EndedBy::Room => "room",
            EndedBy::FarEnd => "far_end",
        }
    }
}

/// A call that did not go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The SIP status of the far end's final answer (486, 404, ...), when there was one.
    pub status: Option<u16>,
    /// The SIP reason phrase, or what happened ("no answer within 60 s").
    pub reason: String,
    /// What the device says in the room.
    pub sentence: String,
}

impl Failure {
    /// From baresip's reason for closing a call that was never answered: "486 Busy
    /// Here", or an error text ("Connection refused"). `heard_back`: the far end sent
    /// a provisional answer (trying, ringing).
    fn from_close(param: &str, heard_back: bool) -> Failure {
        let param = param.trim();
        let status = param
            .split_whitespace()
            .next()
            .filter(|code| code.len() == 3)
            .and_then(|code| code.parse::<u16>().ok())
            .filter(|code| (300..700).contains(code));
        let reason = match status {
            Some(_) => param[3..].trim().to_string(),
            None if param.is_empty() => "the call closed".to_string(),
            None => param.to_string(),
        };
        let why = match status {
            Some(486 | 600) => "the number is busy",
            Some(404 | 604) => "the number doesn't exist",
            Some(484 | 485) => "the number is incomplete",
            Some(408) if !heard_back => "I couldn't reach the phone service",
            Some(408 | 480 | 487) => "nobody answered",
            Some(401 | 403 | 407) => "the phone service didn't accept this room's sign-in",
            Some(603) => "the call was declined",
            Some(500..=599) => "the phone service isn't available right now",
            Some(_) => "the phone service refused it",
            None if heard_back => "the call was cut off",
            None => "I couldn't reach the phone service",
        };
        if matches!(status, Some(401 | 403 | 407)) {
            tracing::warn!(
                "the SIP service refused the credentials ({param}): check [join.sip] user and password_file"
            );
        }
        Failure {
            status,
            reason,
            sentence: format!("The call didn't go through: {why}."),
        }
    }

    /// Nobody answered within the answer timeout.
    fn no_answer(heard_back: bool, timeout: Duration) -> Failure {
        let (reason, why) = if heard_back {
            (
                format!("no answer within {} s", timeout.as_secs()),
                "nobody answered",
            )
        } else {
            (
                format!("no response within {} s", timeout.as_secs()),
                "I couldn't reach the phone service",
            )
        };
        Failure {
            status: None,
            reason,
            sentence: format!("The call didn't go through: {why}."),
        }
    }

    fn user_agent(reason: String) -> Failure {
        Failure {
            status: None,
            reason,
            sentence: "The call didn't go through: the phone software stopped.".into(),
        }
    }
}

/// What to call and what to key once answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dial {
    pub uri: String,
    steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Pause(Duration),
    Key(char),
    /// The digits keyed since the last pause: reported as `dtmf_sent`.
    Done(String),
}

/// The call for a join target: a dial string ("+16465588656,,85512345678#") or a SIP
/// address ("85512345678@zoomcrc.com", "sip:...").
pub(crate) fn plan_call(target: &str, config: &SipConfig) -> Result<Dial, JoinError> {
    let target = target.trim();
    let lower = target.to_ascii_lowercase();
    if lower.starts_with("sip:") || lower.starts_with("sips:") {
        return Ok(Dial {
            uri: target.to_string(),
            steps: Vec::new(),
        });
    }
    if target.contains('@') {
        return Ok(Dial {
            uri: format!("sip:{target}"),
            steps: Vec::new(),
        });
    }
    let (number, keys) = target.split_once(',').unwrap_or((target, ""));
    let number: String = number
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    if number.trim_start_matches('+').is_empty() {
        return Err(JoinError::NothingToDial);
    }
    let domain = config.dial_domain().ok_or(JoinError::NoSipDomain)?;
    let mut uri = format!("sip:{number}@{domain}");
    if config.transport != SipTransport::Udp {
        uri.push_str(";transport=");
        uri.push_str(config.transport.as_str());
    }
    // The number ended at the first comma: that comma is the first pause.
    let keys = if target.contains(',') {
        format!(",{keys}")
    } else {
        String::new()
    };
    Ok(Dial {
        uri,
        steps: keying_steps(&keys),
    })
}

/// Commas become pauses, DTMF characters keys; anything else (spaces) is skipped.
fn keying_steps(keys: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut group = String::new();
    for c in keys.chars() {
        if c == ',' {
            if !group.is_empty() {
                steps.push(Step::Done(std::mem::take(&mut group)));
            }
            steps.push(Step::Pause(COMMA));
        } else if c.is_ascii_digit() || matches!(c, '*' | '#' | 'A'..='D' | 'a'..='d') {
            let c = c.to_ascii_uppercase();
            steps.push(Step::Key(c));
            group.push(c);
        }
    }
    if !group.is_empty() {
        steps.push(Step::Done(group));
    }
    // Trailing pauses key nothing.
    while matches!(steps.last(), Some(Step::Pause(_))) {
        steps.pop();
    }
    steps
}

/// The SIP account baresip uses.
pub(crate) fn account(config: &SipConfig, password: Option<Secret>) -> Account {
    let user = config.user.clone().unwrap_or_else(|| "roomvoice".into());
    let host = config
        .registrar
        .clone()
        .or_else(|| config.domain.clone())
        .unwrap_or_else(|| "localhost".into());
    let mut aor = format!("sip:{user}@{host}");
    if config.transport != SipTransport::Udp {
        aor.push_str(";transport=");
        aor.push_str(config.transport.as_str());
    }
    Account {
        aor,
        password,
        regint: if config.registrar.is_some() { 3600 } else { 0 },
        outbound_proxy: config.outbound_proxy.clone(),
        dtmf: config.dtmf,
    }
}

enum Input {
    Baresip(Notice),
    HangUp,
}

impl From<Notice> for Input {
    fn from(notice: Notice) -> Self {
        Input::Baresip(notice)
    }
}

/// A call in progress.
pub struct SipCall {
    uri: String,
    /// The dial string is keyed, or the call is over: nothing more to wait for.
    settled: bool,
    inputs: Sender<Input>,
    progress: Receiver<Progress>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for SipCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SipCall").field("uri", &self.uri).finish()
    }
}

impl SipCall {
    /// Starts baresip and dials. Errors are about starting (baresip missing, password
    /// file unreadable); what happens to the call itself comes as [`Progress`].
    pub(crate) fn start(
        config: &SipConfig,
        account: &Account,
        ca_file: Option<&std::path::Path>,
        dial: Dial,
    ) -> Result<SipCall, JoinError> {
        let (inputs, input_rx) = mpsc::channel::<Input>();
        let user_agent = Baresip::start(config, account, ca_file, inputs.clone())?;
        let (progress_tx, progress) = mpsc::channel();
        let answer_timeout = Duration::from_secs(u64::from(config.answer_timeout_s));
        let uri = dial.uri.clone();
        let thread = std::thread::Builder::new()
            .name("sip-call".into())
            .spawn(move || run_call(user_agent, dial, answer_timeout, input_rx, progress_tx))
            .map_err(|source| JoinError::Io {
                what: "start the call thread".into(),
                source,
            })?;
        Ok(SipCall {
            uri,
            settled: false,
            inputs,
            progress,
            thread: Some(thread),
        })
    }

    /// What happened since the last look, without waiting.
    pub(crate) fn poll(&mut self) -> Vec<Progress> {
        let seen: Vec<Progress> = self.progress.try_iter().collect();
        if seen.iter().any(settles) {
            self.settled = true;
        }
        seen
    }

    /// Waits until the dial string is keyed or the call is over (at most `limit`), and
    /// returns what happened meanwhile. Returns at once when that already happened.
    pub(crate) fn settle(&mut self, limit: Duration) -> Vec<Progress> {
        let until = Instant::now() + limit;
        let mut seen = Vec::new();
        while !self.settled {
            let left = until.saturating_duration_since(Instant::now());
            match self.progress.recv_timeout(left) {
                Ok(p) => {
                    self.settled = settles(&p);
                    seen.push(p);
                }
                Err(_) => break,
            }
        }
        seen.extend(self.poll());
        seen
    }

    /// Hangs up (BYE, or CANCEL while it rings), stops baresip and returns what
    /// happened meanwhile (ending with `ended`, unless the call was already over).
    pub(crate) fn hang_up(&mut self) -> Vec<Progress> {
        let _ = self.inputs.send(Input::HangUp);
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("the call thread panicked");
            }
        }
        self.poll()
    }
}

impl Drop for SipCall {
    fn drop(&mut self) {
        if let Some(thread) = &self.thread {
            if !thread.is_finished() {
                tracing::info!("hanging up {} before exiting", self.uri);
            }
            self.hang_up();
        }
    }
}

/// True for the progress after which nothing is left to wait for.
fn settles(progress: &Progress) -> bool {
    matches!(
        progress,
        Progress::Keyed | Progress::Ended { .. } | Progress::Failed(_)
    )
}

/// The call's thread: dial, wait for the answer, key the dial string, then wait for
/// the end (ours or the far end's).
fn run_call(
    mut user_agent: Baresip,
    dial: Dial,
    answer_timeout: Duration,
    inputs: Receiver<Input>,
    progress: Sender<Progress>,
) {
    let report = |p: Progress| {
        let _ = progress.send(p);
    };
    tracing::info!(uri = %dial.uri, "dialing");
    if let Err(e) = user_agent.command("dial", Some(&dial.uri)) {
        report(Progress::Failed(Failure::user_agent(format!(
            "cannot command baresip: {e}"
        ))));
        return;
    }
    report(Progress::Dialing {
        uri: dial.uri.clone(),
    });

    // Until the far end answers.
    let deadline = Instant::now() + answer_timeout;
    let mut heard_back = false;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match inputs.recv_timeout(left) {
            Ok(Input::Baresip(Notice::Event { kind, param })) => match kind.as_str() {
                "CALL_RINGING" | "CALL_PROGRESS" => heard_back = true,
                "CALL_ESTABLISHED" => break,
                "CALL_CLOSED" => {
                    let failure = Failure::from_close(&param, heard_back);
                    tracing::warn!(status = ?failure.status, reason = %failure.reason, "the call failed");
                    report(Progress::Failed(failure));
                    return;
                }
                "REGISTER_FAIL" => {
                    tracing::warn!("SIP registration failed: {param}");
                }
                "REGISTER_OK" => tracing::info!("registered with the SIP registrar"),
                _ => {}
            },
            Ok(Input::Baresip(Notice::Response { ok: false, data })) => {
                report(Progress::Failed(Failure::user_agent(format!(
                    "baresip refused to dial: {}",
                    data.trim()
                ))));
                return;
            }
            Ok(Input::Baresip(Notice::Response { .. })) => {}
            Ok(Input::Baresip(Notice::Closed)) => {
                report(Progress::Failed(Failure::user_agent(
                    "baresip stopped while dialing".into(),
                )));
                return;
            }
            Ok(Input::HangUp) | Err(RecvTimeoutError::Disconnected) => {
                hang_up(&mut user_agent, &inputs);
                report(Progress::Ended {
                    by: EndedBy::Room,
                    reason: "hung up before the far end answered".into(),
                });
                return;
            }
            Err(RecvTimeoutError::Timeout) => {
                hang_up(&mut user_agent, &inputs);
                let failure = Failure::no_answer(heard_back, answer_timeout);
                tracing::warn!(reason = %failure.reason, "the call failed");
                report(Progress::Failed(failure));
                return;
            }
        }
    }
    tracing::info!(uri = %dial.uri, "connected");
    report(Progress::Connected {
        uri: dial.uri.clone(),
    });

    // Keying the dial string, then waiting for the end.
    let mut steps = dial.steps.into_iter().peekable();
    let mut next_at = Some(Instant::now() + MEDIA_SETTLE);
    if steps.peek().is_none() {
        report(Progress::Keyed);
        next_at = None;
    }
    loop {
        let input = match next_at {
            Some(at) => inputs.recv_timeout(at.saturating_duration_since(Instant::now())),
            None => inputs.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match input {
            Err(RecvTimeoutError::Timeout) => match steps.next() {
                Some(Step::Pause(d)) => next_at = Some(Instant::now() + d),
                Some(Step::Key(c)) => {
                    if let Err(e) = user_agent.command("sndcode", Some(&c.to_string())) {
                        tracing::warn!("cannot key a digit: {e}");
                    }
                    next_at = Some(Instant::now() + DIGIT_INTERVAL);
                }
                Some(Step::Done(digits)) => {
                    tracing::info!(%digits, "keyed");
                    report(Progress::DtmfSent { digits });
                    next_at = Some(Instant::now());
                }
                None => {
                    report(Progress::Keyed);
                    next_at = None;
                }
            },
            Ok(Input::Baresip(Notice::Event { kind, param })) if kind == "CALL_CLOSED" => {
                tracing::info!("the far end ended the call: {param}");
                report(Progress::Ended {
                    by: EndedBy::FarEnd,
                    reason: if param.is_empty() {
                        "the far end hung up".into()
                    } else {
                        param
                    },
                });
                return;
            }
            Ok(Input::Baresip(Notice::Closed)) => {
                report(Progress::Ended {
                    by: EndedBy::FarEnd,
                    reason: "baresip stopped".into(),
                });
                return;
            }
            Ok(Input::Baresip(_)) => {}
            Ok(Input::HangUp) | Err(RecvTimeoutError::Disconnected) => {
                hang_up(&mut user_agent, &inputs);
                report(Progress::Ended {
                    by: EndedBy::Room,
                    reason: "hung up".into(),
                });
                return;
            }
        }
    }
}

/// Sends `hangup` and waits (briefly) for baresip to confirm, then stops it.
fn hang_up(user_agent: &mut Baresip, inputs: &Receiver<Input>) {
    tracing::info!("hanging up");
    if user_agent.command("hangup", None).is_ok() {
        let until = Instant::now() + HANGUP_WAIT;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match inputs.recv_timeout(left) {
                Ok(Input::Baresip(Notice::Event { kind, .. })) if kind == "CALL_CLOSED" => break,
                Ok(Input::Baresip(Notice::Closed)) | Err(_) => break,
                Ok(_) => {}
            }
        }
    }
    user_agent.stop();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gateway() -> SipConfig {
        SipConfig {
            domain: Some("gw.example.net".into()),
            ..SipConfig::default()
        }
    }

    #[test]
    fn dial_string_calls_the_number_and_keys_groups_after_pauses() {
        let dial = plan_call("+16465588656,85512345678#,,*414376#", &gateway()).unwrap();
        assert_eq!(dial.uri, "sip:+16465588656@gw.example.net");
        let mut expected = vec![Step::Pause(COMMA)];
        expected.extend("85512345678#".chars().map(Step::Key));
        expected.push(Step::Done("85512345678#".into()));
        expected.extend([Step::Pause(COMMA), Step::Pause(COMMA)]);
        expected.extend("*414376#".chars().map(Step::Key));
        expected.push(Step::Done("*414376#".into()));
        assert_eq!(dial.steps, expected);
    }

    #[test]
    fn sip_address_is_called_as_it_is_and_transport_is_kept() {
        let dial = plan_call("85512345678@zoomcrc.com", &gateway()).unwrap();
        assert_eq!(dial.uri, "sip:85512345678@zoomcrc.com");
        assert!(dial.steps.is_empty());
        let tls = SipConfig {
            transport: SipTransport::Tls,
            ..gateway()
        };
        let dial = plan_call("+1 646 558 8656", &tls).unwrap();
        assert_eq!(dial.uri, "sip:+16465588656@gw.example.net;transport=tls");
    }

    #[test]
    fn a_number_needs_a_domain() {
        let err = plan_call("+16465588656,,123#", &SipConfig::default()).unwrap_err();
        assert!(err.to_string().contains("[join.sip]"), "{err}");
    }

    #[test]
    fn sip_statuses_become_sentences() {
        let busy = Failure::from_close("486 Busy Here", true);
        assert_eq!(busy.status, Some(486));
        assert_eq!(busy.reason, "Busy Here");
        assert_eq!(
            busy.sentence,
            "The call didn't go through: the number is busy."
        );
        let missing = Failure::from_close("404 Not Found", true);
        assert_eq!(
            missing.sentence,
            "The call didn't go through: the number doesn't exist."
        );
        let refused = Failure::from_close("403 Forbidden", false);
        assert!(refused.sentence.contains("sign-in"), "{}", refused.sentence);
        let unreachable = Failure::from_close("Connection refused", false);
        assert_eq!(unreachable.status, None);
        assert!(unreachable.sentence.contains("couldn't reach"));
        assert!(Failure::no_answer(true, Duration::from_secs(60))
            .sentence
            .contains("nobody answered"));
    }

    #[test]
    fn account_registers_only_with_a_registrar() {
        let trunk = SipConfig {
            registrar: Some("sip.example.net".into()),
            user: Some("room-everest".into()),
            transport: SipTransport::Tcp,
            ..SipConfig::default()
        };
        let a = account(&trunk, None);
        assert_eq!(a.aor, "sip:room-everest@sip.example.net;transport=tcp");
        assert_eq!(a.regint, 3600);
        assert_eq!(account(&gateway(), None).regint, 0);
    }
}
