//! The JSON API of participation under `/api/v1`: debates, proposals and
//! supports, comments and votes, following, reports, search, open data and
//! staff answers. Reading needs no login where the page is public; actions
//! need a session (with `X-CSRF-Token`) or a personal token, and are the
//! same engine calls as the pages, with the same rules.

use crate::AppState;
use crate::account_pages::Context;
use crate::api::{
    body, context, csrf_header_matches, csrf_refused, error, unauthenticated, web_error,
};
use crate::error::WebError;
use crate::participation::{
    ListQuery, comment_page, debate_list, deliver, parse_id, proposal_list, refusal_message,
    refusal_status, search_hits, seed,
};
use crate::site::LanguageRequest;
use axum::Extension;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cabildo_engine::comments::{self, NewComment};
use cabildo_engine::content::{PageRequest, Refusal, Target};
use cabildo_engine::debates::{self, DebateSort, NewDebate};
use cabildo_engine::moderation::{self, Item};
use cabildo_engine::proposals::{self, NewProposal, ProposalSort, Status};
use cabildo_engine::staff::{self, Role};
use cabildo_engine::{follows, opendata, processes, search};
use cabildo_tenancy::Site;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

pub(crate) fn refused(ctx: &Context, refusal: Refusal) -> Response {
    let mut response = error(
        refusal_status(refusal),
        refusal.code(),
        &refusal_message(&ctx.tr, refusal),
    );
    if let Refusal::Invalid(field, _) = refusal
        && let Ok(value) = HeaderValue::from_str(field)
    {
        response.headers_mut().insert("x-invalid-field", value);
    }
    response
}

pub(crate) fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "not_found", "No such resource.")
}

/// Runs `$body` (a `Result<T, Refusal>` expression that may use `?` on
/// engine errors) in a tenant transaction; answers refusals and failures.
macro_rules! read {
    ($state:expr, $ctx:expr, |$tx:ident| $body:expr) => {{
        let result: Result<_, $crate::error::WebError> = async {
            let mut $tx = $state.tenancy.begin(&$ctx.tenant).await?;
            let value = $body;
            $tx.commit().await?;
            Ok(value)
        }
        .await;
        match result {
            Ok(value) => value,
            Err(failure) => return $crate::api::web_error(failure),
        }
    }};
}
pub(crate) use read;

/// Like [`read!`] for a logged-in visitor whose call carries its CSRF
/// token (or a personal token); `$user` is their account. Refusals are
/// answered, and roll the transaction back. A change drops the council's
/// read cache, except after `keep_reads` (supports: lists may lag).
macro_rules! act {
    (keep_reads, $state:expr, $ctx:expr, $headers:expr, |$tx:ident, $user:ident| $body:expr) => {
        act!(@run false, $state, $ctx, $headers, |$tx, $user| $body)
    };
    ($state:expr, $ctx:expr, $headers:expr, |$tx:ident, $user:ident| $body:expr) => {
        act!(@run true, $state, $ctx, $headers, |$tx, $user| $body)
    };
    (@run $changes:expr, $state:expr, $ctx:expr, $headers:expr, |$tx:ident, $user:ident| $body:expr) => {{
        let Some(session) = &$ctx.visitor.session else {
            return $crate::api::unauthenticated();
        };
        if !$crate::api::csrf_header_matches(&$ctx, &$headers) {
            return $crate::api::csrf_refused();
        }
        let $user = session.user;
        let result: Result<_, $crate::error::WebError> = async {
            let mut $tx = $state.tenancy.begin(&$ctx.tenant).await?;
            let outcome = $body;
            if outcome.is_ok() {
                $tx.commit().await?;
                if $changes {
                    $state.reads.changed($ctx.tenant.id).await;
                }
            }
            Ok(outcome)
        }
        .await;
        match result {
            Ok(Ok(value)) => value,
            Ok(Err(refusal)) => return $crate::participation_api::refused(&$ctx, refusal),
            Err(failure) => return $crate::api::web_error(failure),
        }
    }};
}
pub(crate) use act;

/// A process's id by its slug (published ones only).
async fn process_id(
    tx: &mut cabildo_tenancy::TenantTx,
    slug: &str,
) -> Result<Option<Uuid>, WebError> {
    Ok(processes::published_by_slug(tx, slug)
        .await?
        .map(|(summary, _, _)| summary.id))
}

fn paged(key: &str, items: Value, page: PageRequest, total: i64) -> Value {
    json!({key: items, "page": page.page, "per_page": page.per_page, "total": total})
}

/// `GET /api/v1/processes/{slug}/debates?sort=&page=&per_page=&district=`.
pub async fn list_debates(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(slug): Path<String>,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let page = query.page();
    let sort = DebateSort::parse(query.sort.as_deref());
    let district = query.district();
    let list = match debate_list(&state, &ctx.tenant, &slug, sort, district.as_deref(), page).await
    {
        Ok(Some((_, list))) => list,
        Ok(None) => return not_found(),
        Err(failure) => return web_error(failure),
    };
    let (items, total) = (&list.0, list.1);
    let mut body = paged("debates", json!(items), page, total);
    body["sort"] = json!(sort.as_str());
    Json(body).into_response()
}

/// Body of `POST /api/v1/processes/{slug}/debates`.
#[derive(Debug, Deserialize)]
pub struct DebateBody {
    title: String,
    body: String,
    #[serde(default)]
    district: Option<String>,
}

/// `POST /api/v1/processes/{slug}/debates` → 201 with the debate.
pub async fn create_debate(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Result<Json<DebateBody>, JsonRejection>,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let body = body!(body);
    let new = NewDebate {
        title: body.title,
        body: body.body,
        district: body.district,
    };
    let debate = act!(state, ctx, headers, |tx, user| {
        match process_id(&mut tx, &slug).await? {
            None => Err(Refusal::NotFound),
            Some(process) => match debates::create(&mut tx, user, process, &new).await? {
                Ok(id) => debates::find(&mut tx, id).await?.ok_or(Refusal::NotFound),
                Err(refusal) => Err(refusal),
            },
        }
    });
    (StatusCode::CREATED, Json(json!(debate))).into_response()
}

/// `GET /api/v1/debates/{id}`.
pub async fn debate(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let Some(id) = parse_id(&raw) else {
        return not_found();
    };
    match read!(state, ctx, |tx| debates::find(&mut tx, id).await?) {
        Some(debate) => Json(json!(debate)).into_response(),
        None => not_found(),
    }
}

/// The target named by a path: `proposals`, `debates` or `processes`
/// (by slug) and its id.
async fn target(
    tx: &mut cabildo_tenancy::TenantTx,
    kind: &str,
    raw: &str,
) -> Result<Option<Target>, WebError> {
    Ok(match kind {
        "proposals" => parse_id(raw).map(Target::Proposal),
        "debates" => parse_id(raw).map(Target::Debate),
        _ => process_id(tx, raw).await?.map(Target::Process),
    })
}

/// Query of comment lists.
#[derive(Debug, Default, Deserialize)]
pub struct CommentsQuery {
    page: Option<String>,
}

/// `GET /api/v1/{proposals|debates|processes}/{id}/comments?page=`: one
/// page of threads, each comment followed by its replies.
pub async fn list_comments(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path((kind, raw)): Path<(String, String)>,
    Query(query): Query<CommentsQuery>,
    headers: HeaderMap,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let page = query
        .page
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 10_000);
    let found = read!(state, ctx, |tx| {
        match target(&mut tx, &kind, &raw).await? {
            None => None,
            Some(target) => {
                let visible = match target {
                    Target::Proposal(id) => proposals::find(&mut tx, id).await?.is_some(),
                    Target::Debate(id) => debates::find(&mut tx, id).await?.is_some(),
                    Target::Process(_) => true,
                    Target::Project(_) => false,
                };
                visible.then_some(target)
            }
        }
    });
    let Some(target) = found else {
        return not_found();
    };
    let listed = match comment_page(&state, &ctx.tenant, target, page).await {
        Ok(listed) => listed,
        Err(failure) => return web_error(failure),
    };
    let (items, threads) = (&listed.0, listed.1);
    Json(json!({"comments": items, "page": page, "threads": threads,
                "threads_per_page": comments::THREADS_PER_PAGE}))
    .into_response()
}

/// Body of `POST …/comments`.
#[derive(Debug, Deserialize)]
pub struct CommentBody {
    body: String,
    #[serde(default)]
    alignment: i16,
    #[serde(default)]
    parent_id: Option<Uuid>,
    /// Staff only: an official answer.
    #[serde(default)]
    official: bool,
}

/// `POST /api/v1/{proposals|debates|processes}/{id}/comments` → 201.
pub async fn create_comment(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path((kind, raw)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Json<CommentBody>, JsonRejection>,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let body = body!(body);
    let default_language = ctx.tr.code().to_owned();
    let new = NewComment {
        body: body.body,
        alignment: body.alignment,
        parent: body.parent_id,
    };
    let id = act!(state, ctx, headers, |tx, user| {
        match target(&mut tx, &kind, &raw).await? {
            None => Err(Refusal::NotFound),
            Some(target) => {
                let official = body.official && !staff::roles_of(&mut tx, user).await?.is_empty();
                match comments::create(&mut tx, user, target, &new, official).await? {
                    Ok(posted) => {
                        deliver(&mut tx, &posted.notices, &default_language).await?;
                        Ok(posted.id)
                    }
                    Err(refusal) => Err(refusal),
                }
            }
        }
    });
    (StatusCode::CREATED, Json(json!({"id": id}))).into_response()
}

/// Body of `PATCH /api/v1/comments/{id}`.
#[derive(Debug, Deserialize)]
pub struct EditCommentBody {
    body: String,
}

/// `PATCH /api/v1/comments/{id}`: the author edits within the window.
pub async fn edit_comment(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Result<Json<EditCommentBody>, JsonRejection>,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let body = body!(body);
    let Some(id) = parse_id(&raw) else {
        return not_found();
    };
    act!(state, ctx, headers, |tx, user| comments::edit(
        &mut tx, user, id, &body.body
    )
    .await?);
    Json(json!({"id": id})).into_response()
}

/// `DELETE /api/v1/comments/{id}` → 204: the author deletes it.
pub async fn delete_comment(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let Some(id) = parse_id(&raw) else {
        return not_found();
    };
    act!(state, ctx, headers, |tx, user| comments::delete(
        &mut tx, user, id
    )
    .await?);
    StatusCode::NO_CONTENT.into_response()
}

/// Body of `PUT /api/v1/comments/{id}/vote`.
#[derive(Debug, Deserialize)]
pub struct VoteBody {
    /// 1 up, -1 down, 0 none.
    value: i16,
}

/// `PUT /api/v1/comments/{id}/vote` → the counts.
pub async fn vote(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Result<Json<VoteBody>, JsonRejection>,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let body = body!(body);
    let Some(id) = parse_id(&raw) else {
        return not_found();
    };
    let votes = act!(state, ctx, headers, |tx, user| comments::vote(
        &mut tx, user, id, body.value
    )
    .await?);
    Json(json!(votes)).into_response()
}

/// `PUT` (follow) or `DELETE` (stop) `/api/v1/{proposals|debates|processes}/{id}/follow`.
pub async fn follow(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    method: axum::http::Method,
    Path((kind, raw)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let on = method == axum::http::Method::PUT;
    act!(state, ctx, headers, |tx, user| {
        match target(&mut tx, &kind, &raw).await? {
            None => Err(Refusal::NotFound),
            Some(target) => follows::set(&mut tx, user, target, on).await?,
        }
    });
    Json(json!({"following": on})).into_response()
}

/// Body of `POST …/reports`.
#[derive(Debug, Deserialize)]
pub struct ReportBody {
    reason: String,
}

/// `POST /api/v1/{proposals|debates|comments|budget-projects}/{id}/reports`
/// → 202.
pub async fn report(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path((kind, raw)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Json<ReportBody>, JsonRejection>,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let body = body!(body);
    let kind = match kind.as_str() {
        "budget-projects" => "project",
        other => other.trim_end_matches('s'),
    };
    let item = parse_id(&raw).and_then(|id| Item::parse(kind, id));
    let Some(item) = item else {
        return not_found();
    };
    act!(state, ctx, headers, |tx, user| moderation::report(
        &mut tx,
        user,
        item,
        &body.reason
    )
    .await?);
    (StatusCode::ACCEPTED, Json(json!({"reported": true}))).into_response()
}

/// Query of `GET /api/v1/search`.
#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    kind: Option<String>,
}

/// `GET /api/v1/search?q=&kind=`.
pub async fn search(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Query(query): Query<SearchQuery>,
    headers: HeaderMap,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let q = query.q.unwrap_or_default();
    let kind = search::Kind::parse(query.kind.as_deref());
    let q: String = q.chars().take(search::MAX_QUERY).collect();
    let hits = match search_hits(&state, &ctx.tenant, &q, kind).await {
        Ok(hits) => hits,
        Err(failure) => return web_error(failure),
    };
    Json(json!({"query": q, "hits": *hits})).into_response()
}

/// `GET /api/v1/processes/{slug}/open-data`: the whole export as JSON.
pub async fn open_data(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Response {
    let ctx = context!(state, site, language, headers);
    match read!(state, ctx, |tx| opendata::export(&mut tx, &slug).await?) {
        Some(export) => Json(json!(export)).into_response(),
        None => not_found(),
    }
}

/// `GET /api/v1/processes/{slug}/open-data/{proposals|debates|comments}`:
/// one table as CSV.
pub async fn open_data_csv(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path((slug, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let Some(table) = opendata::Table::parse(&name) else {
        return not_found();
    };
    let Some(export) = read!(state, ctx, |tx| opendata::export(&mut tx, &slug).await?) else {
        return not_found();
    };
    csv_download(export.csv(table), &format!("{}-{name}.csv", export.process))
}

/// A CSV body as a download named `filename`.
pub(crate) fn csv_download(body: String, filename: &str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
