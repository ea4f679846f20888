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
            good.replace("budget;10", "budget;10\nvote_type;ordinal")
                .into_bytes(),
            "ordinal ballots are not supported",
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
