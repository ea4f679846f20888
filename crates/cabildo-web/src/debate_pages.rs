//! Debate pages: a process's debates (newest or most active, by
//! district), the form to open one, a debate with its comments, and the
//! staff's pin and close buttons.

use crate::AppState;
use crate::account_pages::{Chrome, Fields, fields_or_return, get, load};
use crate::comment_pages::{
    CommentsView, following, form_action, load_comments, may_start, refused_page,
};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::participation::{
    ListQuery, Pagination, debate_list, encode, paragraphs, process, refusal_message, short_date,
};
use crate::proposal_pages::{DetailQuery, ProcessTabs, district_name, districts, render};
use crate::site::LanguageRequest;
use crate::ui::chrome::LanguageLink;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use cabildo_engine::content::{Refusal, Target};
use cabildo_engine::debates::{self, Debate, DebateSort, NewDebate, StaffAction};
use cabildo_engine::processes::{self, Action};
use cabildo_engine::staff::{self, Role};
use cabildo_tenancy::Site;
use uuid::Uuid;

/// A debate as listed.
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
            district: district_name(districts, &d.district),
            date: short_date(d.created_at),
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
    languages: &'a [LanguageLink],
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
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(slug): Path<String>,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let page = query.page();
    let sort = DebateSort::parse(query.sort.as_deref());
    let district = query.district();
    let (found, list) =
        match debate_list(&state, &ctx.tenant, &slug, sort, district.as_deref(), page).await {
            Ok(Some(found)) => found,
            Ok(None) => return WebError::NotFound.into_page(&ctx.tr),
            Err(error) => return error.into_page(&ctx.tr),
        };
    let Some((process, _, phases)) = found.as_ref() else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let (items, total) = (list.0.clone(), list.1);
    let districts = districts(&state, &ctx).await.unwrap_or_default();
    let tr = &ctx.tr;
    let mut page_query = format!("sort={}", sort.as_str());
    if let Some(district) = &district {
        page_query.push_str(&format!("&district={}", encode(district)));
    }
    let view = ListPage {
        tr,
        chrome: &ctx.chrome,
        languages: &ctx.chrome.languages,
        tabs: ProcessTabs::new(&process.slug, &process.title, phases, "debates"),
        items: rows(tr, &districts, items),
        total_label: tr.count("debates-total", total),
        sort: sort.as_str(),
        district: district.clone().unwrap_or_default(),
        districts,
        pagination: Pagination::new(
            tr,
            &format!("/processes/{slug}/debates"),
            &page_query,
            page,
            total,
        ),
    };
    render(&state, &ctx, StatusCode::OK, &view)
}

#[derive(Template)]
#[template(path = "debate_form.html")]
struct FormPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    languages: &'a [LanguageLink],
    slug: String,
    title: String,
    body: String,
    district: String,
    districts: Vec<(String, String)>,
    error: Option<(String, String)>,
}

/// `GET /processes/{slug}/debates/new`.
pub async fn new_form(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    if let Err(response) = may_start(&state, &ctx, &slug, user, Action::CreateDebate).await {
        return *response;
    }
    let view = FormPage {
        tr: &ctx.tr,
        chrome: &ctx.chrome,
        languages: &ctx.chrome.languages,
        slug,
        title: String::new(),
        body: String::new(),
        district: String::new(),
        districts: districts(&state, &ctx).await.unwrap_or_default(),
        error: None,
    };
    render(&state, &ctx, StatusCode::OK, &view)
}

/// `POST /processes/{slug}/debates`.
pub async fn create(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let new = NewDebate {
        title: get(&values, "title").into(),
        body: get(&values, "body").into(),
        district: Some(get(&values, "district").to_owned()).filter(|d| !d.is_empty()),
    };
    let outcome: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let Some((process, _, _)) = processes::published_by_slug(&mut tx, &slug).await? else {
            return Ok(Err(Refusal::NotFound));
        };
        let created = debates::create(&mut tx, user, process.id, &new).await?;
        if created.is_ok() {
            tx.commit().await?;
            state.reads.changed(ctx.tenant.id).await;
        }
        Ok(created)
    }
    .await;
    match outcome {
        Ok(Ok(id)) => Redirect::to(&format!("/debates/{id}?done=created")).into_response(),
        Ok(Err(refusal @ Refusal::Invalid(field, _))) => {
            let view = FormPage {
                tr: &ctx.tr,
                chrome: &ctx.chrome,
                languages: &ctx.chrome.languages,
                slug,
                title: new.title,
                body: new.body,
                district: new.district.unwrap_or_default(),
                districts: districts(&state, &ctx).await.unwrap_or_default(),
                error: Some((field.to_owned(), refusal_message(&ctx.tr, refusal))),
            };
            render(&state, &ctx, StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Ok(Err(refusal)) => refused_page(&state, &ctx, refusal),
        Err(error) => error.into_page(&ctx.tr),
    }
}

#[derive(Template)]
#[template(path = "debate.html")]
struct DebatePage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    languages: &'a [LanguageLink],
    tabs: ProcessTabs,
    debate: DebateRow,
    paragraphs: Vec<String>,
    comments: CommentsView,
    following: bool,
    moderating: bool,
    notice: Option<String>,
}

/// `GET /debates/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    Query(query): Query<DetailQuery>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let Ok(id) = raw.parse::<Uuid>() else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let viewer = ctx.visitor.session.as_ref().map(|s| s.user);
    let loaded: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let Some(debate) = debates::find(&mut tx, id).await? else {
            return Ok(None);
        };
        let following = following(&mut tx, viewer, Target::Debate(id)).await?;
        let moderating = match viewer {
            Some(user) => staff::roles_of(&mut tx, user)
                .await?
                .iter()
                .any(|r| matches!(r, Role::Admin | Role::Moderator)),
            None => false,
        };
        tx.commit().await?;
        let found = process(&state, &ctx.tenant, &debate.process_slug).await?;
        let Some((process, _, phases)) = found.as_ref() else {
            return Ok(None);
        };
        let tabs = ProcessTabs::new(&process.slug, &process.title, phases, "debates");
        let comments = load_comments(
            &state,
            &ctx,
            Target::Debate(id),
            query.comments_page(),
            !debate.closed,
            format!("/debates/{id}"),
        )
        .await?;
        Ok(Some((debate, tabs, comments, following, moderating)))
    }
    .await;
    let (debate, tabs, comments, following, moderating) = match loaded {
        Ok(Some(loaded)) => loaded,
        Ok(None) => return WebError::NotFound.into_page(&ctx.tr),
        Err(error) => return error.into_page(&ctx.tr),
    };
    let districts = districts(&state, &ctx).await.unwrap_or_default();
    let tr = &ctx.tr;
    let view = DebatePage {
        tr,
        chrome: &ctx.chrome,
        languages: &ctx.chrome.languages,
        tabs,
        paragraphs: paragraphs(&debate.body),
        comments,
        following,
        moderating,
        notice: query.notice(tr),
        debate: rows(tr, &districts, vec![debate]).remove(0),
    };
    render(&state, &ctx, StatusCode::OK, &view)
}

/// `POST /staff/debates/{id}` with `action` = pin, unpin, close, reopen
/// (admins and moderators).
pub async fn act(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let (Ok(id), Some(action)) = (
        raw.parse::<Uuid>(),
        StaffAction::parse(get(&values, "action")),
    ) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let actor = ctx.visitor.session.as_ref().map(|s| s.actor());
    form_action!(state, ctx, |tx, user| {
        let roles = staff::roles_of(&mut tx, user).await?;
        if !roles
            .iter()
            .any(|r| matches!(r, Role::Admin | Role::Moderator))
        {
            Err(Refusal::Forbidden)
        } else {
            let actor = actor.clone().unwrap_or_else(|| staff::Actor::user(user));
            if debates::act(&mut tx, &actor, id, action).await? {
                Ok(format!("/debates/{id}?done=acted"))
            } else {
                Err(Refusal::NotFound)
            }
        }
    })
}
