//! The provider table: every conferencing service the reader knows, as data.
//!
//! One [`Provider`] row says how to recognise a service (join-link patterns, words that
//! name it in an invitation), which labels introduce its meeting ID and its PIN, and how
//! its phone bridge wants the digits keyed ([`DialFlow`]: terminators, pauses). The
//! reader in `reader.rs` walks this table; it has no provider-specific branches of its
//! own, so adding a service is adding a row (and a fixture). Over 600 lines because it
//! is that table: 20-odd services, each in eight languages.
//!
//! Localised invitations are rows too: each provider's [`Local`] entries give the
//! markers and labels its German, French, Spanish, Portuguese, Italian, Dutch and
//! Japanese invitations print, and [`DIAL_IN_WORDS`], [`TOLL_FREE_WORDS`] and
//! [`WEB_PASSWORD_LABELS`] the words of dial-in sections in those languages.
//!
//! Dial-in providers come first, with the flows their published invitations print in
//! their one-tap strings. After them come the join links that desktop meeting-link tools
//! recognise (MeetingBar's list of about 70 services): those have no phone bridge we
//! know of, so they only give the plan its provider and URL.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

use super::{Pauses, PinRequirement};

/// How a provider's phone bridge wants the digits keyed after the number answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DialFlow {
    /// Pauses used when the room config names none for this provider.
    pub default_pauses: Pauses,
    /// Keyed after the meeting ID (`#` for every bridge we know).
    pub id_terminator: &'static str,
    /// Keyed before the PIN: Zoom's bridge wants `*` before a passcode.
    pub pin_prefix: &'static str,
    /// Keyed after the PIN.
    pub pin_terminator: &'static str,
    /// Keyed when there is no PIN but the bridge still asks for one (or for an
    /// attendee ID) and `#` skips the prompt: Webex and BlueJeans.
    pub skip_pin: Option<&'static str>,
    /// Whether the bridge asks for a PIN, when `[join.providers.<id>] pin` does not say.
    pub pin: PinRequirement,
    /// The bridge's published number (E.164) for a meeting ID given by voice, when the
    /// invitation and `[join.providers.<id>] number` give none.
    pub fallback_number: Option<&'static str>,
}

const fn flow(before_meeting_id: u32, before_pin: u32) -> DialFlow {
    DialFlow {
        default_pauses: Pauses {
            before_meeting_id,
            before_pin,
        },
        id_terminator: "#",
        pin_prefix: "",
        pin_terminator: "#",
        skip_pin: None,
        pin: PinRequirement::No,
        fallback_number: None,
    }
}

/// One conferencing service.
#[derive(Debug)]
pub(crate) struct Provider {
    /// Stable provider id (the `provider` field of the plan and of `join` events).
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// How the device names the service when it joins ("Joining ... on Webex"); empty:
    /// not named.
    pub spoken: &'static str,
    /// Join-link patterns (matched against unwrapped URLs, case-insensitive).
    pub links: &'static [&'static str],
    /// Capture group 1 of this pattern, applied to a join link, is the meeting ID the
    /// phone bridge also takes (Zoom `/j/ID`, Chime, GoTo...).
    pub link_meeting_id: Option<&'static str>,
    /// Capture group 1 of this pattern, applied to a join link, is the phone PIN
    /// (BlueJeans puts the participant passcode after the meeting ID).
    pub link_passcode: Option<&'static str>,
    /// Phrases (lowercase) that name the service in an invitation's text.
    pub markers: &'static [&'static str],
    /// Labels (regex alternation, lowercase) that introduce the meeting ID on the phone.
    pub id_labels: &'static str,
    /// Inclusive digit count range of a meeting ID.
    pub id_digits: (usize, usize),
    /// Labels that introduce the phone PIN / passcode.
    pub pin_labels: &'static str,
    /// The phone flow; `None` for services without a phone bridge we know of.
    pub dial: Option<DialFlow>,
    /// The same markers and labels as the provider's localised invitations print them.
    pub local: &'static [Local],
}

/// A provider's markers and labels in one language of its localised invitations
/// (the English ones are the row's own fields). Labels are regex alternations, in
/// lowercase; the reader matches them case-insensitively, like the English ones.
#[derive(Debug)]
pub(crate) struct Local {
    /// BCP 47 language ("de", "fr", "es", "pt", "it", "nl", "ja").
    pub lang: &'static str,
    /// Phrases (lowercase) that name the service.
    pub markers: &'static [&'static str],
    /// Labels of the meeting ID keyed on the phone.
    pub id_labels: &'static str,
    /// Labels of the phone PIN / passcode (a value with letters is a web password).
    pub pin_labels: &'static str,
}

impl Provider {
    /// Every ID label of the row, English and localised, as one alternation.
    pub(crate) fn all_id_labels(&self) -> String {
        join_labels(self.id_labels, self.local.iter().map(|l| l.id_labels))
    }

    /// Every PIN label of the row, English and localised, as one alternation.
    pub(crate) fn all_pin_labels(&self) -> String {
        join_labels(self.pin_labels, self.local.iter().map(|l| l.pin_labels))
    }

    /// Every marker of the row, English and localised.
    pub(crate) fn all_markers(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.markers
            .iter()
            .chain(self.local.iter().flat_map(|l| l.markers.iter()))
            .copied()
    }
}

/// An alternation of words or labels with a word boundary on each side of each
/// alternative that begins or ends with an ASCII letter or digit: `(?-u:\b)`, the
/// ASCII boundary, so that the regex engine's fast DFA also runs on lines with non-ASCII
/// text (a Unicode `\b` makes it fall back to a much slower engine there). Alternatives
/// that begin or end with other letters ("über telefon", "パスコード") get no boundary
/// on that side: an ASCII boundary would never match beside them.
pub(crate) fn bounded(alternation: &str) -> String {
    let mut out = String::with_capacity(alternation.len() * 2);
    for (i, alt) in split_alternatives(alternation).into_iter().enumerate() {
        if i > 0 {
            out.push('|');
        }
        let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        let starts = word(alt.chars().next());
        // An escaped last character (`\)`) is not a word character.
        let last = alt.chars().next_back();
        let before_last = &alt[..alt.len() - last.map_or(0, char::len_utf8)];
        let ends = word(last) && !before_last.ends_with('\\');
        if starts {
            out.push_str(r"(?-u:\b)");
        }
        out.push_str("(?:");
        out.push_str(alt);
        out.push(')');
        if ends {
            out.push_str(r"(?-u:\b)");
        }
    }
    out
}

/// The top-level alternatives of a regex alternation (not those inside groups).
fn split_alternatives(alternation: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start, mut escaped) = (0i32, 0usize, false);
    for (i, c) in alternation.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '(' => depth += 1,
            ')' => depth -= 1,
            '|' if depth == 0 => {
                out.push(&alternation[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&alternation[start..]);
    out.retain(|a| !a.is_empty());
    out
}

fn join_labels<'a>(english: &'a str, local: impl Iterator<Item = &'a str>) -> String {
    std::iter::once(english)
        .chain(local)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("|")
}

pub(crate) const GENERIC_ID_LABELS: &str = r"meeting id|meeting number|conference id|conference code|access code|participant code|passcode id|bridge id|bridge number|room number|meeting code";
pub(crate) const GENERIC_PIN_LABELS: &str = r"participant pin|participant passcode|attendee pin|attendee passcode|meeting passcode|meeting password|numeric passcode|numeric password|phone passcode|passcode|password|pin";

/// A row for a service known only by its join link.
macro_rules! link {
    ($id:literal, $name:literal, $pattern:literal) => {
        Provider {
            id: $id,
            name: $name,
            spoken: "",
            links: &[$pattern],
            link_meeting_id: None,
            link_passcode: None,
            markers: &[],
            id_labels: "",
            id_digits: (0, 0),
            pin_labels: "",
            dial: None,
            local: &[],
        }
    };
}

/// One [`Local`] row, for the tables below.
macro_rules! local {
    ($lang:literal, [$($marker:literal),*], $id:literal, $pin:literal) => {
        Local {
            lang: $lang,
            markers: &[$($marker),*],
            id_labels: $id,
            pin_labels: $pin,
        }
    };
}

// Localised labels, as the providers' invitations print them in German, French,
// Spanish, Portuguese, Italian, Dutch and Japanese. Where a word means one thing for
// one provider and another for the next (Webex's "código de acceso" is its meeting
// number, Zoom's is the passcode), the rows say so provider by provider.

const ZOOM_LOCAL: &[Local] = &[
    local!(
        "de",
        [
            "zoom-meeting",
            "zoom-webinar",
            "einwahl nach aktuellem standort"
        ],
        r"meeting-id|webinar-id",
        r"kenncode|passwort|kennwort"
    ),
    local!(
        "fr",
        ["réunion zoom", "webinaire zoom"],
        r"id de réunion|id de webinaire|identifiant de réunion",
        r"code secret|mot de passe"
    ),
    local!(
        "es",
        ["reunión zoom", "reunión de zoom", "seminario web de zoom"],
        r"id de reunión|id de seminario web|id del seminario web",
        r"código de acceso|contraseña"
    ),
    local!(
        "pt",
        ["reunião zoom", "reunião do zoom", "webinar zoom"],
        r"id da reunião|id do webinar|id do webinário",
        r"senha|código de acesso"
    ),
    local!(
        "it",
        ["riunione zoom", "riunione in zoom", "webinar zoom"],
        r"id riunione|id della riunione|id webinar",
        r"passcode|password"
    ),
    local!(
        "nl",
        ["zoom-vergadering", "zoom-webinar"],
        r"vergader-id|vergadering-id|webinar-id",
        r"toegangscode|wachtwoord"
    ),
    local!(
        "ja",
        ["zoomミーティング", "zoom ミーティング", "zoomウェビナー"],
        r"ミーティング ?id|ウェビナー ?id",
        r"パスコード|パスワード"
    ),
];

// Teams: only the phone conference ID is keyed; the app's meeting ID ("Besprechungs-ID",
// "ID de réunion", ...) is in [`TEAMS_APP_ID_LABELS`].
const TEAMS_LOCAL: &[Local] = &[
    local!(
        "de",
        ["microsoft teams-besprechung", "teams-besprechung"],
        r"telefonkonferenz-id|konferenz-id",
        ""
    ),
    local!(
        "fr",
        ["réunion microsoft teams"],
        r"id de conférence téléphonique|id de la conférence téléphonique|id de conférence",
        ""
    ),
    local!(
        "es",
        ["reunión de microsoft teams"],
        r"id\. de conferencia telefónica|id de conferencia telefónica|id\. de conferencia|id de conferencia",
        ""
    ),
    local!(
        "pt",
        ["reunião do microsoft teams"],
        r"id da conferência telefônica|id de conferência telefónica|id da conferência|id de conferência",
        ""
    ),
    local!(
        "it",
        ["riunione di microsoft teams"],
        r"id conferenza telefonica|id della conferenza telefonica|id conferenza",
        ""
    ),
    local!(
        "nl",
        ["microsoft teams-vergadering"],
        r"telefonische vergadering-id|id van telefonische vergadering|telefonische conferentie-id|conferentie-id",
        ""
    ),
    local!("ja", ["microsoft teams 会議"], r"電話会議 ?id", ""),
];

/// Labels of the Teams app's meeting ID (not keyed on the phone), every language.
pub(crate) const TEAMS_APP_ID_LABELS: &str = r"meeting id|besprechungs-id|id de réunion|id\. de reunión|id de reunión|id da reunião|id riunione|vergadering-id|会議 ?id";

const WEBEX_LOCAL: &[Local] = &[
    local!(
        "de",
        ["webex-meeting"],
        r"meeting-kennnummer|meeting-nummer|zugriffscode",
        r"meeting-passwort|passwort|kennwort"
    ),
    local!(
        "fr",
        ["réunion webex"],
        r"numéro de (?:la )?réunion|code d'accès|code d’accès",
        r"mot de passe de (?:la )?réunion|mot de passe"
    ),
    local!(
        "es",
        ["reunión de webex", "reunión webex"],
        r"número de (?:la )?reunión|código de acceso",
        r"contraseña de (?:la )?reunión|contraseña"
    ),
    local!(
        "pt",
        ["reunião do webex", "reunião webex"],
        r"número da reunião|código de acesso",
        r"senha da reunião|senha"
    ),
    local!(
        "it",
        ["riunione webex"],
        r"numero (?:della )?riunione|codice di accesso",
        r"password (?:della )?riunione|password"
    ),
    local!(
        "nl",
        ["webex-vergadering"],
        r"vergadernummer|toegangscode",
        r"vergaderwachtwoord|wachtwoord"
    ),
    local!(
        "ja",
        ["webex ミーティング", "webexミーティング"],
        r"ミーティング番号|アクセス ?コード",
        r"ミーティング ?パスワード|パスワード"
    ),
];

// Google Meet's bridge takes the "PIN", which identifies the meeting.
const MEET_LOCAL: &[Local] = &[
    local!("de", ["mit google meet teilnehmen"], r"pin", ""),
    local!("fr", ["participer avec google meet"], r"code pin|pin", ""),
    local!("es", ["unirse con google meet"], r"pin", ""),
    local!("pt", ["participar com o google meet"], r"pin", ""),
    local!("it", ["partecipa con google meet"], r"pin", ""),
    local!("nl", ["deelnemen met google meet"], r"pincode|pin", ""),
    local!("ja", ["google meet に参加"], r"pin|暗証番号", ""),
];

const GOTO_LOCAL: &[Local] = &[
    local!("de", [], r"zugangscode", ""),
    local!("fr", [], r"code d'accès|code d’accès", ""),
    local!("es", [], r"código de acceso", ""),
    local!("pt", [], r"código de acesso", ""),
    local!("it", [], r"codice di accesso", ""),
    local!("nl", [], r"toegangscode", ""),
];

const GENERIC_LOCAL: &[Local] = &[
    local!(
        "de",
        [],
        r"meeting-id|besprechungs-id|konferenz-id|konferenzkennung|zugangscode|einwahlcode|teilnehmercode",
        r"teilnehmer-pin|kennwort|passwort|kenncode"
    ),
    local!(
        "fr",
        [],
        r"id de réunion|id de conférence|code de conférence|code participant|code d'accès|code d’accès",
        r"code pin|mot de passe|code secret"
    ),
    local!(
        "es",
        [],
        r"id de reunión|id de conferencia|código de conferencia|código de participante|código de acceso",
        r"contraseña"
    ),
    local!(
        "pt",
        [],
        r"id da reunião|id da conferência|código da conferência|código do participante|código de acesso",
        r"senha"
    ),
    local!(
        "it",
        [],
        r"id riunione|id conferenza|codice conferenza|codice partecipante|codice di accesso",
        r"password"
    ),
    local!(
        "nl",
        [],
        r"vergader-id|vergadering-id|conferentie-id|deelnemerscode|toegangscode",
        r"pincode|wachtwoord"
    ),
    local!(
        "ja",
        [],
        r"会議 ?id|ミーティング ?id|会議番号|アクセス ?コード|参加者コード",
        r"パスコード|パスワード|暗証番号"
    ),
];

/// Words that open or mark a dial-in section, by language (regex alternations; the
/// English ones are the reader's own). Word boundaries are added by [`bounded`].
pub(crate) const DIAL_IN_WORDS: &[(&str, &str)] = &[
    (
        "de",
        r"einwahl\w*|einwählen|per telefon|über telefon|telefonisch|nur audio|schnelleinwahl|rufnummer\w*|telefonnummer\w*|telefonkonferenz|ortseinwahl|oder wählen sie",
    ),
    (
        "fr",
        r"par téléphone|audio uniquement|composez|numéros? de téléphone|une seule touche|ou appelez|conférence téléphonique|numéros? d'appel|numéro local",
    ),
    (
        "es",
        r"por teléfono|solo audio|marcar|marque|números? de teléfono|móvil con un toque|conferencia telefónica|número local",
    ),
    (
        "pt",
        r"por telefone|somente áudio|apenas áudio|disque|números? de telefone|toque único|conferência telefônica|número local",
    ),
    (
        "it",
        r"per telefono|tramite telefono|solo audio|componi|numeri? di telefono|conferenza telefonica|numero locale",
    ),
    (
        "nl",
        r"inbellen|inbelnummers?|per telefoon|via telefoon|alleen audio|bellen op basis|telefoonnummers?|één tik|telefonische vergadering",
    ),
    (
        "ja",
        r"電話で参加|電話番号|ダイヤル|ダイアル|音声のみ|ワンタップ|電話会議",
    ),
];

/// Words beside a number that say it is toll-free, every language.
pub(crate) const TOLL_FREE_WORDS: &str = r"toll[- ]?free|freephone|free ?call|gratuit|numéro vert|kostenfrei|gebührenfrei|gratuito|grátis|numero verde|gratis|フリーダイヤル|通話料無料";

/// Words that label a password shown to web users (with letters it is not keyed on
/// the phone), every language.
pub(crate) const WEB_PASSWORD_LABELS: &str = r"passcode|password|kenncode|kennung|kennwort|passwort|code secret|mot de passe|contraseña|código de acceso|senha|wachtwoordcode|wachtwoord|toegangscode|パスコード|パスワード";

/// The table. Order matters only where patterns overlap: more specific rows first.
pub(crate) static PROVIDERS: &[Provider] = &[
    Provider {
        id: "zoom",
        name: "Zoom",
        spoken: "Zoom",
        links: &[
            r"^https?://(?:[a-z0-9-]+\.)*zoomgov\.com/(?:j|my|w|s|wc/join)/[^\s]*",
            r"^https?://(?:[a-z0-9-]+\.)*zoom(?:-x)?\.(?:us|com|com\.cn|de)/(?:j|my|w|s|wc/join|webinar)/[^\s]*",
            r"^zoommtg://(?:[a-z0-9-]+\.)*zoom(?:gov)?\.(?:us|com)/join[^\s]*",
        ],
        link_meeting_id: Some(r"/(?:j|w|s|wc/join)/(\d{9,11})\b|confno=(\d{9,11})\b"),
        link_passcode: None,
        markers: &[
            "zoom meeting",
            "zoom webinar",
            "zoomgov",
            "join by sip",
            "dial by your location",
            "webinar id",
            "iphone one-tap",
        ],
        id_labels: r"meeting id|webinar id|meeting number",
        id_digits: (9, 11),
        pin_labels: r"numeric passcode|passcode|password|pin",
        dial: Some(DialFlow {
            pin_prefix: "*",
            pin: PinRequirement::Yes,
            // Zoom's published US (New York) dial-in.
            fallback_number: Some("+16465588656"),
            ..flow(2, 4)
        }),
        local: ZOOM_LOCAL,
    },
    Provider {
        id: "teams",
        name: "Microsoft Teams",
        spoken: "Microsoft Teams",
        links: &[
            r"^https?://(?:gov\.|dod\.)?teams\.microsoft\.(?:com|us)/(?:l/meetup-join|meet|l/meet)/[^\s]*",
            r"^https?://teams\.live\.com/meet/[^\s]*",
        ],
        link_meeting_id: None,
        link_passcode: None,
        markers: &[
            "microsoft teams meeting",
            "microsoft teams need help",
            "join with a video conferencing device",
            "phone conference id",
            "teams meeting",
        ],
        // The phone conference ID is what the bridge takes; the 12+ digit "Meeting ID"
        // of newer invitations is for the Teams app only (see reader notes).
        id_labels: r"phone conference id|conference id",
        id_digits: (6, 12),
        pin_labels: r"phone passcode|numeric passcode|pin",
        dial: Some(flow(2, 2)),
        local: TEAMS_LOCAL,
    },
    Provider {
        id: "webex",
        name: "Cisco Webex",
        spoken: "Webex",
        links: &[r"^https?://(?:[a-z0-9-]+\.)*webex\.com/[^\s]*"],
        link_meeting_id: None,
        link_passcode: None,
        markers: &[
            "webex meeting",
            "cisco webex",
            "webex app",
            "join by video system",
            "join from a video system",
        ],
        id_labels: r"meeting number \(access code\)|meeting number|access code|meeting id",
        id_digits: (9, 11),
        pin_labels: r"numeric password|meeting password|password|attendee id",
        // Webex's one-tap strings key the numeric password right after the access
        // code's `#` ("...,,25510691776#86357832#"), and `#` alone skips the attendee ID.
        dial: Some(DialFlow {
            skip_pin: Some("#"),
            pin: PinRequirement::Optional,
            ..flow(2, 0)
        }),
        local: WEBEX_LOCAL,
    },
    Provider {
        id: "chime",
        name: "Amazon Chime",
        spoken: "Amazon Chime",
        links: &[r"^https?://(?:[a-z0-9-]+\.)*chime\.aws/[^\s]*"],
        link_meeting_id: Some(r"chime\.aws/(\d{10})\b"),
        link_passcode: None,
        markers: &["amazon chime", "chime meeting"],
        id_labels: r"meeting id|meeting pin",
        id_digits: (10, 13),
        pin_labels: r"participant pin",
        dial: Some(flow(2, 2)),
        local: &[],
    },
    Provider {
        id: "goto",
        name: "GoTo Meeting",
        spoken: "GoTo Meeting",
        links: &[
            r"^https?://(?:[a-z0-9-]+\.)*gotomeeting\.com/[^\s]*",
            r"^https?://(?:[a-z0-9-]+\.)*gotowebinar\.com/[^\s]*",
            r"^https?://meet\.goto\.com/[^\s]*",
            r"^https?://(?:app\.)?goto\.com/meeting/[^\s]*",
            // Personal meeting rooms: the name is the room, the access code is in the text.
            r"^https?://(?:www\.)?gotomeet\.me/[^\s]+",
        ],
        link_meeting_id: Some(r"(?:/join/|meet\.goto\.com/|/meeting/)(\d{9})\b"),
        link_passcode: None,
        markers: &["gotomeeting", "goto meeting", "gotowebinar", "gotomeet.me"],
        id_labels: r"access code|meeting id",
        id_digits: (9, 9),
        pin_labels: r"audio pin",
        dial: Some(flow(2, 2)),
        local: GOTO_LOCAL,
    },
    Provider {
        id: "bluejeans",
        name: "BlueJeans",
        spoken: "BlueJeans",
        links: &[r"^https?://(?:[a-z0-9-]+\.)*bluejeans\.com/[^\s]*"],
        link_meeting_id: Some(r"bluejeans\.com/(\d{6,12})\b"),
        link_passcode: Some(r"bluejeans\.com/\d{6,12}/(\d{4,8})\b"),
        markers: &["bluejeans"],
        id_labels: r"meeting id",
        id_digits: (6, 12),
        pin_labels: r"participant passcode|passcode",
        dial: Some(DialFlow {
            skip_pin: Some("#"),
            pin: PinRequirement::Optional,
            ..flow(2, 2)
        }),
        local: &[],
    },
    Provider {
        id: "google_meet",
        name: "Google Meet",
        spoken: "Google Meet",
        links: &[
            r"^https?://meet\.google\.com/(?:_meet/)?[a-z]{3,4}-[a-z]{4}-[a-z]{3,4}\b[^\s]*",
            r"^https?://meet\.google\.com/lookup/[^\s]*",
            r"^https?://tel\.meet/[^\s]*",
            r"^https?://hangouts\.google\.com/[^\s]*",
            r"^https?://stream\.meet\.google\.com/stream/[^\s]*",
        ],
        link_meeting_id: None,
        link_passcode: None,
        markers: &["google meet", "meet.google.com", "hangouts meet"],
        // On Meet's bridge the "PIN" identifies the meeting: it is the meeting ID.
        id_labels: r"pin",
        id_digits: (8, 15),
        pin_labels: r"participant passcode",
        dial: Some(flow(2, 2)),
        local: MEET_LOCAL,
    },
    Provider {
        id: "jitsi",
        name: "Jitsi Meet",
        spoken: "Jitsi",
        links: &[r"^https?://(?:meet\.jit\.si|8x8\.vc|jitsi\.[a-z0-9.-]+)/[^\s]*"],
        link_meeting_id: None,
        link_passcode: None,
        markers: &["jitsi"],
        id_labels: r"conference id|pin",
        id_digits: (6, 12),
        pin_labels: r"participant passcode",
        dial: Some(flow(2, 2)),
        local: &[],
    },
    Provider {
        id: "ringcentral",
        name: "RingCentral",
        spoken: "RingCentral",
        links: &[
            r"^https?://(?:v|meetings)\.ringcentral\.com/[^\s]*",
            r"^https?://(?:[a-z0-9-]+\.)*ringcentral\.com/(?:j|join)/[^\s]*",
        ],
        link_meeting_id: Some(r"/(?:j|join)/(\d{9,11})\b"),
        link_passcode: None,
        markers: &["ringcentral"],
        id_labels: r"access code|meeting id",
        id_digits: (9, 11),
        pin_labels: r"participant pin|passcode|password",
        dial: Some(flow(2, 2)),
        local: &[],
    },
    Provider {
        id: "fuze",
        name: "Fuze",
        spoken: "Fuze",
        links: &[
            r"^https?://(?:[a-z0-9-]+\.)*fuze\.me/[^\s]*",
            r"^https?://(?:[a-z0-9-]+\.)*fuze\.com/meet/[^\s]*",
        ],
        link_meeting_id: Some(r"fuze\.me/(\d{6,12})\b"),
        link_passcode: None,
        markers: &["fuze meeting", "join fuze", "fuze"],
        id_labels: r"meeting id|attendee code",
        id_digits: (6, 12),
        pin_labels: r"attendee pin|pin",
        dial: Some(flow(3, 2)),
        local: &[],
    },
    Provider {
        id: "dialpad",
        name: "Dialpad Meetings / UberConference",
        spoken: "Dialpad",
        links: &[
            r"^https?://(?:www\.)?uberconference\.com/[^\s]*",
            r"^https?://(?:meetings\.)?dialpad\.com/(?:room|meetings)?/?[^\s]*",
        ],
        link_meeting_id: None,
        link_passcode: None,
        markers: &["uberconference", "dialpad meeting", "dialpad"],
        id_labels: r"pin|access code",
        id_digits: (4, 12),
        pin_labels: r"participant passcode",
        dial: Some(flow(3, 2)),
        local: &[],
    },
    Provider {
        id: "freeconferencecall",
        name: "FreeConferenceCall.com",
        spoken: "FreeConferenceCall",
        links: &[
            r"^https?://join\.freeconferencecall\.com/[^\s]*",
            r"^https?://(?:www\.)?freeconferencecall\.com/[^\s]*",
            r"^https?://fccdl\.in/[^\s]*",
        ],
        link_meeting_id: None,
        link_passcode: None,
        markers: &["freeconferencecall", "free conference call"],
        id_labels: r"access code",
        id_digits: (5, 12),
        pin_labels: r"participant pin",
        dial: Some(flow(3, 2)),
        local: &[],
    },
    Provider {
        id: "lifesize",
        name: "Lifesize",
        spoken: "Lifesize",
        links: &[r"^https?://(?:[a-z0-9-]+\.)*lifesizecloud\.com/[^\s]*"],
        link_meeting_id: Some(r"lifesizecloud\.com/(?:[a-z]+/)*(\d{3,10})\b"),
        link_passcode: None,
        markers: &["lifesize"],
        id_labels: r"meeting extension|extension|meeting id",
        id_digits: (3, 10),
        pin_labels: r"passcode|pin",
        dial: Some(flow(2, 2)),
        local: &[],
    },
    Provider {
        id: "pexip",
        name: "Pexip",
        spoken: "Pexip",
        links: &[
            r"^https?://(?:[a-z0-9-]+\.)*pexip\.(?:me|com|net|io)/[^\s]*",
            r"^https?://[a-z0-9.-]+/webapp\d?/[^\s]*",
        ],
        link_meeting_id: None,
        link_passcode: None,
        markers: &["pexip"],
        id_labels: r"conference id|meeting id|virtual meeting room|vmr",
        id_digits: (3, 12),
        pin_labels: r"guest pin|participant pin|pin",
        dial: Some(flow(2, 2)),
        local: &[],
    },
    Provider {
        id: "whereby",
        name: "Whereby",
        spoken: "Whereby",
        links: &[r"^https?://(?:[a-z0-9-]+\.)?whereby\.com/[^\s]+"],
        link_meeting_id: None,
        link_passcode: None,
        markers: &["whereby"],
        id_labels: r"meeting id",
        id_digits: (6, 12),
        pin_labels: r"pin",
        dial: None,
        local: &[],
    },
    // Skype for Business comes after the other dial-in providers: its self-hosted
    // link shape (meet.<company>/<user>/<id>) is generic enough to catch theirs.
    Provider {
        id: "skype",
        name: "Skype for Business / Lync",
        spoken: "Skype for Business",
        links: &[
            r"^https?://meet\.lync\.com/[^\s]*",
            r"^https?://join\.skype\.com/[^\s]*",
            r"^https?://(?:meet|join)\.[a-z0-9.-]+/[a-z0-9._-]+/(?:meet/)?[a-z0-9._-]+/[a-z0-9]{6,12}\b[^\s]*",
            r"^https?://(?:meet|join)\.[a-z0-9.-]+/[a-z0-9._-]+/[a-z0-9]{6,12}/?$",
        ],
        link_meeting_id: None,
        link_passcode: None,
        markers: &[
            "join skype meeting",
            "skype meeting",
            "skype for business",
            "lync meeting",
            "join online meeting",
        ],
        id_labels: r"conference id",
        id_digits: (4, 12),
        pin_labels: r"participant pin|pin",
        dial: Some(flow(2, 2)),
        local: &[],
    },
    // Join links of the services desktop meeting-link tools recognise; no phone bridge.
    link!(
        "eight_x_eight",
        "8x8",
        r"^https?://(?:[a-z0-9-]+\.)*8x8\.com/[^\s]*"
    ),
    link!("demio", "Demio", r"^https?://event\.demio\.com/[^\s]*"),
    link!("join_me", "join.me", r"^https?://join\.me/[^\s]*"),
    link!("blizz", "Blizz", r"^https?://go\.blizz\.com/[^\s]*"),
    link!(
        "teamviewer",
        "TeamViewer Meeting",
        r"^https?://go\.teamviewer\.com/[^\s]*"
    ),
    link!(
        "vsee",
        "VSee",
        r"^https?://(?:[a-z0-9-]+\.)?vsee\.(?:com|me)/[^\s]*"
    ),
    link!(
        "starleaf",
        "StarLeaf",
        r"^https?://meet\.starleaf\.com/[^\s]*"
    ),
    link!("duo", "Google Duo", r"^https?://duo\.app\.goo\.gl/[^\s]*"),
    link!(
        "voov",
        "Tencent VooV",
        r"^https?://(?:[a-z0-9-]+\.)?voovmeeting\.com/[^\s]*"
    ),
    link!(
        "workplace",
        "Facebook Workplace",
        r"^https?://(?:[a-z0-9-]+\.)*workplace\.com/groupcall/[^\s]+"
    ),
    link!(
        "youtube",
        "YouTube",
        r"^https?://(?:(?:www|m)\.)?(?:youtube\.com|youtu\.be)/[^\s]*"
    ),
    link!(
        "vonage",
        "Vonage Meetings",
        r"^https?://meetings\.vonage\.com/[^\s]*"
    ),
    link!(
        "around",
        "Around",
        r"^https?://(?:meet\.)?around\.co/[^\s]*"
    ),
    link!("jam", "Jam", r"^https?://jam\.systems/[^\s]*"),
    link!(
        "discord",
        "Discord",
        r"^(?:https?|discord)://(?:www\.)?(?:canary\.)?discord(?:app)?\.(?:com|gg)/[^\s]*"
    ),
    link!(
        "blackboard_collab",
        "Blackboard Collaborate",
        r"^https?://(?:[a-z]+\.)?bbcollab\.com/[^\s]*"
    ),
    link!(
        "coscreen",
        "CoScreen",
        r"^https?://join\.coscreen\.co/[^\s]*"
    ),
    link!(
        "vowel",
        "Vowel",
        r"^https?://(?:[a-z0-9.]+\.)?vowel\.com/[^\s]*"
    ),
    link!("zhumu", "Zhumu", r"^https?://welink\.zhumu\.com/j/[^\s]*"),
    link!("lark", "Lark", r"^https?://vc\.larksuite\.com/j/[^\s]*"),
    link!("feishu", "Feishu", r"^https?://vc\.feishu\.cn/j/[^\s]*"),
    link!(
        "vimeo",
        "Vimeo",
        r"^https?://(?:vimeo\.com/(?:showcase|event)/\d+|venues\.vimeo\.com/[^\s]+)"
    ),
    link!(
        "ovice",
        "oVice",
        r"^https?://(?:[a-z0-9-]+\.)*ovice\.in/[^\s]*"
    ),
    link!(
        "facetime",
        "FaceTime",
        r"^https?://facetime\.apple\.com/join[^\s]*"
    ),
    link!("chorus", "Chorus", r"^https?://go\.chorus\.ai/[^\s]+"),
    link!("pop", "Pop", r"^https?://pop\.com/j/[^\s]+"),
    link!(
        "gong",
        "Gong",
        r"^https?://(?:[a-z0-9-]+\.)*join\.gong\.io/[^\s]+"
    ),
    link!(
        "livestorm",
        "Livestorm",
        r"^https?://app\.livestorm\.co/p/[^\s]+"
    ),
    link!("luma", "Luma", r"^https?://lu\.ma/join/[^\s]*"),
    link!("preply", "Preply", r"^https?://preply\.com/[^\s]*"),
    link!(
        "userzoom",
        "UserZoom",
        r"^https?://go\.userzoom\.com/participate/[^\s]+"
    ),
    link!("venue", "Venue", r"^https?://app\.venue\.live/app/[^\s]*"),
    link!(
        "teemyco",
        "Teemyco",
        r"^https?://app\.teemyco\.com/room/[^\s]*"
    ),
    link!("demodesk", "Demodesk", r"^https?://demodesk\.com/[^\s]*"),
    link!(
        "zoho_cliq",
        "Zoho Cliq",
        r"^https?://cliq\.zoho\.(?:eu|com|in)/meetings/[^\s]*"
    ),
    link!(
        "slack",
        "Slack huddle",
        r"^https?://app\.slack\.com/huddle/[^\s]+"
    ),
    link!("reclaim", "Reclaim.ai", r"^https?://reclaim\.ai/z/[^\s]+"),
    link!("tuple", "Tuple", r"^https?://tuple\.app/c/[^\s]*"),
    link!(
        "gather",
        "Gather",
        r"^https?://app\.gather\.town/app/[^\s]+"
    ),
    link!("pumble", "Pumble", r"^https?://meet\.pumble\.com/[^\s]+"),
    link!(
        "suit_conference",
        "Suit Conference",
        r"^https?://(?:[a-z0-9.]+\.)?conference\.istesuit\.com/[^\s]*"
    ),
    link!(
        "doxy_me",
        "Doxy.me",
        r"^https?://(?:[a-z0-9.]+\.)?doxy\.me/[^\s]*"
    ),
    link!(
        "cal_video",
        "Cal Video",
        r"^https?://app\.cal\.com/video/[^\s]+"
    ),
    link!(
        "zoho_meeting",
        "Zoho Meeting",
        r"^https?://meeting\.zoho\.(?:com|eu|in)/[^\s]+"
    ),
    link!(
        "livekit",
        "LiveKit Meet",
        r"^https?://meet\.livekit\.io/[^\s]+"
    ),
    link!(
        "meetecho",
        "Meetecho",
        r"^https?://meetings\.conf\.meetecho\.com/[^\s]+"
    ),
    link!(
        "streamyard",
        "StreamYard",
        r"^https?://streamyard\.com/[^\s]+"
    ),
    link!(
        "webinargeek",
        "WebinarGeek",
        r"^https?://(?:[a-z0-9-]+\.)?webinargeek\.com/[^\s]+"
    ),
    link!(
        "clickmeeting",
        "ClickMeeting",
        r"^https?://(?:[a-z0-9-]+\.)?clickmeeting\.com/[^\s]+"
    ),
    link!(
        "bigbluebutton",
        "BigBlueButton",
        r"^https?://[a-z0-9.-]+/(?:b|rooms)/[a-z0-9]{3}-[a-z0-9]{3}-[a-z0-9]{3}[^\s]*"
    ),
    link!("skype_consumer", "Skype", r"^skype:[^\s]+"),
];

/// Generic bridges: a dial-in with an access code, no known service.
pub(crate) static GENERIC: Provider = Provider {
    id: "generic",
    name: "Conference bridge",
    spoken: "",
    links: &[],
    link_meeting_id: None,
    link_passcode: None,
    markers: &[],
    id_labels: GENERIC_ID_LABELS,
    id_digits: (4, 14),
    pin_labels: GENERIC_PIN_LABELS,
    dial: Some(GENERIC_FLOW),
    local: GENERIC_LOCAL,
};

/// The phone flow of a bridge with no known provider: `number,,,ID#,,,PIN#`.
pub(crate) const GENERIC_FLOW: DialFlow = flow(3, 3);

/// Looks a provider up by id (for `unknown` and `generic` too).
pub(crate) fn by_id(id: &str) -> Option<&'static Provider> {
    if id == GENERIC.id {
        return Some(&GENERIC);
    }
    PROVIDERS.iter().find(|p| p.id == id)
}

/// The compiled join-link patterns of the whole table, one set for a fast first test.
struct LinkIndex {
    set: RegexSet,
    /// For each pattern of `set`, the index of its provider in [`PROVIDERS`].
    owner: Vec<usize>,
}

static LINKS: LazyLock<LinkIndex> = LazyLock::new(|| {
    let mut patterns = Vec::new();
    let mut owner = Vec::new();
    for (i, p) in PROVIDERS.iter().enumerate() {
        for pattern in p.links {
            patterns.push(format!("(?i){pattern}"));
            owner.push(i);
        }
    }
    let set = RegexSet::new(&patterns).expect("provider link patterns are constant");
    LinkIndex { set, owner }
});

/// The provider whose join-link pattern matches `url` (first in table order).
pub(crate) fn provider_of_link(url: &str) -> Option<&'static Provider> {
    let index = &*LINKS;
    index
        .set
        .matches(url)
        .iter()
        .next()
        .and_then(|i| index.owner.get(i))
        .and_then(|&p| PROVIDERS.get(p))
}

/// Meeting ID carried by a join link, when the provider's links carry the phone ID.
pub(crate) fn meeting_id_in_link(provider: &Provider, url: &str) -> Option<String> {
    capture_digits(provider.link_meeting_id?, url)
}

/// Phone PIN carried by a join link (BlueJeans).
pub(crate) fn passcode_in_link(provider: &Provider, url: &str) -> Option<String> {
    capture_digits(provider.link_passcode?, url)
}

fn capture_digits(pattern: &'static str, url: &str) -> Option<String> {
    // Each pattern compiled when a link first needs it (all of them at once held 2.4 MB).
    static CACHE: LazyLock<std::collections::HashMap<&'static str, std::sync::OnceLock<Regex>>> =
        LazyLock::new(|| {
            PROVIDERS
                .iter()
                .flat_map(|p| [p.link_meeting_id, p.link_passcode])
                .flatten()
                .map(|pat| (pat, std::sync::OnceLock::new()))
                .collect()
        });
    let re = CACHE
        .get(pattern)?
        .get_or_init(|| Regex::new(&format!("(?i){pattern}")).expect("constant regex"));
    let caps = re.captures(url)?;
    caps.iter()
        .skip(1)
        .flatten()
        .next()
        .map(|m| m.as_str().to_string())
}
