//! `cabildo serve` exports traces over OTLP/HTTP when an endpoint is set.

use crate::support::{cabildo, http_get, terminate};
use cabildo_tenancy::testing::fresh_database_url;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Accepts connections and answers 200 to each request, handing each
/// request's head and body to the test.
fn fake_collector() -> (u16, std::sync::mpsc::Receiver<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut request = Vec::new();
            let mut buffer = [0u8; 65536];
            // Read the head, then as much body as Content-Length says.
            while let Ok(n) = stream.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buffer[..n]);
                let text = String::from_utf8_lossy(&request).to_lowercase();
                if let Some(head_end) = text.find("\r\n\r\n") {
                    let length = text[..head_end]
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if request.len() >= head_end + 4 + length {
                        break;
                    }
                }
            }
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n");
            let _ = sender.send(request);
        }
    });
    (port, receiver)
}

#[tokio::test]
async fn request_spans_reach_the_configured_otlp_collector() {
    let url = fresh_database_url().await.expect("database");
    let (collector_port, requests) = fake_collector();
    let port = cabildo_devkit::free_port().expect("port");
    let mut server = cabildo()
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", &url)
        .env("RUST_LOG", "info")
        .env(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            format!("http://127.0.0.1:{collector_port}"),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !matches!(http_get(port, "localhost", "/healthz"), Ok((200, _))) {
        assert!(Instant::now() < deadline, "server never answered");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (status, _) = http_get(port, &format!("localhost:{port}"), "/").expect("platform page");
    assert_eq!(status, 200);
    // A graceful stop flushes the batch of spans.
    terminate(&server);
    assert!(server.wait().expect("wait").success());

    let request = requests
        .recv_timeout(Duration::from_secs(20))
        .expect("spans exported");
    let text = String::from_utf8_lossy(&request);
    assert!(
        text.starts_with("POST /v1/traces "),
        "{}",
        &text[..text.len().min(200)]
    );
    assert!(
        text.to_lowercase()
            .contains("content-type: application/x-protobuf")
    );
    assert!(
        text.contains("cabildo"),
        "the service name is in the resource"
    );
    assert!(text.contains("request"), "the request span is in the batch");
}
