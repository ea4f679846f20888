//! The API document against the router that serves it: every documented
//! call is answered by a handler (never by the "no such call" fallback),
//! and a call that is not documented is not answered.

use crate::util::{BASE, app, demo_tenancy, send};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use cabildo_web::WebConfig;
use serde_json::Value;

/// Whether the router answered `method path` with its "no such call"
/// fallback (404 `No such API call.`) or refused the method (405).
async fn unrouted(app: &axum::Router, method: &str, path: &str) -> Option<String> {
    let request = Request::builder()
        .method(Method::from_bytes(method.to_uppercase().as_bytes()).expect("method"))
        .uri(format!("/api/v1{path}"))
        .header("host", format!("toledo.{BASE}"))
        .header("content-type", "application/json")
        .body(Body::from("{}"))
        .expect("request");
    let answer = send(app, request).await;
    let fallback =
        answer.status == StatusCode::NOT_FOUND && answer.body.contains("No such API call");
    (fallback || answer.status == StatusCode::METHOD_NOT_ALLOWED)
        .then(|| format!("{method} {path}: {} {}", answer.status, answer.body))
}

/// `{id}` and friends filled with a value every parameter parses.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|s| match s.starts_with('{') {
            true => "00000000-0000-0000-0000-000000000000",
            false => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_documented_call_reaches_a_handler_and_nothing_else_does() {
    let tenancy = demo_tenancy().await;
    let app = app(&tenancy, WebConfig::default());
    let answer = send(
        &app,
        Request::get("/api/v1/openapi.json")
            .header("host", format!("toledo.{BASE}"))
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let doc: Value = serde_json::from_str(&answer.body).expect("json");
    let paths = doc["paths"].as_object().expect("paths");
    let mut unanswered = Vec::new();
    let mut calls = 0;
    for (path, item) in paths {
        for (method, _) in item.as_object().expect("path item") {
            calls += 1;
            if let Some(problem) = unrouted(&app, method, &concrete(path)).await {
                unanswered.push(problem);
            }
        }
    }
    assert!(calls > 40, "only {calls} documented calls");
    assert_eq!(
        unanswered,
        Vec::<String>::new(),
        "documented but not routed"
    );
    // The probe can tell: calls nobody documented are not answered.
    for (method, path) in [
        ("GET", "/no-such-call"),
        ("DELETE", "/openapi.json"),
        ("PATCH", "/processes"),
    ] {
        assert!(
            unrouted(&app, method, path).await.is_some(),
            "{method} {path} is answered but not documented"
        );
    }
}
