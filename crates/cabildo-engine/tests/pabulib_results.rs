//! Our results against the reference library `pabutools` on real
//! elections (copies of `../shared/pabulib`: every file but Łódź 2022,
//! which is too large to keep in the repository and is covered by the
//! benchmark).

#![expect(
    clippy::expect_used,
    reason = "a test fails loudly at the step that broke"
)]

use cabildo_engine::budgets::pabulib::{Instance, parse};
use cabildo_engine::budgets::results::{Completion, Options, Rule, Tie, compute};
use std::collections::BTreeSet;
use std::path::Path;

fn folder() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pabulib"))
}

fn expected(file: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(folder().join(file)).expect("expected outcomes");
    serde_json::from_str(&text).expect("json")
}

fn set(value: &serde_json::Value) -> BTreeSet<String> {
    value
        .as_array()
        .expect("a list of ids")
        .iter()
        .map(|v| v.as_str().expect("id").to_owned())
        .collect()
}

fn selected(instance: &Instance, rule: Rule, tie: Tie, completion: Completion) -> BTreeSet<String> {
    compute(
        instance,
        Options {
            rule,
            tie,
            completion,
        },
    )
    .expect("computed")
    .selected
    .into_iter()
    .collect()
}

#[test]
fn every_rule_selects_what_pabutools_selects_on_every_election() {
    let outcomes = expected("expected.json");
    let variants = expected("expected-variants.json");
    let mut checked = 0;
    for (file, rules) in outcomes.as_object().expect("files") {
        let path = folder().join(file);
        if !path.exists() {
            assert_eq!(file, "Poland_Lodz_2022.pb", "only Łódź is left out");
            continue;
        }
        let instance = parse(&std::fs::read_to_string(&path).expect("file")).expect("parsed");
        for (name, expected) in rules.as_object().expect("rules") {
            let rule: Rule = name.parse().expect("a rule of ours");
            let ours = selected(&instance, rule, Tie::Id, Completion::Exhaustive);
            assert_eq!(ours, set(expected), "{file}: {name}");
            checked += 1;
        }
        let variants = variants.get(file).expect("variants for every file");
        let ours = selected(
            &instance,
            Rule::Greedy,
            Tie::Cheapest,
            Completion::Exhaustive,
        );
        assert_eq!(
            ours,
            set(&variants["greedy/cheapest"]),
            "{file}: greedy/cheapest"
        );
        let ours = selected(&instance, Rule::Mes, Tie::Id, Completion::UntilOverBudget);
        assert_eq!(
            ours,
            set(&variants["mes/until-over-budget"]),
            "{file}: mes/until-over-budget"
        );
        checked += 2;
    }
    assert_eq!(checked, 5 * 5);
}
