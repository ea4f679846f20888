//! `/staff/processes` (admins): create processes with their participation
//! rules, add phases, publish.

use crate::AppState;
use crate::account_pages::{Chrome, Context, Fields, checked_fields, fields_or_return, get, load};
use crate::error::{WebError, from_account};
use crate::i18n::Tr;
use crate::pages::LanguageLink;
use crate::site::LanguageRequest;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use cabildo_engine::processes::{self, Component, NewPhase, NewProcess, Refused, Rules, Who};
use cabildo_engine::staff::{self, Role};
use cabildo_tenancy::Site;

/// A process as listed.
pub struct Row {
    id: String,
    slug: String,
    title: String,
    status_label: String,
    phases: i64,
    draft: bool,
    published: bool,
    summary: String,
    description: String,
    district: String,
    phase_rows: Vec<PhaseRow>,
}

/// A phase as staff see it.
pub struct PhaseRow {
    id: String,
    title: String,
    dates: String,
    started: bool,
}

#[derive(Template)]
#[template(path = "staff_processes.html")]
struct Page<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    languages: &'a [LanguageLink],
    processes: Vec<Row>,
    districts: Vec<(String, String)>,
    who: Vec<(&'static str, String)>,
    notice: Option<String>,
    error: Option<String>,
}

/// Whether the logged-in person is an admin here.
async fn is_admin(state: &AppState, ctx: &Context) -> Result<bool, WebError> {
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Ok(false);
    };
    let mut tx = state.tenancy.begin(&ctx.tenant).await?;
    let roles = staff::roles_of(&mut tx, user).await.map_err(from_account)?;
    tx.commit().await?;
    Ok(roles.contains(&Role::Admin))
}

async fn render(
    state: &AppState,
    ctx: &Context,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    if ctx.visitor.session.is_none() {
        return Redirect::to("/account/login").into_response();
    }
    match is_admin(state, ctx).await {
        Ok(true) => {}
        Ok(false) => return ctx.message(state, StatusCode::FORBIDDEN, "staff-forbidden"),
        Err(error) => return error.into_page(&ctx.tr),
    }
    let tr = &ctx.tr;
    let loaded: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let all = processes::all(&mut tx).await.map_err(from_account)?;
        let phases = processes::all_phases(&mut tx).await?;
        tx.commit().await?;
        let settings = state.tenancy.site_settings(&ctx.tenant).await?;
        Ok((all, phases, settings))
    }
    .await;
    let (all, phases, settings) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return error.into_page(tr),
    };
    let page = Page {
        tr,
        chrome: &ctx.chrome,
        languages: &ctx.chrome.languages,
        processes: all
            .into_iter()
            .map(|p| Row {
                id: p.id.to_string(),
                status_label: tr.t(&format!("staff-process-status-{}", p.status)),
                draft: p.status == "draft",
                published: p.status == "published",
                summary: p.summary,
                description: p.description,
                district: p.district.unwrap_or_default(),
                phase_rows: phases
                    .iter()
                    .filter(|f| f.process_id == p.id)
                    .map(|f| PhaseRow {
                        id: f.id.to_string(),
                        title: f.title.clone(),
                        dates: format!(
                            "{} – {}",
                            crate::participation::short_date(f.starts_at),
                            crate::participation::short_date(
                                f.ends_at - time::Duration::seconds(1)
                            )
                        ),
                        started: f.started,
                    })
                    .collect(),
                slug: p.slug,
                title: p.title,
                phases: p.phases,
            })
            .collect(),
        districts: settings
            .districts
            .iter()
            .map(|d| (d.code.clone(), d.name.clone()))
            .collect(),
        who: [Who::Registered, Who::Verified, Who::District]
            .into_iter()
            .map(|w| (w.as_str(), tr.t(&format!("who-{}", w.as_str()))))
            .collect(),
        notice,
        error,
    };
    match page.render() {
        Ok(html) => ctx.respond(state, (status, Html(html)).into_response()),
        Err(error) => WebError::from(error).into_page(tr),
    }
}

/// `GET /staff/processes`.
pub async fn page(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    render(&state, &ctx, None, None, StatusCode::OK).await
}

fn refusal(tr: &Tr, refused: Refused) -> String {
    match refused {
        Refused::Invalid(code) => tr.t(&format!("staff-process-error-{}", code.replace('_', "-"))),
        Refused::SlugTaken => tr.t("staff-process-error-slug-taken"),
        Refused::NotFound => tr.t("error-not-found-title"),
        Refused::RulesFrozen => tr.t("staff-process-error-frozen"),
    }
}

/// Runs `work` in a transaction as an admin; `Ok(None)` when not one.
macro_rules! as_admin {
    ($state:expr, $ctx:expr, |$tx:ident, $actor:ident| $body:expr) => {{
        let result: Result<Option<_>, WebError> = async {
            match is_admin(&$state, &$ctx).await? {
                false => Ok(None),
                true => {
                    let $actor = match &$ctx.visitor.session {
                        Some(session) => session.actor(),
                        None => return Ok(None),
                    };
                    let mut $tx = $state.tenancy.begin(&$ctx.tenant).await?;
                    let outcome = $body.await.map_err(from_account)?;
                    $tx.commit().await?;
                    Ok(Some(outcome))
                }
            }
        }
        .await;
        result
    }};
}

/// `POST /staff/processes`: a new draft process.
pub async fn create(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let who = |name: &str| Who::parse(get(&values, name)).unwrap_or(Who::Verified);
    let new = NewProcess {
        slug: get(&values, "slug").trim().to_lowercase(),
        title: get(&values, "title").into(),
        summary: get(&values, "summary").into(),
        description: get(&values, "description").into(),
        district: Some(get(&values, "district").to_owned()).filter(|d| !d.is_empty()),
        rules: Rules {
            create: who("create_rule"),
            support: who("support_rule"),
            organisations_may_support: false,
            support_threshold: get(&values, "threshold").trim().parse().unwrap_or(0),
        },
    };
    let outcome = as_admin!(state, ctx, |tx, actor| processes::create(
        &mut tx, &actor, &new
    ));
    let outcome = outcome.map(|o| o.map(|r| r.map(|_| "staff-process-created")));
    finish(&state, &ctx, outcome).await
}

/// `POST /staff/phases`: a phase for a process (whole days, UTC).
pub async fn add_phase(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let date = |name: &str| {
        cabildo_engine::census::import::parse_day(get(&values, name))
            .map(|d| d.midnight().assume_utc())
    };
    let (Ok(process), Some(starts_at), Some(ends_at)) = (
        get(&values, "process").parse::<uuid::Uuid>(),
        date("starts"),
        date("ends"),
    ) else {
        let error = Some(ctx.tr.t("staff-process-error-dates-invalid"));
        return render(&state, &ctx, None, error, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let phase = NewPhase {
        title: get(&values, "title").into(),
        starts_at,
        // The end day is included.
        ends_at: ends_at + time::Duration::days(1),
        components: ["debates", "proposals"]
            .into_iter()
            .filter(|c| get(&values, c) == "on")
            .filter_map(Component::parse)
            .collect(),
    };
    let outcome = as_admin!(state, ctx, |tx, actor| processes::add_phase(
        &mut tx, &actor, process, &phase
    ));
    let outcome = outcome.map(|o| o.map(|r| r.map(|_| "staff-phase-added")));
    finish(&state, &ctx, outcome).await
}

/// `POST /staff/processes/{id}/publish`.
pub async fn publish(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    if let Err(response) = checked_fields(&ctx, &state, form) {
        return *response;
    }
    let Ok(id) = id.parse::<uuid::Uuid>() else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let outcome = as_admin!(state, ctx, |tx, actor| processes::publish(
        &mut tx, &actor, id
    ));
    match outcome {
        Ok(Some(true)) => {
            state.reads.changed(ctx.tenant.id).await;
            render(
                &state,
                &ctx,
                Some(ctx.tr.t("staff-process-published")),
                None,
                StatusCode::OK,
            )
            .await
        }
        Ok(Some(false)) => WebError::NotFound.into_page(&ctx.tr),
        Ok(None) => ctx.message(&state, StatusCode::FORBIDDEN, "staff-forbidden"),
        Err(error) => error.into_page(&ctx.tr),
    }
}

/// `POST /staff/processes/{id}/image` (multipart, field `image`): the
/// process's hero picture.
pub async fn upload_image(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(id): Path<String>,
    headers: HeaderMap,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let file = match crate::legacy_media::uploaded(&state, &ctx, multipart, "image").await {
        Ok(file) => file,
        Err(response) => return *response,
    };
    let Ok(id) = id.parse::<uuid::Uuid>() else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    match is_admin(&state, &ctx).await {
        Ok(true) => {}
        Ok(false) => return ctx.message(&state, StatusCode::FORBIDDEN, "staff-forbidden"),
        Err(error) => return error.into_page(&ctx.tr),
    }
    let name = match crate::legacy_media::store(&state, ctx.tenant.id, &file).await {
        Ok(Ok(name)) => name,
        Ok(Err(refused)) => {
            let error = Some(crate::legacy_media::message(refused, &ctx.tr));
            return render(&state, &ctx, None, error, refused.status()).await;
        }
        Err(error) => return error.into_page(&ctx.tr),
    };
    let outcome = as_admin!(state, ctx, |tx, actor| processes::set_image(
        &mut tx,
        &actor,
        id,
        Some(&name)
    ));
    match outcome {
        Ok(Some(true)) => {
            state.reads.changed(ctx.tenant.id).await;
            render(
                &state,
                &ctx,
                Some(ctx.tr.t("staff-process-image-saved")),
                None,
                StatusCode::OK,
            )
            .await
        }
        Ok(Some(false)) => WebError::NotFound.into_page(&ctx.tr),
        Ok(None) => ctx.message(&state, StatusCode::FORBIDDEN, "staff-forbidden"),
        Err(error) => error.into_page(&ctx.tr),
    }
}

/// `POST /staff/processes/{id}`: new texts and scope.
pub async fn update(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let Ok(id) = id.parse::<uuid::Uuid>() else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let texts = processes::Texts {
        title: get(&values, "title").into(),
        summary: get(&values, "summary").into(),
        description: get(&values, "description").into(),
        district: Some(get(&values, "district").to_owned()).filter(|d| !d.is_empty()),
    };
    let outcome = as_admin!(state, ctx, |tx, actor| processes::update(
        &mut tx, &actor, id, &texts
    ));
    let outcome = outcome.map(|o| o.map(|r| r.map(|()| "staff-process-updated")));
    finish(&state, &ctx, outcome).await
}

/// `POST /staff/processes/{id}/archive`: off the public site.
pub async fn archive(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    if let Err(response) = checked_fields(&ctx, &state, form) {
        return *response;
    }
    let Ok(id) = id.parse::<uuid::Uuid>() else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let outcome = as_admin!(state, ctx, |tx, actor| processes::archive(
        &mut tx, &actor, id
    ));
    let outcome = outcome.map(|o| {
        o.map(|done| {
            if done {
                Ok("staff-process-archived")
            } else {
                Err(Refused::NotFound)
            }
        })
    });
    finish(&state, &ctx, outcome).await
}

/// `POST /staff/phases/{id}/delete`: a phase that has not begun.
pub async fn remove_phase(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    if let Err(response) = checked_fields(&ctx, &state, form) {
        return *response;
    }
    let Ok(id) = id.parse::<uuid::Uuid>() else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let outcome = as_admin!(state, ctx, |tx, actor| processes::remove_phase(
        &mut tx, &actor, id
    ));
    let outcome = outcome.map(|o| {
        o.map(|r| match r {
            Ok(()) => Ok("staff-phase-removed"),
            // For a phase, "frozen" means it has begun.
            Err(Refused::RulesFrozen) => Err(Refused::Invalid("phase_started")),
            Err(other) => Err(other),
        })
    });
    finish(&state, &ctx, outcome).await
}

/// The staff page after an admin action: the notice, or the refusal.
async fn finish(
    state: &AppState,
    ctx: &Context,
    outcome: Result<Option<Result<&'static str, Refused>>, WebError>,
) -> Response {
    match outcome {
        Ok(Some(Ok(notice))) => {
            state.reads.changed(ctx.tenant.id).await;
            render(state, ctx, Some(ctx.tr.t(notice)), None, StatusCode::OK).await
        }
        Ok(Some(Err(refused))) => {
            let error = Some(refusal(&ctx.tr, refused));
            render(state, ctx, None, error, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Ok(None) => ctx.message(state, StatusCode::FORBIDDEN, "staff-forbidden"),
        Err(error) => error.into_page(&ctx.tr),
    }
}
