//! A local `redis-server` on a free loopback port.

use crate::{find_program, free_port};
use anyhow::{Context, bail};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running local Redis server. It is only a cache here, so it keeps no
/// data on disk.
#[derive(Debug)]
pub struct LocalRedis {
    child: Child,
    port: u16,
}

impl LocalRedis {
    /// Starts `redis-server` with its working folder in `dir`.
    pub fn start(dir: &Path) -> anyhow::Result<Self> {
        let program = find_program("redis-server", &[])
            .context("redis-server not found on PATH; install it (apt-get install redis-server)")?;
        std::fs::create_dir_all(dir)?;
        let port = free_port()?;
        let log = std::fs::File::create(dir.join("redis.log"))?;
        let child = Command::new(program)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .arg("--dir")
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("starting redis-server")?;
        let mut redis = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = redis.child.try_wait()? {
                bail!(
                    "redis-server exited at start ({status}); see {}",
                    dir.join("redis.log").display()
                );
            }
            if Instant::now() > deadline {
                bail!("redis-server did not listen on port {port} within 20 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(redis)
    }

    /// Port the server listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Process id, for a watchdog that outlives us.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Connection URL.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Stops the server and waits for it to exit.
    pub fn stop(mut self) -> anyhow::Result<()> {
        // SIGTERM through kill(1): we forbid unsafe code, so no libc here.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        self.child.wait()?;
        Ok(())
    }
}
