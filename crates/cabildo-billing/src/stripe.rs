//! Paying by card through Stripe: Checkout starts a subscription, the
//! Customer Portal changes cards and plans, and webhooks tell us what
//! happened. No card data ever reaches the platform: the council's admin
//! types it on Stripe's pages.
//!
//! Webhooks are verified on the raw body (`Stripe-Signature`: HMAC-SHA256
//! of `"{t}.{body}"` with the endpoint's secret, `t` within 5 minutes).
//! Each event id is stored once, in the same transaction as its effect,
//! so a replay changes nothing. Events may arrive in any order, so none is
//! trusted for the subscription's state: every one makes us fetch the
//! subscription as it is now from Stripe's API, under a lock on the
//! council's row, and apply that (an `updated` before its `created`, or a
//! `deleted` before an `updated`, end in the same state).

use crate::error::{BillingError, Result};
use crate::plans::{self, Plan};
use cabildo_tenancy::{Tenancy, Tenant, TenantId};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::Arc;
use stripe_billing::{Subscription, SubscriptionStatus};

/// Seconds a webhook's signature stays valid (Stripe's own tolerance).
pub const SIGNATURE_TOLERANCE: i64 = 300;

/// Days a council keeps creating new things after a missed payment.
pub const DEFAULT_GRACE_DAYS: u32 = 30;

/// Where Stripe is and how we prove who we are.
#[derive(Clone, Debug)]
pub struct StripeSettings {
    /// The secret API key (`sk_live_…`, `sk_test_…`).
    pub secret_key: String,
    /// The webhook endpoint's signing secret (`whsec_…`).
    pub webhook_secret: String,
    /// Another API base (a fake Stripe in tests and the demo), ending
    /// in `/`; Stripe's own when `None`.
    pub api_base: Option<String>,
    /// Days of grace after a missed payment.
    pub grace_days: u32,
}

/// A Stripe account to take payments with.
#[derive(Clone)]
pub struct Stripe {
    client: stripe::Client,
    webhook_secret: Arc<str>,
    grace_days: u32,
    pages: Arc<[String]>,
}

impl std::fmt::Debug for Stripe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stripe")
    }
}

/// What a webhook did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Received {
    /// Applied to a council: what its subscription is now.
    Applied {
        /// The council.
        tenant: TenantId,
        /// The event's type (`invoice.paid`).
        event: String,
        /// Stripe's status of its subscription, when the event had one.
        status: Option<String>,
        /// A missed payment (or an ended subscription) started its grace
        /// period just now: its admins are to be told.
        overdue_started: bool,
    },
    /// This event was applied before: nothing changed.
    Replay,
    /// Not about a council of ours (another product on the account).
    Ignored,
}

fn stripe_failed(error: stripe::StripeError) -> BillingError {
    BillingError::Stripe(error.to_string())
}

impl Stripe {
    /// A client for the account in `settings`.
    pub fn new(settings: &StripeSettings) -> Result<Self> {
        let mut builder = stripe::ClientBuilder::new(settings.secret_key.clone());
        if let Some(base) = &settings.api_base {
            builder = builder.url(base.clone());
        }
        let client = builder.build().map_err(stripe_failed)?;
        // Where Stripe's hosted pages are: Checkout and the portal, or the
        // fake's own address.
        let pages = match &settings.api_base {
            Some(base) => vec![base.trim_end_matches('/').to_owned()],
            None => vec![
                "https://checkout.stripe.com".to_owned(),
                "https://billing.stripe.com".to_owned(),
            ],
        };
        Ok(Self {
            client,
            webhook_secret: settings.webhook_secret.as_str().into(),
            grace_days: settings.grace_days,
            pages: pages.into(),
        })
    }

    /// The origins of Stripe's hosted pages (Checkout, the portal), which
    /// the billing page's forms lead to.
    pub fn pages(&self) -> &[String] {
        &self.pages
    }

    /// The council's Stripe customer, created (once) when it first pays.
    async fn customer(&self, tenancy: &Tenancy, tenant: &Tenant, email: &str) -> Result<String> {
        let select = "SELECT stripe_customer FROM platform.subscriptions WHERE tenant_id = $1";
        let known: Option<String> = sqlx::query_scalar(select)
            .bind(tenant.id.0)
            .fetch_optional(tenancy.pool())
            .await?;
        if let Some(customer) = known {
            return Ok(customer);
        }
        let metadata = HashMap::from([
            ("tenant".to_owned(), tenant.id.0.to_string()),
            ("slug".to_owned(), tenant.slug.to_string()),
        ]);
        let created = stripe_core::customer::CreateCustomer::new()
            .email(email)
            .name(tenant.name.clone())
            .metadata(metadata)
            .send(&self.client)
            .await
            .map_err(stripe_failed)?;
        // Two checkouts at once: the first stored wins (the other customer
        // stays unused at Stripe).
        sqlx::query(
            "INSERT INTO platform.subscriptions (tenant_id, stripe_customer) VALUES ($1, $2)
             ON CONFLICT (tenant_id) DO NOTHING",
        )
        .bind(tenant.id.0)
        .bind(created.id.as_str())
        .execute(tenancy.pool())
        .await?;
        Ok(sqlx::query_scalar(select)
            .bind(tenant.id.0)
            .fetch_one(tenancy.pool())
            .await?)
    }

    /// A Checkout session for `tenant` to pay `plan` (yearly or monthly),
    /// coming back to `back` (the council's billing page) with
    /// `?checkout=done` or `?checkout=cancelled`; the address to send the
    /// admin to. `None` when the plan cannot be paid by card that way;
    /// [`BillingError::Subscribed`] when the council pays already,
    /// [`BillingError::Invoiced`] when it pays against invoices.
    pub async fn checkout(
        &self,
        tenancy: &Tenancy,
        tenant: &Tenant,
        plan: &Plan,
        yearly: bool,
        email: &str,
        back: &str,
    ) -> Result<Option<String>> {
        let Some(prices) = &plan.stripe else {
            return Ok(None);
        };
        let price = match yearly {
            true => prices.yearly_price.clone(),
            false => Some(prices.monthly_price.clone()),
        };
        let Some(price) = price else {
            return Ok(None);
        };
        let status: Option<Option<String>> =
            sqlx::query_scalar("SELECT status FROM platform.subscriptions WHERE tenant_id = $1")
                .bind(tenant.id.0)
                .fetch_optional(tenancy.pool())
                .await?;
        if status.flatten().is_some_and(|s| paying(&s)) {
            return Err(BillingError::Subscribed);
        }
        if crate::invoices::buyer(tenancy, tenant).await?.is_some() {
            return Err(BillingError::Invoiced);
        }
        let customer = self.customer(tenancy, tenant, email).await?;
        let tenant_id = tenant.id.0.to_string();
        let mut item = stripe_checkout::checkout_session::CreateCheckoutSessionLineItems::new();
        item.price = Some(price);
        item.quantity = Some(1);
        let mut data =
            stripe_checkout::checkout_session::CreateCheckoutSessionSubscriptionData::new();
        data.metadata = Some(HashMap::from([
            ("tenant".to_owned(), tenant_id.clone()),
            ("plan".to_owned(), plan.slug.clone()),
        ]));
        let session = stripe_checkout::checkout_session::CreateCheckoutSession::new()
            .mode(stripe_checkout::CheckoutSessionMode::Subscription)
            .customer(customer)
            .client_reference_id(tenant_id.clone())
            .line_items(vec![item])
            .subscription_data(data)
            .metadata(HashMap::from([("tenant".to_owned(), tenant_id)]))
            .success_url(format!("{back}?checkout=done"))
            .cancel_url(format!("{back}?checkout=cancelled"))
            .send(&self.client)
            .await
            .map_err(stripe_failed)?;
        tracing::info!(tenant = %tenant.slug, plan = %plan.slug, "checkout started");
        Ok(session.url)
    }

    /// A Customer Portal session for `tenant` (cards, invoices, plan
    /// changes at Stripe), returning to `back`; `None` before it has paid
    /// by card.
    pub async fn portal(
        &self,
        tenancy: &Tenancy,
        tenant: &Tenant,
        back: &str,
    ) -> Result<Option<String>> {
        let customer: Option<String> = sqlx::query_scalar(
            "SELECT stripe_customer FROM platform.subscriptions WHERE tenant_id = $1",
        )
        .bind(tenant.id.0)
        .fetch_optional(tenancy.pool())
        .await?;
        let Some(customer) = customer else {
            return Ok(None);
        };
        let session = stripe_billing::billing_portal_session::CreateBillingPortalSession::new()
            .customer(customer)
            .return_url(back)
            .send(&self.client)
            .await
            .map_err(stripe_failed)?;
        Ok(Some(session.url))
    }

    /// Applies a webhook: `payload` is the raw body, `signature` its
    /// `Stripe-Signature` header. A forged or stale signature and a body
    /// that is not an event are refused ([`BillingError::Signature`],
    /// [`BillingError::Malformed`]) with nothing changed; a failure of
    /// the database or of Stripe's API is an error Stripe will retry.
    pub async fn webhook(
        &self,
        tenancy: &Tenancy,
        payload: &str,
        signature: Option<&str>,
    ) -> Result<Received> {
        verify(
            payload,
            signature.unwrap_or_default(),
            &self.webhook_secret,
            now(),
        )?;
        let event: Event =
            serde_json::from_str(payload).map_err(|e| BillingError::Malformed(e.to_string()))?;
        let object = &event.data.object;
        let Some(customer) = object["customer"].as_str() else {
            return Ok(Received::Ignored);
        };
        let subscription = subscription_of(&event.kind, object);
        let mut tx = tenancy.pool().begin().await?;
        let row: Option<(uuid::Uuid, Option<String>)> = sqlx::query_as(
            "SELECT tenant_id, stripe_subscription FROM platform.subscriptions
             WHERE stripe_customer = $1 FOR UPDATE",
        )
        .bind(customer)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((tenant, stored)) = row else {
            return Ok(Received::Ignored);
        };
        let first = sqlx::query(
            "INSERT INTO platform.stripe_events (id, type, tenant_id) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&event.id)
        .bind(&event.kind)
        .bind(tenant)
        .execute(&mut *tx)
        .await?;
        if first.rows_affected() == 0 {
            return Ok(Received::Replay);
        }
        let (mut status, mut overdue_started) = (None, false);
        if let Some(id) = subscription {
            // Its state now, whatever the event said: events come in any
            // order, and the row lock orders concurrent deliveries.
            let current = stripe_billing::subscription::RetrieveSubscription::new(id)
                .send(&self.client)
                .await
                .map_err(stripe_failed)?;
            let replaces = stored.as_deref().is_none_or(|s| s == current.id.as_str())
                || matches!(
                    current.status,
                    SubscriptionStatus::Active | SubscriptionStatus::Trialing
                );
            if replaces {
                let plans = plans::list(tenancy).await?;
                overdue_started = apply(&mut tx, tenant, &current, &plans, self.grace_days).await?;
                status = Some(current.status.as_str().to_owned());
            }
        }
        tx.commit().await?;
        if let Some(council) = tenancy.find_tenant_by_id(TenantId(tenant)).await? {
            tenancy.changed(&council).await;
        }
        tracing::info!(event = %event.kind, status = ?status, "stripe event applied");
        Ok(Received::Applied {
            tenant: TenantId(tenant),
            event: event.kind,
            status,
            overdue_started,
        })
    }
}

/// Whether a subscription in Stripe's `status` is one the council pays
/// (or owes) for: a plan change goes through the portal then.
pub fn paying(status: &str) -> bool {
    matches!(status, "active" | "trialing" | "past_due" | "unpaid")
}

/// The parts of an event we read (the rest is fetched fresh).
#[derive(serde::Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: EventData,
}

#[derive(serde::Deserialize)]
struct EventData {
    object: serde_json::Value,
}

/// The subscription an event is about.
fn subscription_of(kind: &str, object: &serde_json::Value) -> Option<String> {
    let id = if kind.starts_with("customer.subscription.") {
        &object["id"]
    } else if kind.starts_with("invoice.") {
        let parent = &object["parent"]["subscription_details"]["subscription"];
        if parent.is_string() {
            parent
        } else {
            &object["subscription"]
        }
    } else if kind.starts_with("checkout.session.") {
        &object["subscription"]
    } else {
        &serde_json::Value::Null
    };
    id.as_str()
        .filter(|id| id.starts_with("sub_"))
        .map(str::to_owned)
}

/// Stores the subscription's state and what it means for the council:
/// paying puts it on the subscribed plan and lifts any hold; a missed
/// payment or an ended subscription starts the grace period (once:
/// whether it started now).
async fn apply(
    tx: &mut sqlx::PgConnection,
    tenant: uuid::Uuid,
    subscription: &Subscription,
    plans: &[plans::StoredPlan],
    grace_days: u32,
) -> Result<bool> {
    let items = &subscription.items.data;
    let paid_through = (items.iter().map(|i| i.current_period_end).max())
        .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok());
    let price = items.first().map(|i| i.price.id.as_str().to_owned());
    let plan = plans.iter().map(|s| &s.plan).find(|p| {
        p.stripe
            .as_ref()
            .is_some_and(|s| Some(&s.monthly_price) == price.as_ref() || s.yearly_price == price)
    });
    sqlx::query(
        "UPDATE platform.subscriptions SET stripe_subscription = $2, status = $3,
             paid_through = $4, updated_at = now()
         WHERE tenant_id = $1",
    )
    .bind(tenant)
    .bind(subscription.id.as_str())
    .bind(subscription.status.as_str())
    .bind(paid_through)
    .execute(&mut *tx)
    .await?;
    let grace = i32::try_from(grace_days).unwrap_or(i32::MAX);
    match subscription.status {
        SubscriptionStatus::Active | SubscriptionStatus::Trialing => {
            let Some(plan) = plan else {
                tracing::warn!(price = ?price, "a subscription to a price no plan names");
                return Ok(false);
            };
            sqlx::query(
                "UPDATE platform.tenants SET plan = $2, entitlements = $3, trial_ends_at = NULL,
                     overdue_since = NULL, held_from = NULL, updated_at = now()
                 WHERE id = $1",
            )
            .bind(tenant)
            .bind(&plan.slug)
            .bind(sqlx::types::Json(&plan.entitlements))
            .execute(&mut *tx)
            .await?;
        }
        SubscriptionStatus::PastDue | SubscriptionStatus::Unpaid => {
            return overdue(tx, tenant, None, grace).await;
        }
        SubscriptionStatus::Canceled
        | SubscriptionStatus::IncompleteExpired
        | SubscriptionStatus::Paused => {
            // Paid up to the period's end: overdue from then.
            return overdue(tx, tenant, paid_through, grace).await;
        }
        // Incomplete (a checkout not finished) and statuses Stripe may add.
        _ => {}
    }
    Ok(false)
}

/// Starts the grace period (once: a later event keeps the first date);
/// whether it started now.
async fn overdue(
    tx: &mut sqlx::PgConnection,
    tenant: uuid::Uuid,
    from: Option<time::OffsetDateTime>,
    grace_days: i32,
) -> Result<bool> {
    // The row is locked by the webhook's transaction already.
    let before: Option<time::OffsetDateTime> =
        sqlx::query_scalar("SELECT overdue_since FROM platform.tenants WHERE id = $1")
            .bind(tenant)
            .fetch_one(&mut *tx)
            .await?;
    sqlx::query(
        "UPDATE platform.tenants
         SET overdue_since = coalesce(overdue_since, greatest($2, now())),
             held_from = coalesce(overdue_since, greatest($2, now())) + make_interval(days => $3),
             updated_at = now()
         WHERE id = $1",
    )
    .bind(tenant)
    .bind(from)
    .bind(grace_days)
    .execute(&mut *tx)
    .await?;
    Ok(before.is_none())
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Checks a `Stripe-Signature` header (`t=…,v1=…[,v1=…]`) for `payload`
/// at `now` (Unix seconds).
pub fn verify(payload: &str, header: &str, secret: &str, now: i64) -> Result<()> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.push(v),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(BillingError::Signature)?;
    let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .map_err(|_| BillingError::Signature)?;
    let mac = {
        let mut mac = mac;
        mac.update(format!("{timestamp}.{payload}").as_bytes());
        mac
    };
    let matches = signatures
        .iter()
        .any(|hex| decode_hex(hex).is_some_and(|bytes| mac.clone().verify_slice(&bytes).is_ok()));
    if !matches || (now - timestamp).abs() > SIGNATURE_TOLERANCE {
        return Err(BillingError::Signature);
    }
    Ok(())
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_made_by_stripes_own_library_verify_and_nothing_else_does() {
        let payload = r#"{"id":"evt_1","type":"invoice.paid"}"#;
        let at = 1_780_000_000;
        let header = stripe_webhook::Webhook::generate_test_header(payload, "whsec_test", Some(at));
        assert!(verify(payload, &header, "whsec_test", at + 10).is_ok());
        let forged = ["whsec_other"];
        for secret in forged {
            assert!(
                verify(payload, &header, secret, at).is_err(),
                "another secret"
            );
        }
        assert!(verify(&payload.replace("paid", "void"), &header, "whsec_test", at).is_err());
        assert!(verify(payload, &header, "whsec_test", at + SIGNATURE_TOLERANCE + 1).is_err());
        assert!(verify(payload, &header, "whsec_test", at - SIGNATURE_TOLERANCE - 1).is_err());
        assert!(verify(payload, "", "whsec_test", at).is_err());
        assert!(verify(payload, "t=1780000000,v1=zz", "whsec_test", at).is_err());
        // A header with an old and a new signature (a rolled secret).
        let both = format!("{header},v1={}", "00".repeat(32));
        assert!(verify(payload, &both, "whsec_test", at).is_ok());
    }

    #[test]
    fn events_name_their_subscription() {
        let sub = serde_json::json!({"id": "sub_1", "customer": "cus_1"});
        assert_eq!(
            subscription_of("customer.subscription.deleted", &sub).as_deref(),
            Some("sub_1")
        );
        let invoice = serde_json::json!({"id": "in_1", "parent": {"subscription_details": {"subscription": "sub_2"}}});
        assert_eq!(
            subscription_of("invoice.paid", &invoice).as_deref(),
            Some("sub_2")
        );
        let legacy = serde_json::json!({"id": "in_1", "subscription": "sub_3"});
        assert_eq!(
            subscription_of("invoice.payment_failed", &legacy).as_deref(),
            Some("sub_3")
        );
        let abandoned = serde_json::json!({"id": "cs_1", "subscription": null});
        assert_eq!(
            subscription_of("checkout.session.expired", &abandoned),
            None
        );
    }
}
