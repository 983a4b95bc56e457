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
