//! The logged-in person's own account: the account page, email
//! preferences, a new address, a copy of their data, deleting the account,
//! and what they did on the site.

use crate::accounts::actions;
use crate::accounts::password::refused_change;
use crate::accounts::session::without_session;
use crate::http::error::PageError;
use crate::http::extract::{Citizen, CsrfForm};
use crate::http::ratelimit::Action;
use crate::ui::chrome::Chrome;
use crate::ui::i18n::Tr;
use crate::ui::message::message_page;
use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cabildo_engine::Error as EngineError;
use cabildo_engine::accounts::{self, password};
use cabildo_engine::activity;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    profile: accounts::Profile,
    preferences: accounts::Preferences,
    notify_options: Vec<(&'static str, String)>,
    password_hint: String,
    /// The site's languages: (code, name).
    languages: Vec<(String, &'static str)>,
    /// Refused profile fields and why: (field, message).
    errors: Vec<(String, String)>,
    /// The secret address of their meetings' calendar feed.
    calendar: String,
}

/// `GET /account`: the logged-in person's account.
pub async fn account(citizen: Citizen, headers: HeaderMap) -> Result<Response, PageError> {
    show(&citizen, &headers, None, Vec::new()).await
}

/// The account page, with a refused profile change typed back.
async fn show(
    citizen: &Citizen,
    headers: &HeaderMap,
    typed: Option<&accounts::ProfileChange>,
    errors: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let user = citizen.user();
    let loaded = citizen
        .tx(async |tx| {
            let profile = accounts::profile(tx, user).await?;
            let preferences = accounts::preferences(tx, user).await?;
            let key = cabildo_engine::meetings::calendar_key(tx, user).await?;
            Ok::<_, EngineError>(profile.zip(preferences).zip(key))
        })
        .await?;
    let Some(((mut profile, preferences), key)) = loaded else {
        return Err(PageError::LogIn(None));
    };
    if let Some(typed) = typed {
        profile.name.clone_from(&typed.name);
        profile.nickname = Some(typed.nickname.clone());
        profile.language = Some(typed.language.clone());
    }
    let tr = &citizen.tr;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = citizen.render_status(
        status,
        &AccountPage {
            tr,
            chrome: &citizen.chrome,
            profile,
            preferences,
            languages: citizen
                .settings
                .languages
                .iter()
                .map(|code| (code.clone(), crate::ui::i18n::native_name(code)))
                .collect(),
            errors,
            notify_options: ["immediate", "daily", "weekly", "none"]
                .into_iter()
                .map(|o| (o, tr.t(&format!("preferences-{o}"))))
                .collect(),
            password_hint: tr.count("hint-password", password::MIN_LENGTH as i64),
            calendar: format!(
                "{}{}",
                citizen.origin(headers),
                crate::calendar::personal_path(citizen, user, key)
            ),
        },
    )?;
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

/// The profile form as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    name: String,
    nickname: String,
    language: String,
}

/// `POST /account/profile`: name, nickname and language.
pub async fn save_profile(
    citizen: Citizen,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<Response, PageError> {
    let user = citizen.user();
    let change = accounts::ProfileChange {
        name: form.name,
        nickname: form.nickname,
        language: form.language,
    };
    let offered = citizen.settings.languages.clone();
    let saved = citizen
        .tx(async |tx| accounts::update_profile(tx, user, &change, &offered).await)
        .await;
    match saved {
        Ok(()) => {
            // The header shows the name kept with the session: forget the
            // kept copies (on every node) so the next page reads it afresh.
            let which = crate::http::session_cache::Ended::User(user);
            citizen.state.sessions.ended(citizen.tenant.id, which).await;
            Ok(citizen.message(StatusCode::OK, "profile-saved"))
        }
        Err(error) => {
            let error = PageError::from(error);
            let errors = error.field_messages(&citizen.tr);
            if errors.is_empty() {
                return Err(error);
            }
            show(&citizen, &headers, Some(&change), errors).await
        }
    }
}

/// The preferences form as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PreferencesForm {
    notify_email: String,
    newsletter: String,
}

/// `POST /account/preferences`.
pub async fn save_preferences(
    citizen: Citizen,
    CsrfForm(form): CsrfForm<PreferencesForm>,
) -> Result<Response, PageError> {
    let user = citizen.user();
    let preferences = accounts::Preferences {
        notify_email: form.notify_email,
        newsletter: form.newsletter == "on",
    };
    citizen
        .tx(async |tx| accounts::set_preferences(tx, user, &preferences).await)
        .await?;
    Ok(citizen.message(StatusCode::OK, "preferences-saved"))
}

/// The new-address form as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChangeEmailForm {
    current_password: String,
    email: String,
}

/// `POST /account/email`: sends a confirmation link to the new address.
pub async fn change_email(
    citizen: Citizen,
    CsrfForm(form): CsrfForm<ChangeEmailForm>,
) -> Result<Response, PageError> {
    let user = citizen.user();
    let hit = citizen
        .state
        .limiter
        .hit(citizen.tenant.id, Action::ResetIp, &citizen.ip.to_string())
        .await;
    if let Err(seconds) = hit {
        return Err(PageError::RateLimited(seconds));
    }
    if !actions::password_matches(&citizen, user, &form.current_password).await? {
        return Ok(refused_change(
            &citizen,
            "change-email-title",
            "invalid-credentials",
        ));
    }
    let requested = citizen
        .tx(async |tx| accounts::request_email_change(tx, user, &form.email).await)
        .await;
    match requested {
        Ok(()) => Ok(citizen.message(StatusCode::OK, "change-email-sent")),
        Err(EngineError::Invalid(_)) => Ok(refused_change(
            &citizen,
            "change-email-title",
            "email-invalid",
        )),
        Err(error) => Err(error.into()),
    }
}

/// A copy of a person's data as a JSON download.
pub(crate) fn download(data: &serde_json::Value, slug: &str) -> Response {
    let body = serde_json::to_string_pretty(data).unwrap_or_default();
    let disposition = format!("attachment; filename=\"{slug}-my-data.json\"");
    let mut response = (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

/// `GET /account/data`.
pub async fn my_data(citizen: Citizen) -> Result<Response, PageError> {
    match actions::export_data(&citizen, citizen.user()).await? {
        Some(data) => Ok(download(&data, citizen.tenant.slug.as_str())),
        None => Err(PageError::LogIn(None)),
    }
}

/// A password confirming an action.
#[derive(Debug, Default, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

/// `POST /account/delete`.
pub async fn delete(
    citizen: Citizen,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, PageError> {
    if !actions::delete_account(&citizen, citizen.user(), &form.password).await? {
        return Ok(citizen.message(StatusCode::FORBIDDEN, "delete-wrong-password"));
    }
    let tr = &citizen.tr;
    let page = message_page(
        tr,
        StatusCode::OK,
        &tr.t("delete-done-title"),
        &tr.t("delete-done-body"),
        true,
    );
    Ok(without_session(&citizen, page))
}

/// An activity entry as shown.
pub struct EntryRow {
    kind_label: String,
    title: String,
    link: String,
    date: String,
}

#[derive(Template)]
#[template(path = "activity.html")]
struct ActivityPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    entries: Vec<EntryRow>,
}

/// `GET /account/activity`: what the person did here.
pub async fn activity(citizen: Citizen) -> Result<Response, PageError> {
    let user = citizen.user();
    let entries = citizen.tx(async |tx| activity::of(tx, user).await).await?;
    let tr = &citizen.tr;
    citizen.render(&ActivityPage {
        tr,
        chrome: &citizen.chrome,
        entries: entries
            .into_iter()
            .map(|e| EntryRow {
                kind_label: tr.t(&format!("activity-{}", e.kind)),
                date: tr.date(e.at),
                title: e.title,
                link: e.link,
            })
            .collect(),
    })
}
