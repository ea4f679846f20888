//! The app on a fresh database with the demo councils, and requests sent
//! to it in-process.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use cabildo_tenancy::testing::fresh_tenancy;
use cabildo_tenancy::{CouncilSpec, Resolver, ResolverConfig, Tenancy, TenantMigrations};
use cabildo_web::WebConfig;
use tower::ServiceExt;

pub const BASE: &str = "cabildo.test";

/// A fresh database with the demo councils (toledo, talavera) applied.
pub async fn demo_tenancy() -> Tenancy {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    apply_demo(&tenancy).await;
    tenancy
}

/// Applies the demo councils (toledo, talavera) to a migrated platform.
pub async fn apply_demo(tenancy: &Tenancy) {
    for file in ["toledo", "talavera"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../../tenants/{file}.toml"));
        let valid = CouncilSpec::from_file(&path).expect("spec");
        tenancy
            .apply(&valid, &TenantMigrations::embedded())
            .await
            .expect("apply");
    }
}

pub fn app(tenancy: &Tenancy, config: WebConfig) -> Router {
    let resolver = Resolver::new(tenancy.clone(), ResolverConfig::new(BASE));
    cabildo_web::router(tenancy.clone(), resolver, config)
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    /// The body as sent (files that are not text).
    pub bytes: axum::body::Bytes,
}

pub async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response: Response<Body> = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 10 << 20)
        .await
        .expect("body");
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
    }
}

pub async fn get(app: &Router, host: &str, path: &str) -> Answer {
    send(
        app,
        Request::get(path)
            .header("host", host)
            .body(Body::empty())
            .expect("request"),
    )
    .await
}
