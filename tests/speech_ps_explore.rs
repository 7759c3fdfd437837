#![cfg(roomvoice_pocketsphinx)]
mod speech_support;
use roomvoice::speech::pocketsphinx::{PocketSphinxEngine, Settings};
use roomvoice::speech::{Engine, Heard, PhraseSet};
#[test]
fn explore() {
    let cmds = ["alexa start my meeting", "alexa end the meeting", "alexa is this room free", "alexa book this room for thirty minutes", "alexa join my meeting", "alexa cancel", "alexa who booked this room", "alexa extend the meeting by fifteen minutes", "alexa check in"];
    let phrases = PhraseSet::from_grammar(&roomvoice::intent::grammar("alexa")).unwrap();
    let mut settings = Settings::default();
    if let Ok(t) = std::env::var("WAKE") { settings.wake_threshold = if t == "none" { None } else { Some(t.parse().unwrap()) }; }
    let mut e = PocketSphinxEngine::open(&settings, &phrases).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let others = ["we should start the meeting soon", "what's the weather like", "play some music", "can you pass me the report please", "i think the room is free after lunch", "start my meeting", "hello everyone thanks for coming", "alex can you start the slides", "i'll book the room for tomorrow"];
    let mut n = 0;
    let speeds: Vec<u32> = std::env::var("SPEEDS").map(|s| s.split(',').map(|x| x.parse().unwrap()).collect()).unwrap_or(vec![160]);
    for (kind, list) in [("CMD", &cmds[..]), ("NON", &others[..])] {
      for voice in ["en-us", "en-gb", "en-us+f3", "en-us+m3"] {
       for &speed in &speeds {
        for t in list {
          n += 1;
          let w = speech_support::speak(tmp.path(), &format!("c{n}"), voice, speed, t);
          let w = if let Ok(snr) = std::env::var("NOISE") { speech_support::add_noise(tmp.path(), &w, snr.parse().unwrap()) } else { w };
          let s = speech_support::samples(&w);
          e.reset().unwrap();
          let mut out = vec![];
          let mut take = |all: Vec<Heard>, e: &PocketSphinxEngine| { for h in all { if let Heard::Final(u) = h { out.push((u.text, e.last_raw_text.clone(), e.last_wake)) } } };
          for ch in s.chunks(1600) { let h = e.feed(ch).unwrap(); take(h, &e); }
          let h = e.finish().unwrap(); take(h, &e);
          let intent_of = |text: &str| roomvoice::intent::parse(text, "alexa", roomvoice::intent::Expecting::Command).intent;
          let got = out.iter().map(|o| intent_of(&o.0)).find(|i| *i != roomvoice::intent::Intent::None).unwrap_or(roomvoice::intent::Intent::None);
          let ok = got == intent_of(t);
          println!("{} {kind} {voice} {speed} {t} -> {out:?}", if ok {"OK "} else {"BAD"});
        }
       }
      }
    }
}
