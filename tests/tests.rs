//! The integration tests, one binary: a module per area, helpers in `support/`.
//! (`ics_timezone` is a binary of its own: it changes the process's time zone.)

mod support;

mod assistant_confidence;
mod assistant_proactive;
mod assistant_timers;
mod audio_files;
mod batch_cli;
mod check;
mod cli_ask;
mod cli_grammar;
mod cli_report;
mod device_install;
mod dialin_cli;
mod dialin_fixtures;
mod dialin_reader;
mod ews;
mod ews_ask;
mod graph;
mod ics_demo;
mod ics_processes;
mod ics_read;
mod ics_write;
mod listen_alsa;
mod sip_loopback;
mod speech_pocketsphinx;
mod speech_run;
mod speech_vosk;
mod speech_wakeword;
