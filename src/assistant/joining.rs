//! Starting a meeting: the calendar's meeting and its invitation, or the meeting ID and
//! PIN asked for by voice, to a join plan the dialer keys.

use super::*;

impl Assistant {
    pub(super) fn start_meeting(&mut self, now: DateTime<Utc>, sink: &mut dyn EventSink) {
        if let Some(call) = &self.call {
            let what = call
                .event
                .as_ref()
                .map_or("a meeting".to_string(), |e| format!("\"{}\"", e.subject));
            self.say(
                &format!("You're already in {what}. Say \"end the meeting\" first."),
                sink,
            );
            return;
        }
        let Some(view) = self.read_room(now, sink) else {
            return;
        };
        let window = Duration::minutes(i64::from(self.settings.assistant.start_window_minutes));
        let meeting = current_or_next(&view.events, now, window).cloned();
        let Some(event) = meeting else {
            self.ask(Pending::NewMeeting { retried: false }, sink);
            return;
        };
        self.checked_in.insert(event.id.clone());
        let plan = self.invitation_plan(&event);
        if plan.meeting_id.is_some() || plan.is_joinable() {
            self.join(plan, Some(event.subject.clone()), Some(event), sink);
        } else {
            self.say(
                &format!(
                    "I found \"{}\" but no meeting ID in the invitation.",
                    event.subject
                ),
                sink,
            );
            self.ask(
                Pending::MeetingId {
                    plan,
                    subject: Some(event.subject.clone()),
                    retried: false,
                },
                sink,
            );
        }
    }

    /// The join plan a calendar meeting's invitation gives (the room's provider and
    /// number filling in what it lacks).
    pub(super) fn invitation_plan(&self, event: &Meeting) -> JoinPlan {
        let body = match self.calendar.body(&self.settings.room.mailbox, event) {
            Ok(body) => body,
            Err(e) => {
                // The meeting is known; without its body we can still ask for the ID.
                tracing::warn!("cannot read the invitation of \"{}\": {e}", event.subject);
                None
            }
        };
        let invitation = Invitation {
            subject: &event.subject,
            body: body.as_ref(),
            location: event.location.as_deref(),
            online_meeting: event.online_meeting.as_ref(),
        };
        let mut plan = dialin::read_invitation(&invitation, &self.dial_preferences());
        if plan.provider.is_unknown() {
            if let Some(p) = &self.settings.room.provider {
                plan.provider = ProviderId::named(p);
            }
        }
        if plan.meeting_id.is_some() && plan.number.is_none() {
            plan.number = self.provider_number(&plan.provider);
            self.complete_dial_string(&mut plan);
        }
        plan
    }

    /// "Yes" to the offer: joins the meeting offered, as "start my meeting" would.
    pub(super) fn accept_offer(
        &mut self,
        event: Meeting,
        plan: JoinPlan,
        sink: &mut dyn EventSink,
    ) {
        self.checked_in.insert(event.id.clone());
        self.joining_offer = true;
        self.join(plan, Some(event.subject.clone()), Some(event), sink);
    }

    /// A meeting ID was said: ask the PIN when the provider needs one, else join.
    pub(super) fn got_meeting_id(
        &mut self,
        mut plan: JoinPlan,
        subject: Option<String>,
        digits: String,
        sink: &mut dyn EventSink,
    ) {
        if !super::MEETING_ID_LENGTHS.contains(&digits.len()) {
            let pending = Pending::MeetingId {
                plan,
                subject,
                retried: false,
            };
            self.unclear(pending, sink);
            return;
        }
        plan.meeting_id = Some(digits);
        if plan.number.is_none() {
            plan.number = self.provider_number(&plan.provider);
        }
        let needs_pin = self.pin_requirement(&plan.provider);
        if plan.passcode.is_none()
            && matches!(needs_pin, PinRequirement::Yes | PinRequirement::Optional)
        {
            self.ask(
                Pending::Pin {
                    plan,
                    subject,
                    retried: false,
                },
                sink,
            );
        } else {
            self.join(plan, subject, None, sink);
        }
    }

    /// Joins: emits the plan, dials, books the room for an instant meeting.
    pub(super) fn join(
        &mut self,
        mut plan: JoinPlan,
        subject: Option<String>,
        event: Option<Meeting>,
        sink: &mut dyn EventSink,
    ) {
        let offered = std::mem::take(&mut self.joining_offer);
        self.complete_dial_string(&mut plan);
        if !plan.is_joinable() {
            let provider = &plan.provider;
            let message = if provider.is_unknown() {
                "no dial-in number is known: the meeting names no conferencing service; set provider = \"zoom\" (the room's usual service) under [room], or number = \"+1...\" under [join.providers.<service>] in the configuration".to_string()
            } else {
                format!(
                    "no dial-in number is known for provider \"{provider}\": add number = \"+1...\" under [join.providers.{provider}] in the configuration"
                )
            };
            self.error(&message, sink);
            self.say(
                "Sorry, I don't have a dial-in number for this meeting.",
                sink,
            );
            return;
        }
        let now = self.clock.now();
        let instant_booking = if event.is_none() {
            self.instant_booking(now, sink)
        } else {
            None
        };
        // The room is in use: neither the meeting joined nor the instant booking made
        // for the call is released for want of a check-in, nor offered again.
        for id in event.iter().chain(&instant_booking).map(|e| e.id.clone()) {
            self.checked_in.insert(id.clone());
            self.offered.insert(id);
        }
        sink.emit(&Event::Join {
            plan: Box::new(plan.clone()),
            subject: subject.clone(),
        });
        let what = match &subject {
            Some(s) => format!("Joining \"{s}\""),
            None => "Joining your meeting".to_string(),
        };
        let provider = plan.provider.spoken();
        let sentence = if provider.is_empty() {
            format!("{what}.")
        } else {
            format!("{what} on {provider}.")
        };
        self.say(&sentence, sink);
        let line = match crate::join::dial(&self.settings.join, &self.settings.paths, &plan) {
            Ok(line) => line,
            Err(e) => {
                self.error(&e.to_string(), sink);
                self.say("Sorry, I couldn't start the call.", sink);
                return;
            }
        };
        let (provider, joined_subject) = (plan.provider.to_string(), subject.clone());
        self.log(|log| Record::Joined {
            at: log.local(now),
            provider,
            subject: joined_subject,
            offered,
        });
        self.call = Some(Call {
            event,
            instant_booking,
            reminded: BTreeSet::new(),
            line,
        });
        self.call_progress(sink);
    }

    pub(super) fn dial_preferences(&self) -> DialPreferences {
        DialPreferences::for_room(&self.settings.room.country, &self.settings.join.providers)
    }

    /// A plan for a meeting ID given by voice: the room's provider and its number.
    pub(super) fn voice_plan(&self) -> JoinPlan {
        let provider = self
            .settings
            .room
            .provider
            .as_deref()
            .map_or(ProviderId::UNKNOWN, ProviderId::named);
        JoinPlan {
            number: self.provider_number(&provider),
            provider,
            ..JoinPlan::default()
        }
    }

    /// The PSTN number for a provider when the invitation has none: the room's config,
    /// else the provider's published number (provider table).
    pub(super) fn provider_number(&self, provider: &ProviderId) -> Option<String> {
        self.settings
            .join
            .providers
            .get(provider.as_str())
            .and_then(|p| p.number.clone())
            .or_else(|| provider.fallback_number().map(str::to_string))
    }

    /// Whether the provider asks for a PIN: the room's config, else the provider table.
    pub(super) fn pin_requirement(&self, provider: &ProviderId) -> PinRequirement {
        self.settings
            .join
            .providers
            .get(provider.as_str())
            .and_then(|p| p.pin)
            .unwrap_or_else(|| provider.pin_requirement())
    }

    /// Fills in the dial string from number, meeting ID and PIN when the plan has none,
    /// with the provider's own phone flow (Zoom keys `*` before the passcode, ...).
    pub(super) fn complete_dial_string(&self, plan: &mut JoinPlan) {
        if plan.dial_string.is_some() {
            return;
        }
        if let (Some(number), Some(id)) = (&plan.number, &plan.meeting_id) {
            let pauses = self
                .dial_preferences()
                .pauses
                .get(plan.provider.as_str())
                .copied();
            plan.dial_string = Some(dialin::dial_string_for(
                plan.provider.as_str(),
                number,
                id,
                plan.passcode.as_deref(),
                pauses,
            ));
        }
    }
}
