//! The `roomvoice` command line: parses arguments and calls the library.

use clap::{Parser, Subcommand};
use roomvoice::commands;

/// Offline voice runtime for meeting rooms: hears "alexa, start my meeting", reads the
/// room calendar (iCalendar file, Exchange EWS or Microsoft Graph), finds the dial-in in
/// the invitation and joins the call.
///
/// With no configuration file, the embedded demo room "Everest" is used.
#[derive(Debug, Parser)]
#[command(name = "roomvoice", version, propagate_version = true)]
struct Cli {
    /// More logs on stderr (-v: debug, -vv: trace). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the assistant on text: each argument is one spoken turn.
    Ask(commands::ask::Args),
    /// Run the assistant on recordings (WAV, FLAC, Ogg Vorbis, MP3), as if heard live.
    Run(commands::run::Args),
    /// Listen on the microphone until stopped (Ctrl-C or SIGTERM).
    Listen(commands::listen::Args),
    /// List audio input devices.
    Devices(commands::devices::Args),
    /// Recognise every recording of a folder or manifest and report accuracy.
    Batch(commands::batch::Args),
    /// Read one invitation body and print its join plan.
    Dialin(commands::dialin::Args),
    /// Test the calendar connection: URL, certificate, credentials, access, expiry.
    Check(commands::check::Args),
    /// Print the command phrase set as a recognition grammar.
    Grammar(commands::grammar::Args),
    /// Summarise room utilisation per day from the log `listen` keeps: booked and used
    /// hours, reservations released, ad-hoc bookings, joins per provider.
    Report(commands::report::Args),
}

fn main() {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let code = match &cli.command {
        Command::Ask(args) => commands::ask::main(args),
        Command::Run(args) => commands::run::main(args),
        Command::Listen(args) => commands::listen::main(args),
        Command::Devices(args) => commands::devices::main(args),
        Command::Batch(args) => commands::batch::main(args),
        Command::Dialin(args) => commands::dialin::main(args),
        Command::Check(args) => commands::check::main(args),
        Command::Grammar(args) => commands::grammar::main(args),
        Command::Report(args) => commands::report::main(args),
    };
    std::process::exit(code);
}

fn init_logging(verbose: u8) {
    // The audio decoder's own log says again what roomvoice's errors say about a file.
    let default = match verbose {
        0 => "warn,symphonia=off",
        1 => "roomvoice=debug,info,symphonia=off",
        _ => "roomvoice=trace,debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // Colours only on a terminal: the journal (systemd) and files get plain lines.
    let colours = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colours)
        .with_target(false)
        .init();
}
