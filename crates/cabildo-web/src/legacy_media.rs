//! Page helpers for uploads of the handlers not yet moved to their
//! domain folders.

use crate::AppState;
use crate::account_pages::Context;
use crate::http::storage::{PictureError, Refused};
use axum::body::Bytes;
use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cabildo_tenancy::TenantId;
use std::collections::HashMap;

/// Checks and stores a picture for `tenant`; returns its name.
pub async fn store(
    state: &AppState,
    tenant: TenantId,
    bytes: &[u8],
) -> Result<Result<String, Refused>, crate::WebError> {
    match crate::http::storage::store(state, tenant, bytes).await {
        Ok(name) => Ok(Ok(name)),
        Err(PictureError::Refused(refused)) => Ok(Err(refused)),
        Err(PictureError::Failed(error)) => Err(crate::WebError::Internal(Box::new(error))),
    }
}

/// Its explanation in `tr`'s language.
pub(crate) fn message(refused: Refused, tr: &crate::i18n::Tr) -> String {
    tr.t(&format!("refusal-{}", refused.code().replace('_', "-")))
}

/// Stores a picture sent with a page's form → its name, or the page
/// refusing it (not a picture, too large, missing).
pub(crate) async fn page_picture(
    state: &AppState,
    ctx: &Context,
    bytes: &[u8],
) -> Result<String, Box<Response>> {
    match store(state, ctx.tenant.id, bytes).await {
        Ok(Ok(name)) => Ok(name),
        Ok(Err(refused)) => {
            let page = crate::ui::message::message_page(
                &ctx.tr,
                refused.status(),
                &ctx.tr.t("refusal-title"),
                &message(refused, &ctx.tr),
                true,
            );
            Err(Box::new(ctx.respond(state, page)))
        }
        Err(error) => Err(Box::new(error.into_page(&ctx.tr))),
    }
}

/// A logged-in person's picture for the item `raw` names (field `image`
/// of a page's multipart form), stored: the item's id and the picture's
/// name, or the page answering (refused form, no such item, login,
/// refused picture).
pub(crate) async fn page_upload(
    state: &AppState,
    ctx: &Context,
    multipart: Result<Multipart, MultipartRejection>,
    raw: &str,
) -> Result<(uuid::Uuid, String), Box<Response>> {
    let file = uploaded(state, ctx, multipart, "image").await?;
    let Some(id) = crate::participation::parse_id(raw) else {
        return Err(Box::new(crate::WebError::NotFound.into_page(&ctx.tr)));
    };
    if ctx.visitor.session.is_none() {
        return Err(Box::new(
            axum::response::Redirect::to("/account/login").into_response(),
        ));
    }
    Ok((id, page_picture(state, ctx, &file).await?))
}

/// The file in field `name` of a multipart form whose `csrf_token`
/// matches the visitor's (empty when none was sent), or the page refusing
/// the form. Used for pictures (`image`) and census files (`file`).
pub(crate) async fn uploaded(
    state: &AppState,
    ctx: &Context,
    multipart: Result<Multipart, MultipartRejection>,
    name: &str,
) -> Result<Bytes, Box<Response>> {
    uploaded_form(state, ctx, multipart, name)
        .await
        .map(|(_, file)| file)
}

/// Like [`uploaded`], with the form's other text fields (at most 64, each
/// cut to 100,000 characters).
pub(crate) async fn uploaded_form(
    state: &AppState,
    ctx: &Context,
    multipart: Result<Multipart, MultipartRejection>,
    name: &str,
) -> Result<(HashMap<String, String>, Bytes), Box<Response>> {
    let refuse = |status, key| Box::new(ctx.message(state, status, key));
    let Ok(mut multipart) = multipart else {
        return Err(refuse(StatusCode::BAD_REQUEST, "error-form"));
    };
    let (mut fields, mut file) = (HashMap::new(), Bytes::new());
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => match field.name().map(str::to_owned) {
                Some(field_name) if field_name == name => match field.bytes().await {
                    Ok(bytes) => file = bytes,
                    Err(_) => return Err(refuse(StatusCode::PAYLOAD_TOO_LARGE, "error-too-large")),
                },
                Some(field_name) if fields.len() < 64 => {
                    let text = field.text().await.unwrap_or_default();
                    fields.insert(field_name, text.chars().take(100_000).collect());
                }
                _ => {}
            },
            Ok(None) => break,
            Err(_) => return Err(refuse(StatusCode::BAD_REQUEST, "error-form")),
        }
    }
    let csrf = fields.get("csrf_token").map(String::as_str).unwrap_or("");
    if !ctx.visitor.csrf_matches(csrf) {
        return Err(refuse(StatusCode::FORBIDDEN, "error-csrf"));
    }
    Ok((fields, file))
}
