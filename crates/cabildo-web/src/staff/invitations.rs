//! Invitations to join the staff: admins invite by address; the invited
//! person accepts with the link from the mail while logged in with that
//! address.

use crate::http::council::Council;
use crate::http::error::PageError;
use crate::http::extract::{Citizen, CsrfForm, Staff};
use crate::http::session_cache::Ended;
use crate::staff::console::{render, role_name};
use crate::ui::format::encode;
use crate::ui::forms::{FieldView, FormView};
use crate::ui::message::message_page;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cabildo_engine::Error as EngineError;
use cabildo_engine::Refusal;
use cabildo_engine::accounts::sessions;
use cabildo_engine::staff::{self, Permission, Role};
use serde::Deserialize;

/// `?token=` of the invitation link.
#[derive(Debug, Default, Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// `GET /staff/invitation?token=…`: who is invited as what, and a button.
pub async fn invitation_page(
    council: Council,
    Query(query): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let token = query.token;
    let invitation = council
        .tx(async |tx| staff::invitation(tx, &token).await)
        .await?;
    let tr = &council.tr;
    let Some(invitation) = invitation else {
        return Ok(council.message(StatusCode::BAD_REQUEST, "staff-invitation-invalid"));
    };
    if council.session().is_none() {
        let body = tr.with("staff-invitation-log-in", "email", &invitation.email);
        let page = message_page(
            tr,
            StatusCode::OK,
            &tr.t("staff-invitation-title"),
            &body,
            true,
        );
        return Ok(council.respond(page));
    }
    let role = role_name(tr, invitation.role);
    let mut form = FormView::new(
        tr.t("staff-invitation-title"),
        "/staff/invitation",
        vec![FieldView::hidden("token", &token)],
        tr.t("staff-invitation-accept"),
    );
    form.intro = Some(tr.with("staff-invitation-intro", "role", &role));
    council.form(StatusCode::OK, form)
}

/// The invitation's token, posted back.
#[derive(Debug, Default, Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    token: String,
}

/// `POST /staff/invitation`: gaining a role rotates the session, so the
/// old token stops working.
pub async fn accept(
    citizen: Citizen,
    CsrfForm(form): CsrfForm<AcceptForm>,
) -> Result<Response, PageError> {
    let user = citizen.user();
    let old_token = citizen.visitor.session_token.clone().unwrap_or_default();
    let user_agent = citizen.user_agent.clone();
    let accepted = citizen
        .tx(async |tx| {
            staff::accept(tx, &form.token, user).await?;
            sessions::end(tx, &old_token).await?;
            sessions::start(tx, user, user_agent.as_deref()).await
        })
        .await;
    let token = match accepted {
        Ok(token) => token,
        Err(EngineError::Refused(Refusal::OtherAddress)) => {
            return Ok(citizen.message(StatusCode::FORBIDDEN, "staff-invitation-other"));
        }
        Err(EngineError::Refused(Refusal::InvitationInvalid)) => {
            return Ok(citizen.message(StatusCode::BAD_REQUEST, "staff-invitation-invalid"));
        }
        Err(error) => return Err(error.into()),
    };
    let ended = Ended::Session(citizen.session.id.clone());
    citizen.state.sessions.ended(citizen.tenant.id, ended).await;
    let mut response = Redirect::to("/staff").into_response();
    citizen
        .state
        .set_session_cookie(response.headers_mut(), &token);
    Ok(response)
}

/// An invitation as typed by an admin.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    email: String,
    role: String,
}

/// `POST /staff/invitations` (admins).
pub async fn invite(
    staff: Staff,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> Result<Response, PageError> {
    staff.require(Permission::ManageStaff)?;
    let Some(role) = Role::parse(&form.role) else {
        let error = Some(staff.tr.t("staff-role-invalid"));
        return render(&staff, None, error, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let email = form.email.trim().to_lowercase();
    let language = staff.tr.code().to_owned();
    let actor = staff.actor();
    let invited = staff
        .tx(async |tx| staff::invite(tx, &actor, &email, role, &language).await)
        .await;
    match invited {
        Ok(()) => Ok(Redirect::to(&format!("/staff?invited={}", encode(&email))).into_response()),
        Err(EngineError::Invalid(_)) => {
            let error = Some(staff.tr.t("error-email-invalid"));
            render(&staff, None, error, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => Err(error.into()),
    }
}
