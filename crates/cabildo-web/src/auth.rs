//! Who is asking: the session cookie, and CSRF tokens.
//!
//! Cookies are host-only (no `Domain`), `HttpOnly`, `SameSite=Lax`, and
//! `Secure` with the `__Host-` prefix when the site is served over HTTPS,
//! so one council's cookies never reach another's host. Sessions live in
//! the council's schema besides: a token from council A means nothing to
//! council B.
//!
//! CSRF: a logged-in visitor's token is an HMAC of their session (nothing
//! to store, and it changes with the session); before login, a random
//! token in its own cookie must come back with the form (double submit).

use crate::AppState;
use axum::http::{HeaderMap, HeaderValue, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cabildo_engine::accounts::{api_tokens, sessions, tokens};
use cabildo_tenancy::Tenant;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Cookie names, by whether the site is served over HTTPS.
pub struct CookieNames {
    /// The session.
    pub session: &'static str,
    /// The pre-login CSRF token.
    pub csrf: &'static str,
}

impl CookieNames {
    /// The names for this deployment.
    pub fn new(secure: bool) -> Self {
        if secure {
            Self {
                session: "__Host-session",
                csrf: "__Host-csrf",
            }
        } else {
            Self {
                session: "session",
                csrf: "csrf",
            }
        }
    }
}

/// The value of cookie `name`, if sent.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(name)?.strip_prefix('='))
}

/// A `Set-Cookie` value: host-only, HttpOnly, SameSite=Lax, Secure over
/// HTTPS. `max_age` of zero deletes it; `None` makes it last the browser
/// session.
pub fn set_cookie(secure: bool, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    // Names are ours and values are base64url tokens.
    HeaderValue::from_str(&cookie)
        .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// The visitor of a council's site.
#[derive(Clone, Debug)]
pub struct Visitor {
    /// Their session, when logged in.
    pub session: Option<sessions::Session>,
    /// The session cookie's token, when logged in.
    pub session_token: Option<String>,
    /// The CSRF token forms must carry.
    pub csrf: String,
    /// Set when the CSRF cookie must be (re)sent with the response.
    pub new_csrf_cookie: bool,
    /// Authenticated by a personal access token (`Authorization: Bearer`):
    /// no cookie is involved, so no CSRF token is needed.
    pub bearer: bool,
}

impl Visitor {
    /// Looks up the session cookie (one tenant transaction, only when the
    /// cookie is there) and works out the CSRF token.
    pub async fn from_headers(
        state: &AppState,
        tenant: &Tenant,
        headers: &HeaderMap,
    ) -> Result<Self, crate::WebError> {
        let names = state.cookie_names();
        let mut session = None;
        let mut session_token = None;
        let bearer_token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let bearer = bearer_token.is_some();
        let presented = match bearer_token {
            Some(token) => Some(token),
            None => cookie(headers, names.session),
        };
        if let Some(token) = presented.filter(|t| tokens::well_formed(t)) {
            let id = tokens::digest(token);
            session = state.sessions.get(tenant.id, &id);
            if session.is_none() {
                let mut tx = state.tenancy.begin(tenant).await?;
                session = if bearer {
                    api_tokens::find(&mut tx, token).await
                } else {
                    sessions::find(&mut tx, token).await
                }
                .map_err(crate::error::from_account)?;
                tx.commit().await?;
                if let Some(found) = &session {
                    state.sessions.put(tenant.id, found);
                }
            }
            if session.is_some() && !bearer {
                session_token = Some(token.to_owned());
            }
        }
        let (csrf, new_csrf_cookie) = match &session {
            Some(session) => (state.csrf_for_session(&session.id), false),
            None => match cookie(headers, names.csrf).filter(|t| tokens::well_formed(t)) {
                Some(token) => (token.to_owned(), false),
                None => (tokens::new_token(), true),
            },
        };
        Ok(Self {
            session,
            session_token,
            csrf,
            new_csrf_cookie,
            bearer,
        })
    }

    /// Whether `sent` is this visitor's CSRF token (constant time), or the
    /// visitor came with a valid personal access token (no cookie, so no
    /// forgery possible). A visitor whose CSRF cookie was only just made
    /// cannot have sent one.
    pub fn csrf_matches(&self, sent: &str) -> bool {
        (self.bearer && self.session.is_some())
            || (!self.new_csrf_cookie && constant_time_eq(self.csrf.as_bytes(), sent.as_bytes()))
    }

    /// Adds the CSRF cookie to `headers` when it is new.
    pub fn set_cookies(&self, state: &AppState, headers: &mut HeaderMap) {
        if self.new_csrf_cookie {
            headers.append(
                header::SET_COOKIE,
                set_cookie(
                    state.config.secure_cookies,
                    state.cookie_names().csrf,
                    &self.csrf,
                    None,
                ),
            );
        }
    }
}

impl AppState {
    /// Where uploaded pictures are kept.
    pub(crate) fn media(&self) -> &dyn crate::media::Storage {
        self.config.media.as_ref()
    }

    pub(crate) fn cookie_names(&self) -> CookieNames {
        CookieNames::new(self.config.secure_cookies)
    }

    /// The CSRF token of a session: HMAC of its stored hash under the
    /// deployment's secret.
    pub(crate) fn csrf_for_session(&self, session_id: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(b"csrf\0");
        mac.update(session_id);
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("xsession=evil; session=good; lang=es"),
        );
        assert_eq!(cookie(&headers, "session"), Some("good"));
        assert_eq!(cookie(&headers, "csrf"), None);
        let set = set_cookie(true, "__Host-session", "abc", Some(60));
        assert_eq!(
            set.to_str().unwrap_or_default(),
            "__Host-session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
