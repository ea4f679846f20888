//! A council's home page (its processes, calendar, latest proposals and
//! districts) and its theme stylesheet.

use crate::http::council::Council;
use crate::http::error::PageError;
use crate::http::state::AppState;
use crate::processes::cached::{self, Listing};
use crate::proposals::{ProposalRow, rows};
use crate::ui::chrome::Chrome;
use crate::ui::format::iso;
use crate::ui::i18n::Tr;
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use cabildo_engine::processes::CalendarEntry;
use cabildo_tenancy::Site;
use cabildo_tenancy::colour;

/// The home page and the theme.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/theme.css", get(theme_css))
        .route("/favicon", get(site_icon))
        .route("/favicon.svg", get(favicon))
}

/// One phase of the home page's calendar.
pub struct CalendarRow {
    slug: String,
    process: String,
    process_lang: Option<String>,
    phase: String,
    phase_lang: Option<String>,
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
struct CouncilHome<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    listing: Listing,
    latest: Vec<ProposalRow>,
    calendar: Vec<CalendarRow>,
    name: String,
    /// The council's coat of arms (a stored picture's name), if uploaded.
    coat_of_arms: Option<String>,
    welcome: Option<String>,
    /// The welcome's language when it is not the page's.
    welcome_lang: Option<String>,
    districts: Vec<DistrictView>,
    max_population: i64,
    total_label: String,
    polls: Vec<crate::polls::PollCard>,
    /// The next meetings (three at most).
    meetings: Vec<crate::meetings::Row>,
}

/// `GET /`: the council's home.
async fn home(council: Council) -> Result<Response, PageError> {
    let tr = &council.tr;
    let settings = &council.settings;
    let code = tr.code();
    let (welcome, welcome_lang) = match settings.welcome.get(code) {
        Some(welcome) => (Some(welcome.clone()), None),
        None => (
            settings.welcome.get(&settings.default_language).cloned(),
            Some(settings.default_language.clone()),
        ),
    };
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
    let listing = cached::listing::<PageError>(&council).await?;
    let latest = rows(tr, &council.districts(), listing.latest.clone());
    let calendar = listing
        .calendar
        .iter()
        .map(|c| CalendarRow::new(tr, c))
        .collect();
    let max_population = districts.iter().map(|d| d.population).max();
    let polls = crate::polls::cards(&council, None).await?;
    let meetings = crate::meetings::upcoming(&council, 3).await?;
    let response = council.render_plain(&CouncilHome {
        polls,
        meetings,
        tr,
        chrome: &council.chrome,
        listing,
        latest,
        calendar,
        name: council.tenant.name.clone(),
        coat_of_arms: settings.coat_of_arms.clone(),
        welcome,
        welcome_lang,
        max_population: max_population.unwrap_or(0).max(1),
        total_label: tr.with("home-total-residents", "formatted", &tr.number(total)),
        districts,
    })?;
    Ok(response)
}

impl CalendarRow {
    /// A phase on the calendar, its days in the council's time zone.
    fn new(tr: &Tr, c: &CalendarEntry) -> Self {
        Self {
            slug: c.slug.clone(),
            process: c.process.clone(),
            process_lang: c.process_lang.clone(),
            phase: c.phase.clone(),
            phase_lang: c.phase_lang.clone(),
            starts: tr.date(c.starts_at),
            ends: tr.last_day(c.ends_at),
            starts_iso: iso(c.starts_at),
            ends_iso: iso(c.ends_at),
            current: c.current,
        }
    }
}

/// `GET /theme.css`: the council's colours as CSS variables (a stylesheet,
/// since the CSP forbids inline styles). Every page asks for it, so it
/// reads only the settings, not the visitor. Browsers check it again on
/// each page (an empty 304 while the colours stand), so new colours show
/// at once after an admin saves them.
async fn theme_css(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    headers: axum::http::HeaderMap,
) -> Result<Response, PageError> {
    let Site::Council(tenant) = site else {
        return Err(PageError::NotFound);
    };
    let settings = state.tenancy.site_settings(&tenant).await?;
    let tag = format!(
        "\"{}{}\"",
        settings.primary_colour.trim_start_matches('#'),
        settings.accent_colour.trim_start_matches('#')
    );
    let cache = [
        (header::CACHE_CONTROL, "public, no-cache".to_owned()),
        (header::ETAG, tag.clone()),
    ];
    let unchanged = (headers.get(header::IF_NONE_MATCH))
        .and_then(|v| v.to_str().ok())
        .is_some_and(|sent| sent.split(',').any(|t| t.trim() == tag));
    if unchanged {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    Ok((
        [(header::CONTENT_TYPE, "text/css; charset=utf-8".to_owned())],
        cache,
        theme(&settings.primary_colour, &settings.accent_colour),
    )
        .into_response())
}

/// `GET /favicon` (what pages link to): the icon the council uploaded with
/// its settings, else the drawn one of [`favicon`].
pub(crate) async fn site_icon(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
) -> Result<Response, PageError> {
    if let Site::Council(tenant) = &site {
        let settings = state.tenancy.site_settings(tenant).await?;
        if let Some(name) = &settings.favicon {
            return Ok((
                StatusCode::FOUND,
                [
                    (header::LOCATION, format!("/media/{name}")),
                    (header::CACHE_CONTROL, "public, max-age=3600".to_owned()),
                ],
            )
                .into_response());
        }
    }
    favicon(State(state), Extension(site)).await
}

/// `GET /favicon.svg`: the drawn icon — the council's initial on its main
/// colour (the platform's "C" on the default blue).
pub(crate) async fn favicon(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
) -> Result<Response, PageError> {
    let (colour, initial) = match site {
        Site::Council(tenant) => {
            let settings = state.tenancy.site_settings(&tenant).await?;
            let initial = tenant.slug.as_str().chars().next().unwrap_or('c');
            (
                settings.primary_colour.clone(),
                initial.to_ascii_uppercase(),
            )
        }
        Site::Platform => ("#1d4f91".to_owned(), 'C'),
    };
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        icon(&colour, initial),
    )
        .into_response())
}

/// An icon: `initial` (a letter or digit of a slug) in the text colour that
/// reads on `colour` (`#rrggbb`, checked on write).
fn icon(colour: &str, initial: char) -> String {
    let on = colour::parse(colour).map_or("#ffffff", colour::text_on);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 64 64\">\
         <rect width=\"64\" height=\"64\" rx=\"12\" fill=\"{colour}\"/>\
         <text x=\"32\" y=\"45\" font-family=\"sans-serif\" font-size=\"40\" font-weight=\"bold\" \
         text-anchor=\"middle\" fill=\"{on}\">{initial}</text></svg>"
    )
}

/// The council's colours, and the text colour that reads on each (AA).
/// Colours are `#rrggbb`, checked on write and by the database.
fn theme(primary: &str, accent: &str) -> String {
    let on = |colour: &str| colour::parse(colour).map_or("#ffffff", colour::text_on);
    format!(
        ":root {{ --primary: {primary}; --accent: {accent}; --on-primary: {}; --on-accent: {}; }}\n",
        on(primary),
        on(accent)
    )
}
