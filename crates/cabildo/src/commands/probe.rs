//! `cabildo probe URL`: a health check for containers whose image has no
//! HTTP client (the runtime image is Debian slim with the binary alone):
//! `GET` a plain `http://host[:port]/path` address and succeed on a 2xx
//! answer within the timeout. No runtime, no TLS: probes stay on the
//! container's own loopback.

use crate::config::ProbeArgs;
use anyhow::{Context, bail};
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Runs the probe; `Err` says why it failed.
pub fn run(args: &ProbeArgs) -> anyhow::Result<()> {
    let (host, path) = split(&args.url)?;
    let timeout = Duration::from_secs(args.timeout.max(1));
    let socket = (host.to_socket_addrs())
        .with_context(|| format!("resolving {host}"))?
        .next()
        .with_context(|| format!("{host} has no address"))?;
    let mut stream = TcpStream::connect_timeout(&socket, timeout)
        .with_context(|| format!("connecting to {host}"))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: {host}\r\nUser-Agent: cabildo-probe\r\n\r\n"
    )?;
    // The status line is all we need: "HTTP/1.1 200 OK".
    let mut head = Vec::new();
    let mut buffer = [0u8; 256];
    while !head.contains(&b'\n') && head.len() < 1024 {
        let read = stream.read(&mut buffer).context("reading the answer")?;
        if read == 0 {
            break;
        }
        head.extend_from_slice(&buffer[..read]);
    }
    let line = String::from_utf8_lossy(&head);
    let status = (line.split_whitespace().nth(1))
        .and_then(|code| code.parse::<u16>().ok())
        .with_context(|| format!("{} did not answer HTTP", args.url))?;
    if !(200..300).contains(&status) {
        bail!("{} answered {status}", args.url);
    }
    Ok(())
}

/// `host:port` and path of a plain HTTP address.
fn split(url: &str) -> anyhow::Result<(String, String)> {
    let rest = (url.strip_prefix("http://"))
        .with_context(|| format!("{url:?} is not a plain http:// address"))?;
    let (host, path) = match rest.find('/') {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, "/"),
    };
    if host.is_empty() || path.contains(char::is_whitespace) {
        bail!("{url:?} is not a plain http:// address");
    }
    let host = match host.rsplit_once(':') {
        Some((_, port)) if port.parse::<u16>().is_ok() => host.to_owned(),
        _ => format!("{host}:80"),
    };
    Ok((host, path.to_owned()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn addresses_are_split_into_host_and_path() {
        let split = |url| super::split(url).expect(url);
        assert_eq!(
            split("http://127.0.0.1:9090/readyz"),
            ("127.0.0.1:9090".into(), "/readyz".into())
        );
        assert_eq!(split("http://web"), ("web:80".into(), "/".into()));
        for bad in ["https://x/", "http:///x", "ftp://x", "http://x/a b"] {
            assert!(super::split(bad).is_err(), "{bad}");
        }
    }
}
