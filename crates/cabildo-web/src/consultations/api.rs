//! Consultations in the JSON API: the same engine calls and rules as the
//! pages. Voting needs a verified resident's account; the receipt code is
//! in the answer once and never again.

use crate::http::api::{ActErrors, ApiRoutes, Instant, ReadErrors};
use crate::http::council::ApiCouncil;
use crate::http::error::ApiError;
use crate::http::extract::{ApiCitizen, ApiJson, Id};
use axum::Json;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use cabildo_engine::consultations::board::Choices;
use cabildo_engine::consultations::{self, Consultation, Standing, Status};
use cabildo_engine::{ConsultationId, Refusal, processes};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;
use uuid::Uuid;

/// The consultation routes of the API.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .add(routes!(list))
        .add(routes!(show))
        .add(routes!(vote))
        .add(routes!(revote))
        .add(routes!(receipt))
        .add(routes!(board))
}

/// An option.
#[derive(Serialize, ToSchema)]
pub struct OptionView {
    id: Uuid,
    text: String,
}

/// A question.
#[derive(Serialize, ToSchema)]
pub struct QuestionView {
    id: Uuid,
    text: String,
    /// Most options a ballot may choose (none: a blank vote).
    max_choices: i32,
    options: Vec<OptionView>,
}

/// One option's votes.
#[derive(Serialize, ToSchema)]
pub struct OptionResultView {
    option: Uuid,
    /// Online and at the assisted desk.
    ballots: u64,
    /// On paper at polling stations.
    paper: u64,
}

/// A question's result.
#[derive(Serialize, ToSchema)]
pub struct QuestionResultView {
    question: Uuid,
    options: Vec<OptionResultView>,
    /// Blank votes: online and assisted.
    blank_ballots: u64,
    /// Blank votes on paper.
    blank_paper: u64,
}

/// Turnout in a district.
#[derive(Serialize, ToSchema)]
pub struct TurnoutView {
    district: String,
    electorate: i64,
    voted: i64,
}

/// The results, after the close.
#[derive(Serialize, ToSchema)]
pub struct ResultsView {
    /// Electronic ballots counted.
    ballots: u64,
    questions: Vec<QuestionResultView>,
    turnout: Vec<TurnoutView>,
}

/// A consultation.
#[derive(Serialize, ToSchema)]
pub struct ConsultationView {
    id: Uuid,
    process_id: Uuid,
    title: String,
    /// Markdown.
    description: String,
    /// `open` or `closed`.
    status: &'static str,
    opens_at: Instant,
    closes_at: Instant,
    /// Voters may replace their ballot with its receipt code.
    revoting: bool,
    /// The board's head now (final once closed), in hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    head: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    questions: Option<Vec<QuestionView>>,
    /// For a logged-in caller: `may_vote`, `voted`, or the code of why not.
    #[serde(skip_serializing_if = "Option::is_none")]
    standing: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    results: Option<ResultsView>,
}

fn summary(c: &Consultation) -> ConsultationView {
    ConsultationView {
        id: c.id.into(),
        process_id: c.process_id.into(),
        title: c.title.clone(),
        description: c.description.clone(),
        status: c.status.as_str(),
        opens_at: c.opens_at.into(),
        closes_at: c.closes_at.into(),
        revoting: c.revoting,
        head: None,
        questions: None,
        standing: None,
        results: None,
    }
}

/// The opened or closed consultation `id` of a published process.
async fn public(
    tx: &mut cabildo_tenancy::TenantTx,
    id: ConsultationId,
) -> Result<Consultation, ApiError> {
    consultations::find_public(tx, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The consultations of a published process (not drafts).
#[utoipa::path(get, path = "/processes/{slug}/consultations", tag = "consultations",
    params(("slug" = String, Path, description = "The process's address part.")),
    responses((status = 200, body = Vec<ConsultationView>), ReadErrors))]
async fn list(council: ApiCouncil, Id(slug): Id<String>) -> Result<impl IntoResponse, ApiError> {
    let all = council
        .tx(async |tx| {
            let (process, ..) = processes::published_by_slug(tx, &slug)
                .await?
                .ok_or(ApiError::NotFound)?;
            Ok::<_, ApiError>(consultations::list_of_process(tx, process.id).await?)
        })
        .await?;
    let views: Vec<ConsultationView> = (all.iter())
        .filter(|c| c.status != Status::Draft)
        .map(summary)
        .collect();
    Ok(Json(views))
}

/// A consultation with its questions, the board's head, the caller's
/// standing, and after the close its results.
#[utoipa::path(get, path = "/consultations/{id}", tag = "consultations",
    params(("id" = Uuid, Path, description = "The consultation's id.")),
    responses((status = 200, body = ConsultationView), ReadErrors))]
async fn show(
    council: ApiCouncil,
    Id(id): Id<ConsultationId>,
) -> Result<impl IntoResponse, ApiError> {
    let user = council.user();
    let (c, questions, standing, results) = council
        .tx(async |tx| {
            let c = public(tx, id).await?;
            let questions = consultations::questions(tx, id).await?;
            let standing = match user {
                Some(user) => Some(consultations::standing(tx, id, user).await?),
                None => None,
            };
            let results = consultations::results(tx, id).await?;
            Ok::<_, ApiError>((c, questions, standing, results))
        })
        .await?;
    let head = super::pages::head::<ApiError>(&council, &c).await?;
    let mut view = summary(&c);
    view.head = Some(head);
    view.questions = Some(
        (questions.into_iter())
            .map(|q| QuestionView {
                id: q.id.into(),
                text: q.text,
                max_choices: q.max_choices,
                options: (q.options.into_iter())
                    .map(|(id, text)| OptionView {
                        id: id.into(),
                        text,
                    })
                    .collect(),
            })
            .collect(),
    );
    view.standing = standing.map(|s| match s {
        Standing::MayVote => "may_vote".to_owned(),
        Standing::Voted(..) => "voted".to_owned(),
        Standing::MayNot(refusal) => refusal.code().to_owned(),
    });
    view.results = results.map(|r| ResultsView {
        ballots: r.tally.ballots,
        questions: (r.tally.questions.into_iter())
            .map(|q| QuestionResultView {
                question: q.question,
                options: (q.options.into_iter())
                    .map(|(option, ballots, paper)| OptionResultView {
                        option,
                        ballots,
                        paper,
                    })
                    .collect(),
                blank_ballots: q.blank.0,
                blank_paper: q.blank.1,
            })
            .collect(),
        turnout: (r.turnout.into_iter())
            .map(|t| TurnoutView {
                district: t.district,
                electorate: t.electorate,
                voted: t.voted,
            })
            .collect(),
    });
    Ok(Json(view))
}

/// A ballot.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BallotBody {
    /// Per question id, the ids of the options chosen (every question, an
    /// empty list for a blank vote).
    #[schema(value_type = Object)]
    choices: Choices,
}

/// A ballot replacing the caller's current one.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RevoteBody {
    /// The receipt code of the ballot being replaced.
    receipt: String,
    /// As in a ballot.
    #[schema(value_type = Object)]
    choices: Choices,
}

/// A vote recorded.
#[derive(Serialize, ToSchema)]
pub struct ReceiptView {
    /// The receipt code (shown this once: the platform keeps only its
    /// fingerprints).
    receipt: String,
}

/// Votes (once, while voting runs, for a resident in the electorate).
#[utoipa::path(post, path = "/consultations/{id}/votes", tag = "consultations",
    params(("id" = Uuid, Path, description = "The consultation's id.")),
    request_body = BallotBody,
    responses((status = 201, body = ReceiptView), ActErrors))]
async fn vote(
    citizen: ApiCitizen,
    Id(id): Id<ConsultationId>,
    ApiJson(body): ApiJson<BallotBody>,
) -> Result<impl IntoResponse, ApiError> {
    let user = citizen.user();
    // Not a `change`: a vote alters no cached page (the board's head may
    // lag a few seconds, as on the pages).
    let cast = citizen
        .tx(async |tx| {
            public(tx, id).await?;
            Ok::<_, ApiError>(consultations::cast(tx, id, user, &body.choices).await?)
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ReceiptView {
            receipt: cast.receipt,
        }),
    ))
}

/// Replaces the caller's vote, given its receipt code (where the
/// consultation allows it); the new receipt replaces the old one.
#[utoipa::path(post, path = "/consultations/{id}/revote", tag = "consultations",
    params(("id" = Uuid, Path, description = "The consultation's id.")),
    request_body = RevoteBody,
    responses((status = 200, body = ReceiptView), ActErrors))]
async fn revote(
    citizen: ApiCitizen,
    Id(id): Id<ConsultationId>,
    ApiJson(body): ApiJson<RevoteBody>,
) -> Result<impl IntoResponse, ApiError> {
    let user = citizen.user();
    let cast = citizen
        .tx(async |tx| {
            public(tx, id).await?;
            Ok::<_, ApiError>(
                consultations::revote(tx, id, user, &body.receipt, &body.choices).await?,
            )
        })
        .await?;
    Ok(Json(ReceiptView {
        receipt: cast.receipt,
    }))
}

/// A ballot found by its receipt code.
#[derive(Serialize, ToSchema)]
pub struct ReceiptCheckView {
    /// The day it was cast (council's time zone).
    cast_on: String,
    /// It counts (false: replaced by a later vote).
    counts: bool,
    /// Its fingerprint on the board (hex).
    receipt_hash: String,
}

/// Finds the ballot of a receipt code on the board (404 when none has it).
#[utoipa::path(get, path = "/consultations/{id}/receipts/{code}", tag = "consultations",
    params(("id" = Uuid, Path, description = "The consultation's id."),
           ("code" = String, Path, description = "The receipt code, as typed.")),
    responses((status = 200, body = ReceiptCheckView), ReadErrors))]
async fn receipt(
    council: ApiCouncil,
    axum::extract::Path((id, code)): axum::extract::Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let id: ConsultationId = id.parse().map_err(|_| ApiError::NotFound)?;
    let found = council
        .tx(async |tx| {
            public(tx, id).await?;
            Ok::<_, ApiError>(consultations::check_receipt(tx, id, &code).await?)
        })
        .await?;
    let (on, withdrawn, hash) = found.ok_or(ApiError::Refused(Refusal::ReceiptInvalid))?;
    Ok(Json(ReceiptCheckView {
        cast_on: on.to_string(),
        counts: !withdrawn,
        receipt_hash: hash,
    }))
}

/// The board of a closed consultation: the file `cabildo consultation
/// tally` recomputes the result from (format in docs/consultations.md).
#[utoipa::path(get, path = "/consultations/{id}/board", tag = "consultations",
    params(("id" = Uuid, Path, description = "The consultation's id.")),
    responses((status = 200, description = "The board (`cabildo-consultation-board/1`).", content_type = "application/json"), ReadErrors))]
async fn board(
    council: ApiCouncil,
    Id(id): Id<ConsultationId>,
) -> Result<impl IntoResponse, ApiError> {
    let board = council
        .tx(async |tx| {
            let c = public(tx, id).await?;
            if c.status != Status::Closed {
                return Err(ApiError::NotFound);
            }
            Ok::<_, ApiError>(consultations::board_of(tx, &c).await?)
        })
        .await?;
    Ok(Json(board))
}
