//! The phrase set: every way of saying each command, as one grammar.
//!
//! Phrases are written in a JSGF-like notation ([`PHRASES`]): words, `( a | b )`
//! alternatives, `[ optional ]`, `<rule>` references, postfix `+` (one or more) and
//! `{slot expansion}` to name the words an intent takes a value from. The same table
//! drives the text parser ([`parse`]) and the recognition grammars the speech engines
//! compile (`crate::speech::phrases`, from [`Grammar::rules`] and [`Grammar::vocabulary`]), so what the device can hear
//! and what it understands never drift apart.

use std::collections::{BTreeMap, BTreeSet};

use super::notation::parse_notation;
use super::numbers;
use super::{Expecting, Intent, Parsed};

/// One node of the phrase grammar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// One spoken word, lower case.
    Word(String),
    /// All of these, in order.
    Seq(Vec<Rule>),
    /// One of these.
    Alt(Vec<Rule>),
    /// This or nothing.
    Opt(Box<Rule>),
    /// One or more repetitions (at most `max` when matching text).
    Repeat { rule: Box<Rule>, max: usize },
    /// A named rule of the grammar.
    Ref(String),
    /// A slot: the words matched by the inner rule become an intent's value.
    Slot(String, Box<Rule>),
}

/// The command intents, each a rule of [`PHRASES`] with the intent's name. Order
/// matters only for readability: the phrasings do not overlap.
pub(crate) const COMMAND_INTENTS: &[&str] = &[
    "start_meeting",
    "end_meeting",
    "room_free",
    "who_booked",
    "book_room",
    "extend_meeting",
    "check_in",
    "my_calendar",
    "add_event",
    "meeting_id",
    "yes",
    "no",
    "cancel",
];

/// The phrase set. Rule names that are intents produce that intent; the others are
/// building blocks. `WAKE` is replaced by the configured wake word.
pub(crate) const PHRASES: &[(&str, &str)] = &[
    // What may come between the wake word and the command, and after it.
    ("lead", "please | can you | could you | would you | will you | can you please | could you please | i want to | i'd like to | i would like to | let's | we want to | we'd like to | help me | go ahead and"),
    ("tail", "please | now | right now | for me | for us | thanks | thank you"),
    // Commands.
    ("start_meeting", "(start | join | begin | launch | open | dial into | connect to | dial in to) [up] (my | the | our | this | today's) [next | scheduled | video | conference | online | team | zoom | teams | webex] (meeting | call | conference | conference call) | (start | join) (meeting | call) | start a meeting | join a meeting | join [it | now]"),
    ("end_meeting", "(end | stop | leave | finish | close | exit | quit | hang up) [the | my | our | this] (meeting | call | conference) | hang up | end call | end meeting"),
    ("room_free", "is (this | the) (room | conference room | meeting room) (free | available | open | booked | busy | taken | in use | occupied | reserved) [<when_now>] | is anyone using (this | the) room | (can | may) (i | we) use (this | the) room [<when_now>] | is there a meeting (in this room | here) [<when_now>] | (when | how long) is (this | the) room (free | available)"),
    ("when_now", "now | right now | at the moment"),
    ("who_booked", "who (booked | reserved | has booked | has reserved | has) (this | the) room [<when_now>] | who is (in | using) (this | the) room [<when_now>] | whose meeting is (this | it) | (what's | what is) (next | the next meeting | coming up) [in (this | the) room | here] | (when | what) is the next meeting [in (this | the) room | here] | (what | which) meeting is (this | on now | now)"),
    ("book_room", "(book | reserve | hold) (this | the) (room | conference room | meeting room) [{minutes <duration_phrase>} | {until <until_phrase>}] | (book | reserve | hold) it [{minutes <duration_phrase>} | {until <until_phrase>}] | (i | we) need (this | the) room {minutes <duration_phrase>}"),
    ("duration_phrase", "for <duration>"),
    ("until_phrase", "(until | till | to) <time>"),
    ("extend_meeting", "extend (the | my | our | this) (meeting | booking | reservation) [{minutes <extension>}] | (give | get) (me | us) {minutes <duration>} more | (give | get) (me | us) another {minutes <duration>}"),
    ("extension", "(by | for | another) <duration> | <duration> [more | longer]"),
    ("check_in", "check (in | me in | us in) [(to | into) (this | the) room | (to | for) (my | the | our) meeting] | check into (this | the) room | (i'm | i am | we're | we are) here for (my | our | the) meeting"),
    ("my_calendar", "(what's | what is | what do i have) on my (calendar | schedule | agenda) [today | tomorrow] | (what's | what is) my next meeting | (read | check) my (calendar | schedule | agenda) [today] | what is my schedule [today]"),
    ("add_event", "(add | schedule | create | put) ((a | an) {title <event_title>} | {title <event_title>}) (at | for) {start <time>} [{minutes <duration_phrase>}] [(to | on | in) my calendar] | (add | put) (a | an) {title <event_title>} (to | on) my calendar (at | for) {start <time>} [{minutes <duration_phrase>}]"),
    ("event_title", "meeting | event | appointment | call | lunch | review | sync | one on one | interview | standup | focus time | reminder | dinner | break"),
    ("meeting_id", "<id_lead> {digits <digits>} | {digits <digits>}"),
    ("id_lead", "[my | the | our] [meeting | conference] (id | number | code | pin | passcode | password) [is]"),
    ("yes", "yes | yeah | yep | sure | of course | okay | ok | please do | yes please | go ahead | do it | correct | that's right | absolutely | yes it is"),
    ("no", "no | nope | no thanks | no thank you | not now | don't | do not | no it isn't"),
    ("cancel", "cancel | never mind | nevermind | forget it | stop | cancel that | abort | nothing"),
    // Numbers.
    ("digit", "zero | oh | o | one | two | three | four | five | six | seven | eight | nine | double <digit> | triple <digit>"),
    ("digits", "<digit>+"),
    ("unit", "one | two | three | four | five | six | seven | eight | nine"),
    ("teen", "ten | eleven | twelve | thirteen | fourteen | fifteen | sixteen | seventeen | eighteen | nineteen"),
    ("tens", "twenty | thirty | forty | fifty | sixty | seventy | eighty | ninety"),
    ("number", "<unit> | <teen> | <tens> [<unit>] | (a | one | two) hundred [and] [<unit> | <teen> | <tens> [<unit>]]"),
    ("duration", "<number> (minute | minutes | min | mins) | (an | one) hour [and (a half | <number> minutes)] | half an hour | a half hour | <number> hours | <number> and a half hours | (a | one) quarter (of an | hour) [hour] | (an | one) hour and a quarter | forty five minutes"),
    // Hours of the 12-hour clock may take "pm"; 13-23 never do ("twenty three thirty
    // pm" is no time, and the recogniser should not be able to hear it).
    ("hour", "one | two | three | four | five | six | seven | eight | nine | ten | eleven | twelve"),
    ("hour24", "thirteen | fourteen | fifteen | sixteen | seventeen | eighteen | nineteen | twenty | twenty one | twenty two | twenty three"),
    ("clock_hour", "<hour> [<meridiem>] | <hour24>"),
    ("minute", "oh <unit> | <teen> | <tens> [<unit>]"),
    ("meridiem", "a m | p m | am | pm | in the morning | in the afternoon | in the evening | tonight"),
    ("time", "<hour> [<minute> | o'clock] [<meridiem>] | <hour24> [<minute> | o'clock] | noon | midday | midnight | half past <clock_hour> | [a | one] quarter (past | after | to) <clock_hour> | <minute> (past | after | to) <clock_hour>"),
];

/// The whole phrase set for one wake word: named rules from [`PHRASES`], plus
/// `command` (wake word, then any command) and `answer` (follow-up answers).
#[derive(Debug, Clone)]
pub struct Grammar {
    /// The wake word, lower case (may be several words: "hey room").
    pub wake_word: String,
    pub rules: BTreeMap<String, Rule>,
}

/// What [`Grammar::matches`] returns for one way the words fit a rule: where it ended,
/// and the slots it filled (name, first word, end word).
type Match = (usize, Vec<(String, usize, usize)>);

/// The most alternatives kept while matching, so hostile input cannot blow up.
const MAX_PARTIAL_MATCHES: usize = 256;

impl Grammar {
    pub(crate) fn new(wake_word: &str) -> Grammar {
        let wake_word = normalise_words(wake_word, false).join(" ");
        let mut rules = BTreeMap::new();
        for (name, text) in PHRASES {
            match parse_notation(text) {
                Ok(rule) => {
                    rules.insert((*name).to_string(), rule);
                }
                // The table is a constant checked by the tests; a bad line only loses itself.
                Err(e) => tracing::error!("phrase rule <{name}> is malformed: {e}"),
            }
        }
        rules.insert("wake".into(), words_rule(&wake_word));
        let intents = Rule::Alt(
            COMMAND_INTENTS
                .iter()
                .map(|n| Rule::Ref((*n).into()))
                .collect(),
        );
        rules.insert(
            "command".into(),
            Rule::Seq(vec![
                Rule::Ref("wake".into()),
                Rule::Opt(Box::new(Rule::Ref("lead".into()))),
                intents,
                Rule::Opt(Box::new(Rule::Ref("tail".into()))),
            ]),
        );
        rules.insert(
            "answer".into(),
            Rule::Alt(
                ["meeting_id", "yes", "no", "cancel"]
                    .iter()
                    .map(|n| Rule::Ref((*n).into()))
                    .collect(),
            ),
        );
        Grammar { wake_word, rules }
    }

    /// Every word the grammar can produce, for checking against a speech model's
    /// vocabulary.
    pub(crate) fn vocabulary(&self) -> BTreeSet<String> {
        fn walk(rule: &Rule, out: &mut BTreeSet<String>) {
            match rule {
                Rule::Word(w) => {
                    out.insert(w.clone());
                }
                Rule::Seq(v) | Rule::Alt(v) => v.iter().for_each(|r| walk(r, out)),
                Rule::Opt(r) | Rule::Repeat { rule: r, .. } | Rule::Slot(_, r) => walk(r, out),
                Rule::Ref(_) => {}
            }
        }
        let mut out = BTreeSet::new();
        self.rules.values().for_each(|r| walk(r, &mut out));
        out
    }

    /// Example phrases, every alternative of every command taken at least once
    /// (repeats once, optional parts both ways, up to `limit` phrases): a phrase list
    /// for engines that take one (Vosk) and a test corpus.
    #[cfg(test)]
    fn sample_phrases(&self, rule: &str, limit: usize) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(r) = self.rules.get(rule) {
            for seq in self.expand(r, limit, 0) {
                if out.len() >= limit {
                    break;
                }
                out.push(seq.join(" "));
            }
        }
        out
    }

    #[cfg(test)]
    fn expand(&self, rule: &Rule, limit: usize, depth: usize) -> Vec<Vec<String>> {
        if depth > 60 {
            return vec![Vec::new()];
        }
        let cap = |mut v: Vec<Vec<String>>| {
            v.truncate(limit);
            v
        };
        match rule {
            Rule::Word(w) => vec![vec![w.clone()]],
            Rule::Ref(name) => match self.rules.get(name) {
                Some(r) => self.expand(r, limit, depth + 1),
                None => vec![Vec::new()],
            },
            Rule::Slot(_, r) | Rule::Repeat { rule: r, .. } => self.expand(r, limit, depth + 1),
            Rule::Opt(r) => {
                let mut v = vec![Vec::new()];
                v.extend(self.expand(r, limit, depth + 1));
                cap(v)
            }
            Rule::Alt(alts) => cap(alts
                .iter()
                .flat_map(|a| self.expand(a, limit, depth + 1))
                .collect()),
            Rule::Seq(parts) => {
                let mut acc: Vec<Vec<String>> = vec![Vec::new()];
                for part in parts {
                    let options = self.expand(part, limit, depth + 1);
                    let mut next = Vec::new();
                    // Pair the i-th prefix with the i-th option (cycling) so every option
                    // appears without a cross product.
                    let n = acc.len().max(options.len()).min(limit);
                    for i in 0..n {
                        let mut p = acc[i % acc.len()].clone();
                        if let Some(o) = options.get(i % options.len().max(1)) {
                            p.extend(o.iter().cloned());
                        }
                        next.push(p);
                    }
                    acc = next;
                }
                acc
            }
        }
    }

    /// Every way `words[pos..]` can start with `rule`: end positions and filled slots.
    fn matches(&self, rule: &Rule, words: &[String], pos: usize, depth: usize) -> Vec<Match> {
        if depth > 40 {
            return Vec::new();
        }
        let mut out: Vec<Match> = match rule {
            Rule::Word(w) => {
                if words.get(pos) == Some(w) {
                    vec![(pos + 1, Vec::new())]
                } else {
                    Vec::new()
                }
            }
            Rule::Ref(name) => match self.rules.get(name) {
                Some(r) => self.matches(r, words, pos, depth + 1),
                None => Vec::new(),
            },
            Rule::Slot(name, inner) => self
                .matches(inner, words, pos, depth + 1)
                .into_iter()
                .map(|(end, mut slots)| {
                    slots.push((name.clone(), pos, end));
                    (end, slots)
                })
                .collect(),
            Rule::Opt(inner) => {
                let mut v = vec![(pos, Vec::new())];
                v.extend(self.matches(inner, words, pos, depth + 1));
                v
            }
            Rule::Alt(alts) => alts
                .iter()
                .flat_map(|a| self.matches(a, words, pos, depth + 1))
                .collect(),
            Rule::Seq(parts) => {
                let mut states: Vec<Match> = vec![(pos, Vec::new())];
                for part in parts {
                    let mut next = Vec::new();
                    for (at, slots) in &states {
                        for (end, more) in self.matches(part, words, *at, depth + 1) {
                            let mut s = slots.clone();
                            s.extend(more);
                            next.push((end, s));
                        }
                    }
                    next.truncate(MAX_PARTIAL_MATCHES);
                    states = next;
                    if states.is_empty() {
                        break;
                    }
                }
                states
            }
            Rule::Repeat { rule, max } => {
                let mut out = Vec::new();
                let mut frontier: Vec<Match> = vec![(pos, Vec::new())];
                for _ in 0..*max {
                    let mut next = Vec::new();
                    for (at, slots) in &frontier {
                        for (end, more) in self.matches(rule, words, *at, depth + 1) {
                            if end > *at {
                                let mut s = slots.clone();
                                s.extend(more);
                                next.push((end, s));
                            }
                        }
                    }
                    next.truncate(MAX_PARTIAL_MATCHES);
                    if next.is_empty() {
                        break;
                    }
                    out.extend(next.iter().cloned());
                    frontier = next;
                }
                out
            }
        };
        out.truncate(MAX_PARTIAL_MATCHES);
        out
    }

    /// Slots of the first way `rule` covers all of `words`, if any.
    fn full_match(&self, rule: &Rule, words: &[String]) -> Option<Vec<(String, usize, usize)>> {
        self.matches(rule, words, 0, 0)
            .into_iter()
            .find(|(end, _)| *end == words.len())
            .map(|(_, slots)| slots)
    }

    /// Reads `words` (already without the wake word) as one of `intents`, with optional
    /// lead-in and tail words.
    fn read_intent(&self, words: &[String], intents: &[&str]) -> Option<Intent> {
        for name in intents {
            let rule = Rule::Seq(vec![
                Rule::Opt(Box::new(Rule::Ref("lead".into()))),
                Rule::Ref((*name).into()),
                Rule::Opt(Box::new(Rule::Ref("tail".into()))),
            ]);
            if let Some(slots) = self.full_match(&rule, words) {
                if let Some(intent) = build_intent(name, &slots, words) {
                    return Some(intent);
                }
            }
        }
        None
    }
}

/// Turns a matched intent rule and its slots into an [`Intent`].
fn build_intent(name: &str, slots: &[(String, usize, usize)], words: &[String]) -> Option<Intent> {
    let slot = |key: &str| -> Option<&[String]> {
        slots
            .iter()
            .rev()
            .find(|(n, _, _)| n == key)
            .map(|(_, a, b)| &words[*a..*b])
    };
    Some(match name {
        "start_meeting" => Intent::StartMeeting,
        "end_meeting" => Intent::EndMeeting,
        "room_free" => Intent::RoomFree,
        "who_booked" => Intent::WhoBooked,
        "book_room" => Intent::BookRoom {
            minutes: match slot("minutes") {
                Some(w) => Some(numbers::duration_minutes(w)?),
                None => None,
            },
            until: match slot("until") {
                Some(w) => Some(numbers::spoken_time(w)?),
                None => None,
            },
        },
        "extend_meeting" => Intent::ExtendMeeting {
            minutes: match slot("minutes") {
                Some(w) => numbers::duration_minutes(w)?,
                None => 15,
            },
        },
        "check_in" => Intent::CheckIn,
        "my_calendar" => Intent::MyCalendar,
        "add_event" => Intent::AddEvent {
            title: slot("title").map(|w| w.join(" ")),
            start: numbers::spoken_time(slot("start")?)?,
            minutes: match slot("minutes") {
                Some(w) => numbers::duration_minutes(w)?,
                None => 30,
            },
        },
        "meeting_id" => Intent::MeetingId {
            digits: numbers::digit_string(slot("digits")?)?,
        },
        "yes" => Intent::Yes,
        "no" => Intent::No,
        "cancel" => Intent::Cancel,
        _ => return None,
    })
}

/// Lower-cases, drops punctuation, spells out numerals ("30" -> "thirty", "3:30" ->
/// "three thirty", long numbers digit by digit) so typed text reads like speech.
pub(crate) fn normalise_words(text: &str, digit_by_digit: bool) -> Vec<String> {
    let cleaned: String = text
        .chars()
        .map(|c| match c {
            '\u{2019}' | '\u{2018}' => '\'',
            c if c.is_alphanumeric() || c == '\'' || c == ':' => c.to_ascii_lowercase(),
            _ => ' ',
        })
        .collect();
    let mut out = Vec::new();
    for token in cleaned.split_whitespace() {
        let token = token.trim_matches('\'');
        if token.is_empty() {
            continue;
        }
        numbers::spell_token(token, digit_by_digit, &mut out);
    }
    out
}

/// Reads one utterance (see [`super::parse`]).
pub(super) fn parse(text: &str, wake_word: &str, expecting: Expecting) -> Parsed {
    let grammar = cached_grammar(wake_word);
    let digit_answer = matches!(expecting, Expecting::MeetingId | Expecting::Pin);
    let words = normalise_words(text, digit_answer);
    let wake: Vec<String> = grammar.wake_word.split(' ').map(str::to_string).collect();
    // "hey alexa", "ok alexa" are the wake word too.
    let skip = match words.first().map(String::as_str) {
        Some("hey" | "ok" | "okay") if words[1..].starts_with(&wake) => 1,
        _ => 0,
    };
    let woke = !wake.is_empty() && words[skip..].starts_with(&wake);
    let rest: &[String] = if woke {
        &words[skip + wake.len()..]
    } else {
        &words
    };

    let intent = match expecting {
        Expecting::Command if !woke => None,
        Expecting::Command | Expecting::Woken => {
            grammar.read_intent(rest, COMMAND_INTENTS).map(|i| match i {
                // A bare number with the wake word is not a command.
                Intent::MeetingId { .. }
                    if !rest
                        .iter()
                        .any(|w| w == "id" || w == "number" || w == "code") =>
                {
                    Intent::None
                }
                other => other,
            })
        }
        Expecting::MeetingId | Expecting::Pin => {
            let answer = if woke {
                grammar.read_intent(rest, COMMAND_INTENTS)
            } else {
                grammar.read_intent(rest, &["meeting_id", "yes", "no", "cancel"])
            };
            answer.map(|i| match (i, expecting) {
                (Intent::MeetingId { digits }, Expecting::Pin) => Intent::Pin { digits },
                (other, _) => other,
            })
        }
        Expecting::YesNo => {
            if woke {
                grammar.read_intent(rest, COMMAND_INTENTS)
            } else {
                grammar.read_intent(rest, &["yes", "no", "cancel"])
            }
        }
    };
    Parsed {
        intent: intent.unwrap_or(Intent::None),
        woke,
        words,
    }
}

/// Grammars are built once per wake word and kept.
fn cached_grammar(wake_word: &str) -> std::sync::Arc<Grammar> {
    use std::sync::{Arc, Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<BTreeMap<String, Arc<Grammar>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(BTreeMap::new()));
    let mut map = match cache.lock() {
        Ok(m) => m,
        Err(poisoned) => poisoned.into_inner(),
    };
    map.entry(wake_word.to_string())
        .or_insert_with(|| Arc::new(Grammar::new(wake_word)))
        .clone()
}

fn words_rule(text: &str) -> Rule {
    Rule::Seq(
        text.split_whitespace()
            .map(|w| Rule::Word(w.into()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_phrase_rule_parses_and_every_reference_exists() {
        let g = Grammar::new("alexa");
        assert_eq!(
            g.rules.len(),
            PHRASES.len() + 3,
            "a phrase rule failed to parse"
        );
        fn refs(rule: &Rule, out: &mut Vec<String>) {
            match rule {
                Rule::Ref(n) => out.push(n.clone()),
                Rule::Seq(v) | Rule::Alt(v) => v.iter().for_each(|r| refs(r, out)),
                Rule::Opt(r) | Rule::Repeat { rule: r, .. } | Rule::Slot(_, r) => refs(r, out),
                Rule::Word(_) => {}
            }
        }
        for (name, rule) in &g.rules {
            let mut out = Vec::new();
            refs(rule, &mut out);
            for r in out {
                assert!(g.rules.contains_key(&r), "<{name}> refers to missing <{r}>");
            }
        }
    }

    #[test]
    fn every_sample_phrase_parses_back_to_its_intent() {
        let g = Grammar::new("alexa");
        for intent in [
            "start_meeting",
            "end_meeting",
            "room_free",
            "who_booked",
            "book_room",
            "check_in",
            "my_calendar",
        ] {
            let samples = g.sample_phrases(intent, 200);
            assert!(!samples.is_empty());
            for phrase in samples {
                let parsed = parse(&format!("alexa {phrase}"), "alexa", Expecting::Command);
                assert_eq!(parsed.intent.name(), intent, "\"{phrase}\"");
            }
        }
    }

    #[test]
    fn vocabulary_is_lower_case_words() {
        let vocab = Grammar::new("alexa").vocabulary();
        assert!(vocab.contains("alexa") && vocab.contains("meeting") && vocab.contains("fifteen"));
        assert!(vocab
            .iter()
            .all(|w| w.chars().all(|c| c.is_ascii_lowercase() || c == '\'')));
    }

    #[test]
    fn hostile_input_stays_bounded() {
        let long = "alexa ".to_string() + &"one ".repeat(2000);
        let parsed = parse(&long, "alexa", Expecting::MeetingId);
        assert_eq!(parsed.intent, Intent::None);
        let parsed = parse(&"double ".repeat(500), "alexa", Expecting::MeetingId);
        assert_eq!(parsed.intent, Intent::None);
    }
}
