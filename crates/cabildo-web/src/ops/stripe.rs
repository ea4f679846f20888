//! `POST /webhooks/stripe`: Stripe tells us what happened to councils'
//! subscriptions. Answered on any host, before a site is resolved: Stripe
//! calls one address for the whole platform, and the signature, not the
//! host, says who is calling. The answer is what Stripe acts on: 2xx is
//! done, 400 is never retried (a forged or stale signature, a body that is
//! not an event), 503 is retried for days (the database or Stripe's API
//! failed: nothing was stored, so the retry applies it whole).

use crate::http::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use cabildo_billing::BillingError;
use cabildo_billing::stripe::Received;
use cabildo_tenancy::TenantId;
use tower_http::limit::RequestBodyLimitLayer;

/// Largest event accepted (Stripe's are far smaller).
const EVENT_LIMIT: usize = 1024 * 1024;

/// The webhook route.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/webhooks/stripe", post(webhook))
        .layer(RequestBodyLimitLayer::new(EVENT_LIMIT))
}

async fn webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(stripe) = &state.config.stripe else {
        return (StatusCode::NOT_FOUND, "card payments are not set up").into_response();
    };
    let Ok(payload) = std::str::from_utf8(&body) else {
        return (StatusCode::BAD_REQUEST, "not UTF-8").into_response();
    };
    let signature = (headers.get("stripe-signature")).and_then(|v| v.to_str().ok());
    match stripe.webhook(&state.tenancy, payload, signature).await {
        Ok(received) => {
            if let Received::Applied {
                tenant,
                event,
                status: Some(status),
                overdue_started,
            } = &received
            {
                record(&state, *tenant, event, status, *overdue_started).await;
            }
            let replay = received == Received::Replay;
            axum::Json(serde_json::json!({"received": true, "replay": replay})).into_response()
        }
        Err(BillingError::Signature) => {
            tracing::warn!("a Stripe webhook with a signature that does not verify");
            (StatusCode::BAD_REQUEST, "signature does not verify").into_response()
        }
        Err(BillingError::Malformed(reason)) => (
            StatusCode::BAD_REQUEST,
            format!("not a Stripe event: {reason}"),
        )
            .into_response(),
        Err(error) => {
            tracing::warn!(%error, "a Stripe webhook failed; Stripe will retry it");
            (StatusCode::SERVICE_UNAVAILABLE, "try again later").into_response()
        }
    }
}

/// Writes what a subscription change did into the council's audit log
/// and, when a payment was just missed, mails its admins (staff pages say
/// so too: a failure here is logged, not retried).
async fn record(
    state: &AppState,
    tenant: TenantId,
    event: &str,
    status: &str,
    overdue_started: bool,
) {
    let recorded = async {
        let Some(council) = state.tenancy.find_tenant_by_id(tenant).await? else {
            return Ok(0);
        };
        let mut tx = state.tenancy.begin(&council).await?;
        let actor = cabildo_engine::staff::Actor("stripe".into());
        let details = serde_json::json!({"event": event});
        cabildo_engine::staff::audit(
            &mut tx,
            &actor,
            "billing.subscription",
            Some(status),
            details,
        )
        .await?;
        let told = match overdue_started {
            true => {
                cabildo_engine::staff::mail_admins(&mut tx, "billing-overdue", "/staff/billing")
                    .await?
            }
            false => 0,
        };
        tx.commit().await?;
        Ok::<_, cabildo_engine::Error>(told)
    };
    match recorded.await {
        Ok(0) => {}
        Ok(admins) => tracing::info!(admins, "admins told of a missed payment"),
        Err(error) => tracing::warn!(%error, "a subscription change could not be recorded"),
    }
}
