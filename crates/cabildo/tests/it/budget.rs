//! `cabildo budget results` on real Pabulib files and on broken ones.

use crate::support::{cabildo, run};
use std::path::{Path, PathBuf};

fn elections() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../cabildo-engine/tests/pabulib")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

#[test]
fn results_print_the_winners_then_the_total() {
    let assen = elections().join("Netherlands_Assen_2024.pb");
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(elections().join("expected.json")).expect("expected"),
    )
    .expect("json");
    for rule in ["greedy", "mes", "mes-greedy"] {
        let result = run(cabildo()
            .args(["budget", "results", "--rule", rule])
            .arg(&assen));
        assert!(result.ok, "{rule}: {}", result.stderr);
        let mut lines: Vec<&str> = result.stdout.lines().collect();
        let total = lines.pop().expect("a total line");
        let mut winners: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
        winners.sort();
        let mut wanted: Vec<String> = expected["Netherlands_Assen_2024.pb"][rule]
            .as_array()
            .expect("ids")
            .iter()
            .map(|v| v.as_str().expect("id").to_owned())
            .collect();
        wanted.sort();
        assert_eq!(winners, wanted, "{rule}");
        assert!(total.starts_with("total "), "{total}");
        let total: i64 = total["total ".len()..].parse().expect("a whole total");
        assert!(
            (1..=100_000).contains(&total),
            "within Assen's budget: {total}"
        );
    }
    let explained = run(cabildo()
        .args(["budget", "results", "--rule", "mes", "--explain"])
        .arg(&assen));
    assert!(
        explained
            .stdout
            .contains("bought in round 1, each supporter paying up to"),
        "{}",
        explained.stdout
    );
    assert!(
        explained
            .stdout
            .lines()
            .any(|line| line.starts_with("# each voter had ")
                && line.ends_with("exactly) in the run that decided")),
        "{}",
        explained.stdout
    );
    let variant = run(cabildo()
        .args([
            "budget",
            "results",
            "--rule",
            "greedy",
            "--tie",
            "cheapest",
            "--completion",
            "until-over-budget",
        ])
        .arg(&assen));
    assert!(variant.ok, "{}", variant.stderr);
    // `budget results` first on the command line is parsed on its own (to
    // start fast); after a shared setting it goes through the whole
    // command line. Both say the same.
    let whole = run(cabildo()
        .args([
            "--log-format",
            "text",
            "budget",
            "results",
            "--rule",
            "mes",
            "--explain",
        ])
        .arg(&assen));
    assert!(whole.ok, "{}", whole.stderr);
    assert_eq!(whole.stdout, explained.stdout);
    let shared_later = run(cabildo()
        .args([
            "budget",
            "results",
            "--rule",
            "mes",
            "--explain",
            "--log-format",
            "json",
        ])
        .arg(&assen));
    assert_eq!(
        shared_later.stdout, explained.stdout,
        "{}",
        shared_later.stderr
    );
    let help = run(cabildo().args(["budget", "results", "--help"]));
    assert!(
        help.stdout
            .contains("Compute the winners of a Pabulib file"),
        "{}",
        help.stdout
    );
}

#[test]
fn broken_files_get_one_clear_error_line_and_a_failure_code() {
    let dir = tempfile_dir();
    let good = "META\nkey;value\nbudget;10\nnum_projects;2\nnum_votes;2\nPROJECTS\nproject_id;cost\n1;5\n2;6\nVOTES\nvoter_id;vote\na;1\nb;1,2\n";
    let mut invalid_utf8 = good.as_bytes().to_vec();
    invalid_utf8.extend_from_slice(&[0xff, 0xfe, b'\n']);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "missing.pb",
            good.replace("VOTES\nvoter_id;vote\na;1\nb;1,2\n", "")
                .into_bytes(),
            "missing the VOTES section",
        ),
        (
            "count.pb",
            good.replace("num_votes;2", "num_votes;3").into_bytes(),
            "META says num_votes is 3",
        ),
        (
            "huge.pb",
            good.replace("1;5", &format!("1;{}", "9".repeat(60)))
                .into_bytes(),
            "is not a number",
        ),
        (
            "unknown.pb",
            good.replace("a;1\n", "a;7\n").into_bytes(),
            "unknown project \"7\"",
        ),
        ("utf8.pb", invalid_utf8, "is not UTF-8 text"),
        (
            "ordinal.pb",
            good.replace("budget;10", "budget;10\nvote_type;ordinal\nmax_length;1")
                .into_bytes(),
            "ranks more than max_length (1) projects",
        ),
        (
            "lottery.pb",
            good.replace("budget;10", "budget;10\nvote_type;lottery")
                .into_bytes(),
            "lottery ballots are not supported",
        ),
        (
            "points.pb",
            good.replace("budget;10", "budget;10\nvote_type;cumulative")
                .replace("voter_id;vote", "voter_id;vote;points")
                .replace("b;1,2", "b;1,2;3,x")
                .into_bytes(),
            "\"x\" is not a number",
        ),
        (
            "garbage.pb",
            b"\x00\x01\x02 hello".to_vec(),
            "before the META section",
        ),
        ("empty.pb", Vec::new(), "missing the META section"),
    ];
    for (name, bytes, message) in cases {
        let path = write(&dir, name, &bytes);
        for rule in ["greedy", "mes"] {
            let result = run(cabildo()
                .args(["budget", "results", "--rule", rule])
                .arg(&path));
            assert_eq!(result.code, Some(1), "{name}: {}", result.stderr);
            assert!(result.stdout.is_empty(), "{name}: {}", result.stdout);
            assert!(result.stderr.contains(message), "{name}: {}", result.stderr);
            assert!(
                !result.stderr.contains("panicked"),
                "{name}: {}",
                result.stderr
            );
            assert_eq!(
                result.stderr.lines().count(),
                1,
                "{name}: {}",
                result.stderr
            );
        }
    }
    let missing = run(cabildo().args(["budget", "results", "/nonexistent/file.pb"]));
    assert_eq!(missing.code, Some(1));
    assert!(
        missing.stderr.contains("reading /nonexistent/file.pb"),
        "{}",
        missing.stderr
    );
    let bad_flag = run(cabildo()
        .args(["budget", "results", "--rule", "borda"])
        .arg(dir.join("count.pb")));
    assert!(!bad_flag.ok);
    assert!(
        bad_flag
            .stderr
            .contains("is not one of greedy, mes, mes-greedy"),
        "{}",
        bad_flag.stderr
    );
}

/// A fresh folder for this test's files.
fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cabildo-budget-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[tokio::test]
async fn a_finished_heading_is_exported_as_open_pabulib_data() {
    use cabildo_engine::budgets::ballots::{self, Change};
    use cabildo_engine::budgets::projects::{self, Feasibility, NewProject};
    use cabildo_engine::budgets::results::Rule;
    use cabildo_engine::budgets::setup::{self, NewHeading, Settings};
    use cabildo_engine::processes::{self, NewProcess, Rules, Who};
    use cabildo_engine::staff::Actor;
    use cabildo_tenancy::testing::fresh_database_url;
    use cabildo_tenancy::{PoolConfig, Slug, Tenancy};

    let url = fresh_database_url().await.expect("database");
    let tenants_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tenants");
    let applied = run(cabildo()
        .env("DATABASE_URL", &url)
        .args(["tenants", "apply", tenants_dir]));
    assert!(applied.ok, "{}", applied.stderr);
    let tenancy = Tenancy::connect(&url, PoolConfig::default(), None)
        .await
        .expect("connect");
    let toledo = tenancy
        .get_tenant(&Slug::parse("toledo").expect("slug"))
        .await
        .expect("toledo");
    let actor = Actor("cli".into());
    let settings = |offset: i64| Settings {
        rule: Rule::Greedy,
        verified_only: true,
        ..cabildo_engine::seed::budget_settings(offset)
    };
    let headings = [NewHeading {
        name: "Ciudad".into(),
        district: None,
        amount_cents: 200_000,
        max_projects: None,
    }];
    let mut tx = tenancy.begin(&toledo).await.expect("begin");
    let process = processes::create(
        &mut tx,
        &actor,
        &NewProcess {
            slug: "presupuestos".into(),
            title: "Presupuestos".into(),
            summary: String::new(),
            description: String::new(),
            district: None,
            rules: Rules {
                create: Who::Registered,
                support: Who::Verified,
                organisations_may_support: false,
                support_threshold: 10,
            },
        },
    )
    .await
    .expect("process");
    let now = time::OffsetDateTime::now_utc();
    processes::add_phase(
        &mut tx,
        &actor,
        process,
        &processes::NewPhase {
            title: "Presupuestos".into(),
            starts_at: now - time::Duration::days(90),
            ends_at: now + time::Duration::days(90),
            components: vec![processes::Component::Budget],
        },
    )
    .await
    .expect("phase");
    assert!(
        processes::publish(&mut tx, &actor, process)
            .await
            .expect("publish")
    );
    let budget = setup::create(&mut tx, &actor, process, &settings(1), &headings)
        .await
        .expect("budget");
    let heading = setup::get(&mut tx, budget)
        .await
        .expect("get")
        .expect("budget")
        .headings[0]
        .id;
    let mut ids = Vec::new();
    for cents in [40_000, 70_000] {
        let id = projects::create(
            &mut tx,
            &actor,
            None,
            &NewProject {
                heading,
                title: "Proyecto; \"uno\"".into(),
                description: "x".into(),
                location: String::new(),
                point: None,
                estimated_cost_cents: cents,
            },
        )
        .await
        .expect("project");
        projects::review(&mut tx, &actor, id, Feasibility::Feasible, "", None)
            .await
            .expect("review");
        projects::set_on_ballot(&mut tx, &actor, id, true)
            .await
            .expect("ballot");
        ids.push(id);
    }
    setup::update(&mut tx, &actor, budget, &settings(-1), &headings, None)
        .await
        .expect("update");
    for i in 0..3 {
        let voter: uuid::Uuid = sqlx::query_scalar(
            "INSERT INTO users (email, name, email_confirmed_at, verified_at) VALUES ($1, 'X', now(), now()) RETURNING id",
        )
        .bind(format!("voter{i}@example.org"))
        .fetch_one(tx.conn())
        .await
        .expect("voter");
        let chosen = if i == 0 {
            vec![ids[0], ids[1]]
        } else {
            vec![ids[1]]
        };
        ballots::change(
            &mut tx,
            voter.into(),
            heading,
            Change::Replace {
                projects: chosen,
                submit: false,
            },
        )
        .await
        .expect("change");
        ballots::change(&mut tx, voter.into(), heading, Change::Submit)
            .await
            .expect("change");
    }
    tx.commit().await.expect("commit");

    let export = |out: &std::path::Path| {
        run(cabildo()
            .env("DATABASE_URL", &url)
            .args([
                "budget",
                "export-pabulib",
                "--tenant",
                "toledo",
                "--heading",
                &heading.to_string(),
                "--output",
            ])
            .arg(out))
    };
    let dir = tempfile_dir();
    let out = dir.join("toledo.pb");
    let early = export(&out);
    assert!(
        !early.ok && early.stderr.contains("not finished"),
        "{}",
        early.stderr
    );

    let mut tx = tenancy.begin(&toledo).await.expect("begin");
    sqlx::query(
        "UPDATE budgets SET accepting_at = now() - interval '50 days', reviewing_at = now() - interval '40 days',
                selecting_at = now() - interval '30 days', balloting_at = now() - interval '20 days',
                tallying_at = now() - interval '10 days', finished_at = now() - interval '1 day'",
    )
    .execute(tx.conn())
    .await
    .expect("time passes");
    tx.commit().await.expect("commit");
    let exported = export(&out);
    assert!(exported.ok, "{}", exported.stderr);
    let text = std::fs::read_to_string(&out).expect("exported");
    assert!(!text.contains("example.org"), "no personal data");
    let election = cabildo_engine::budgets::pabulib::parse(&text).expect("a valid Pabulib file");
    assert_eq!((election.projects.len(), election.ballots.len()), (2, 3));
    assert_eq!(
        election.budget,
        2_000 * cabildo_engine::budgets::pabulib::UNIT
    );
    // The exported file gives the same winners through `budget results`.
    let results = run(cabildo().args(["budget", "results"]).arg(&out));
    assert!(results.ok, "{}", results.stderr);
    assert_eq!(results.stdout.lines().last(), Some("total 1100"));
}
