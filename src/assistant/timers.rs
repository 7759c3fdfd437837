//! What the device does on its own, from the timers ([`Assistant::tick`]): end-of-meeting
//! reminders, releasing reservations nobody checked into, offering to join a meeting as
//! it starts, and noting what happened in the utilisation log.

use super::*;

impl Assistant {
    /// Timers, called regularly by live runs: end-of-meeting reminders for the call in
    /// progress, releasing reservations nobody checked into, noting reservations held,
    /// and offering to join a meeting as it starts.
    pub fn tick(&mut self, sink: &mut dyn EventSink) {
        self.call_progress(sink);
        let now = self.clock.now();
        self.remind_end(now, sink);
        // One calendar read serves every timer (a request per tick on EWS and Graph).
        let needs_calendar = self
            .settings
            .assistant
            .release_unattended_after_minutes
            .is_some()
            || self.settings.assistant.proactive_join
            || self.utilisation.is_some();
        let view = if needs_calendar {
            self.read_room_quiet(now)
        } else {
            None
        };
        let Some(view) = view else { return };
        self.release_unattended(&view, now, sink);
        self.watch_reservations(&view, now);
        self.offer_to_join(&view, now, sink);
    }

    // ---- first turns ---------------------------------------------------------------

    pub(super) fn remind_end(&mut self, now: DateTime<Utc>, sink: &mut dyn EventSink) {
        let reminders = self.settings.assistant.end_reminders_minutes.clone();
        let Some(call) = &mut self.call else { return };
        let Some(end) = call
            .event
            .as_ref()
            .or(call.instant_booking.as_ref())
            .map(|e| e.end)
        else {
            return;
        };
        let left = (end - now).num_minutes();
        let due = reminders
            .iter()
            .copied()
            .filter(|m| i64::from(*m) >= left && left >= 0 && !call.reminded.contains(m))
            .min();
        if let Some(m) = due {
            call.reminded.extend(reminders.iter().filter(|r| **r >= m));
            let sentence = match left {
                0 => "This meeting is ending now.".to_string(),
                1 => "This meeting ends in 1 minute.".to_string(),
                n => format!("This meeting ends in {n} minutes."),
            };
            self.say(&sentence, sink);
        }
    }

    pub(super) fn release_unattended(
        &mut self,
        view: &CalendarView,
        now: DateTime<Utc>,
        sink: &mut dyn EventSink,
    ) {
        let Some(after) = self.settings.assistant.release_unattended_after_minutes else {
            return;
        };
        let grace = Duration::minutes(i64::from(after));
        let in_call = self
            .call
            .as_ref()
            .and_then(|c| c.event.as_ref())
            .map(|e| e.id.clone());
        let unattended: Vec<Meeting> = view
            .events
            .iter()
            .filter(|e| !e.all_day && e.start + grace <= now && now < e.end)
            .filter(|e| !self.checked_in.contains(&e.id) && in_call.as_ref() != Some(&e.id))
            .cloned()
            .collect();
        for event in unattended {
            match self.calendar.cancel(&self.settings.room.mailbox, &event) {
                Ok(()) => {
                    sink.emit(&Event::Released {
                        subject: event.subject.clone(),
                    });
                    self.released.insert(event.id.clone());
                    self.log(|log| Record::Released {
                        at: log.local(now),
                        start: log.local(event.start),
                        end: log.local(event.end),
                        subject: event.subject.clone(),
                    });
                    self.say(
                        &format!(
                            "Nobody checked in to \"{}\", so I've released the room.",
                            event.subject
                        ),
                        sink,
                    );
                }
                Err(e) => tracing::warn!("could not release \"{}\": {e}", event.subject),
            }
            self.checked_in.insert(event.id);
        }
    }

    /// Notes reservations in progress, and logs each as held once its end has passed
    /// (or it left the calendar while on). Only meetings this run saw in progress are
    /// logged, so a restarted device logs none twice.
    pub(super) fn watch_reservations(&mut self, view: &CalendarView, now: DateTime<Utc>) {
        if self.utilisation.is_none() {
            return;
        }
        for event in view
            .events
            .iter()
            .filter(|e| !e.all_day && e.is_active_at(now))
        {
            self.watched.insert(event.id.clone(), event.clone());
        }
        let over: Vec<Meeting> = self
            .watched
            .values()
            .filter_map(|seen| {
                match view.events.iter().find(|e| e.id == seen.id) {
                    Some(fresh) if fresh.end > now => None,
                    // Ended: with its end as the calendar has it now (ended early, extended).
                    Some(fresh) => Some(fresh.clone()),
                    // Gone from the calendar while on (cancelled): it was held until now.
                    None => {
                        let mut gone = seen.clone();
                        gone.end = gone.end.min(now);
                        Some(gone)
                    }
                }
            })
            .collect();
        for event in over {
            self.watched.remove(&event.id);
            if self.released.contains(&event.id) {
                continue; // logged as released
            }
            let attended = self.checked_in.contains(&event.id);
            self.log(|log| Record::MeetingHeld {
                start: log.local(event.start),
                end: log.local(event.end),
                subject: event.subject.clone(),
                attended,
            });
        }
    }

    /// Proactive join: as a meeting starts (or `proactive_join_minutes_before`), offers
    /// to join it, once per meeting. No offer during a call or while a question is
    /// open (the offer waits for the next tick), nor for a meeting already joined or
    /// released, nor for one whose invitation has nothing to join (a meeting in person).
    pub(super) fn offer_to_join(
        &mut self,
        view: &CalendarView,
        now: DateTime<Utc>,
        sink: &mut dyn EventSink,
    ) {
        if !self.settings.assistant.proactive_join || self.call.is_some() || self.pending.is_some()
        {
            return;
        }
        let before = Duration::minutes(i64::from(
            self.settings.assistant.proactive_join_minutes_before,
        ));
        let due: Vec<Meeting> = view
            .events
            .iter()
            .filter(|e| {
                !e.all_day
                    && e.start - before <= now
                    && now < (e.start + OFFER_UNTIL_AFTER_START).min(e.end)
            })
            .filter(|e| !self.offered.contains(&e.id) && !self.released.contains(&e.id))
            .cloned()
            .collect();
        for event in due {
            self.offered.insert(event.id.clone());
            let plan = self.invitation_plan(&event);
            if plan.meeting_id.is_none() && !plan.is_joinable() {
                tracing::debug!(
                    "no offer to join \"{}\": its invitation has no dial-in",
                    event.subject
                );
                continue;
            }
            sink.emit(&Event::Offer {
                subject: event.subject.clone(),
                start: event.start,
            });
            self.ask(
                Pending::Offer {
                    event: Box::new(event),
                    plan: Box::new(plan),
                    retried: false,
                },
                sink,
            );
            return;
        }
    }

    // ---- utilisation log -----------------------------------------------------------------

    pub(super) fn log_booked(&mut self, event: &Meeting, how: &str) {
        let now = self.clock.now();
        self.log(|log| Record::Booked {
            at: log.local(now),
            start: log.local(event.start),
            end: log.local(event.end),
            subject: event.subject.clone(),
            how: how.to_string(),
        });
    }

    pub(super) fn log_call_ended(&mut self, by: &str) {
        let now = self.clock.now();
        let subject = self
            .call
            .as_ref()
            .and_then(|c| c.event.as_ref())
            .map(|e| e.subject.clone());
        self.log(|log| Record::Ended {
            at: log.local(now),
            by: by.to_string(),
            subject,
        });
    }

    // ---- helpers ---------------------------------------------------------------------------
}
