//! `/staff/settings` (admins): the site's languages, time zone, colours,
//! the article of the council's name, the home page's welcome per
//! language, and its logo, coat of arms and icon. Saved through the same definition and rules as
//! `tenants apply`, then announced to every node at once.

use crate::http::error::{PageError, refused};
use crate::http::extract::needs::ManageSettings;
use crate::http::extract::{CsrfForm, Granted, Staff, Upload};
use crate::http::query::DetailQuery;
use crate::http::storage::Picture;
use crate::ui::chrome::Chrome;
use crate::ui::format::coded;
use crate::ui::i18n::{Tr, native_name};
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cabildo_engine::error::Problem;
use cabildo_engine::settings::{self, SitePicture};
use cabildo_engine::staff::Permission;
use cabildo_tenancy::{
    ARTICLES, CouncilSpec, DistrictSpec, SOCIAL_NETWORKS, SUPPORTED_LANGUAGES, SiteContact,
    TenancyError, colour,
};
use std::collections::BTreeMap;

/// The settings as the form shows them (stored, or as typed).
pub struct Form {
    article: String,
    languages: Vec<String>,
    default_language: String,
    time_zone: String,
    primary: String,
    accent: String,
    /// The welcome per language: (code, language's name, text).
    welcome: Vec<(String, &'static str, String)>,
    /// The districts: (code, name, population), then blank rows.
    districts: Vec<(String, String, String)>,
    phone: String,
    mail_sender: String,
    /// Each network and the council's address there (or empty).
    social: Vec<(&'static str, String)>,
    /// The participation figures are public.
    public_dashboard: bool,
}

/// Blank district rows offered for new districts.
const BLANK_DISTRICTS: usize = 3;
/// Most district rows read from a form.
const MAX_DISTRICT_ROWS: usize = 210;

/// `rows` and blank ones after them.
fn with_blanks(mut rows: Vec<(String, String, String)>) -> Vec<(String, String, String)> {
    rows.extend((0..BLANK_DISTRICTS).map(|_| Default::default()));
    rows
}

#[derive(Template)]
#[template(path = "staff_settings.html")]
struct Page<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    form: Form,
    /// Every language the interface speaks: (code, name).
    all_languages: Vec<(&'static str, &'static str)>,
    /// The same, with whether the site offers it.
    offered: Vec<(&'static str, &'static str, bool)>,
    articles: &'static [&'static str],
    /// The logo, coat of arms and icon, each with its upload form.
    pictures: Vec<PictureView>,
    /// The file `tenants apply` writes these settings from, if any.
    managed_by: Option<String>,
    notice: Option<String>,
    error: Option<String>,
}

/// One of the site's pictures on the page.
pub struct PictureView {
    /// Its name in routes and message keys (`coat-of-arms`).
    kind: &'static str,
    /// The stored picture, if any.
    current: Option<String>,
}

/// The notices after a change.
const DONE: [&str; 5] = ["saved", "districts", "logo", "coat-of-arms", "favicon"];

fn welcome_fields(welcome: &BTreeMap<String, String>) -> Vec<(String, &'static str, String)> {
    SUPPORTED_LANGUAGES
        .iter()
        .map(|code| {
            let text = welcome.get(*code).cloned().unwrap_or_default();
            ((*code).to_owned(), native_name(code), text)
        })
        .collect()
}

impl Form {
    fn stored(staff: &Staff) -> Self {
        let s = &staff.settings;
        Self {
            article: s.name_article.clone(),
            languages: s.languages.clone(),
            default_language: s.default_language.clone(),
            time_zone: s.time_zone.clone(),
            primary: s.primary_colour.clone(),
            accent: s.accent_colour.clone(),
            welcome: welcome_fields(&s.welcome),
            districts: with_blanks(
                (s.districts.iter())
                    .map(|d| (d.code.clone(), d.name.clone(), d.population.to_string()))
                    .collect(),
            ),
            phone: s.contact.phone.clone().unwrap_or_default(),
            mail_sender: s.contact.mail_sender.clone().unwrap_or_default(),
            social: (SOCIAL_NETWORKS.iter())
                .map(|n| (*n, s.contact.social.get(*n).cloned().unwrap_or_default()))
                .collect(),
            public_dashboard: s.public_dashboard,
        }
    }

    fn typed(values: &[(String, String)]) -> Self {
        let one = |name: &str| {
            (values.iter())
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default()
        };
        let welcome: BTreeMap<String, String> = SUPPORTED_LANGUAGES
            .iter()
            .map(|code| ((*code).to_owned(), one(&format!("welcome-{code}"))))
            .collect();
        Self {
            article: one("article"),
            // In the order the interface lists them.
            languages: SUPPORTED_LANGUAGES
                .iter()
                .filter(|code| values.iter().any(|(k, v)| k == "languages" && v == *code))
                .map(|code| (*code).to_owned())
                .collect(),
            default_language: one("default_language"),
            time_zone: one("time_zone"),
            primary: one("primary").to_ascii_lowercase(),
            accent: one("accent").to_ascii_lowercase(),
            welcome: welcome_fields(&welcome),
            districts: (0..one("district_rows")
                .parse::<usize>()
                .unwrap_or(0)
                .min(MAX_DISTRICT_ROWS))
                .map(|i| {
                    (
                        one(&format!("d{i}_code")).to_ascii_lowercase(),
                        one(&format!("d{i}_name")),
                        one(&format!("d{i}_population")),
                    )
                })
                .collect(),
            phone: one("phone"),
            mail_sender: one("mail_sender"),
            social: (SOCIAL_NETWORKS.iter())
                .map(|n| (*n, one(&format!("social-{n}"))))
                .collect(),
            public_dashboard: one("public_dashboard") == "on",
        }
    }

    /// The council's definition with these settings (the rest as stored);
    /// `None` when a population is not a number.
    fn spec(&self, staff: &Staff) -> Option<CouncilSpec> {
        let tenant = &staff.citizen.council.tenant;
        let mut spec =
            CouncilSpec::of_settings(tenant.slug.as_str(), &tenant.name, &staff.settings);
        spec.article = Some(self.article.clone()).filter(|a| !a.is_empty());
        spec.languages = self.languages.clone();
        spec.default_language = Some(self.default_language.clone());
        spec.time_zone = self.time_zone.clone();
        spec.colours.primary = self.primary.clone();
        spec.colours.accent = self.accent.clone();
        // Welcome texts only in the languages the site offers.
        spec.welcome = (self.welcome.iter())
            .filter(|(code, _, text)| !text.is_empty() && self.languages.contains(code))
            .map(|(code, _, text)| (code.clone(), text.clone()))
            .collect();
        let mut districts = Vec::new();
        for (code, name, population) in &self.districts {
            if code.is_empty() && name.is_empty() {
                continue;
            }
            let population = match population.replace(['.', ' '], "").as_str() {
                "" => 0,
                digits => digits.parse().ok()?,
            };
            districts.push(DistrictSpec {
                code: code.clone(),
                name: name.clone(),
                population,
            });
        }
        spec.districts = districts;
        spec.public_dashboard = self.public_dashboard;
        spec.contact = SiteContact {
            phone: Some(self.phone.clone()),
            mail_sender: Some(self.mail_sender.clone()),
            social: (self.social.iter())
                .map(|(network, url)| ((*network).to_owned(), url.clone()))
                .collect(),
        };
        Some(spec)
    }
}

/// What is wrong with a definition's field, in `tr`'s language.
fn explained(tr: &Tr, form: &Form, field: &str) -> String {
    match field {
        "article" => tr.t("settings-error-article"),
        "languages" | "default_language" => tr.t("settings-error-languages"),
        "time_zone" => tr.t("settings-error-time-zone"),
        "colours.primary" => match colour::parse(&form.primary) {
            Some(primary) => tr.with(
                "settings-error-contrast",
                "ratio",
                // English writes 2.4; the other interface languages 2,4.
                &format!("{:.1}", colour::contrast(primary, [255; 3]))
                    .replace('.', if tr.code() == "en" { "." } else { "," }),
            ),
            None => tr.t("settings-error-colour"),
        },
        "colours.accent" => tr.t("settings-error-colour"),
        "welcome" => tr.t("settings-error-welcome"),
        field if field.starts_with("districts") => tr.t("settings-error-districts"),
        "contact.phone" => tr.t("settings-error-phone"),
        "contact.mail_sender" => tr.t("settings-error-sender"),
        field if field.starts_with("contact.social") => tr.t("settings-error-social"),
        _ => tr.t("error-form-title"),
    }
}

async fn render(
    staff: &Staff,
    form: Form,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let offered = SUPPORTED_LANGUAGES
        .iter()
        .map(|code| {
            (
                *code,
                native_name(code),
                form.languages.iter().any(|l| l == code),
            )
        })
        .collect();
    staff.render_status(
        status,
        &Page {
            offered,
            tr: &staff.tr,
            chrome: &staff.chrome,
            form,
            all_languages: SUPPORTED_LANGUAGES
                .iter()
                .map(|code| (*code, native_name(code)))
                .collect(),
            articles: ARTICLES,
            pictures: (SitePicture::ALL.iter())
                .map(|(kind, name)| PictureView {
                    kind: name,
                    current: match kind {
                        SitePicture::Logo => staff.settings.logo.clone(),
                        SitePicture::CoatOfArms => staff.settings.coat_of_arms.clone(),
                        SitePicture::Favicon => staff.settings.favicon.clone(),
                    },
                })
                .collect(),
            managed_by: staff.state.tenancy.definition_file(&staff.tenant).await?,
            notice,
            error,
        },
    )
}

/// `GET /staff/settings`.
pub async fn page(staff: Staff, Query(query): Query<DetailQuery>) -> Result<Response, PageError> {
    staff.require(Permission::ManageSettings)?;
    let notice = query.notice(&staff.tr, "settings-done", &DONE);
    render(&staff, Form::stored(&staff), notice, None, StatusCode::OK).await
}

/// `POST /staff/settings`: checked like a `tenants/*.toml` file, stored,
/// and announced to every node.
pub async fn save(
    staff: Staff,
    CsrfForm(values): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    staff.require(Permission::ManageSettings)?;
    store(&staff, Form::typed(&values), "saved").await
}

/// Checks `form` like a `tenants/*.toml` file, stores it, announces it to
/// every node and comes back with the `done` notice; or shows the page
/// again with what is wrong.
async fn store(staff: &Staff, form: Form, done: &str) -> Result<Response, PageError> {
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let Some(spec) = form.spec(staff) else {
        let error = staff.tr.t("settings-error-districts");
        return render(staff, form, None, Some(error), unprocessable).await;
    };
    let valid = match spec.validate() {
        Ok(valid) => valid,
        Err(TenancyError::Invalid { field, .. }) => {
            let error = explained(&staff.tr, &form, &field);
            return render(staff, form, None, Some(error), unprocessable).await;
        }
        Err(other) => return Err(other.into()),
    };
    let actor = staff.actor();
    let saved = staff
        .tx(async |tx| settings::save(tx, &actor, &valid).await)
        .await;
    if let Err(error) = saved {
        let Some((_, message)) = refused(&staff.tr, &error) else {
            return Err(error.into());
        };
        return render(staff, form, None, Some(message), unprocessable).await;
    }
    staff.state.tenancy.changed(&staff.tenant).await;
    Ok(Redirect::to(&format!("/staff/settings?done={done}")).into_response())
}

/// `POST /staff/settings/districts`: the districts from a file (code,
/// name, residents per line), replacing the list; shown in the form for
/// correction when a district is refused.
pub async fn districts(
    staff: Granted<ManageSettings>,
    upload: Upload,
) -> Result<Response, PageError> {
    let mut form = Form::stored(&staff);
    let read = match settings::districts_from_file(&upload.file("districts")) {
        Ok(read) => read,
        Err(error) => {
            let key = match error.problem {
                Problem::FileEmpty => "settings-districts-file-error-empty",
                Problem::NumberInvalid => "settings-districts-file-error-number",
                Problem::FileTooLarge => "settings-districts-file-error-many",
                _ => "settings-districts-file-error-line",
            };
            let message = staff.tr.with(key, "line", &error.line.to_string());
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return render(&staff, form, None, Some(message), status).await;
        }
    };
    form.districts = with_blanks(
        (read.into_iter())
            .map(|d| (d.code, d.name, d.population.to_string()))
            .collect(),
    );
    store(&staff, form, "districts").await
}

/// `POST /staff/settings/{logo,coat-of-arms,favicon}`: one of the site's
/// pictures (an icon must be square and large enough).
pub async fn picture(
    staff: Granted<ManageSettings>,
    Path(kind): Path<String>,
    upload: Upload,
) -> Result<Response, PageError> {
    let Some(kind_of) = SitePicture::parse(&kind) else {
        return Err(PageError::NotFound);
    };
    let file = upload.file(&kind);
    let checked = match kind_of {
        SitePicture::Favicon => Picture::check_icon(file),
        SitePicture::Logo | SitePicture::CoatOfArms => Picture::check(file),
    };
    let picture = match checked {
        Ok(picture) => picture,
        Err(refused) => {
            let error = Some(coded(&staff.tr, "refusal", refused.code()));
            let form = Form::stored(&staff);
            return render(&staff, form, None, error, refused.status()).await;
        }
    };
    let (user, actor) = (staff.user(), staff.actor());
    let (staged, replaced) = staff
        .change(async |tx| {
            let replaced = settings::set_picture(tx, &actor, kind_of, Some(picture.name())).await?;
            Ok::<_, PageError>((staff.stage(user, &picture).await?, replaced))
        })
        .await?;
    staged.keep(replaced).await?;
    staff.state.tenancy.changed(&staff.tenant).await;
    Ok(Redirect::to(&format!("/staff/settings?done={kind}")).into_response())
}
