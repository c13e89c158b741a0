use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// riprs: a RIPv2 routing daemon for Linux.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    /// Configuration file (ripd.toml).
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    config: PathBuf,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    eprintln!(
        "riprs: the daemon is not there yet; rip-codec is (config {} not read)",
        cli.config.display()
    );
    ExitCode::from(2)
}
