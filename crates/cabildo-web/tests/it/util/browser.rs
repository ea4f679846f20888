//! A visitor: a cookie jar per host, forms posted with their CSRF token,
//! JSON calls, and what a refusal must look like.

use super::app::{Answer, send};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use std::collections::HashMap;

/// A visitor with a cookie jar per host.
pub struct Browser {
    app: Router,
    pub cookies: HashMap<(String, String), String>,
}

impl Browser {
    pub fn new(app: &Router) -> Self {
        Self {
            app: app.clone(),
            cookies: HashMap::new(),
        }
    }

    pub fn cookie_header(&self, host: &str) -> String {
        self.cookies
            .iter()
            .filter(|((h, _), _)| h == host)
            .map(|((_, name), value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn cookie(&self, host: &str, name: &str) -> Option<String> {
        self.cookies
            .get(&(host.to_owned(), name.to_owned()))
            .cloned()
    }

    pub async fn request(
        &mut self,
        host: &str,
        request: axum::http::request::Builder,
        body: Body,
    ) -> Answer {
        let request = request
            .header(header::HOST, host)
            .header(header::COOKIE, self.cookie_header(host))
            .body(body)
            .expect("request");
        let answer = send(&self.app, request).await;
        for set in answer.headers.get_all(header::SET_COOKIE) {
            let set = set.to_str().expect("cookie");
            let pair = set.split(';').next().expect("pair");
            let (name, value) = pair.split_once('=').expect("name=value");
            let key = (host.to_owned(), name.to_owned());
            if set.contains("Max-Age=0") {
                self.cookies.remove(&key);
            } else {
                self.cookies.insert(key, value.to_owned());
            }
        }
        answer
    }

    pub async fn get(&mut self, host: &str, path: &str) -> Answer {
        self.request(host, Request::get(path), Body::empty()).await
    }

    pub async fn post(&mut self, host: &str, path: &str, fields: &[(&str, &str)]) -> Answer {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.request(
            host,
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
            Body::from(body),
        )
        .await
    }

    /// Fetches the form at `page` and posts it with its CSRF token.
    pub async fn submit(
        &mut self,
        host: &str,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Answer {
        let form = self.get(host, page).await;
        assert_eq!(form.status, StatusCode::OK, "{page}: {}", form.body);
        let csrf = csrf_of(&form.body);
        let mut all = vec![("csrf_token", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(host, action, &all).await
    }

    pub async fn json(
        &mut self,
        host: &str,
        method: &str,
        path: &str,
        body: serde_json::Value,
        csrf: Option<&str>,
    ) -> Answer {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(csrf) = csrf {
            request = request.header("x-csrf-token", csrf);
        }
        self.request(host, request, Body::from(body.to_string()))
            .await
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    html[start..start + html[start..].find('"').expect("end")].to_owned()
}

/// Asserts that an API call was refused with `status` and the stable
/// error `code`.
#[track_caller]
pub fn assert_refused(answer: &(StatusCode, serde_json::Value), status: StatusCode, code: &str) {
    let (got, body) = answer;
    assert_eq!(
        (*got, body["error"]["code"].as_str()),
        (status, Some(code)),
        "{body}"
    );
}
