use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// riprs: a RIPv2 routing daemon for Linux.
///
/// `riprs -c ripd.toml` runs the daemon in the foreground.
#[derive(Parser, Debug)]
#[command(
    version,
    about,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Cli {
    /// Configuration file (ripd.toml): run the daemon with it.
    #[arg(short = 'c', long = "config", value_name = "FILE", required = true)]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Validate ripd.toml: print every error and exit 1, or a summary and exit 0.
    Check {
        /// Configuration file (ripd.toml).
        #[arg(short = 'c', long = "config", value_name = "FILE")]
        config: PathBuf,
    },
    /// Print the ripd.toml equivalent of a quagga or FRR ripd.conf; every line
    /// that cannot be carried over is reported on stderr (exit 2 if any).
    ImportQuagga {
        /// quagga's ripd.conf.
        #[arg(value_name = "RIPD_CONF")]
        file: PathBuf,
    },
    /// Ask a running daemon: routes, interfaces, neighbors or status.
    Show {
        #[arg(value_parser = riprs::control::TOPICS)]
        what: String,
        /// Print the daemon's JSON answer as it is.
        #[arg(long)]
        json: bool,
        /// The control socket.
        #[arg(short = 's', long = "socket", default_value = riprs::config::DEFAULT_CONTROL_SOCKET)]
        socket: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match (cli.command, cli.config) {
        (Some(Command::Check { config }), _) => check(&config),
        (Some(Command::ImportQuagga { file }), _) => import_quagga(&file),
        (Some(Command::Show { what, json, socket }), _) => show(&what, json, &socket),
        (None, Some(config)) => run_daemon(&config),
        (None, None) => {
            eprintln!("riprs: give -c ripd.toml to run, or a subcommand (see --help)");
            ExitCode::from(2)
        }
    }
}

/// `riprs -c ripd.toml`: run the daemon until SIGTERM/SIGINT.
fn run_daemon(path: &Path) -> ExitCode {
    riprs::daemon::run(path)
}

/// `riprs show WHAT [--json] [-s SOCKET]`.
fn show(what: &str, json: bool, socket: &Path) -> ExitCode {
    match riprs::control::request(socket, what) {
        Ok(answer) if json => {
            println!("{answer:#}");
            ExitCode::SUCCESS
        }
        Ok(answer) => {
            print!("{}", riprs::control::render(what, &answer));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "riprs: cannot ask the daemon on {}: {e} (is riprs running? -s names another socket)",
                socket.display()
            );
            ExitCode::from(1)
        }
    }
}

/// `riprs check -c FILE`: every error (and warning) on stderr and exit 1, or
/// the warnings and a one-line summary on stdout and exit 0.
fn check(path: &Path) -> ExitCode {
    match riprs::config::load(path) {
        Ok(settings) => {
            for warning in &settings.warnings {
                eprintln!("{warning}");
            }
            println!("{}: ok: {}", path.display(), settings.summary());
            ExitCode::SUCCESS
        }
        Err(found) => {
            let mut all: Vec<_> = found.errors.iter().chain(&found.warnings).collect();
            all.sort_by_key(|e| (e.line, e.column));
            for finding in all {
                eprintln!("{finding}");
            }
            ExitCode::from(1)
        }
    }
}

/// `riprs import-quagga FILE`: ripd.toml on stdout, `FILE:LINE: REASON` on
/// stderr for each line not carried over; exit 0 if none, 2 otherwise.
fn import_quagga(path: &Path) -> ExitCode {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("riprs: cannot read {}: {e}", path.display());
            return ExitCode::from(1);
        }
    };
    let (toml, notes) = riprs::import_quagga::import(&text);
    print!("{toml}");
    for (line, reason) in &notes {
        eprintln!("{}:{line}: {reason}", path.display());
    }
    if notes.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}
