//! The JSON API's routes and their OpenAPI document, built together:
//! every route is registered from a handler's `#[utoipa::path]`, which
//! gives both its place in the router and its description, and
//! [`ApiRoutes`] keeps the table of what it registered so a test can walk
//! it against the document served at `/api/v1/openapi.json`.

use crate::http::state::AppState;
use axum::Router;
use serde::Serialize;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::server::Server;
use utoipa::openapi::{InfoBuilder, OpenApi, PathItem};
use utoipa::{IntoResponses, PartialSchema, ToSchema};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

/// One registered route: method (lower case) and path under `/api/v1`.
pub type Route = (&'static str, String);

/// `GET /api/v1/openapi.json`: this document.
#[utoipa::path(get, path = "/openapi.json", tag = "api",
    responses((status = 200, description = "The OpenAPI 3.1 description of this API.", content_type = "application/json")))]
pub async fn document(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        state.api_document.get().cloned().unwrap_or_default(),
    )
        .into_response()
}

/// The API's routes as they are registered.
pub struct ApiRoutes {
    router: OpenApiRouter<AppState>,
    table: Vec<Route>,
}

impl Default for ApiRoutes {
    fn default() -> Self {
        Self::new()
    }
}

impl ApiRoutes {
    /// No routes yet.
    pub fn new() -> Self {
        Self {
            router: OpenApiRouter::new(),
            table: Vec::new(),
        }
    }

    /// Adds the handlers of `routes!(…)`, each at the path and with the
    /// method its `#[utoipa::path]` names.
    pub fn add(mut self, routes: UtoipaMethodRouter<AppState>) -> Self {
        for (path, item) in &routes.1.paths {
            for method in methods(item) {
                self.table.push((method, path.clone()));
            }
        }
        self.router = self.router.routes(routes);
        self
    }

    /// Adds another module's routes.
    pub fn merge(mut self, other: ApiRoutes) -> Self {
        self.table.extend(other.table);
        self.router = self.router.merge(other.router);
        self
    }

    /// Wraps every route added so far in `layer` (body limits).
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: tower::Layer<axum::routing::Route> + Clone + Send + Sync + 'static,
        L::Service: tower::Service<axum::extract::Request> + Clone + Send + Sync + 'static,
        <L::Service as tower::Service<axum::extract::Request>>::Response:
            axum::response::IntoResponse + 'static,
        <L::Service as tower::Service<axum::extract::Request>>::Error:
            Into<std::convert::Infallible> + 'static,
        <L::Service as tower::Service<axum::extract::Request>>::Future: Send + 'static,
    {
        self.router = self.router.layer(layer);
        self
    }

    /// The router, the finished document, and the table of routes.
    pub fn split(self) -> (Router<AppState>, OpenApi, Vec<Route>) {
        let (router, mut doc) = self.router.split_for_parts();
        finish(&mut doc);
        (router, doc, self.table)
    }
}

/// The methods a path item describes, in lower case.
pub fn methods(item: &PathItem) -> Vec<&'static str> {
    [
        ("get", item.get.is_some()),
        ("put", item.put.is_some()),
        ("post", item.post.is_some()),
        ("delete", item.delete.is_some()),
        ("patch", item.patch.is_some()),
        ("head", item.head.is_some()),
        ("options", item.options.is_some()),
        ("trace", item.trace.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, present)| present.then_some(name))
    .collect()
}

/// The operations of a path item, with their methods in lower case.
fn operations_mut(item: &mut PathItem) -> Vec<(&'static str, &mut Operation)> {
    [
        ("get", item.get.as_mut()),
        ("put", item.put.as_mut()),
        ("post", item.post.as_mut()),
        ("delete", item.delete.as_mut()),
        ("patch", item.patch.as_mut()),
        ("head", item.head.as_mut()),
        ("options", item.options.as_mut()),
        ("trace", item.trace.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.map(|o| (method, o)))
    .collect()
}

/// `get /processes/{slug}/proposals` → `get_processes_slug_proposals`.
fn operation_id(method: &str, path: &str) -> String {
    let words = path
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty());
    std::iter::once(method)
        .chain(words)
        .collect::<Vec<_>>()
        .join("_")
}

/// What the document says of itself, where the API lives and how callers
/// authenticate.
fn finish(doc: &mut OpenApi) {
    doc.info = InfoBuilder::new()
        .title("Cabildo council API")
        .version("1")
        .description(Some(
            "The JSON API of a council's participation site: the same actions and rules as its \
             pages. Reading public data needs no login. Actions need a session cookie with its \
             CSRF token in `X-CSRF-Token` (from `POST /sessions`), or a personal access token as \
             `Authorization: Bearer …`. Errors are `{\"error\": {\"code\", \"message\"}}` with \
             stable codes.",
        ))
        .build();
    doc.servers = Some(vec![Server::new("/api/v1")]);
    // Handlers in different modules share names (`list`, `show`): operation
    // ids come from method and path instead, unique by construction.
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, operation) in operations_mut(item) {
            operation.operation_id = Some(operation_id(method, path));
        }
    }
    let components = doc.components.get_or_insert_with(Default::default);
    let mut schemas = vec![(ErrorBody::name().into_owned(), ErrorBody::schema())];
    ErrorBody::schemas(&mut schemas);
    for (name, schema) in schemas {
        components.schemas.entry(name).or_insert(schema);
    }
    components.add_security_scheme(
        "session",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            "session",
            "The session cookie from `POST /sessions` (`__Host-session` over HTTPS).",
        ))),
    );
    components.add_security_scheme(
        "csrf",
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            "X-CSRF-Token",
            "The session's CSRF token, on calls that change something.",
        ))),
    );
    components.add_security_scheme(
        "token",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("A personal access token from `POST /me/tokens`."))
                .build(),
        ),
    );
}

/// Every error answer: `{"error": {"code", "message"}}`.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable code (`not_found`, `phase_closed`, `over_budget` …).
    pub code: String,
    /// An explanation in the caller's language where the council offers it.
    pub message: String,
    /// Refused fields and why: one field answers with its problem's code
    /// (and names it in `X-Invalid-Field`), several with `invalid_fields`.
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldProblem>>,
    /// The refused line of an uploaded file (0: the file as a whole).
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

/// A refused field.
#[derive(Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field's name.
    pub field: String,
    /// Why (`email_invalid`, `nickname_taken` …).
    pub code: String,
}

/// The refusals of a call that reads public data.
#[derive(IntoResponses)]
#[expect(dead_code, reason = "described in the OpenAPI document, never built")]
pub enum ReadErrors {
    /// No such item on this council (`not_found`).
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// The database is unavailable (`unavailable`); try again shortly.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// The refusals of a call that acts for a logged-in person.
#[derive(IntoResponses)]
#[expect(dead_code, reason = "described in the OpenAPI document, never built")]
pub enum ActErrors {
    /// Log in first (`unauthenticated`, `not_registered`).
    #[response(status = 401)]
    Unauthenticated(ErrorBody),
    /// Not allowed: `csrf_token_invalid`, `phase_closed`, `not_verified`,
    /// `wrong_district`, `organisations_may_not`, `blocked`, `not_author`,
    /// `forbidden`.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// No such item on this council (`not_found`).
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// No longer possible: `closed`, `edit_window_over`.
    #[response(status = 409)]
    Conflict(ErrorBody),
    /// A field is not acceptable (its code, and the field in
    /// `X-Invalid-Field`), or the body is not the JSON expected
    /// (`malformed_body`).
    #[response(status = 422)]
    Invalid(ErrorBody),
    /// The database is unavailable (`unavailable`); try again shortly.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// An instant in the API: RFC 3339 text.
#[derive(Clone, Copy, Debug)]
pub struct Instant(pub time::OffsetDateTime);

impl Serialize for Instant {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        time::serde::rfc3339::serialize(&self.0, serializer)
    }
}

impl PartialSchema for Instant {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::DateTime,
            )))
            .into()
    }
}

impl ToSchema for Instant {}

impl From<time::OffsetDateTime> for Instant {
    fn from(at: time::OffsetDateTime) -> Self {
        Self(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};
    use std::collections::HashSet;

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

    fn served() -> Value {
        let (_, doc, _) = crate::api_routes(&crate::WebConfig::default()).split();
        serde_json::to_value(doc).expect("the document serialises")
    }

    #[test]
    fn the_served_document_is_valid_openapi_3_1() {
        let doc = served();
        assert_eq!(problems(&doc), Vec::<String>::new());
    }

    #[test]
    fn every_registered_route_is_in_the_document_and_nothing_else() {
        let (_, doc, table) = crate::api_routes(&crate::WebConfig::default()).split();
        let documented: HashSet<Route> = doc
            .paths
            .paths
            .iter()
            .flat_map(|(path, item)| methods(item).into_iter().map(|m| (m, path.clone())))
            .collect();
        let registered: HashSet<Route> = table.into_iter().collect();
        assert_eq!(registered, documented);
        assert!(documented.len() > 40, "{} routes", documented.len());
    }

    #[test]
    fn the_validation_can_fail() {
        let mut doc = served();
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

    #[test]
    fn operation_ids_come_from_method_and_path() {
        assert_eq!(
            operation_id("get", "/processes/{slug}/proposals"),
            "get_processes_slug_proposals"
        );
        assert_eq!(operation_id("get", "/openapi.json"), "get_openapi_json");
    }
}
