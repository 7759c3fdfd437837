//! `dialer = "sip"` against a real SIP peer on loopback: `roomvoice ask "alexa start my
//! meeting" "alexa end the meeting"` calls a SIPp user agent server (Debian
//! `sip-tester`) on 127.0.0.1 through baresip (Debian `baresip-core`).
//!
//! SIPp answers the INVITE with an SDP that points the audio at a UDP port this test
//! owns, so the test hears the RTP stream itself and decodes the RFC 4733
//! telephone-events: which digits, and when (the dial string's pauses). SIPp's message
//! trace shows the INVITE's target and the BYE. Other SIPp scenarios answer busy, not
//! found, never, or refuse the password, and the test checks what the room hears.
//!
//! Both programs are installed by device/setup.sh (CI runs it first); a missing one
//! fails the test with that advice rather than skipping it.

use std::io::Write;
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_roomvoice");
/// The demo room's Zoom meeting is on at this time.
const NOW: &str = "2026-11-23T10:05:00-08:00";
const PASSWORD: &str = "Sekr1t-Pa55word";
const USER: &str = "room-everest";

fn require(program: &str, package: &str) {
    let found = Command::new(program)
        .arg("-v")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    assert!(
        found,
        "{program} is not installed (Debian package {package}): run device/setup.sh, which installs it (CI does)"
    );
}

fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .expect("free port")
        .port()
}

/// What the SIPp peer does with the INVITE.
enum Behaviour {
    /// Challenge for the password, then ring, answer, wait for the BYE.
    Answer { rtp_port: u16 },
    /// A final error status, e.g. "486 Busy Here".
    Reject(&'static str),
    /// Ring and never answer; expect the CANCEL.
    Ring,
    /// Challenge, and refuse the credentials (403) unless they match `password`.
    CheckPassword(&'static str),
}

const HEAD: &str = "[last_Via:]\n[last_From:]\n[last_To:];tag=[pid]roomvoiceTest[call_number]\n[last_Call-ID:]\n[last_CSeq:]\nContact: <sip:[local_ip]:[local_port];transport=[transport]>\n";

fn response(status: &str, extra: &str, body: &str) -> String {
    let length = if body.is_empty() {
        "Content-Length: 0\n".to_string()
    } else {
        "Content-Type: application/sdp\nContent-Length: [len]\n".to_string()
    };
    format!("  <send><![CDATA[\nSIP/2.0 {status}\n{HEAD}{extra}{length}\n{body}]]></send>\n")
}

fn challenge_and_verify(password: &str) -> String {
    format!(
        "{}  <recv request=\"ACK\"/>\n  <recv request=\"INVITE\" check_it=\"true\">\n    <action><verifyauth assign_to=\"authvalid\" username=\"{USER}\" password=\"{password}\"/></action>\n  </recv>\n  <nop hide=\"true\" test=\"authvalid\" next=\"goodauth\"/>\n{}  <recv request=\"ACK\" next=\"end\"/>\n  <label id=\"goodauth\"/>\n",
        response(
            "401 Unauthorized",
            "WWW-Authenticate: Digest realm=\"roomvoice.test\", nonce=\"4f2b9c0e7d1a6b3c\"\n",
            ""
        ),
        response("403 Forbidden", "", ""),
    )
}

fn scenario(behaviour: &Behaviour) -> String {
    let steps = match behaviour {
        Behaviour::Answer { rtp_port } => {
            let sdp = format!(
                "v=0\no=peer 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio {rtp_port} RTP/AVP 0 101\na=rtpmap:0 PCMU/8000\na=rtpmap:101 telephone-event/8000\na=fmtp:101 0-15\n"
            );
            format!(
                "  <recv request=\"INVITE\"/>\n{}{}{}  <recv request=\"ACK\"/>\n  <recv request=\"BYE\"/>\n{}",
                challenge_and_verify(PASSWORD),
                response("180 Ringing", "", ""),
                response("200 OK", "", &sdp).replace("<send>", "<send retrans=\"500\">"),
                response("200 OK", "", ""),
            )
        }
        Behaviour::Reject(status) => format!(
            "  <recv request=\"INVITE\"/>\n{}  <recv request=\"ACK\"/>\n",
            response(status, "", "")
        ),
        Behaviour::Ring => format!(
            "  <recv request=\"INVITE\"/>\n{}  <recv request=\"CANCEL\"/>\n{}",
            response("180 Ringing", "", ""),
            response("200 OK", "", "")
        ),
        Behaviour::CheckPassword(password) => format!(
            "  <recv request=\"INVITE\"/>\n{}{}",
            challenge_and_verify(password),
            response("486 Busy Here", "", "") + "  <recv request=\"ACK\"/>\n"
        ),
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\" ?>\n<scenario name=\"roomvoice test peer\">\n{steps}  <label id=\"end\"/>\n</scenario>\n"
    )
}

/// A SIPp user agent server for one call.
struct Peer {
    child: Child,
    port: u16,
    trace: PathBuf,
    _dir: tempfile::TempDir,
}

impl Peer {
    fn start(behaviour: &Behaviour) -> Peer {
        require("sipp", "sip-tester");
        let folder = tempfile::tempdir().expect("tempdir");
        let dir = folder.path();
        let port = free_udp_port();
        let scenario_path = dir.join("peer.xml");
        std::fs::write(&scenario_path, scenario(behaviour)).expect("write scenario");
        let trace = dir.join("peer-messages.log");
        let child = Command::new("sipp")
            .arg("-sf")
            .arg(&scenario_path)
            .args(["-i", "127.0.0.1", "-p", &port.to_string(), "-m", "1"])
            .args(["-nostdin", "-timeout", "60s", "-trace_msg", "-message_file"])
            .arg(&trace)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start sipp");
        Peer {
            child,
            port,
            trace,
            _dir: folder,
        }
    }

    /// Waits for SIPp to finish its scenario; true when it completed it.
    fn finished_ok(&mut self) -> bool {
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    fn messages(&self) -> String {
        std::fs::read_to_string(&self.trace).unwrap_or_default()
    }

    /// The request lines SIPp received ("INVITE sip:... SIP/2.0"); complete once
    /// SIPp has exited (it writes its trace as it goes, buffered).
    fn requests(&self) -> Vec<String> {
        self.messages()
            .lines()
            .filter(|l| l.ends_with("SIP/2.0") && !l.starts_with("SIP/2.0"))
            .map(str::to_string)
            .collect()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One telephone-event heard on the RTP port: its digit and when its first packet came.
#[derive(Debug, Clone)]
struct Digit {
    key: char,
    at: Instant,
}

/// The test's end of the audio: records when audio starts and every RFC 4733 event.
struct MediaListener {
    port: u16,
    first_audio: Arc<Mutex<Option<Instant>>>,
    digits: Arc<Mutex<Vec<Digit>>>,
}

impl MediaListener {
    fn start() -> MediaListener {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("rtp socket");
        socket
            .set_read_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        let port = socket.local_addr().expect("addr").port();
        let first_audio = Arc::new(Mutex::new(None));
        let digits = Arc::new(Mutex::new(Vec::new()));
        let (audio, keys) = (first_audio.clone(), digits.clone());
        std::thread::spawn(move || {
            let started = Instant::now();
            let mut buf = [0u8; 2048];
            let mut last_timestamp = None;
            // Bounded: the test is over long before.
            while started.elapsed() < Duration::from_secs(90) {
                let Ok(n) = socket.recv(&mut buf) else {
                    continue;
                };
                let at = Instant::now();
                if n < 12 {
                    continue;
                }
                let payload_type = buf[1] & 0x7f;
                if payload_type == 0 {
                    audio.lock().unwrap().get_or_insert(at);
                } else if payload_type == 101 && n >= 16 {
                    // RFC 4733: one event is many packets with the same timestamp.
                    let timestamp = u32::from_be_bytes([buf[4], buf[5], buf[6], buf[7]]);
                    if last_timestamp != Some(timestamp) {
                        last_timestamp = Some(timestamp);
                        let key = match buf[12] {
                            e @ 0..=9 => char::from(b'0' + e),
                            10 => '*',
                            11 => '#',
                            e @ 12..=15 => char::from(b'A' + e - 12),
                            _ => '?',
                        };
                        keys.lock().unwrap().push(Digit { key, at });
                    }
                }
            }
        });
        MediaListener {
            port,
            first_audio,
            digits,
        }
    }
}

/// A room whose calendar is the demo's (the Zoom meeting with ID 855 1234 5678 and
/// passcode 414376) and whose dialer is SIP, calling the peer as its gateway.
struct Room {
    dir: tempfile::TempDir,
}

impl Room {
    fn new(peer_port: u16, answer_timeout_s: u32) -> Room {
        require("baresip", "baresip-core");
        let dir = tempfile::tempdir().expect("tempdir");
        // baresip's audio source in the test: silence from a file (no sound card in CI).
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 8000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut wav = hound::WavWriter::create(dir.path().join("silence.wav"), spec).unwrap();
        for _ in 0..8000 * 60 {
            wav.write_sample(0i16).unwrap();
        }
        wav.finalize().unwrap();
        let mut pw = std::fs::File::create(dir.path().join("sip-password")).unwrap();
        writeln!(pw, "{PASSWORD}").unwrap();
        let calendar = Path::new(env!("CARGO_MANIFEST_DIR")).join("device/demo/room.ics");
        let config = format!(
            r#"[room]
name = "Everest"
mailbox = "everest@contoso.com"
timezone = "America/Los_Angeles"
country = "US"
provider = "zoom"

[calendar]
backend = "ics"

[calendar.ics]
path = "{calendar}"

[join]
dialer = "sip"

[join.sip]
domain = "127.0.0.1:{peer_port}"
user = "{USER}"
password_file = "sip-password"
listen = "127.0.0.1:0"
answer_timeout_s = {answer_timeout_s}
audio_source = "aufile,{silence}"
audio_player = "aubridge,roomvoice-test"

# 2 s before the meeting ID, 4 s before the passcode.
[join.providers.zoom]
meeting_id_delay_s = 2
pin_delay_s = 4
"#,
            calendar = calendar.display(),
            silence = dir.path().join("silence.wav").display(),
        );
        std::fs::write(dir.path().join("roomvoice.toml"), config).unwrap();
        Room { dir }
    }

    fn ask(&self, turns: &[&str]) -> Output {
        Command::new(BIN)
            .arg("-v")
            .arg("ask")
            .args(turns)
            .args(["--json", "--now", NOW, "--config"])
            .arg(self.dir.path().join("roomvoice.toml"))
            .env_remove("ROOMVOICE_CONFIG")
            .env("RUST_LOG", "debug")
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .output()
            .expect("run roomvoice")
    }
}

fn events(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

fn kinds(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["event"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn said(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["event"] == "say")
        .map(|e| e["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn assert_no_password(out: &Output, peer: &Peer) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stdout.contains(PASSWORD), "password in stdout:\n{stdout}");
    assert!(!stderr.contains(PASSWORD), "password in the log");
    assert!(
        !peer.messages().contains(PASSWORD),
        "password sent in clear to the peer"
    );
}

#[test]
fn joins_over_sip_keys_the_meeting_id_and_passcode_after_the_pauses_and_hangs_up() {
    let media = MediaListener::start();
    let mut peer = Peer::start(&Behaviour::Answer {
        rtp_port: media.port,
    });
    let room = Room::new(peer.port, 20);
    let started = Instant::now();
    let out = room.ask(&["alexa start my meeting", "alexa end the meeting"]);
    let took = started.elapsed();
    let events = events(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "roomvoice failed: {events:?}\n{stderr}"
    );

    // "End the meeting" hung up: the peer got the BYE and finished its scenario.
    assert!(peer.finished_ok(), "SIPp did not complete the call");
    let requests = peer.requests();
    assert!(
        requests.iter().any(|r| r.starts_with("BYE ")),
        "{requests:?}"
    );

    // The INVITE went to the plan's number at the gateway, past the password challenge.
    let invite = format!("INVITE sip:+16465588656@127.0.0.1:{} SIP/2.0", peer.port);
    assert!(requests.contains(&invite), "{requests:?}");
    assert!(
        peer.messages().contains("Authorization: Digest"),
        "no credentials given to the challenge"
    );

    // What the room and a script see.
    assert_eq!(
        kinds(&events),
        [
            "intent",
            "join",
            "say",
            "dialing",
            "connected",
            "dtmf_sent",
            "dtmf_sent",
            "intent",
            "hangup",
            "ended",
            "say"
        ],
        "{events:?}"
    );
    let keyed: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "dtmf_sent")
        .filter_map(|e| e["digits"].as_str())
        .collect();
    assert_eq!(keyed, ["85512345678#", "*414376#"]);
    assert_eq!(events[9]["by"], "room");

    // The digits the peer received, and when.
    let digits = media.digits.lock().unwrap().clone();
    let heard: String = digits.iter().map(|d| d.key).collect();
    assert_eq!(heard, "85512345678#*414376#");
    let audio_start = media
        .first_audio
        .lock()
        .unwrap()
        .expect("no audio reached the peer");
    let before_id = digits[0].at - audio_start;
    assert!(
        before_id >= Duration::from_millis(1900) && before_id <= Duration::from_millis(4000),
        "the meeting ID came {before_id:?} after the answer; the provider's delay is 2 s"
    );
    let before_pin = digits[12].at - digits[11].at;
    assert!(
        before_pin >= Duration::from_millis(3900) && before_pin <= Duration::from_millis(5500),
        "the passcode came {before_pin:?} after the meeting ID; the provider's delay is 4 s"
    );
    for pair in digits[..12].windows(2).chain(digits[12..].windows(2)) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap < Duration::from_millis(1000),
            "digits of one group {gap:?} apart"
        );
    }
    assert_no_password(&out, &peer);
    eprintln!("SIP call test: roomvoice ran {took:?}");
}

#[test]
fn the_call_is_hung_up_when_ask_ends_with_it_up_after_other_turns() {
    let media = MediaListener::start();
    let mut peer = Peer::start(&Behaviour::Answer {
        rtp_port: media.port,
    });
    let room = Room::new(peer.port, 20);
    let started = Instant::now();
    // A turn after the keying does not wait for the call again.
    let out = room.ask(&["alexa start my meeting", "alexa is this room free"]);
    let events = events(&out);
    assert!(out.status.success(), "{events:?}");
    assert!(
        started.elapsed() < Duration::from_secs(25),
        "ask took {:?}",
        started.elapsed()
    );
    let tail: Vec<String> = kinds(&events).into_iter().rev().take(2).collect();
    assert_eq!(tail, ["ended", "hangup"], "{events:?}");
    assert!(peer.finished_ok(), "SIPp did not complete the call");
    assert!(
        peer.requests().iter().any(|r| r.starts_with("BYE ")),
        "no BYE: {:?}",
        peer.requests()
    );
}

/// A call the peer refuses: the `failed` event and the sentence the room hears.
fn failed_call(behaviour: Behaviour, answer_timeout_s: u32) -> (Value, Vec<String>, Peer, Output) {
    let mut peer = Peer::start(&behaviour);
    let room = Room::new(peer.port, answer_timeout_s);
    let out = room.ask(&["alexa start my meeting"]);
    let events = events(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failed call is an error: {events:?}"
    );
    let failed = events
        .iter()
        .find(|e| e["event"] == "failed")
        .unwrap_or_else(|| panic!("no failed event: {events:?}"))
        .clone();
    assert!(!kinds(&events).contains(&"connected".to_string()));
    // Every scenario ends with what the device must send last (ACK, CANCEL).
    assert!(peer.finished_ok(), "SIPp did not complete its scenario");
    assert_no_password(&out, &peer);
    (failed, said(&events), peer, out)
}

#[test]
fn a_busy_number_is_said_in_the_room() {
    let (failed, said, _, _) = failed_call(Behaviour::Reject("486 Busy Here"), 20);
    assert_eq!(failed["status"], 486);
    let sentence = "The call didn't go through: the number is busy.";
    assert_eq!(failed["message"], sentence);
    assert_eq!(said.last().map(String::as_str), Some(sentence));
}

#[test]
fn an_unknown_number_is_said_in_the_room() {
    let (failed, said, _, _) = failed_call(Behaviour::Reject("404 Not Found"), 20);
    assert_eq!(failed["status"], 404);
    assert_eq!(
        said.last().map(String::as_str),
        Some("The call didn't go through: the number doesn't exist.")
    );
}

#[test]
fn nobody_answering_gives_up_after_the_answer_timeout() {
    let started = Instant::now();
    let (failed, said, peer, _) = failed_call(Behaviour::Ring, 2);
    assert!(started.elapsed() < Duration::from_secs(15));
    assert_eq!(failed["status"], Value::Null);
    assert_eq!(failed["reason"], "no answer within 2 s");
    assert_eq!(
        said.last().map(String::as_str),
        Some("The call didn't go through: nobody answered.")
    );
    assert!(
        peer.requests().iter().any(|r| r.starts_with("CANCEL ")),
        "the ringing call was not cancelled: {:?}",
        peer.requests()
    );
}

#[test]
fn a_wrong_password_is_said_in_the_room_and_never_shown() {
    let (failed, said, _, out) = failed_call(Behaviour::CheckPassword("another-password"), 20);
    assert_eq!(failed["status"], 403);
    assert_eq!(
        said.last().map(String::as_str),
        Some("The call didn't go through: the phone service didn't accept this room's sign-in.")
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("password_file"), "no hint in the log");
}

#[test]
fn a_missing_baresip_names_the_package_to_install() {
    let room = Room::new(free_udp_port(), 20);
    let path = room.dir.path().join("roomvoice.toml");
    let config = std::fs::read_to_string(&path).unwrap().replace(
        "[join.sip]\n",
        "[join.sip]\nbaresip = \"roomvoice-test-no-such-baresip\"\n",
    );
    std::fs::write(&path, config).unwrap();
    let out = room.ask(&["alexa start my meeting"]);
    let events = events(&out);
    assert_eq!(out.status.code(), Some(1));
    let error = events
        .iter()
        .find(|e| e["event"] == "error")
        .unwrap_or_else(|| panic!("no error event: {events:?}"));
    let message = error["message"].as_str().unwrap_or_default();
    assert!(message.contains("baresip-core"), "{message}");
    assert_eq!(
        said(&events).last().map(String::as_str),
        Some("Sorry, I couldn't start the call.")
    );
}
