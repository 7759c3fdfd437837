//! `roomvoice check` as an administrator runs it, against fake Exchange and Graph
//! servers on loopback: a good setup passes; each broken setup fails on the right line
//! with a fix; the exit status says whether something needed failed; and no secret
//! ever appears in the output, even with trace logging.

use crate::support;
use std::process::Command;

use crate::support::ews_server::{Behaviour, FakeExchange, Item};
use crate::support::graph_server::{FakeGraph, GraphBehaviour};
use crate::support::{ews_basic, graph_app, Setup, CLIENT_SECRET, PASSWORD};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_roomvoice");
const ROOM: &str = "everest@contoso.com";
const NOW: &str = "2026-11-23T10:05:00-08:00";

struct Run {
    code: i32,
    stdout: String,
    lines: Vec<Value>,
}

impl Run {
    fn line(&self, check: &str) -> &Value {
        self.lines
            .iter()
            .find(|l| l["check"] == check)
            .unwrap_or_else(|| panic!("no line for {check} in:\n{}", self.stdout))
    }
    fn status(&self, check: &str) -> &str {
        self.line(check)["status"].as_str().unwrap()
    }
}

/// Runs `roomvoice -vv check --json`, and the text form too; asserts that no secret
/// appears in either, on stdout or stderr.
fn check(setup: &Setup) -> Run {
    let json = Command::new(BIN)
        .args(["-vv", "check", "--json", "--now", NOW, "--config"])
        .arg(setup.path())
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let text = Command::new(BIN)
        .args(["check", "--now", NOW, "--config"])
        .arg(setup.path())
        .output()
        .unwrap();
    for output in [&json, &text] {
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!all.contains(PASSWORD), "the password leaked:\n{all}");
        let basic =
            support::ews_server::base64(format!("svc-roomvoice@contoso.com:{PASSWORD}").as_bytes());
        assert!(
            !all.contains(&basic),
            "the Basic credentials leaked:\n{all}"
        );
        assert!(
            !all.contains(CLIENT_SECRET),
            "the client secret leaked:\n{all}"
        );
        assert!(
            !all.contains(support::graph_server::TOKEN_MARK),
            "a bearer token leaked:\n{all}"
        );
    }
    if std::env::var_os("SHOW_CHECK").is_some() {
        eprintln!("{}", String::from_utf8_lossy(&text.stdout));
    }
    assert_eq!(json.status.code(), text.status.code());
    let stdout = String::from_utf8_lossy(&json.stdout).into_owned();
    let lines = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    Run {
        code: json.status.code().unwrap_or(-1),
        stdout: format!(
            "{stdout}\n--- text ---\n{}",
            String::from_utf8_lossy(&text.stdout)
        ),
        lines,
    }
}

fn room_day() -> Vec<Item> {
    vec![Item::meeting(
        ROOM,
        "Budget review",
        "2026-11-23T18:00:00Z",
        "2026-11-23T19:00:00Z",
        "Join Zoom Meeting https://zoom.us/j/91965709975",
    )]
}

#[test]
fn a_good_ews_setup_passes_every_line() {
    let fake = FakeExchange::start(
        Behaviour {
            password_expires: Some("2027-03-01T00:00:00Z".into()),
            ..Behaviour::default()
        },
        room_day(),
    );
    let setup = Setup::new(&ews_basic(&fake.url(), "impersonation", ""));
    let run = check(&setup);
    assert_eq!(run.code, 0, "{}", run.stdout);
    for name in [
        "config",
        "ews.url",
        "ews.reachable",
        "ews.credentials",
        "ews.version",
        "ews.room_access",
        "ews.booking",
        "ews.room_mailbox",
        "ews.room_events",
        "ews.bodies",
        "ews.test_mailbox",
        "ews.password",
    ] {
        assert_eq!(run.status(name), "pass", "{name}: {}", run.stdout);
    }
    assert!(run.line("ews.version")["message"]
        .as_str()
        .unwrap()
        .contains("15.1"));
    assert_eq!(
        run.status("ews.tls"),
        "warn",
        "plain http in tests is flagged"
    );
    assert!(
        run.stdout.contains("PASS  ews.credentials"),
        "{}",
        run.stdout
    );
    // Nothing was booked to test the booking permission.
    assert!(!fake
        .operations()
        .iter()
        .any(|o| o == "CreateItem" || o == "DeleteItem" || o == "UpdateItem"));
    assert_eq!(fake.items(ROOM).len(), 1);
    fake.schema_check();
}

#[test]
fn wrong_credentials_fail_with_the_fix_and_exit_1() {
    let fake = FakeExchange::start(
        Behaviour {
            password: "other".into(),
            ..Behaviour::default()
        },
        room_day(),
    );
    let setup = Setup::new(&ews_basic(&fake.url(), "impersonation", ""));
    let run = check(&setup);
    assert_eq!(run.code, 1);
    assert_eq!(run.status("ews.credentials"), "fail");
    assert!(
        run.line("ews.credentials")["message"]
            .as_str()
            .unwrap()
            .contains("password_file"),
        "{}",
        run.stdout
    );
}

#[test]
fn an_owa_url_fails_and_names_the_ews_url() {
    let fake = FakeExchange::start(Behaviour::default(), room_day());
    let setup = Setup::new(&ews_basic(&fake.server.url("/owa/"), "impersonation", ""));
    let run = check(&setup);
    assert_eq!(run.code, 1);
    assert_eq!(run.status("ews.url"), "fail");
    assert!(
        run.line("ews.url")["fix"]
            .as_str()
            .unwrap()
            .contains(&fake.url()),
        "{}",
        run.stdout
    );
    assert!(
        fake.server.requests().is_empty(),
        "nothing is sent to an OWA URL"
    );
}

#[test]
fn missing_impersonation_rights_fail_on_room_access() {
    let fake = FakeExchange::start(
        Behaviour {
            impersonable: Some(vec!["dana@contoso.com".into()]),
            ..Behaviour::default()
        },
        room_day(),
    );
    let setup = Setup::new(&ews_basic(&fake.url(), "impersonation", ""));
    let run = check(&setup);
    assert_eq!(run.code, 1);
    assert_eq!(run.status("ews.credentials"), "pass");
    assert_eq!(run.status("ews.room_access"), "fail");
    assert!(run.line("ews.room_access")["message"]
        .as_str()
        .unwrap()
        .contains("ApplicationImpersonation"));
    assert_eq!(
        run.status("ews.test_mailbox"),
        "pass",
        "dana may be impersonated"
    );
}

#[test]
fn delegate_without_editor_fails_booking_and_test_mailbox() {
    let fake = FakeExchange::start(
        Behaviour {
            delegate_of: vec![ROOM.into()],
            can_create: false,
            ..Behaviour::default()
        },
        room_day(),
    );
    let setup = Setup::new(&ews_basic(&fake.url(), "delegate", ""));
    let run = check(&setup);
    assert_eq!(run.code, 1);
    assert_eq!(run.status("ews.room_access"), "pass");
    assert_eq!(run.status("ews.booking"), "fail");
    assert!(run.line("ews.booking")["fix"]
        .as_str()
        .unwrap()
        .contains("-AccessRights Editor"));
    assert_eq!(
        run.status("ews.test_mailbox"),
        "fail",
        "no delegate rights on dana"
    );
}

#[test]
fn deleted_bodies_and_an_expiring_password_warn() {
    let mut items = room_day();
    items[0].body = String::new();
    let fake = FakeExchange::start(
        Behaviour {
            password_expires: Some("2026-11-30T20:00:00Z".into()),
            ..Behaviour::default()
        },
        items,
    );
    let setup = Setup::new(&ews_basic(&fake.url(), "impersonation", ""));
    let run = check(&setup);
    assert_eq!(run.code, 0, "warnings do not fail: {}", run.stdout);
    assert_eq!(run.status("ews.bodies"), "warn");
    assert!(run.line("ews.bodies")["fix"]
        .as_str()
        .unwrap()
        .contains("-DeleteComments $false"));
    assert_eq!(run.status("ews.password"), "warn");
    assert!(
        run.line("ews.password")["message"]
            .as_str()
            .unwrap()
            .contains("in 7 days"),
        "{}",
        run.stdout
    );
}

#[test]
fn an_unreachable_server_fails_reachable() {
    let fake = FakeExchange::start(Behaviour::default(), room_day());
    let url = fake.url();
    drop(fake); // nothing listens there any more
    let setup = Setup::new(&ews_basic(&url, "impersonation", ""));
    let run = check(&setup);
    assert_eq!(run.code, 1);
    assert_eq!(run.status("ews.reachable"), "fail");
}

#[test]
fn exchange_online_ews_gets_the_retirement_warning() {
    // A missing password file stops the check before any connection is made.
    let calendar = "backend = \"ews\"\n\n[calendar.ews]\nurl = \"https://outlook.office365.com/EWS/Exchange.asmx\"\nusername = \"svc@contoso.com\"\npassword_file = \"no-such-file\"\n";
    let setup = Setup::new(calendar);
    let run = check(&setup);
    assert_eq!(run.code, 1);
    assert_eq!(run.status("ews.retirement"), "warn");
    let warning = run.line("ews.retirement");
    assert!(warning["message"].as_str().unwrap().contains("2027-04-01"));
    assert!(
        warning["fix"]
            .as_str()
            .unwrap()
            .contains("backend = \\\"graph\\\"")
            || warning["fix"]
                .as_str()
                .unwrap()
                .contains("backend = \"graph\"")
    );
    assert_eq!(
        run.status("ews.auth"),
        "warn",
        "Basic auth on Exchange Online"
    );
    assert_eq!(run.status("ews.setup"), "fail");
    assert!(run.line("ews.setup")["message"]
        .as_str()
        .unwrap()
        .contains("no-such-file"));
}

#[test]
fn a_good_graph_setup_passes_and_a_bad_secret_fails() {
    let fake = FakeGraph::start(GraphBehaviour::default(), Vec::new());
    let setup = Setup::new(&graph_app(&fake.base_url(), &fake.token_url(), ""));
    let run = check(&setup);
    assert_eq!(run.code, 0, "{}", run.stdout);
    for name in [
        "graph.token",
        "graph.permissions",
        "graph.room_access",
        "graph.booking",
        "graph.room_events",
        "graph.test_mailbox",
    ] {
        assert_eq!(run.status(name), "pass", "{name}: {}", run.stdout);
    }
    assert!(fake.items(ROOM).is_empty(), "nothing booked");

    fake.behave(|b| b.can_edit = false);
    let run = check(&setup);
    assert_eq!(run.code, 1);
    assert_eq!(run.status("graph.booking"), "fail");

    fake.behave(|b| b.client_secret = "rotated".into());
    let run = check(&setup);
    assert_eq!(run.code, 1);
    assert_eq!(run.status("graph.token"), "fail");
    assert!(run.line("graph.token")["message"]
        .as_str()
        .unwrap()
        .contains("invalid_client"));
}

#[test]
fn an_ics_file_that_is_missing_fails() {
    let setup = Setup::new("backend = \"ics\"\n[calendar.ics]\npath = \"missing.ics\"\n");
    let run = check(&setup);
    assert_eq!(run.code, 1);
    assert_eq!(run.status("ics.file"), "fail");
}

#[test]
fn a_readable_ics_file_passes() {
    let setup = Setup::new("backend = \"ics\"\n[calendar.ics]\npath = \"room.ics\"\n");
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("device/demo/room.ics");
    std::fs::copy(demo, setup.dir.path().join("room.ics")).unwrap();
    let run = check(&setup);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.status("ics.file"), "pass");
    assert_eq!(run.status("ics.parse"), "pass");

    std::fs::write(
        setup.dir.path().join("room.ics"),
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\n",
    )
    .unwrap();
    let run = check(&setup);
    assert_eq!(run.code, 1);
    assert_eq!(run.status("ics.parse"), "fail", "{}", run.stdout);
}

#[test]
fn a_graph_app_without_calendar_permission_fails_on_permissions() {
    let fake = FakeGraph::start(
        GraphBehaviour {
            roles: vec!["User.Read.All".into()],
            ..GraphBehaviour::default()
        },
        Vec::new(),
    );
    let setup = Setup::new(&graph_app(&fake.base_url(), &fake.token_url(), ""));
    let run = check(&setup);
    assert_eq!(run.code, 1);
    assert_eq!(run.status("graph.permissions"), "fail");
    let line = run.line("graph.permissions");
    assert!(line["message"].as_str().unwrap().contains("User.Read.All"));
    assert!(line["fix"]
        .as_str()
        .unwrap()
        .contains("Calendars.ReadWrite"));

    fake.behave(|b| b.roles = vec!["Calendars.Read".into()]);
    let run = check(&setup);
    assert_eq!(run.status("graph.permissions"), "fail");
    assert!(run.line("graph.permissions")["message"]
        .as_str()
        .unwrap()
        .contains("read-only"));
}

#[test]
fn exchange_2007_is_too_old() {
    let fake = FakeExchange::start(
        Behaviour {
            server_version: (8, 3),
            ..Behaviour::default()
        },
        room_day(),
    );
    let setup = Setup::new(&ews_basic(&fake.url(), "impersonation", ""));
    let run = check(&setup);
    assert_eq!(run.code, 1);
    assert_eq!(run.status("ews.version"), "fail");
    assert!(run.line("ews.version")["message"]
        .as_str()
        .unwrap()
        .contains("Exchange 2010 SP1"));
}

#[test]
fn ews_with_oauth_checks_the_token_and_skips_the_password() {
    let tokens = FakeGraph::start(GraphBehaviour::default(), Vec::new());
    let fake = FakeExchange::start(
        Behaviour {
            bearer: Some(support::graph_server::TOKEN_MARK.into()),
            ..Behaviour::default()
        },
        room_day(),
    );
    let config = format!(
        "backend = \"ews\"\n\n[calendar.ews]\nurl = \"{}\"\nauth = \"oauth\"\ntenant_id = \"tenant-id\"\nclient_id = \"8d3ff1e5-app\"\nclient_secret_file = \"client-secret\"\ntoken_url = \"{}\"\nallow_insecure_http = true\n",
        fake.url(),
        tokens.token_url()
    );
    let setup = Setup::new(&config);
    let run = check(&setup);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.status("ews.auth"), "pass");
    assert_eq!(run.status("ews.credentials"), "pass");
    assert!(
        !run.lines.iter().any(|l| l["check"] == "ews.password"),
        "no password with OAuth"
    );
    fake.schema_check();
}
