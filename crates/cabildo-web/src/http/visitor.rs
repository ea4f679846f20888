//! Who is asking on a council's site: the session (cookie or personal
//! access token) and the CSRF token forms must carry.
//!
//! Sessions live in the council's schema: a token from council A means
//! nothing to council B. CSRF: a logged-in visitor's token is an HMAC of
//! their session (nothing to store, and it changes with the session);
//! before login, a random token in its own cookie must come back with the
//! form (double submit).

use crate::http::cookies::cookie;
use crate::http::state::AppState;
use axum::http::{HeaderMap, header};
use cabildo_engine::Error as EngineError;
use cabildo_engine::accounts::{api_tokens, sessions, tokens};
use cabildo_tenancy::Tenant;

/// The visitor of a council's site.
#[derive(Clone, Debug)]
pub struct Visitor {
    /// Their session, when logged in.
    pub session: Option<sessions::Session>,
    /// The session cookie's token, when logged in with a cookie.
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
    /// Looks up the session cookie or bearer token (one round trip, only
    /// when one is sent and not cached) and works out
    /// the CSRF token.
    pub async fn from_headers(
        state: &AppState,
        tenant: &Tenant,
        headers: &HeaderMap,
    ) -> Result<Self, EngineError> {
        let names = state.cookie_names();
        let mut session = None;
        let mut session_token = None;
        let bearer_token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let bearer = bearer_token.is_some();
        let presented = bearer_token.or_else(|| cookie(headers, names.session));
        if let Some(token) = presented.filter(|t| tokens::well_formed(t)) {
            let id = tokens::digest(token);
            session = state.sessions.get(tenant.id, &id);
            if session.is_none() {
                session = if bearer {
                    api_tokens::find_at_once(&state.tenancy, tenant, token).await?
                } else {
                    sessions::find_at_once(&state.tenancy, tenant, token).await?
                };
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
            crate::http::cookies::append(
                headers,
                state.config.secure_cookies,
                state.cookie_names().csrf,
                &self.csrf,
                None,
            );
        }
    }
}

/// Whether two byte strings are equal, in time that does not depend on
/// where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_whole() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
