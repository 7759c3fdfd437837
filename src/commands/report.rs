//! `roomvoice report [--since DATE] [--json] [--log FILE]`: room utilisation per day,
//! from the log `listen` keeps ([`crate::utilisation`]): booked hours, used hours,
//! reservations released because nobody checked in, ad-hoc bookings, and calls joined
//! per provider.
//!
//! A line of the log that cannot be read is named (file and line), left out, and makes
//! the exit status 1; the rest is still reported.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;

use crate::config::Config;
use crate::utilisation::report::{self, DaySummary};

/// Arguments of `roomvoice report`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Only days from this one on (YYYY-MM-DD, the room's local date).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub since: Option<NaiveDate>,
    /// One JSON object per day ({"event":"day",...}) and one for the total
    /// ({"event":"total",...}).
    #[arg(long)]
    pub json: bool,
    /// The utilisation log to read. Default: [utilisation] log of the configuration,
    /// else utilisation.jsonl in $STATE_DIRECTORY, $XDG_STATE_HOME/roomvoice or
    /// ~/.local/state/roomvoice.
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// Configuration file (for [utilisation] log). Default: as for `listen`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

fn parse_date(value: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|e| format!("\"{value}\" is not a date ({e}); write it like 2026-11-23"))
}

pub fn main(args: &Args) -> i32 {
    let path = match &args.log {
        Some(path) => path.clone(),
        None => {
            let config = match Config::locate(args.config.as_deref()) {
                Ok(config) => config,
                Err(e) => return fail(args.json, &e.to_string()),
            };
            match config.utilisation_log_path() {
                Some(path) => path,
                None => {
                    return fail(
                        args.json,
                        "no state directory to find the utilisation log in: give --log FILE",
                    )
                }
            }
        }
    };
    let summary = match report::read(&path, args.since) {
        Ok(summary) => summary,
        Err(e) => return fail(args.json, &e.to_string()),
    };
    for skipped in &summary.skipped {
        let message = format!(
            "{} line {}: {}; left out of the report",
            path.display(),
            skipped.line,
            skipped.message
        );
        if args.json {
            println!("{}", json!({"event": "error", "message": message}));
        } else {
            eprintln!("roomvoice: {message}");
        }
    }
    if args.json {
        for day in &summary.days {
            println!("{}", day_json("day", day));
        }
        if let Some(total) = report::total(&summary.days) {
            println!("{}", day_json("total", &total));
        }
    } else {
        print_table(&summary.days, args.since);
    }
    i32::from(!summary.skipped.is_empty())
}

/// One `--json` line: `event` first, as in the other commands' lines.
#[derive(Serialize)]
struct DayLine<'a> {
    event: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    day: Option<NaiveDate>,
    booked_hours: f64,
    used_hours: f64,
    released: u32,
    ad_hoc_bookings: u32,
    joins: &'a BTreeMap<String, u32>,
}

fn day_json(event: &str, day: &DaySummary) -> String {
    let line = DayLine {
        event,
        day: (event == "day").then_some(day.day),
        booked_hours: day.booked_hours,
        used_hours: day.used_hours,
        released: day.released,
        ad_hoc_bookings: day.ad_hoc_bookings,
        joins: &day.joins,
    };
    serde_json::to_string(&line).unwrap_or_default()
}

fn print_table(days: &[DaySummary], since: Option<NaiveDate>) {
    if days.is_empty() {
        match since {
            Some(since) => println!("Nothing logged since {since}."),
            None => println!("Nothing logged yet."),
        }
        return;
    }
    println!(
        "{:<10}  {:>8}  {:>6}  {:>8}  {:>6}  joins",
        "day", "booked h", "used h", "released", "ad hoc"
    );
    let row = |label: &str, d: &DaySummary| {
        let joins: Vec<String> = d.joins.iter().map(|(p, n)| format!("{p} {n}")).collect();
        let joins = if joins.is_empty() {
            "-".to_string()
        } else {
            joins.join(", ")
        };
        println!(
            "{label:<10}  {:>8.2}  {:>6.2}  {:>8}  {:>6}  {joins}",
            d.booked_hours, d.used_hours, d.released, d.ad_hoc_bookings
        );
    };
    for day in days {
        row(&day.day.to_string(), day);
    }
    if days.len() > 1 {
        if let Some(total) = report::total(days) {
            row("total", &total);
        }
    }
}

fn fail(json: bool, message: &str) -> i32 {
    if json {
        println!("{}", json!({"event": "error", "message": message}));
    } else {
        eprintln!("roomvoice: {message}");
    }
    1
}
