//! The staff console of a council (`/staff`): one's roles; for admins the
//! staff list, invitations, the census, the audit log, site settings and
//! own domains, plan and billing; organisations
//! to review; budget headings to review; the participation dashboard (and
//! its public summary, when the council publishes it). Also accepting an
//! invitation.

mod audit;
pub(crate) mod billing;
mod census;
mod console;
pub(crate) mod dashboard;
mod domains;
mod invitations;
pub(crate) mod invoices;
mod invoicing;
mod settings;

use crate::http::state::AppState;
use axum::Router;
use axum::routing::{get, post};

/// The staff console's pages, except the census upload (see
/// [`census_router`]).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff", get(console::page))
        .route("/staff/audit", get(audit::page))
        .route("/staff/dashboard", get(dashboard::page))
        .route("/staff/dashboard/{file}", get(dashboard::download))
        .route("/participation", get(dashboard::public))
        .route("/staff/invitations", post(invitations::invite))
        .route(
            "/staff/invitation",
            get(invitations::invitation_page).post(invitations::accept),
        )
        .route("/staff/verifications", post(census::verify_manually))
        .route("/staff/census/confirm", post(census::confirm))
        .route("/staff/census/cancel", post(census::cancel))
        .route("/staff/settings", get(settings::page).post(settings::save))
        .route("/staff/billing", get(billing::page))
        .route("/staff/billing/checkout", post(billing::checkout))
        .route("/staff/billing/portal", post(billing::portal))
        .route("/staff/billing/invoices/{code}", get(invoices::invoice))
        .route(
            "/staff/billing/invoicing",
            get(invoicing::page).post(invoicing::ask),
        )
        .route("/staff/domains", get(domains::page).post(domains::add))
        .route("/staff/domains/check", post(domains::check))
        .route("/staff/domains/primary", post(domains::primary))
        .route("/staff/domains/remove", post(domains::remove))
}

/// The uploads of the site's logo, coat of arms, icon and districts file,
/// which take a picture's body (see the picture routes' limit).
pub fn picture_router() -> Router<AppState> {
    Router::new()
        .route("/staff/settings/{picture}", post(settings::picture))
        .route("/staff/settings/districts", post(settings::districts))
}

/// The census upload, which takes large bodies.
pub fn census_router() -> Router<AppState> {
    Router::new().route("/staff/census", post(census::upload))
}
