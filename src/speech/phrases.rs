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
    /// JSGF whose public rule is the command phrases.
    pub command_jsgf: Option<String>,
    /// JSGF whose public rule is the follow-up answers.
    pub answer_jsgf: Option<String>,
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
        let command_jsgf = Some(jsgf(grammar, "command"));
        let answer_jsgf = Some(jsgf(grammar, "answer"));
        Ok(PhraseSet {
            wake_word: grammar.wake_word.clone(),
            vosk_entries: words.iter().cloned().collect(),
            words,
            command_jsgf,
            answer_jsgf,
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
        let body = phrases.join(" | ");
        let jsgf = format!("#JSGF V1.0;\ngrammar phrases;\npublic <utterance> = {body};\n");
        Ok(PhraseSet {
            wake_word: String::new(),
            words,
            command_jsgf: Some(jsgf.clone()),
            answer_jsgf: Some(jsgf),
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
fn jsgf(grammar: &Grammar, public: &str) -> String {
    let mut out = String::from("#JSGF V1.0;\ngrammar roomvoice;\n");
    let _ = writeln!(out, "public <utterance> = <{}>;", rule_name(public));
    for (name, rule) in &grammar.rules {
        let _ = writeln!(out, "<{}> = {};", rule_name(name), expression(rule));
    }
    out
}

/// JSGF rule names: letters, digits and underscores.
fn rule_name(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn expression(rule: &Rule) -> String {
    match rule {
        Rule::Word(w) => w.to_lowercase(),
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
        Rule::Opt(r) => format!("[{}]", expression(r)),
        Rule::Repeat { rule, min, max } => {
            let one = grouped(rule);
            let mut parts: Vec<String> = (0..*min).map(|_| one.clone()).collect();
            let extra = max.saturating_sub(*min);
            if extra > 16 {
                parts.push(format!("{one}*"));
            } else {
                // a [a [a]] for up to `extra` more
                let mut tail = String::new();
                for _ in 0..extra {
                    tail = if tail.is_empty() {
                        format!("[{one}]")
                    } else {
                        format!("[{one} {tail}]")
                    };
                }
                if !tail.is_empty() {
                    parts.push(tail);
                }
            }
            if parts.is_empty() {
                "<NULL>".into()
            } else {
                parts.join(" ")
            }
        }
        Rule::Ref(name) => format!("<{}>", rule_name(name)),
        Rule::Slot(_, r) => expression(r),
    }
}

/// An expression safe to put next to others: alternatives and sequences in parentheses.
fn grouped(rule: &Rule) -> String {
    match rule {
        Rule::Alt(rules) | Rule::Seq(rules) if rules.len() > 1 => format!("({})", expression(rule)),
        _ => expression(rule),
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
                    min: 2,
                    max: 4,
                }),
            ),
        );
        g
    }

    #[test]
    fn jsgf_has_one_public_rule_per_search() {
        let set = PhraseSet::from_grammar(&sample_grammar()).expect("phrase set");
        let command = set.command_jsgf.expect("command");
        assert!(
            command.contains("public <utterance> = <command>;"),
            "{command}"
        );
        assert!(
            command
                .contains("<command> = alexa ((start (my | the) meeting) | (is this room free));"),
            "{command}"
        );
        let answer = set.answer_jsgf.expect("answer");
        assert!(
            answer.contains("public <utterance> = <answer>;"),
            "{answer}"
        );
        assert!(
            answer.contains("<answer> = <digit> <digit> [<digit> [<digit>]];"),
            "{answer}"
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
        let err = PhraseSet::from_grammar(&Grammar::new("alexa"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("<command>"), "{err}");
    }
}
