//! Registering on a council's site and confirming the address.

use crate::accounts::actions::{self, Failure};
use crate::http::council::Council;
use crate::http::error::PageError;
use crate::http::extract::CsrfForm;
use crate::ui::forms::{FieldView, FormView};
use crate::ui::i18n::native_name;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use cabildo_engine::accounts::{Registration, password};
use cabildo_engine::{Error as EngineError, FieldError};
use serde::Deserialize;

/// The registration form as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RegisterForm {
    name: String,
    nickname: String,
    email: String,
    password: String,
    language: String,
    accept_terms: String,
    newsletter: String,
}

impl RegisterForm {
    fn registration(&self) -> Registration {
        Registration {
            name: self.name.clone(),
            nickname: self.nickname.clone(),
            email: self.email.clone(),
            password: self.password.clone(),
            language: self.language.clone(),
            accept_terms: self.accept_terms == "on",
            newsletter: self.newsletter == "on",
        }
    }
}

fn register_form(council: &Council, typed: &RegisterForm, errors: &[FieldError]) -> FormView {
    let tr = &council.tr;
    let field =
        |name, kind, autocomplete, value: &str| FieldView::new(tr, name, kind, autocomplete, value);
    let mut nickname = field("nickname", "text", "nickname", &typed.nickname);
    nickname.hint = Some(tr.t("hint-nickname"));
    let mut password = field("password", "password", "new-password", "");
    password.hint = Some(tr.count("hint-password", password::MIN_LENGTH as i64));
    let mut language = field("language", "select", "off", &typed.language);
    language.options = council
        .settings
        .languages
        .iter()
        .map(|code| (code.clone(), native_name(code).to_owned()))
        .collect();
    if language.value.is_empty() {
        language.value = tr.code().to_owned();
    }
    let mut terms = field("accept_terms", "checkbox", "off", &typed.accept_terms);
    terms.links = ["terms", "privacy"]
        .iter()
        .map(|kind| {
            let title = tr.t(&format!("legal-{kind}-title"));
            (format!("/legal/{kind}"), title)
        })
        .collect();
    let fields = vec![
        field("name", "text", "name", &typed.name),
        nickname,
        field("email", "email", "email", &typed.email),
        password,
        language,
        terms,
        field("newsletter", "checkbox", "off", &typed.newsletter),
    ];
    let mut form = FormView::new(
        tr.t("register-title"),
        "/account/register",
        fields,
        tr.t("register-submit"),
    )
    .with_errors(tr, errors);
    form.intro = Some(tr.with("register-intro", "council", &council.chrome.council));
    form.links = vec![("/account/login", tr.t("register-have-account"))];
    form
}

/// `GET /account/register`.
pub async fn register_page(council: Council) -> Result<Response, PageError> {
    let form = register_form(&council, &RegisterForm::default(), &[]);
    council.form(StatusCode::OK, form)
}

/// `POST /account/register`: the same answer whether or not the address
/// already has an account.
pub async fn register(
    council: Council,
    CsrfForm(typed): CsrfForm<RegisterForm>,
) -> Result<Response, PageError> {
    match actions::register(&council, &typed.registration()).await {
        Ok(()) => Ok(council.message(StatusCode::OK, "register-done")),
        Err(Failure::Engine(EngineError::Invalid(errors))) => {
            let form = register_form(&council, &typed, &errors);
            council.form(StatusCode::UNPROCESSABLE_ENTITY, form)
        }
        Err(failure) => Err(failure.into()),
    }
}

/// `?token=` of links in mail.
#[derive(Debug, Default, Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    pub(crate) token: String,
}

/// A token posted back from a mail link's page.
#[derive(Debug, Default, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    pub(crate) token: String,
}

/// `GET /account/confirm?token=…`: a button, since mail scanners follow
/// links and GET never changes anything.
pub async fn confirm_page(
    council: Council,
    Query(query): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let title = council.tr.t("confirm-title");
    let keys = ["confirm-intro", "confirm-submit"];
    council.token_button(&query.token, "/account/confirm", title, keys)
}

/// `POST /account/confirm`.
pub async fn confirm(
    council: Council,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> Result<Response, PageError> {
    Ok(if actions::confirm(&council, &form.token).await? {
        council.message(StatusCode::OK, "confirm-done")
    } else {
        council.message(StatusCode::BAD_REQUEST, "confirm-invalid")
    })
}
