//! Changes to a calendar file as byte edits: each operation replaces, inserts or removes
//! one span of the text, so every other byte of the file stays as it was.
//!
//! - book: a new VEVENT just before the last `END:VCALENDAR`.
//! - set_end on a single event (or an existing override): its DTEND (or DURATION) line
//!   is rewritten; on an occurrence of a series: a RECURRENCE-ID override is added.
//! - cancel: a device booking's VEVENT is removed; anyone else's event is kept and
//!   marked `STATUS:CANCELLED` (an occurrence of a series gets a cancelled override), so
//!   a person's meeting is never deleted from the file by a voice command.
//!
//! New lines use the file's own line ending and are folded at 75 octets; times are
//! written in UTC.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};

use super::expand::{occurrences, Occurrence};
use super::lines::{escape_text, fold};
use super::model::{Document, Form, Key, Stamp};
use crate::calendar::{Body, CalendarError, Meeting, NewBooking};

/// One change to the text: `range` is replaced by `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

impl Edit {
    pub(crate) fn apply(&self, original: &str) -> String {
        let mut out = String::with_capacity(original.len() + self.text.len());
        out.push_str(&original[..self.range.start]);
        out.push_str(&self.text);
        out.push_str(&original[self.range.end..]);
        out
    }
}

/// An occurrence turned into the trait's [`Meeting`].
pub(crate) fn to_event(o: &Occurrence<'_>) -> Meeting {
    Meeting {
        id: o.id(),
        subject: o.event.summary.clone(),
        organizer: o.event.organizer.clone(),
        start: o.start,
        end: o.end,
        all_day: o.all_day(),
        location: o.event.location.clone(),
        body: o.event.body.clone(),
        online_meeting: None,
        booked_by_device: o.event.booked_by_device,
    }
}

fn utc_value(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Plans a booking: refuses an empty slot or an overlap, else inserts a new VEVENT.
pub(crate) fn book(
    doc: &Document,
    booking: &NewBooking,
    now: DateTime<Utc>,
) -> Result<(Edit, Meeting), CalendarError> {
    if booking.end <= booking.start {
        return Err(CalendarError::Invalid(format!(
            "a booking must end after it starts (start {}, end {})",
            booking.start, booking.end
        )));
    }
    // Transparent events (TRANSP:TRANSPARENT) do not occupy the room.
    if let Some(conflict) = occurrences(doc, booking.start, booking.end)
        .into_iter()
        .find(|o| !o.event.transparent)
    {
        return Err(CalendarError::Conflict {
            conflict: Box::new(to_event(&conflict)),
        });
    }
    let uid = new_uid(doc, booking.start, now);
    let eol = doc.eol;
    let mut block = String::new();
    block.push_str(&fold("BEGIN:VEVENT", eol));
    block.push_str(&fold(&format!("UID:{uid}"), eol));
    block.push_str(&fold(&format!("DTSTAMP:{}", utc_value(now)), eol));
    block.push_str(&fold(&format!("DTSTART:{}", utc_value(booking.start)), eol));
    block.push_str(&fold(&format!("DTEND:{}", utc_value(booking.end)), eol));
    block.push_str(&fold(
        &format!("SUMMARY:{}", escape_text(&booking.subject)),
        eol,
    ));
    if let Some(body) = booking.body.as_deref().filter(|b| !b.is_empty()) {
        block.push_str(&fold(&format!("DESCRIPTION:{}", escape_text(body)), eol));
    }
    block.push_str(&fold("X-ROOMVOICE-BOOKED:TRUE", eol));
    block.push_str(&fold("END:VEVENT", eol));
    let event = Meeting {
        id: uid,
        subject: booking.subject.clone(),
        organizer: None,
        start: booking.start,
        end: booking.end,
        all_day: false,
        location: None,
        body: booking
            .body
            .clone()
            .filter(|b| !b.is_empty())
            .map(Body::Text),
        online_meeting: None,
        booked_by_device: true,
    };
    Ok((
        Edit {
            range: doc.calendar_end..doc.calendar_end,
            text: block,
        },
        event,
    ))
}

/// A UID no event in the file has: time, process and a counter make it unique across
/// devices and threads; the check against the file makes sure.
fn new_uid(doc: &Document, start: DateTime<Utc>, now: DateTime<Utc>) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let uid = format!(
            "roomvoice-{}-{:x}-{}-{n}@roomvoice",
            start.format("%Y%m%dT%H%M%SZ"),
            now.timestamp_nanos_opt().unwrap_or_default(),
            std::process::id()
        );
        if !doc.events.iter().any(|e| e.uid == uid) {
            return uid;
        }
    }
}

/// Finds the occurrence a [`Meeting`] from `events` stands for.
fn locate<'a>(doc: &'a Document, event: &Meeting) -> Result<Occurrence<'a>, CalendarError> {
    let until = event.end.max(event.start + chrono::Duration::seconds(1));
    occurrences(doc, event.start, until)
        .into_iter()
        .find(|o| o.id() == event.id)
        .ok_or_else(|| {
            CalendarError::NotFound(format!(
                "the event \"{}\" ({}) is no longer in the calendar at {}; read the calendar again",
                event.subject, event.id, event.start
            ))
        })
}

/// Plans moving the end of an event.
pub(crate) fn set_end(
    doc: &Document,
    text: &str,
    event: &Meeting,
    new_end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Edit, CalendarError> {
    let o = locate(doc, event)?;
    if o.all_day() {
        return Err(CalendarError::Unsupported(format!(
            "\"{}\" is an all-day event; its end cannot be moved to a time of day",
            o.event.summary
        )));
    }
    if new_end <= o.start {
        return Err(CalendarError::Invalid(format!(
            "the new end {new_end} is not after the start {} of \"{}\"",
            o.start, o.event.summary
        )));
    }
    let eol = doc.eol;
    if o.event.is_series() {
        return Ok(add_override(doc, text, &o, new_end, false, now));
    }
    let vevent = o.event;
    if let Some(dtend) = vevent.prop("DTEND") {
        Ok(Edit {
            range: dtend.span.clone(),
            text: fold(&format!("DTEND:{}", utc_value(new_end)), eol),
        })
    } else if let Some(duration) = vevent.prop("DURATION") {
        let seconds = (new_end - o.start).num_seconds();
        let value = if seconds % 60 == 0 {
            format!("PT{}M", seconds / 60)
        } else {
            format!("PT{seconds}S")
        };
        Ok(Edit {
            range: duration.span.clone(),
            text: fold(&format!("DURATION:{value}"), eol),
        })
    } else {
        Ok(Edit {
            range: vevent.props_end..vevent.props_end,
            text: fold(&format!("DTEND:{}", utc_value(new_end)), eol),
        })
    }
}

/// Plans cancelling an event: removes a device booking, marks anything else cancelled.
pub(crate) fn cancel(
    doc: &Document,
    text: &str,
    event: &Meeting,
    now: DateTime<Utc>,
) -> Result<Edit, CalendarError> {
    let o = locate(doc, event)?;
    let vevent = o.event;
    if vevent.is_series() {
        return Ok(add_override(doc, text, &o, o.end, true, now));
    }
    if vevent.booked_by_device && vevent.recurrence_id.is_none() {
        return Ok(Edit {
            range: vevent.span.clone(),
            text: String::new(),
        });
    }
    let line = fold("STATUS:CANCELLED", doc.eol);
    Ok(match vevent.prop("STATUS") {
        Some(status) => Edit {
            range: status.span.clone(),
            text: line,
        },
        None => Edit {
            range: vevent.props_end..vevent.props_end,
            text: line,
        },
    })
}

/// A RECURRENCE-ID override for one occurrence of a series: the series' own properties
/// (summary, organiser, invitation text) with this occurrence's times.
fn add_override(
    doc: &Document,
    text: &str,
    o: &Occurrence<'_>,
    new_end: DateTime<Utc>,
    cancelled: bool,
    now: DateTime<Utc>,
) -> Edit {
    const REPLACED: &[&str] = &[
        "DTSTART",
        "DTEND",
        "DURATION",
        "RRULE",
        "RDATE",
        "EXDATE",
        "EXRULE",
        "RECURRENCE-ID",
        "DTSTAMP",
        "STATUS",
    ];
    let eol = doc.eol;
    let master = o.event;
    let mut block = fold("BEGIN:VEVENT", eol);
    for p in master
        .props
        .iter()
        .filter(|p| !REPLACED.contains(&p.name.as_str()))
    {
        let raw = &text[p.span.clone()];
        block.push_str(raw);
        if !raw.ends_with('\n') {
            block.push_str(eol);
        }
    }
    let key = o.key.unwrap_or(Key::At(o.start));
    let recurrence_id = match (&master.start_form, key, master.start) {
        (Form::Date, Key::Day(d), _) => format!("RECURRENCE-ID;VALUE=DATE:{}", d.format("%Y%m%d")),
        (Form::Zoned(tzid), Key::At(t), Stamp::At(s)) => format!(
            "RECURRENCE-ID;TZID={}:{}",
            quote_param(tzid),
            t.with_timezone(&s.timezone()).format("%Y%m%dT%H%M%S")
        ),
        (Form::Floating, Key::At(t), _) => format!(
            "RECURRENCE-ID:{}",
            t.with_timezone(&doc.room_tz).format("%Y%m%dT%H%M%S")
        ),
        (_, Key::At(t), _) => format!("RECURRENCE-ID:{}", utc_value(t)),
        (_, Key::Day(d), _) => format!("RECURRENCE-ID;VALUE=DATE:{}", d.format("%Y%m%d")),
    };
    block.push_str(&fold(&recurrence_id, eol));
    block.push_str(&fold(&format!("DTSTAMP:{}", utc_value(now)), eol));
    match key {
        Key::Day(d) => {
            block.push_str(&fold(
                &format!("DTSTART;VALUE=DATE:{}", d.format("%Y%m%d")),
                eol,
            ));
            if let super::model::Length::Days(n) = master.length {
                block.push_str(&fold(
                    &format!(
                        "DTEND;VALUE=DATE:{}",
                        (d + chrono::Duration::days(n)).format("%Y%m%d")
                    ),
                    eol,
                ));
            }
        }
        Key::At(_) => {
            block.push_str(&fold(&format!("DTSTART:{}", utc_value(o.start)), eol));
            block.push_str(&fold(&format!("DTEND:{}", utc_value(new_end)), eol));
        }
    }
    if cancelled {
        block.push_str(&fold("STATUS:CANCELLED", eol));
    }
    block.push_str(&fold("END:VEVENT", eol));
    Edit {
        range: doc.calendar_end..doc.calendar_end,
        text: block,
    }
}

fn quote_param(value: &str) -> String {
    if value.contains([':', ';', ',']) {
        format!("\"{value}\"")
    } else {
        value.to_string()
    }
}
