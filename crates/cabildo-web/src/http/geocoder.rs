//! Placing typed addresses on the map through a Nominatim-compatible
//! geocoder (`GET {base}/search?q=…&format=jsonv2&limit=1`). Never
//! required: a lookup that fails, is slow (3 s) or finds nothing leaves the
//! place without a point, and the page says so. Answers are kept per
//! council (`cabildo_engine::places`), so an address is asked once.

use axum::body::Body;
use axum::http::{Request, header};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::time::Duration;

/// How long a lookup may take.
const TIMEOUT: Duration = Duration::from_secs(3);
/// Largest answer read.
const MOST: usize = 256 * 1024;

/// A geocoder service.
#[derive(Clone, Debug)]
pub struct Geocoder {
    base: String,
    client: Client<hyper_rustls::HttpsConnector<HttpConnector>, Body>,
}

impl Geocoder {
    /// The service at `base` (`https://nominatim.openstreetmap.org`).
    pub fn new(base: &str) -> Result<Self, String> {
        let base = base.trim().trim_end_matches('/');
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(format!("geocoder {base:?} is not an http(s) address"));
        }
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Self {
            base: base.to_owned(),
            client: Client::builder(TokioExecutor::new()).build(https),
        })
    }

    /// The point of `address`, if the service finds it in time.
    pub async fn locate(&self, address: &str) -> Option<(f64, f64)> {
        let query: String = percent_encoding::utf8_percent_encode(
            address.trim(),
            percent_encoding::NON_ALPHANUMERIC,
        )
        .collect();
        let uri = format!("{}/search?q={query}&format=jsonv2&limit=1", self.base);
        let request = Request::get(uri)
            .header(
                header::USER_AGENT,
                "Cabildo (citizen participation platform)",
            )
            .header(header::ACCEPT, "application/json")
            .body(Body::empty())
            .ok()?;
        let answer = async {
            let response = self.client.request(request).await.ok()?;
            if !response.status().is_success() {
                return None;
            }
            let body = axum::body::to_bytes(Body::new(response.into_body()), MOST)
                .await
                .ok()?;
            first_point(&body)
        };
        match tokio::time::timeout(TIMEOUT, answer).await {
            Ok(found) => found,
            Err(_) => {
                tracing::warn!("the geocoder did not answer in time");
                None
            }
        }
    }
}

/// The first result's point in a Nominatim answer (`[{"lat": "39.8",
/// "lon": "-4.0", …}]`; the numbers come as text).
fn first_point(body: &[u8]) -> Option<(f64, f64)> {
    let results: serde_json::Value = serde_json::from_slice(body).ok()?;
    let first = results.as_array()?.first()?;
    let number = |v: &serde_json::Value| {
        v.as_str()
            .and_then(|s| s.parse::<f64>().ok())
            .or_else(|| v.as_f64())
    };
    let (latitude, longitude) = (number(&first["lat"])?, number(&first["lon"])?);
    ((-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude))
        .then_some((latitude, longitude))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nominatim_answers_are_read_strictly() {
        let found = br#"[{"lat": "39.8583", "lon": "-4.0226", "display_name": "Zocodover"}]"#;
        assert_eq!(first_point(found), Some((39.8583, -4.0226)));
        assert_eq!(first_point(b"[]"), None);
        assert_eq!(first_point(br#"[{"lat": "95", "lon": "0"}]"#), None);
        assert_eq!(first_point(b"<html>"), None);
        assert!(Geocoder::new("ftp://x").is_err());
    }
}
