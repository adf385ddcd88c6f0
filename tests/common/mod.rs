//! What the integration tests share: running the binary, the test pages, failure checks.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

/// The `chaff` binary, as users run it.
pub fn chaff() -> Command {
    Command::cargo_bin("chaff").unwrap()
}

/// A file under `tests/data`.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Failing commands: a non-zero exit and a message that says what is wrong.
pub trait FailsSaying {
    fn fails_saying(&mut self, message: &str);
}

impl FailsSaying for Command {
    fn fails_saying(&mut self, message: &str) {
        self.assert()
            .failure()
            .stderr(predicate::str::contains(message));
    }
}

/// Standard output of a command that must succeed.
pub fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}
