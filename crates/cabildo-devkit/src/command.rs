//! Running server programs, as an unprivileged user when we are root.

use anyhow::{Context, bail};
use std::path::Path;
use std::process::{Command, Output};

/// Whom to run server programs as.
#[derive(Clone, Debug)]
pub(crate) enum RunAs {
    /// The current user (not root).
    Me,
    /// An unprivileged system user, because we are root.
    User(String),
}

impl RunAs {
    /// Decides whom PostgreSQL runs as: ourselves, or when we are root the
    /// `postgres` system user, created (as `cabildo-pg`) when missing.
    pub(crate) fn for_postgres() -> anyhow::Result<Self> {
        if !running_as_root()? {
            return Ok(Self::Me);
        }
        for user in ["postgres", "cabildo-pg"] {
            if user_exists(user) {
                return Ok(Self::User(user.to_owned()));
            }
        }
        let status = Command::new("useradd")
            .args([
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                "cabildo-pg",
            ])
            .status()
            .context("creating the unprivileged user cabildo-pg (useradd)")?;
        if !status.success() {
            bail!("useradd cabildo-pg failed: {status}");
        }
        Ok(Self::User("cabildo-pg".to_owned()))
    }

    /// Builds a command for `program` run as this user.
    pub(crate) fn command(&self, program: &Path) -> Command {
        match self {
            Self::Me => Command::new(program),
            Self::User(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(program);
                command
            }
        }
    }

    /// Gives this user ownership of `dir` (recursively) when it is not us.
    pub(crate) fn own(&self, dir: &Path) -> anyhow::Result<()> {
        if let Self::User(user) = self {
            let status = Command::new("chown")
                .args(["-R", &format!("{user}:")])
                .arg(dir)
                .status()
                .context("chown")?;
            if !status.success() {
                bail!("chown {} to {user} failed", dir.display());
            }
        }
        Ok(())
    }
}

/// Runs a command to completion and fails with its output when it fails.
pub(crate) fn run(command: &mut Command, what: &str) -> anyhow::Result<Output> {
    let output = command
        .output()
        .with_context(|| format!("starting {what}"))?;
    if !output.status.success() {
        bail!(
            "{what} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(output)
}

fn running_as_root() -> anyhow::Result<bool> {
    let output = run(Command::new("id").arg("-u"), "id -u")?;
    Ok(String::from_utf8_lossy(&output.stdout).trim() == "0")
}

fn user_exists(user: &str) -> bool {
    Command::new("id")
        .arg(user)
        .output()
        .is_ok_and(|output| output.status.success())
}
