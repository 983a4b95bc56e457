//! `kartei`: the appliance program. Reads the command line, opens the data folder and hands over
//! to the crates: `kartei-core` for the card file, `kartei-server` for the LAN.
//!
//! - [`cli`]: the command line (clap) and the data-folder default.
//! - [`commands`]: one function per command.

mod cli;
mod commands;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    let lang = args.lang();
    if !matches!(args.command, None | Some(cli::Command::Serve)) {
        end_quietly_when_output_is_cut_off();
    }
    match commands::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let message = match err.downcast_ref::<kartei_core::CoreError>() {
                Some(core) => core.user_message(lang),
                None => format!("{err:#}"),
            };
            eprintln!("kartei: {message}");
            ExitCode::FAILURE
        }
    }
}

/// One-shot commands print and end. When their output is cut off (`kartei search x | head`),
/// they end quietly, as Unix tools do, instead of panicking on the broken pipe. The appliance and
/// the server keep Rust's setting (SIGPIPE ignored), so a phone that goes away in the middle of
/// a response ends that one connection, not the process.
fn end_quietly_when_output_is_cut_off() {
    // SAFETY: called at the start of main, before any thread exists; SIG_DFL is a valid
    // disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
