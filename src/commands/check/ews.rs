//! `check` for `[calendar.ews]`: the URL, the server, the credentials, the room and
//! test mailboxes, booking rights, kept bodies, the password's expiry.

use chrono::{DateTime, Duration, Utc};

use std::time::Instant;

use super::{events, opened, Report};
use crate::calendar::ews::{self, Access, EwsAuth, EwsCalendar};
use crate::calendar::http::TransportFailure;
use crate::calendar::{Body, Calendar, CalendarError};
use crate::config::Config;

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

pub(super) fn check(config: &Config, now: DateTime<Utc>, report: &mut Report) {
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
    let Some(calendar) = opened(
        report,
        "ews.setup",
        "cannot set up the EWS connection",
        EwsCalendar::open(&config.calendar_setup()),
    ) else {
        return;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::check::Status;

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
