//! `roomvoice dialin`: print the join plan of one invitation body.

use std::io::Read;
use std::path::PathBuf;

use crate::calendar::Body;
use crate::dialin::{read_invitation, DialPreferences, Invitation};

/// Arguments of `roomvoice dialin`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The invitation body (text or HTML); "-" or nothing reads standard input.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Preferred dial-in country (ISO 3166 alpha-2).
    #[arg(long, default_value = "US")]
    pub country: String,
    /// Print the plan as one JSON object.
    #[arg(long)]
    pub json: bool,
}

pub fn main(args: &Args) -> i32 {
    let mut text = String::new();
    let read = match args.file.as_deref() {
        None => std::io::stdin().read_to_string(&mut text).map(|_| ()),
        Some(p) if p.as_os_str() == "-" => std::io::stdin().read_to_string(&mut text).map(|_| ()),
        Some(p) => std::fs::read_to_string(p).map(|t| text = t),
    };
    if let Err(e) = read {
        eprintln!("roomvoice: cannot read the invitation: {e}");
        return 1;
    }
    let body = if text.contains("<html") || text.contains("<div") || text.contains("<p") {
        Body::Html(text)
    } else {
        Body::Text(text)
    };
    let prefs = DialPreferences {
        country: args.country.to_uppercase(),
        ..DialPreferences::default()
    };
    let plan = read_invitation(
        &Invitation {
            body: Some(&body),
            ..Invitation::default()
        },
        &prefs,
    );
    if args.json {
        match serde_json::to_string(&plan) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("roomvoice: {e}");
                return 1;
            }
        }
    } else {
        println!("{plan:#?}");
    }
    0
}
