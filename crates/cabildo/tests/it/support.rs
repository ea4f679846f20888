//! Running the binary and speaking plain HTTP to it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

/// `cabildo demo` running in the background on `port`, its standard output
/// collected.
pub struct Demo {
    child: Child,
    output: Arc<Mutex<Vec<String>>>,
    /// The port of the map tile server the demo draws maps from.
    pub tiles: u16,
}

/// A map tile server on loopback answering every path with one small PNG
/// (the machines that run the tests reach no real tile server).
fn tile_server() -> u16 {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("tile server");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let mut stream = stream;
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                PNG.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(PNG);
        }
    });
    port
}

impl Demo {
    /// Starts the demo with its data (PostgreSQL, Redis, uploads) in `data_dir`.
    pub fn start(data_dir: &std::path::Path, port: u16) -> Self {
        let tiles = tile_server();
        let mut child = cabildo()
            .args([
                "demo",
                "--tenants",
                concat!(env!("CARGO_MANIFEST_DIR"), "/../../tenants"),
                "--plans",
                concat!(env!("CARGO_MANIFEST_DIR"), "/../../plans"),
            ])
            .arg("--data-dir")
            .arg(data_dir)
            .env("CABILDO_LISTEN", format!("127.0.0.1:{port}"))
            .env(
                "CABILDO_MAP_TILES",
                format!("http://127.0.0.1:{tiles}/{{z}}/{{x}}/{{y}}.png"),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start demo");
        let output: Arc<Mutex<Vec<String>>> = Arc::default();
        let stdout = child.stdout.take().expect("stdout");
        let lines = output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                lines.lock().expect("lock").push(line);
            }
        });
        Self {
            child,
            output,
            tiles,
        }
    }

    /// Waits until the demo answers `/readyz`.
    pub fn wait_ready(&mut self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok((200, _)) = http_get(port, "localhost", "/readyz") {
                return;
            }
            if let Some(status) = self.child.try_wait().expect("wait") {
                panic!("demo exited early: {status}");
            }
            assert!(Instant::now() < deadline, "demo not ready within 120 s");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// What the demo printed so far.
    pub fn output(&self) -> String {
        self.output.lock().expect("lock").join("\n")
    }

    /// Stops the demo gracefully and returns everything it printed.
    pub fn stop(mut self) -> String {
        terminate(&self.child);
        let status = self.child.wait().expect("wait");
        assert!(status.success(), "demo exit: {status:?}\n{}", self.output());
        // Let the reader thread drain the pipe.
        std::thread::sleep(Duration::from_millis(100));
        self.output()
    }
}
