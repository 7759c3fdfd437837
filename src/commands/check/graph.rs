//! `check` for `[calendar.graph]`: the token and its permissions, the room and test
//! mailboxes' calendars.

use chrono::{DateTime, Duration, Utc};

use super::{events, opened, Report};
use crate::calendar::graph::{GraphAuth, GraphCalendar};
use crate::calendar::Calendar;
use crate::config::Config;

pub(super) fn check(config: &Config, now: DateTime<Utc>, report: &mut Report) {
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
    let Some(calendar) = opened(
        report,
        "graph.setup",
        "cannot set up the Graph connection",
        GraphCalendar::open(&config.calendar_setup()),
    ) else {
        return;
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
