//! A local `redis-server` on a free loopback port, or a Redis Cluster of
//! several on loopback.

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
        Self::start_with(dir, &[])
    }

    fn start_with(dir: &Path, extra: &[&str]) -> anyhow::Result<Self> {
        let program = find_program("redis-server", &[])
            .context("redis-server not found on PATH; install it (apt-get install redis-server)")?;
        std::fs::create_dir_all(dir)?;
        let port = free_port()?;
        let log = std::fs::File::create(dir.join("redis.log"))?;
        let child = Command::new(program)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .args(extra)
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

/// A Redis Cluster of `masters` servers on loopback, no replicas, every
/// slot assigned: what `redis-cli --cluster create` makes in production.
#[derive(Debug)]
pub struct LocalRedisCluster {
    nodes: Vec<LocalRedis>,
}

impl LocalRedisCluster {
    /// Starts the servers in `dir/node-N` and joins them into one cluster.
    pub fn start(dir: &Path, masters: usize) -> anyhow::Result<Self> {
        anyhow::ensure!(masters >= 3, "a Redis Cluster needs at least three masters");
        let cli = find_program("redis-cli", &[])
            .context("redis-cli not found on PATH; install it (apt-get install redis-tools)")?;
        let nodes = (0..masters)
            .map(|n| {
                let node_dir = dir.join(format!("node-{n}"));
                // A cluster's node file outlives a restart; start afresh.
                let _ = std::fs::remove_file(node_dir.join("nodes.conf"));
                LocalRedis::start_with(
                    &node_dir,
                    &[
                        "--cluster-enabled",
                        "yes",
                        "--cluster-config-file",
                        "nodes.conf",
                    ],
                )
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let cluster = Self { nodes };
        let output = Command::new(&cli)
            .args(["--cluster", "create"])
            .args(
                cluster
                    .nodes
                    .iter()
                    .map(|node| format!("127.0.0.1:{}", node.port)),
            )
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdin(Stdio::null())
            .output()
            .context("running redis-cli --cluster create")?;
        if !output.status.success() {
            bail!(
                "redis-cli --cluster create failed: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        // The slots are assigned; wait until every node agrees the cluster is up.
        let deadline = Instant::now() + Duration::from_secs(30);
        for node in &cluster.nodes {
            loop {
                let info = Command::new(&cli)
                    .args(["-p", &node.port.to_string(), "cluster", "info"])
                    .output()?;
                if String::from_utf8_lossy(&info.stdout).contains("cluster_state:ok") {
                    break;
                }
                if Instant::now() > deadline {
                    bail!("Redis Cluster on port {} not ok within 30 s", node.port);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        Ok(cluster)
    }

    /// The application's URL for the cluster: every node as a seed.
    pub fn url(&self) -> String {
        let nodes: Vec<String> = self
            .nodes
            .iter()
            .map(|node| format!("127.0.0.1:{}", node.port))
            .collect();
        format!("redis+cluster://{}", nodes.join(","))
    }

    /// Ports of the nodes, in start order.
    pub fn ports(&self) -> Vec<u16> {
        self.nodes.iter().map(|node| node.port).collect()
    }

    /// Stops every node.
    pub fn stop(mut self) -> anyhow::Result<()> {
        std::mem::take(&mut self.nodes)
            .into_iter()
            .try_for_each(LocalRedis::stop)
    }
}

/// A test that panics leaves no cluster behind.
impl Drop for LocalRedisCluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            let _ = node.child.kill();
            let _ = node.child.wait();
        }
    }
}

/// A Redis master with one replica, watched by one Sentinel that fails
/// over within a second or two: the smallest Sentinel setup, on loopback.
#[derive(Debug)]
pub struct LocalRedisSentinel {
    master: LocalRedis,
    replica: LocalRedis,
    sentinel: Child,
    sentinel_port: u16,
}

/// Name the Sentinel knows the master by.
pub const SENTINEL_MASTER: &str = "cabildo";

impl LocalRedisSentinel {
    /// Starts the three servers in `dir/master`, `dir/replica` and
    /// `dir/sentinel`.
    pub fn start(dir: &Path) -> anyhow::Result<Self> {
        let master = LocalRedis::start(&dir.join("master"))?;
        let of = format!("127.0.0.1 {}", master.port);
        let replica = LocalRedis::start_with(&dir.join("replica"), &["--replicaof", &of])?;
        let sentinel_dir = dir.join("sentinel");
        std::fs::create_dir_all(&sentinel_dir)?;
        let sentinel_port = free_port()?;
        // The Sentinel rewrites its configuration file as it learns.
        let config = sentinel_dir.join("sentinel.conf");
        std::fs::write(
            &config,
            format!(
                "port {sentinel_port}\nbind 127.0.0.1\ndir {dir}\n\
                 sentinel monitor {SENTINEL_MASTER} 127.0.0.1 {master} 1\n\
                 sentinel down-after-milliseconds {SENTINEL_MASTER} 1500\n\
                 sentinel failover-timeout {SENTINEL_MASTER} 3000\n",
                dir = sentinel_dir.display(),
                master = master.port
            ),
        )?;
        let log = std::fs::File::create(sentinel_dir.join("sentinel.log"))?;
        let program = find_program("redis-server", &[]).context("redis-server not found")?;
        let sentinel = Command::new(program)
            .arg(&config)
            .arg("--sentinel")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("starting redis-server --sentinel")?;
        let cluster = Self {
            master,
            replica,
            sentinel,
            sentinel_port,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", sentinel_port)).is_err() {
            if Instant::now() > deadline {
                bail!("the Sentinel did not listen on port {sentinel_port} within 20 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // On a loaded machine the Sentinel's first check can find the
        // master slow, call it down and try a failover: ready means it
        // sees the master up with its replica.
        while !cluster.master_is_up()? {
            if Instant::now() > deadline {
                bail!("the Sentinel did not see the master up with its replica within 20 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(cluster)
    }

    /// Whether the Sentinel sees the master up (no `s_down`/`o_down`
    /// flag, no failover under way) with at least one replica.
    fn master_is_up(&self) -> anyhow::Result<bool> {
        let program = find_program("redis-cli", &[]).context("redis-cli not found")?;
        let output = Command::new(program)
            .args([
                "-p",
                &self.sentinel_port.to_string(),
                "sentinel",
                "master",
                SENTINEL_MASTER,
            ])
            .output()
            .context("running redis-cli")?;
        let text = String::from_utf8_lossy(&output.stdout);
        let lines: Vec<&str> = text.lines().collect();
        let field = |name: &str| {
            lines
                .chunks(2)
                .find(|pair| pair[0] == name)
                .and_then(|pair| pair.get(1).copied())
        };
        Ok(field("flags") == Some("master")
            && field("num-slaves").and_then(|n| n.parse::<u32>().ok()) >= Some(1))
    }

    /// The application's URL: the Sentinel and the master's name.
    pub fn url(&self) -> String {
        format!(
            "redis+sentinel://127.0.0.1:{}/{SENTINEL_MASTER}",
            self.sentinel_port
        )
    }

    /// Ports of the first master and of its replica.
    pub fn ports(&self) -> (u16, u16) {
        (self.master.port, self.replica.port)
    }
}

/// A test that panics leaves no server behind.
impl Drop for LocalRedisSentinel {
    fn drop(&mut self) {
        for child in [
            &mut self.master.child,
            &mut self.replica.child,
            &mut self.sentinel,
        ] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
