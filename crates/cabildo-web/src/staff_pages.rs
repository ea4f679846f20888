//! Staff pages on a council's site: accepting an invitation, and the staff
//! page (roles; for admins: inviting, the staff list and the audit log).

use crate::AppState;
use crate::account_pages::{Context, Fields, FormView, fields_or_return, get, load};
use crate::error::{WebError, from_account};
use crate::i18n::Tr;
use crate::pages::LanguageLink;
use crate::site::LanguageRequest;
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use cabildo_engine::accounts::AccountError;
use cabildo_engine::accounts::sessions;
use cabildo_engine::census;
use cabildo_engine::staff::{self, Refused, Role};
use cabildo_tenancy::Site;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "staff.html")]
struct StaffPage<'a> {
    tr: &'a Tr,
    chrome: &'a crate::account_pages::Chrome,
    languages: &'a [LanguageLink],
    your_roles: String,
    is_admin: bool,
    roles: Vec<(&'static str, String)>,
    members: Vec<(String, String, String)>,
    audit: Vec<(String, String, String, String)>,
    notice: Option<String>,
    error: Option<String>,
    districts: Vec<(String, String)>,
    reviews_organisations: bool,
    organisations: Vec<cabildo_engine::organisations::Organisation>,
    /// Admins and evaluators: budget headings, with projects awaiting review.
    reviews_budgets: bool,
    headings: Vec<cabildo_engine::budgets::setup::StaffHeading>,
}

fn role_name(tr: &Tr, role: &str) -> String {
    tr.t(&format!("staff-role-{role}"))
}

/// `GET /staff/invitation?token=…`.
pub async fn invitation_page(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let token = query.get("token").cloned().unwrap_or_default();
    let invitation: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let invitation = staff::invitation(&mut tx, &token)
            .await
            .map_err(from_account)?;
        tx.commit().await?;
        Ok(invitation)
    }
    .await;
    let invitation = match invitation {
        Ok(Some(invitation)) => invitation,
        Ok(None) => {
            return ctx.message(&state, StatusCode::BAD_REQUEST, "staff-invitation-invalid");
        }
        Err(error) => return error.into_page(&ctx.tr),
    };
    if ctx.visitor.session.is_none() {
        let page = crate::pages::message_page(
            &ctx.tr,
            StatusCode::OK,
            &ctx.tr.t("staff-invitation-title"),
            &ctx.tr
                .with("staff-invitation-log-in", "email", &invitation.email),
            true,
        );
        return ctx.respond(&state, page);
    }
    let role = role_name(&ctx.tr, invitation.role.as_str());
    let form = FormView {
        title: ctx.tr.t("staff-invitation-title"),
        intro: Some(ctx.tr.with("staff-invitation-intro", "role", &role)),
        action: "/staff/invitation".into(),
        fields: vec![ctx.field("token", "hidden", "off", &token)],
        submit: ctx.tr.t("staff-invitation-accept"),
        errors: Vec::new(),
        links: Vec::new(),
    };
    ctx.form(&state, StatusCode::OK, form)
}

/// `POST /staff/invitation`.
pub async fn accept(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let values = fields_or_return!(ctx, state, form);
    // Gaining a role rotates the session: the old token stops working.
    let old_token = ctx.visitor.session_token.clone().unwrap_or_default();
    let user_agent = headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let accepted: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let accepted = staff::accept(&mut tx, get(&values, "token"), user)
            .await
            .map_err(from_account)?;
        let mut new_token = None;
        if accepted.is_ok() {
            sessions::end(&mut tx, &old_token)
                .await
                .map_err(from_account)?;
            new_token = Some(
                sessions::start(&mut tx, user, user_agent)
                    .await
                    .map_err(from_account)?,
            );
        }
        tx.commit().await?;
        Ok(accepted.map(|role| (role, new_token)))
    }
    .await;
    match accepted {
        Ok(Ok((_, new_token))) => {
            if let Some(session) = &ctx.visitor.session {
                let ended = crate::session_cache::Ended::Session(session.id.clone());
                state.sessions.ended(ctx.tenant.id, ended).await;
            }
            let mut response = Redirect::to("/staff").into_response();
            if let Some(token) = new_token {
                response.headers_mut().append(
                    axum::http::header::SET_COOKIE,
                    crate::http::cookies::set_cookie(
                        state.config.secure_cookies,
                        state.cookie_names().session,
                        &token,
                        Some(sessions::ABSOLUTE.whole_seconds()),
                    ),
                );
            }
            response
        }
        Ok(Err(Refused::OtherAddress)) => {
            ctx.message(&state, StatusCode::FORBIDDEN, "staff-invitation-other")
        }
        Ok(Err(Refused::Invalid)) => {
            ctx.message(&state, StatusCode::BAD_REQUEST, "staff-invitation-invalid")
        }
        Err(error) => error.into_page(&ctx.tr),
    }
}

/// `GET /staff`.
pub async fn staff_page(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let notice = query
        .get("invited")
        .map(|email| ctx.tr.with("staff-invited", "email", email));
    render(&state, &ctx, notice, None, StatusCode::OK).await
}

async fn render(
    state: &AppState,
    ctx: &Context,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let loaded: Result<_, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let roles = staff::roles_of(&mut tx, user).await.map_err(from_account)?;
        let admin = roles.contains(&Role::Admin);
        let organisations = if roles
            .iter()
            .any(|r| matches!(r, Role::Admin | Role::Moderator))
        {
            cabildo_engine::organisations::pending(&mut tx)
                .await
                .map_err(from_account)?
        } else {
            Vec::new()
        };
        let (members, audit) = if admin {
            (
                staff::members(&mut tx).await.map_err(from_account)?,
                staff::recent_audit(&mut tx, 50)
                    .await
                    .map_err(from_account)?,
            )
        } else {
            (Vec::new(), Vec::new())
        };
        let headings = if roles
            .iter()
            .any(|r| matches!(r, Role::Admin | Role::Evaluator))
        {
            cabildo_engine::budgets::setup::staff_headings(&mut tx)
                .await
                .map_err(from_account)?
        } else {
            Vec::new()
        };
        tx.commit().await?;
        Ok((roles, members, audit, organisations, headings))
    }
    .await;
    let (roles, members, audit, organisations, headings) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return error.into_page(&ctx.tr),
    };
    if roles.is_empty() {
        return ctx.message(state, StatusCode::FORBIDDEN, "staff-forbidden");
    }
    let tr = &ctx.tr;
    let districts = match state.tenancy.site_settings(&ctx.tenant).await {
        Ok(settings) => settings
            .districts
            .iter()
            .map(|d| (d.code.clone(), d.name.clone()))
            .collect(),
        Err(error) => return WebError::from(error).into_page(tr),
    };
    let names: Vec<String> = roles.iter().map(|r| role_name(tr, r.as_str())).collect();
    let page = StaffPage {
        tr,
        chrome: &ctx.chrome,
        languages: &ctx.chrome.languages,
        your_roles: tr.with("staff-your-roles", "roles", &names.join(", ")),
        is_admin: roles.contains(&Role::Admin),
        roles: Role::ALL
            .iter()
            .map(|r| (r.as_str(), role_name(tr, r.as_str())))
            .collect(),
        members: members
            .into_iter()
            .map(|m| (m.name, m.email, role_name(tr, &m.role)))
            .collect(),
        audit: audit
            .into_iter()
            .map(|e| {
                let at =
                    e.at.format(time::macros::format_description!(
                        "[year]-[month]-[day] [hour]:[minute] UTC"
                    ))
                    .unwrap_or_default();
                (at, e.actor, e.action, e.subject.unwrap_or_default())
            })
            .collect(),
        notice,
        error,
        districts,
        reviews_organisations: roles
            .iter()
            .any(|r| matches!(r, Role::Admin | Role::Moderator)),
        organisations,
        reviews_budgets: roles
            .iter()
            .any(|r| matches!(r, Role::Admin | Role::Evaluator)),
        headings,
    };
    match page.render() {
        Ok(html) => ctx.respond(state, (status, Html(html)).into_response()),
        Err(error) => WebError::from(error).into_page(tr),
    }
}

/// `POST /staff/invitations` (admins).
pub async fn invite(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let values = fields_or_return!(ctx, state, form);
    let Some(role) = Role::parse(get(&values, "role")) else {
        return render(
            &state,
            &ctx,
            None,
            Some(ctx.tr.t("staff-role-invalid")),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let email = get(&values, "email").trim().to_lowercase();
    let language = ctx.tr.code().to_owned();
    let invited: Result<Invited, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let roles = staff::roles_of(&mut tx, user).await.map_err(from_account)?;
        if !roles.contains(&Role::Admin) {
            return Ok(Invited::NotAdmin);
        }
        match staff::invite(&mut tx, &ctx.actor(user), &email, role, &language).await {
            Ok(()) => {}
            Err(AccountError::Invalid(_)) => return Ok(Invited::BadAddress),
            Err(other) => return Err(from_account(other)),
        }
        tx.commit().await?;
        Ok(Invited::Yes)
    }
    .await;
    match invited {
        Ok(Invited::Yes) => {
            let target = format!("/staff?invited={}", urlencode(&email));
            Redirect::to(&target).into_response()
        }
        Ok(Invited::NotAdmin) => ctx.message(&state, StatusCode::FORBIDDEN, "staff-forbidden"),
        Ok(Invited::BadAddress) => {
            let error = Some(ctx.tr.t("error-email-invalid"));
            render(&state, &ctx, None, error, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => error.into_page(&ctx.tr),
    }
}

enum Invited {
    Yes,
    NotAdmin,
    BadAddress,
}

fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `POST /staff/verifications` (admins): verifies a person by hand, with a
/// reason for the audit log.
pub async fn verify_manually(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    form: Fields,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let values = fields_or_return!(ctx, state, form);
    let email = get(&values, "email").trim().to_lowercase();
    let outcome: Result<Option<Result<uuid::Uuid, census::ManualRefused>>, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let roles = staff::roles_of(&mut tx, user).await.map_err(from_account)?;
        if !roles.contains(&Role::Admin) {
            return Ok(None);
        }
        let outcome = census::verify_manually(
            &mut tx,
            &ctx.actor(user),
            &email,
            get(&values, "district"),
            get(&values, "reason"),
        )
        .await
        .map_err(from_account)?;
        tx.commit().await?;
        Ok(Some(outcome))
    }
    .await;
    match outcome {
        Ok(Some(Ok(_))) => {
            Redirect::to(&format!("/staff?verified={}", urlencode(&email))).into_response()
        }
        Ok(Some(Err(refusal))) => {
            let key = match refusal {
                census::ManualRefused::NoSuchPerson => "staff-manual-no-person",
                census::ManualRefused::UnknownDistrict => "staff-manual-district-unknown",
                census::ManualRefused::ReasonRequired => "staff-manual-reason-required",
            };
            let error = Some(ctx.tr.t(key));
            render(&state, &ctx, None, error, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Ok(None) => ctx.message(&state, StatusCode::FORBIDDEN, "staff-forbidden"),
        Err(error) => error.into_page(&ctx.tr),
    }
}

/// `POST /staff/census` (admins, multipart with a `file`): replaces the
/// council's census with the uploaded file.
pub async fn upload_census(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: HeaderMap,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let ctx = load!(state, site, language, headers);
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return Redirect::to("/account/login").into_response();
    };
    let file = match crate::legacy_media::uploaded(&state, &ctx, multipart, "file").await {
        Ok(file) => file,
        Err(response) => return *response,
    };
    if file.is_empty() {
        let error = Some(ctx.tr.t("staff-census-no-file"));
        return render(&state, &ctx, None, error, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let key = census::key(&state.secret, ctx.tenant.id);
    let imported: Result<Option<census::import::Report>, WebError> = async {
        let mut tx = state.tenancy.begin(&ctx.tenant).await?;
        let roles = staff::roles_of(&mut tx, user).await.map_err(from_account)?;
        if !roles.contains(&Role::Admin) {
            return Ok(None);
        }
        let actor = ctx.actor(user);
        let report = census::import::import(&mut tx, key, &file[..], &actor.0, |_, _| {})
            .await
            .map_err(|e| WebError::Internal(Box::new(e)))?;
        staff::audit(
            &mut tx,
            &actor,
            "census.import",
            None,
            serde_json::json!({"residents": report.imported, "rejected": report.rejected.len()}),
        )
        .await
        .map_err(from_account)?;
        tx.commit().await?;
        Ok(Some(report))
    }
    .await;
    match imported {
        Ok(Some(report)) => {
            let mut notice = ctx.tr.with(
                "staff-census-imported",
                "counts",
                &format!(
                    "{} / {} / {}",
                    ctx.tr
                        .number(i64::try_from(report.imported).unwrap_or(i64::MAX)),
                    ctx.tr
                        .number(i64::try_from(report.duplicates).unwrap_or(i64::MAX)),
                    ctx.tr
                        .number(i64::try_from(report.rejected.len()).unwrap_or(i64::MAX)),
                ),
            );
            let shown: Vec<String> = report
                .rejected
                .iter()
                .take(20)
                .map(|r| format!("{} {}: {}", ctx.tr.t("staff-census-line"), r.line, r.reason))
                .collect();
            if !shown.is_empty() {
                notice.push_str(&format!(" {}", shown.join("; ")));
            }
            render(&state, &ctx, Some(notice), None, StatusCode::OK).await
        }
        Ok(None) => ctx.message(&state, StatusCode::FORBIDDEN, "staff-forbidden"),
        Err(error) => error.into_page(&ctx.tr),
    }
}
