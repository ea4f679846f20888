//! Rules every council and platform request and answer follow, whatever
//! the route: requests a server must not guess about are refused before
//! any work (a NUL byte in the path or query; several `Host` headers), and
//! answers that depend on who is asking are kept out of shared caches;
//! over HTTPS, browsers are told to stay on it.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::response::Response;

/// Whether `request` must be refused with 400 before anything else: a NUL
/// byte (raw or `%00`) in its path or query, which no name, slug or
/// filter of ours contains and PostgreSQL text cannot hold; or more than
/// one `Host` header (RFC 9112 §3.2).
pub fn refused(request: &Request) -> bool {
    let target = request.uri().path_and_query().map_or("", |p| p.as_str());
    // `%00` has no letters: no case to fold.
    let nul = target.contains('\0') || target.contains("%00");
    nul || request.headers().get_all(header::HOST).iter().count() > 1
}

/// Whether the answer to `request` may depend on who is asking: it
/// carries a session cookie named `session_cookie` or credentials.
pub fn personal(request: &Request, session_cookie: &str) -> bool {
    let headers = request.headers();
    headers.contains_key(header::AUTHORIZATION)
        || crate::http::cookies::cookie(headers, session_cookie).is_some()
}

/// `response` marked `private, no-store` when it was made for one person
/// (`personal`) or sets a cookie, unless its handler chose its own
/// caching; with `Strict-Transport-Security` when served over `https`.
pub fn finish(mut response: Response, personal: bool, https: bool) -> Response {
    let headers = response.headers_mut();
    let sets_cookie = headers.contains_key(header::SET_COOKIE);
    if (personal || sets_cookie) && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    if https {
        // A year; custom domains are not covered beyond their own host.
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn request(uri: &str, hosts: &[&str]) -> Request {
        let mut builder = Request::get(uri);
        for host in hosts {
            builder = builder.header(header::HOST, *host);
        }
        builder.body(Body::empty()).expect("request")
    }

    #[test]
    fn nul_bytes_and_several_hosts_are_refused() {
        assert!(refused(&request("/processes/%00", &["a"])));
        assert!(refused(&request("/processes?district=%00x", &["a"])));
        assert!(refused(&request("/p?d=%2500%00", &["a"])));
        assert!(refused(&request("/", &["a", "b"])));
        assert!(!refused(&request("/processes/plan?page=100", &["a"])));
        assert!(!refused(&request("/p?d=%2500", &["a"])));
    }
}
