//! Casts supports (or budget ballots) against a running server, each by a
//! distinct person on a distinct proposal, over keep-alive HTTP/1.1
//! connections, and counts every answer: unlike wrk, it waits for the last
//! response, so the number of accepted answers can be compared exactly with
//! the rows in the database.
//!
//! Usage (bench/participation runs it):
//! `cast_supports ADDR HOST TOKENS_FILE PROPOSALS_FILE REQUESTS CONNECTIONS spread|one|ballot|consultation`
//! With `ballot`, PROPOSALS_FILE is a `seed participation --ballot-file`
//! (a heading id, then project ids) and each person casts and submits one
//! ballot of two projects (201 and 200 both count as accepted).
//! With `consultation`, it is a `cast_consultation … http` ballot file (a
//! consultation id, its question's id, its options' ids) and each person
//! votes once, for the options in turn.
//! (built with `cargo build --release -p cabildo --example cast_supports`)
//! Prints one line of JSON: created, already, failed, seconds, per_second,
//! p50_ms, p99_ms.

#![expect(clippy::expect_used, reason = "a benchmark fails loudly")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

fn lines(path: &str) -> Vec<String> {
    std::fs::read_to_string(path)
        .expect("readable file")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Sends one request and reads its answer; returns the status.
async fn exchange(stream: &mut BufReader<TcpStream>, request: &[u8]) -> std::io::Result<u16> {
    stream.get_mut().write_all(request).await?;
    let mut line = String::new();
    stream.read_line(&mut line).await?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut length = 0usize;
    loop {
        line.clear();
        stream.read_line(&mut line).await?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await?;
    Ok(status)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [
        _,
        addr,
        host,
        tokens,
        proposals,
        requests,
        connections,
        spread,
    ] = args.as_slice()
    else {
        eprintln!(
            "usage: cast_supports ADDR HOST TOKENS_FILE PROPOSALS_FILE REQUESTS CONNECTIONS spread|one|ballot"
        );
        std::process::exit(2);
    };
    let one = spread == "one";
    let ballot = spread == "ballot";
    let consultation = spread == "consultation";
    let tokens = Arc::new(lines(tokens));
    let proposals = Arc::new(lines(proposals));
    let requests: usize = requests.parse().expect("REQUESTS");
    let connections: usize = connections.parse().expect("CONNECTIONS");
    assert!(
        requests <= tokens.len() * proposals.len(),
        "not enough distinct pairs"
    );
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (tokens, proposals, next) = (tokens.clone(), proposals.clone(), next.clone());
        let (addr, host) = (addr.clone(), host.clone());
        tasks.push(tokio::spawn(async move {
            let mut stream = BufReader::new(TcpStream::connect(&addr).await.expect("connect"));
            stream.get_ref().set_nodelay(true).expect("nodelay");
            let (mut created, mut already, mut failed) = (0usize, 0usize, 0usize);
            let mut latencies = Vec::new();
            loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if k >= requests {
                    break;
                }
                // Pair k: person t = k mod T and proposal 7t + k div T
                // (mod P): all pairs distinct, and the requests in flight
                // at any moment are by different people on different
                // proposals — or, with `one`, all on the first proposal.
                let person = k % tokens.len();
                let token = &tokens[person];
                let proposal = if one {
                    &proposals[0]
                } else {
                    &proposals[(person * 7 + k / tokens.len()) % proposals.len()]
                };
                let request = if consultation {
                    // [consultation, question, options…]; person k votes once.
                    let options = proposals.len() - 2;
                    let body = format!(
                        "{{\"choices\": {{\"{}\": [\"{}\"]}}}}",
                        proposals[1],
                        proposals[2 + k % options]
                    );
                    format!(
                        "POST /api/v1/consultations/{}/votes HTTP/1.1\r\nHost: {host}\r\n\
                         Authorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        proposals[0],
                        tokens[k % tokens.len()],
                        body.len()
                    )
                } else if ballot {
                    // proposals[0] is the heading; two projects per ballot.
                    let projects = proposals.len() - 1;
                    let (a, b) = (1 + k % projects, 1 + (k / projects + k + 1) % projects);
                    let body = format!(
                        "{{\"projects\": [\"{}\", \"{}\"], \"submit\": true}}",
                        proposals[a], proposals[b]
                    );
                    format!(
                        "PUT /api/v1/budget-headings/{}/ballot HTTP/1.1\r\nHost: {host}\r\n\
                         Authorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        proposals[0],
                        body.len()
                    )
                } else {
                    format!(
                        "POST /api/v1/proposals/{proposal}/support HTTP/1.1\r\nHost: {host}\r\n\
                         Authorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n"
                    )
                };
                let sent = Instant::now();
                match exchange(&mut stream, request.as_bytes()).await {
                    Ok(201) => created += 1,
                    Ok(200) if ballot => created += 1,
                    Ok(200) => already += 1,
                    Ok(_) => failed += 1,
                    Err(_) => {
                        failed += 1;
                        stream = BufReader::new(TcpStream::connect(&addr).await.expect("reconnect"));
                    }
                }
                latencies.push(sent.elapsed());
            }
            (created, already, failed, latencies)
        }));
    }
    let (mut created, mut already, mut failed) = (0, 0, 0);
    let mut latencies: Vec<Duration> = Vec::with_capacity(requests);
    for task in tasks {
        let (c, a, f, l) = task.await.expect("task");
        created += c;
        already += a;
        failed += f;
        latencies.extend(l);
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64) * q) as usize)
            .or(latencies.last())
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{{\"created\": {created}, \"already\": {already}, \"failed\": {failed}, \"seconds\": {seconds:.3}, \
         \"per_second\": {:.0}, \"p50_ms\": {:.1}, \"p99_ms\": {:.1}}}",
        requests as f64 / seconds,
        at(0.5),
        at(0.99)
    );
}
