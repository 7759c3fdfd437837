//! What the device does to the room's calendar when asked: whether the room is free, who
//! booked it, booking it, ending or extending the meeting, checking in, the user's own
//! calendar.

use super::*;

impl Assistant {
    /// Instant booking: when a meeting is started in a free room, book it for the
    /// configured duration (shortened to the next booking).
    pub(super) fn instant_booking(
        &mut self,
        now: DateTime<Utc>,
        sink: &mut dyn EventSink,
    ) -> Option<Meeting> {
        let minutes = self.settings.assistant.instant_booking_minutes?;
        let view = self.read_room_quiet(now)?;
        if view
            .events
            .iter()
            .any(|e| e.is_active_at(now) && !e.all_day)
        {
            return None;
        }
        let mut end = now + Duration::minutes(i64::from(minutes));
        if let Some(next) = view
            .events
            .iter()
            .filter(|e| e.start > now && !e.all_day)
            .map(|e| e.start)
            .min()
        {
            end = end.min(next);
        }
        let booking = NewBooking {
            subject: format!("Instant meeting in {}", self.settings.room.name),
            start: now,
            end,
            body: Some("Booked by roomvoice when a meeting was started in a free room.".into()),
        };
        match self.calendar.book(&self.settings.room.mailbox, &booking) {
            Ok(event) => {
                sink.emit(&Event::booked(&event));
                self.log_booked(&event, "instant");
                Some(event)
            }
            Err(e) => {
                tracing::warn!("instant booking failed: {e}");
                None
            }
        }
    }

    pub(super) fn end_meeting(&mut self, now: DateTime<Utc>, sink: &mut dyn EventSink) {
        if self.call.is_none() {
            self.say("There's no meeting in progress.", sink);
            return;
        }
        self.log_call_ended("room");
        let Some(call) = self.call.take() else { return };
        sink.emit(&Event::Hangup {});
        if let Some(mut line) = call.line {
            let progress = line.hang_up();
            self.report_call(progress, sink);
        }
        if let Some(booking) = call.instant_booking {
            if booking.end > now {
                let end = now.max(booking.start + Duration::minutes(1));
                match self
                    .calendar
                    .set_end(&self.settings.room.mailbox, &booking, end)
                {
                    Ok(()) => sink.emit(&Event::Updated {
                        subject: booking.subject.clone(),
                        end,
                    }),
                    Err(e) => tracing::warn!("could not end the instant booking early: {e}"),
                }
            }
        }
        self.say("Ending the meeting. Goodbye.", sink);
    }

    // ---- room questions --------------------------------------------------------------

    pub(super) fn room_free(&mut self, now: DateTime<Utc>, sink: &mut dyn EventSink) {
        let Some(view) = self.read_room(now, sink) else {
            return;
        };
        let end_of_day = self.speaker.end_of_day(now);
        let sentence = match busy_block(&view.events, now) {
            Some((until, current)) => {
                let by = current
                    .organizer
                    .as_ref()
                    .map(|p| format!(" by {}", p.spoken()))
                    .unwrap_or_default();
                if until >= end_of_day {
                    format!("This room is booked for the rest of the day{by}.")
                } else {
                    format!(
                        "This room is booked until {}{by}.",
                        self.speaker.time(until, now)
                    )
                }
            }
            None => match next_start(&view.events, now) {
                Some(next) if next < end_of_day => {
                    format!("This room is free until {}.", self.speaker.time(next, now))
                }
                _ => "This room is free for the rest of the day.".to_string(),
            },
        };
        self.say_with_staleness(&sentence, &view, now, sink);
    }

    pub(super) fn who_booked(&mut self, now: DateTime<Utc>, sink: &mut dyn EventSink) {
        let Some(view) = self.read_room(now, sink) else {
            return;
        };
        let end_of_day = self.speaker.end_of_day(now);
        let mut parts = Vec::new();
        let current = view
            .events
            .iter()
            .filter(|e| e.is_active_at(now) && !e.all_day)
            .max_by_key(|e| e.start);
        match current {
            Some(e) => parts.push(format!(
                "\"{}\" is on now until {}{}.",
                e.subject,
                self.speaker.time(e.end, now),
                booked_by(e)
            )),
            None => parts.push("Nobody has booked this room right now.".to_string()),
        }
        let next = view
            .events
            .iter()
            .filter(|e| e.start > now && !e.all_day)
            .min_by_key(|e| e.start);
        match next {
            Some(e) if e.start < end_of_day => parts.push(format!(
                "Next is \"{}\" at {}{}.",
                e.subject,
                self.speaker.time(e.start, now),
                booked_by(e)
            )),
            _ => parts.push("Nothing else is booked today.".to_string()),
        }
        self.say_with_staleness(&parts.join(" "), &view, now, sink);
    }

    pub(super) fn check_in(&mut self, now: DateTime<Utc>, sink: &mut dyn EventSink) {
        let Some(view) = self.read_room(now, sink) else {
            return;
        };
        let window = Duration::minutes(i64::from(self.settings.assistant.start_window_minutes));
        match current_or_next(&view.events, now, window) {
            Some(e) => {
                let subject = e.subject.clone();
                self.checked_in.insert(e.id.clone());
                self.say(&format!("You're checked in to \"{subject}\"."), sink);
            }
            None => self.say("There's no reservation to check in to right now.", sink),
        }
    }

    // ---- booking -------------------------------------------------------------------------

    pub(super) fn book_room(
        &mut self,
        minutes: Option<u32>,
        until: Option<SpokenTime>,
        now: DateTime<Utc>,
        sink: &mut dyn EventSink,
    ) {
        let start = now;
        let end = match (minutes, until) {
            (Some(m), _) => start + Duration::minutes(i64::from(m)),
            (None, Some(t)) => match self.resolve_time(t, now) {
                Ok(end) => end,
                Err(sentence) => {
                    self.say(&sentence, sink);
                    return;
                }
            },
            (None, None) => {
                let m = self
                    .settings
                    .assistant
                    .instant_booking_minutes
                    .unwrap_or(30);
                start + Duration::minutes(i64::from(m))
            }
        };
        if end - start > Duration::hours(12) {
            self.say("I can book this room for up to 12 hours at a time.", sink);
            return;
        }
        let Some(view) = self.read_room(now, sink) else {
            return;
        };
        if let Some((until, current)) = busy_block(&view.events, now) {
            let by = current
                .organizer
                .as_ref()
                .map(|p| format!(" by {}", p.spoken()))
                .unwrap_or_default();
            let until = self.speaker.time(until, now);
            self.say(&format!("The room is booked until {until}{by}."), sink);
            return;
        }
        match view
            .events
            .iter()
            .filter(|e| e.start > now && e.start < end)
            .min_by_key(|e| e.start)
        {
            Some(conflict) => {
                let at = self.speaker.time(conflict.start, now);
                let until = conflict.start;
                self.say(
                    &format!("The room is booked at {at}; I can book it until then."),
                    sink,
                );
                self.ask(
                    Pending::Book {
                        start,
                        end: until,
                        retried: false,
                    },
                    sink,
                );
            }
            None => self.book(start, end, sink),
        }
    }

    pub(super) fn book(
        &mut self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        sink: &mut dyn EventSink,
    ) {
        let now = self.clock.now();
        if end <= now {
            self.say("That time has already passed.", sink);
            return;
        }
        let booking = NewBooking {
            subject: format!("Booked in {} by voice", self.settings.room.name),
            start,
            end,
            body: Some("Booked by roomvoice from the room.".into()),
        };
        match self.calendar.book(&self.settings.room.mailbox, &booking) {
            Ok(event) => {
                sink.emit(&Event::booked(&event));
                self.log_booked(&event, "voice");
                self.checked_in.insert(event.id.clone());
                let until = self.speaker.time(event.end, now);
                self.say(
                    &format!("Okay, {} is yours until {until}.", self.settings.room.name),
                    sink,
                );
            }
            Err(CalendarError::Conflict { conflict }) => {
                let at = self.speaker.time(conflict.start.max(now), now);
                self.say(
                    &format!("Sorry, the room was just booked at {at} by someone else."),
                    sink,
                );
            }
            Err(e) => self.calendar_failed(&e, sink),
        }
    }

    pub(super) fn extend_meeting(
        &mut self,
        minutes: u32,
        now: DateTime<Utc>,
        sink: &mut dyn EventSink,
    ) {
        let Some(view) = self.read_room(now, sink) else {
            return;
        };
        let Some(current) = view
            .events
            .iter()
            .filter(|e| e.is_active_at(now) && !e.all_day)
            .max_by_key(|e| e.start)
            .cloned()
        else {
            self.say("There's no meeting in progress to extend.", sink);
            return;
        };
        let wanted = current.end + Duration::minutes(i64::from(minutes));
        let next = view
            .events
            .iter()
            .filter(|e| {
                e.id != current.id && !e.all_day && e.start >= current.end && e.start < wanted
            })
            .min_by_key(|e| e.start);
        match next {
            Some(next) if next.start <= current.end => {
                let by = booked_by(next);
                self.say(
                    &format!("Sorry, the room is booked right after this meeting{by}, so I can't extend it."),
                    sink,
                );
            }
            Some(next) => {
                let at = self.speaker.time(next.start, now);
                let new_end = next.start;
                self.say(
                    &format!("The room is booked at {at}; I can extend the meeting until then."),
                    sink,
                );
                self.ask(
                    Pending::Extend {
                        event: Box::new(current),
                        new_end,
                        retried: false,
                    },
                    sink,
                );
            }
            None => self.set_end(&current, wanted, sink),
        }
    }

    pub(super) fn set_end(
        &mut self,
        event: &Meeting,
        new_end: DateTime<Utc>,
        sink: &mut dyn EventSink,
    ) {
        let now = self.clock.now();
        match self
            .calendar
            .set_end(&self.settings.room.mailbox, event, new_end)
        {
            Ok(()) => {
                sink.emit(&Event::Updated {
                    subject: event.subject.clone(),
                    end: new_end,
                });
                self.say(
                    &format!(
                        "Done. The meeting now ends at {}.",
                        self.speaker.time(new_end, now)
                    ),
                    sink,
                );
            }
            Err(CalendarError::Conflict { conflict }) => {
                let at = self.speaker.time(conflict.start, now);
                self.say(&format!("Sorry, the room was just booked at {at}."), sink);
            }
            Err(e) => self.calendar_failed(&e, sink),
        }
    }

    // ---- personal calendar -------------------------------------------------------------

    pub(super) fn my_calendar(&mut self, now: DateTime<Utc>, sink: &mut dyn EventSink) {
        let Some(user) = self.settings.user.clone() else {
            self.say("No personal calendar is linked to this device.", sink);
            return;
        };
        let end_of_day = self.speaker.end_of_day(now);
        let view = match self.calendar.events(&user.mailbox, now, end_of_day) {
            Ok(view) => view,
            Err(e) => return self.calendar_failed_for(CalendarOwner::User, &e, sink),
        };
        let upcoming: Vec<String> = view
            .events
            .iter()
            .filter(|e| e.end > now)
            .map(|e| {
                if e.all_day {
                    format!("\"{}\" all day", e.subject)
                } else if e.start <= now {
                    format!(
                        "\"{}\" now, until {}",
                        e.subject,
                        self.speaker.time(e.end, now)
                    )
                } else {
                    format!("\"{}\" at {}", e.subject, self.speaker.time(e.start, now))
                }
            })
            .collect();
        let sentence = match upcoming.len() {
            0 => format!(
                "{}, you have nothing else on your calendar today.",
                user.name
            ),
            1 => format!(
                "{}, you have one more thing today: {}.",
                user.name, upcoming[0]
            ),
            n => format!(
                "{}, you have {n} more things today: {}.",
                user.name,
                answers::list(&upcoming)
            ),
        };
        self.say_with_staleness(&sentence, &view, now, sink);
    }

    pub(super) fn add_event(
        &mut self,
        title: Option<String>,
        start: SpokenTime,
        minutes: u32,
        now: DateTime<Utc>,
        sink: &mut dyn EventSink,
    ) {
        let Some(user) = self.settings.user.clone() else {
            self.say("No personal calendar is linked to this device.", sink);
            return;
        };
        let start = match self.resolve_time(start, now) {
            Ok(t) => t,
            Err(sentence) => return self.say(&sentence, sink),
        };
        let title = title
            .map(|t| capitalise(&t))
            .unwrap_or_else(|| "Event".into());
        let booking = NewBooking {
            subject: title.clone(),
            start,
            end: start + Duration::minutes(i64::from(minutes)),
            body: Some(format!("Added by voice in {}.", self.settings.room.name)),
        };
        match self.calendar.book(&user.mailbox, &booking) {
            Ok(event) => {
                sink.emit(&Event::booked(&event));
                let at = self.speaker.time(event.start, now);
                self.say(
                    &format!("I've added \"{title}\" at {at} to your calendar."),
                    sink,
                );
            }
            Err(CalendarError::Conflict { conflict }) => {
                let at = self.speaker.time(conflict.start, now);
                self.say(
                    &format!("You already have \"{}\" at {at}.", conflict.subject),
                    sink,
                );
            }
            Err(e) => self.calendar_failed_for(CalendarOwner::User, &e, sink),
        }
    }

    // ---- timers ----------------------------------------------------------------------------
}
