//! Behaviour of the invitation reader beyond the fixture corpus: join links of every
//! provider in the table (real link shapes, wrapped and bare), structured conference
//! data from Graph, the room's pauses from config, the providers' phone flows, and
//! hostile bodies (no panic, bounded input).

use roomvoice::calendar::{Body, OnlineMeeting};
use roomvoice::config::Config;
use roomvoice::dialin::{
    dial_string_for, provider_languages, read_invitation, DialPreferences, Invitation, JoinPlan,
    Pauses,
};

fn read_text(text: &str) -> JoinPlan {
    let body = Body::Text(text.to_string());
    read_invitation(
        &Invitation {
            body: Some(&body),
            ..Invitation::default()
        },
        &DialPreferences::default(),
    )
}

/// Real link shapes, one or more per service (MeetingBar's list and the dial-in
/// providers), with the provider id each must give.
const LINKS: &[(&str, &str)] = &[
    ("https://us02web.zoom.us/j/85512345678?pwd=aBc.1", "zoom"),
    ("https://zoom.us/my/dana.lee", "zoom"),
    ("https://company.zoom.us/w/91234567890?tk=abc", "zoom"),
    ("https://agency.zoomgov.com/j/1601234567", "zoom"),
    ("zoommtg://zoom.us/join?confno=85512345678&pwd=x", "zoom"),
    (
        "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=%7b%7d",
        "teams",
    ),
    (
        "https://teams.microsoft.com/meet/21461290344?p=Zk9Tq2Ab",
        "teams",
    ),
    (
        "https://gov.teams.microsoft.us/l/meetup-join/19%3ameeting_x%40thread.v2/0",
        "teams",
    ),
    ("https://teams.live.com/meet/9318234567890", "teams"),
    ("https://meet.lync.com/contoso/dana/ABCD1234", "skype"),
    ("https://meet.contoso.com/dana.lee/8HZX2KQ4", "skype"),
    ("https://join.skype.com/aBcDeFgHiJk", "skype"),
    ("https://acme.webex.com/acme/j.php?MTID=m3f2b", "webex"),
    ("https://acme.webex.com/meet/priya.raman", "webex"),
    ("https://chime.aws/4917352086", "chime"),
    ("https://meet.goto.com/482913577", "goto"),
    ("https://global.gotomeeting.com/join/731559021", "goto"),
    ("https://attendee.gotowebinar.com/register/123456", "goto"),
    ("https://bluejeans.com/581734920/4170", "bluejeans"),
    ("https://meet.google.com/abc-defg-hij", "google_meet"),
    ("https://meet.google.com/lookup/abcdefgh", "google_meet"),
    ("https://hangouts.google.com/call/xyz", "google_meet"),
    (
        "https://stream.meet.google.com/stream/abc-123",
        "google_meet",
    ),
    ("https://meet.jit.si/WeeklyPlatformStandup", "jitsi"),
    ("https://8x8.vc/company/room", "jitsi"),
    ("https://v.ringcentral.com/join/148203917", "ringcentral"),
    (
        "https://meetings.ringcentral.com/j/1481234567",
        "ringcentral",
    ),
    ("https://fuze.me/31488207", "fuze"),
    ("https://www.uberconference.com/morgan-ellis", "dialpad"),
    ("https://meetings.dialpad.com/room/acme", "dialpad"),
    (
        "https://join.freeconferencecall.com/boardroom",
        "freeconferencecall",
    ),
    ("https://call.lifesizecloud.com/4417523", "lifesize"),
    (
        "https://video.example.com/webapp/#/?conference=meet.sales",
        "pexip",
    ),
    ("https://whereby.com/design-review-room", "whereby"),
    ("https://event.demio.com/ref/abc", "demio"),
    ("https://join.me/dana", "join_me"),
    ("https://go.blizz.com/123456", "blizz"),
    ("https://go.teamviewer.com/m12345678", "teamviewer"),
    ("https://vsee.com/u/dana", "vsee"),
    ("https://meet.starleaf.com/4512345678", "starleaf"),
    ("https://duo.app.goo.gl/abc", "duo"),
    ("https://voovmeeting.com/dm/abc", "voov"),
    ("https://acme.workplace.com/groupcall/LINK:abc", "workplace"),
    ("https://www.youtube.com/watch?v=abc", "youtube"),
    ("https://meetings.vonage.com/123456789", "vonage"),
    ("https://meet.around.co/r/abc", "around"),
    ("https://jam.systems/room", "jam"),
    ("https://discord.gg/abc", "discord"),
    ("https://us.bbcollab.com/guest/abc", "blackboard_collab"),
    ("https://join.coscreen.co/abc", "coscreen"),
    ("https://acme.vowel.com/#/g/abc", "vowel"),
    ("https://welink.zhumu.com/j/123456?pwd=abc", "zhumu"),
    ("https://vc.larksuite.com/j/123456789", "lark"),
    ("https://vc.feishu.cn/j/123456789", "feishu"),
    ("https://vimeo.com/event/123456", "vimeo"),
    ("https://acme.ovice.in/lobby", "ovice"),
    ("https://facetime.apple.com/join#v=1&p=abc", "facetime"),
    ("https://go.chorus.ai/abc", "chorus"),
    ("https://pop.com/j/123-456", "pop"),
    ("https://acme.join.gong.io/abc", "gong"),
    ("https://app.livestorm.co/p/abc", "livestorm"),
    ("https://lu.ma/join/abc", "luma"),
    ("https://preply.com/en/classroom/abc", "preply"),
    ("https://go.userzoom.com/participate/abc-123", "userzoom"),
    ("https://app.venue.live/app/abc", "venue"),
    ("https://app.teemyco.com/room/abc", "teemyco"),
    ("https://demodesk.com/abc", "demodesk"),
    ("https://cliq.zoho.eu/meetings/abc", "zoho_cliq"),
    ("https://app.slack.com/huddle/T01ABC/C02DEF", "slack"),
    ("https://reclaim.ai/z/abc", "reclaim"),
    ("https://tuple.app/c/abc", "tuple"),
    (
        "https://app.gather.town/app/abc/room?spawnToken=x",
        "gather",
    ),
    ("https://meet.pumble.com/abc-def", "pumble"),
    (
        "https://acme.conference.istesuit.com/abc",
        "suit_conference",
    ),
    ("https://acme.doxy.me/dr-lee", "doxy_me"),
];

#[test]
fn every_service_of_the_table_is_recognised_by_its_join_link() {
    let mut wrong = Vec::new();
    for (url, want) in LINKS {
        let plan = read_text(&format!("Join here: {url}\nSee you there."));
        if plan.provider != *want {
            wrong.push(format!("{url}: expected {want}, got {}", plan.provider));
        }
        if plan.url.is_none() {
            wrong.push(format!("{url}: no URL in the plan"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn wrapped_links_are_unwrapped_before_recognition() {
    let safelink = "https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fchime.aws%2F4917352086&data=05%7C01&sdata=x&reserved=0";
    let plan = read_text(&format!("Click to join: {safelink}"));
    assert_eq!(plan.provider, "chime");
    assert_eq!(plan.url.as_deref(), Some("https://chime.aws/4917352086"));
    assert_eq!(plan.meeting_id.as_deref(), Some("4917352086"));

    let google =
        "https://www.google.com/url?q=https://meet.google.com/abc-defg-hij&sa=D&source=calendar";
    let plan = read_text(&format!("Video call link: {google}"));
    assert_eq!(plan.provider, "google_meet");
    assert_eq!(
        plan.url.as_deref(),
        Some("https://meet.google.com/abc-defg-hij")
    );
}

#[test]
fn help_and_marketing_links_are_not_meetings() {
    for url in [
        "https://help.webex.com/en-us/article/123",
        "https://aka.ms/JoinTeamsMeeting",
        "https://teams.microsoft.com/meetingOptions/?organizerId=1",
        "https://us02web.zoom.us/u/kbx7Ab12",
        "https://example.com/zoom.us/j/85512345678",
    ] {
        let plan = read_text(&format!("More: {url}"));
        assert!(plan.meeting_id.is_none(), "{url}: {plan:?}");
        assert!(
            plan.provider == "unknown" || plan.url.as_deref() == Some(url),
            "{url}: {plan:?}"
        );
    }
}

#[test]
fn graph_online_meeting_data_is_preferred_over_the_body() {
    let body = Body::Html(
        "<p>Agenda attached.</p><p>Old bridge: https://zoom.us/j/81234567890</p>".to_string(),
    );
    let online = OnlineMeeting {
        join_url: Some(
            "https://teams.microsoft.com/l/meetup-join/19%3ameeting_graph%40thread.v2/0".into(),
        ),
        conference_id: Some("611 384 295".into()),
        toll_number: Some("+1 469-210-7159".into()),
        toll_free_numbers: vec!["+1 833-827-5302".into()],
        quick_dial: Some("+14692107159,,611384295#".into()),
    };
    let plan = read_invitation(
        &Invitation {
            subject: "Launch review",
            body: Some(&body),
            location: Some("Microsoft Teams Meeting"),
            online_meeting: Some(&online),
        },
        &DialPreferences::default(),
    );
    assert_eq!(plan.provider, "teams");
    assert_eq!(
        plan.url.as_deref(),
        Some("https://teams.microsoft.com/l/meetup-join/19%3ameeting_graph%40thread.v2/0")
    );
    assert_eq!(plan.meeting_id.as_deref(), Some("611384295"));
    let numbers: Vec<(&str, bool)> = plan
        .numbers
        .iter()
        .map(|n| (n.e164.as_str(), n.toll_free))
        .collect();
    assert_eq!(numbers, [("+14692107159", false), ("+18338275302", true)]);
    assert_eq!(plan.one_tap, ["+14692107159,,611384295#"]);
    assert_eq!(
        plan.dial_string.as_deref(),
        Some("+14692107159,,611384295#")
    );
}

#[test]
fn each_provider_keys_digits_its_own_way() {
    let p = |a, b| {
        Some(Pauses {
            before_meeting_id: a,
            before_pin: b,
        })
    };
    // Zoom: `*` before the passcode, as its one-tap strings print it.
    assert_eq!(
        dial_string_for("zoom", "+13126266799", "91965709975", Some("414376"), None),
        "+13126266799,,91965709975#,,,,*414376#"
    );
    // Webex: `#` skips the attendee ID when there is no numeric password.
    assert_eq!(
        dial_string_for("webex", "+16504793208", "26341129087", None, None),
        "+16504793208,,26341129087##"
    );
    // Teams: conference ID then `#`.
    assert_eq!(
        dial_string_for("teams", "+13238494874", "123456789", None, p(3, 1)),
        "+13238494874,,,123456789#"
    );
    // Unknown ids use the generic bridge flow.
    assert_eq!(
        dial_string_for(
            "no-such-provider",
            "+18665550198",
            "772931",
            Some("1234"),
            None
        ),
        "+18665550198,,,772931#,,,1234#"
    );
}

#[test]
fn room_config_delays_become_pauses() {
    let config = Config::parse(
        r#"
[room]
name = "Everest"
mailbox = "everest@contoso.com"
country = "gb"

[calendar.ics]
path = "room.ics"

[join.providers.zoom]
meeting_id_delay_s = 6
pin_delay_s = 3

[join.providers.teams]
pin_delay_s = 10
"#,
        "test.toml",
    )
    .expect("valid config");
    let prefs = config.dial_preferences();
    assert_eq!(prefs.country, "GB");
    assert_eq!(
        prefs.pauses.get("zoom"),
        Some(&Pauses {
            before_meeting_id: 3,
            before_pin: 2
        })
    );
    // Only the PIN delay set: the meeting ID pause stays Teams' default (2 commas).
    assert_eq!(
        prefs.pauses.get("teams"),
        Some(&Pauses {
            before_meeting_id: 2,
            before_pin: 5
        })
    );
}

#[test]
fn room_country_then_invitation_order_chooses_the_number() {
    let text = "Join Zoom Meeting https://zoom.us/j/85512345678\nMeeting ID: 855 1234 5678\n\
                Dial by your location\n +1 646 558 8656 US (New York)\n +49 69 3807 9883 Germany\n +49 695 050 2596 Germany\n";
    let body = Body::Text(text.into());
    let choose = |country: &str| {
        read_invitation(
            &Invitation {
                body: Some(&body),
                ..Invitation::default()
            },
            &DialPreferences {
                country: country.into(),
                ..DialPreferences::default()
            },
        )
        .number
    };
    assert_eq!(choose("US").as_deref(), Some("+16465588656"));
    assert_eq!(choose("DE").as_deref(), Some("+496938079883"));
    // No number for the room's country: the first that is not a foreign toll-free one.
    assert_eq!(choose("JP").as_deref(), Some("+16465588656"));
}

#[test]
fn hostile_bodies_never_panic_and_stay_bounded() {
    let digits = "1234567890 ".repeat(20_000);
    let nested_tables = format!(
        "{}Meeting ID: 855 1234 5678{}",
        "<table><tr><td>".repeat(2_000),
        "</td></tr></table>".repeat(2_000)
    );
    let unclosed = "<div><a href=\"tel:+1".repeat(5_000);
    let many_links = "https://zoom.us/j/85512345678 https://chime.aws/4917352086\n".repeat(3_000);
    let labels = "Meeting ID: Passcode: PIN: Access code: ".repeat(10_000);
    let one_line = format!("Dial-in: {}", "+1 646 558 8656,".repeat(20_000));
    let junk: String = (0..200_000u32)
        .map(|i| char::from_u32(i % 0x2FFF + 1).unwrap_or('?'))
        .collect();
    let huge = "Join Zoom Meeting https://zoom.us/j/85512345678\n".repeat(40_000);
    for (name, text, html) in [
        ("digits", digits.as_str(), false),
        ("nested tables", nested_tables.as_str(), true),
        ("unclosed tags", unclosed.as_str(), true),
        ("many links", many_links.as_str(), false),
        ("labels without values", labels.as_str(), false),
        ("one long line", one_line.as_str(), false),
        ("unicode junk", junk.as_str(), false),
        ("unicode junk as html", junk.as_str(), true),
        ("over the size limit", huge.as_str(), false),
    ] {
        let body = if html {
            Body::Html(text.to_string())
        } else {
            Body::Text(text.to_string())
        };
        let plan = read_invitation(
            &Invitation {
                body: Some(&body),
                ..Invitation::default()
            },
            &DialPreferences::default(),
        );
        assert!(
            plan.numbers.len() <= 2_000,
            "{name}: {} numbers",
            plan.numbers.len()
        );
        if name == "over the size limit" {
            assert!(
                plan.notes.iter().any(|n| n.contains("only the first")),
                "{name}: the cut must be reported: {:?}",
                plan.notes
            );
        }
    }
}

#[test]
fn dates_and_references_under_id_labels_are_not_meeting_ids() {
    for text in [
        "Conference ID: 2026-11-23\nDial-in: +1 312 626 6799",
        "Access code: 4417523abc\nDial-in: +1 312 626 6799",
        "Meeting ID: 12/11/2026\nDial-in: +1 312 626 6799",
        "Host PIN: 4471\nDial-in: +1 312 626 6799",
    ] {
        let plan = read_text(text);
        assert_eq!(plan.meeting_id, None, "{text}");
        assert_eq!(plan.dial_string, None, "{text}");
        assert_eq!(plan.number.as_deref(), Some("+13126266799"), "{text}");
    }
}

/// Inputs the fuzzer (fuzz/fuzz_targets/read_invitation.rs) found, read the way the
/// fuzz target reads them, with the same checks: they stay fixed.
#[test]
fn fuzzer_findings_stay_fixed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("fuzz fixture folder") {
        let path = entry.expect("entry").path();
        let data = std::fs::read(&path).expect("readable");
        let Some((&selector, rest)) = data.split_first() else {
            continue;
        };
        seen += 1;
        let text = String::from_utf8_lossy(rest);
        let (location, body_text) = match text.split_once('\u{c}') {
            Some((l, b)) => (Some(l), b),
            None => (None, text.as_ref()),
        };
        let body = if selector & 1 == 1 {
            Body::Html(body_text.to_string())
        } else {
            Body::Text(body_text.to_string())
        };
        for country in ["US", "GB", "DE", "IN", "FR", "ZZ"] {
            let plan = read_invitation(
                &Invitation {
                    subject: "fuzz",
                    body: Some(&body),
                    location,
                    online_meeting: None,
                },
                &DialPreferences {
                    country: country.into(),
                    ..DialPreferences::default()
                },
            );
            for n in &plan.numbers {
                assert!(
                    n.e164.starts_with('+')
                        && n.e164[1..].bytes().all(|b| b.is_ascii_digit())
                        && (8..=16).contains(&n.e164.len()),
                    "{} ({country}): {n:?}",
                    path.display()
                );
            }
            if let Some(d) = &plan.dial_string {
                assert!(plan.number.as_deref().is_some_and(|n| d.starts_with(n)));
            }
        }
    }
    assert!(seen > 0, "no fuzz findings in {}", dir.display());
}

fn read_text_in(text: &str, country: &str) -> JoinPlan {
    let body = Body::Text(text.to_string());
    read_invitation(
        &Invitation {
            body: Some(&body),
            ..Invitation::default()
        },
        &DialPreferences {
            country: country.into(),
            ..DialPreferences::default()
        },
    )
}

#[test]
fn zoom_teams_webex_and_meet_know_their_labels_in_seven_languages() {
    let languages: std::collections::BTreeMap<&str, Vec<&str>> = provider_languages().collect();
    for provider in ["zoom", "teams", "webex", "google_meet"] {
        let langs = languages
            .get(provider)
            .unwrap_or_else(|| panic!("{provider} has no localised labels"));
        for lang in ["de", "fr", "es", "pt", "it", "nl", "ja"] {
            assert!(langs.contains(&lang), "{provider} lacks {lang}: {langs:?}");
        }
    }
    // One localised label per provider, read as the provider's own.
    let cases = [
        (
            "https://zoom.us/j/85512345678\nMeeting-ID: 855 1234 5678\nKenncode: 414376\nEinwahl nach aktuellem Standort\n+49 69 3807 9883 Deutschland\n",
            "DE",
            "+496938079883,,85512345678#,,,,*414376#",
        ),
        (
            "Réunion Microsoft Teams https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0\nAudio uniquement\n+33 1 70 37 97 29,,538412907# France, Paris\nID de conférence : 538 412 907#\n",
            "FR",
            "+33170379729,,538412907#",
        ),
        (
            "https://acme.webex.com/acme/j.php?MTID=m1\nNumero riunione (codice di accesso): 2596 305 8841\nPartecipa tramite telefono\n+39-02-3046-1234 Italy Toll\n",
            "IT",
            "+390230461234,,25963058841##",
        ),
        (
            "https://meet.google.com/abc-defg-hij\n電話で参加\n(JP) +81 3-4578-1488 PIN: 483 920 175#\n",
            "JP",
            "+81345781488,,483920175#",
        ),
    ];
    for (text, country, dial) in cases {
        let plan = read_text_in(text, country);
        assert_eq!(plan.dial_string.as_deref(), Some(dial), "{text}\n{plan:?}");
    }
}

#[test]
fn codes_are_never_read_as_numbers_in_countries_where_they_would_be_valid() {
    // Nine digits are a valid German number: after a pause or a code label they are keys.
    let plan = read_text_in(
        "Einwahl (nur Audio)\n0800 5895244,,538412907# Deutschland (gebührenfrei)\nAccess code unchanged: 168-682-109.\nKonferenz-ID: 538 412 907#\n",
        "DE",
    );
    let numbers: Vec<&str> = plan.numbers.iter().map(|n| n.e164.as_str()).collect();
    assert_eq!(numbers, ["+498005895244"], "{plan:?}");
    // India's toll-free numbers keep their zeros: the parser alone made another number.
    let plan = read_text_in("Dial-in numbers\nIndia: 000 800 040 1530\n", "IN");
    let numbers: Vec<&str> = plan.numbers.iter().map(|n| n.e164.as_str()).collect();
    assert_eq!(numbers, ["+910008000401530"]);
}

#[test]
fn a_passcode_comes_from_a_one_tap_string_only_when_its_keys_are_the_flow() {
    let base = "https://zoom.us/j/85512345678\nMeeting ID: 855 1234 5678\nOne tap mobile\n";
    let plan = read_text_in(
        &format!("{base}+16465588656,,85512345678#,,,,*414376# US\n"),
        "US",
    );
    assert_eq!(plan.passcode.as_deref(), Some("414376"));
    // A participant ID between the ID and the passcode: which digits are the passcode
    // is not certain, so none is keyed.
    let plan = read_text_in(
        &format!("{base}+16465588656,,85512345678#,,,,0#,,414376# US\n"),
        "US",
    );
    assert_eq!(plan.passcode, None);
    assert_eq!(
        plan.dial_string.as_deref(),
        Some("+16465588656,,85512345678#")
    );
    // Two one-tap strings that disagree: none.
    let plan = read_text_in(
        &format!("{base}+16465588656,,85512345678#,,,,*414376# US\n+13126266799,,85512345678#,,,,*999111# US\n"),
        "US",
    );
    assert_eq!(plan.passcode, None);
}

#[test]
fn templates_and_how_tos_give_no_plan() {
    for text in [
        "Join Zoom Meeting\nhttps://zoom.us/j/{{meeting_id}}\nDial by your location\n +1 646 558 8656 US (New York)\nMeeting ID: {{meeting_id}}\n",
        "Join by phone: +1 646 558 8656\nMeeting ID: XXX XXX XXXX\n",
        "To join, dial +1 646 558 8656 and enter meeting ID 987 654 321 followed by #.\n",
        "Join by phone\n+1 646 558 8656\nConference ID: 111 111 111#\n",
    ] {
        let plan = read_text(text);
        assert_eq!(plan.number, None, "{text}");
        assert_eq!(plan.meeting_id, None, "{text}");
        assert!(plan.numbers.is_empty(), "{text}");
        assert_eq!(plan.provider, "unknown", "{text}");
    }
}

#[test]
fn plain_invitations_are_not_taken_for_encoded_ones() {
    // Zoom's indented number lists follow short lines: not iCalendar folds. A URL's
    // `pwd=AB12` is not quoted-printable.
    let text = "Join Zoom Meeting\nhttps://zoom.us/j/85512345678?pwd=AB12cdEF\nMeeting ID: 855 1234 5678\nDial by your location\n        +1 646 558 8656 US (New York)\n        +1 312 626 6799 US (Chicago)\n";
    let plan = read_text(text);
    assert_eq!(plan.numbers.len(), 2, "{plan:?}");
    assert_eq!(
        plan.url.as_deref(),
        Some("https://zoom.us/j/85512345678?pwd=AB12cdEF")
    );
    assert!(plan
        .notes
        .iter()
        .all(|n| !n.contains("decoded") && !n.contains("unfolded")));
}
