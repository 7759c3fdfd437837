//! The device's phrase set in the forms the engines take, built from the one intent
//! grammar (`crate::intent::Grammar`) so that what can be heard and what is understood
//! never drift apart.
//!
//! - PocketSphinx gets JSGF, one search per dialogue state: `command` (wake word + any
//!   command) and `answer` (digits, yes/no, cancel after a question). It is written here
//!   from the grammar's public `rules` rather than taken from `Grammar::to_jsgf`, because
//!   the engine needs one public rule per search.
//! - Vosk gets a word list plus the model's unknown-word token: its grammar mode lets
//!   listed entries follow each other, so a word list covers every phrase, and the token
//!   absorbs words outside it; the intent parser then decides.

use std::collections::BTreeSet;
use std::fmt::Write;

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
            grammar: grammar.clone(),
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
        })
    }

    /// Sets the wake word (phrase lists have none by default).
    pub fn with_wake_word(mut self, wake_word: &str) -> PhraseSet {
        self.wake_word = wake_word.to_lowercase();
        self
    }

    /// The Vosk grammar (a JSON list) with the model's unknown-word token, leaving out
    /// entries with words in `unknown`.
    pub fn vosk_grammar(&self, unk: Option<&str>, unknown: &BTreeSet<String>) -> Vec<String> {
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

impl PhraseSet {
    /// JSGF whose one public rule `<utterance>` is the grammar's rule `public`
    /// ("command" or "answer"); words in `unknown` (missing from the engine's
    /// dictionary) become `<VOID>`, so the phrases using them are left out.
    pub fn jsgf(&self, public: &str, unknown: &BTreeSet<String>) -> String {
        jsgf(&self.grammar, public, unknown)
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

/// JSGF with one public rule `<utterance>` = the grammar's rule `public`.
fn jsgf(grammar: &Grammar, public: &str, unknown: &BTreeSet<String>) -> String {
    let mut out = String::from("#JSGF V1.0;\ngrammar roomvoice;\n");
    let _ = writeln!(out, "public <utterance> = <{}>;", rule_name(public));
    for (name, rule) in &grammar.rules {
        let _ = writeln!(out, "<{}> = {};", rule_name(name), expression(rule, unknown));
    }
    out
}

/// JSGF rule names: letters, digits and underscores.
fn rule_name(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn expression(rule: &Rule, unknown: &BTreeSet<String>) -> String {
    let grouped = |r: &Rule| grouped(r, unknown);
    match rule {
        Rule::Word(w) => {
            let w = w.to_lowercase();
            if w.split_whitespace().any(|part| unknown.contains(part)) {
                "<VOID>".into()
            } else {
                w
            }
        }
        Rule::Seq(rules) => {
            let parts: Vec<String> = rules.iter().map(grouped).collect();
            if parts.is_empty() {
                "<NULL>".into()
            } else {
                parts.join(" ")
            }
        }
        Rule::Alt(rules) => {
            let parts: Vec<String> = rules.iter().map(grouped).collect();
            if parts.is_empty() {
                "<VOID>".into()
            } else {
                parts.join(" | ")
            }
        }
        Rule::Opt(r) => format!("[{}]", expression(r, unknown)),
        // One or more (`max` only bounds text matching).
        Rule::Repeat { rule, .. } => format!("{}+", grouped(rule)),
        Rule::Ref(name) => format!("<{}>", rule_name(name)),
        Rule::Slot(_, r) => expression(r, unknown),
    }
}

/// An expression safe to put next to others: alternatives and sequences in parentheses.
fn grouped(rule: &Rule, unknown: &BTreeSet<String>) -> String {
    match rule {
        Rule::Alt(rules) | Rule::Seq(rules) if rules.len() > 1 => {
            format!("({})", expression(rule, unknown))
        }
        _ => expression(rule, unknown),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(w: &str) -> Rule {
        Rule::Word(w.into())
    }

    /// A small grammar shaped like the intent grammar.
    pub(crate) fn sample_grammar() -> Grammar {
        let mut g = Grammar::new("alexa");
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
    fn jsgf_has_one_public_rule_per_search() {
        let set = PhraseSet::from_grammar(&sample_grammar()).expect("phrase set");
        let command = set.jsgf("command", &BTreeSet::new());
        assert!(command.contains("public <utterance> = <command>;"), "{command}");
        assert!(
            command.contains("<command> = alexa ((start (my | the) meeting) | (is this room free));"),
            "{command}"
        );
        let answer = set.jsgf("answer", &BTreeSet::new());
        assert!(answer.contains("public <utterance> = <answer>;"), "{answer}");
        assert!(answer.contains("<answer> = <digit>+;"), "{answer}");
    }

    #[test]
    fn unknown_words_leave_their_phrases_out_of_the_jsgf() {
        let set = PhraseSet::from_grammar(&sample_grammar()).expect("phrase set");
        let unknown: BTreeSet<String> = ["free".to_string()].into();
        let command = set.jsgf("command", &unknown);
        assert!(command.contains("(is this room <VOID>)"), "{command}");
    }

    #[test]
    fn the_real_intent_grammar_converts() {
        let set = PhraseSet::from_grammar(&crate::intent::grammar("alexa")).expect("phrase set");
        assert!(set.words.contains("alexa") && set.words.contains("meeting"));
        let jsgf = set.jsgf("command", &BTreeSet::new());
        assert!(jsgf.contains("<digits> = <digit>+;"), "{jsgf}");
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
        let err = PhraseSet::from_grammar(&Grammar::new("alexa"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("<command>"), "{err}");
    }
}
