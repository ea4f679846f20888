//! `cabildo demo` end to end: the real binary brings up the demo councils,
//! stops cleanly on SIGTERM, and reuses its data on the next run.

use crate::support::{cabildo, http_get};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

fn start(data_dir: &std::path::Path, port: u16) -> Child {
    cabildo()
        .args([
            "demo",
            "--tenants",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../tenants"),
        ])
        .arg("--data-dir")
        .arg(data_dir)
        .env("CABILDO_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start demo")
}

fn wait_ready(child: &mut Child, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok((200, _)) = http_get(port, "localhost", "/readyz") {
            return;
        }
        if let Some(status) = child.try_wait().expect("wait") {
            panic!("demo exited early: {status}");
        }
        assert!(Instant::now() < deadline, "demo not ready within 120 s");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn stop(child: Child) -> String {
    let status = std::process::Command::new("kill")
        .arg(child.id().to_string())
        .status()
        .expect("kill");
    assert!(status.success());
    let output = child.wait_with_output().expect("wait");
    assert!(
        output.status.success(),
        "demo exit: {:?}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn the_demo_serves_both_councils_and_the_platform_then_stops_cleanly() {
    let data_dir = std::env::temp_dir().join(format!("cabildo-demo-{}", uuid::Uuid::new_v4()));
    let port = cabildo_devkit::free_port().expect("port");
    let mut child = start(&data_dir, port);
    wait_ready(&mut child, port);

    let (status, toledo) =
        http_get(port, &format!("toledo.localhost:{port}"), "/").expect("toledo");
    assert_eq!(status, 200);
    assert!(toledo.contains("Ayuntamiento de Toledo") && toledo.contains("Casco Histórico"));
    assert!(toledo.contains("lang=\"es\"") && toledo.contains("hreflang=\"en\""));
    let (status, talavera) =
        http_get(port, &format!("talavera.localhost:{port}"), "/").expect("talavera");
    assert_eq!(status, 200);
    assert!(talavera.contains("Talavera de la Reina") && !talavera.contains("Casco Histórico"));
    let (status, platform) = http_get(port, &format!("localhost:{port}"), "/").expect("platform");
    assert_eq!(status, 200);
    assert!(platform.contains("Cabildo"));
    let (status, unknown) =
        http_get(port, &format!("madrid.localhost:{port}"), "/").expect("unknown");
    assert_eq!(status, 404);
    assert!(!unknown.contains("madrid"));

    let first_run = stop(child);
    assert!(first_run.contains("toledo: created"), "{first_run}");
    assert!(
        !data_dir.join("postgres/data/postmaster.pid").exists(),
        "PostgreSQL was stopped"
    );

    // Again: the data is reused.
    let mut child = start(&data_dir, port);
    wait_ready(&mut child, port);
    let (status, _) = http_get(port, &format!("toledo.localhost:{port}"), "/").expect("toledo");
    assert_eq!(status, 200);
    let second_run = stop(child);
    assert!(second_run.contains("toledo: updated"), "{second_run}");
    let _ = std::fs::remove_dir_all(&data_dir);
}
