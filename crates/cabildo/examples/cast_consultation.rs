//! Casts consultation votes through the engine (`consultations::cast`, the
//! code path the pages and the API call, without HTTP), each by a distinct
//! verified resident, from CONCURRENCY tasks each with its own tenant
//! transaction, then checks that ballots and roll marks both equal the
//! accepted votes exactly.
//!
//! Usage (bench/consultation runs it): `cast_consultation VOTERS CONCURRENCY`
//! against DATABASE_URL, on the council `toledo` (which it gives a process,
//! a consultation of one question, VOTERS census residents with verified
//! accounts, and opens).
//! Prints one line of JSON: cast, refused, seconds, per_second, p50_ms,
//! p99_ms, ballots, marked, exact.
//!
//! `cast_consultation VOTERS CONCURRENCY http TOKENS_FILE BALLOT_FILE`
//! prepares the same for voting over HTTP instead, in a consultation of its
//! own: it writes a personal access token per voter and the ballot file
//! (the consultation's id, its question's, its options') that
//! `cast_supports … consultation` votes with, and casts nothing.

#![expect(clippy::expect_used, reason = "a benchmark fails loudly")]

use cabildo_engine::consultations::{self, NewConsultation, NewQuestion};
use cabildo_engine::processes::{self, NewProcess, Rules, Who};
use cabildo_engine::staff::Actor;
use cabildo_tenancy::{PoolConfig, Slug, Tenancy};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let voters: usize = args.get(1).and_then(|a| a.parse().ok()).expect("VOTERS");
    let concurrency: usize = args
        .get(2)
        .and_then(|a| a.parse().ok())
        .expect("CONCURRENCY");
    // Over HTTP: (tokens file, ballot file).
    let http = match args.get(3).map(String::as_str) {
        Some("http") => Some((
            args.get(4).expect("TOKENS_FILE").clone(),
            args.get(5).expect("BALLOT_FILE").clone(),
        )),
        _ => None,
    };
    let label = if http.is_some() { "http" } else { "engine" };
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let pool = PoolConfig {
        max_connections: u32::try_from(concurrency).expect("concurrency") + 2,
        ..PoolConfig::default()
    };
    let tenancy = Tenancy::connect(&url, pool, None).await.expect("connect");
    let toledo = tenancy
        .get_tenant(&Slug::parse("toledo").expect("slug"))
        .await
        .expect("toledo");
    let actor = Actor("cli".into());
    let mut tx = tenancy.begin(&toledo).await.expect("begin");
    // Residents n = 1..VOTERS: a census row, a verified account and its claim.
    sqlx::query(
        "WITH people AS (
             INSERT INTO users (email, name, email_confirmed_at, verified_at, district_code)
             SELECT 'consulta-' || $2 || '-' || n || '@bench.example', 'Vecina ' || n, now(), now(),
                    (SELECT min(code) FROM districts)
             FROM generate_series(1, $1) n RETURNING id, email),
         residents AS (
             INSERT INTO census (document_hash, birth_date, district_code)
             SELECT sha256(convert_to(email, 'UTF8')), '1970-01-01', (SELECT min(code) FROM districts)
             FROM people RETURNING document_hash)
         INSERT INTO census_claims (document_hash, user_id)
         SELECT sha256(convert_to(email, 'UTF8')), id FROM people",
    )
    .bind(i32::try_from(voters).expect("voters"))
    .bind(label)
    .execute(tx.conn())
    .await
    .expect("residents");
    let users: Vec<cabildo_engine::UserId> = sqlx::query_scalar(
        "SELECT id FROM users WHERE email LIKE 'consulta-' || $1 || '-%@bench.example'",
    )
    .bind(label)
    .fetch_all(tx.conn())
    .await
    .expect("users");
    let process = processes::create(
        &mut tx,
        &actor,
        &NewProcess {
            slug: format!("consulta-bench-{label}"),
            title: "Consulta".into(),
            summary: String::new(),
            description: String::new(),
            district: None,
            rules: Rules {
                create: Who::Registered,
                support: Who::Verified,
                organisations_may_support: false,
                support_threshold: 100,
            },
        },
    )
    .await
    .expect("process");
    let now = time::OffsetDateTime::now_utc();
    // Published with a consultation phase, as the API shows only those.
    processes::add_phase(
        &mut tx,
        &actor,
        process,
        &processes::NewPhase {
            title: "Consulta".into(),
            starts_at: now - time::Duration::hours(1),
            ends_at: now + time::Duration::days(1),
            components: vec![processes::Component::Consultation],
        },
    )
    .await
    .expect("phase");
    processes::publish(&mut tx, &actor, process)
        .await
        .expect("publish");
    let id = consultations::create(
        &mut tx,
        &actor,
        process,
        &NewConsultation {
            title: "Consulta de prueba".into(),
            description: String::new(),
            district_code: None,
            min_age: 16,
            revoting: false,
            opens_at: now - time::Duration::hours(1),
            closes_at: now + time::Duration::days(1),
            questions: vec![NewQuestion {
                text: "¿Sí o no?".into(),
                max_choices: 1,
                options: vec!["Sí".into(), "No".into()],
            }],
        },
    )
    .await
    .expect("consultation");
    consultations::open(&mut tx, &actor, id)
        .await
        .expect("open");
    let question = consultations::questions(&mut tx, id)
        .await
        .expect("questions")
        .remove(0);
    if let Some((tokens_file, ballot_file)) = http {
        let mut tokens = String::new();
        for user in &users {
            let (_, token) = cabildo_engine::accounts::api_tokens::create(&mut tx, *user, "bench")
                .await
                .expect("token");
            tokens.push_str(&token);
            tokens.push('\n');
        }
        tx.commit().await.expect("commit");
        std::fs::write(tokens_file, tokens).expect("tokens file");
        let ballot: Vec<String> = [id.to_string(), question.id.to_string()]
            .into_iter()
            .chain(question.options.iter().map(|(o, _)| o.to_string()))
            .collect();
        std::fs::write(ballot_file, ballot.join("\n")).expect("ballot file");
        return;
    }
    tx.commit().await.expect("commit");

    let users = Arc::new(users);
    let next = Arc::new(AtomicUsize::new(0));
    let refused = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (tenancy, toledo, users, next, refused) = (
            tenancy.clone(),
            toledo.clone(),
            users.clone(),
            next.clone(),
            refused.clone(),
        );
        let question = question.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(user) = users.get(i) else {
                    return latencies;
                };
                let choices = BTreeMap::from([(question.id.0, vec![question.options[i % 2].0.0])]);
                let began = Instant::now();
                let mut tx = tenancy.begin(&toledo).await.expect("begin");
                match consultations::cast(&mut tx, id, *user, &choices).await {
                    Ok(_) => tx.commit().await.expect("commit"),
                    Err(_) => {
                        refused.fetch_add(1, Ordering::Relaxed);
                    }
                }
                latencies.push(began.elapsed());
            }
        }));
    }
    let mut latencies: Vec<Duration> = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("task"));
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let at = |q: f64| {
        let i = ((latencies.len() as f64 - 1.0) * q).round() as usize;
        latencies.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let refused = refused.load(Ordering::Relaxed);
    let cast = latencies.len() - refused;
    let mut tx = tenancy.begin(&toledo).await.expect("begin");
    let (ballots, marked): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM consultation_ballots WHERE consultation_id = $1),
                (SELECT count(voted_on) FROM consultation_roll WHERE consultation_id = $1)",
    )
    .bind(id)
    .fetch_one(tx.conn())
    .await
    .expect("counts");
    tx.commit().await.expect("commit");
    let exact = usize::try_from(ballots).ok() == Some(cast) && ballots == marked;
    println!(
        "{}",
        serde_json::json!({
            "cast": cast, "refused": refused, "seconds": seconds,
            "per_second": cast as f64 / seconds, "p50_ms": at(0.5), "p99_ms": at(0.99),
            "ballots": ballots, "marked": marked, "exact": exact,
        })
    );
}
