//! The public process pages: the list, and a process with its phases.

use crate::comments::view::{self, CommentsView};
use crate::http::council::Council;
use crate::http::error::PageError;
use crate::http::extract::Id;
use crate::http::query::DetailQuery;
use crate::processes::cached;
use crate::ui::chrome::Chrome;
use crate::ui::format::iso;
use crate::ui::i18n::Tr;
use crate::ui::tabs::{ProcessTabs, Tab};
use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use cabildo_engine::content::Target;
use cabildo_engine::processes::Summary;

#[derive(Template)]
#[template(path = "processes.html")]
struct ListPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    processes: &'a [Summary],
}

/// `GET /processes`.
pub async fn list(council: Council) -> Result<Response, PageError> {
    let listing = cached::listing::<PageError>(&council).await?;
    council.render_plain(&ListPage {
        tr: &council.tr,
        chrome: &council.chrome,
        processes: &listing.processes,
    })
}

/// A phase as shown.
pub struct PhaseView {
    title: String,
    starts: String,
    ends: String,
    starts_label: String,
    ends_label: String,
    components: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "process.html")]
struct ProcessPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    tabs: ProcessTabs,
    id: String,
    image: Option<String>,
    title: String,
    summary: String,
    description: String,
    phases: Vec<PhaseView>,
    comments: CommentsView,
    following: bool,
}

/// `GET /processes/{slug}`.
pub async fn show(
    council: Council,
    Id(slug): Id<String>,
    Query(query): Query<DetailQuery>,
) -> Result<Response, PageError> {
    let (process, description, phases) = cached::published::<PageError>(&council, &slug).await?;
    let target = Target::Process(process.id);
    let following = view::following(&council, target).await?;
    let base = format!("/processes/{slug}");
    let comments = view::load(&council, target, query.comments_page(), true, base).await?;
    let tr = &council.tr;
    council.render_plain(&ProcessPage {
        tr,
        chrome: &council.chrome,
        tabs: ProcessTabs::new(&process.slug, &process.title, &phases, Tab::Overview),
        id: process.id.to_string(),
        image: process.image.clone(),
        comments,
        following,
        title: process.title,
        summary: process.summary,
        description: cabildo_notify::markdown::render(&description),
        phases: phases
            .into_iter()
            .map(|p| PhaseView {
                starts: iso(p.starts_at),
                ends: iso(p.ends_at),
                starts_label: tr.date(p.starts_at),
                ends_label: tr.last_day(p.ends_at),
                components: p
                    .components
                    .iter()
                    .map(|c| tr.t(&format!("component-{c}")))
                    .collect::<Vec<_>>()
                    .join(" · "),
                current: p.current,
                title: p.title,
            })
            .collect(),
    })
}
