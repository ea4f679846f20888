//! `/budget-projects/{id}/place`: where a project is, in words and on the
//! map (chosen by clicking, typed, or found from the words). Its author
//! may set it while projects are accepted, staff who manage budgets at
//! any time ([`projects::place`]).

use crate::http::error::PageError;
use crate::http::extract::{Citizen, CsrfForm, Id};
use crate::places::picker::{Place, PlaceForm};
use crate::ui::chrome::Chrome;
use crate::ui::i18n::Tr;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cabildo_engine::budgets::projects;
use cabildo_engine::ids::ProjectId;
use cabildo_engine::{Error as EngineError, Field, Problem, Refusal};

#[derive(Template)]
#[template(path = "project_place.html")]
struct PlacePage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    id: String,
    title: String,
    place: Place,
    /// Refused fields and why: (field, message).
    errors: Vec<(String, String)>,
}

async fn page(
    citizen: &Citizen,
    id: ProjectId,
    form: Option<PlaceForm>,
    (status, errors): (StatusCode, Vec<(String, String)>),
) -> Result<Response, PageError> {
    let user = citizen.user();
    let project = citizen
        .tx(async |tx| {
            let project = projects::get(tx, id).await?.ok_or(PageError::NotFound)?;
            if !projects::placeable_by(tx, user, id).await? {
                return Err(PageError::Refused(Refusal::Forbidden));
            }
            Ok(project)
        })
        .await?;
    let point = project.latitude.zip(project.longitude);
    let form = form.unwrap_or_else(|| PlaceForm::of(&project.location, point));
    let page = PlacePage {
        tr: &citizen.tr,
        chrome: &citizen.chrome,
        id: id.to_string(),
        title: project.title,
        place: Place::new(citizen, form, "pp").await?,
        errors,
    };
    let shown = page.place.map.is_some();
    let rendered = citizen.render_status(status, &page)?;
    Ok(crate::places::with_map(citizen, rendered, shown))
}

/// `GET /budget-projects/{id}/place`.
pub async fn form(citizen: Citizen, Id(id): Id<ProjectId>) -> Result<Response, PageError> {
    page(&citizen, id, None, (StatusCode::OK, Vec::new())).await
}

/// `POST /budget-projects/{id}/place`: a move of the map, or the place
/// saved.
pub async fn save(
    citizen: Citizen,
    Id(id): Id<ProjectId>,
    CsrfForm(mut form): CsrfForm<PlaceForm>,
) -> Result<Response, PageError> {
    if form.moved() {
        return page(&citizen, id, Some(form), (StatusCode::OK, Vec::new())).await;
    }
    let saved = match form.point() {
        Err(()) => Err(EngineError::invalid(Field::Point, Problem::PointInvalid).into()),
        Ok(point) => {
            // Only those who may place it have the address looked up.
            let user = citizen.user();
            let allowed = citizen
                .tx(async |tx| Ok::<_, PageError>(projects::placeable_by(tx, user, id).await?))
                .await?;
            if !allowed {
                return Err(PageError::Refused(Refusal::Forbidden));
            }
            let (point, _) = crate::places::locate(&citizen, &form.address, point).await?;
            let actor = citizen.actor();
            let location = form.address.clone();
            citizen
                .change(async |tx| {
                    Ok::<_, PageError>(
                        projects::place(tx, &actor, user, id, &location, point).await?,
                    )
                })
                .await
        }
    };
    match saved {
        Ok(()) => Ok(Redirect::to(&format!("/budget-projects/{id}?done=placed")).into_response()),
        Err(error) => {
            let errors = error.field_messages(&citizen.tr);
            if errors.is_empty() {
                return Err(error);
            }
            let outcome = (StatusCode::UNPROCESSABLE_ENTITY, errors);
            page(&citizen, id, Some(form), outcome).await
        }
    }
}
