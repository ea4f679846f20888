//! The tenant middleware: resolves the request's host to the platform site
//! or a council, records the council in the request span, and answers
//! unknown, suspended, archived and read-only cases itself.

use crate::http::error::{ApiError, PageError, Unrendered, name_plan, render};
use crate::http::hygiene;
use crate::http::state::AppState;
use crate::ui::i18n::{Tr, UI_LANGUAGES, negotiate};
use crate::ui::message::message_page;
use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cabildo_tenancy::{ResolveError, Site, Tenant, TenantStatus};
use std::net::{IpAddr, SocketAddr};

/// What the visitor asked for regarding language, before we know which
/// languages the site offers.
#[derive(Clone, Debug, Default)]
pub struct LanguageRequest {
    /// `?lang=`.
    pub query: Option<String>,
    /// The `lang` cookie.
    pub cookie: Option<String>,
    /// `Accept-Language`.
    pub accept: Option<String>,
}

impl LanguageRequest {
    fn from_request(request: &Request) -> Self {
        let headers = request.headers();
        let query = request.uri().query().and_then(|q| {
            q.split('&')
                .find_map(|pair| pair.strip_prefix("lang="))
                .map(|v| v.chars().take(8).collect())
        });
        let cookie = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|c| {
                c.trim()
                    .strip_prefix("lang=")
                    .map(|v| v.chars().take(8).collect())
            });
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(200).collect());
        Self {
            query,
            cookie,
            accept,
        }
    }

    /// The language among `available` (default `default`).
    pub fn pick(&self, available: &[String], default: &str) -> String {
        negotiate(
            self.query.as_deref(),
            self.cookie.as_deref(),
            self.accept.as_deref(),
            available,
            default,
        )
    }

    /// Strings for pages shown before the site's languages are known
    /// (errors, notices): the visitor's choice among the UI languages.
    pub fn ui(&self) -> Tr {
        let available: Vec<String> = UI_LANGUAGES.iter().map(|s| (*s).to_owned()).collect();
        Tr::new(&self.pick(&available, "es"))
    }
}

/// The visitor's address: the peer's, or the one a trusted proxy reports
/// (`X-Forwarded-For`, closest hop), for rate limits.
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub IpAddr);

fn peer(request: &Request) -> Option<IpAddr> {
    let extensions = request.extensions();
    // `MockConnectInfo` stands in for the real one when the router is
    // driven in-process (tests, benchmarks).
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .or_else(|| {
            extensions
                .get::<MockConnectInfo<SocketAddr>>()
                .map(|MockConnectInfo(addr)| addr.ip())
        })
}

fn client_ip(request: &Request, state: &AppState) -> IpAddr {
    let peer = peer(request).unwrap_or(IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED));
    if !state
        .config
        .trusted_proxies
        .iter()
        .any(|r| r.contains(&peer))
    {
        return peer;
    }
    request
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(peer)
}

/// The host a request is for: a trusted proxy's `X-Forwarded-Host`, else
/// the authority of an absolute request target (which RFC 9112 §3.2.2 says
/// wins over `Host`), else `Host`.
pub(crate) fn request_host(request: &Request, state: &AppState) -> Option<String> {
    let headers: &HeaderMap = request.headers();
    let peer = peer(request);
    let trusted = |ip: IpAddr| state.config.trusted_proxies.iter().any(|r| r.contains(&ip));
    if peer.is_some_and(trusted) {
        // The closest proxy's view is the last value.
        if let Some(forwarded) = headers
            .get("x-forwarded-host")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
        {
            return Some(forwarded.trim().to_owned());
        }
    }
    if let Some(authority) = request.uri().authority() {
        return Some(authority.as_str().to_owned());
    }
    headers.get(header::HOST).map(|v| {
        v.to_str()
            .map(str::to_owned)
            .unwrap_or_else(|_| "\u{fffd}".to_owned())
    })
}

/// Resolves the site, or answers the request itself; renders the errors
/// handlers return in the visitor's language (see [`crate::http::error`]).
pub async fn resolve_site(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let language = LanguageRequest::from_request(&request);
    let refuse = |error: PageError| render(error.into_response(), &language.ui(), false);
    if hygiene::refused(&request) {
        return refuse(PageError::BadRequest);
    }
    let personal = hygiene::personal(&request, state.cookie_names().session);
    let https = state.config.secure_cookies;
    let host = request_host(&request, &state).unwrap_or_default();
    let site = match state.resolver.resolve(&host).await {
        Ok(Some(site)) => site,
        Ok(None) => return refuse(PageError::NotFound),
        Err(ResolveError::BadHost(_)) => return refuse(PageError::BadRequest),
        Err(ResolveError::Database(error)) => return refuse(PageError::from(error)),
    };
    if let Site::Council(tenant) = &site {
        tracing::Span::current().record("tenant", tenant.slug.as_str());
        let tr = language.ui();
        let notice = |status, key: &str| {
            message_page(
                &tr,
                status,
                &tr.t(&format!("{key}-title")),
                &tr.with(&format!("{key}-body"), "council", &tenant.name),
                false,
            )
        };
        match tenant.status {
            TenantStatus::Active => {}
            TenantStatus::ReadOnly => {
                if !request.method().is_safe() {
                    return notice(StatusCode::FORBIDDEN, "notice-read-only");
                }
            }
            TenantStatus::Suspended => return notice(StatusCode::FORBIDDEN, "notice-suspended"),
            TenantStatus::Archived => return notice(StatusCode::GONE, "notice-archived"),
            // Not served by the resolver; answer as for an unknown host.
            TenantStatus::Provisioning => return refuse(PageError::NotFound),
        }
        if let Some(to) = elsewhere(tenant, &host, &request, https) {
            return hygiene::finish(to, personal, https);
        }
    }
    let api = request.uri().path().starts_with("/api/");
    if let Site::Council(tenant) = &site
        && state.config.pacing
    {
        let pause = state.pacing.pause(tenant.id);
        if !pause.is_zero() {
            // Over its share of a busy node (see `http::pacing`).
            tokio::time::sleep(pause).await;
        }
    }
    // Held until the answer is ready: a council's turn on this node, for
    // what it reads (see `http::fair_share` for what is left out, and why).
    let _turn = match &site {
        Site::Council(tenant) if crate::http::fair_share::takes_a_turn(&request) => {
            match state.fair_share.enter(tenant.id).await {
                Some(turn) => Some(turn),
                None => return busy(&language, api),
            }
        }
        _ => None,
    };
    let ip = client_ip(&request, &state);
    request.extensions_mut().insert(ClientIp(ip));
    request.extensions_mut().insert(site.clone());
    request.extensions_mut().insert(language.clone());
    let mut response = next.run(request).await;
    let rendered = response.extensions().get::<Unrendered>().is_some();
    if !rendered && (api || language.query.is_none()) {
        return hygiene::finish(response, personal, https);
    }
    let tr = match &site {
        Site::Council(tenant) => site_tr(&state, tenant, &language).await,
        Site::Platform => language.ui(),
    };
    if let Some(shown) =
        (response.extensions_mut().get_mut::<Unrendered>()).and_then(Unrendered::plan_mut)
    {
        name_plan(&state.tenancy, shown, tr.code()).await;
    }
    let response = if rendered {
        render(response, &tr, api)
    } else {
        response
    };
    let response = if api {
        response
    } else {
        remember_language(response, &language, tr.code())
    };
    hygiene::finish(response, personal, https)
}

/// The answer when a council's requests waited too long for their turn
/// on this node (see `http::fair_share`): try again in a second.
fn busy(language: &LanguageRequest, api: bool) -> Response {
    tracing::info!("a council's request found no turn in time");
    let status = StatusCode::SERVICE_UNAVAILABLE;
    let response = match api {
        true => ApiError::Coded(status, "busy", "error-busy-body").into_response(),
        false => PageError::Message(status, "error-busy").into_response(),
    };
    let mut response = render(response, &language.ui(), api);
    (response.headers_mut()).insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// A permanent redirect to the council's own domain, when it has one and
/// this request came on another of its hosts (its subdomain, or another
/// verified domain): 301 for reading, 308 for forms, which keeps the
/// method. The port the request came on is kept, for local set-ups.
fn elsewhere(tenant: &Tenant, host: &str, request: &Request, https: bool) -> Option<Response> {
    let domain = tenant.domain.as_deref()?;
    let name = cabildo_tenancy::normalize_host(host).ok()?.name;
    if name == domain {
        return None;
    }
    let port = host
        .rsplit_once(':')
        .map(|(_, port)| format!(":{port}"))
        .unwrap_or_default();
    let scheme = if https { "https" } else { "http" };
    let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let status = if request.method().is_safe() {
        StatusCode::MOVED_PERMANENTLY
    } else {
        StatusCode::PERMANENT_REDIRECT
    };
    let location =
        header::HeaderValue::from_str(&format!("{scheme}://{domain}{port}{path}")).ok()?;
    // Browsers keep a permanent redirect for as long as they are told;
    // a day lets a council that gives its domain up be reached at its
    // subdomain again the next day.
    let cache = header::HeaderValue::from_static("public, max-age=86400");
    Some(
        (
            status,
            [(header::LOCATION, location), (header::CACHE_CONTROL, cache)],
        )
            .into_response(),
    )
}

/// The strings of a council's pages for this visitor: their language
/// among the council's (the UI languages when the settings cannot be read).
pub async fn site_tr(state: &AppState, tenant: &Tenant, language: &LanguageRequest) -> Tr {
    match state.tenancy.site_settings(tenant).await {
        Ok(settings) => Tr::new(&language.pick(&settings.languages, &settings.default_language))
            .in_zone(settings.zone())
            .for_council(&tenant.name, &settings.name_article)
            .with_contact(&settings.contact),
        Err(_) => language.ui().for_council(&tenant.name, ""),
    }
}

/// `response` remembering an explicit `?lang=` choice for a year, on
/// whichever page the visitor chose it (the switcher is on every page).
fn remember_language(mut response: Response, language: &LanguageRequest, chosen: &str) -> Response {
    if language.query.as_deref() == Some(chosen) {
        let cookie = format!("lang={chosen}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly");
        if let Ok(value) = axum::http::HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}
