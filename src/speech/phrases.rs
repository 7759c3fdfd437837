//! The device's phrase set in the forms the engines take, built from the one intent
//! grammar (`crate::intent::Grammar`) so that what can be heard and what is understood
//! never drift apart.
//!
//! - PocketSphinx gets JSGF, one search per dialogue state: `command` (wake word + any
//!   command) and `answer` (digits, yes/no, cancel after a question). It is written here
//!   from the grammar's public `rules` rather than taken from `Grammar::to_jsgf`, because
//!   the engine needs one public rule per search.
//! - PocketSphinx's command search also has a "chatter" path, everyday words one after
//!   another ([`CHATTER_WORDS`]), so that speech which is no command has somewhere
//!   better to go than the closest command; it is then rejected.
//! - Vosk gets a word list plus the model's unknown-word token: its grammar mode lets
//!   listed entries follow each other, so a word list covers every phrase, and the token
//!   absorbs words outside it; the intent parser then decides.
//!
//! Over 600 lines only with its tests (the code is under 470).

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::intent::notation::parse_notation;
use crate::intent::{Grammar, Rule};

use super::SpeechError;

/// The phrase set, ready for the engines.
#[derive(Debug, Clone)]
pub struct PhraseSet {
    /// Lower-case wake word ("alexa").
    pub wake_word: String,
    /// Every word any phrase uses.
    pub words: BTreeSet<String>,
    /// The rules, with public `command` and `answer`.
    pub grammar: Grammar,
    /// Entries for a Vosk grammar (without the unknown-word token).
    pub vosk_entries: Vec<String>,
    /// Everyday words for the PocketSphinx chatter path (none of the wake word's).
    pub chatter: Vec<String>,
}

/// Everyday English words, one per line (`models/chatter-words.txt`: the most frequent
/// by the wordfreq package, chosen by frequency alone, not from any test sentence).
pub(crate) const CHATTER_WORDS: &str = include_str!("../../models/chatter-words.txt");

/// JSGF weight of each chatter word, written out (Sphinx's JSGF reads no exponents).
/// Chosen on 48 espeak-ng commands and 88 non-commands decoded in one pass with the
/// noise floor, without wake-word spotting: no chatter path, 48 commands and 36
/// non-commands came out as commands; weight 1e-8: 41 and 0; 1e-12: 45 and 0; 1e-15 to
/// 1e-20: 48 and 0; 1e-25: 48 and 0 (4 with wider beams); 1e-30: 48 and 1. In the
/// engine, with wider beams and wake-word spotting (README, "[speech]"), of 64 commands
/// and 120 non-commands: 1e-15: 56 and 0; 1e-20: 61 and 0; 1e-25: 63 and 0. On the
/// multi-voice evaluation set (tests/eval standard run, 2026-12-05: 576 commands, 480
/// non-commands) it trades one for one: 1e-20: 216 commands right and 29 non-commands
/// triggering; 1e-25: 229 and 41; 1e-30: 241 and 52.
const CHATTER_WEIGHT: &str = "0.0000000000000000000000001";

/// The chatter path's weight in the yes/no search (after "Did you want me to end the
/// call?", or a read-back), far lower than the command search's: answers are short and
/// said to the device. Without a chatter path every word said in the room while the
/// device waited was an answer: 48 of the evaluation set's 88 clean sentences of room
/// conversation came out "yes" ("we should hang up and call them back later": "sure"),
/// most with full confidence. Measured there (tests/eval, 22 voices; the 132 yes/no
/// answers in seven conditions and those 88 sentences heard as answers), answers right
/// and conversation heard as yes / no: no chatter path 119, 48 / 2; 1e-46: 118, 37 / 25;
/// 1e-41: 115, 3 / 3; 1e-40: 114, 2 / 1; 1e-37: 111, 2 / 0; 1e-34: 110, 1 / 0; 1e-31:
/// 106, 0 / 0. The value was chosen on that set, away from the cliff past 1e-41. A
/// rejected answer changes nothing: the question stays open and can be answered again.
const ANSWER_CHATTER_WEIGHT: &str = "0.0000000000000000000000000000000000000001";

/// The chatter words minus those of the wake word (which must not be absorbed).
fn chatter_words(wake_word: &str) -> Vec<String> {
    let wake: BTreeSet<&str> = wake_word.split_whitespace().collect();
    CHATTER_WORDS
        .lines()
        .map(str::trim)
        .filter(|w| !w.is_empty() && !w.starts_with('#') && !wake.contains(w))
        .map(str::to_lowercase)
        .collect()
}

impl PhraseSet {
    /// From the intent grammar: needs its `command` and `answer` rules.
    pub fn from_grammar(grammar: &Grammar) -> Result<PhraseSet, SpeechError> {
        for public in ["command", "answer"] {
            if !grammar.rules.contains_key(public) {
                return Err(SpeechError::EmptyPhraseSet(format!(
                    "the intent grammar has no <{public}> rule (this build's intent grammar is incomplete)"
                )));
            }
        }
        let mut words = BTreeSet::new();
        for rule in grammar.rules.values() {
            collect_words(rule, &mut words);
        }
        if words.is_empty() {
            return Err(SpeechError::EmptyPhraseSet(
                "the intent grammar has no words".into(),
            ));
        }
        Ok(PhraseSet {
            wake_word: grammar.wake_word.clone(),
            vosk_entries: words.iter().cloned().collect(),
            words,
            grammar: speech_commands(grammar),
            chatter: chatter_words(&grammar.wake_word),
        })
    }

    /// A plain list of phrases (any language), e.g. for a Korean test model: each phrase
    /// is one grammar entry; the JSGF is their alternatives.
    pub fn from_phrases(phrases: &[&str]) -> Result<PhraseSet, SpeechError> {
        let phrases: Vec<String> = phrases
            .iter()
            .map(|p| {
                p.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase()
            })
            .filter(|p| !p.is_empty())
            .collect();
        if phrases.is_empty() {
            return Err(SpeechError::EmptyPhraseSet("no phrases given".into()));
        }
        let words = phrases
            .iter()
            .flat_map(|p| p.split(' ').map(str::to_string))
            .collect();
        let all = Rule::Alt(
            phrases
                .iter()
                .map(|p| Rule::Seq(p.split(' ').map(|w| Rule::Word(w.to_string())).collect()))
                .collect(),
        );
        let mut rules = std::collections::BTreeMap::new();
        rules.insert("command".to_string(), all.clone());
        rules.insert("answer".to_string(), all);
        Ok(PhraseSet {
            wake_word: String::new(),
            words,
            grammar: Grammar {
                wake_word: String::new(),
                rules,
            },
            vosk_entries: phrases,
            chatter: Vec::new(),
        })
    }

    /// The Vosk grammar (a JSON list) with the model's unknown-word token, leaving out
    /// entries with words in `unknown`.
    pub(crate) fn vosk_grammar(
        &self,
        unk: Option<&str>,
        unknown: &BTreeSet<String>,
    ) -> Vec<String> {
        let mut entries: Vec<String> = self
            .vosk_entries
            .iter()
            .filter(|e| !e.split(' ').any(|w| unknown.contains(w)))
            .cloned()
            .collect();
        if let Some(unk) = unk {
            entries.push(unk.to_string());
        }
        entries
    }
}

/// The `command` search of the recogniser is narrower than the text grammar, because
/// every freedom a grammar gives is a path that unrelated speech can be forced into
/// (measured, README "[speech]"): politeness fillers (`lead`, `tail`: "alexa could you
/// ... please") and meeting IDs as commands (a digit loop after the wake word: "alexa is
/// this room free" came out as "alexa id three two oh three") are left out. The meeting
/// ID is asked for by the device anyway, and then heard with the `answer` search. The
/// text parser still accepts all of them.
///
/// The `woken` search (behind the trained detector, which has already decided that the
/// wake word was said) keeps the lead-in words: "alexa, could you start our zoom
/// meeting" was otherwise heard as chatter and rejected. Measured on the evaluation set
/// (standard run, 22 voices): commands 488 -> 506 of 792, non-commands triggering 23 ->
/// 24 of 660. The tail words were left out again: commands 488 -> 489, non-commands
/// 23 -> 29.
fn speech_commands(grammar: &Grammar) -> Grammar {
    let mut grammar = without_self_reference(grammar);
    let mut woken_command = grammar.rules.get("command").cloned();
    if let Some(command) = woken_command.as_mut() {
        narrow(command, &["lead"]);
    }
    if let Some(command) = grammar.rules.get_mut("command") {
        narrow(command, &[]);
    }
    // "Stop" is no way to end a meeting here: measured on espeak-ng's British voices,
    // "alexa, start my meeting" came out "alexa stop my meeting" (a hang-up) in 14 of 36
    // clips. "alexa stop" stays a cancel; the text parser still reads "stop the call".
    if let Some(end) = grammar.rules.get_mut("end_meeting") {
        drop_word(end, "stop");
    }
    // After the trained detector heard the wake word: the same commands, the wake word
    // optional (the engine hears from a little before the detection, so "alexa start
    // my meeting" said in one breath comes whole, and a command after a pause without).
    if let Some(Rule::Seq(parts)) = &woken_command {
        let woken = parts
            .iter()
            .map(|part| match part {
                Rule::Ref(name) if name == "wake" => Rule::Opt(Box::new(part.clone())),
                other => other.clone(),
            })
            .collect();
        grammar.rules.insert(WOKEN.into(), Rule::Seq(woken));
    }
    // After a yes/no question, digits are not an answer: "no" alone was heard as "o"
    // (zero) when they were allowed.
    let yes_no: Vec<Rule> = ["yes", "no", "cancel"]
        .into_iter()
        .filter(|name| grammar.rules.contains_key(*name))
        .map(|name| Rule::Ref(name.into()))
        .collect();
    if !yes_no.is_empty() {
        grammar.rules.insert(YES_NO.into(), Rule::Alt(yes_no));
    }
    // When digits are expected (the device asked for a meeting ID or PIN, or offered a
    // new meeting, which a meeting ID also answers): digits, yes, no or cancel. The
    // digits may follow a lead-in, stricter than the text grammar's (see
    // SPOKEN_ID_LEAD).
    if grammar.rules.contains_key("digits") {
        let mut digits: Vec<Rule> = ["yes", "no", "cancel"]
            .into_iter()
            .filter(|name| grammar.rules.contains_key(*name))
            .map(|name| Rule::Ref(name.into()))
            .collect();
        match parse_notation(SPOKEN_ID_LEAD) {
            Ok(lead) => digits.insert(0, Rule::Seq(vec![lead, Rule::Ref("digits".into())])),
            Err(e) => tracing::error!("the spoken lead-in of digit answers is malformed: {e}"),
        }
        digits.insert(0, Rule::Ref("digits".into()));
        grammar.rules.insert(DIGITS.into(), Rule::Alt(digits));
    }
    grammar
}

/// The rule of the chatter path (recognition only): what it hears is rejected.
pub(crate) const CHATTER: &str = "chatter";

/// The rule for answers to "what is your meeting ID / PIN" (recognition only).
pub(crate) const DIGITS: &str = "spoken_digits";

/// What may be said before the digits of an answer (recognition only): "my meeting id
/// is", "the pin is". Stricter than the text grammar's `id_lead`, whose single words
/// ("id", "code") took the place of a first digit: "eight oh two six one nine" came
/// out "id two two six one nine". Measured on the evaluation set (standard run, 22
/// voices), where 3 of the 16 meeting IDs have a lead-in: with no lead-in, the lead-in
/// was heard as digits ("my meeting id is two oh six ..." gave "nine eight nine eight
/// two oh six ...") and answers were 210 of 396; with the text grammar's, 213 (8 gained,
/// 4 lost as above); with this one, 217 (7 gained, none lost).
const SPOKEN_ID_LEAD: &str = "(my | the | our) (meeting | conference) (id | number | code) [is] | (my | the | our) (pin | passcode | password) is";

/// The rule for answers to a yes/no question (recognition only).
pub(crate) const YES_NO: &str = "yes_no";

/// The rule for a command right after the trained detector heard the wake word
/// (recognition only): the wake word optional.
pub(crate) const WOKEN: &str = "woken";

/// Sphinx's JSGF compiler turns a rule that refers to itself ("digit = ... | double
/// <digit>") into a jump back to the state where the rule started, which in a nested
/// rule lets any digit be followed by the words before it ("eight our id five ...",
/// measured). Rules that refer to themselves get a copy without those alternatives
/// (`<digit_once>`), and the self-reference points at the copy: "double double five"
/// is lost, "double five" kept.
fn without_self_reference(grammar: &Grammar) -> Grammar {
    let mut out = grammar.clone();
    for (name, rule) in &grammar.rules {
        if !refers_to(rule, name) {
            continue;
        }
        let Rule::Alt(alternatives) = rule else {
            continue;
        };
        let once_name = format!("{name}_once");
        let once: Vec<Rule> = alternatives
            .iter()
            .filter(|r| !refers_to(r, name))
            .cloned()
            .collect();
        let mut rewritten = rule.clone();
        rename_ref(&mut rewritten, name, &once_name);
        out.rules.insert(once_name, Rule::Alt(once));
        out.rules.insert(name.clone(), rewritten);
    }
    out
}

fn refers_to(rule: &Rule, name: &str) -> bool {
    match rule {
        Rule::Ref(r) => r == name,
        Rule::Seq(rules) | Rule::Alt(rules) => rules.iter().any(|r| refers_to(r, name)),
        Rule::Opt(r) | Rule::Repeat { rule: r, .. } | Rule::Slot(_, r) => refers_to(r, name),
        Rule::Word(_) => false,
    }
}

fn rename_ref(rule: &mut Rule, from: &str, to: &str) {
    match rule {
        Rule::Ref(r) if r == from => *r = to.to_string(),
        Rule::Seq(rules) | Rule::Alt(rules) => {
            rules.iter_mut().for_each(|r| rename_ref(r, from, to))
        }
        Rule::Opt(r) | Rule::Repeat { rule: r, .. } | Rule::Slot(_, r) => rename_ref(r, from, to),
        Rule::Word(_) | Rule::Ref(_) => {}
    }
}

/// Removes the one-word alternative `word` wherever the rule offers a choice.
fn drop_word(rule: &mut Rule, word: &str) {
    match rule {
        Rule::Alt(rules) => {
            rules.retain(|r| !matches!(r, Rule::Word(w) if w == word));
            rules.iter_mut().for_each(|r| drop_word(r, word));
        }
        Rule::Seq(rules) => rules.iter_mut().for_each(|r| drop_word(r, word)),
        Rule::Opt(r) | Rule::Repeat { rule: r, .. } | Rule::Slot(_, r) => drop_word(r, word),
        Rule::Word(_) | Rule::Ref(_) => {}
    }
}

/// Leaves out of `rule` the references to the rules a spoken command does without (see
/// [`speech_commands`]), but those in `kept`.
fn narrow(rule: &mut Rule, kept: &[&str]) {
    const LEFT_OUT: [&str; 5] = ["lead", "tail", "meeting_id", "yes", "no"];
    let is_left_out =
        |name: &String| LEFT_OUT.contains(&name.as_str()) && !kept.contains(&name.as_str());
    let left_out = |r: &Rule| match r {
        Rule::Ref(name) => is_left_out(name),
        Rule::Opt(inner) => matches!(inner.as_ref(), Rule::Ref(name) if is_left_out(name)),
        _ => false,
    };
    match rule {
        Rule::Seq(rules) | Rule::Alt(rules) => {
            rules.retain(|r| !left_out(r));
            rules.iter_mut().for_each(|r| narrow(r, kept));
        }
        Rule::Opt(r) | Rule::Repeat { rule: r, .. } | Rule::Slot(_, r) => narrow(r, kept),
        Rule::Word(_) | Rule::Ref(_) => {}
    }
}

impl PhraseSet {
    /// JSGF whose one public rule `<utterance>` is the grammar's rule `public`
    /// ("command" or "answer"); words in `unknown` (missing from the engine's
    /// dictionary) are left out with the phrases using them. The `command`, `woken` and
    /// `yes_no` searches get the chatter path (`<utterance> = <command> | <chatter>`).
    pub(crate) fn jsgf(&self, public: &str, unknown: &BTreeSet<String>) -> String {
        // Each search with a chatter path, and how likely that path is.
        let weight = match public {
            "command" | WOKEN => Some(CHATTER_WEIGHT),
            YES_NO => Some(ANSWER_CHATTER_WEIGHT),
            _ => None,
        };
        let chatter: Vec<&str> = match weight {
            Some(_) => self
                .chatter
                .iter()
                .map(String::as_str)
                .filter(|w| !unknown.contains(*w))
                .collect(),
            None => Vec::new(),
        };
        jsgf(
            &self.grammar,
            public,
            unknown,
            &chatter,
            weight.unwrap_or(CHATTER_WEIGHT),
        )
    }
}

fn collect_words(rule: &Rule, words: &mut BTreeSet<String>) {
    match rule {
        Rule::Word(w) => {
            for part in w.split_whitespace() {
                words.insert(part.to_lowercase());
            }
        }
        Rule::Seq(rules) | Rule::Alt(rules) => rules.iter().for_each(|r| collect_words(r, words)),
        Rule::Opt(r) | Rule::Repeat { rule: r, .. } | Rule::Slot(_, r) => collect_words(r, words),
        Rule::Ref(_) => {}
    }
}

/// JSGF with one public rule `<utterance>` = the grammar's rule `public`, or that rule
/// or the chatter path when `chatter` has words.
fn jsgf(
    grammar: &Grammar,
    public: &str,
    unknown: &BTreeSet<String>,
    chatter: &[&str],
    chatter_weight: &str,
) -> String {
    // Leave out what cannot be said: words outside the dictionary, and (repeatedly)
    // alternatives and rules that need them. Sphinx's JSGF has no usable <VOID>.
    let mut impossible: BTreeSet<String> = BTreeSet::new();
    loop {
        let before = impossible.len();
        for (name, rule) in &grammar.rules {
            if expression(rule, unknown, &impossible).is_none() {
                impossible.insert(name.clone());
            }
        }
        if impossible.len() == before {
            break;
        }
    }
    let mut out = String::from("#JSGF V1.0;\ngrammar roomvoice;\n");
    let or_chatter = if chatter.is_empty() {
        String::new()
    } else {
        format!(" | <{CHATTER}>")
    };
    let _ = writeln!(
        out,
        "public <utterance> = <{}>{or_chatter};",
        rule_name(public)
    );
    for (name, rule) in &grammar.rules {
        if let Some(body) = expression(rule, unknown, &impossible) {
            let _ = writeln!(out, "<{}> = {body};", rule_name(name));
        }
    }
    if !chatter.is_empty() {
        let words: Vec<String> = chatter
            .iter()
            .map(|w| format!("/{chatter_weight}/ {w}"))
            .collect();
        let _ = writeln!(out, "<{CHATTER}_word> = {};", words.join(" | "));
        // A loop, not MAX_REPEAT nested optional words as for digits: each nested
        // state got its own copy of the 300 words' lexicon tree (measured: 36 MB and
        // 65 ms per search, against 12.5 MB and 38 ms as a loop).
        let _ = writeln!(out, "<{CHATTER}> = <{CHATTER}_word>+;");
    }
    out
}

/// The most repetitions written out for a repeated rule (a meeting ID has up to 11
/// digits, a PIN 10; phone-style IDs up to 14).
const MAX_REPEAT: usize = 16;

/// JSGF rule names: letters, digits and underscores.
fn rule_name(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The JSGF of a rule; `None` when it cannot be said (see [`jsgf`]). An empty string is
/// an optional part that cannot be said, i.e. nothing.
fn expression(
    rule: &Rule,
    unknown: &BTreeSet<String>,
    impossible: &BTreeSet<String>,
) -> Option<String> {
    let grouped = |r: &Rule| grouped(r, unknown, impossible);
    match rule {
        Rule::Word(w) => {
            let w = w.to_lowercase();
            (!w.split_whitespace().any(|part| unknown.contains(part))).then_some(w)
        }
        Rule::Seq(rules) => {
            let parts: Vec<String> = rules.iter().map(grouped).collect::<Option<Vec<_>>>()?;
            let parts: Vec<String> = parts.into_iter().filter(|p| !p.is_empty()).collect();
            Some(if parts.is_empty() {
                "<NULL>".into()
            } else {
                parts.join(" ")
            })
        }
        Rule::Alt(rules) => {
            let parts: Vec<String> = rules
                .iter()
                .filter_map(grouped)
                .filter(|p| !p.is_empty())
                .collect();
            (!parts.is_empty()).then(|| parts.join(" | "))
        }
        Rule::Opt(r) => Some(match expression(r, unknown, impossible) {
            Some(inner) if !inner.is_empty() => format!("[{inner}]"),
            _ => String::new(),
        }),
        // One to `max` times, written out as `x [x [x ...]]`: Sphinx compiles `x+` into
        // a jump back to a state that other alternatives share, which let any digit be
        // followed by "our id ..." (measured).
        Rule::Repeat { rule, max } => grouped(rule).map(|inner| {
            let mut nested = String::new();
            for _ in 1..(*max).clamp(1, MAX_REPEAT) {
                nested = if nested.is_empty() {
                    format!("[{inner}]")
                } else {
                    format!("[{inner} {nested}]")
                };
            }
            if nested.is_empty() {
                inner
            } else {
                format!("{inner} {nested}")
            }
        }),
        Rule::Ref(name) => (!impossible.contains(name)).then(|| format!("<{}>", rule_name(name))),
        Rule::Slot(_, r) => expression(r, unknown, impossible),
    }
}

/// An expression safe to put next to others: alternatives and sequences in parentheses.
fn grouped(
    rule: &Rule,
    unknown: &BTreeSet<String>,
    impossible: &BTreeSet<String>,
) -> Option<String> {
    let inner = expression(rule, unknown, impossible)?;
    Some(match rule {
        Rule::Alt(rules) | Rule::Seq(rules) if rules.len() > 1 && inner.contains(' ') => {
            format!("({inner})")
        }
        _ => inner,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(w: &str) -> Rule {
        Rule::Word(w.into())
    }

    /// A small grammar shaped like the intent grammar.
    pub(crate) fn sample_grammar() -> Grammar {
        let mut g = Grammar {
            wake_word: "alexa".into(),
            rules: Default::default(),
        };
        g.rules.insert(
            "digit".into(),
            Rule::Alt(["zero", "one", "two", "three"].map(word).to_vec()),
        );
        g.rules.insert(
            "command".into(),
            Rule::Seq(vec![
                word("alexa"),
                Rule::Alt(vec![
                    Rule::Seq(vec![
                        word("start"),
                        Rule::Alt(vec![word("my"), word("the")]),
                        word("meeting"),
                    ]),
                    Rule::Seq(vec![word("is"), word("this"), word("room"), word("free")]),
                ]),
            ]),
        );
        g.rules.insert(
            "answer".into(),
            Rule::Slot(
                "digits".into(),
                Box::new(Rule::Repeat {
                    rule: Box::new(Rule::Ref("digit".into())),
                    max: 4,
                }),
            ),
        );
        g
    }

    #[test]
    fn the_command_search_alone_has_a_chatter_path_without_the_wake_word() {
        let set = PhraseSet::from_grammar(&crate::intent::grammar("hey computer")).expect("set");
        assert!(set.chatter.len() > 200, "{}", set.chatter.len());
        assert!(set.chatter.iter().all(|w| w != "computer" && w != "hey"));
        let command = set.jsgf("command", &BTreeSet::new());
        assert!(
            command.contains("public <utterance> = <command> | <chatter>;"),
            "{command}"
        );
        assert!(
            command.contains(&format!("/{CHATTER_WEIGHT}/ the |")),
            "{command}"
        );
        // A dictionary that lacks a chatter word: it is left out.
        let unknown: BTreeSet<String> = ["the".to_string()].into();
        assert!(!set.jsgf("command", &unknown).contains(" the |"));
        let answer = set.jsgf("answer", &BTreeSet::new());
        assert!(!answer.contains("chatter"), "{answer}");
        // Plain phrase lists (the Vosk tests' Korean phrases) have none.
        assert!(PhraseSet::from_phrases(&["a b"])
            .expect("set")
            .chatter
            .is_empty());
    }

    #[test]
    fn stop_ends_no_meeting_in_speech_but_still_cancels() {
        let set = PhraseSet::from_grammar(&crate::intent::grammar("alexa")).expect("set");
        let jsgf = set.jsgf("command", &BTreeSet::new());
        let end = jsgf
            .lines()
            .find(|l| l.starts_with("<end_meeting> ="))
            .expect("end_meeting rule");
        assert!(!end.contains("stop"), "{end}");
        assert!(end.contains("leave") && end.contains("hang up"), "{end}");
        let cancel = jsgf
            .lines()
            .find(|l| l.starts_with("<cancel> ="))
            .expect("cancel rule");
        assert!(cancel.contains("stop"), "{cancel}");
        // The text parser is not narrowed.
        let parsed = crate::intent::parse(
            "alexa stop the call",
            "alexa",
            crate::intent::Expecting::Command,
        );
        assert_eq!(parsed.intent, crate::intent::Intent::EndMeeting);
    }

    #[test]
    fn jsgf_has_one_public_rule_per_search() {
        let set = PhraseSet::from_grammar(&sample_grammar()).expect("phrase set");
        let command = set.jsgf("command", &BTreeSet::new());
        assert!(
            command.contains("public <utterance> = <command> | <chatter>;"),
            "{command}"
        );
        assert!(
            command
                .contains("<command> = alexa ((start (my | the) meeting) | (is this room free));"),
            "{command}"
        );
        let answer = set.jsgf("answer", &BTreeSet::new());
        assert!(
            answer.contains("public <utterance> = <answer>;"),
            "{answer}"
        );
        assert!(
            answer.contains("<answer> = <digit> [<digit> [<digit> [<digit>]]];"),
            "{answer}"
        );
    }

    #[test]
    fn unknown_words_leave_their_phrases_out_of_the_jsgf() {
        let set = PhraseSet::from_grammar(&sample_grammar()).expect("phrase set");
        let unknown: BTreeSet<String> = ["free".to_string()].into();
        let command = set.jsgf("command", &unknown);
        assert!(
            command.contains("start (my | the) meeting") && !command.contains("is this room"),
            "{command}"
        );
        // A rule that cannot be said at all disappears, and so do references to it.
        let unknown: BTreeSet<String> = ["zero", "one", "two", "three"].map(String::from).into();
        let answer = set.jsgf("answer", &unknown);
        assert!(
            !answer.contains("<digit>") && !answer.contains("<answer> ="),
            "{answer}"
        );
    }

    #[test]
    fn the_real_intent_grammar_converts() {
        let set = PhraseSet::from_grammar(&crate::intent::grammar("alexa")).expect("phrase set");
        assert!(set.words.contains("alexa") && set.words.contains("meeting"));
        let jsgf = set.jsgf("command", &BTreeSet::new());
        assert!(
            jsgf.contains("<digits> = <digit> [<digit> [<digit>"),
            "{jsgf}"
        );
        // The command search has no fillers and no meeting IDs; answers keep the digits.
        assert!(
            jsgf.contains("<command> = <wake> (<start_meeting> | <end_meeting>"),
            "{jsgf}"
        );
        let command = jsgf
            .lines()
            .find(|l| l.starts_with("<command> ="))
            .unwrap_or("");
        assert!(
            !command.contains("<meeting_id>") && !command.contains("<lead>"),
            "{command}"
        );
        let answer = set.jsgf("answer", &BTreeSet::new());
        assert!(
            answer.contains("<answer> = <meeting_id> | <yes> | <no> | <cancel>;"),
            "{answer}"
        );
        // No rule refers to itself (Sphinx mis-compiles that).
        assert!(answer.contains("(double <digit_once>)"), "{answer}");
        assert!(!answer.contains("double <digit>)"), "{answer}");
        // Behind the detector the lead-in words ("could you") are heard, the tail words
        // and meeting IDs still not.
        let woken = set.jsgf(WOKEN, &BTreeSet::new());
        let woken = woken
            .lines()
            .find(|l| l.starts_with("<woken> ="))
            .unwrap_or("");
        assert!(
            woken.starts_with("<woken> = [<wake>] [<lead>] (<start_meeting>"),
            "{woken}"
        );
        assert!(
            !woken.contains("<tail>") && !woken.contains("<meeting_id>"),
            "{woken}"
        );
    }

    #[test]
    fn words_and_vosk_entries_cover_the_grammar() {
        let set = PhraseSet::from_grammar(&sample_grammar()).expect("phrase set");
        for w in ["alexa", "start", "meeting", "free", "zero", "three"] {
            assert!(set.words.contains(w), "{w}");
        }
        let unknown: BTreeSet<String> = ["alexa".to_string()].into();
        let grammar = set.vosk_grammar(Some("[unk]"), &unknown);
        assert!(!grammar.contains(&"alexa".to_string()));
        assert_eq!(grammar.last().map(String::as_str), Some("[unk]"));
    }

    #[test]
    fn a_grammar_without_commands_is_an_error() {
        let err = PhraseSet::from_grammar(&Grammar {
            wake_word: "alexa".into(),
            rules: Default::default(),
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("<command>"), "{err}");
    }
}
