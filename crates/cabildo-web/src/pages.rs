//! Server-rendered pages: the council home, the platform home, theme CSS,
//! and the message page used for errors and notices.

use crate::AppState;
use crate::error::WebError;
use crate::i18n::{Tr, UI_LANGUAGES, native_name};
use crate::site::LanguageRequest;
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use cabildo_tenancy::Site;

/// A link of the language switcher.
pub struct LanguageLink {
    pub(crate) code: String,
    pub(crate) name: &'static str,
    pub(crate) current: bool,
}

pub(crate) fn language_links(available: &[String], current: &str) -> Vec<LanguageLink> {
    available
        .iter()
        .map(|code| LanguageLink {
            code: code.clone(),
            name: native_name(code),
            current: code == current,
        })
        .collect()
}

/// One phase of the home page's calendar.
pub struct CalendarRow {
    slug: String,
    process: String,
    phase: String,
    starts: String,
    ends: String,
    starts_iso: String,
    ends_iso: String,
    current: bool,
}

/// One district row of the home page.
pub struct DistrictView {
    name: String,
    population: i64,
    label: String,
}

#[derive(Template)]
#[template(path = "council_home.html")]
struct CouncilHome {
    tr: Tr,
    chrome: crate::account_pages::Chrome,
    listing: std::sync::Arc<crate::process_pages::Listing>,
    latest: Vec<crate::proposal_pages::ProposalRow>,
    calendar: Vec<CalendarRow>,
    name: String,
    welcome: Option<String>,
    languages: Vec<LanguageLink>,
    districts: Vec<DistrictView>,
    max_population: i64,
    total_label: String,
}

#[derive(Template)]
#[template(path = "platform_home.html")]
struct PlatformHome {
    tr: Tr,
    languages: Vec<LanguageLink>,
}

#[derive(Template)]
#[template(path = "message.html")]
struct Message<'a> {
    tr: &'a Tr,
    title: &'a str,
    body: &'a str,
    home_link: bool,
}

/// A page with a title and a paragraph, for errors and notices.
pub fn message_page(
    tr: &Tr,
    status: StatusCode,
    title: &str,
    body: &str,
    home_link: bool,
) -> Response {
    let page = Message {
        tr,
        title,
        body,
        home_link,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        // The template is compiled in; this only fails on a formatter
        // error. Fall back to plain text rather than fail twice.
        Err(_) => (status, format!("{title}\n\n{body}\n")).into_response(),
    }
}

/// `GET /`: the council's home, or the platform's.
pub async fn home(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    headers: axum::http::HeaderMap,
) -> Response {
    let result = match &site {
        Site::Platform => platform_home(&language),
        Site::Council(_) => council_home(&state, &site, &language, &headers).await,
    };
    result.unwrap_or_else(|error| error.into_page(&language.ui()))
}

fn platform_home(language: &LanguageRequest) -> Result<Response, WebError> {
    let available: Vec<String> = UI_LANGUAGES.iter().map(|s| (*s).to_owned()).collect();
    let code = language.pick(&available, "es");
    let page = PlatformHome {
        tr: Tr::new(&code),
        languages: language_links(&available, &code),
    };
    Ok(with_language_cookie(
        Html(page.render()?).into_response(),
        language,
        &code,
    ))
}

async fn council_home(
    state: &AppState,
    site: &Site,
    language: &LanguageRequest,
    headers: &axum::http::HeaderMap,
) -> Result<Response, WebError> {
    let ctx = crate::account_pages::Context::load(state, site, language, headers).await?;
    let tenant = &ctx.tenant;
    let settings = state.tenancy.site_settings(tenant).await?;
    let code = ctx.tr.code().to_owned();
    let tr = ctx.tr;
    let welcome = settings
        .welcome
        .get(&code)
        .or_else(|| settings.welcome.get(&settings.default_language))
        .cloned();
    let districts: Vec<DistrictView> = settings
        .districts
        .iter()
        .map(|d| DistrictView {
            name: d.name.clone(),
            population: i64::from(d.population),
            label: tr.count("district-residents", i64::from(d.population)),
        })
        .collect();
    let total: i64 = districts.iter().map(|d| d.population).sum();
    let listing = crate::process_pages::listing(state, tenant).await?;
    let district_names: Vec<(String, String)> = settings
        .districts
        .iter()
        .map(|d| (d.code.clone(), d.name.clone()))
        .collect();
    let latest = crate::proposal_pages::rows(&tr, &district_names, listing.latest.clone());
    let iso = &time::format_description::well_known::Rfc3339;
    let calendar = listing
        .calendar
        .iter()
        .map(|c| CalendarRow {
            slug: c.slug.clone(),
            process: c.process.clone(),
            phase: c.phase.clone(),
            starts: crate::participation::short_date(c.starts_at),
            ends: crate::participation::short_date(c.ends_at - time::Duration::seconds(1)),
            starts_iso: c.starts_at.format(iso).unwrap_or_default(),
            ends_iso: c.ends_at.format(iso).unwrap_or_default(),
            current: c.current,
        })
        .collect();
    let page = CouncilHome {
        listing,
        latest,
        calendar,
        chrome: ctx.chrome,
        name: tenant.name.clone(),
        welcome,
        languages: language_links(&settings.languages, &code),
        max_population: districts
            .iter()
            .map(|d| d.population)
            .max()
            .unwrap_or(0)
            .max(1),
        total_label: tr.with("home-total-residents", "formatted", &tr.number(total)),
        districts,
        tr,
    };
    Ok(with_language_cookie(
        Html(page.render()?).into_response(),
        language,
        &code,
    ))
}

/// Remembers an explicit `?lang=` choice for a year.
fn with_language_cookie(
    mut response: Response,
    language: &LanguageRequest,
    chosen: &str,
) -> Response {
    if language.query.as_deref() == Some(chosen) {
        let cookie = format!("lang={chosen}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// `GET /theme.css`: the council's colours as CSS variables (a stylesheet,
/// since the CSP forbids inline styles).
pub async fn theme_css(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
) -> Response {
    let Site::Council(tenant) = site else {
        return WebError::NotFound.into_page(&language.ui());
    };
    match state.tenancy.site_settings(&tenant).await {
        Ok(settings) => (
            [
                (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=60"),
            ],
            // Colours are `#rrggbb`, checked on write and by the database.
            format!(
                ":root {{ --primary: {}; --accent: {}; }}\n",
                settings.primary_colour, settings.accent_colour
            ),
        )
            .into_response(),
        Err(error) => WebError::from(error).into_page(&language.ui()),
    }
}

/// `GET /static/cabildo.css`.
pub async fn base_css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/cabildo.css"),
    )
        .into_response()
}

/// Anything else on a site.
pub async fn not_found(language: Option<Extension<LanguageRequest>>) -> Response {
    let language = language.map(|Extension(l)| l).unwrap_or_default();
    WebError::NotFound.into_page(&language.ui())
}
