//! Our results against the reference library `pabutools` on real
//! elections (copies of `../shared/pabulib`: every file but Łódź 2022,
//! which is too large to keep in the repository and is covered by the
//! benchmark; and two ordinal elections from Pabulib, Chicago's 47th Ward
//! 2021 and Kraków 2022 Stare Miasto, whose expected outcomes
//! `expected-ordinal.json` holds as `pabutools` computed them with
//! `reference.py` for Pabulib's points and `bench/borda-reference.py` for
//! its `Additive_Borda_Sat`).

#![expect(
    clippy::expect_used,
    reason = "a test fails loudly at the step that broke"
)]

use cabildo_engine::budgets::pabulib::{Instance, parse};
use cabildo_engine::budgets::results::{Completion, Options, Ordinal, Rule, Tie, compute};
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
    selected_with(
        instance,
        Options {
            rule,
            tie,
            completion,
            ordinal: Ordinal::Points,
        },
    )
}

fn selected_with(instance: &Instance, options: Options) -> BTreeSet<String> {
    compute(instance, options)
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

#[test]
fn ordinal_ballots_select_what_pabutools_selects_under_both_scorings() {
    let outcomes = expected("expected-ordinal.json");
    let mut checked = 0;
    for (file, scorings) in outcomes.as_object().expect("files") {
        let text = std::fs::read_to_string(folder().join(file)).expect("file");
        let instance = parse(&text).expect("parsed");
        for (scoring, rules) in scorings.as_object().expect("scorings") {
            let ordinal: Ordinal = scoring.parse().expect("a scoring of ours");
            for (name, expected) in rules.as_object().expect("rules") {
                let rule: Rule = name.parse().expect("a rule of ours");
                let options = Options {
                    rule,
                    ordinal,
                    ..Options::default()
                };
                assert_eq!(
                    selected_with(&instance, options),
                    set(expected),
                    "{file}: {scoring} {name}"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 2 * 2 * 3);
}
