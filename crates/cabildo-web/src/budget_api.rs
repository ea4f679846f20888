//! The JSON API of participatory budgets under `/api/v1`: a process's
//! budget, a heading's projects, a project with its execution updates,
//! (once finished) results, and the
//! caller's ballot, read and cast whole. The same engine calls and rules as
//! the pages.

use crate::AppState;
use crate::api::{body, context};
use crate::participation::parse_id;
use crate::participation_api::{act, csv_download, not_found, read};
use crate::site::LanguageRequest;
use axum::Extension;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use cabildo_engine::budgets::ballots::{self, Ballot, Change};
use cabildo_engine::budgets::results::{Outcome, Reason, money_text, units};
use cabildo_engine::budgets::{execution, projects, setup, supports, tally};
use cabildo_engine::content::Refusal;
use cabildo_engine::opendata;
use cabildo_engine::processes;
use cabildo_tenancy::Site;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

/// `GET /api/v1/processes/{slug}/budget`: the budget, its phase now and its
/// headings.
pub async fn budget(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let found = read!(state, ctx, |tx| {
        match processes::published_by_slug(&mut tx, &slug).await? {
            Some((summary, _, _)) => setup::of_process(&mut tx, summary.id).await?,
            None => None,
        }
    });
    match found {
        Some(budget) => Json(json!(budget)).into_response(),
        None => not_found(),
    }
}

/// Whether `heading` exists and its process is published.
async fn published_heading(
    tx: &mut cabildo_tenancy::TenantTx,
    heading: Uuid,
) -> Result<bool, cabildo_engine::accounts::AccountError> {
    Ok(match setup::of_heading(tx, heading).await? {
        Some(budget) => processes::published_by_slug(tx, &budget.process_slug)
            .await?
            .is_some(),
        None => false,
    })
}

/// `GET /api/v1/budget-headings/{id}/projects`: the heading's projects, by
/// number (those on the ballot have `on_ballot`).
pub async fn projects(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let Some(heading) = parse_id(&raw) else {
        return not_found();
    };
    let list = read!(state, ctx, |tx| {
        if published_heading(&mut tx, heading).await? {
            Some(projects::of_heading(&mut tx, heading).await?)
        } else {
            None
        }
    });
    match list {
        Some(list) => Json(json!({"projects": list})).into_response(),
        None => not_found(),
    }
}

/// `GET /api/v1/budget-projects/{id}`: a project of a published process
/// with its execution updates, newest first.
pub async fn project(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let Some(id) = parse_id(&raw) else {
        return not_found();
    };
    let found = read!(state, ctx, |tx| {
        match projects::get(&mut tx, id).await? {
            Some(project) if published_heading(&mut tx, project.heading).await? => {
                Some((project, execution::updates(&mut tx, id).await?))
            }
            _ => None,
        }
    });
    match found {
        Some((project, updates)) => {
            Json(json!({"project": project, "updates": updates})).into_response()
        }
        None => not_found(),
    }
}

/// Body of `POST /api/v1/budget-headings/{id}/projects`.
#[derive(Debug, Deserialize)]
pub struct ProjectBody {
    title: String,
    description: String,
    #[serde(default)]
    location: String,
    estimated_cost_cents: i64,
}

/// `POST /api/v1/budget-headings/{id}/projects`: a citizen proposes a
/// project while the budget accepts them → 201 with its id.
pub async fn propose(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Result<Json<ProjectBody>, JsonRejection>,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let body = body!(body);
    let Some(heading) = parse_id(&raw) else {
        return not_found();
    };
    let new = projects::NewProject {
        heading,
        title: body.title,
        description: body.description,
        location: body.location,
        estimated_cost_cents: body.estimated_cost_cents,
    };
    let id = act!(state, ctx, headers, |tx, user| projects::create(
        &mut tx,
        &cabildo_engine::staff::Actor::user(user),
        Some(user),
        &new
    )
    .await?);
    (StatusCode::CREATED, Json(json!({"id": id}))).into_response()
}

/// `POST /api/v1/budget-projects/{id}/support` (and `DELETE` to take it
/// back) while the budget collects supports → `{"supported", "supports_count"}`.
pub async fn support(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    method: axum::http::Method,
    headers: HeaderMap,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let Some(project) = parse_id(&raw) else {
        return not_found();
    };
    let on = method != axum::http::Method::DELETE;
    let count = act!(keep_reads, state, ctx, headers, |tx, user| if on {
        supports::support(&mut tx, user, project).await?
    } else {
        supports::unsupport(&mut tx, user, project).await?
    });
    Json(json!({"supported": on, "supports_count": count})).into_response()
}

/// A reason's figures: its round (MES), and the name and value of its
/// amount (what remained, the share, or the supporters' money).
fn figures(reason: &Reason) -> (Option<usize>, &'static str, Option<String>) {
    match reason {
        Reason::Fitted { remaining } | Reason::DidNotFit { remaining } => {
            (None, "remaining", Some(units(*remaining)))
        }
        Reason::Bought { round, share } => (Some(*round), "share", Some(money_text(share))),
        Reason::Unaffordable { round, money } => {
            (Some(*round), "supporters_money", Some(money_text(money)))
        }
        Reason::NoVotes => (None, "", None),
    }
}

/// An outcome as JSON: winners, total and every project's reason.
fn outcome_json(outcome: &Outcome, listed: &[projects::Project]) -> Value {
    let projects: Vec<Value> = outcome
        .projects
        .iter()
        .map(|p| {
            let (round, key, amount) = figures(&p.reason);
            let mut reason = json!({"kind": p.reason.kind()});
            if let Some(round) = round {
                reason["round"] = json!(round);
            }
            if let Some(amount) = amount {
                reason[key] = json!(amount);
            }
            json!({"number": p.id, "cost": units(p.cost), "votes": p.votes,
                   "paper_votes": paper_votes(listed, &p.id), "selected": p.selected,
                   "reason": reason})
        })
        .collect();
    json!({"selected": outcome.selected, "total": units(outcome.total),
           "per_voter": outcome.per_voter.as_ref().map(money_text), "projects": projects})
}

/// The counted paper votes among a project's votes (shown apart).
pub(crate) fn paper_votes(listed: &[projects::Project], number: &str) -> i32 {
    projects::by_number(listed, number).map_or(0, |p| p.paper_votes)
}

/// `GET /api/v1/budget-headings/{id}/results`: once the budget is
/// finished, the winners with an explanation per project. Amounts are
/// decimal strings in the budget's currency ("1234.50").
pub async fn results(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let Some(heading) = parse_id(&raw) else {
        return not_found();
    };
    let (outcome, listed) = read!(state, ctx, |tx| {
        let outcome = tally::public_results(&mut tx, heading).await?;
        (outcome, projects::of_heading(&mut tx, heading).await?)
    });
    match outcome {
        Ok(outcome) => Json(outcome_json(&outcome, &listed)).into_response(),
        Err(refusal) => crate::participation_api::refused(&ctx, refusal),
    }
}

/// `GET /api/v1/budget-headings/{id}/results.csv`: the same as a table,
/// one project per line (formula-safe cells).
pub async fn results_csv(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let Some(heading) = parse_id(&raw) else {
        return not_found();
    };
    let (outcome, titles) = read!(state, ctx, |tx| {
        let outcome = tally::public_results(&mut tx, heading).await?;
        (outcome, projects::of_heading(&mut tx, heading).await?)
    });
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(refusal) => return crate::participation_api::refused(&ctx, refusal),
    };
    let mut csv =
        String::from("number,title,cost,votes,paper_votes,selected,reason,round,amount\r\n");
    for p in &outcome.projects {
        let title = projects::by_number(&titles, &p.id).map_or("", |t| t.title.as_str());
        let (round, _, amount) = figures(&p.reason);
        let (reason, round, amount) = (
            p.reason.kind(),
            round.map(|r| r.to_string()).unwrap_or_default(),
            amount.unwrap_or_default(),
        );
        let cells = [
            p.id.clone(),
            title.to_owned(),
            units(p.cost),
            p.votes.to_string(),
            paper_votes(&titles, &p.id).to_string(),
            p.selected.to_string(),
            reason.to_owned(),
            round,
            amount,
        ];
        let line: Vec<String> = cells.iter().map(|c| opendata::cell(c)).collect();
        csv.push_str(&line.join(","));
        csv.push_str("\r\n");
    }
    csv_download(csv, &format!("results-{heading}.csv"))
}

fn ballot_json(ballot: &Ballot) -> Value {
    json!({"heading": ballot.heading, "projects": ballot.projects, "total_cents": ballot.total_cents,
           "amount_cents": ballot.amount_cents, "remaining_cents": ballot.remaining_cents(),
           "max_projects": ballot.max_projects, "submitted": ballot.submitted,
           "changeable": ballot.changeable})
}

/// `GET /api/v1/budget-headings/{id}/ballot`: the caller's ballot.
pub async fn ballot(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let Some(heading) = parse_id(&raw) else {
        return not_found();
    };
    let Some(user) = ctx.visitor.session.as_ref().map(|s| s.user) else {
        return crate::api::unauthenticated();
    };
    match read!(state, ctx, |tx| ballots::get(&mut tx, user, heading)
        .await?)
    {
        Ok(ballot) => Json(ballot_json(&ballot)).into_response(),
        Err(refusal) => crate::participation_api::refused(&ctx, refusal),
    }
}

/// Body of `PUT /api/v1/budget-headings/{id}/ballot`.
#[derive(Debug, Deserialize)]
pub struct BallotBody {
    projects: Vec<String>,
    #[serde(default)]
    submit: bool,
}

/// `PUT /api/v1/budget-headings/{id}/ballot`: make the ballot exactly
/// these projects, and submit it when asked. Checked whole: a refused
/// ballot changes nothing.
pub async fn cast(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Extension(language): Extension<LanguageRequest>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Result<Json<BallotBody>, JsonRejection>,
) -> Response {
    let ctx = context!(state, site, language, headers);
    let body = body!(body);
    let Some(heading) = parse_id(&raw) else {
        return not_found();
    };
    let ids: Option<Vec<Uuid>> = body.projects.iter().map(|p| parse_id(p)).collect();
    let ballot = act!(keep_reads, state, ctx, headers, |tx, user| {
        match ids {
            None => Err(Refusal::Invalid("projects", "not_on_ballot")),
            Some(projects) => {
                let change = Change::Replace {
                    projects,
                    submit: body.submit,
                };
                ballots::change(&mut tx, user, heading, change).await?
            }
        }
    });
    Json(ballot_json(&ballot)).into_response()
}
