//! `trieway`: the command-line front end of the trieway routing engine.
//!
//! Each subcommand lives in its own module with a `run(args) -> Result<Status, Failure>` entry
//! point and a help text, and is listed once in [`COMMANDS`]. Adding a command means adding a
//! module and a row there.

mod args;
mod check;
mod convert_cmd;
mod demo;
mod demo_cmd;
mod eval_cmd;
mod explain_cmd;
mod kube_cmd;
mod route_cmd;
mod watch_cmd;

use args::{Arg, Parser, UsageError};
use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

/// How a command ended, as an exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Exit 0: everything is fine.
    Ok,
    /// Exit 1: the command ran and found problems (invalid objects, routes not accepted).
    Problems,
}

/// Why a command could not do its job. Both kinds exit 2.
#[derive(Debug)]
pub enum Failure {
    /// Bad command line: shown with a hint to `--help`.
    Usage(UsageError),
    /// Anything else (an unreadable file): shown as is.
    Other(String),
}

impl From<UsageError> for Failure {
    fn from(e: UsageError) -> Self {
        Failure::Usage(e)
    }
}

/// A subcommand.
struct Command {
    name: &'static str,
    summary: &'static str,
    help: &'static str,
    run: fn(Parser) -> Result<Status, Failure>,
}

/// Every subcommand, in the order `--help` lists them.
const COMMANDS: &[Command] = &[
    Command {
        name: "demo",
        summary: "Route sample requests through the built-in demo configuration",
        help: demo_cmd::HELP,
        run: demo_cmd::run,
    },
    Command {
        name: "check",
        summary: "Load configuration, attach routes to Gateways, report status and problems",
        help: check::HELP,
        run: check::run,
    },
    Command {
        name: "route",
        summary: "Route one request and show the outcome and the filters' action",
        help: route_cmd::HELP,
        run: route_cmd::run,
    },
    Command {
        name: "explain",
        summary: "Explain why a request goes to a rule, or gets 404 or 421",
        help: explain_cmd::HELP,
        run: explain_cmd::run,
    },
    Command {
        name: "eval",
        summary: "Evaluate a conformance case file: one JSON decision per request",
        help: eval_cmd::HELP,
        run: eval_cmd::run,
    },
    Command {
        name: "convert",
        summary: "Convert Ingress objects to Gateway API resources (YAML or JSON)",
        help: convert_cmd::HELP,
        run: convert_cmd::run,
    },
    Command {
        name: "watch",
        summary: "Serve a directory with a live router; print each reload and changed conditions",
        help: watch_cmd::HELP,
        run: watch_cmd::run,
    },
];

fn main_help() -> String {
    let mut s = String::from(
        "trieway: check and explore Kubernetes Gateway API routing configuration\n\n\
         Usage: trieway <COMMAND> [ARGS]...\n\nCommands:\n",
    );
    for c in COMMANDS {
        s.push_str(&format!("  {:<8} {}\n", c.name, c.summary));
    }
    s.push_str(&format!(
        "  {:<8} Print this help, or a command's help\n",
        "help"
    ));
    s.push_str(
        "\nOptions:\n  -h, --help     Print help\n  -V, --version  Print version\n\n\
         Run 'trieway <COMMAND> --help' for a command's options. With no FILE, 'trieway check'\n\
         runs on a built-in demo configuration.\n",
    );
    s
}

fn find(name: &str) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.name == name)
}

fn dispatch(mut parser: Parser) -> Result<Status, Failure> {
    let Some(arg) = parser.next_arg()? else {
        let _ = writeln!(std::io::stderr(), "{}", main_help());
        return Err(Failure::Usage(UsageError("no command given".into())));
    };
    match arg {
        Arg::Short('h') => help(),
        Arg::Long(ref n) if n == "help" => help(),
        Arg::Short('V') => version(),
        Arg::Long(ref n) if n == "version" => version(),
        Arg::Value(name) => {
            let name = name.to_string_lossy().into_owned();
            if name == "help" {
                return match parser.next_arg()? {
                    None => help(),
                    Some(Arg::Value(topic)) => {
                        let topic = topic.to_string_lossy();
                        let cmd = find(&topic).ok_or_else(|| unknown_command(&topic))?;
                        out(cmd.help);
                        Ok(Status::Ok)
                    }
                    Some(other) => Err(other.unexpected().into()),
                };
            }
            match find(&name) {
                Some(cmd) => (cmd.run)(parser),
                None => Err(unknown_command(&name).into()),
            }
        }
        other => Err(other.unexpected().into()),
    }
}

fn help() -> Result<Status, Failure> {
    out(&main_help());
    Ok(Status::Ok)
}

fn version() -> Result<Status, Failure> {
    out(&format!("trieway {}\n", env!("CARGO_PKG_VERSION")));
    Ok(Status::Ok)
}

fn unknown_command(name: &str) -> UsageError {
    UsageError(format!("unknown command '{name}'"))
}

/// Writes to standard output. A closed pipe (`trieway check | head`) ends the process quietly
/// instead of panicking the way `print!` would.
pub fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        let _ = writeln!(std::io::stderr(), "trieway: cannot write output: {e}");
        std::process::exit(2);
    }
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    match dispatch(Parser::new(args)) {
        Ok(Status::Ok) => ExitCode::SUCCESS,
        Ok(Status::Problems) => ExitCode::from(1),
        Err(Failure::Usage(e)) => {
            let _ = writeln!(
                std::io::stderr(),
                "trieway: error: {e}\nRun 'trieway --help' for usage."
            );
            ExitCode::from(2)
        }
        Err(Failure::Other(msg)) => {
            let _ = writeln!(std::io::stderr(), "trieway: error: {msg}");
            ExitCode::from(2)
        }
    }
}
