//! A fake Stripe on loopback, for tests and the demo without the internet:
//! the HTTP endpoints Cabildo's billing calls (customers, Checkout
//! sessions, billing portal sessions, subscriptions), answering with
//! objects shaped as Stripe's API reference gives them (every field the
//! `async-stripe` types require), hosted Checkout and portal pages a
//! browser can click through, and webhooks sent over real HTTP, signed
//! with Stripe's algorithm (`Stripe-Signature: t=…,v1=HMAC-SHA256(secret,
//! "{t}.{body}")`) and retried on failure as Stripe does (quicker).
//!
//! Tests drive what Stripe would do on its own: a checkout paid, a renewal
//! that fails, a subscription cancelled. Each returns the events it
//! produced, recorded in order; tests may deliver them in another order,
//! twice, or not at all.

use crate::http::{Request, Response};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Days in a monthly period, as the fake counts them.
const MONTH_DAYS: i64 = 30;

/// What the fake holds: Stripe's side of every object.
#[derive(Default)]
struct Books {
    /// Prices by id: (unit amount in cents, `month` or `year`).
    prices: BTreeMap<String, (i64, String)>,
    customers: BTreeMap<String, Value>,
    sessions: BTreeMap<String, Value>,
    subscriptions: BTreeMap<String, Value>,
    events: Vec<Value>,
    /// Where webhooks go (`http://host:port/path`).
    webhook_url: Option<String>,
    /// Requests answered, as `METHOD /path` (what tests assert on).
    requests: Vec<String>,
}

struct Shared {
    secret_key: String,
    webhook_secret: String,
    books: Mutex<Books>,
    /// Attempts per webhook and the wait between them.
    retries: (u32, Duration),
}

impl Shared {
    fn books(&self) -> std::sync::MutexGuard<'_, Books> {
        self.books.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The server; it stops when dropped.
pub struct FakeStripe {
    address: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeStripe {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::new_v4().simple())
}

/// Stripe's signature header for `payload` sent at `timestamp`.
pub fn signature(secret: &str, payload: &str, timestamp: i64) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(format!("{timestamp}.{payload}").as_bytes());
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={timestamp},v1={hex}")
}

impl FakeStripe {
    /// Starts on a free loopback port, accepting `secret_key` (as Stripe's
    /// `sk_test_…`) and signing webhooks with `webhook_secret`.
    pub async fn start(secret_key: &str, webhook_secret: &str) -> anyhow::Result<Self> {
        Self::start_with_retries(secret_key, webhook_secret, 8, Duration::from_millis(250)).await
    }

    /// As [`FakeStripe::start`], trying each webhook `attempts` times,
    /// `wait` apart (Stripe retries for three days; tests cannot wait).
    pub async fn start_with_retries(
        secret_key: &str,
        webhook_secret: &str,
        attempts: u32,
        wait: Duration,
    ) -> anyhow::Result<Self> {
        let shared = Arc::new(Shared {
            secret_key: secret_key.to_owned(),
            webhook_secret: webhook_secret.to_owned(),
            books: Mutex::new(Books::default()),
            retries: (attempts.max(1), wait),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let served = shared.clone();
        let task = tokio::spawn(crate::http::serve(listener, move |request| {
            let shared = served.clone();
            async move { route(&shared, request).await }
        }));
        Ok(Self {
            address,
            shared,
            task,
        })
    }

    /// The API's base URL, for the client's base-URL setting (ends in `/`).
    pub fn api_base(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// Sends webhooks to `url` (`http://127.0.0.1:8080/webhooks/stripe`).
    pub fn set_webhook_url(&self, url: &str) {
        self.shared.books().webhook_url = Some(url.to_owned());
    }

    /// Adds a recurring price (as created in Stripe's dashboard): `id`
    /// costs `cents` each `interval` (`month` or `year`).
    pub fn add_price(&self, id: &str, cents: u64, interval: &str) {
        let cents = i64::try_from(cents).unwrap_or(i64::MAX);
        (self.shared.books().prices).insert(id.to_owned(), (cents, interval.to_owned()));
    }

    /// Customers created, by id.
    pub fn customers(&self) -> Vec<Value> {
        self.shared.books().customers.values().cloned().collect()
    }

    /// Checkout sessions created.
    pub fn sessions(&self) -> Vec<Value> {
        self.shared.books().sessions.values().cloned().collect()
    }

    /// The subscription `id` as Stripe holds it.
    pub fn subscription(&self, id: &str) -> Option<Value> {
        self.shared.books().subscriptions.get(id).cloned()
    }

    /// Every event produced, in order.
    pub fn events(&self) -> Vec<Value> {
        self.shared.books().events.clone()
    }

    /// API requests answered (`POST /v1/customers`), in order.
    pub fn requests(&self) -> Vec<String> {
        self.shared.books().requests.clone()
    }

    /// The customer paid checkout session `id`: its subscription starts,
    /// active for a period. The events, not yet delivered:
    /// `checkout.session.completed`, `customer.subscription.created`,
    /// `invoice.paid`.
    pub fn complete_checkout(&self, id: &str) -> anyhow::Result<Vec<Value>> {
        complete(&self.shared, id)
    }

    /// A renewal fails: the subscription is `past_due`
    /// (`invoice.payment_failed`, `customer.subscription.updated`).
    pub fn fail_payment(&self, subscription: &str) -> anyhow::Result<Vec<Value>> {
        let mut books = self.shared.books();
        let sub = subscription_mut(&mut books, subscription)?;
        sub["status"] = json!("past_due");
        let (sub, invoice) = (sub.clone(), invoice(sub, "open"));
        Ok(vec![
            event(&mut books, "invoice.payment_failed", invoice),
            event(&mut books, "customer.subscription.updated", sub),
        ])
    }

    /// A renewal is paid: active for another period (`invoice.paid`,
    /// `customer.subscription.updated`).
    pub fn renew(&self, subscription: &str) -> anyhow::Result<Vec<Value>> {
        let mut books = self.shared.books();
        let sub = subscription_mut(&mut books, subscription)?;
        sub["status"] = json!("active");
        let item = &mut sub["items"]["data"][0];
        let end = item["current_period_end"].as_i64().unwrap_or_else(now);
        let days = period_days(item);
        item["current_period_start"] = json!(end);
        item["current_period_end"] = json!(end + days * 86_400);
        let (sub, invoice) = (sub.clone(), invoice(sub, "paid"));
        Ok(vec![
            event(&mut books, "invoice.paid", invoice),
            event(&mut books, "customer.subscription.updated", sub),
        ])
    }

    /// The subscription ends now (`customer.subscription.deleted`).
    pub fn cancel(&self, subscription: &str) -> anyhow::Result<Vec<Value>> {
        let mut books = self.shared.books();
        let sub = subscription_mut(&mut books, subscription)?;
        sub["status"] = json!("canceled");
        sub["canceled_at"] = json!(now());
        sub["ended_at"] = json!(now());
        let sub = sub.clone();
        Ok(vec![event(
            &mut books,
            "customer.subscription.deleted",
            sub,
        )])
    }

    /// Delivers `event` once, signed now; the answer's status.
    pub async fn deliver_once(&self, event: &Value) -> anyhow::Result<u16> {
        deliver_once(&self.shared, event).await
    }

    /// Delivers `events` in order, each retried as Stripe would until it
    /// is answered 2xx (or the attempts run out: the last status).
    pub async fn deliver(&self, events: &[Value]) -> anyhow::Result<Vec<u16>> {
        let mut statuses = Vec::with_capacity(events.len());
        for event in events {
            statuses.push(deliver(&self.shared, event).await?);
        }
        Ok(statuses)
    }

    /// Signs `payload` as sent at `timestamp`, with the fake's secret.
    pub fn sign(&self, payload: &str, timestamp: i64) -> String {
        signature(&self.shared.webhook_secret, payload, timestamp)
    }
}

fn period_days(item: &Value) -> i64 {
    match item["price"]["recurring"]["interval"].as_str() {
        Some("year") => 365,
        _ => MONTH_DAYS,
    }
}

fn subscription_mut<'a>(books: &'a mut Books, id: &str) -> anyhow::Result<&'a mut Value> {
    books
        .subscriptions
        .get_mut(id)
        .ok_or_else(|| anyhow::anyhow!("no subscription {id}"))
}

fn event(books: &mut Books, kind: &str, object: Value) -> Value {
    let event = json!({
        "id": new_id("evt"),
        "object": "event",
        "api_version": "2025-11-17.clover",
        "created": now(),
        "data": {"object": object},
        "livemode": false,
        "pending_webhooks": 1,
        "request": {"id": null, "idempotency_key": null},
        "type": kind,
    });
    books.events.push(event.clone());
    event
}

/// An invoice of `sub`'s current period, `status` `paid` or `open`.
fn invoice(sub: &Value, status: &str) -> Value {
    let item = &sub["items"]["data"][0];
    let amount = item["price"]["unit_amount"].as_i64().unwrap_or(0);
    json!({
        "id": new_id("in"),
        "object": "invoice",
        "customer": sub["customer"],
        "status": status,
        "currency": sub["currency"],
        "amount_due": amount,
        "amount_paid": if status == "paid" { amount } else { 0 },
        "period_start": item["current_period_start"],
        "period_end": item["current_period_end"],
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": sub["id"], "metadata": sub["metadata"]},
        },
        "created": now(),
        "livemode": false,
    })
}

fn complete(shared: &Shared, id: &str) -> anyhow::Result<Vec<Value>> {
    let mut books = shared.books();
    let session =
        (books.sessions.get(id).cloned()).ok_or_else(|| anyhow::anyhow!("no session {id}"))?;
    if session["status"] != "open" {
        anyhow::bail!("session {id} is {}", session["status"]);
    }
    let created = now();
    let sub_id = new_id("sub");
    let price_id = session["line_items"][0]["price"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (amount, interval) = (books.prices.get(&price_id).cloned())
        .ok_or_else(|| anyhow::anyhow!("no price {price_id}"))?;
    let days = if interval == "year" { 365 } else { MONTH_DAYS };
    let price = json!({
        "id": price_id, "object": "price", "active": true, "billing_scheme": "per_unit",
        "created": created, "currency": "eur", "livemode": false, "metadata": {},
        "product": format!("prod_{}", price_id.trim_start_matches("price_")),
        "recurring": {"interval": interval, "interval_count": 1, "usage_type": "licensed"},
        "type": "recurring", "unit_amount": amount,
    });
    let plan = json!({
        "id": price_id, "object": "plan", "active": true, "billing_scheme": "per_unit",
        "created": created, "currency": "eur", "interval": interval, "interval_count": 1,
        "livemode": false, "usage_type": "licensed", "amount": amount,
    });
    let subscription = json!({
        "id": sub_id,
        "object": "subscription",
        "automatic_tax": {"enabled": false},
        "billing_cycle_anchor": created,
        "billing_mode": {"type": "classic"},
        "billing_schedules": [],
        "cancel_at_period_end": false,
        "collection_method": "charge_automatically",
        "created": created,
        "currency": "eur",
        "customer": session["customer"],
        "discounts": [],
        "invoice_settings": {"issuer": {"type": "self"}},
        "items": {
            "object": "list",
            "data": [{
                "id": new_id("si"), "object": "subscription_item", "created": created,
                "current_period_start": created, "current_period_end": created + days * 86_400,
                "discounts": [], "metadata": {}, "plan": plan, "price": price, "quantity": 1,
                "subscription": sub_id,
            }],
            "has_more": false,
            "url": format!("/v1/subscription_items?subscription={sub_id}"),
        },
        "livemode": false,
        "metadata": session["subscription_data"]["metadata"].clone(),
        "start_date": created,
        "status": "active",
    });
    books
        .subscriptions
        .insert(sub_id.clone(), subscription.clone());
    let session = books
        .sessions
        .get_mut(id)
        .ok_or_else(|| anyhow::anyhow!("no session {id}"))?;
    session["status"] = json!("complete");
    session["payment_status"] = json!("paid");
    session["subscription"] = json!(sub_id);
    let session = session.clone();
    let paid = invoice(&subscription, "paid");
    Ok(vec![
        event(&mut books, "checkout.session.completed", session),
        event(&mut books, "customer.subscription.created", subscription),
        event(&mut books, "invoice.paid", paid),
    ])
}

async fn deliver(shared: &Shared, event: &Value) -> anyhow::Result<u16> {
    let (attempts, wait) = shared.retries;
    let mut last = 0;
    for attempt in 0..attempts {
        if attempt > 0 {
            tokio::time::sleep(wait).await;
        }
        match deliver_once(shared, event).await {
            Ok(status) if (200..300).contains(&status) => return Ok(status),
            Ok(status) => last = status,
            Err(error) => tracing::debug!(%error, "a webhook could not be delivered"),
        }
    }
    Ok(last)
}

/// One POST over HTTP/1.1, as Stripe sends it; the status answered.
async fn deliver_once(shared: &Shared, event: &Value) -> anyhow::Result<u16> {
    let url = (shared.books().webhook_url.clone())
        .ok_or_else(|| anyhow::anyhow!("no webhook URL set"))?;
    let rest = (url.strip_prefix("http://")).ok_or_else(|| anyhow::anyhow!("http:// only"))?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let body = event.to_string();
    let signed = signature(&shared.webhook_secret, &body, now());
    let mut stream = tokio::net::TcpStream::connect(authority).await?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: Stripe/1.0 (+https://stripe.com/docs/webhooks)\r\nContent-Type: application/json; charset=utf-8\r\nStripe-Signature: {signed}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    let status = String::from_utf8_lossy(&answer)
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no HTTP status in the answer"))?;
    Ok(status)
}

/// Form fields as Stripe's clients send them (`metadata[tenant]=…`).
fn form(body: &str) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The fields under `prefix[…]` as an object (`metadata`).
fn nested(fields: &BTreeMap<String, String>, prefix: &str) -> Value {
    let start = format!("{prefix}[");
    let map: serde_json::Map<String, Value> = fields
        .iter()
        .filter_map(|(k, v)| {
            let key = k.strip_prefix(&start)?.strip_suffix(']')?;
            (!key.contains('[')).then(|| (key.to_owned(), json!(v)))
        })
        .collect();
    Value::Object(map)
}

fn stripe_error(status: u16, message: &str) -> Response {
    let body = json!({"error": {"type": "invalid_request_error", "message": message}});
    Response::json(status, &body)
}

/// Answers one request, as Stripe's API and hosted pages would.
async fn route(shared: &Arc<Shared>, request: Request) -> Response {
    let segments: Vec<&str> = request.path.trim_matches('/').split('/').collect();
    match (request.method.as_str(), segments.as_slice()) {
        ("POST", ["v1", "customers"]) => api(shared, &request, create_customer),
        ("POST", ["v1", "checkout", "sessions"]) => api(shared, &request, create_session),
        ("GET", ["v1", "checkout", "sessions", id]) => {
            let id = (*id).to_owned();
            api(shared, &request, move |shared, _| get_session(shared, &id))
        }
        ("POST", ["v1", "billing_portal", "sessions"]) => api(shared, &request, create_portal),
        ("GET", ["v1", "subscriptions", id]) => {
            let id = (*id).to_owned();
            api(shared, &request, move |shared, _| {
                get_subscription(shared, &id)
            })
        }
        ("GET", ["checkout", id]) => checkout_page(shared, id),
        ("POST", ["checkout", id, "pay"]) => checkout_pay(shared, id),
        ("GET", ["portal", _]) => portal_page(&request),
        _ => stripe_error(404, "Unrecognized request URL"),
    }
}

/// An API call: the key checked, the request recorded, then `answer`.
fn api(
    shared: &Arc<Shared>,
    request: &Request,
    answer: impl FnOnce(&Shared, &Request) -> Response,
) -> Response {
    let key = (request.header("authorization")).map(|v| v.trim_start_matches("Bearer "));
    if key != Some(shared.secret_key.as_str()) {
        return stripe_error(401, "Invalid API Key provided");
    }
    let line = format!("{} {}", request.method, request.path);
    shared.books().requests.push(line);
    answer(shared, request)
}

fn create_customer(shared: &Shared, request: &Request) -> Response {
    let fields = form(&request.body);
    let customer = json!({
        "id": new_id("cus"),
        "object": "customer",
        "created": now(),
        "email": fields.get("email"),
        "name": fields.get("name"),
        "livemode": false,
        "metadata": nested(&fields, "metadata"),
    });
    let id = customer["id"].as_str().unwrap_or_default().to_owned();
    shared.books().customers.insert(id, customer.clone());
    Response::json(200, &customer)
}

fn create_session(shared: &Shared, request: &Request) -> Response {
    let fields = form(&request.body);
    let customer = fields.get("customer").cloned().unwrap_or_default();
    if !shared.books().customers.contains_key(&customer) {
        return stripe_error(400, "No such customer");
    }
    let Some(price) = fields.get("line_items[0][price]") else {
        return stripe_error(400, "line_items[0][price] is required");
    };
    let Some((amount, _)) = shared.books().prices.get(price).cloned() else {
        return stripe_error(400, &format!("No such price: '{price}'"));
    };
    if fields.get("mode").map(String::as_str) != Some("subscription") {
        return stripe_error(400, "mode must be subscription");
    }
    let id = new_id("cs_test");
    let host = request.header("host").unwrap_or_default();
    let created = now();
    let session = json!({
        "id": id,
        "object": "checkout.session",
        "automatic_tax": {"enabled": false},
        "amount_total": amount,
        "cancel_url": fields.get("cancel_url"),
        "client_reference_id": fields.get("client_reference_id"),
        "created": created,
        "currency": "eur",
        "custom_fields": [],
        "custom_text": {},
        "customer": customer,
        "expires_at": created + 86_400,
        "line_items": [{"price": price, "quantity": 1}],
        "livemode": false,
        "metadata": nested(&fields, "metadata"),
        "mode": "subscription",
        "payment_method_types": ["card"],
        "payment_status": "unpaid",
        "shipping_options": [],
        "status": "open",
        "subscription": null,
        "subscription_data": {"metadata": nested(&fields, "subscription_data[metadata]")},
        "success_url": fields.get("success_url"),
        "url": format!("http://{host}/checkout/{id}"),
    });
    shared.books().sessions.insert(id, session.clone());
    Response::json(200, &public_session(&session))
}

/// A session as the API answers it (`line_items` and `subscription_data`
/// are request-side only).
fn public_session(session: &Value) -> Value {
    let mut public = session.clone();
    if let Some(map) = public.as_object_mut() {
        map.remove("line_items");
        map.remove("subscription_data");
    }
    public
}

fn get_session(shared: &Shared, id: &str) -> Response {
    match shared.books().sessions.get(id) {
        Some(session) => Response::json(200, &public_session(session)),
        None => stripe_error(404, "No such checkout.session"),
    }
}

fn create_portal(shared: &Shared, request: &Request) -> Response {
    let fields = form(&request.body);
    let customer = fields.get("customer").cloned().unwrap_or_default();
    if !shared.books().customers.contains_key(&customer) {
        return stripe_error(400, "No such customer");
    }
    let id = new_id("bps");
    let host = request.header("host").unwrap_or_default();
    let return_url = fields.get("return_url").cloned().unwrap_or_default();
    let back: String = url::form_urlencoded::byte_serialize(return_url.as_bytes()).collect();
    let portal = json!({
        "id": id,
        "object": "billing_portal.session",
        "configuration": "bpc_fake",
        "created": now(),
        "customer": customer,
        "livemode": false,
        "return_url": return_url,
        "url": format!("http://{host}/portal/{id}?return={back}"),
    });
    Response::json(200, &portal)
}

fn get_subscription(shared: &Shared, id: &str) -> Response {
    match shared.books().subscriptions.get(id) {
        Some(sub) => Response::json(200, sub),
        None => stripe_error(404, "No such subscription"),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
}

/// The hosted Checkout page: what is bought, and a button to pay with a
/// test card (no card field: the fake takes no card data either).
fn checkout_page(shared: &Shared, id: &str) -> Response {
    let Some(session) = shared.books().sessions.get(id).cloned() else {
        return Response::text(404, "No such checkout session");
    };
    let amount = session["amount_total"].as_i64().unwrap_or(0);
    let cancel = escape(session["cancel_url"].as_str().unwrap_or("/"));
    let item = escape(
        session["line_items"][0]["price"]
            .as_str()
            .unwrap_or_default(),
    );
    let id = escape(id);
    Response::html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>Checkout (test mode)</title></head>\
         <body><main><h1>Checkout (test mode)</h1><p>Subscription <strong>{item}</strong>: {}.{:02} EUR</p>\
         <form method=\"post\" action=\"/checkout/{id}/pay\"><button type=\"submit\" id=\"pay\">Pay with test card 4242</button></form>\
         <p><a href=\"{cancel}\" id=\"back\">Back</a></p></main></body></html>",
        amount / 100,
        amount % 100
    ))
}

/// Paying on the hosted page: the subscription starts, the webhooks go
/// out (in the background, retried), and the browser returns to the
/// council's success address.
fn checkout_pay(shared: &Arc<Shared>, id: &str) -> Response {
    let success = (shared.books().sessions.get(id))
        .and_then(|s| s["success_url"].as_str().map(str::to_owned));
    let Some(success) = success else {
        return Response::text(404, "No such checkout session");
    };
    match complete(shared, id) {
        Ok(events) => {
            let shared = shared.clone();
            // Stripe sends webhooks while the browser is on its way back.
            tokio::spawn(async move {
                for event in &events {
                    if let Err(error) = deliver(&shared, event).await {
                        tracing::warn!(%error, "a webhook could not be delivered");
                    }
                }
            });
            Response::see_other(&success.replace("{CHECKOUT_SESSION_ID}", id))
        }
        Err(error) => Response::text(409, &error.to_string()),
    }
}

/// The hosted portal: where card and plan changes happen at Stripe.
fn portal_page(request: &Request) -> Response {
    let query = form(&request.query);
    let back = escape(query.get("return").map_or("/", String::as_str));
    Response::html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Billing portal (test mode)</title></head>\
         <body><main><h1>Billing portal (test mode)</h1><p>Cards and invoices are managed here.</p><p><a href=\"{back}\" id=\"back\">Return</a></p></main></body></html>"
    ))
}
