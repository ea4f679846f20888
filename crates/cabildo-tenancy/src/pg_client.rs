//! PostgreSQL's client programs (`pg_dump`, `psql`) as this crate runs
//! them, and the identifier rewrite applied to the SQL they print (a
//! council's export, the tenant baseline).

use crate::error::{Result, TenancyError};
use std::path::PathBuf;
use std::process::Command;

/// A PostgreSQL client program: on the `PATH`, else Debian's newest.
pub fn program(name: &str) -> PathBuf {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    });
    on_path.unwrap_or_else(|| {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path().join("bin").join(name))
            .filter(|candidate| candidate.is_file())
            .collect();
        versions.sort();
        versions.pop().unwrap_or_else(|| PathBuf::from(name))
    })
}

/// Runs a client program and returns what it printed, or says what went
/// wrong.
pub(crate) fn output(command: &mut Command, what: &str) -> Result<String> {
    let output = command.output().map_err(|error| TenancyError::Invalid {
        field: what.to_owned(),
        reason: format!("could not start it: {error}"),
    })?;
    if output.status.success() {
        return String::from_utf8(output.stdout)
            .map_err(|_| TenancyError::invalid(what, "printed text that is not UTF-8"));
    }
    Err(TenancyError::Invalid {
        field: what.to_owned(),
        reason: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
    })
}

/// `line` with every whole identifier `from` replaced by `to`.
pub(crate) fn replace_identifier(line: &str, from: &str, to: &str) -> String {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find(from) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + from.len()..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(word) || after.is_some_and(word) {
            out.push_str(from);
        } else {
            out.push_str(to);
        }
        rest = &rest[at + from.len()..];
    }
    out.push_str(rest);
    out
}
