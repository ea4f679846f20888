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
