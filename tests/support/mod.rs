//! What the integration tests share: loopback EWS and Graph servers and configuration
//! helpers (also used by the calendar benchmark), rooms with an ICS calendar ([`ics`]),
//! and test audio made with espeak-ng and sox ([`speech`]).
#![allow(dead_code)]

pub mod ews_server;
pub mod graph_server;
pub mod http_server;
pub mod ics;
pub mod speech;

use std::path::{Path, PathBuf};

/// The service account's password in every test: a test greps all output for it.
pub const PASSWORD: &str = "Corr3ct-Horse-Battery!";
/// The OAuth client secret in every test.
pub const CLIENT_SECRET: &str = "Sup3r~Secret.Client_Value";

/// A room configuration in a temp dir, with secrets in files beside it.
pub struct Setup {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
}

impl Setup {
    /// `calendar` is the TOML of the `[calendar...]` tables.
    pub fn new(calendar: &str) -> Setup {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("ews-password"), format!("{PASSWORD}\n")).unwrap();
        std::fs::write(
            dir.path().join("client-secret"),
            format!("{CLIENT_SECRET}\n"),
        )
        .unwrap();
        let text = format!(
            "[room]\nname = \"Everest\"\nmailbox = \"everest@contoso.com\"\ntimezone = \"America/Los_Angeles\"\n\n[calendar]\nstate_dir = \"state\"\n{calendar}\n"
        );
        let config = dir.path().join("roomvoice.toml");
        std::fs::write(&config, text).unwrap();
        Setup { dir, config }
    }

    pub fn path(&self) -> &Path {
        &self.config
    }

    pub fn load(&self) -> roomvoice::config::Config {
        roomvoice::config::Config::from_file(&self.config).expect("test config loads")
    }
}

/// `[calendar] backend = "ews"` with Basic auth against `url`.
/// Short limits unless `extra` sets its own.
pub fn ews_basic(url: &str, access: &str, extra: &str) -> String {
    let mut limits = String::new();
    for (key, value) in [
        ("connect_timeout_ms", "1000"),
        ("timeout_ms", "2000"),
        ("retry_budget_ms", "1500"),
    ] {
        if !extra.contains(key) {
            limits.push_str(&format!("{key} = {value}\n"));
        }
    }
    format!(
        "backend = \"ews\"\n\n[calendar.ews]\nurl = \"{url}\"\nusername = \"svc-roomvoice@contoso.com\"\npassword_file = \"ews-password\"\nversion = \"Exchange2013\"\naccess = \"{access}\"\ntest_mailbox = \"dana@contoso.com\"\nmax_threads = 2\nallow_insecure_http = true\n{limits}{extra}"
    )
}

/// `[calendar] backend = "graph"` with application permissions against a fake Graph.
pub fn graph_app(base_url: &str, token_url: &str, extra: &str) -> String {
    format!(
        "backend = \"graph\"\n\n[calendar.graph]\ntenant_id = \"tenant-id\"\nclient_id = \"8d3ff1e5-app\"\nclient_secret_file = \"client-secret\"\nbase_url = \"{base_url}\"\ntoken_url = \"{token_url}\"\ntest_mailbox = \"dana@contoso.com\"\nmax_threads = 2\nallow_insecure_http = true\ntimeout_ms = 2000\nretry_budget_ms = 2500\n{extra}"
    )
}
