//! Cookies: host-only (no `Domain`), `HttpOnly`, `SameSite=Lax`, and
//! `Secure` with the `__Host-` prefix when the site is served over HTTPS,
//! so one council's cookies never reach another's host.

use axum::http::{HeaderMap, HeaderValue, header};

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

/// Appends a `Set-Cookie` for `name` to `headers`.
pub fn append(
    headers: &mut HeaderMap,
    secure: bool,
    name: &str,
    value: &str,
    max_age: Option<i64>,
) {
    headers.append(header::SET_COOKIE, set_cookie(secure, name, value, max_age));
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
    }
}
