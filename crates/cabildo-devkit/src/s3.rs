//! A local S3-compatible server for the object-storage tests: moto's
//! `moto_server` (a Python program from PyPI, which `scripts/lib.sh`'s
//! `ensure_s3` installs and names in `CABILDO_TEST_MOTO_SERVER`), on a
//! free loopback port. It speaks the S3 protocol (buckets, objects with
//! their headers, copies, listings, presigned URLs) but checks no
//! signatures: tests prove what reaches S3 and comes back, not AWS's
//! authentication.

use crate::{find_program, free_port};
use anyhow::{Context, bail};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `moto_server`, killed when dropped.
#[derive(Debug)]
pub struct LocalS3 {
    child: Child,
    port: u16,
}

/// Where `moto_server` is: `CABILDO_TEST_MOTO_SERVER`, else on `PATH`.
fn program() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("CABILDO_TEST_MOTO_SERVER") {
        return Ok(PathBuf::from(path));
    }
    find_program("moto_server", &[]).context(
        "moto_server not found: run the tests with scripts/test, or source scripts/lib.sh \
         and run ensure_s3 (it installs moto from PyPI and sets CABILDO_TEST_MOTO_SERVER)",
    )
}

impl LocalS3 {
    /// Starts the server and waits until it answers.
    pub fn start() -> anyhow::Result<Self> {
        let port = free_port()?;
        let child = Command::new(program()?)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting moto_server")?;
        let mut server = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        while server.request("GET", "/").is_err() {
            if let Some(status) = server.child.try_wait()? {
                bail!("moto_server exited at start ({status})");
            }
            if Instant::now() > deadline {
                bail!("moto_server did not answer on port {port} within 30 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }

    /// The endpoint (`http://127.0.0.1:{port}`), for `AWS_ENDPOINT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Creates the bucket `name`.
    pub fn create_bucket(&self, name: &str) -> anyhow::Result<()> {
        let (status, _) = self.request("PUT", &format!("/{name}"))?;
        if status != 200 {
            bail!("creating the bucket {name}: HTTP {status}");
        }
        Ok(())
    }

    /// A plain request to the server, unsigned (the server checks no
    /// signatures): its status and the response's head and body as text.
    pub fn request(&self, method: &str, path: &str) -> anyhow::Result<(u16, String)> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.port
        )?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer)?;
        let answer = String::from_utf8_lossy(&answer).into_owned();
        let status = (answer.split(' ').nth(1))
            .and_then(|code| code.parse().ok())
            .context("not an HTTP answer")?;
        Ok((status, answer))
    }
}

impl Drop for LocalS3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
