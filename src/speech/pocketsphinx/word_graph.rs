//! A grammar's word graph made minimal before PocketSphinx searches it.
//!
//! sphinxbase turns a JSGF grammar into a finite-state graph with a state per word
//! position of every rule expansion: the woken grammar had 839 states where 274 say the
//! same. The FSG search pays per state and per frame (`fsg_history_end_frame` walks
//! every state times every left-context phone: 13% of batch decoding, measured with
//! perf), and a state per alternative also means a separate first-phone HMM per
//! alternative where a minimal graph shares one. The minimal deterministic graph
//! (Brzozowski: determinize the reverse, then determinize the reverse of that) accepts
//! the same word sequences with the same weights: a word's weight is part of its label,
//! and graphs whose null transitions carry a weight are left as they are. A state that
//! can go on as the start can then shares the start's words through a null transition
//! (see [`Automaton::sharing_the_start`]), as sphinxbase's own graph does.

use std::collections::{BTreeMap, HashMap, HashSet};

/// One transition: `word` is the FSG's word ID, negative for a null transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) struct Transition {
    pub(super) from: i32,
    pub(super) to: i32,
    pub(super) log_prob: i32,
    pub(super) word: i32,
}

/// A word graph with one start and one final state, as sphinxbase's FSG holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct WordGraph {
    pub(super) states: i32,
    pub(super) start: i32,
    pub(super) end: i32,
    pub(super) transitions: Vec<Transition>,
}

/// A word with its weight; `None` for a null transition.
type Label = Option<(i32, i32)>;

/// A graph in the making: any number of start and final states.
struct Automaton {
    states: usize,
    starts: Vec<usize>,
    finals: Vec<usize>,
    arcs: Vec<(usize, usize, Label)>,
}

impl Automaton {
    fn reversed(self) -> Automaton {
        Automaton {
            states: self.states,
            starts: self.finals,
            finals: self.starts,
            arcs: self.arcs.into_iter().map(|(a, b, l)| (b, a, l)).collect(),
        }
    }

    /// The subset construction. `None` when it grows past `limit` states.
    fn determinized(&self, limit: usize) -> Option<Automaton> {
        let mut nulls = vec![Vec::new(); self.states];
        let mut words = vec![Vec::new(); self.states];
        for &(from, to, label) in &self.arcs {
            match label {
                None => nulls[from].push(to),
                Some(word) => words[from].push((word, to)),
            }
        }
        let closure = |members: &mut Vec<usize>| {
            let mut seen = vec![false; self.states];
            let mut stack = members.clone();
            members.clear();
            while let Some(state) = stack.pop() {
                if !std::mem::replace(&mut seen[state], true) {
                    members.push(state);
                    stack.extend(nulls[state].iter().copied());
                }
            }
            members.sort_unstable();
        };
        let mut first = self.starts.clone();
        closure(&mut first);
        let mut index: HashMap<Vec<usize>, usize> = HashMap::from([(first.clone(), 0)]);
        let mut subsets = vec![first];
        let mut arcs = Vec::new();
        let mut next = 0;
        while next < subsets.len() {
            let mut by_label: BTreeMap<(i32, i32), Vec<usize>> = BTreeMap::new();
            for &state in &subsets[next] {
                for &(word, to) in &words[state] {
                    by_label.entry(word).or_default().push(to);
                }
            }
            for (word, mut targets) in by_label {
                closure(&mut targets);
                let id = match index.get(&targets) {
                    Some(&id) => id,
                    None => {
                        if subsets.len() >= limit {
                            return None;
                        }
                        index.insert(targets.clone(), subsets.len());
                        subsets.push(targets);
                        subsets.len() - 1
                    }
                };
                arcs.push((next, id, Some(word)));
            }
            next += 1;
        }
        let mut is_final = vec![false; self.states];
        for &state in &self.finals {
            is_final[state] = true;
        }
        let finals = (0..subsets.len())
            .filter(|&id| subsets[id].iter().any(|&state| is_final[state]))
            .collect();
        Some(Automaton {
            states: subsets.len(),
            starts: vec![0],
            finals,
            arcs,
        })
    }
}

impl Automaton {
    /// A state that can go on as the start can (the chatter loop: after any chatter
    /// word, more chatter or the command again) gets a null transition to the start
    /// instead of its own copy of those words, as sphinxbase compiles such a loop. The
    /// start's lexicon tree is then shared, and the start's words keep the left contexts
    /// PocketSphinx gave them in the compiled graph: measured on espeak-ng en-us in 20 dB
    /// noise without the suppressor, the chatter loop's own copy made "alexa" at the
    /// start of an utterance lose to chatter (commands 7 -> 1 of 8).
    fn sharing_the_start(mut self) -> Automaton {
        let [start] = self.starts[..] else {
            return self;
        };
        let start_is_final = self.finals.contains(&start);
        let from_start: HashSet<(usize, Label)> = self
            .arcs
            .iter()
            .filter(|&&(from, _, _)| from == start)
            .map(|&(_, to, label)| (to, label))
            .collect();
        if from_start.is_empty() {
            return self;
        }
        // Deterministic: a state's transitions are distinct, so counting those the start
        // also has tells whether it has them all.
        let mut shared_with_start = vec![0usize; self.states];
        for &(from, to, label) in &self.arcs {
            if from_start.contains(&(to, label)) {
                shared_with_start[from] += 1;
            }
        }
        let sharing: Vec<bool> = (0..self.states)
            .map(|state| {
                state != start
                    && (!start_is_final || self.finals.contains(&state))
                    && shared_with_start[state] == from_start.len()
            })
            .collect();
        self.arcs
            .retain(|&(from, to, label)| !(sharing[from] && from_start.contains(&(to, label))));
        self.arcs.extend(
            (0..self.states)
                .filter(|&state| sharing[state])
                .map(|state| (state, start, None)),
        );
        self
    }
}

impl WordGraph {
    /// The minimal deterministic graph accepting the same weighted word sequences, or
    /// `None` when it would not be smaller (or the null transitions carry weights).
    pub(super) fn minimal(&self) -> Option<WordGraph> {
        let in_range = |s: i32| (0..self.states).contains(&s);
        if self
            .transitions
            .iter()
            .any(|t| !in_range(t.from) || !in_range(t.to) || (t.word < 0 && t.log_prob != 0))
            || !in_range(self.start)
            || !in_range(self.end)
        {
            return None;
        }
        let automaton = Automaton {
            states: self.states as usize,
            starts: vec![self.start as usize],
            finals: vec![self.end as usize],
            arcs: self
                .transitions
                .iter()
                .map(|t| {
                    let label = (t.word >= 0).then_some((t.word, t.log_prob));
                    (t.from as usize, t.to as usize, label)
                })
                .collect(),
        };
        // Grammars are near-deterministic; a blow-up means this one is not worth it.
        let limit = 4 * self.states as usize;
        let minimal = automaton
            .reversed()
            .determinized(limit)?
            .reversed()
            .determinized(limit)?
            .sharing_the_start();
        let mut transitions: Vec<Transition> = minimal
            .arcs
            .iter()
            .map(|&(from, to, label)| {
                let (word, log_prob) = label.unwrap_or((-1, 0));
                Transition {
                    from: from as i32,
                    to: to as i32,
                    log_prob,
                    word,
                }
            })
            .collect();
        let mut states = minimal.states as i32;
        // sphinxbase's FSG has one final state: the others get null transitions to it.
        // A minimal graph has at most one final state nothing leaves; it is the end.
        let leaves: std::collections::HashSet<usize> =
            minimal.arcs.iter().map(|&(from, _, _)| from).collect();
        let end = match minimal.finals.iter().find(|s| !leaves.contains(s)) {
            Some(&sink) => sink as i32,
            None if minimal.finals.len() == 1 => minimal.finals[0] as i32,
            None => {
                states += 1;
                states - 1
            }
        };
        transitions.extend(
            minimal
                .finals
                .iter()
                .filter(|&&state| state as i32 != end)
                .map(|&from| Transition {
                    from: from as i32,
                    to: end,
                    log_prob: 0,
                    word: -1,
                }),
        );
        (states < self.states).then_some(WordGraph {
            states,
            start: 0,
            end,
            transitions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(from: i32, to: i32, word: i32) -> Transition {
        Transition {
            from,
            to,
            log_prob: 0,
            word,
        }
    }

    fn null(from: i32, to: i32) -> Transition {
        word(from, to, -1)
    }

    /// Every word sequence the graph accepts, with its best total weight (small graphs).
    fn sentences(graph: &WordGraph) -> BTreeMap<Vec<i32>, i32> {
        let mut found = BTreeMap::new();
        let mut stack = vec![(graph.start, Vec::new(), 0, 0)];
        while let Some((state, words, weight, depth)) = stack.pop() {
            if state == graph.end {
                let best = found.entry(words.clone()).or_insert(i32::MIN);
                *best = (*best).max(weight);
            }
            if depth > 12 {
                continue;
            }
            for t in graph.transitions.iter().filter(|t| t.from == state) {
                let mut next = words.clone();
                if t.word >= 0 {
                    next.push(t.word);
                }
                stack.push((t.to, next, weight + t.log_prob, depth + 1));
            }
        }
        found
    }

    /// "start|end (the|my) meeting" as JSGF expands it: a state per word position of
    /// each alternative, joined by null transitions.
    fn expanded_grammar() -> WordGraph {
        WordGraph {
            states: 12,
            start: 0,
            end: 11,
            transitions: vec![
                null(0, 1),
                null(0, 2),
                word(1, 3, 10),
                word(2, 4, 11),
                null(3, 5),
                null(4, 6),
                word(5, 7, 12),
                word(5, 7, 13),
                word(6, 8, 12),
                word(6, 8, 13),
                word(7, 9, 14),
                word(8, 10, 14),
                null(9, 11),
                null(10, 11),
            ],
        }
    }

    #[test]
    fn the_minimal_graph_accepts_the_same_sentences_in_fewer_states() {
        let grammar = expanded_grammar();
        let minimal = grammar.minimal().expect("smaller");
        assert_eq!(sentences(&minimal), sentences(&grammar));
        assert_eq!(sentences(&grammar).len(), 4);
        // start, after start|end, after the|my, after meeting.
        assert_eq!(minimal.states, 4);
    }

    #[test]
    fn weights_stay_with_their_words() {
        let mut grammar = expanded_grammar();
        // "end" is unlikely: its sentences keep that weight, the others do not get it.
        grammar.transitions[3].log_prob = -500;
        let minimal = grammar.minimal().expect("smaller");
        assert_eq!(sentences(&minimal), sentences(&grammar));
        assert!(sentences(&minimal).values().any(|&w| w == -500));
        assert!(sentences(&minimal).values().any(|&w| w == 0));
    }

    #[test]
    fn several_final_states_end_in_one() {
        // "yes" or "yes please": the minimal graph's final states are two.
        let grammar = WordGraph {
            states: 4,
            start: 0,
            end: 3,
            transitions: vec![word(0, 1, 1), null(1, 3), word(1, 2, 2), null(2, 3)],
        };
        let minimal = grammar.minimal().expect("smaller");
        assert_eq!(sentences(&minimal), sentences(&grammar));
        assert_eq!(minimal.states, 3);
    }

    #[test]
    fn a_loop_that_can_start_over_shares_the_start_state() {
        // "alexa go" or chatter ("c") repeated, and after chatter the command again: the
        // loop as sphinxbase compiles "<command> | <chatter>+" (back to the start).
        let (alexa, go, chatter) = (1, 2, 3);
        let grammar = WordGraph {
            states: 5,
            start: 0,
            end: 4,
            transitions: vec![
                word(0, 1, alexa),
                word(1, 4, go),
                word(0, 2, chatter),
                null(2, 0),
                null(2, 3),
                null(3, 4),
            ],
        };
        let minimal = grammar.minimal().expect("smaller");
        assert_eq!(sentences(&minimal), sentences(&grammar));
        assert!(
            minimal
                .transitions
                .iter()
                .any(|t| t.word < 0 && t.to == minimal.start),
            "{minimal:?}"
        );
        // The start's words are not copied onto the loop's state.
        let alexas = minimal.transitions.iter().filter(|t| t.word == alexa);
        assert_eq!(alexas.count(), 1);
    }

    #[test]
    fn a_graph_with_weighted_null_transitions_is_left_alone() {
        let mut grammar = expanded_grammar();
        grammar.transitions[0].log_prob = -10;
        assert_eq!(grammar.minimal(), None);
    }

    #[test]
    fn a_graph_already_minimal_is_left_alone() {
        let grammar = WordGraph {
            states: 2,
            start: 0,
            end: 1,
            transitions: vec![word(0, 1, 1), word(0, 1, 2)],
        };
        assert_eq!(grammar.minimal(), None);
    }
}
