//! The phrase notation's reader: `( a | b )` alternatives, `[ optional ]`, `<rule>`
//! references, postfix `+` and `{slot expansion}`, from text to a [`Rule`].

use super::grammar::Rule;

/// Parses the phrase notation: words, `|`, `( )`, `[ ]`, `<ref>`, postfix `+`,
/// `{slot expansion}`.
pub(crate) fn parse_notation(text: &str) -> Result<Rule, String> {
    let tokens = tokenize(text)?;
    let mut pos = 0;
    let rule = parse_alt(&tokens, &mut pos)?;
    if pos != tokens.len() {
        return Err(format!("unexpected {:?} in {text:?}", tokens[pos]));
    }
    Ok(rule)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Ref(String),
    SlotOpen(String),
    Sym(char),
}

fn tokenize(text: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | '[' | ']' | '|' | '+' | '}' => {
                out.push(Tok::Sym(c));
                chars.next();
            }
            '<' => {
                chars.next();
                let name: String = chars.by_ref().take_while(|&c| c != '>').collect();
                out.push(Tok::Ref(name));
            }
            '{' => {
                chars.next();
                let name: String = chars.by_ref().take_while(|c| !c.is_whitespace()).collect();
                out.push(Tok::SlotOpen(name));
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || "()[]|+<>{}".contains(c) {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                if word.is_empty() {
                    return Err(format!("unexpected character {c:?}"));
                }
                out.push(Tok::Word(word));
            }
        }
    }
    Ok(out)
}

fn parse_alt(tokens: &[Tok], pos: &mut usize) -> Result<Rule, String> {
    let mut alts = vec![parse_seq(tokens, pos)?];
    while tokens.get(*pos) == Some(&Tok::Sym('|')) {
        *pos += 1;
        alts.push(parse_seq(tokens, pos)?);
    }
    Ok(if alts.len() == 1 {
        alts.remove(0)
    } else {
        Rule::Alt(alts)
    })
}

fn parse_seq(tokens: &[Tok], pos: &mut usize) -> Result<Rule, String> {
    let mut items = Vec::new();
    while let Some(tok) = tokens.get(*pos) {
        let item = match tok {
            Tok::Word(w) => {
                *pos += 1;
                Rule::Word(w.clone())
            }
            Tok::Ref(r) => {
                *pos += 1;
                Rule::Ref(r.clone())
            }
            Tok::SlotOpen(name) => {
                *pos += 1;
                let inner = parse_alt(tokens, pos)?;
                expect(tokens, pos, '}')?;
                Rule::Slot(name.clone(), Box::new(inner))
            }
            Tok::Sym('(') => {
                *pos += 1;
                let inner = parse_alt(tokens, pos)?;
                expect(tokens, pos, ')')?;
                inner
            }
            Tok::Sym('[') => {
                *pos += 1;
                let inner = parse_alt(tokens, pos)?;
                expect(tokens, pos, ']')?;
                Rule::Opt(Box::new(inner))
            }
            _ => break,
        };
        let item = if tokens.get(*pos) == Some(&Tok::Sym('+')) {
            *pos += 1;
            Rule::Repeat {
                rule: Box::new(item),
                max: 24,
            }
        } else {
            item
        };
        items.push(item);
    }
    match items.len() {
        0 => Err("empty expansion".into()),
        1 => Ok(items.remove(0)),
        _ => Ok(Rule::Seq(items)),
    }
}

fn expect(tokens: &[Tok], pos: &mut usize, c: char) -> Result<(), String> {
    if tokens.get(*pos) == Some(&Tok::Sym(c)) {
        *pos += 1;
        Ok(())
    } else {
        Err(format!("expected '{c}'"))
    }
}
