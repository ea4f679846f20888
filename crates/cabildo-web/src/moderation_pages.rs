//! `/staff/moderation` (admins and moderators): reported items with their
//! counts and reasons, hide / restore / dismiss, blocking and unblocking
//! accounts. Every decision is audited by the engine.

use crate::AppState;
use crate::account_pages::{Chrome, Context, Fields, fields_or_return, get, load};
use crate::comment_pages::{form_action, refused_page};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::participation::deliver;
use crate::proposal_pages::render;
use crate::site::LanguageRequest;
use crate::ui::chrome::LanguageLink;
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use cabildo_engine::content::Refusal;
use cabildo_engine::moderation::{self, Blocked, Decision, Item, Reported};
use cabildo_engine::staff::{self, Role};
use cabildo_tenancy::{Site, TenantTx};
use uuid::Uuid;

#[derive(Template)]
#[template(path = "moderation.html")]
struct Page<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    languages: &'a [LanguageLink],
    queue: Vec<Reported>,
    blocked: Vec<Blocked>,
    notice: Option<String>,
}

async fn is_moderator(tx: &mut TenantTx, user: Uuid) -> Result<bool, WebError> {
    Ok(staff::roles_of(tx, user)
        .await?
        .iter()
        .any(|r| matches!(r, Role::Admin | Role::Moderator)))
}

/// `GET /staff/moderation`.
pub async fn page(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let loaded: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        if !is_moderator(&mut tx, user).await? {
            return Ok(None);
        }
        let queue = moderation::queue(&mut tx).await?;
        let blocked = moderation::blocked(&mut tx).await?;
        tx.commit().await?;
        Ok(Some((queue, blocked)))
    }
    .await;
    let (queue, blocked) = match loaded {
        Ok(Some(loaded)) => loaded,
        Ok(None) => return ctx.message(&state, StatusCode::FORBIDDEN, "staff-forbidden"),
        Err(error) => return error.into_page(&ctx.tr),
    };
    let notice = query
        .get("done")
        .filter(|d| {
            ["hidden", "restored", "dismissed", "blocked", "unblocked"].contains(&d.as_str())
        })
        .map(|d| ctx.tr.t(&format!("moderation-done-{d}")));
    let view = Page {
        tr: &ctx.tr,
        chrome: &ctx.chrome,
        languages: &ctx.chrome.languages,
        queue,
        blocked,
        notice,
    };
    render(&state, &ctx, StatusCode::OK, &view)
}

fn actor(ctx: &Context, user: Uuid) -> staff::Actor {
    ctx.actor(user)
}

/// `POST /staff/moderation/decisions` with `kind`, `id` and `decision`.
pub async fn decide(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let item = get(&values, "id")
        .parse()
        .ok()
        .and_then(|id| Item::parse(get(&values, "kind"), id));
    let (Some(item), Some(decision)) = (item, Decision::parse(get(&values, "decision"))) else {
        return refused_page(&state, &ctx, Refusal::NotFound);
    };
    form_action!(state, ctx, |tx, user| {
        if !is_moderator(&mut tx, user).await? {
            Err(Refusal::Forbidden)
        } else if moderation::decide(&mut tx, &actor(&ctx, user), item, decision).await? {
            let done = match decision {
                Decision::Hide => "hidden",
                Decision::Restore => "restored",
                Decision::Dismiss => "dismissed",
            };
            Ok(format!("/staff/moderation?done={done}"))
        } else {
            Err(Refusal::NotFound)
        }
    })
}

/// `POST /staff/moderation/blocks` with `user`, `block` (`on`/`off`) and
/// the `message` they get.
pub async fn block(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let values = fields_or_return!(ctx, state, form);
    let Ok(target) = get(&values, "user").parse::<Uuid>() else {
        return refused_page(&state, &ctx, Refusal::NotFound);
    };
    let on = get(&values, "block") != "off";
    let message = get(&values, "message").to_owned();
    let default_language = ctx.tr.code().to_owned();
    form_action!(state, ctx, |tx, user| {
        if !is_moderator(&mut tx, user).await? {
            Err(Refusal::Forbidden)
        } else if on {
            match moderation::block(&mut tx, &actor(&ctx, user), target, &message).await? {
                Ok(notices) => {
                    deliver(&mut tx, &notices, &default_language).await?;
                    Ok("/staff/moderation?done=blocked".to_owned())
                }
                Err(refusal) => Err(refusal),
            }
        } else if moderation::unblock(&mut tx, &actor(&ctx, user), target).await? {
            Ok("/staff/moderation?done=unblocked".to_owned())
        } else {
            Err(Refusal::NotFound)
        }
    })
}
