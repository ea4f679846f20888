//! The OpenAPI 3.1 description of `/api/v1`, served at
//! `/api/v1/openapi.json`. Written by hand next to the routes in
//! `lib.rs`; a test checks that every route is described.

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

fn error_responses(codes: &[(&str, &str)]) -> Value {
    let mut responses = serde_json::Map::new();
    for (status, description) in codes {
        responses.insert(
            (*status).to_owned(),
            json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}),
        );
    }
    Value::Object(responses)
}

fn op(
    summary: &str,
    auth: bool,
    body: Option<&str>,
    ok: (&str, &str),
    errors: &[(&str, &str)],
) -> Value {
    let mut responses = error_responses(errors);
    responses[ok.0] = json!({"description": ok.1});
    let mut operation = json!({"summary": summary, "responses": responses});
    if auth {
        operation["security"] = json!([{"session": [], "csrf": []}, {"token": []}]);
    }
    if let Some(schema) = body {
        operation["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
    }
    operation
}

const REFUSED: [(&str, &str); 5] = [
    ("401", "Log in first (`unauthenticated`, `not_registered`)."),
    (
        "403",
        "Not allowed: `csrf_token_invalid`, `phase_closed`, `not_verified`, `wrong_district`, `organisations_may_not`, `blocked`, `not_author`, `forbidden`.",
    ),
    ("404", "No such item on this council (`not_found`)."),
    ("409", "`closed`, `edit_window_over`."),
    (
        "422",
        "A field is invalid (`title_invalid`, `body_invalid`, `too_deep`, …) or the body is not the JSON expected (`malformed_body`).",
    ),
];

fn param(name: &str, place: &str, description: &str) -> Value {
    json!({"name": name, "in": place, "required": place == "path", "description": description, "schema": {"type": if name == "page" || name == "per_page" || name == "seed" { "integer" } else { "string" }}})
}

/// The document.
pub fn document() -> Value {
    let id = param("id", "path", "The item's id (UUID).");
    let slug = param("slug", "path", "The process's address part.");
    let kind = json!({"name": "kind", "in": "path", "required": true, "schema": {"type": "string", "enum": ["proposals", "debates", "processes"]},
                      "description": "What the comments are on; for `processes` the id is the slug."});
    let list_params = json!([
        slug,
        param(
            "sort",
            "query",
            "supported (default), newest or random (proposals); newest or active (debates)."
        ),
        param("page", "query", "1-based page, clamped to 1…1000."),
        param(
            "per_page",
            "query",
            "Items per page, clamped to 1…100 (default 20)."
        ),
        param("district", "query", "Only this district's."),
        param(
            "status",
            "query",
            "Proposals only: published, evaluating, accepted, rejected, withdrawn."
        ),
        param(
            "qualified",
            "query",
            "Proposals only: true for those that reached the threshold."
        ),
        param(
            "seed",
            "query",
            "Random order: the visitor's seed (default: derived from their session)."
        )
    ]);
    let r = &REFUSED;
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Cabildo council API", "version": "1",
                 "description": "The JSON API of a council's participation site: the same actions and rules as its pages. Reading public data needs no login. Actions need a session cookie with its CSRF token in `X-CSRF-Token` (from `POST /sessions`), or a personal access token as `Authorization: Bearer …`. Errors are `{\"error\": {\"code\", \"message\"}}` with stable codes."},
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/account/registrations": {"post": op("Register (answers the same whether or not the address has an account).", false, Some("Registration"), ("202", "Accepted; a mail follows."), &[("422", "Invalid fields."), ("429", "Too many attempts.")])},
            "/account/confirmations": {"post": op("Confirm an address with the mailed token.", false, Some("Token"), ("200", "Confirmed."), &[("400", "Invalid or used token.")])},
            "/account/password-resets": {"post": op("Ask for a reset mail.", false, Some("Email"), ("202", "Accepted."), &[("429", "Too many attempts.")])},
            "/account/passwords": {"post": op("Set a new password with the mailed token.", false, Some("PasswordReset"), ("200", "Changed; sessions ended."), &[("400", "Invalid token."), ("422", "Weak password.")])},
            "/sessions": {"post": op("Log in; returns the CSRF token for the session cookie.", false, Some("Credentials"), ("200", "`{\"csrf_token\"}` and the cookie."), &[("401", "invalid_credentials"), ("429", "Too many attempts.")])},
            "/sessions/current": {"delete": op("Log out.", true, None, ("204", "Logged out."), &[("401", "Not logged in.")])},
            "/me": {"get": op("The logged-in account.", true, None, ("200", "The account."), &[("401", "Not logged in.")])},
            "/me/verification": {"post": op("Verify residency against the census.", true, Some("Verification"), ("200", "Verified."), &[("401", "Not logged in."), ("422", "Not found in the census."), ("429", "Five failures today.")])},
            "/me/data": {"get": op("Download my data (GDPR).", true, None, ("200", "Everything stored about me."), &[("401", "Not logged in.")])},
            "/me/deletion": {"post": op("Delete my account.", true, Some("Password"), ("204", "Deleted."), &[("401", "Not logged in."), ("403", "Wrong password.")])},
            "/me/tokens": {"get": op("My personal access tokens.", true, None, ("200", "The tokens (not their secrets)."), &[("401", "Not logged in.")]),
                           "post": op("Create a personal access token (shown once).", true, Some("TokenName"), ("201", "The token."), &[("401", "Not logged in."), ("422", "Invalid name or too many.")])},
            "/me/tokens/{id}": {"delete": {"parameters": [id], "summary": "Revoke a token.", "security": [{"session": [], "csrf": []}], "responses": {"204": {"description": "Revoked."}, "404": {"description": "No such token."}}}},
            "/me/activity": {"get": op("What I proposed, opened, commented and supported.", true, None, ("200", "`{\"activity\": [...]}`"), &[("401", "Not logged in.")])},
            "/processes": {"get": op("Published processes.", false, None, ("200", "`{\"processes\": [...]}`"), &[])},
            "/processes/{slug}": {"get": {"parameters": [slug], "summary": "A published process with its phases and sanitised description.", "responses": {"200": {"description": "The process."}, "404": {"description": "not_found"}}}},
            "/processes/{slug}/proposals": {
                "get": {"parameters": list_params, "summary": "A page of proposals: `{\"proposals\", \"page\", \"per_page\", \"total\", \"sort\"}`.", "responses": {"200": {"description": "The page."}, "404": {"description": "not_found"}}},
                "post": {"parameters": [slug], "summary": "Make a proposal.", "security": [{"session": [], "csrf": []}, {"token": []}],
                         "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewProposal"}}}},
                         "responses": merge(json!({"201": {"description": "The proposal (Location header)."}}), error_responses(r))}},
            "/processes/{slug}/debates": {
                "get": {"parameters": list_params, "summary": "A page of debates.", "responses": {"200": {"description": "The page."}, "404": {"description": "not_found"}}},
                "post": {"parameters": [slug], "summary": "Open a debate.", "security": [{"session": [], "csrf": []}, {"token": []}],
                         "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewDebate"}}}},
                         "responses": merge(json!({"201": {"description": "The debate."}}), error_responses(r))}},
            "/processes/{slug}/open-data": {"get": {"parameters": [slug], "summary": "Open data of the process as JSON (no personal data).", "responses": {"200": {"description": "Proposals, debates, comments with their counts."}, "404": {"description": "not_found"}}}},
            "/processes/{slug}/open-data/{table}": {"get": {"parameters": [slug, {"name": "table", "in": "path", "required": true, "schema": {"type": "string", "enum": ["proposals", "debates", "comments"]}}],
                "summary": "One table of the open data as CSV (formula-safe).", "responses": {"200": {"description": "text/csv"}, "404": {"description": "not_found"}}}},
            "/proposals/{id}": {"get": {"parameters": [id], "summary": "A proposal with `supports_count`, `threshold`, `qualified`, and `supported` for the caller.", "responses": {"200": {"description": "The proposal."}, "404": {"description": "not_found"}}},
                                "patch": with_params(op("Edit my proposal within the edit window.", true, Some("NewProposal"), ("200", "The proposal."), r), &[&id])},
            "/proposals/{id}/withdrawal": {"post": with_params(op("Withdraw my proposal.", true, None, ("200", "Withdrawn."), r), &[&id])},
            "/proposals/{id}/support": {"post": with_params(op("Support a proposal (once per person, safe to repeat).", true, None, ("201", "Supported now; `200` when already supported. `{\"supported\", \"supports_count\"}`"), r), &[&id]),
                                        "delete": with_params(op("Take my support back while supports are open.", true, None, ("200", "`{\"supported\": false, \"supports_count\"}`"), r), &[&id])},
            "/proposals/{id}/image": {"put": with_params(json!({"summary": "The author sets the proposal's picture within the edit window: the body is the picture (PNG, JPEG, WebP or GIF, at most 5 MB).",
                "security": [{"session": [], "csrf": []}, {"token": []}],
                "requestBody": {"required": true, "content": {"image/png": {}, "image/jpeg": {}, "image/webp": {}, "image/gif": {}}},
                "responses": merge(json!({"200": {"description": "`{\"image\": \"/media/…\"}`"}, "413": {"description": "image_too_large"}}), error_responses(r))}), &[&id])},
            "/proposals/{id}/status": {"put": with_params(op("Staff (admins, evaluators): set the status with an official answer; followers are notified.", true, Some("Status"), ("200", "Saved."), r), &[&id])},
            "/debates/{id}": {"get": {"parameters": [id], "summary": "A debate.", "responses": {"200": {"description": "The debate."}, "404": {"description": "not_found"}}}},
            "/{kind}/{id}/comments": {"get": {"parameters": [kind, id, param("page", "query", "Page of threads (25 per page).")], "summary": "A page of threads, each comment followed by its replies.", "responses": {"200": {"description": "`{\"comments\", \"page\", \"threads\", \"threads_per_page\"}`"}, "404": {"description": "not_found"}}},
                                      "post": with_params(op("Comment or reply (depth ≤ 4); staff may mark an official answer.", true, Some("NewComment"), ("201", "`{\"id\"}`"), r), &[&kind, &id])},
            "/{kind}/{id}/follow": {"put": with_params(op("Follow (notifications of comments, replies, status changes).", true, None, ("200", "Following."), r), &[&kind, &id]),
                                    "delete": with_params(op("Stop following.", true, None, ("200", "Not following."), r), &[&kind, &id])},
            "/{kind}/{id}/reports": {"post": with_params(op("Report a debate, proposal, comment or citizen's budget project to the moderators (`kind`: debates, proposals, comments, budget-projects).", true, Some("Report"), ("202", "Reported."), r), &[&kind, &id])},
            "/comments/{id}": {"patch": with_params(op("Edit my comment within the edit window.", true, Some("EditComment"), ("200", "Edited."), r), &[&id]),
                               "delete": with_params(op("Delete my comment (its place in the thread stays).", true, None, ("204", "Deleted."), r), &[&id])},
            "/comments/{id}/vote": {"put": with_params(op("Vote on a comment: 1 up, -1 down, 0 none (one vote per person).", true, Some("Vote"), ("200", "`{\"upvotes\", \"downvotes\", \"mine\"}`"), r), &[&id])},
            "/search": {"get": {"parameters": [param("q", "query", "Words, \"phrases\", -excluded (at most 200 characters)."), param("kind", "query", "process, debate or proposal")],
                                "summary": "Full-text search with highlighted snippets (`snippet_html` is escaped, matches in <mark>).", "responses": {"200": {"description": "`{\"query\", \"hits\"}`"}}}},
            "/processes/{slug}/budget": {"get": {"parameters": [slug], "summary": "The process's participatory budget: currency, voting style, rule, the phase now (upcoming, accepting, reviewing, selecting, balloting, tallying, finished) and its headings with amounts in cents.", "responses": {"200": {"description": "The budget."}, "404": {"description": "not_found (no such process, or it has no budget)"}}}},
            "/budget-headings/{id}/projects": {"get": {"parameters": [id], "summary": "A heading's projects by number, with cost in cents, feasibility and whether each is on the ballot.", "responses": {"200": {"description": "`{\"projects\": [...]}`"}, "404": {"description": "not_found"}}},
                                               "post": with_params(op("Propose a project while the budget accepts projects (`phase_closed` otherwise); evaluators review it before it can go on the ballot.", true, Some("NewProject"), ("201", "`{\"id\"}`"), r), &[&id])},
            "/budget-headings/{id}/results": {"get": {"parameters": [id], "summary": "Once the budget is finished: the winners under the budget's rule, the total, and for every project its votes (online ballots plus paper votes, with `paper_votes` apart), cost and why it won or lost (`fitted`, `did_not_fit`, `bought` in a round at a share per supporter, `unaffordable` with what its supporters had left, `no_votes`). Amounts are decimal strings in the currency.", "responses": {"200": {"description": "The results."}, "403": {"description": "phase_closed (not finished yet)"}, "404": {"description": "not_found"}}}},
            "/budget-projects/{id}": {"get": {"parameters": [id], "summary": "A project: cost in cents, feasibility and its explanation, supports, paper votes, execution status and progress (winners), and its execution updates newest first (`status`, `progress`, `body`, `image` under /media/, `created_at`).", "responses": {"200": {"description": "`{\"project\", \"updates\"}`"}, "404": {"description": "not_found"}}}},
            "/budget-projects/{id}/support": {"post": with_params(op("Support a feasible project while the budget collects supports (once per person, safe to repeat; at most the budget's limit per heading: `too_many_supports`).", true, None, ("200", "`{\"supported\": true, \"supports_count\"}`"), r), &[&id]),
                                              "delete": with_params(op("Take my support back while supports are open.", true, None, ("200", "`{\"supported\": false, \"supports_count\"}`"), r), &[&id])},
            "/budget-headings/{id}/results.csv": {"get": {"parameters": [id], "summary": "The results as CSV, one project per line: number, title, cost, votes (online and paper), paper_votes (of them, on paper), selected, reason, round, amount (formula-safe cells).", "responses": {"200": {"description": "text/csv"}, "403": {"description": "phase_closed"}, "404": {"description": "not_found"}}}},
            "/budget-headings/{id}/ballot": {"get": with_params(op("My ballot in this heading: projects, total, remaining and whether it is submitted.", true, None, ("200", "The ballot."), r), &[&id]),
                                             "put": with_params(op("Make my ballot exactly these projects and, with `submit`, submit it. Checked whole on the server (`over_budget`, `too_many_projects`, `wrong_heading`, `not_on_ballot`, `below_min_spend`, `empty_ballot`, `ballot_final`); a refused ballot changes nothing.", true, Some("Ballot"), ("200", "The ballot."), r), &[&id])},
            "/openapi.json": {"get": {"summary": "This document.", "responses": {"200": {"description": "OpenAPI 3.1"}}}}
        },
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
                "token": {"type": "http", "scheme": "bearer", "description": "A personal access token from POST /me/tokens."}
            },
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
                "Registration": {"type": "object", "required": ["name", "nickname", "email", "password", "accept_terms"], "properties": {"name": {"type": "string"}, "nickname": {"type": "string"}, "email": {"type": "string"}, "password": {"type": "string"}, "language": {"type": "string"}, "accept_terms": {"type": "boolean"}, "newsletter": {"type": "boolean"}}},
                "Token": {"type": "object", "required": ["token"], "properties": {"token": {"type": "string"}}},
                "Email": {"type": "object", "required": ["email"], "properties": {"email": {"type": "string"}}},
                "PasswordReset": {"type": "object", "required": ["token", "password"], "properties": {"token": {"type": "string"}, "password": {"type": "string"}}},
                "Credentials": {"type": "object", "required": ["email", "password"], "properties": {"email": {"type": "string"}, "password": {"type": "string"}}},
                "Verification": {"type": "object", "required": ["document", "birth_date"], "properties": {"document": {"type": "string"}, "birth_date": {"type": "string", "format": "date"}}},
                "Password": {"type": "object", "required": ["password"], "properties": {"password": {"type": "string"}}},
                "TokenName": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
                "NewProposal": {"type": "object", "required": ["title", "summary"], "properties": {"title": {"type": "string", "minLength": 3, "maxLength": 200}, "summary": {"type": "string", "maxLength": 1000}, "body": {"type": "string", "maxLength": 20000}, "district": {"type": ["string", "null"]}}},
                "NewDebate": {"type": "object", "required": ["title", "body"], "properties": {"title": {"type": "string", "minLength": 3, "maxLength": 200}, "body": {"type": "string", "maxLength": 20000}, "district": {"type": ["string", "null"]}}},
                "NewComment": {"type": "object", "required": ["body"], "properties": {"body": {"type": "string", "maxLength": 5000}, "alignment": {"type": "integer", "enum": [-1, 0, 1]}, "parent_id": {"type": ["string", "null"], "format": "uuid"}, "official": {"type": "boolean"}}},
                "EditComment": {"type": "object", "required": ["body"], "properties": {"body": {"type": "string", "maxLength": 5000}}},
                "Vote": {"type": "object", "required": ["value"], "properties": {"value": {"type": "integer", "enum": [-1, 0, 1]}}},
                "Report": {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "maxLength": 1000}}},
                "NewProject": {"type": "object", "required": ["title", "description", "estimated_cost_cents"], "properties": {"title": {"type": "string", "minLength": 3, "maxLength": 200}, "description": {"type": "string", "maxLength": 20000}, "location": {"type": "string", "maxLength": 500}, "estimated_cost_cents": {"type": "integer", "minimum": 1}}},
                "Ballot": {"type": "object", "required": ["projects"], "properties": {"projects": {"type": "array", "maxItems": 1000, "items": {"type": "string", "format": "uuid"}}, "submit": {"type": "boolean"}}},
                "Status": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string", "enum": ["published", "evaluating", "accepted", "rejected"]}, "answer": {"type": "string", "maxLength": 20000}}}
            }
        }
    })
}

fn merge(mut a: Value, b: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

fn with_params(mut operation: Value, params: &[&Value]) -> Value {
    operation["parameters"] = Value::Array(params.iter().map(|p| (*p).clone()).collect());
    operation
}

/// `GET /api/v1/openapi.json`.
pub async fn serve() -> Response {
    Json(document()).into_response()
}

#[cfg(test)]
mod tests {
    use super::document;

    /// Every `/api/v1` route in `lib.rs`, with its methods.
    fn routes() -> Vec<(String, Vec<String>)> {
        let source = include_str!("lib.rs");
        let start = source.find("fn legacy_api()").unwrap_or(0);
        let end = start + source[start..].find("\n}").unwrap_or(0);
        let mut routes = Vec::new();
        for chunk in source[start..end].split(".route(").skip(1) {
            let Some(path) = chunk.split('"').nth(1) else {
                continue;
            };
            let methods = ["get", "post", "put", "patch", "delete"]
                .into_iter()
                .filter(|m| chunk.contains(&format!("{m}(")))
                .map(str::to_owned)
                .collect();
            routes.push((path.to_owned(), methods));
        }
        routes
    }

    #[test]
    fn every_api_route_is_described_with_its_methods() {
        let doc = document();
        assert_eq!(doc["openapi"], "3.1.0");
        let routes = routes();
        assert!(routes.len() > 3, "{routes:?}");
        for (path, methods) in routes {
            let described = &doc["paths"][&path];
            assert!(described.is_object(), "{path} is not described");
            for method in methods {
                assert!(
                    described[&method]["responses"].is_object(),
                    "{method} {path}"
                );
            }
        }
        for (_, schema) in doc["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
        {
            assert_eq!(schema["type"], "object");
        }
    }
}
