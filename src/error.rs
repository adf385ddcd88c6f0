//! Errors with the context a user needs to fix the input: file, line or byte, and what is wrong.

use std::io;

/// Everything that can go wrong in chaff.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    // The system error is part of the message and deliberately not a `#[source]`: error
    // reporters that print the chain would otherwise say it twice.
    #[error("{path}: {error}")]
    Io {
        /// The file (or `-` for standard input/output).
        path: String,
        /// What the operating system said.
        error: io::Error,
    },
    /// Input text is not valid UTF-8.
    #[error("{source_name}: invalid UTF-8 at byte {offset} (line {line}){hint}")]
    InvalidUtf8 {
        /// The file (or `-` for standard input).
        source_name: String,
        /// Offset of the first invalid byte from the start of the input.
        offset: usize,
        /// One-based line number holding that byte.
        line: usize,
        /// The likely cause, when the bytes show one (compressed data, a legacy encoding), as
        /// text to append to the message; empty otherwise.
        hint: &'static str,
    },
    /// A labeled page or JSONL record is malformed.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// One-based line (or record) number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A model file is corrupt or does not match this build.
    #[error("model {path}: {message}")]
    Model {
        /// The model file, or `<built-in>`.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// Invalid hyper-parameters or an unusable training corpus.
    #[error("training: {0}")]
    Train(String),
    /// A site profile (`chaff sites build`) is corrupt or of another format version.
    #[error("site profile {path}: {message}")]
    SiteProfile {
        /// The profile file.
        path: String,
        /// What is wrong, and at which byte.
        message: String,
    },
    /// A corpus layout file or article is malformed.
    #[error("{path}: {message}")]
    Corpus {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl Error {
    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<String>, error: io::Error) -> Error {
        Error::Io {
            path: path.into(),
            error,
        }
    }

    /// The operating system's error, when this is an I/O error.
    pub fn io_error(&self) -> Option<&io::Error> {
        match self {
            Error::Io { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// Result with chaff's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_say_the_system_error_once() {
        let err = Error::io("page.txt", io::Error::from(io::ErrorKind::NotFound));
        let message = err.to_string();
        assert_eq!(message.matches("not found").count(), 1, "{message}");
        assert!(message.starts_with("page.txt: "), "{message}");
        // Reporters that print the source chain would say it a second time.
        assert!(std::error::Error::source(&err).is_none());
    }
}
