//! `/staff/newsletters` (admins): compose a newsletter in Markdown, choose
//! its audience, preview it, send a test copy to oneself, send it, and
//! follow the delivery of past ones.

use crate::AppState;
use crate::account_pages::{Chrome, Context, Fields, fields_or_return, get};
use crate::error::{WebError, from_account};
use crate::i18n::Tr;
use crate::site::LanguageRequest;
use crate::ui::chrome::LanguageLink;
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use cabildo_engine::staff::{self, Role};
use cabildo_notify::newsletters::{self, Audience, Draft};
use cabildo_tenancy::Site;
use std::collections::HashMap;

/// One past newsletter as listed.
pub struct SentView {
    subject: String,
    audience: String,
    total: i64,
    done: i64,
    label: String,
}

#[derive(Template)]
#[template(path = "newsletters.html")]
struct NewslettersPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    languages: &'a [LanguageLink],
    subject: String,
    body: String,
    audience: String,
    audiences: Vec<(String, String)>,
    preview: Option<String>,
    audience_size: String,
    sent: Vec<SentView>,
    notice: Option<String>,
    error: Option<String>,
}

/// What the page shows besides the list.
#[derive(Default)]
struct Shown {
    values: HashMap<String, String>,
    preview: Option<(String, i64)>,
    notice: Option<String>,
    error: Option<String>,
}

async fn render(state: &AppState, ctx: &Context, shown: Shown, status: StatusCode) -> Response {
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let loaded: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let roles = staff::roles_of(&mut tx, user).await.map_err(from_account)?;
        if !roles.contains(&Role::Admin) {
            return Ok(None);
        }
        let mut sent = Vec::new();
        for newsletter in newsletters::list(&mut tx, 20).await? {
            let progress = newsletters::progress(&mut tx, newsletter.id).await?;
            sent.push((newsletter, progress));
        }
        tx.commit().await?;
        Ok(Some(sent))
    }
    .await;
    let sent = match loaded {
        Ok(Some(sent)) => sent,
        Ok(None) => return ctx.message(state, StatusCode::FORBIDDEN, "staff-forbidden"),
        Err(error) => return error.into_page(&ctx.tr),
    };
    let tr = &ctx.tr;
    let settings = match state.tenancy.site_settings(&ctx.tenant).await {
        Ok(settings) => settings,
        Err(error) => return WebError::from(error).into_page(tr),
    };
    let mut audiences = vec![("all".to_owned(), tr.t("newsletters-audience-all"))];
    audiences.extend(settings.districts.iter().map(|d| {
        (
            format!("district:{}", d.code),
            tr.with("newsletters-audience-district", "district", &d.name),
        )
    }));
    let value = |name: &str| shown.values.get(name).cloned().unwrap_or_default();
    let page = NewslettersPage {
        tr,
        chrome: &ctx.chrome,
        languages: &ctx.chrome.languages,
        subject: value("subject"),
        body: value("body"),
        audience: value("audience"),
        audiences,
        audience_size: shown
            .preview
            .as_ref()
            .map(|(_, size)| tr.count("newsletters-audience-size", *size))
            .unwrap_or_default(),
        preview: shown.preview.map(|(html, _)| html),
        sent: sent
            .into_iter()
            .map(|(n, p)| SentView {
                subject: n.subject,
                audience: n.audience,
                total: p.total.max(1),
                done: p.sent + p.failed,
                label: tr.with(
                    "newsletters-progress-label",
                    "counts",
                    &format!(
                        "{} / {} / {}",
                        tr.number(p.sent),
                        tr.number(p.failed),
                        tr.number(p.pending)
                    ),
                ),
            })
            .collect(),
        notice: shown.notice,
        error: shown.error,
    };
    match page.render() {
        Ok(html) => ctx.respond(state, (status, Html(html)).into_response()),
        Err(error) => WebError::from(error).into_page(tr),
    }
}

/// `GET /staff/newsletters`.
pub async fn page(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
) -> Response {
    let ctx = match Context::load(&state, &site, &language, &headers).await {
        Ok(ctx) => ctx,
        Err(error) => return error.into_page(&language.ui()),
    };
    render(&state, &ctx, Shown::default(), StatusCode::OK).await
}

/// `POST /staff/newsletters` with `action` = `preview`, `test` or `send`.
pub async fn act(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = match Context::load(&state, &site, &language, &headers).await {
        Ok(ctx) => ctx,
        Err(error) => return error.into_page(&language.ui()),
    };
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let values = fields_or_return!(ctx, state, form);
    let mut shown = Shown {
        values: values.clone(),
        ..Shown::default()
    };
    let Some(audience) = Audience::parse(get(&values, "audience")) else {
        shown.error = Some(ctx.tr.t("newsletters-error-audience"));
        return render(&state, &ctx, shown, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let draft = Draft {
        subject: get(&values, "subject").trim().to_owned(),
        markdown: get(&values, "body").to_owned(),
        audience,
    };
    if draft.subject.is_empty()
        || draft.subject.chars().count() > 200
        || draft.markdown.trim().is_empty()
        || draft.markdown.chars().count() > 100_000
    {
        shown.error = Some(ctx.tr.t("newsletters-error-empty"));
        return render(&state, &ctx, shown, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let action = get(&values, "action").to_owned();
    let done: Result<Option<Done>, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let roles = staff::roles_of(&mut tx, user).await.map_err(from_account)?;
        if !roles.contains(&Role::Admin) {
            return Ok(None);
        }
        let actor = ctx.actor(user);
        let done = match action.as_str() {
            "test" => {
                let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
                    .bind(user)
                    .fetch_one(tx.conn())
                    .await
                    .map_err(|e| WebError::from(cabildo_tenancy::TenancyError::from(e)))?;
                newsletters::send_test(&mut tx, &draft, &email).await?;
                staff::audit(
                    &mut tx,
                    &actor,
                    "newsletter.test",
                    Some(&draft.subject),
                    serde_json::json!({}),
                )
                .await
                .map_err(from_account)?;
                Done::Notice(ctx.tr.with("newsletters-tested", "email", &email))
            }
            "send" => {
                let (id, recipients) = newsletters::send(&mut tx, &draft).await?;
                staff::audit(
                    &mut tx,
                    &actor,
                    "newsletter.send",
                    Some(&draft.subject),
                    serde_json::json!({"newsletter": id, "recipients": recipients}),
                )
                .await
                .map_err(from_account)?;
                Done::Sent(ctx.tr.count("newsletters-queued", recipients))
            }
            _ => Done::Preview(newsletters::audience_size(&mut tx, &draft.audience).await?),
        };
        tx.commit().await?;
        Ok(Some(done))
    }
    .await;
    match done {
        Ok(Some(done)) => {
            match done {
                Done::Preview(size) => {
                    shown.preview = Some((newsletters::render_markdown(&draft.markdown), size));
                }
                Done::Notice(notice) => shown.notice = Some(notice),
                Done::Sent(notice) => {
                    shown.notice = Some(notice);
                    shown.values.clear();
                }
            }
            render(&state, &ctx, shown, StatusCode::OK).await
        }
        Ok(None) => ctx.message(&state, StatusCode::FORBIDDEN, "staff-forbidden"),
        Err(error) => error.into_page(&ctx.tr),
    }
}

/// What a POST did.
enum Done {
    Preview(i64),
    Notice(String),
    Sent(String),
}
