//! The API document against the router that serves it: every documented
//! call is answered by a handler (never by the "no such call" fallback),
//! and a call that is not documented is not answered.

use crate::util::{BASE, app, demo_tenancy, send};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use cabildo_web::WebConfig;
use serde_json::{Value, json};
use std::collections::HashSet;

/// Whether the router answered `method path` with its "no such call"
/// fallback (404 `No such API call.`) or refused the method (405).
async fn unrouted(app: &axum::Router, method: &str, path: &str) -> Option<String> {
    let request = Request::builder()
        .method(Method::from_bytes(method.to_uppercase().as_bytes()).expect("method"))
        .uri(format!("/api/v1{path}"))
        .header("host", format!("toledo.{BASE}"))
        .header("content-type", "application/json")
        .header("accept-language", "en")
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

/// What is wrong with an OpenAPI 3.1 document, by the rules of the
/// specification that a generator can break: version and info, path
/// templates and their parameters, unique operation ids, responses,
/// references that resolve, and security schemes that exist.
fn problems(doc: &Value) -> Vec<String> {
    let mut found = Vec::new();
    if doc["openapi"] != "3.1.0" {
        found.push(format!("openapi is {}, not 3.1.0", doc["openapi"]));
    }
    for field in ["title", "version"] {
        if doc["info"][field].as_str().is_none_or(str::is_empty) {
            found.push(format!("info.{field} is missing"));
        }
    }
    let schemes = &doc["components"]["securitySchemes"];
    let mut ids = HashSet::new();
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    if paths.is_empty() {
        found.push("no paths".to_owned());
    }
    for (path, item) in &paths {
        if !path.starts_with('/') {
            found.push(format!("{path}: does not start with /"));
        }
        let templated: HashSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        for (method, operation) in item.as_object().into_iter().flatten() {
            let at = format!("{method} {path}");
            let declared: HashSet<&str> = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "path")
                .inspect(|p| {
                    if p["required"] != true {
                        found.push(format!("{at}: path parameter {} not required", p["name"]));
                    }
                })
                .filter_map(|p| p["name"].as_str())
                .collect();
            if declared != templated {
                found.push(format!(
                    "{at}: path parameters {declared:?} ≠ {templated:?}"
                ));
            }
            match operation["operationId"].as_str() {
                Some(id) if ids.insert(id.to_owned()) => {}
                Some(id) => found.push(format!("{at}: operationId {id} used twice")),
                None => found.push(format!("{at}: no operationId")),
            }
            if operation["responses"]
                .as_object()
                .is_none_or(|r| r.is_empty())
            {
                found.push(format!("{at}: no responses"));
            }
            for requirement in operation["security"].as_array().into_iter().flatten() {
                for name in requirement
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(n, _)| n)
                {
                    if schemes.get(name).is_none() {
                        found.push(format!("{at}: unknown security scheme {name}"));
                    }
                }
            }
        }
    }
    let mut refs = Vec::new();
    collect_refs(doc, &mut refs);
    for reference in refs {
        let target = reference
            .strip_prefix('#')
            .and_then(|pointer| doc.pointer(pointer));
        if target.is_none() {
            found.push(format!("$ref {reference} resolves to nothing"));
        }
    }
    found
}

fn collect_refs(value: &Value, refs: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("$ref", Value::String(reference)) => refs.push(reference.clone()),
                    _ => collect_refs(value, refs),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, refs)),
        _ => {}
    }
}

/// The document a council's site serves.
async fn served(app: &axum::Router) -> Value {
    let answer = send(
        app,
        Request::get("/api/v1/openapi.json")
            .header("host", format!("toledo.{BASE}"))
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    serde_json::from_str(&answer.body).expect("json")
}

#[tokio::test]
async fn the_served_document_is_valid_openapi_3_1_and_the_check_can_fail() {
    let tenancy = demo_tenancy().await;
    let mut doc = served(&app(&tenancy, WebConfig::default())).await;
    assert_eq!(problems(&doc), Vec::<String>::new());
    let (path, _) = doc["paths"]
        .as_object()
        .and_then(|p| p.iter().find(|(p, _)| p.contains('{')))
        .map(|(p, i)| (p.clone(), i.clone()))
        .expect("a templated path");
    let item = doc["paths"][&path].as_object_mut().expect("item");
    let operation = item.values_mut().next().expect("an operation");
    operation["parameters"] = json!([]);
    operation["responses"] = json!({"200": {"$ref": "#/components/responses/Nothing"}});
    operation["security"] = json!([{"cookie-monster": []}]);
    let found = problems(&doc);
    for expected in [
        "path parameters",
        "resolves to nothing",
        "unknown security scheme",
    ] {
        assert!(
            found.iter().any(|p| p.contains(expected)),
            "{expected}: {found:?}"
        );
    }
    doc["openapi"] = json!("3.0.0");
    assert!(problems(&doc).iter().any(|p| p.contains("openapi")));
}

#[tokio::test]
async fn every_documented_call_reaches_a_handler_and_nothing_else_does() {
    let tenancy = demo_tenancy().await;
    let app = app(&tenancy, WebConfig::default());
    let doc = served(&app).await;
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
