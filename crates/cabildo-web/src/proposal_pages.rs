//! Proposal pages: a process's list (filters, sorts, pages), the form to
//! make one, the proposal with its progress toward the threshold, its
//! support button, comments and (for staff) the official answer; editing
//! and withdrawing by the author.

use crate::AppState;
use crate::account_pages::{Chrome, Context, Fields, checked_fields, fields_or_return, get, load};
use crate::comment_pages::{
    CommentsView, following, form_action, load_comments, may_start, refused_page,
};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::participation::{
    ListQuery, Pagination, cached_proposal, deliver, encode, paragraphs, parse_id, process,
    proposal_list, refusal_message, seed, short_date,
};
use crate::site::LanguageRequest;
use crate::ui::chrome::LanguageLink;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use cabildo_engine::content::{Refusal, Target};
use cabildo_engine::processes::{self, Action, Denied, Phase};
use cabildo_engine::proposals::{self, NewProposal, Proposal, ProposalSort, Status};
use cabildo_engine::staff::{self, Role};
use cabildo_tenancy::{Site, TenantTx};
use serde::Deserialize;
use uuid::Uuid;

/// The tabs of a process's pages.
pub struct ProcessTabs {
    pub(crate) slug: String,
    pub(crate) title: String,
    /// `overview`, `debates`, `proposals` or `budget`.
    pub(crate) current: &'static str,
    pub(crate) debates: bool,
    pub(crate) proposals: bool,
    pub(crate) budget: bool,
}

impl ProcessTabs {
    pub(crate) fn new(slug: &str, title: &str, phases: &[Phase], current: &'static str) -> Self {
        let has = |c: &str| phases.iter().any(|p| p.components.iter().any(|x| x == c));
        Self {
            slug: slug.to_owned(),
            title: title.to_owned(),
            current,
            debates: has("debates"),
            proposals: has("proposals"),
            budget: has("budget") || current == "budget",
        }
    }
}

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

/// A link that changes one thing of a list (sort, filter).
pub struct Choice {
    label: String,
    href: String,
    current: bool,
}

/// A district's name from its code (the code when unknown).
pub(crate) fn district_name(
    districts: &[(String, String)],
    code: &Option<String>,
) -> Option<String> {
    let code = code.as_ref()?;
    Some(
        districts
            .iter()
            .find(|(c, _)| c == code)
            .map_or_else(|| code.clone(), |(_, name)| name.clone()),
    )
}

pub(crate) fn rows(
    tr: &Tr,
    districts: &[(String, String)],
    items: Vec<Proposal>,
) -> Vec<ProposalRow> {
    items
        .into_iter()
        .map(|p| ProposalRow {
            id: p.id.to_string(),
            supports_label: tr.args(
                "proposal-supports-of",
                &[
                    ("count", p.supports_count.to_string()),
                    ("threshold", p.threshold.to_string()),
                ],
            ),
            status_label: tr.t(&format!("proposal-status-{}", p.status)),
            district: district_name(districts, &p.district),
            title: p.title,
            summary: p.summary,
            author: p.author,
            organisation: p.author_is_organisation,
            supports: p.supports_count,
            threshold: p.threshold,
            status: p.status,
            qualified: p.qualified,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "proposals.html")]
struct ListPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    languages: &'a [LanguageLink],
    tabs: ProcessTabs,
    items: Vec<ProposalRow>,
    total_label: String,
    sorts: Vec<Choice>,
    districts: Vec<(String, String)>,
    district: String,
    statuses: Vec<(String, String)>,
    status: String,
    qualified: bool,
    sort: &'static str,
    pagination: Pagination,
}

/// The council's districts as (code, name).
pub(crate) async fn districts(
    state: &AppState,
    ctx: &Context,
) -> Result<Vec<(String, String)>, WebError> {
    let settings = state.tenancy.site_settings(&ctx.tenant).await?;
    Ok(settings
        .districts
        .iter()
        .map(|d| (d.code.clone(), d.name.clone()))
        .collect())
}

pub(crate) fn render<T: Template>(
    state: &AppState,
    ctx: &Context,
    status: StatusCode,
    page: &T,
) -> Response {
    match page.render() {
        Ok(html) => ctx.respond(state, (status, Html(html)).into_response()),
        Err(error) => WebError::from(error).into_page(&ctx.tr),
    }
}

/// `GET /processes/{slug}/proposals`.
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
    let sort = ProposalSort::parse(query.sort.as_deref());
    let filter = query.filter();
    let seed = seed(ListQuery::number(&query.seed), &ctx.visitor.csrf);
    let (found, list) =
        match proposal_list(&state, &ctx.tenant, &slug, &filter, sort, seed, page).await {
            Ok(Some(found)) => found,
            Ok(None) => return WebError::NotFound.into_page(&ctx.tr),
            Err(error) => return error.into_page(&ctx.tr),
        };
    let Some((process, _, phases)) = found.as_ref() else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let (items, total) = (list.0.clone(), list.1);
    let districts = match districts(&state, &ctx).await {
        Ok(districts) => districts,
        Err(error) => return error.into_page(&ctx.tr),
    };
    let tr = &ctx.tr;
    let base = format!("/processes/{slug}/proposals");
    let mut filters = Vec::new();
    if let Some(district) = &filter.district {
        filters.push(format!("district={}", encode(district)));
    }
    if let Some(status) = &filter.status {
        filters.push(format!("status={}", encode(status)));
    }
    if filter.qualified {
        filters.push("qualified=true".to_owned());
    }
    let filters = filters.join("&");
    let with_sort = |s: ProposalSort| {
        let rest = if filters.is_empty() {
            String::new()
        } else {
            format!("&{filters}")
        };
        format!("{base}?sort={}{rest}", s.as_str())
    };
    let sorts = [
        ProposalSort::Supported,
        ProposalSort::Newest,
        ProposalSort::Random,
    ]
    .into_iter()
    .map(|s| Choice {
        label: tr.t(&format!("proposals-sort-{}", s.as_str())),
        href: with_sort(s),
        current: s == sort,
    })
    .collect();
    let page_query = if filters.is_empty() {
        format!("sort={}", sort.as_str())
    } else {
        format!("sort={}&{filters}", sort.as_str())
    };
    let view = ListPage {
        tr,
        chrome: &ctx.chrome,
        languages: &ctx.chrome.languages,
        tabs: ProcessTabs::new(&process.slug, &process.title, phases, "proposals"),
        items: rows(tr, &districts, items),
        total_label: tr.count("proposals-total", total),
        sorts,
        district: filter.district.clone().unwrap_or_default(),
        districts,
        statuses: [
            "published",
            "evaluating",
            "accepted",
            "rejected",
            "withdrawn",
        ]
        .into_iter()
        .map(|s| (s.to_owned(), tr.t(&format!("proposal-status-{s}"))))
        .collect(),
        status: filter.status.clone().unwrap_or_default(),
        qualified: filter.qualified,
        sort: sort.as_str(),
        pagination: Pagination::new(tr, &base, &page_query, page, total),
    };
    render(&state, &ctx, StatusCode::OK, &view)
}

#[derive(Template)]
#[template(path = "proposal_form.html")]
struct FormPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    languages: &'a [LanguageLink],
    heading: String,
    action: String,
    title: String,
    summary: String,
    body: String,
    district: String,
    districts: Vec<(String, String)>,
    error: Option<(String, String)>,
}

fn form_page(
    state: &AppState,
    ctx: &Context,
    status: StatusCode,
    (action, heading): (String, String),
    new: &NewProposal,
    districts: Vec<(String, String)>,
    error: Option<Refusal>,
) -> Response {
    let error = error.map(|refusal| {
        let field = match refusal {
            Refusal::Invalid(field, _) => field.to_owned(),
            _ => String::new(),
        };
        (field, refusal_message(&ctx.tr, refusal))
    });
    let view = FormPage {
        tr: &ctx.tr,
        chrome: &ctx.chrome,
        languages: &ctx.chrome.languages,
        heading,
        action,
        title: new.title.clone(),
        summary: new.summary.clone(),
        body: new.body.clone(),
        district: new.district.clone().unwrap_or_default(),
        districts,
        error,
    };
    render(state, ctx, status, &view)
}

/// `GET /processes/{slug}/proposals/new`: the form, or why the visitor may
/// not make a proposal now.
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
    if let Err(response) = may_start(&state, &ctx, &slug, user, Action::CreateProposal).await {
        return *response;
    }
    let districts = match districts(&state, &ctx).await {
        Ok(districts) => districts,
        Err(error) => return error.into_page(&ctx.tr),
    };
    form_page(
        &state,
        &ctx,
        StatusCode::OK,
        (
            format!("/processes/{slug}/proposals"),
            ctx.tr.t("proposal-new"),
        ),
        &NewProposal::default(),
        districts,
        None,
    )
}

fn typed(values: &std::collections::HashMap<String, String>) -> NewProposal {
    NewProposal {
        title: get(values, "title").into(),
        summary: get(values, "summary").into(),
        body: get(values, "body").into(),
        district: Some(get(values, "district").to_owned()).filter(|d| !d.is_empty()),
    }
}

/// `POST /processes/{slug}/proposals`.
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
    let new = typed(&values);
    let outcome: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let Some((process, _, _)) = processes::published_by_slug(&mut tx, &slug).await? else {
            return Ok(Err(Refusal::NotFound));
        };
        let created = proposals::create(&mut tx, user, process.id, &new).await?;
        if created.is_ok() {
            tx.commit().await?;
            state.reads.changed(ctx.tenant.id).await;
        }
        Ok(created)
    }
    .await;
    match outcome {
        Ok(Ok(id)) => Redirect::to(&format!("/proposals/{id}?done=created")).into_response(),
        Ok(Err(refusal @ Refusal::Invalid(..))) => {
            let districts = districts(&state, &ctx).await.unwrap_or_default();
            form_page(
                &state,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                (
                    format!("/processes/{slug}/proposals"),
                    ctx.tr.t("proposal-new"),
                ),
                &new,
                districts,
                Some(refusal),
            )
        }
        Ok(Err(refusal)) => refused_page(&state, &ctx, refusal),
        Err(error) => error.into_page(&ctx.tr),
    }
}

#[derive(Template)]
#[template(path = "proposal.html")]
struct ProposalPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    languages: &'a [LanguageLink],
    tabs: ProcessTabs,
    proposal: ProposalRow,
    paragraphs: Vec<String>,
    /// The picture's name.
    image: Option<String>,
    answer: Vec<String>,
    published: String,
    comments: CommentsView,
    supported: bool,
    /// Why the visitor may not support, when they may not.
    support_denied: Option<String>,
    login_to_support: bool,
    following: bool,
    editable: bool,
    answering: bool,
    statuses: Vec<(String, String)>,
    notice: Option<String>,
}

/// Query of detail pages.
#[derive(Debug, Default, Deserialize)]
pub struct DetailQuery {
    page: Option<String>,
    done: Option<String>,
}

impl DetailQuery {
    pub(crate) fn comments_page(&self) -> i64 {
        self.page
            .as_deref()
            .and_then(|p| p.parse::<i64>().ok())
            .unwrap_or(1)
            .clamp(1, 10_000)
    }

    /// The confirmation to show after an action (only known ones).
    pub(crate) fn notice(&self, tr: &Tr) -> Option<String> {
        let done = self.done.as_deref()?;
        const KNOWN: [&str; 7] = [
            "created",
            "edited",
            "supported",
            "unsupported",
            "withdrawn",
            "answered",
            "acted",
        ];
        KNOWN.contains(&done).then(|| tr.t(&format!("done-{done}")))
    }
}

async fn is_answerer(tx: &mut TenantTx, user: Option<Uuid>) -> Result<bool, WebError> {
    Ok(match user {
        Some(user) => staff::roles_of(tx, user)
            .await?
            .iter()
            .any(|r| matches!(r, Role::Admin | Role::Evaluator)),
        None => false,
    })
}

/// `GET /proposals/{id}`.
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
    let base = format!("/proposals/{id}");
    let loaded: Result<_, WebError> = async {
        // Anonymous visitors read the proposal from the read cache (its
        // count may lag a few seconds) and need nothing else; people
        // logged in read it fresh, with what concerns them.
        let (proposal, may, supported, editable, following, answering) = match viewer {
            None => match cached_proposal(&state, &ctx.tenant, id).await?.as_ref() {
                Some(proposal) => (
                    proposal.clone(),
                    Err(Denied::NotRegistered),
                    false,
                    false,
                    false,
                    false,
                ),
                None => return Ok(None),
            },
            Some(user) => {
                let mut tx = state.tenancy.begin(&ctx.tenant).await?;
                let Some(proposal) = proposals::find(&mut tx, id).await? else {
                    return Ok(None);
                };
                let may =
                    processes::may(&mut tx, proposal.process_id, viewer, Action::Support).await?;
                let supported = !proposals::supported_by(&mut tx, user, &[id])
                    .await?
                    .is_empty();
                let editable = proposals::editable_by(&mut tx, user, id).await?;
                let following = following(&mut tx, viewer, Target::Proposal(id)).await?;
                let answering = is_answerer(&mut tx, viewer).await?;
                tx.commit().await?;
                (proposal, may, supported, editable, following, answering)
            }
        };
        let found = process(&state, &ctx.tenant, &proposal.process_slug).await?;
        let Some((process, _, phases)) = found.as_ref() else {
            return Ok(None);
        };
        let tabs = ProcessTabs::new(&process.slug, &process.title, phases, "proposals");
        let comments = load_comments(
            &state,
            &ctx,
            Target::Proposal(id),
            query.comments_page(),
            true,
            base,
        )
        .await?;
        Ok(Some((
            proposal, tabs, comments, may, supported, editable, following, answering,
        )))
    }
    .await;
    let (proposal, tabs, comments, may, supported, editable, following, answering) = match loaded {
        Ok(Some(loaded)) => loaded,
        Ok(None) => return WebError::NotFound.into_page(&ctx.tr),
        Err(error) => return error.into_page(&ctx.tr),
    };
    let districts = districts(&state, &ctx).await.unwrap_or_default();
    let tr = &ctx.tr;
    let open = proposal.status == "published";
    let support_denied = match may {
        Ok(()) if open => None,
        Ok(()) => Some(refusal_message(tr, Refusal::Closed)),
        Err(denied) => Some(refusal_message(tr, Refusal::from(denied))),
    };
    let login_to_support = viewer.is_none();
    let view = ProposalPage {
        tr,
        chrome: &ctx.chrome,
        languages: &ctx.chrome.languages,
        tabs,
        paragraphs: paragraphs(&proposal.body),
        image: proposal.image.clone(),
        answer: paragraphs(proposal.answer.as_deref().unwrap_or_default()),
        published: short_date(proposal.created_at),
        comments,
        supported,
        support_denied,
        login_to_support,
        following,
        editable,
        answering,
        statuses: ["published", "evaluating", "accepted", "rejected"]
            .into_iter()
            .map(|s| (s.to_owned(), tr.t(&format!("proposal-status-{s}"))))
            .collect(),
        notice: query.notice(tr),
        proposal: rows(tr, &districts, vec![proposal]).remove(0),
    };
    render(&state, &ctx, StatusCode::OK, &view)
}

/// `POST /proposals/{id}/support` with `support` = `on` (support) or
/// `off` (take it back).
pub async fn support(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let Some(id) = parse_id(&raw) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let on = get(&values, "support") != "off";
    let default_language = ctx.tr.code().to_owned();
    form_action!(keep_reads, state, ctx, |tx, user| {
        if on {
            match proposals::support(&mut tx, user, id).await? {
                Ok(supported) => {
                    deliver(&mut tx, &supported.notices, &default_language).await?;
                    Ok(format!("/proposals/{id}?done=supported#support"))
                }
                Err(refusal) => Err(refusal),
            }
        } else {
            proposals::unsupport(&mut tx, user, id)
                .await?
                .map(|_| format!("/proposals/{id}?done=unsupported#support"))
        }
    })
}

/// `POST /proposals/{id}/withdraw`: the author withdraws it.
pub async fn withdraw(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    if let Err(response) = checked_fields(&ctx, &state, form) {
        return *response;
    }
    let Some(id) = parse_id(&raw) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    form_action!(state, ctx, |tx, user| {
        proposals::withdraw(&mut tx, user, id)
            .await?
            .map(|()| format!("/proposals/{id}?done=withdrawn"))
    })
}

/// `GET /proposals/{id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let Some(id) = parse_id(&raw) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let loaded: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let editable = proposals::editable_by(&mut tx, user, id).await?;
        let proposal = proposals::find(&mut tx, id).await?;
        tx.commit().await?;
        Ok(proposal.filter(|_| editable))
    }
    .await;
    let proposal = match loaded {
        Ok(Some(proposal)) => proposal,
        Ok(None) => return refused_page(&state, &ctx, Refusal::EditWindowOver),
        Err(error) => return error.into_page(&ctx.tr),
    };
    let districts = districts(&state, &ctx).await.unwrap_or_default();
    let new = NewProposal {
        title: proposal.title,
        summary: proposal.summary,
        body: proposal.body,
        district: proposal.district,
    };
    form_page(
        &state,
        &ctx,
        StatusCode::OK,
        (format!("/proposals/{id}/edit"), ctx.tr.t("proposal-edit")),
        &new,
        districts,
        None,
    )
}

/// `POST /proposals/{id}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let Some(id) = parse_id(&raw) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let new = typed(&values);
    let outcome: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let edited = proposals::edit(&mut tx, user, id, &new).await?;
        if edited.is_ok() {
            tx.commit().await?;
            state.reads.changed(ctx.tenant.id).await;
        }
        Ok(edited)
    }
    .await;
    match outcome {
        Ok(Ok(())) => Redirect::to(&format!("/proposals/{id}?done=edited")).into_response(),
        Ok(Err(refusal @ Refusal::Invalid(..))) => {
            let districts = districts(&state, &ctx).await.unwrap_or_default();
            form_page(
                &state,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                (format!("/proposals/{id}/edit"), ctx.tr.t("proposal-edit")),
                &new,
                districts,
                Some(refusal),
            )
        }
        Ok(Err(refusal)) => refused_page(&state, &ctx, refusal),
        Err(error) => error.into_page(&ctx.tr),
    }
}

/// `POST /staff/proposals/{id}/status`: admins and evaluators set the
/// status with an official answer; followers are told.
pub async fn set_status(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let Some(id) = parse_id(&raw) else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let Some(status) = Status::parse(get(&values, "status")) else {
        return refused_page(&state, &ctx, Refusal::Invalid("status", "status_invalid"));
    };
    let answer = get(&values, "answer").to_owned();
    let actor = ctx.visitor.session.as_ref().map(|s| s.actor());
    let default_language = ctx.tr.code().to_owned();
    form_action!(state, ctx, |tx, user| {
        let actor = actor.clone().unwrap_or_else(|| staff::Actor::user(user));
        if !is_answerer(&mut tx, Some(user)).await? {
            Err(Refusal::Forbidden)
        } else {
            match proposals::set_status(&mut tx, &actor, id, status, &answer).await? {
                Ok(notices) => {
                    deliver(&mut tx, &notices, &default_language).await?;
                    Ok(format!("/proposals/{id}?done=answered"))
                }
                Err(refusal) => Err(refusal),
            }
        }
    })
}

/// `POST /proposals/{id}/image` (multipart, field `image`): the author
/// adds or replaces the proposal's picture within the edit window.
pub async fn upload_image(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let (id, name) = match crate::legacy_media::page_upload(&state, &ctx, multipart, &raw).await {
        Ok(uploaded) => uploaded,
        Err(response) => return *response,
    };
    form_action!(state, ctx, |tx, user| {
        proposals::set_image(&mut tx, user, id, &name)
            .await?
            .map(|()| format!("/proposals/{id}?done=edited"))
    })
}
