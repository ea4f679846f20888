//! Organisations on a council's site: an account applies at
//! `/account/organisation`; admins and moderators review applications on
//! `/staff`, and the applicant is notified of the outcome.

use crate::AppState;
use crate::account_pages::{Context, ErrorLine, Fields, FormView, checked_fields, get, load};
use crate::error::{WebError, from_account};
use crate::site::LanguageRequest;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use cabildo_engine::organisations::{self, Application, Verdict};
use cabildo_engine::staff::{self, Role};
use cabildo_tenancy::Site;
use std::collections::HashMap;

const FIELDS: [(&str, &str); 4] = [
    ("name", "organization"),
    ("registry_number", "off"),
    ("contact_name", "name"),
    ("contact_phone", "tel"),
];

fn form(
    ctx: &Context,
    values: &HashMap<String, String>,
    status: Option<String>,
    refused: &[(&'static str, &'static str)],
) -> FormView {
    let tr = &ctx.tr;
    let mut fields = Vec::new();
    let mut errors = Vec::new();
    for (name, autocomplete) in FIELDS {
        let kind = if name == "contact_phone" {
            "tel"
        } else {
            "text"
        };
        let mut field = ctx.field(name, kind, autocomplete, get(values, name));
        field.label = tr.t(&format!("organisation-{}", name.replace('_', "-")));
        if let Some((_, code)) = refused.iter().find(|(f, _)| *f == name) {
            let message = tr.t(&format!("organisation-error-{code}"));
            field.error = Some(message.clone());
            errors.push(ErrorLine {
                field: Some(name),
                message,
            });
        }
        fields.push(field);
    }
    FormView {
        title: tr.t("organisation-title"),
        intro: Some(status.unwrap_or_else(|| tr.t("organisation-intro"))),
        action: "/account/organisation".into(),
        fields,
        submit: tr.t("organisation-submit"),
        errors,
        links: vec![("/account", tr.t("account-title"))],
    }
}

/// `GET /account/organisation`.
pub async fn page(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let current: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let current = organisations::of_user(&mut tx, user)
            .await
            .map_err(from_account)?;
        tx.commit().await?;
        Ok(current)
    }
    .await;
    let current = match current {
        Ok(current) => current,
        Err(error) => return error.into_page(&ctx.tr),
    };
    let mut values = HashMap::new();
    let mut status = None;
    if let Some(organisation) = current {
        status = Some(match organisation.status.as_str() {
            "verified" => ctx
                .tr
                .with("organisation-status-verified", "name", &organisation.name),
            "rejected" => ctx.tr.with(
                "organisation-status-rejected",
                "reason",
                organisation.rejection_reason.as_deref().unwrap_or_default(),
            ),
            _ => ctx
                .tr
                .with("organisation-status-pending", "name", &organisation.name),
        });
        values.insert("name".into(), organisation.name);
        values.insert("registry_number".into(), organisation.registry_number);
        values.insert("contact_name".into(), organisation.contact_name);
        values.insert("contact_phone".into(), organisation.contact_phone);
    }
    let view = form(&ctx, &values, status, &[]);
    ctx.form(&state, StatusCode::OK, view)
}

/// `POST /account/organisation`.
pub async fn apply(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    fields: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let values = match checked_fields(&ctx, &state, fields) {
        Ok(values) => values,
        Err(response) => return *response,
    };
    let application = Application {
        name: get(&values, "name").into(),
        registry_number: get(&values, "registry_number").into(),
        contact_name: get(&values, "contact_name").into(),
        contact_phone: get(&values, "contact_phone").into(),
    };
    let applied: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let applied = organisations::apply(&mut tx, user, &application)
            .await
            .map_err(from_account)?;
        tx.commit().await?;
        Ok(applied)
    }
    .await;
    match applied {
        Ok(Ok(())) => ctx.message(&state, StatusCode::OK, "organisation-applied"),
        Ok(Err(refused)) => {
            let view = form(&ctx, &values, None, &refused);
            ctx.form(&state, StatusCode::UNPROCESSABLE_ENTITY, view)
        }
        Err(error) => error.into_page(&ctx.tr),
    }
}

/// `POST /staff/organisations/{id}` with `decision=verify|reject` and, to
/// reject, a `reason` (admins and moderators).
pub async fn review(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(id): Path<String>,
    headers: HeaderMap,
    fields: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let values = match checked_fields(&ctx, &state, fields) {
        Ok(values) => values,
        Err(response) => return *response,
    };
    let verdict = match get(&values, "decision") {
        "verify" => Verdict::Verify,
        "reject" => Verdict::Reject(get(&values, "reason").to_owned()),
        _ => return ctx.message(&state, StatusCode::BAD_REQUEST, "error-form"),
    };
    let Ok(id) = id.parse::<uuid::Uuid>() else {
        return WebError::NotFound.into_page(&ctx.tr);
    };
    let reviewed: Result<Option<Option<uuid::Uuid>>, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let roles = staff::roles_of(&mut tx, user).await.map_err(from_account)?;
        if !roles
            .iter()
            .any(|r| matches!(r, Role::Admin | Role::Moderator))
        {
            return Ok(None);
        }
        let applicant = organisations::review(&mut tx, &ctx.actor(user), id, &verdict)
            .await
            .map_err(from_account)?;
        if let Some(applicant) = applicant {
            let key = match verdict {
                Verdict::Verify => "organisation-notice-verified",
                Verdict::Reject(_) => "organisation-notice-rejected",
            };
            cabildo_notify::notifications::notify(
                &mut tx,
                &cabildo_notify::NewNotification {
                    user: applicant,
                    kind: "organisation.review".into(),
                    title: ctx.tr.t(key),
                    body: match &verdict {
                        Verdict::Reject(reason) => reason.trim().to_owned(),
                        Verdict::Verify => String::new(),
                    },
                    link: Some("/account/organisation".into()),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Some(applicant))
    }
    .await;
    match reviewed {
        Ok(Some(Some(_))) => Redirect::to("/staff").into_response(),
        Ok(Some(None)) => ctx.message(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            "organisation-review-invalid",
        ),
        Ok(None) => ctx.message(&state, StatusCode::FORBIDDEN, "staff-forbidden"),
        Err(error) => error.into_page(&ctx.tr),
    }
}
