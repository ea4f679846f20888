//! The tabs of a process's pages: overview, debates, proposals, budget,
//! consultations, surveys, map.

use cabildo_engine::processes::{Phase, Summary};

/// Which tab a page is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    /// The process itself.
    Overview,
    /// Its debates.
    Debates,
    /// Its proposals.
    Proposals,
    /// Its participatory budget.
    Budget,
    /// Its consultations.
    Consultation,
    /// Its surveys.
    Surveys,
    /// The map of its meetings, proposals and projects.
    Map,
}

/// The tabs as a page shows them.
pub struct ProcessTabs {
    pub(crate) slug: String,
    pub(crate) title: String,
    /// The title's language when it is not the page's.
    pub(crate) title_lang: Option<String>,
    /// `overview`, `debates`, `proposals` or `budget` (for the template).
    pub(crate) current: &'static str,
    pub(crate) debates: bool,
    pub(crate) proposals: bool,
    pub(crate) budget: bool,
    pub(crate) consultation: bool,
    pub(crate) surveys: bool,
    pub(crate) map: bool,
}

impl ProcessTabs {
    /// The tabs of `process`: a component's tab shows when some phase
    /// enables it (the budget's always shows on its own pages).
    pub fn new(process: &Summary, phases: &[Phase], current: Tab) -> Self {
        let has = |c: &str| phases.iter().any(|p| p.components.iter().any(|x| x == c));
        Self {
            slug: process.slug.clone(),
            title: process.title.clone(),
            title_lang: process.title_lang.clone(),
            current: match current {
                Tab::Overview => "overview",
                Tab::Debates => "debates",
                Tab::Proposals => "proposals",
                Tab::Budget => "budget",
                Tab::Consultation => "consultation",
                Tab::Surveys => "surveys",
                Tab::Map => "map",
            },
            debates: has("debates"),
            proposals: has("proposals"),
            budget: has("budget") || current == Tab::Budget,
            consultation: has("consultation") || current == Tab::Consultation,
            surveys: has("surveys") || current == Tab::Surveys,
            // Where things are matters for proposals and budget projects.
            map: has("proposals") || has("budget") || current == Tab::Map,
        }
    }
}
