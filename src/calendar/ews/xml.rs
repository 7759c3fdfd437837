//! A small element tree over quick-xml for reading EWS responses.
//!
//! EWS answers are small (a day of a room calendar, one body) and deeply nested;
//! reading them as a tree by namespace-free local names keeps each operation's response
//! parser short and independent of the prefixes a server chooses (`m:`, `t:`, or
//! default namespaces). Requests are written as text with [`escape`].

use std::borrow::Cow;

use quick_xml::events::Event as XmlEvent;
use quick_xml::NsReader;

use crate::calendar::CalendarError;

/// One element: local name, attributes (local names), text and children.
#[derive(Debug, Clone, Default)]
pub struct Element {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The first child named `name` (local name).
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children named `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Follows a path of child names.
    pub fn path(&self, names: &[&str]) -> Option<&Element> {
        names.iter().try_fold(self, |e, n| e.child(n))
    }

    /// The first descendant (depth first, self included) named `name`.
    pub fn find(&self, name: &str) -> Option<&Element> {
        if self.name == name {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(name))
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The trimmed text of the child `name`, when present and non-empty.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name)
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty())
    }
}

/// Parses a whole document into its root element.
pub fn parse(text: &str) -> Result<Element, CalendarError> {
    let bad = |e: &dyn std::fmt::Display| {
        CalendarError::Invalid(format!("the server's answer is not well-formed XML: {e}"))
    };
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    loop {
        let (_, event) = reader.read_resolved_event().map_err(|e| bad(&e))?;
        match event {
            XmlEvent::Start(start) => {
                let mut element = Element {
                    name: local(start.local_name().as_ref()),
                    ..Element::default()
                };
                for attr in start.attributes() {
                    let attr = attr.map_err(|e| bad(&e))?;
                    let key = attr.key.local_name();
                    let value = attr.unescape_value().map_err(|e| bad(&e))?;
                    element
                        .attributes
                        .push((local(key.as_ref()), value.into_owned()));
                }
                stack.push(element);
            }
            XmlEvent::Empty(start) => {
                let mut element = Element {
                    name: local(start.local_name().as_ref()),
                    ..Element::default()
                };
                for attr in start.attributes() {
                    let attr = attr.map_err(|e| bad(&e))?;
                    let value = attr.unescape_value().map_err(|e| bad(&e))?;
                    element
                        .attributes
                        .push((local(attr.key.local_name().as_ref()), value.into_owned()));
                }
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => return Ok(element),
                }
            }
            XmlEvent::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(CalendarError::Invalid(
                        "the server's answer has an unmatched end tag".into(),
                    ));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Ok(done),
                }
            }
            XmlEvent::Text(t) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&t.decode().map_err(|e| bad(&e))?);
                }
            }
            XmlEvent::CData(t) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&t.decode().map_err(|e| bad(&e))?);
                }
            }
            XmlEvent::GeneralRef(r) => {
                if let Some(current) = stack.last_mut() {
                    let resolved: Cow<'_, str> = match r.resolve_char_ref().map_err(|e| bad(&e))? {
                        Some(c) => Cow::Owned(c.to_string()),
                        None => {
                            let name = r.decode().map_err(|e| bad(&e))?;
                            match quick_xml::escape::resolve_predefined_entity(&name) {
                                Some(s) => Cow::Borrowed(s),
                                None => return Err(bad(&format!("unknown entity &{name};"))),
                            }
                        }
                    };
                    current.text.push_str(&resolved);
                }
            }
            XmlEvent::Eof => {
                return Err(CalendarError::Invalid(
                    "the server's answer ended before the XML document was complete".into(),
                ));
            }
            _ => {}
        }
    }
}

fn local(name: &[u8]) -> String {
    String::from_utf8_lossy(name).into_owned()
}

/// Escapes text and attribute values for requests.
pub(crate) fn escape(text: &str) -> Cow<'_, str> {
    quick_xml::escape::escape(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_attributes_and_entities() {
        let doc = r#"<?xml version="1.0"?><s:Envelope xmlns:s="urn:s" xmlns:t="urn:t"><s:Body><t:Item Id="A&amp;B"><t:Subject>Q&amp;A &#8211; plan</t:Subject><t:Empty/></t:Item></s:Body></s:Envelope>"#;
        let root = parse(doc).unwrap();
        assert_eq!(root.name, "Envelope");
        let item = root.path(&["Body", "Item"]).unwrap();
        assert_eq!(item.attr("Id"), Some("A&B"));
        assert_eq!(item.child_text("Subject"), Some("Q&A \u{2013} plan"));
        assert!(item.child("Empty").is_some());
        assert!(root.find("Subject").is_some());
    }

    #[test]
    fn truncated_document_is_an_error() {
        assert!(parse("<a><b>").is_err());
        assert!(parse("<html><body>Sign in</body>").is_err());
    }
}
