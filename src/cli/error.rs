//! The command line's one error type, [`CliError`], and its one printer ([`CliError::report`]).
//!
//! Every command returns `Result<u8, CliError>` (the `u8` an exit code: 0 ok, 1 a threshold or
//! target not met, 3 an invariant broke); [`super::main`] prints the error and turns it into
//! its exit code, so no command prints its own `error:` line before exiting. Library errors
//! carry no flag names: the command adds the flag (`--interval "7m": …`) when it wraps one.

use super::{EXIT_BAD_INPUT, EXIT_INTERRUPTED};

/// Why a command stopped without its normal result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CliError {
    /// Bad input (exit 2): every problem found, each printed as `error: <problem>` on its own
    /// line (a problem may span lines, e.g. a heading and its diagnostics).
    BadInput(Vec<String>),
    /// Interrupted by SIGINT or SIGTERM after writing what was finished (exit 130): printed as
    /// `interrupted: <what was written where>`.
    Interrupted(String),
}

impl CliError {
    /// Bad input with one problem.
    pub(crate) fn bad(problem: impl Into<String>) -> Self {
        CliError::BadInput(vec![problem.into()])
    }

    /// The exit code: 2 for bad input, 130 when interrupted.
    pub(crate) fn code(&self) -> u8 {
        match self {
            CliError::BadInput(_) => EXIT_BAD_INPUT,
            CliError::Interrupted(_) => EXIT_INTERRUPTED,
        }
    }

    /// Prints the error on standard error (the only place a command's error is printed) and
    /// returns its exit code.
    pub(crate) fn report(&self) -> u8 {
        match self {
            CliError::BadInput(problems) => {
                for p in problems {
                    eprintln!("error: {p}");
                }
            }
            CliError::Interrupted(what) => eprintln!("interrupted: {what}"),
        }
        self.code()
    }
}

/// A command's result: its exit code (0, 1 or 3), or why it stopped.
pub(crate) type CmdResult = Result<u8, CliError>;

/// Bad input with every problem of `problems`, or `Ok(())` when there is none.
pub(crate) fn all_or_bad(problems: Vec<String>) -> Result<(), CliError> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CliError::BadInput(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_contract() {
        assert_eq!(CliError::bad("x").code(), 2);
        assert_eq!(CliError::BadInput(vec![]).code(), 2);
        assert_eq!(CliError::Interrupted("x".into()).code(), 130);
        assert_eq!(all_or_bad(vec![]), Ok(()));
        assert_eq!(
            all_or_bad(vec!["a".into(), "b".into()]),
            Err(CliError::BadInput(vec!["a".into(), "b".into()]))
        );
    }
}
