//! The council side of a consultant's hand-off: the single-use token from
//! the platform console starts a staff session here, without a second
//! password.

use crate::accounts::register::{TokenForm, TokenQuery};
use crate::http::council::Council;
use crate::http::error::PageError;
use crate::http::extract::CsrfForm;
use crate::http::session_cache::Ended;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cabildo_engine::Error as EngineError;
use cabildo_engine::accounts::sessions;
use cabildo_engine::platform;

/// `GET /staff/handoff?token=…`: a button (GET never changes anything).
pub async fn handoff_page(
    council: Council,
    Query(query): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let title = council
        .tr
        .with("handoff-title", "council", &council.chrome.council);
    let keys = ["handoff-intro", "handoff-submit"];
    council.token_button(&query.token, "/staff/handoff", title, keys)
}

/// `POST /staff/handoff`: uses the token and starts a staff session here.
pub async fn handoff(
    council: Council,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> Result<Response, PageError> {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_lowercase();
    let state = &council.state;
    let arrival =
        platform::use_handoff(&state.tenancy, &form.token, council.tenant.id, &host).await?;
    let Some(arrival) = arrival else {
        return Ok(council.message(StatusCode::BAD_REQUEST, "handoff-invalid"));
    };
    let user_agent = council.user_agent.as_deref();
    let (user, token) = council
        .tx(async |tx| {
            let user = platform::council_account(tx, &arrival).await?;
            let token = sessions::start(tx, user, user_agent).await?;
            Ok::<_, EngineError>((user, token))
        })
        .await?;
    state.sessions.set_unread(council.tenant.id, user, None);
    // An adopted account's earlier sessions ended: forget them on every node.
    let ended = Ended::User(user);
    state.sessions.ended(council.tenant.id, ended).await;
    let mut response = Redirect::to("/staff").into_response();
    state.set_session_cookie(response.headers_mut(), &token);
    Ok(response)
}
