//! The `ews` backend against a fake Exchange on loopback: every flow of the calendar
//! trait, both access methods, OAuth, and the faults an administrator meets (throttling,
//! 401, impersonation denied, outages, lost answers, OWA URLs, plain http). Every
//! request the fake receives and every EWS response it sends is validated against the
//! schema copy in tests/ews-schema.

use crate::support;
use std::time::{Duration, Instant};

use crate::support::ews_server::{Behaviour, FakeExchange, Item};
use crate::support::{ews_basic, Setup, PASSWORD};
use chrono::{DateTime, Utc};
use roomvoice::calendar::ews::EwsCalendar;
use roomvoice::calendar::{Body, Calendar, CalendarError, NewBooking};

const ROOM: &str = "everest@contoso.com";

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn day() -> Vec<Item> {
    vec![
        Item::meeting(ROOM, "Budget review", "2026-11-23T17:00:00Z", "2026-11-23T18:00:00Z", "Join Zoom Meeting\nhttps://zoom.us/j/91965709975\nMeeting ID: 919 6570 9975\nPasscode: 414376"),
        Item::meeting(ROOM, "Design sync", "2026-11-23T19:00:00Z", "2026-11-23T19:30:00Z", "Teams meeting"),
        Item {
            cancelled: true,
            ..Item::meeting(ROOM, "Cancelled standup", "2026-11-23T18:00:00Z", "2026-11-23T18:15:00Z", "")
        },
        Item::meeting("k2@contoso.com", "Other room", "2026-11-23T17:00:00Z", "2026-11-23T18:00:00Z", ""),
    ]
}

fn open(fake: &FakeExchange, access: &str, extra: &str) -> (Setup, EwsCalendar) {
    let setup = Setup::new(&ews_basic(&fake.url(), access, extra));
    let calendar = EwsCalendar::open(&setup.load().calendar_setup()).expect("ews backend opens");
    (setup, calendar)
}

fn future_booking(minutes_from_now: i64, length: i64) -> NewBooking {
    let start = Utc::now() + chrono::Duration::minutes(minutes_from_now);
    let start = start - chrono::Duration::nanoseconds(start.timestamp_subsec_nanos() as i64);
    NewBooking {
        subject: "Booked by roomvoice".into(),
        start,
        end: start + chrono::Duration::minutes(length),
        body: Some("Booked by roomvoice in Everest".into()),
    }
}

#[test]
fn reads_the_room_calendar_with_impersonation() {
    let fake = FakeExchange::start(Behaviour::default(), day());
    let (_setup, calendar) = open(&fake, "impersonation", "");
    let view = calendar
        .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-24T08:00:00Z"))
        .unwrap();
    let subjects: Vec<_> = view.events.iter().map(|e| e.subject.as_str()).collect();
    assert_eq!(
        subjects,
        ["Budget review", "Design sync"],
        "cancelled and other rooms' events are left out"
    );
    assert_eq!(view.stale_since, None);
    let first = &view.events[0];
    assert_eq!(first.start, t("2026-11-23T17:00:00Z"));
    assert_eq!(first.organizer.as_ref().unwrap().name, "Dana Lee");
    assert_eq!(
        first.organizer.as_ref().unwrap().email.as_deref(),
        Some("dana@contoso.com")
    );
    assert!(first.body.is_none(), "FindItem returns no bodies");
    assert!(!first.booked_by_device);

    let request = &fake.server.requests()[0];
    assert!(request
        .body
        .contains("<t:PrimarySmtpAddress>everest@contoso.com</t:PrimarySmtpAddress>"));
    assert!(request.body.contains("Version=\"Exchange2013\""));
    assert!(
        request
            .body
            .contains("<t:TimeZoneDefinition Id=\"Pacific Standard Time\"/>"),
        "room zone sent as a Windows ID"
    );
    assert!(
        request.body.contains("StartDate=\"2026-11-23T16:00:00Z\""),
        "UTC times"
    );
    assert_eq!(
        request.header("SOAPAction"),
        Some("\"http://schemas.microsoft.com/exchange/services/2006/messages/FindItem\"")
    );
    fake.schema_check();
}

#[test]
fn delegate_access_names_the_mailbox_and_reports_missing_rights() {
    let fake = FakeExchange::start(
        Behaviour {
            delegate_of: vec![ROOM.into()],
            ..Behaviour::default()
        },
        day(),
    );
    let (_setup, calendar) = open(&fake, "delegate", "");
    let view = calendar
        .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-24T08:00:00Z"))
        .unwrap();
    assert_eq!(view.events.len(), 2);
    let request = &fake.server.requests()[0];
    assert!(!request.body.contains("ExchangeImpersonation"));
    assert!(request
        .body
        .contains("<t:Mailbox><t:EmailAddress>everest@contoso.com</t:EmailAddress></t:Mailbox>"));

    let err = calendar
        .events(
            "k2@contoso.com",
            t("2026-11-23T16:00:00Z"),
            t("2026-11-24T08:00:00Z"),
        )
        .unwrap_err();
    assert!(matches!(err, CalendarError::Permission(_)), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("Add-MailboxFolderPermission") && message.contains("Editor"),
        "{message}"
    );
    fake.schema_check();
}

#[test]
fn fetches_bodies_as_text_or_html() {
    let fake = FakeExchange::start(Behaviour::default(), day());
    let (_setup, calendar) = open(&fake, "impersonation", "");
    let view = calendar
        .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-24T08:00:00Z"))
        .unwrap();
    match calendar.body(ROOM, &view.events[0]).unwrap() {
        Some(Body::Text(text)) => assert!(text.contains("Meeting ID: 919 6570 9975"), "{text}"),
        other => panic!("expected a text body, got {other:?}"),
    }
    assert!(fake
        .server
        .requests()
        .last()
        .unwrap()
        .body
        .contains("<t:BodyType>Text</t:BodyType>"));

    let (_setup2, html) = open(&fake, "impersonation", "body_type = \"html\"\n");
    match html.body(ROOM, &view.events[0]).unwrap() {
        Some(Body::Html(text)) => assert!(text.contains("<br>Meeting ID: 919 6570 9975"), "{text}"),
        other => panic!("expected an HTML body, got {other:?}"),
    }
    fake.schema_check();
}

#[test]
fn books_extends_and_releases_on_the_room_calendar() {
    let fake = FakeExchange::start(Behaviour::default(), Vec::new());
    let (_setup, calendar) = open(&fake, "impersonation", "");
    let booking = future_booking(5, 30);
    let event = calendar.book(ROOM, &booking).unwrap();
    assert!(event.booked_by_device);
    let items = fake.items(ROOM);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].subject, "Booked by roomvoice");
    assert_eq!(items[0].start, booking.start);
    assert_eq!(items[0].categories, ["roomvoice"]);
    assert!(items[0].marker.is_some(), "the booking carries its marker");
    let create = fake
        .server
        .requests()
        .into_iter()
        .find(|r| r.body.contains("<m:CreateItem"))
        .unwrap();
    assert!(create
        .body
        .contains("SendMeetingInvitations=\"SendToNone\""));

    // Reading back shows it as the device's booking.
    let view = calendar.events(ROOM, booking.start, booking.end).unwrap();
    assert!(view.events[0].booked_by_device);

    // A second booking in the same slot is a conflict naming the first.
    match calendar.book(ROOM, &booking) {
        Err(CalendarError::Conflict { conflict }) => {
            assert_eq!(conflict.subject, "Booked by roomvoice")
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(fake.items(ROOM).len(), 1);

    let new_end = booking.end + chrono::Duration::minutes(15);
    calendar.set_end(ROOM, &event, new_end).unwrap();
    assert_eq!(fake.items(ROOM)[0].end, new_end);
    let err = calendar
        .set_end(ROOM, &event, booking.start - chrono::Duration::minutes(1))
        .unwrap_err();
    assert!(matches!(err, CalendarError::InPast(_)), "{err:?}");

    calendar.cancel(ROOM, &event).unwrap();
    assert!(fake.items(ROOM).is_empty());
    let err = calendar.cancel(ROOM, &event).unwrap_err();
    assert!(matches!(err, CalendarError::NotFound(_)), "{err:?}");
    fake.schema_check();
}

#[test]
fn a_booking_whose_answer_was_lost_is_found_not_made_twice() {
    let fake = FakeExchange::start(
        Behaviour {
            drop_after_create: 1,
            ..Behaviour::default()
        },
        Vec::new(),
    );
    let (_setup, calendar) = open(&fake, "impersonation", "");
    let booking = future_booking(5, 30);
    let event = calendar.book(ROOM, &booking).unwrap();
    let items = fake.items(ROOM);
    assert_eq!(items.len(), 1, "exactly one booking");
    assert_eq!(
        event.id, items[0].id,
        "the booking made by the lost request is returned"
    );
    let creates = fake
        .operations()
        .iter()
        .filter(|o| *o == "CreateItem")
        .count();
    assert_eq!(creates, 1, "no second CreateItem once the first is found");
    fake.schema_check();
}

#[test]
fn server_busy_is_retried_after_the_requested_back_off() {
    let fake = FakeExchange::start(
        Behaviour {
            busy: 2,
            busy_back_off_ms: 100,
            ..Behaviour::default()
        },
        day(),
    );
    let (_setup, calendar) = open(&fake, "impersonation", "");
    let started = Instant::now();
    let view = calendar
        .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-24T08:00:00Z"))
        .unwrap();
    assert_eq!(view.events.len(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "waited the server's BackOffMilliseconds twice"
    );
    assert_eq!(fake.server.requests().len(), 3);
    fake.schema_check();
}

#[test]
fn a_back_off_longer_than_the_budget_fails_fast_as_throttled() {
    let fake = FakeExchange::start(
        Behaviour {
            busy: 5,
            busy_back_off_ms: 30_000,
            ..Behaviour::default()
        },
        day(),
    );
    let (_setup, calendar) = open(&fake, "impersonation", "");
    let started = Instant::now();
    let err = calendar.book(ROOM, &future_booking(5, 30)).unwrap_err();
    assert!(
        matches!(
            err,
            CalendarError::Throttled {
                retry_after_s: Some(30)
            }
        ),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the room is not kept waiting 30 s"
    );
    assert_eq!(fake.server.requests().len(), 1);
}

#[test]
fn http_503_with_retry_after_is_retried() {
    let fake = FakeExchange::start(
        Behaviour {
            unavailable: 1,
            ..Behaviour::default()
        },
        day(),
    );
    let (_setup, calendar) = open(&fake, "impersonation", "");
    let view = calendar
        .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-24T08:00:00Z"))
        .unwrap();
    assert_eq!(view.events.len(), 2);
    assert_eq!(fake.server.requests().len(), 2);
}

#[test]
fn rejected_credentials_say_so_without_the_password() {
    let fake = FakeExchange::start(
        Behaviour {
            password: "a-different-password".into(),
            ..Behaviour::default()
        },
        day(),
    );
    let (_setup, calendar) = open(&fake, "impersonation", "");
    let err = calendar
        .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-24T08:00:00Z"))
        .unwrap_err();
    assert!(matches!(err, CalendarError::Auth(_)), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("credentials were rejected") && message.contains("password_file"),
        "{message}"
    );
    assert!(!message.contains(PASSWORD) && !format!("{err:?}").contains(PASSWORD));
    assert!(
        !format!("{calendar:?}").contains(PASSWORD),
        "Debug of the backend redacts the password"
    );
    // What went over the wire was Basic auth with the configured account.
    let auth = fake.server.requests()[0]
        .header("Authorization")
        .unwrap()
        .to_string();
    assert_eq!(
        auth,
        format!(
            "Basic {}",
            support::ews_server::base64(format!("svc-roomvoice@contoso.com:{PASSWORD}").as_bytes())
        )
    );
}

#[test]
fn impersonation_denied_names_the_role() {
    let fake = FakeExchange::start(
        Behaviour {
            impersonable: Some(vec!["dana@contoso.com".into()]),
            ..Behaviour::default()
        },
        day(),
    );
    let (_setup, calendar) = open(&fake, "impersonation", "");
    let err = calendar
        .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-24T08:00:00Z"))
        .unwrap_err();
    assert!(matches!(err, CalendarError::Permission(_)), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("ApplicationImpersonation") && message.contains("everest@contoso.com"),
        "{message}"
    );
}

#[test]
fn an_outage_is_answered_from_the_snapshot_and_says_so() {
    let fake = FakeExchange::start(Behaviour::default(), day());
    let (_setup, calendar) = open(&fake, "impersonation", "");
    let (from, to) = (t("2026-11-23T16:00:00Z"), t("2026-11-24T08:00:00Z"));
    let fresh = calendar.events(ROOM, from, to).unwrap();
    fake.behave(|b| b.drop = 100);
    let started = Instant::now();
    let stale = calendar
        .events(ROOM, t("2026-11-23T17:30:00Z"), t("2026-11-23T20:00:00Z"))
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(stale.stale_since.is_some(), "served from the snapshot");
    assert_eq!(stale.events, fresh.events, "same events, from disk");
    // While the outage is fresh, the next read tries once, without retry pauses.
    let before = fake.server.requests().len();
    let started = Instant::now();
    assert!(calendar
        .events(ROOM, from, to)
        .unwrap()
        .stale_since
        .is_some());
    assert_eq!(
        fake.server.requests().len() - before,
        1,
        "one attempt during a known outage"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // A window the snapshot never saw is an honest error.
    let err = calendar
        .events(ROOM, t("2026-11-25T16:00:00Z"), t("2026-11-25T18:00:00Z"))
        .unwrap_err();
    assert!(matches!(err, CalendarError::Unreachable { .. }), "{err:?}");
}

#[test]
fn a_slow_server_times_out_within_the_configured_bounds() {
    let fake = FakeExchange::start(
        Behaviour {
            delay: Duration::from_millis(1500),
            ..Behaviour::default()
        },
        day(),
    );
    let (_setup, calendar) = open(
        &fake,
        "impersonation",
        "timeout_ms = 300\nmax_attempts = 2\nretry_budget_ms = 500\n",
    );
    let started = Instant::now();
    let err = calendar
        .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-24T08:00:00Z"))
        .unwrap_err();
    assert!(matches!(err, CalendarError::Unreachable { .. }), "{err:?}");
    assert!(err.to_string().contains("timeout_ms"), "{err}");
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "gave up after 2 x 300 ms, took {:?}",
        started.elapsed()
    );
}

#[test]
fn owa_and_wrong_urls_are_explained() {
    let fake = FakeExchange::start(Behaviour::default(), day());
    let owa = fake.server.url("/owa");
    let setup = Setup::new(&ews_basic(&owa, "impersonation", ""));
    let err = EwsCalendar::open(&setup.load().calendar_setup())
        .unwrap_err()
        .to_string();
    assert!(err.contains("OWA") && err.contains(&fake.url()), "{err}");

    // A URL that redirects to the OWA login page.
    let redirecting = fake.server.url("/owa-redirect");
    let setup = Setup::new(&ews_basic(&redirecting, "impersonation", ""));
    let calendar = EwsCalendar::open(&setup.load().calendar_setup()).unwrap();
    let err = calendar
        .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-24T08:00:00Z"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Outlook on the web") && err.contains("/EWS/Exchange.asmx"),
        "{err}"
    );

    let wrong_path = fake.server.url("/ews/wrong.asmx");
    let setup = Setup::new(&ews_basic(&wrong_path, "impersonation", ""));
    let calendar = EwsCalendar::open(&setup.load().calendar_setup()).unwrap();
    let err = calendar
        .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-24T08:00:00Z"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("404") && err.contains("/EWS/Exchange.asmx"),
        "{err}"
    );
}

#[test]
fn plain_http_is_refused_unless_allowed() {
    let calendar = ews_basic(
        "http://mail.contoso.com/EWS/Exchange.asmx",
        "impersonation",
        "",
    )
    .replace("allow_insecure_http = true", "allow_insecure_http = false");
    let setup = Setup::new(&calendar);
    let err = EwsCalendar::open(&setup.load().calendar_setup())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("http://") && err.contains("unencrypted"),
        "{err}"
    );
}

#[test]
fn tls_failures_are_explained() {
    // An https URL on a server that does not speak TLS: the handshake fails.
    let fake = FakeExchange::start(Behaviour::default(), day());
    let url = fake.url().replace("http://", "https://");
    let setup = Setup::new(
        &ews_basic(&url, "impersonation", "timeout_ms = 1000\n")
            .replace("allow_insecure_http = true", "allow_insecure_http = false"),
    );
    let calendar = EwsCalendar::open(&setup.load().calendar_setup()).unwrap();
    let err = calendar
        .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-24T08:00:00Z"))
        .unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, CalendarError::Unreachable { .. }), "{err:?}");
    assert!(
        message.contains("TLS") && message.contains("ca_file"),
        "{message}"
    );
}

#[test]
fn free_busy_is_batched_by_100_and_respects_max_threads() {
    let fake = FakeExchange::start(
        Behaviour {
            delay: Duration::from_millis(150),
            ..Behaviour::default()
        },
        day(),
    );
    let (_setup, calendar) = open(&fake, "impersonation", "");
    let mut mailboxes: Vec<String> = (0..248).map(|i| format!("room{i}@contoso.com")).collect();
    mailboxes.push(ROOM.into());
    mailboxes.push("k2@contoso.com".into());
    let result = calendar
        .free_busy(
            &mailboxes,
            t("2026-11-23T16:00:00Z"),
            t("2026-11-24T08:00:00Z"),
        )
        .unwrap();
    assert_eq!(result.len(), 250);
    assert_eq!(
        fake.operations()
            .iter()
            .filter(|o| *o == "GetUserAvailabilityRequest")
            .count(),
        3,
        "250 mailboxes in 3 requests"
    );
    let availability = fake
        .server
        .requests()
        .into_iter()
        .find(|r| r.body.contains("GetUserAvailabilityRequest"))
        .unwrap();
    assert!(
        !availability.body.contains("TimeZoneContext"),
        "GetUserAvailability carries its own TimeZone"
    );
    assert!(
        fake.server.max_concurrent() <= 2,
        "max_threads = 2, saw {}",
        fake.server.max_concurrent()
    );
    let everest = result.iter().find(|f| f.mailbox == ROOM).unwrap();
    assert_eq!(everest.busy.len(), 3, "{everest:?}");
    assert_eq!(everest.busy[0].start, t("2026-11-23T17:00:00Z"));
    assert!(
        result[0]
            .error
            .as_deref()
            .unwrap_or("")
            .contains("ErrorMailRecipientNotFound"),
        "{:?}",
        result[0]
    );
    fake.schema_check();
}

#[test]
fn oauth_tokens_are_fetched_once_and_sent_as_bearer() {
    use crate::support::graph_server::{FakeGraph, GraphBehaviour};
    let tokens = FakeGraph::start(GraphBehaviour::default(), Vec::new());
    let fake = FakeExchange::start(
        Behaviour {
            bearer: Some(".sig-fake-1".into()),
            ..Behaviour::default()
        },
        day(),
    );
    let config = format!(
        "backend = \"ews\"\n\n[calendar.ews]\nurl = \"{}\"\nauth = \"oauth\"\ntenant_id = \"tenant-id\"\nclient_id = \"8d3ff1e5-app\"\nclient_secret_file = \"client-secret\"\ntoken_url = \"{}\"\naccess = \"impersonation\"\nallow_insecure_http = true\n",
        fake.url(),
        tokens.token_url()
    );
    let setup = Setup::new(&config);
    let calendar = EwsCalendar::open(&setup.load().calendar_setup()).unwrap();
    for _ in 0..3 {
        calendar
            .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-24T08:00:00Z"))
            .unwrap();
    }
    assert_eq!(tokens.tokens_issued(), 1, "the token is cached");
    let token_request = &tokens.server.requests()[0];
    assert!(token_request.body.contains("grant_type=client_credentials"));
    assert!(
        token_request
            .body
            .contains("scope=https%3A%2F%2Foutlook.office365.com%2F.default"),
        "{}",
        token_request.body
    );
    let request = &fake.server.requests()[0];
    let authorization = request.header("Authorization").unwrap();
    assert!(
        authorization.starts_with("Bearer eyJ0eXAiOiJKV1QifQ.")
            && authorization.ends_with(".sig-fake-1"),
        "{authorization}"
    );
    assert_eq!(request.header("X-AnchorMailbox"), Some(ROOM));
    // App-only tokens impersonate the room also for requests about no mailbox.
    calendar.resolve_name("dana@contoso.com").unwrap();
    let resolve = fake.server.requests().last().unwrap().clone();
    assert!(resolve
        .body
        .contains("<t:PrimarySmtpAddress>everest@contoso.com</t:PrimarySmtpAddress>"));
    fake.schema_check();
}

#[test]
fn directory_lookups_and_password_expiry() {
    let fake = FakeExchange::start(
        Behaviour {
            password_expires: Some("2026-12-01T08:00:00Z".into()),
            ..Behaviour::default()
        },
        day(),
    );
    let (_setup, calendar) = open(&fake, "impersonation", "");
    let found = calendar.resolve_name("dana@contoso.com").unwrap();
    assert_eq!(found[0].name, "Dana Lee");
    assert!(calendar
        .resolve_name("nobody@contoso.com")
        .unwrap()
        .is_empty());
    assert_eq!(
        calendar
            .password_expiration("svc-roomvoice@contoso.com")
            .unwrap(),
        Some(t("2026-12-01T08:00:00Z"))
    );
    let (rights, version) = calendar.calendar_rights(ROOM).unwrap();
    assert!(rights.create && rights.modify && rights.delete);
    assert_eq!(version.as_deref(), Some("15.1 (build 2507.6, V2017_07_11)"));
    fake.schema_check();
}

#[test]
fn the_schema_check_catches_an_invalid_request() {
    // Proof that the validation the other tests rely on can fail: a CalendarView
    // without its required EndDate, and an element out of schema order.
    let fake = FakeExchange::start(Behaviour::default(), day());
    let (_setup, calendar) = open(&fake, "impersonation", "");
    calendar
        .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-24T08:00:00Z"))
        .unwrap();
    let good = fake.server.requests()[0].body.clone();
    let missing_end = good.replace(" EndDate=\"2026-11-24T08:00:00Z\"", "");
    let out_of_order = good
        .replace("<t:BaseShape>IdOnly</t:BaseShape>", "")
        .replace(
            "</t:AdditionalProperties>",
            "</t:AdditionalProperties><t:BaseShape>IdOnly</t:BaseShape>",
        );
    for bad in [missing_end, out_of_order] {
        let result = std::panic::catch_unwind(|| support::ews_server::validate(vec![bad.clone()]));
        assert!(result.is_err(), "the validator accepted:\n{bad}");
    }
    support::ews_server::validate(vec![good]);
}

#[test]
fn configuration_mistakes_are_explained_without_echoing_secrets() {
    use roomvoice::config::Config;
    let base = "[room]\nname = \"Everest\"\nmailbox = \"everest@contoso.com\"\n[calendar]\nbackend = \"ews\"\n";
    let err = Config::parse(base, "t.toml").unwrap_err().to_string();
    assert!(err.contains("[calendar.ews]"), "{err}");

    let inline = format!("{base}[calendar.ews]\nurl = \"https://mail.contoso.com/EWS/Exchange.asmx\"\nusername = \"svc@contoso.com\"\npassword = \"{PASSWORD}\"\n");
    let err = Config::parse(&inline, "t.toml").unwrap_err().to_string();
    assert!(err.contains("password") && err.contains("line 9"), "{err}");
    assert!(
        !err.contains(PASSWORD),
        "the inline password is echoed: {err}"
    );

    let no_secret = format!("{base}[calendar.ews]\nurl = \"https://mail.contoso.com/EWS/Exchange.asmx\"\nusername = \"svc@contoso.com\"\n");
    let err = Config::parse(&no_secret, "t.toml").unwrap_err().to_string();
    assert!(err.contains("password_file"), "{err}");

    let bad_version = format!("{base}[calendar.ews]\nurl = \"https://x/EWS/Exchange.asmx\"\nusername = \"s@x\"\npassword_env = \"X\"\nversion = \"Exchange2099\"\n");
    let err = Config::parse(&bad_version, "t.toml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Exchange2013") && err.contains("Exchange2099"),
        "{err}"
    );

    let oauth_delegate = format!("{base}[calendar.ews]\nurl = \"https://x/EWS/Exchange.asmx\"\nauth = \"oauth\"\ntenant_id = \"t\"\nclient_id = \"c\"\nclient_secret_env = \"S\"\naccess = \"delegate\"\n");
    let err = Config::parse(&oauth_delegate, "t.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("impersonation"), "{err}");
}

#[test]
fn a_cut_answer_to_a_read_is_retried() {
    let fake = FakeExchange::start(
        Behaviour {
            truncate: 1,
            ..Behaviour::default()
        },
        day(),
    );
    let (_setup, calendar) = open(&fake, "impersonation", "");
    let view = calendar
        .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-24T08:00:00Z"))
        .unwrap();
    assert_eq!(view.events.len(), 2);
    assert_eq!(fake.operations(), ["FindItem", "FindItem"]);
}

#[test]
fn organisers_without_a_display_name_are_resolved_once() {
    let mut items = day();
    items[0].organizer_name = String::new();
    items[1].organizer_name = String::new();
    let fake = FakeExchange::start(Behaviour::default(), items);
    let (_setup, calendar) = open(&fake, "impersonation", "");
    let view = calendar
        .events(ROOM, t("2026-11-23T16:00:00Z"), t("2026-11-24T08:00:00Z"))
        .unwrap();
    assert_eq!(view.events[0].organizer.as_ref().unwrap().name, "Dana Lee");
    assert_eq!(view.events[1].organizer.as_ref().unwrap().name, "Dana Lee");
    let lookups = fake
        .operations()
        .iter()
        .filter(|o| *o == "ResolveNames")
        .count();
    assert_eq!(lookups, 1, "one lookup per address");
    fake.schema_check();
}

#[test]
fn server_busy_inside_a_response_message_is_retried_too() {
    let fake = FakeExchange::start(
        Behaviour {
            busy_in_message: 1,
            busy_back_off_ms: 100,
            ..Behaviour::default()
        },
        Vec::new(),
    );
    let (_setup, calendar) = open(&fake, "impersonation", "");
    let booking = future_booking(5, 30);
    calendar.book(ROOM, &booking).unwrap();
    assert_eq!(fake.items(ROOM).len(), 1);
    assert_eq!(fake.operations(), ["FindItem", "FindItem", "CreateItem"]);
    fake.schema_check();
}
