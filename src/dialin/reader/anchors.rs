//! Step 3 of the reader: the join links (anchors), which meeting is this event's own
//! when several are named, and the block of text that belongs to it; templates and
//! how-tos give no plan.

use super::*;

pub(super) fn anchors(lines: &[&str]) -> Vec<Anchor> {
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        // Links have a `/` (with or without their scheme), Skype URIs a `skype:`.
        if !line.contains('/') && !line.contains("skype:") {
            continue;
        }
        for (_, url) in links::find_urls(line) {
            let Some(provider) = providers::provider_of_link(&url) else {
                continue;
            };
            let link_id = providers::meeting_id_in_link(provider, &url);
            let has_id = link_id.is_some();
            let identity = link_id.unwrap_or_else(|| {
                let base = url.split(['?', '#']).next().unwrap_or(&url);
                base.trim_end_matches('/').to_ascii_lowercase()
            });
            let join = !INFO_LINK.is_match(&url);
            out.push((
                has_id,
                Anchor {
                    line: i,
                    provider,
                    url,
                    identity,
                    join,
                },
            ));
        }
    }
    // Where a provider's join links carry the meeting ID, its links without one
    // (number lists, test calls, app downloads) are not other meetings.
    let with_id: Vec<&'static str> = out
        .iter()
        .filter(|(has_id, _)| *has_id)
        .map(|(_, a)| a.provider.id)
        .collect();
    out.into_iter()
        .map(|(has_id, mut a)| {
            if !has_id && with_id.contains(&a.provider.id) {
                a.join = false;
            }
            a
        })
        .collect()
}

/// Picks this event's meeting among the anchors, and notes the others.
pub(super) fn choose_meeting(
    anchors: &[Anchor],
    regions: &[usize],
    stale: &[bool],
    location_lines: usize,
    online_url: Option<&str>,
    notes: &mut Vec<String>,
) -> Option<Anchor> {
    let usable: Vec<&Anchor> = if anchors.iter().any(|a| a.join) {
        anchors.iter().filter(|a| a.join).collect()
    } else {
        anchors.iter().collect()
    };
    // Distinct meetings, in order of first appearance.
    let mut meetings: Vec<&Anchor> = Vec::new();
    for a in &usable {
        if !meetings
            .iter()
            .any(|m| m.identity == a.identity && m.provider.id == a.provider.id)
        {
            meetings.push(a);
        }
    }
    if meetings.is_empty() {
        return None;
    }
    let same = |a: &Anchor, m: &Anchor| a.identity == m.identity && a.provider.id == m.provider.id;
    let is_stale = |m: &Anchor| {
        usable
            .iter()
            .filter(|a| same(a, m))
            .all(|a| stale.get(a.line).copied().unwrap_or(false))
    };
    let in_location = |m: &Anchor| {
        usable
            .iter()
            .filter(|a| same(a, m))
            .any(|a| a.line < location_lines)
    };
    let region = |m: &Anchor| {
        usable
            .iter()
            .filter(|a| same(a, m))
            .map(|a| regions.get(a.line).copied().unwrap_or(0))
            .min()
            .unwrap_or(0)
    };

    let (chosen, why) = if let Some(m) = online_url.and_then(|u| {
        meetings
            .iter()
            .find(|m| {
                usable
                    .iter()
                    .filter(|a| same(a, m))
                    .any(|a| same_link(&a.url, u))
            })
            .copied()
    }) {
        (m, "it is the calendar's own conference data")
    } else if let Some(m) = meetings
        .iter()
        .find(|m| in_location(m) && !is_stale(m))
        .copied()
    {
        (m, "its link is the event's location")
    } else {
        let fresh: Vec<&Anchor> = meetings.iter().filter(|m| !is_stale(m)).copied().collect();
        let pool = if fresh.is_empty() {
            meetings.clone()
        } else {
            fresh
        };
        let best = pool
            .iter()
            .min_by_key(|m| (region(m), m.line))
            .copied()
            .unwrap_or(meetings[0]);
        let why = if pool.len() < meetings.len() {
            "the other link is called previous, old or not to be used"
        } else if region(best) == 0 && meetings.iter().any(|m| region(m) > 0) {
            "it is in this event's own text, the others are in a forwarded or quoted message"
        } else {
            "it comes first in the invitation"
        };
        (best, why)
    };
    if meetings.len() > 1 {
        let others: Vec<String> = meetings
            .iter()
            .filter(|m| !(m.identity == chosen.identity && m.provider.id == chosen.provider.id))
            .map(|m| format!("{} {}", m.provider.name, m.url))
            .collect();
        notes.push(format!(
            "the invitation mentions {} meetings; using {} {} because {}; ignored: {}",
            meetings.len(),
            chosen.provider.name,
            chosen.url,
            why,
            others.join(", ")
        ));
    }
    Some(chosen.clone())
}

pub(super) fn same_link(a: &str, b: &str) -> bool {
    let base = |u: &str| {
        u.split(['?', '#'])
            .next()
            .unwrap_or(u)
            .trim_end_matches('/')
            .to_ascii_lowercase()
    };
    base(a) == base(b)
}

/// The lines that belong to the chosen meeting: its region, cut before and after
/// other meetings' links and stale headings in the same region.
pub(super) fn block_of(
    chosen: &Anchor,
    anchors: &[Anchor],
    regions: &[usize],
    lines: &[&str],
    location_lines: usize,
) -> (usize, usize) {
    let same = |a: &Anchor| a.identity == chosen.identity && a.provider.id == chosen.provider.id;
    let body_anchors: Vec<&Anchor> = anchors
        .iter()
        .filter(|a| same(a) && a.line >= location_lines)
        .collect();
    let region = match body_anchors.first() {
        Some(a) => regions[a.line],
        None => regions.get(location_lines).copied().unwrap_or(0),
    };
    let mut start = (location_lines..lines.len())
        .find(|&i| regions[i] == region)
        .unwrap_or(location_lines);
    let mut end = (start..lines.len())
        .find(|&i| regions[i] != region)
        .unwrap_or(lines.len());
    if let (Some(first), Some(last)) = (body_anchors.first(), body_anchors.last()) {
        for other in anchors
            .iter()
            .filter(|a| !same(a) && a.join && a.line >= location_lines)
        {
            if other.line < first.line && other.line >= start {
                start = other.line + 1;
            }
            if other.line > last.line && other.line < end {
                end = other.line;
            }
        }
    }
    (start.min(end), end)
}

/// A reply or forward note above the quoted invitation ("Correction: the new dial-in
/// number is ...") that names no meeting link of its own but gives dial-in details:
/// its first line, so the block starts there and what it says comes first.
pub(super) fn reply_above(
    lines: &[&str],
    regions: &[usize],
    anchors: &[Anchor],
    location_lines: usize,
    block_start: usize,
) -> Option<usize> {
    let own = location_lines;
    let own_region = *regions.get(own)?;
    // The block is in a forwarded, replied-to or quoted message below the event's text.
    if regions.get(block_start)? <= &own_region {
        return None;
    }
    let mut says_dial_in = false;
    for i in (own..block_start).take_while(|&i| regions[i] == own_region) {
        if anchors.iter().any(|a| a.line == i) {
            return None;
        }
        let line = lines[i];
        if DIAL_WORDS.is_match(line) && !NO_DIAL_IN.is_match(line) {
            // The number may be on the line or just below it.
            says_dial_in |= (i..(i + 4).min(block_start))
                .any(|j| lines[j].bytes().filter(u8::is_ascii_digit).count() >= 7);
        }
    }
    says_dial_in.then_some(own)
}

/// Without any join link: the first region that has a labelled code or a dial-in line.
pub(super) fn first_region_with_dial_in(
    lines: &[&str],
    regions: &[usize],
    location_lines: usize,
) -> (usize, usize) {
    let mut start = location_lines;
    while start < lines.len() {
        let region = regions[start];
        let end = (start..lines.len())
            .find(|&i| regions[i] != region)
            .unwrap_or(lines.len());
        if lines[start..end].iter().any(|l| DIAL_WORDS.is_match(l)) {
            return (start, end);
        }
        start = end;
    }
    (
        location_lines,
        (location_lines..lines.len())
            .find(|&i| regions[i] != 0)
            .unwrap_or(lines.len()),
    )
}

pub(super) fn provider_by_markers(block: &Block<'_>) -> Option<&'static Provider> {
    let mut best: Option<(&'static Provider, usize)> = None;
    let lowered: Vec<String> = block
        .indices()
        .map(|i| block.line(i).to_lowercase())
        .collect();
    for p in PROVIDERS {
        let Some(markers) = MARKERS.get(p.id) else {
            continue;
        };
        let hits: usize = markers
            .iter()
            .map(|m| lowered.iter().filter(|l| l.contains(m.as_str())).count())
            .sum();
        if hits > 0 && best.is_none_or(|(_, n)| hits > n) {
            best = Some((p, hits));
        }
    }
    best.map(|(p, _)| p)
}

/// Why the block reads as a template or a how-to rather than an invitation, if it
/// does: a placeholder where a code goes, or a meeting ID nobody is given (digits in
/// order, "123456789", or one digit repeated).
pub(super) fn template_sign(block: &Block<'_>, meeting_id: Option<&str>) -> Option<String> {
    // Every placeholder has a bracket or a run of x, #, *, _, . or n.
    let may_hold = |line: &str| {
        line.contains(['<', '[', '{'])
            || ["xx", "XX", "##", "**", "__", "..", "nn", "NN"]
                .iter()
                .any(|run| line.contains(run))
    };
    for i in block.indices() {
        let line = block.line(i);
        if !may_hold(line) {
            continue;
        }
        if let Some(m) = PLACEHOLDER.find(line) {
            return Some(format!("placeholder {:?}", m.as_str().trim()));
        }
    }
    let id = meeting_id?;
    let ascending = "01234567890123456789";
    let descending = "98765432109876543210";
    let repeated = id.bytes().all(|b| Some(&b) == id.as_bytes().first());
    (id.len() >= 6 && (ascending.contains(id) || descending.contains(id) || repeated))
        .then(|| format!("sample meeting ID {id}"))
}
