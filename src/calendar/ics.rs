//! The `ics` backend: an iCalendar (RFC 5545) file as the room calendar.
//! (Skeleton: the ICS work fills this in.)

use chrono::{DateTime, Utc};

use super::{Calendar, CalendarError, CalendarView, Event, NewBooking};
use crate::config::Config;

pub struct IcsCalendar;

impl IcsCalendar {
    pub fn from_config(_config: &Config) -> Result<IcsCalendar, CalendarError> {
        Ok(IcsCalendar)
    }
}

impl Calendar for IcsCalendar {
    fn backend(&self) -> &'static str {
        "ics"
    }
    fn events(
        &self,
        _m: &str,
        _from: DateTime<Utc>,
        _to: DateTime<Utc>,
    ) -> Result<CalendarView, CalendarError> {
        Ok(CalendarView::default())
    }
    fn book(&self, _m: &str, _b: &NewBooking) -> Result<Event, CalendarError> {
        Err(CalendarError::Unsupported("not yet".into()))
    }
    fn set_end(&self, _m: &str, _e: &Event, _n: DateTime<Utc>) -> Result<(), CalendarError> {
        Err(CalendarError::Unsupported("not yet".into()))
    }
    fn cancel(&self, _m: &str, _e: &Event) -> Result<(), CalendarError> {
        Err(CalendarError::Unsupported("not yet".into()))
    }
}
