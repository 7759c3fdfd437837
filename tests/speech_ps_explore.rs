#![cfg(roomvoice_pocketsphinx)]
mod speech_support;
use roomvoice::intent::{Grammar, Rule};
use roomvoice::speech::pocketsphinx::{PocketSphinxEngine, Settings};
use roomvoice::speech::{Engine, Heard, PhraseSet};
fn w(s: &str) -> Rule { Rule::Seq(s.split(' ').map(|x| Rule::Word(x.into())).collect()) }
fn r(s: &str) -> Rule { Rule::Ref(s.into()) }
#[test]
fn explore() {
    let tmp = tempfile::tempdir().unwrap();
    let wav = speech_support::speak(tmp.path(), "a", "en-us", 160, "alexa start my meeting");
    let s = speech_support::samples(&wav);
    let intents = ["start_meeting", "end_meeting", "room_free", "who_booked", "book_room", "extend_meeting", "check_in", "my_calendar", "add_event", "meeting_id", "yes", "no", "cancel"];
    let all = || Rule::Alt(intents.iter().map(|n| r(n)).collect());
    let opt = |n: &str| Rule::Opt(Box::new(r(n)));
    let variants: Vec<(String, Rule)> = vec![
        ("lead".into(), Rule::Seq(vec![r("wake"), opt("lead"), all()])),
        ("tail".into(), Rule::Seq(vec![r("wake"), all(), opt("tail")])),
        ("both".into(), Rule::Seq(vec![r("wake"), opt("lead"), all(), opt("tail")])),
        ("sm-lead".into(), Rule::Seq(vec![r("wake"), opt("lead"), r("start_meeting")])),
        ("sm-tail".into(), Rule::Seq(vec![r("wake"), r("start_meeting"), opt("tail")])),
    ];
    for (name, command) in variants {
        let mut g = roomvoice::intent::grammar("alexa");
        g.rules.insert("command".into(), command);
        let phrases = PhraseSet::from_grammar(&g).unwrap();
        let mut settings = Settings::default();
        settings.wake_threshold = None;
        let mut e = PocketSphinxEngine::open(&settings, &phrases).unwrap();
        let mut out = vec![];
        for ch in s.chunks(1600) { for h in e.feed(ch).unwrap() { if let Heard::Final(u) = h { out.push(u.text) } } }
        for h in e.finish().unwrap() { if let Heard::Final(u) = h { out.push(u.text) } }
        println!("{name}: {out:?}");
    }
}
