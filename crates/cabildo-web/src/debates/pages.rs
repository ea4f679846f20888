//! The debate pages and their forms.

use crate::comments::view::{self, CommentsView};
use crate::debates::cached;
use crate::http::council::Council;
use crate::http::error::PageError;
use crate::http::extract::{Citizen, CsrfForm, Id};
use crate::http::query::{DetailQuery, ListQuery};
use crate::processes::cached::published;
use crate::processes::may_start;
use crate::ui::chrome::Chrome;
use crate::ui::format::{district_name, encode, paragraphs};
use crate::ui::i18n::Tr;
use crate::ui::pagination::Pagination;
use crate::ui::tabs::{ProcessTabs, Tab};
use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cabildo_engine::Refusal;
use cabildo_engine::content::Target;
use cabildo_engine::debates::{self, Debate, DebateSort, NewDebate, StaffAction};
use cabildo_engine::ids::DebateId;
use cabildo_engine::processes::{self, Action};
use cabildo_engine::staff::Permission;
use serde::Deserialize;

/// A debate in a list, or on its page.
pub struct DebateRow {
    id: String,
    title: String,
    author: String,
    organisation: bool,
    comments_label: String,
    pinned: bool,
    closed: bool,
    district: Option<String>,
    date: String,
}

fn rows(tr: &Tr, districts: &[(String, String)], items: Vec<Debate>) -> Vec<DebateRow> {
    items
        .into_iter()
        .map(|d| DebateRow {
            id: d.id.to_string(),
            comments_label: tr.count("comments-count", i64::from(d.comments_count)),
            district: district_name(districts, d.district.as_deref()),
            date: tr.date(d.created_at),
            title: d.title,
            author: d.author,
            organisation: d.author_is_organisation,
            pinned: d.pinned,
            closed: d.closed,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "debates.html")]
struct ListPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    tabs: ProcessTabs,
    items: Vec<DebateRow>,
    total_label: String,
    sort: &'static str,
    districts: Vec<(String, String)>,
    district: String,
    pagination: Pagination,
}

/// `GET /processes/{slug}/debates`.
pub async fn list(
    council: Council,
    Id(slug): Id<String>,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let (page, sort, district) = (
        query.page(),
        DebateSort::parse(query.sort.as_deref()),
        query.district(),
    );
    let ((process, _, phases, _), list) =
        cached::list::<PageError>(&council, &slug, sort, district.as_deref(), page).await?;
    let tr = &council.tr;
    let mut page_query = format!("sort={}", sort.as_str());
    if let Some(district) = &district {
        page_query.push_str(&format!("&district={}", encode(district)));
    }
    let districts = council.districts();
    let base = format!("/processes/{slug}/debates");
    council.render(&ListPage {
        tr,
        chrome: &council.chrome,
        tabs: ProcessTabs::new(&process, &phases, Tab::Debates),
        items: rows(tr, &districts, list.0.clone()),
        total_label: tr.count("debates-total", list.1),
        sort: sort.as_str(),
        district: district.unwrap_or_default(),
        districts,
        pagination: Pagination::new(tr, &base, &page_query, page, list.1),
    })
}

#[derive(Template)]
#[template(path = "debate_form.html")]
struct FormPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    slug: String,
    title: String,
    body: String,
    district: String,
    districts: Vec<(String, String)>,
    error: Option<(String, String)>,
}

/// A debate as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DebateForm {
    title: String,
    body: String,
    district: String,
}

fn form_page(
    citizen: &Citizen,
    status: StatusCode,
    slug: String,
    typed: DebateForm,
    error: Option<(String, String)>,
) -> Result<Response, PageError> {
    citizen.render_status(
        status,
        &FormPage {
            tr: &citizen.tr,
            chrome: &citizen.chrome,
            slug,
            title: typed.title,
            body: typed.body,
            district: typed.district,
            districts: citizen.districts(),
            error,
        },
    )
}

/// `GET /processes/{slug}/debates/new`: the form, or why the visitor may
/// not open a debate now.
pub async fn new_form(citizen: Citizen, Id(slug): Id<String>) -> Result<Response, PageError> {
    may_start(&citizen, &slug, citizen.user(), Action::CreateDebate).await?;
    form_page(&citizen, StatusCode::OK, slug, DebateForm::default(), None)
}

/// `POST /processes/{slug}/debates`.
pub async fn create(
    citizen: Citizen,
    Id(slug): Id<String>,
    CsrfForm(typed): CsrfForm<DebateForm>,
) -> Result<Response, PageError> {
    let new = NewDebate {
        title: typed.title.clone(),
        body: typed.body.clone(),
        district: Some(typed.district.clone()).filter(|d| !d.is_empty()),
    };
    let user = citizen.user();
    let created = citizen
        .change(async |tx| {
            let (process, ..) = processes::published_by_slug(tx, &slug)
                .await?
                .ok_or(Refusal::NotFound)?;
            Ok::<_, PageError>(debates::create(tx, user, process.id, &new).await?)
        })
        .await;
    match created {
        Ok(id) => Ok(Redirect::to(&format!("/debates/{id}?done=created")).into_response()),
        Err(error) => match error.field_message(&citizen.tr) {
            Some(shown) => form_page(
                &citizen,
                StatusCode::UNPROCESSABLE_ENTITY,
                slug,
                typed,
                Some(shown),
            ),
            None => Err(error),
        },
    }
}

#[derive(Template)]
#[template(path = "debate.html")]
struct DebatePage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    tabs: ProcessTabs,
    debate: DebateRow,
    paragraphs: Vec<String>,
    comments: CommentsView,
    following: bool,
    moderating: bool,
    notice: Option<String>,
}

/// The confirmations of a debate's page.
const DONE: [&str; 2] = ["created", "acted"];

/// `GET /debates/{id}`.
pub async fn show(
    council: Council,
    Id(id): Id<DebateId>,
    Query(query): Query<DetailQuery>,
) -> Result<Response, PageError> {
    let viewer = council.user();
    let (debate, moderating) = council
        .tx(async |tx| {
            let debate = debates::find(tx, id).await?.ok_or(PageError::NotFound)?;
            let moderating = match viewer {
                Some(user) => cabildo_engine::staff::may(tx, user, Permission::Moderate).await?,
                None => false,
            };
            Ok::<_, PageError>((debate, moderating))
        })
        .await?;
    let following = view::following(&council, Target::Debate(id)).await?;
    let (process, _, phases, _) = published::<PageError>(&council, &debate.process_slug).await?;
    let base = format!("/debates/{id}");
    let comments = view::load(
        &council,
        Target::Debate(id),
        query.comments_page(),
        !debate.closed,
        base,
    )
    .await?;
    let tr = &council.tr;
    council.render(&DebatePage {
        tr,
        chrome: &council.chrome,
        tabs: ProcessTabs::new(&process, &phases, Tab::Debates),
        paragraphs: paragraphs(&debate.body),
        comments,
        following,
        moderating,
        notice: query.notice(tr, "done", &DONE),
        debate: rows(tr, &council.districts(), vec![debate]).remove(0),
    })
}

/// A staff action on a debate.
#[derive(Debug, Default, Deserialize)]
pub struct ActForm {
    #[serde(default)]
    action: String,
}

/// `POST /staff/debates/{id}` with `action` = pin, unpin, close, reopen
/// (admins and moderators).
pub async fn act(
    citizen: Citizen,
    Id(id): Id<DebateId>,
    CsrfForm(form): CsrfForm<ActForm>,
) -> Result<Redirect, PageError> {
    let action = StaffAction::parse(&form.action).ok_or(PageError::NotFound)?;
    let user = citizen.user();
    let actor = citizen.actor();
    citizen
        .change(async |tx| {
            cabildo_engine::staff::require(tx, user, Permission::Moderate).await?;
            if !debates::act(tx, &actor, id, action).await? {
                return Err(PageError::Refused(Refusal::NotFound));
            }
            Ok(())
        })
        .await?;
    Ok(Redirect::to(&format!("/debates/{id}?done=acted")))
}
