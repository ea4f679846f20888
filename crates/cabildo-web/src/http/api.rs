//! The JSON API's routes and their OpenAPI document, built together:
//! every route is registered from a handler's `#[utoipa::path]`, which
//! gives both its place in the router and its description, and
//! [`ApiRoutes`] keeps the table of what it registered so a test can walk
//! it against the document served at `/api/v1/openapi.json`.

use crate::http::state::AppState;
use axum::Router;
use serde::Serialize;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::server::Server;
use utoipa::openapi::{InfoBuilder, OpenApi, PathItem};
use utoipa::{IntoResponses, PartialSchema, ToSchema};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use uuid::Uuid;

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

/// The methods a path item describes, in lower case (read once, when the
/// routes are registered).
pub fn methods(item: &PathItem) -> Vec<&'static str> {
    let mut item = item.clone();
    operations_mut(&mut item)
        .into_iter()
        .map(|(method, _)| method)
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

/// Who may call an operation that needs a person: their session (and its
/// CSRF token unless the call only reads) or a personal access token.
fn credentials(reads: bool) -> Vec<SecurityRequirement> {
    let session = match reads {
        true => SecurityRequirement::new("session", Vec::<String>::new()),
        false => SecurityRequirement::new("session", Vec::<String>::new())
            .add("csrf", Vec::<String>::new()),
    };
    vec![
        session,
        SecurityRequirement::new("token", Vec::<String>::new()),
    ]
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
    // A call that can answer 401 needs credentials: a session (with its
    // CSRF token when it changes something) or a personal access token.
    // Handlers name their security only when it differs from that.
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, operation) in operations_mut(item) {
            operation.operation_id = Some(operation_id(method, path));
            if operation.security.is_none() && operation.responses.responses.contains_key("401") {
                operation.security = Some(credentials(method == "get"));
            }
        }
    }
    add_components(doc);
}

/// The schemas every call shares (the error body) and the ways to
/// authenticate.
fn add_components(doc: &mut OpenApi) {
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

/// A short answer: what happened, or what something became
/// (`check_your_email`, `confirmed`, a proposal's new status …).
#[derive(Serialize, ToSchema)]
pub struct StatusView {
    /// The stable word for it.
    pub status: &'static str,
}

/// Whether the caller supports something now, and its supports.
#[derive(Serialize, ToSchema)]
pub struct SupportView {
    /// The caller supports it.
    pub supported: bool,
    /// Its supports now.
    pub supports_count: i32,
}

/// A new item's id.
#[derive(Serialize, ToSchema)]
pub struct IdView {
    /// Its id.
    pub id: Uuid,
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
    /// With `plan_required`: what the council's plan lacks (a feature such
    /// as `api_tokens`, or a limit such as `staff_seats`).
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub need: Option<String>,
    /// With `plan_required`: the first offered plan that allows it (`null`
    /// when none does).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
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
    use std::collections::HashSet;

    /// What the router was given is what the document describes (the
    /// served document itself is validated and walked against the router
    /// in `tests/it/openapi.rs`).
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
    fn operation_ids_come_from_method_and_path() {
        assert_eq!(
            operation_id("get", "/processes/{slug}/proposals"),
            "get_processes_slug_proposals"
        );
        assert_eq!(operation_id("get", "/openapi.json"), "get_openapi_json");
    }
}
