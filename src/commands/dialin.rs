//! `roomvoice dialin`: print the join plan of one invitation body (a file or standard
//! input, text or HTML), as readable lines or as one JSON object.

use std::io::Read;
use std::path::PathBuf;

use crate::calendar::Body;
use crate::config::Config;
use crate::dialin::{looks_like_html, read_invitation, DialPreferences, Invitation, JoinPlan};

/// Arguments of `roomvoice dialin`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The invitation body (text or HTML, told apart by its content); "-" or nothing
    /// reads standard input.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// The room's country (ISO 3166 alpha-2): its dial-in number is chosen first.
    /// Default: the config's `[room] country` with `--config`, else US.
    #[arg(long)]
    pub country: Option<String>,
    /// A room configuration whose `[room] country` and `[join.providers.<id>]` delays
    /// shape the plan, as they do when the assistant joins.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The event's location, read before the body (it often holds the join link).
    #[arg(long)]
    pub location: Option<String>,
    /// Print the plan as one JSON object.
    #[arg(long)]
    pub json: bool,
}

pub fn main(args: &Args) -> i32 {
    let mut prefs = match &args.config {
        Some(path) => match Config::from_file(path) {
            Ok(config) => config.dial_preferences(),
            Err(e) => {
                eprintln!("roomvoice: {e}");
                return 1;
            }
        },
        None => DialPreferences::default(),
    };
    if let Some(given) = &args.country {
        let country = given.trim().to_ascii_uppercase();
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
            eprintln!(
                "roomvoice: --country {given:?} is not a country code: use two letters such as US, GB or DE"
            );
            return 2;
        }
        prefs.country = country;
    }
    let text = match read_body(args.file.as_deref()) {
        Ok(t) => t,
        Err(message) => {
            eprintln!("roomvoice: {message}");
            return 1;
        }
    };
    let body = if looks_like_html(&text) {
        Body::Html(text)
    } else {
        Body::Text(text)
    };
    let plan = read_invitation(
        &Invitation {
            body: Some(&body),
            location: args.location.as_deref(),
            ..Invitation::default()
        },
        &prefs,
    );
    if args.json {
        match serde_json::to_string(&plan) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("roomvoice: cannot write the plan as JSON: {e}");
                return 1;
            }
        }
    } else {
        print!("{}", human(&plan));
    }
    0
}

fn read_body(file: Option<&std::path::Path>) -> Result<String, String> {
    let mut bytes = Vec::new();
    match file {
        None => std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read the invitation from standard input: {e}"))?,
        Some(p) if p.as_os_str() == "-" => std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read the invitation from standard input: {e}"))?,
        Some(p) => {
            bytes = std::fs::read(p).map_err(|e| {
                format!(
                    "cannot read the invitation file {}: {e} (give a text or HTML file, or - for standard input)",
                    p.display()
                )
            })?;
            bytes.len()
        }
    };
    // Mail bodies saved from clients are sometimes Latin-1 or carry a stray byte: keep
    // what can be read rather than refusing the whole body.
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!("the invitation is not valid UTF-8; unreadable bytes replaced");
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    })
}

/// The plan as aligned lines for a person.
pub(crate) fn human(plan: &JoinPlan) -> String {
    let mut out = String::new();
    let mut row = |name: &str, value: &str| {
        out.push_str(&format!("{name:<13}{value}\n"));
    };
    row("Provider:", plan.provider.as_str());
    if let Some(u) = &plan.url {
        row("Join link:", u);
    }
    row(
        "Meeting ID:",
        plan.meeting_id.as_deref().unwrap_or("(none found)"),
    );
    if let Some(p) = &plan.passcode {
        row("Passcode:", p);
    }
    if let Some(p) = &plan.web_password {
        row("Web password:", p);
    }
    row(
        "Dial:",
        plan.dial_string.as_deref().unwrap_or("(nothing to dial)"),
    );
    for (i, n) in plan.numbers.iter().enumerate() {
        let chosen = if plan.number.as_deref() == Some(n.e164.as_str()) {
            "  <- chosen"
        } else {
            ""
        };
        let free = if n.toll_free && !n.label.to_ascii_lowercase().contains("free") {
            " (toll-free)"
        } else {
            ""
        };
        let name = if i == 0 { "Numbers:" } else { "" };
        row(name, &format!("{:<16} {}{free}{chosen}", n.e164, n.label));
    }
    for (i, t) in plan.one_tap.iter().enumerate() {
        row(if i == 0 { "One tap:" } else { "" }, t);
    }
    if let Some(s) = &plan.sip {
        row("SIP:", s);
    }
    if let Some(h) = &plan.h323 {
        row("H.323:", h);
    }
    for (i, n) in plan.notes.iter().enumerate() {
        row(if i == 0 { "Notes:" } else { "" }, n);
    }
    out
}
