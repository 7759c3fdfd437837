//! Fuzz target: any bytes as an invitation body (text or HTML), location and room
//! country. The reader must never panic, and what it returns must keep its promises:
//! E.164 numbers, digit-only meeting IDs, a dial string that starts with the chosen
//! number.

#![no_main]

use libfuzzer_sys::fuzz_target;
use roomvoice::calendar::Body;
use roomvoice::dialin::{read_invitation, DialPreferences, Invitation};

const COUNTRIES: [&str; 6] = ["US", "GB", "DE", "IN", "FR", "ZZ"];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    // An optional location: the text before the first form feed.
    let (location, body_text) = match text.split_once('\u{c}') {
        Some((l, b)) => (Some(l), b),
        None => (None, text.as_ref()),
    };
    let body = if selector & 1 == 1 {
        Body::Html(body_text.to_string())
    } else {
        Body::Text(body_text.to_string())
    };
    let prefs = DialPreferences {
        country: COUNTRIES[(selector as usize >> 1) % COUNTRIES.len()].to_string(),
        ..DialPreferences::default()
    };
    let plan = read_invitation(
        &Invitation {
            subject: "fuzz",
            body: Some(&body),
            location,
            online_meeting: None,
        },
        &prefs,
    );
    for n in &plan.numbers {
        assert!(n.e164.starts_with('+') && n.e164[1..].bytes().all(|b| b.is_ascii_digit()), "{n:?}");
        assert!((8..=16).contains(&n.e164.len()), "{n:?}");
    }
    if let Some(id) = &plan.meeting_id {
        assert!(!id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()), "{id:?}");
    }
    if let Some(pin) = &plan.passcode {
        assert!(!pin.is_empty() && pin.bytes().all(|b| b.is_ascii_digit()), "{pin:?}");
    }
    if let Some(d) = &plan.dial_string {
        let number = plan.number.as_deref().expect("a dial string needs a chosen number");
        assert!(d.starts_with(number), "{d:?} / {number:?}");
        // The dialer keys digits, pauses, `#` and `*` only.
        assert!(d[1..].bytes().all(|b| b.is_ascii_digit() || b"#*,".contains(&b)), "{d:?}");
        let id = plan.meeting_id.as_deref().expect("a dial string needs a meeting ID");
        assert!(d.contains(id), "{d:?} / {id:?}");
    }
    if let Some(n) = &plan.number {
        assert!(plan.numbers.iter().any(|x| &x.e164 == n), "chosen number not in the list");
    }
});
