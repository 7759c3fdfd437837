//! The phrase set as a grammar (skeleton).

use std::collections::{BTreeMap, BTreeSet};

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
    /// `min` to `max` repetitions.
    Repeat { rule: Box<Rule>, min: u32, max: u32 },
    /// A named rule of the grammar.
    Ref(String),
    /// A slot: the words matched by the inner rule become an intent's value.
    Slot(String, Box<Rule>),
}

/// The whole phrase set: named rules; `command` (wake word + any command) and `answer`
/// (follow-up answers: digits, yes, no, cancel) are the public ones.
#[derive(Debug, Clone)]
pub struct Grammar {
    pub wake_word: String,
    pub rules: BTreeMap<String, Rule>,
}

impl Grammar {
    pub fn new(wake_word: &str) -> Grammar {
        Grammar {
            wake_word: wake_word.to_lowercase(),
            rules: BTreeMap::new(),
        }
    }

    /// Every word the grammar can produce.
    pub fn vocabulary(&self) -> BTreeSet<String> {
        BTreeSet::new()
    }

    /// The grammar in JSGF, public rules `<command>` and `<answer>`.
    pub fn to_jsgf(&self) -> String {
        String::new()
    }
}

pub(super) fn parse(text: &str, _wake_word: &str, _expecting: Expecting) -> Parsed {
    Parsed {
        intent: Intent::None,
        woke: false,
        words: text.split_whitespace().map(str::to_lowercase).collect(),
    }
}
