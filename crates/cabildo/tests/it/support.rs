//! Running the binary and speaking plain HTTP to it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Output};

pub fn cabildo() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cabildo"));
    command
        .env_remove("DATABASE_URL")
        .env_remove("REDIS_URL")
        .env_remove("CABILDO_LISTEN")
        .env("CABILDO_LOG_FORMAT", "text")
        .env("RUST_LOG", "warn");
    command
}

pub struct Run {
    pub ok: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(command: &mut Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("run cabildo");
    Run {
        ok: status.success(),
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// `GET path` with `Host: host`; returns the status code and the raw body.
pub fn http_get(port: u16, host: &str, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// Sends SIGTERM to `server` (a graceful stop) and asserts that it accepted it.
pub fn terminate(server: &std::process::Child) {
    let killed = Command::new("kill")
        .arg(server.id().to_string())
        .status()
        .expect("kill");
    assert!(killed.success());
}
