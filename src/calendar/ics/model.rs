//! From content lines to VEVENTs: the component structure (BEGIN/END), times and time
//! zones, recurrence rules, and the properties the assistant reads.
//!
//! TZIDs are resolved by [`super::zones`]. Times without a zone ("floating") and all-day
//! dates are in the room's time zone. Nothing here looks at the machine's local time zone.

use std::ops::Range;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::lines::{content_lines, unescape_text, ContentLine};
use super::zones::{VTimezone, Zones};
use crate::calendar::{Body, Person};

/// A point in time as the file wrote it: an all-day date, or a zoned date-time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stamp {
    Day(NaiveDate),
    At(DateTime<Tz>),
}

/// How DTSTART was written, so an override's RECURRENCE-ID can be written the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Form {
    Date,
    Utc,
    Floating,
    Zoned(String),
}

/// Identifies one occurrence of a series: its original start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Key {
    Day(NaiveDate),
    At(DateTime<Utc>),
}

impl Key {
    pub(crate) fn of(stamp: Stamp) -> Key {
        match stamp {
            Stamp::Day(d) => Key::Day(d),
            Stamp::At(t) => Key::At(t.with_timezone(&Utc)),
        }
    }

    /// The suffix of an occurrence's event id: `20261123` or `20261123T180000Z`.
    pub(crate) fn id_suffix(&self) -> String {
        match self {
            Key::Day(d) => d.format("%Y%m%d").to_string(),
            Key::At(t) => t.format("%Y%m%dT%H%M%SZ").to_string(),
        }
    }
}

/// How long each occurrence lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Length {
    Exact(Duration),
    Days(i64),
}

/// One VEVENT, with where it sits in the file.
#[derive(Debug, Clone)]
pub(crate) struct VEvent {
    /// Bytes from `BEGIN:VEVENT` through the `END:VEVENT` line ending.
    pub span: Range<usize>,
    /// Where new properties go: before the first VALARM (properties come before
    /// sub-components, RFC 5545 §3.6.1), else before `END:VEVENT`.
    pub props_end: usize,
    /// The VEVENT's own properties (not those of a VALARM inside it).
    pub props: Vec<ContentLine>,
    pub uid: String,
    pub summary: String,
    pub start: Stamp,
    pub start_form: Form,
    pub length: Length,
    pub rule: Option<rrule::RRuleSet>,
    pub rdates: Vec<Stamp>,
    pub exdates: Vec<Stamp>,
    pub recurrence_id: Option<Key>,
    pub cancelled: bool,
    pub transparent: bool,
    pub booked_by_device: bool,
    pub organizer: Option<Person>,
    pub location: Option<String>,
    pub body: Option<Body>,
}

impl VEvent {
    pub(crate) fn is_series(&self) -> bool {
        self.recurrence_id.is_none() && (self.rule.is_some() || !self.rdates.is_empty())
    }

    pub(crate) fn prop(&self, name: &str) -> Option<&ContentLine> {
        self.props.iter().find(|p| p.name == name)
    }
}

/// A parsed calendar file.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    /// The file's line ending, used for everything written into it.
    pub eol: &'static str,
    pub events: Vec<VEvent>,
    /// Byte offset of the last `END:VCALENDAR` line: bookings are inserted there.
    pub calendar_end: usize,
    /// The room's zone: floating times and all-day dates live in it.
    pub room_tz: Tz,
}

/// What is wrong, and on which line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError {
    pub line: usize,
    pub message: String,
}

fn err(line: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        line,
        message: message.into(),
    }
}

/// Parses a whole calendar file.
pub(crate) fn parse(text: &str, room_tz: Tz) -> Result<Document, ParseError> {
    let lines = content_lines(text).map_err(|e| err(e.line, e.message))?;
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };

    // Pass 1: the component structure.
    struct Open {
        name: String,
        line: usize,
        start: usize,
        props: Vec<ContentLine>,
        /// STANDARD / DAYLIGHT parts of a VTIMEZONE.
        parts: Vec<(String, Vec<ContentLine>)>,
        /// Where its first sub-component begins.
        first_child: Option<usize>,
    }
    let mut stack: Vec<Open> = Vec::new();
    let mut raw_events: Vec<(usize, Range<usize>, usize, Vec<ContentLine>)> = Vec::new();
    let mut vtimezones: Vec<VTimezone> = Vec::new();
    let mut calendar_end = None;
    for cl in lines {
        match cl.name.as_str() {
            "BEGIN" => {
                let name = cl.value.trim().to_ascii_uppercase();
                if stack.is_empty() && name != "VCALENDAR" {
                    return Err(err(
                        cl.line,
                        format!("expected BEGIN:VCALENDAR, found BEGIN:{name}"),
                    ));
                }
                if let Some(parent) = stack.last_mut() {
                    parent.first_child.get_or_insert(cl.span.start);
                }
                stack.push(Open {
                    name,
                    line: cl.line,
                    start: cl.span.start,
                    props: Vec::new(),
                    parts: Vec::new(),
                    first_child: None,
                });
            }
            "END" => {
                let name = cl.value.trim().to_ascii_uppercase();
                let open = stack
                    .pop()
                    .ok_or_else(|| err(cl.line, format!("END:{name} without a matching BEGIN")))?;
                if open.name != name {
                    return Err(err(
                        cl.line,
                        format!(
                            "END:{name} does not close BEGIN:{} on line {}",
                            open.name, open.line
                        ),
                    ));
                }
                match name.as_str() {
                    "VEVENT" => raw_events.push((
                        open.line,
                        open.start..cl.span.end,
                        open.first_child.unwrap_or(cl.span.start),
                        open.props,
                    )),
                    "VTIMEZONE" => vtimezones.push(VTimezone {
                        props: open.props,
                        parts: open.parts,
                    }),
                    "STANDARD" | "DAYLIGHT" => {
                        if let Some(parent) = stack.last_mut().filter(|p| p.name == "VTIMEZONE") {
                            parent.parts.push((name, open.props));
                        }
                    }
                    "VCALENDAR" => calendar_end = Some(cl.span.start),
                    _ => {}
                }
            }
            _ => match stack.last_mut() {
                Some(open) => open.props.push(cl),
                None => {
                    return Err(err(
                        cl.line,
                        format!("{} outside BEGIN:VCALENDAR ... END:VCALENDAR", cl.name),
                    ))
                }
            },
        }
    }
    if let Some(open) = stack.last() {
        return Err(err(
            open.line,
            format!("BEGIN:{} has no END:{}", open.name, open.name),
        ));
    }
    let calendar_end =
        calendar_end.ok_or_else(|| err(1, "no BEGIN:VCALENDAR ... END:VCALENDAR found"))?;

    // Pass 2: time zones, then the events.
    let zones = Zones::new(room_tz, &vtimezones);
    let events = raw_events
        .into_iter()
        .map(|(line, span, props_end, props)| interpret(line, span, props_end, props, &zones))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Document {
        eol,
        events,
        calendar_end,
        room_tz,
    })
}

fn interpret(
    line: usize,
    span: Range<usize>,
    props_end: usize,
    props: Vec<ContentLine>,
    zones: &Zones,
) -> Result<VEvent, ParseError> {
    let find = |name: &str| props.iter().find(|p| p.name == name);
    let text = |name: &str| find(name).map(|p| unescape_text(&p.value));

    let uid = find("UID")
        .map(|p| p.value.trim().to_string())
        .filter(|u| !u.is_empty())
        // RFC 5545 requires a UID; hand-written files sometimes lack one.
        .unwrap_or_else(|| format!("no-uid-line-{line}"));
    let dtstart = find("DTSTART")
        .ok_or_else(|| err(line, "this VEVENT has no DTSTART (when does it start?)"))?;
    let (start, start_form) = stamp(dtstart, dtstart.value.trim(), zones)?;

    let length = if let Some(dtend) = find("DTEND") {
        let (end, _) = stamp(dtend, dtend.value.trim(), zones)?;
        let length = match (start, end) {
            (Stamp::Day(s), Stamp::Day(e)) => Length::Days((e - s).num_days()),
            _ => Length::Exact(to_utc(end, zones.room_tz) - to_utc(start, zones.room_tz)),
        };
        let negative = match length {
            Length::Days(d) => d < 0,
            Length::Exact(d) => d < Duration::zero(),
        };
        if negative {
            return Err(err(
                dtend.line,
                format!("DTEND \"{}\" is before DTSTART", dtend.value.trim()),
            ));
        }
        length
    } else if let Some(duration) = find("DURATION") {
        let d = parse_duration(duration.value.trim()).ok_or_else(|| {
            err(
                duration.line,
                format!(
                    "DURATION \"{}\" is not a duration (expected e.g. PT40M, PT1H30M, P1D)",
                    duration.value.trim()
                ),
            )
        })?;
        match start {
            Stamp::Day(_) if d.num_seconds() % 86_400 == 0 => Length::Days(d.num_days()),
            _ => Length::Exact(d),
        }
    } else {
        match start {
            Stamp::Day(_) => Length::Days(1),
            Stamp::At(_) => Length::Exact(Duration::zero()),
        }
    };

    // Rare forms read partly; say so rather than drop them silently.
    for p in props.iter().filter(|p| p.name == "RRULE").skip(1) {
        tracing::warn!(
            line = p.line,
            "a second RRULE in one VEVENT is ignored (the first is used)"
        );
    }
    if let Some(p) = find("EXRULE") {
        tracing::warn!(line = p.line, "EXRULE (deprecated by RFC 5545) is ignored");
    }
    if let Some(p) = find("RECURRENCE-ID").filter(|p| p.param("RANGE").is_some()) {
        tracing::warn!(
            line = p.line,
            "RECURRENCE-ID;RANGE=THISANDFUTURE is read as this occurrence only"
        );
    }
    let mut rule = None;
    if let Some(rrule_line) = find("RRULE") {
        rule = Some(build_rule(rrule_line, start)?);
    }
    let mut rdates = Vec::new();
    let mut exdates = Vec::new();
    for p in &props {
        let target = match p.name.as_str() {
            "RDATE" => &mut rdates,
            "EXDATE" => &mut exdates,
            _ => continue,
        };
        for value in p.value.split(',').map(str::trim).filter(|v| !v.is_empty()) {
            // RDATE;VALUE=PERIOD:start/end: the occurrence starts at `start`.
            let value = value.split('/').next().unwrap_or(value);
            target.push(stamp(p, value, zones)?.0);
        }
    }
    let recurrence_id = match find("RECURRENCE-ID") {
        Some(p) => Some(Key::of(stamp(p, p.value.trim(), zones)?.0)),
        None => None,
    };

    let is = |name: &str, value: &str| {
        find(name).is_some_and(|p| p.value.trim().eq_ignore_ascii_case(value))
    };
    let organizer = find("ORGANIZER").map(|p| {
        let value = p.value.trim();
        let email = value
            .get(..7)
            .filter(|s| s.eq_ignore_ascii_case("mailto:"))
            .map(|_| value[7..].to_string())
            .or_else(|| value.contains('@').then(|| value.to_string()));
        Person {
            name: p.param("CN").unwrap_or("").trim().to_string(),
            email,
        }
    });
    // Text first: invitation readers read text most reliably, and Outlook's X-ALT-DESC
    // repeats the same invitation as HTML. HTML only when there is no text.
    let html = props
        .iter()
        .find(|p| {
            p.name == "X-ALT-DESC"
                && p.param("FMTTYPE")
                    .is_some_and(|f| f.eq_ignore_ascii_case("text/html"))
        })
        .map(|p| unescape_text(&p.value));
    let body = text("DESCRIPTION")
        .filter(|d| !d.trim().is_empty())
        .map(Body::Text)
        .or(html.map(Body::Html));

    Ok(VEvent {
        span,
        props_end,
        uid,
        summary: text("SUMMARY").unwrap_or_default(),
        start,
        start_form,
        length,
        rule,
        rdates,
        exdates,
        recurrence_id,
        cancelled: is("STATUS", "CANCELLED"),
        transparent: is("TRANSP", "TRANSPARENT"),
        booked_by_device: is("X-ROOMVOICE-BOOKED", "TRUE"),
        organizer,
        location: text("LOCATION").filter(|l| !l.trim().is_empty()),
        body,
        props,
    })
}

/// Parses one DATE or DATE-TIME value of a property (its TZID and VALUE parameters apply).
fn stamp(p: &ContentLine, value: &str, zones: &Zones) -> Result<(Stamp, Form), ParseError> {
    let is_date = p
        .param("VALUE")
        .is_some_and(|v| v.eq_ignore_ascii_case("DATE"))
        || (value.len() == 8 && value.bytes().all(|b| b.is_ascii_digit()));
    if is_date {
        return NaiveDate::parse_from_str(value, "%Y%m%d")
            .map(|d| (Stamp::Day(d), Form::Date))
            .map_err(|_| {
                err(
                    p.line,
                    format!(
                        "{} \"{value}\" is not a date (expected YYYYMMDD, e.g. 20261123)",
                        p.name
                    ),
                )
            });
    }
    let (naive_text, utc) = match value.strip_suffix(['Z', 'z']) {
        Some(v) => (v, true),
        None => (value, false),
    };
    let naive = NaiveDateTime::parse_from_str(naive_text, "%Y%m%dT%H%M%S").map_err(|_| {
        err(
            p.line,
            format!(
                "{} \"{value}\" is not a date-time (expected e.g. 20261123T100000, with Z for UTC, or VALUE=DATE:20261123)",
                p.name
            ),
        )
    })?;
    if utc {
        return Ok((
            Stamp::At(naive.and_utc().with_timezone(&Tz::UTC)),
            Form::Utc,
        ));
    }
    match p.param("TZID") {
        Some(tzid) => {
            let tz = zones.resolve(tzid).ok_or_else(|| {
                err(
                    p.line,
                    format!(
                        "{} has TZID \"{tzid}\", which is not a known time zone (use an IANA name such as America/Los_Angeles or a Windows name such as Pacific Standard Time)",
                        p.name
                    ),
                )
            })?;
            Ok((Stamp::At(local(naive, tz)), Form::Zoned(tzid.to_string())))
        }
        None => Ok((Stamp::At(local(naive, zones.room_tz)), Form::Floating)),
    }
}

/// A wall-clock time in a zone. In the hour skipped by a DST change the time is moved
/// forward (RFC 5545 §3.3.5); in the repeated hour the first one is used.
pub(crate) fn local(naive: NaiveDateTime, tz: Tz) -> DateTime<Tz> {
    for shift in 0..4 {
        if let Some(t) = tz
            .from_local_datetime(&(naive + Duration::hours(shift)))
            .earliest()
        {
            return t;
        }
    }
    // No zone skips more than a few hours; read it as UTC rather than fail.
    naive.and_utc().with_timezone(&tz)
}

/// Midnight starting `day` in the room's zone, in UTC.
pub(crate) fn day_start(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    local(day.and_time(chrono::NaiveTime::MIN), tz).with_timezone(&Utc)
}

pub(crate) fn to_utc(stamp: Stamp, room_tz: Tz) -> DateTime<Utc> {
    match stamp {
        Stamp::Day(d) => day_start(d, room_tz),
        Stamp::At(t) => t.with_timezone(&Utc),
    }
}

/// RFC 5545 DURATION: `[+-]P[nW]` or `[+-]P[nD][T[nH][nM][nS]]`.
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let rest = rest.strip_prefix('P')?;
    let mut total = 0i64;
    let mut number = String::new();
    let mut in_time = false;
    let mut any = false;
    for c in rest.chars() {
        match c {
            '0'..='9' => number.push(c),
            'T' if number.is_empty() && !in_time => in_time = true,
            unit => {
                let n: i64 = number.parse().ok()?;
                number.clear();
                any = true;
                total += n * match (unit, in_time) {
                    ('W', false) => 7 * 86_400,
                    ('D', false) => 86_400,
                    ('H', true) => 3_600,
                    ('M', true) => 60,
                    ('S', true) => 1,
                    _ => return None,
                };
            }
        }
    }
    (any && number.is_empty()).then(|| Duration::seconds(sign * total))
}

/// Builds the series from RRULE and DTSTART. Timed series recur in DTSTART's zone (a
/// 9:00 meeting stays at 9:00 across DST changes); all-day series recur over plain dates
/// (computed in UTC, then placed in the room's zone). UNTIL is read here rather than by
/// `rrule`, which would read a date or floating UNTIL in the machine's local zone.
fn build_rule(p: &ContentLine, start: Stamp) -> Result<rrule::RRuleSet, ParseError> {
    let bad = |what: String| {
        err(
            p.line,
            format!(
                "RRULE \"{}\" is not a recurrence rule: {what}",
                p.value.trim()
            ),
        )
    };
    let mut until = None;
    let mut parts = Vec::new();
    for part in p.value.trim().split(';').filter(|s| !s.is_empty()) {
        match part.split_once('=') {
            Some((k, v)) if k.trim().eq_ignore_ascii_case("UNTIL") => until = Some(v.trim()),
            _ => parts.push(part),
        }
    }
    let mut rule: rrule::RRule<rrule::Unvalidated> =
        parts.join(";").parse().map_err(|e| bad(format!("{e}")))?;

    let rrule_utc = rrule::Tz::UTC;
    let dt_start = match start {
        Stamp::Day(d) => d
            .and_time(chrono::NaiveTime::MIN)
            .and_utc()
            .with_timezone(&rrule_utc),
        Stamp::At(t) => t.with_timezone(&rrule::Tz::Tz(t.timezone())),
    };
    if let Some(until) = until {
        let until_utc: DateTime<Utc> = match (start, until.len()) {
            (Stamp::Day(_), _) => {
                let date = NaiveDate::parse_from_str(until.get(..8).unwrap_or(until), "%Y%m%d")
                    .map_err(|_| bad(format!("UNTIL \"{until}\" is not a date")))?;
                date.and_time(chrono::NaiveTime::MIN).and_utc()
            }
            (Stamp::At(t), 8) => {
                let date = NaiveDate::parse_from_str(until, "%Y%m%d")
                    .map_err(|_| bad(format!("UNTIL \"{until}\" is not a date")))?;
                // The whole UNTIL day counts.
                local(date.and_time(chrono::NaiveTime::MIN), t.timezone()).with_timezone(&Utc)
                    + Duration::days(1)
                    - Duration::seconds(1)
            }
            (Stamp::At(t), _) => {
                let utc = until.ends_with(['Z', 'z']);
                let naive = NaiveDateTime::parse_from_str(
                    until.trim_end_matches(['Z', 'z']),
                    "%Y%m%dT%H%M%S",
                )
                .map_err(|_| bad(format!("UNTIL \"{until}\" is not a date-time")))?;
                if utc {
                    naive.and_utc()
                } else {
                    local(naive, t.timezone()).with_timezone(&Utc)
                }
            }
        };
        if until_utc < dt_start.with_timezone(&Utc) {
            return Err(bad(format!(
                "UNTIL \"{until}\" is before DTSTART; remove the RRULE or fix UNTIL"
            )));
        }
        rule = rule.until(until_utc.with_timezone(&rrule_utc));
    }
    rule.build(dt_start).map_err(|e| bad(format!("{e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("PT40M"), Some(Duration::minutes(40)));
        assert_eq!(parse_duration("P1DT2H"), Some(Duration::hours(26)));
        assert_eq!(parse_duration("P2W"), Some(Duration::days(14)));
        assert_eq!(parse_duration("-PT5M"), Some(Duration::minutes(-5)));
        assert_eq!(parse_duration("PT"), None);
        assert_eq!(parse_duration("40 minutes"), None);
    }

    #[test]
    fn structure_errors_name_lines() {
        let e = parse("BEGIN:VCALENDAR\nBEGIN:VEVENT\nEND:VCALENDAR\n", Tz::UTC).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("line 2"), "{}", e.message);
    }
}
