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
    title_lang: Option<String>,
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
    title_lang: Option<String>,
    summary: String,
    summary_lang: Option<String>,
    description: String,
    description_lang: Option<String>,
    phases: Vec<PhaseView>,
    comments: CommentsView,
    following: bool,
    polls: Vec<crate::polls::PollCard>,
    /// Its meetings not yet ended, and their map.
    meetings: Vec<crate::meetings::Row>,
    map: Option<String>,
    attribution: String,
}

/// `GET /processes/{slug}`.
pub async fn show(
    council: Council,
    Id(slug): Id<String>,
    Query(query): Query<DetailQuery>,
) -> Result<Response, PageError> {
    let (process, description, phases, holds) =
        cached::published::<PageError>(&council, &slug).await?;
    let target = Target::Process(process.id);
    let following = view::following(&council, target).await?;
    let base = format!("/processes/{slug}");
    let page = query.comments_page();
    let comments = view::load_counted(&council, target, holds.threads, page, true, base).await?;
    let tr = &council.tr;
    let default = &council.settings.default_language;
    let description = (process.translations).show("description", &description, tr.code(), default);
    // What the process holds is counted: a process without polls or
    // meetings (most of them) does not ask for them.
    let polls = match holds.polls {
        0 => Vec::new(),
        _ => crate::polls::cards(&council, Some(process.id)).await?,
    };
    let (meetings, map) = match holds.meetings {
        0 => (Vec::new(), None),
        _ => crate::meetings::of_process(&council, process.id).await?,
    };
    let attribution = crate::places::attribution(&council);
    let page = council.render_plain(&ProcessPage {
        polls,
        meetings,
        map: map.clone(),
        attribution,
        tr,
        chrome: &council.chrome,
        tabs: ProcessTabs::new(&process, &phases, Tab::Overview),
        id: process.id.to_string(),
        image: process.image.clone(),
        comments,
        following,
        title: process.title,
        title_lang: process.title_lang,
        summary: process.summary,
        summary_lang: process.summary_lang,
        description: cabildo_notify::markdown::render(&description.text),
        description_lang: description.lang,
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
                title_lang: p.title_lang,
            })
            .collect(),
    })?;
    Ok(crate::places::with_map(&council, page, map.is_some()))
}
