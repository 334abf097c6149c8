//! The error type every command returns, and the exit code each kind maps to:
//! 1 the catalog has problems, 2 bad invocation or strata could not read or write a file,
//! 3 a registry or the network failed.

use std::fmt;

use crate::diagnostic::Diagnostic;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The most problems one error shows (the last, a summary, is always shown).
pub const MAX_SHOWN: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Problems in the user's files (parse errors, invalid profiles, unsatisfiable locks).
    #[error("{}", Problems(.0))]
    Catalog(Vec<Diagnostic>),

    /// The command line asked for something that cannot be done.
    #[error("{message}")]
    Usage {
        message: String,
        hint: Option<String>,
    },

    /// strata could not read or write a file (fs-err messages name the path).
    #[error(transparent)]
    Io(#[from] std::io::Error),

    /// A registry could not be read.
    #[error("registry `{registry}`: {message}")]
    Registry {
        registry: String,
        message: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },

    /// Nothing to print, only an exit code (`diff --exit-code`).
    #[error("exit {0}")]
    Exit(u8),

    /// A git operation on the catalog repository failed.
    #[error("git: {0}")]
    Git(#[from] git2::Error),

    /// strata broke one of its own rules: a bug, never the user's doing.
    #[error("internal error: {0}; this is a bug in strata, please report it")]
    Internal(String),
}

impl Error {
    pub fn usage(message: impl Into<String>) -> Error {
        Error::usage_hint(message, None)
    }

    pub fn usage_hint(message: impl Into<String>, hint: Option<String>) -> Error {
        Error::Usage {
            message: crate::shown::bounded(message.into()),
            hint: hint.map(crate::shown::bounded),
        }
    }

    pub fn registry(registry: &str, message: impl Into<String>) -> Error {
        Error::Registry {
            registry: registry.to_string(),
            message: message.into(),
            source: None,
        }
    }

    /// A worker thread that panicked (`what` names its work, e.g. "a fetch").
    pub fn panicked(what: &str) -> Error {
        Error::Internal(format!("{what} thread panicked"))
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Catalog(_) => 1,
            Error::Usage { .. } | Error::Io(_) | Error::Git(_) | Error::Internal(_) => 2,
            Error::Registry { .. } => 3,
            Error::Exit(code) => *code,
        }
    }

    /// The hint printed under the message, if any.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Usage { hint, .. } => hint.as_deref(),
            _ => None,
        }
    }
}

/// Splits problems in the user's files (to report beside others) from failures that stop
/// the command.
pub fn problems<T>(r: Result<T>) -> Result<std::result::Result<T, Vec<Diagnostic>>> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(Error::Catalog(d)) => Ok(Err(d)),
        Err(e) => Err(e),
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Error {
        Error::Catalog(vec![d])
    }
}

struct Problems<'a>(&'a [Diagnostic]);

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A file of a hundred thousand mistakes shows the first ones and the closing count.
        let n = self.0.len();
        let (head, cut) = if n > MAX_SHOWN {
            (MAX_SHOWN - 2, n - (MAX_SHOWN - 1))
        } else {
            (n, 0)
        };
        for (i, d) in self.0[..head].iter().enumerate() {
            if i > 0 {
                f.write_str("\nerror: ")?;
            }
            write!(f, "{d}")?;
        }
        if cut > 0 {
            write!(f, "\nerror: … {cut} more problems not shown")?;
            write!(f, "\nerror: {}", self.0[n - 1])?;
        }
        Ok(())
    }
}
