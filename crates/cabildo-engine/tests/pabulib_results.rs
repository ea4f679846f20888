//! Our results against the reference library `pabutools` on real
//! elections (copies of `../shared/pabulib`: every file but Łódź 2022,
//! which is too large to keep in the repository and is covered by the
//! benchmark).

#![expect(
    clippy::expect_used,
    reason = "a test fails loudly at the step that broke"
)]

use cabildo_engine::budgets::pabulib::parse;
use cabildo_engine::budgets::results::{Tie, greedy};
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

#[test]
fn greedy_selects_what_pabutools_selects_on_every_election() {
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
        let ours: BTreeSet<String> = greedy(&instance, Tie::Id).into_iter().collect();
        assert_eq!(ours, set(&rules["greedy"]), "{file}: greedy");
        if let Some(cheapest) = variants.get(file).and_then(|v| v.get("greedy/cheapest")) {
            let ours: BTreeSet<String> = greedy(&instance, Tie::Cheapest).into_iter().collect();
            assert_eq!(ours, set(cheapest), "{file}: greedy/cheapest");
        }
        checked += 1;
    }
    assert_eq!(checked, 5);
}
