//! A proposal as lists and its page show it.

use crate::ui::format::district_name;
use crate::ui::i18n::Tr;
use cabildo_engine::proposals::Proposal;

/// A proposal in a list.
pub struct ProposalRow {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) summary: String,
    pub(crate) author: String,
    pub(crate) organisation: bool,
    pub(crate) supports: i32,
    pub(crate) threshold: i32,
    pub(crate) supports_label: String,
    pub(crate) status: String,
    pub(crate) status_label: String,
    pub(crate) qualified: bool,
    pub(crate) district: Option<String>,
}

/// `items` as shown, districts by name.
pub fn rows(tr: &Tr, districts: &[(String, String)], items: Vec<Proposal>) -> Vec<ProposalRow> {
    items
        .into_iter()
        .map(|p| ProposalRow {
            id: p.id.to_string(),
            supports_label: tr.args(
                match p.supports_count >= p.threshold {
                    true => "proposal-supports-reached",
                    false => "proposal-supports-of",
                },
                &[
                    ("count", p.supports_count.to_string()),
                    ("threshold", p.threshold.to_string()),
                ],
            ),
            status_label: tr.t(&format!("proposal-status-{}", p.status)),
            district: district_name(districts, p.district.as_deref()),
            title: p.title,
            summary: p.summary,
            author: p.author,
            organisation: p.author_is_organisation,
            supports: p.supports_count,
            threshold: p.threshold,
            status: p.status.to_string(),
            qualified: p.qualified,
        })
        .collect()
}
