//! `roomvoice check [--config F] [--json]`: the administrator's connectivity test for
//! the room calendar, like the "Test" button of the original connector.
//!
//! Each line is pass, warn or fail, and every warn or fail says what to do. For EWS:
//! the URL is EWS (not OWA) and not on retiring Exchange Online EWS, the server is
//! reachable with a valid certificate, the credentials are accepted, the server version
//! (`ServerVersionInfo`), the room mailbox exists and its calendar can be read, booking
//! is permitted, invitation bodies are kept, the test mailbox is reachable with the
//! configured access method, and when the service account's password expires. For
//! Graph: the token, read and write access to the room calendar and the test mailbox.
//! For ICS: the file is readable and parses.
//!
//! Booking permission is tested without side effects: EWS `GetFolder` returns the
//! account's `EffectiveRights` on the room calendar (CreateContents, Modify, Delete),
//! Graph returns the calendar's `canEdit`. Nothing is created, changed or deleted.
//!
//! Exit status: 0 when nothing failed (warnings allowed), 1 when something needed
//! failed.

use std::path::PathBuf;
use std::time::Instant;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde::Serialize;

use crate::calendar::ews::{self, Access, EwsAuth, EwsCalendar};
use crate::calendar::graph::{GraphAuth, GraphCalendar};
use crate::calendar::http::TransportFailure;
use crate::calendar::{Body, Calendar, CalendarError};
use crate::config::{Backend, Config};

/// Arguments of `roomvoice check`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Configuration file. Default: $ROOMVOICE_CONFIG, ./roomvoice.toml,
    /// /etc/roomvoice/roomvoice.toml, else the embedded demo room.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// One JSON object per line: {"event":"check","check":..,"status":..,"message":..,"fix":..}.
    #[arg(long)]
    pub json: bool,
    /// Check as of this time (RFC 3339), for password-expiry warnings in tests.
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    pub now: Option<DateTime<FixedOffset>>,
}

fn parse_now(value: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(value).map_err(|e| {
        format!(
            "\"{value}\" is not an RFC 3339 time ({e}); write it like 2026-11-23T10:05:00-08:00"
        )
    })
}

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    Pass,
    Warn,
    Fail,
}

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Line {
    /// Stable name of the check, e.g. "ews.credentials".
    pub check: String,
    pub status: Status,
    pub message: String,
    /// What to do, for warn and fail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// The report being built.
#[derive(Debug, Default)]
pub(crate) struct Report {
    pub lines: Vec<Line>,
}

impl Report {
    fn pass(&mut self, check: &str, message: impl Into<String>) {
        self.lines.push(Line {
            check: check.into(),
            status: Status::Pass,
            message: message.into(),
            fix: None,
        });
    }
    fn warn(&mut self, check: &str, message: impl Into<String>, fix: impl Into<String>) {
        self.lines.push(Line {
            check: check.into(),
            status: Status::Warn,
            message: message.into(),
            fix: Some(fix.into()),
        });
    }
    fn fail(&mut self, check: &str, message: impl Into<String>, fix: impl Into<String>) {
        self.lines.push(Line {
            check: check.into(),
            status: Status::Fail,
            message: message.into(),
            fix: Some(fix.into()),
        });
    }
    /// A calendar error as a failed check; its message already says what to do.
    fn error(&mut self, check: &str, what: &str, error: &CalendarError) {
        let fix = match error {
            CalendarError::Unreachable { .. } => "check the URL, DNS, firewall and the server; the detail above says which step failed",
            CalendarError::Auth(_) => "fix the credentials named above",
            CalendarError::Permission(_) => "grant the right named above",
            CalendarError::Throttled { .. } => "try again later; if it persists, raise the throttling policy for the service account",
            _ => "see the message",
        };
        self.fail(check, format!("{what}: {error}"), fix);
    }
    pub(crate) fn failed(&self) -> bool {
        self.lines.iter().any(|l| l.status == Status::Fail)
    }
}

pub fn main(args: &Args) -> i32 {
    let now = args
        .now
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(Utc::now);
    let report = match Config::locate(args.config.as_deref()) {
        Ok(config) => run(&config, now),
        Err(e) => {
            let mut report = Report::default();
            report.fail(
                "config",
                e.to_string(),
                "fix the configuration file as the message says",
            );
            report
        }
    };
    print(&report, args.json);
    if report.failed() {
        1
    } else {
        0
    }
}

fn print(report: &Report, json: bool) {
    for line in &report.lines {
        if json {
            let mut value = serde_json::to_value(line).unwrap_or_default();
            value["event"] = serde_json::Value::from("check");
            println!("{value}");
        } else {
            let tag = match line.status {
                Status::Pass => "PASS",
                Status::Warn => "WARN",
                Status::Fail => "FAIL",
            };
            println!("{tag}  {:<20} {}", line.check, line.message);
            if let Some(fix) = &line.fix {
                println!("      {:<20} fix: {fix}", "");
            }
        }
    }
    if !json {
        let count = |s| report.lines.iter().filter(|l| l.status == s).count();
        println!(
            "{} passed, {} warnings, {} failed",
            count(Status::Pass),
            count(Status::Warn),
            count(Status::Fail)
        );
    }
}

/// Runs every check for the configured backend.
pub(crate) fn run(config: &Config, now: DateTime<Utc>) -> Report {
    let mut report = Report::default();
    let origin = match config.source() {
        crate::config::ConfigSource::File(p) => p.display().to_string(),
        crate::config::ConfigSource::EmbeddedDemo => "the embedded demo room".into(),
    };
    report.pass(
        "config",
        format!(
            "{origin}: room {} <{}>, backend {}",
            config.room.name,
            config.room.mailbox,
            config.calendar.backend.as_str()
        ),
    );
    check_wake_word(config, &mut report);
    match config.calendar.backend {
        Backend::Ics => check_ics(config, now, &mut report),
        Backend::Ews => check_ews(config, now, &mut report),
        Backend::Graph => check_graph(config, now, &mut report),
    }
    report
}

/// How the wake word will be heard: the trained detector, or the engine's spotting.
fn check_wake_word(config: &Config, report: &mut Report) {
    use crate::speech::WakePath;
    match crate::speech::wake_path(&config.speech_setup()) {
        Ok(path @ WakePath::Detector { .. }) => report.pass("speech.wake_word", path.to_string()),
        Ok(
            path @ WakePath::Engine {
                detector_missing: true,
                ..
            },
        ) => report.warn(
            "speech.wake_word",
            path.to_string(),
            "run device/setup.sh to install the trained wake-word detector (PyPI pymicro-wakeword)",
        ),
        Ok(path) => report.pass("speech.wake_word", path.to_string()),
        Err(e) => report.fail(
            "speech.wake_word",
            e.to_string(),
            "fix [speech] wake_model / wake_threshold",
        ),
    }
}

fn check_ics(config: &Config, now: DateTime<Utc>, report: &mut Report) {
    if let Some(ics) = &config.calendar.ics {
        if !config.is_demo() {
            let path = config.resolve(&ics.path);
            if let Err(e) = std::fs::read(&path) {
                report.fail(
                    "ics.file",
                    format!("cannot read {}: {e}", path.display()),
                    "check [calendar.ics] path and the file's permissions",
                );
                return;
            }
            report.pass("ics.file", format!("{} is readable", path.display()));
        }
    }
    match crate::calendar::open(&config.calendar_setup())
        .and_then(|c| c.events(&config.room.mailbox, now, now + Duration::days(1)))
    {
        Ok(view) => report.pass(
            "ics.parse",
            format!(
                "the calendar parses; {} events in the next 24 hours",
                view.events.len()
            ),
        ),
        Err(e) => report.error("ics.parse", "the calendar cannot be read", &e),
    }
}

/// Hosts of Exchange Online, where EWS is being retired.
fn is_exchange_online(url: &str) -> bool {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .map(|h| {
            h == "outlook.office365.com"
                || h == "outlook.office.com"
                || h.ends_with(".outlook.office365.com")
        })
        .unwrap_or(false)
}

fn check_ews(config: &Config, now: DateTime<Utc>, report: &mut Report) {
    let Some(settings) = &config.calendar.ews else {
        report.fail(
            "ews.config",
            "[calendar] backend = \"ews\" without [calendar.ews]",
            "add [calendar.ews] (see README)",
        );
        return;
    };
    // 1. The URL.
    if ews::soap::is_owa_url(&settings.url) {
        report.fail(
            "ews.url",
            format!(
                "{} is the Outlook on the web (OWA) address, not EWS",
                settings.url
            ),
            format!(
                "set url = \"{}\"",
                ews::soap::suggested_ews_url(&settings.url)
            ),
        );
        return;
    }
    let path_ok = reqwest::Url::parse(&settings.url)
        .map(|u| u.path().eq_ignore_ascii_case("/ews/exchange.asmx"))
        .unwrap_or(false);
    if path_ok {
        report.pass(
            "ews.url",
            format!("{} is an EWS endpoint address", settings.url),
        );
    } else {
        report.warn(
            "ews.url",
            format!("{} does not end in /EWS/Exchange.asmx", settings.url),
            format!(
                "EWS usually lives at {}",
                ews::soap::suggested_ews_url(&settings.url)
            ),
        );
    }
    if is_exchange_online(&settings.url) {
        report.warn(
            "ews.retirement",
            "this is Exchange Online: Microsoft blocks EWS there from 2026-10-01 (unless the tenant allows the app) and removes it on 2027-04-01",
            "move to Microsoft Graph: [calendar] backend = \"graph\" and [calendar.graph] tenant_id, client_id, client_secret_file (application permission Calendars.ReadWrite)",
        );
    }
    if settings.url.starts_with("http://") && settings.allow_insecure_http {
        report.warn(
            "ews.tls",
            "plain http:// (allow_insecure_http = true): credentials are not encrypted",
            "use the https:// URL outside loopback tests",
        );
    }
    if settings.auth == EwsAuth::Basic && is_exchange_online(&settings.url) {
        report.warn(
            "ews.auth",
            "Exchange Online no longer accepts Basic authentication",
            "use auth = \"oauth\" with tenant_id, client_id and client_secret_file",
        );
    }
    // 2. Open the backend: secrets readable, scheme allowed.
    let calendar = match EwsCalendar::open(&config.calendar_setup()) {
        Ok(c) => c,
        Err(e) => {
            report.error("ews.setup", "cannot set up the EWS connection", &e);
            return;
        }
    };
    if settings.auth == EwsAuth::OAuth {
        report.pass(
            "ews.auth",
            format!(
                "OAuth client credentials for the app {}",
                settings.client_id.as_deref().unwrap_or("?")
            ),
        );
    }
    let room = config.room.mailbox.as_str();
    // 3. Reachability, certificate, credentials, version, access, booking rights: one
    //    side-effect-free GetFolder on the room calendar.
    let started = Instant::now();
    let room_readable = match calendar.calendar_rights(room) {
        Ok((rights, version)) => {
            let elapsed = started.elapsed().as_millis();
            report.pass(
                "ews.reachable",
                format!("{} answered in {elapsed} ms", settings.url),
            );
            if settings.url.starts_with("https://") {
                report.pass(
                    "ews.certificate",
                    "the server's certificate is valid for this host",
                );
            }
            report.pass(
                "ews.credentials",
                format!("{} signed in", settings.account()),
            );
            let major = version
                .as_deref()
                .and_then(|v| v.split('.').next())
                .and_then(|m| m.parse::<u32>().ok());
            match version {
                // Major version 8 is Exchange 2007, 14 is 2010, 15 is 2013 and later.
                Some(v) if major.is_some_and(|m| m < 14) => report.fail(
                    "ews.version",
                    format!("server version {v} is Exchange 2007: room calendars need Exchange 2010 SP1 or later"),
                    "upgrade Exchange, or serve the room from a newer server",
                ),
                Some(v) => report.pass(
                    "ews.version",
                    format!("server version {v}; requests use {}", settings.version),
                ),
                None => report.warn(
                    "ews.version",
                    "the server sent no ServerVersionInfo",
                    "check that the URL is Exchange's EWS endpoint",
                ),
            }
            report.pass(
                "ews.room_access",
                format!(
                    "{}'s calendar is readable ({})",
                    room,
                    settings.access.as_str()
                ),
            );
            if rights.create && rights.modify && rights.delete {
                report.pass("ews.booking", "the account may create, change and delete items on the room calendar (EffectiveRights; nothing was created)");
            } else {
                report.fail(
                    "ews.booking",
                    format!("the account may not book: CreateContents={} Modify={} Delete={}", rights.create, rights.modify, rights.delete),
                    match settings.access {
                        Access::Delegate => format!("Add-MailboxFolderPermission -Identity {room}:\\Calendar -User {} -AccessRights Editor", settings.account()),
                        Access::Impersonation => "check the ApplicationImpersonation role assignment's scope".into(),
                    },
                );
            }
            true
        }
        Err(e) => {
            let check = match &e {
                CalendarError::Unreachable {
                    kind: TransportFailure::Tls,
                    ..
                } => "ews.certificate",
                CalendarError::Unreachable { .. } => "ews.reachable",
                CalendarError::Auth(_) => "ews.credentials",
                CalendarError::Permission(_) | CalendarError::NotFound(_) => "ews.room_access",
                _ => "ews.reachable",
            };
            if matches!(e, CalendarError::Permission(_) | CalendarError::NotFound(_)) {
                report.pass("ews.reachable", format!("{} answered", settings.url));
                report.pass(
                    "ews.credentials",
                    format!("{} signed in", settings.account()),
                );
            }
            report.error(check, &format!("reading {room}'s calendar"), &e);
            if check != "ews.room_access" {
                return;
            }
            false
        }
    };
    // 4. The room mailbox in the directory.
    match calendar.resolve_name(room) {
        Ok(found)
            if found.iter().any(|p| {
                p.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(room))
            }) =>
        {
            report.pass("ews.room_mailbox", format!("{room} is in the directory"))
        }
        Ok(_) => report.fail(
            "ews.room_mailbox",
            format!("{room} is not in the directory"),
            "check [room] mailbox: it must be the room mailbox's primary SMTP address",
        ),
        Err(e) => report.warn(
            "ews.room_mailbox",
            format!("ResolveNames failed: {e}"),
            "the account may lack directory access; the calendar checks above still count",
        ),
    }
    // 5. Today's events, and whether invitation bodies survive (when readable at all).
    let day_start = now - Duration::hours(12);
    let today = if room_readable {
        Some(calendar.events(room, day_start, now + Duration::hours(12)))
    } else {
        None
    };
    if let Some(today) = today {
        match today {
            Ok(view) => {
                report.pass(
                    "ews.room_events",
                    format!("{} within 12 hours of now", events(view.events.len())),
                );
                let invited = view.events.iter().find(|e| !e.booked_by_device);
                if let Some(event) = invited {
                    match calendar.body(room, event) {
                    Ok(Some(Body::Text(t) | Body::Html(t))) if !t.trim().is_empty() => {
                        report.pass("ews.bodies", "invitation bodies are kept on the room calendar")
                    }
                    Ok(_) => report.warn(
                        "ews.bodies",
                        format!("\"{}\" has no body: the room mailbox deletes invitation text, so there is no dial-in to read", event.subject),
                        format!("Set-CalendarProcessing -Identity {room} -DeleteComments $false -AddOrganizerToSubject $false"),
                    ),
                    Err(e) => report.warn("ews.bodies", format!("could not read a body: {e}"), "see the message"),
                }
                }
            }
            Err(e) => report.error("ews.room_events", "reading today's room events", &e),
        }
    }
    // 6. The test mailbox.
    if let Some(test) = &settings.test_mailbox {
        match calendar.events(test, now, now + Duration::hours(1)) {
            Ok(_) => report.pass(
                "ews.test_mailbox",
                format!(
                    "{test}'s calendar is readable ({})",
                    settings.access.as_str()
                ),
            ),
            Err(e) => report.error(
                "ews.test_mailbox",
                &format!("reading {test}'s calendar"),
                &e,
            ),
        }
    }
    // 7. The service account's password.
    if settings.auth == EwsAuth::Basic {
        let account = settings.username.as_deref().unwrap_or("");
        match calendar.password_expiration(account) {
            Ok(Some(expires)) => password_line(report, account, expires, now),
            Ok(None) => report.pass("ews.password", format!("{account}'s password does not expire")),
            Err(e) => report.warn("ews.password", format!("cannot read the password expiry: {e}"), "GetPasswordExpirationDate needs Exchange 2010 SP2 or later; check the expiry in Active Directory"),
        }
    }
}

/// Warns at 14, 7, 3 and 1 days (and daily after the first warning); fails once expired.
fn password_line(report: &mut Report, account: &str, expires: DateTime<Utc>, now: DateTime<Utc>) {
    if expires.format("%Y").to_string().as_str() >= "9999" {
        report.pass(
            "ews.password",
            format!("{account}'s password does not expire"),
        );
        return;
    }
    let left = expires - now;
    let days = left.num_days();
    if left <= Duration::zero() {
        report.fail(
            "ews.password",
            format!(
                "{account}'s password expired on {}",
                expires.format("%Y-%m-%d")
            ),
            "set a new password and write it to password_file",
        );
    } else if days <= 14 {
        let when = if days == 0 {
            "today".to_string()
        } else if days == 1 {
            "in 1 day".to_string()
        } else {
            format!("in {days} days")
        };
        report.warn(
            "ews.password",
            format!("{account}'s password expires {when} ({})", expires.format("%Y-%m-%d %H:%M UTC")),
            "change it before then and update password_file, or set the service account's password not to expire",
        );
    } else {
        report.pass(
            "ews.password",
            format!("{account}'s password expires in {days} days"),
        );
    }
}

fn check_graph(config: &Config, now: DateTime<Utc>, report: &mut Report) {
    let Some(settings) = &config.calendar.graph else {
        report.fail(
            "graph.config",
            "[calendar] backend = \"graph\" without [calendar.graph]",
            "add [calendar.graph] (see README)",
        );
        return;
    };
    if settings.auth == GraphAuth::Delegate {
        report.warn(
            "graph.auth",
            "delegate sign-in uses the password grant, which fails with MFA, federated accounts and conditional access",
            "prefer auth = \"application\" (Calendars.ReadWrite application permission, scoped with an application access policy)",
        );
    }
    let calendar = match GraphCalendar::open(&config.calendar_setup()) {
        Ok(c) => c,
        Err(e) => {
            report.error("graph.setup", "cannot set up the Graph connection", &e);
            return;
        }
    };
    match calendar.token_permissions() {
        Ok(permissions) => {
            report.pass(
                "graph.token",
                format!(
                    "token issued for client {} ({})",
                    settings.client_id,
                    settings.token_url()
                ),
            );
            permission_line(report, settings.auth, permissions);
        }
        Err(e) => {
            report.error("graph.token", "no token", &e);
            return;
        }
    }
    let room = config.room.mailbox.as_str();
    match crate::calendar::graph::events::can_edit(calendar.client(), room) {
        Ok(can_edit) => {
            report.pass(
                "graph.room_access",
                format!("{room}'s calendar is readable"),
            );
            if can_edit {
                report.pass(
                    "graph.booking",
                    "the calendar reports canEdit: bookings are permitted (nothing was created)",
                );
            } else {
                report.fail(
                    "graph.booking",
                    "the calendar reports canEdit = false: bookings will fail",
                    match settings.auth {
                        GraphAuth::Application => "grant the application permission Calendars.ReadWrite (not .Read) with admin consent".to_string(),
                        GraphAuth::Delegate => format!("give the service account Editor on {room}'s calendar"),
                    },
                );
            }
        }
        Err(e) => report.error(
            "graph.room_access",
            &format!("reading {room}'s calendar"),
            &e,
        ),
    }
    match calendar.events(room, now - Duration::hours(12), now + Duration::hours(12)) {
        Ok(view) => report.pass(
            "graph.room_events",
            format!("{} within 12 hours of now", events(view.events.len())),
        ),
        Err(e) => report.error("graph.room_events", "reading today's room events", &e),
    }
    if let Some(test) = &settings.test_mailbox {
        match calendar.events(test, now, now + Duration::hours(1)) {
            Ok(_) => report.pass(
                "graph.test_mailbox",
                format!("{test}'s calendar is readable"),
            ),
            Err(e) => report.error(
                "graph.test_mailbox",
                &format!("reading {test}'s calendar"),
                &e,
            ),
        }
    }
}

fn events(n: usize) -> String {
    if n == 1 {
        "1 event".into()
    } else {
        format!("{n} events")
    }
}

/// What the token allows: application permissions (`roles`) or delegated scopes.
fn permission_line(report: &mut Report, auth: GraphAuth, permissions: Option<Vec<String>>) {
    let Some(permissions) = permissions else {
        report.warn(
            "graph.permissions",
            "the token's permissions cannot be read (not a JWT)",
            "the access checks below still show what works",
        );
        return;
    };
    let has = |p: &str| permissions.iter().any(|x| x.eq_ignore_ascii_case(p));
    let listed = if permissions.is_empty() {
        "none".to_string()
    } else {
        permissions.join(", ")
    };
    match auth {
        GraphAuth::Application if has("Calendars.ReadWrite") => {
            report.pass("graph.permissions", format!("application permissions: {listed}"))
        }
        GraphAuth::Application if has("Calendars.Read") => report.fail(
            "graph.permissions",
            format!("read-only application permissions ({listed}): bookings will fail"),
            "in the app registration add the application permission Calendars.ReadWrite and grant admin consent",
        ),
        GraphAuth::Application => report.fail(
            "graph.permissions",
            format!("the token has no calendar permission (roles: {listed})"),
            "in the app registration add the application permission Calendars.ReadWrite (Microsoft Graph, Application, not Delegated) and grant admin consent",
        ),
        GraphAuth::Delegate if has("Calendars.ReadWrite.Shared") || has("Calendars.ReadWrite") => {
            report.pass("graph.permissions", format!("delegated scopes: {listed}"))
        }
        GraphAuth::Delegate => report.fail(
            "graph.permissions",
            format!("the service account's token lacks Calendars.ReadWrite.Shared (scopes: {listed})"),
            "add the delegated permission Calendars.ReadWrite.Shared to the app registration and consent to it",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn password_expiry_warns_from_14_days_and_fails_when_expired() {
        let now = at("2026-11-23T10:00:00Z");
        let status = |expires: &str| {
            let mut report = Report::default();
            password_line(&mut report, "svc", at(expires), now);
            (report.lines[0].status, report.lines[0].message.clone())
        };
        assert_eq!(status("2027-01-23T10:00:00Z").0, Status::Pass);
        assert_eq!(status("2026-12-08T11:00:00Z").0, Status::Pass, "15 days");
        let (s, m) = status("2026-12-07T09:00:00Z");
        assert_eq!(s, Status::Warn, "{m}");
        assert!(m.contains("in 13 days"), "{m}");
        assert!(status("2026-11-30T11:00:00Z").1.contains("in 7 days"));
        assert!(status("2026-11-26T11:00:00Z").1.contains("in 3 days"));
        assert!(status("2026-11-24T11:00:00Z").1.contains("in 1 day"));
        assert_eq!(status("2026-11-22T11:00:00Z").0, Status::Fail);
        assert_eq!(status("9999-12-31T23:59:59Z").0, Status::Pass);
    }

    #[test]
    fn exchange_online_hosts_are_recognised() {
        assert!(is_exchange_online(
            "https://outlook.office365.com/EWS/Exchange.asmx"
        ));
        assert!(!is_exchange_online(
            "https://mail.contoso.com/EWS/Exchange.asmx"
        ));
    }
}
