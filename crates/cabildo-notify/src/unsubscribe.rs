//! One-click unsubscribe links (RFC 8058): signed per recipient, per list
//! and per council, so they work without logging in and cannot be forged,
//! altered or replayed on another council's site.

use cabildo_tenancy::{TenancyError, TenantId, TenantTx};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use uuid::Uuid;

type HmacSha256 = Hmac<Sha256>;

/// What someone can unsubscribe from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum List {
    /// The council's newsletters.
    Newsletter,
    /// Notification emails (immediate and digests).
    Notifications,
}

impl List {
    /// The name used in links.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Newsletter => "newsletter",
            Self::Notifications => "notifications",
        }
    }

    /// Parses a link's list name.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "newsletter" => Some(Self::Newsletter),
            "notifications" => Some(Self::Notifications),
            _ => None,
        }
    }
}

/// Signs and checks unsubscribe tokens with the deployment's secret key.
#[derive(Clone)]
pub struct Signer {
    secret: Vec<u8>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(..)")
    }
}

/// The secret key is too short to be safe.
#[derive(Debug, thiserror::Error)]
#[error("CABILDO_SECRET_KEY must be at least 32 characters")]
pub struct WeakSecret;

impl Signer {
    /// A signer with `secret` (at least 32 bytes).
    pub fn new(secret: &[u8]) -> Result<Self, WeakSecret> {
        if secret.len() < 32 {
            return Err(WeakSecret);
        }
        Ok(Self {
            secret: secret.to_vec(),
        })
    }

    fn mac(&self, tenant: TenantId, user: Uuid, list: List) -> HmacSha256 {
        // Per-council key first, so a token is worthless on another council.
        let mut council = HmacSha256::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        council.update(b"cabildo:unsubscribe:");
        council.update(tenant.0.as_bytes());
        let key = council.finalize().into_bytes();
        let mut mac = HmacSha256::new_from_slice(&key)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(user.as_bytes());
        mac.update(list.as_str().as_bytes());
        mac
    }

    /// The token for `user` leaving `list` of `tenant` (128 bits, hex).
    pub fn token(&self, tenant: TenantId, user: Uuid, list: List) -> String {
        let tag = self.mac(tenant, user, list).finalize().into_bytes();
        tag[..16].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Whether `token` is right, compared in constant time.
    pub fn verify(&self, tenant: TenantId, user: Uuid, list: List, token: &str) -> bool {
        let Some(bytes) = decode_hex(token) else {
            return false;
        };
        bytes.len() == 16
            && self
                .mac(tenant, user, list)
                .verify_truncated_left(&bytes)
                .is_ok()
    }

    /// The link to put in mail: `{site_url}/unsubscribe?u=…&l=…&t=…`.
    pub fn link(&self, site_url: &str, tenant: TenantId, user: Uuid, list: List) -> String {
        format!(
            "{site_url}/unsubscribe?u={user}&l={}&t={}",
            list.as_str(),
            self.token(tenant, user, list)
        )
    }
}

/// Adds the RFC 2369 and RFC 8058 headers: mail clients then show an
/// unsubscribe button that POSTs to `link`, without a login.
pub fn add_headers(message: &mut lettre::Message, link: &str) {
    use lettre::message::header::{HeaderName, HeaderValue};
    let headers = message.headers_mut();
    headers.insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("List-Unsubscribe"),
        format!("<{link}>"),
    ));
    headers.insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
        "List-Unsubscribe=One-Click".to_owned(),
    ));
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || text.len() > 128 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Takes `user` off `list` in the transaction's council. Returns false when
/// there is no such person (already deleted) or nothing changed.
pub async fn unsubscribe(tx: &mut TenantTx, user: Uuid, list: List) -> Result<bool, TenancyError> {
    let sql = match list {
        List::Newsletter => {
            "UPDATE users SET newsletter_consent = false, newsletter_consent_at = now()
             WHERE id = $1 AND newsletter_consent"
        }
        List::Notifications => {
            "UPDATE users SET notify_email = 'none' WHERE id = $1 AND notify_email <> 'none'"
        }
    };
    let done = sqlx::query(sql).bind(user).execute(tx.conn()).await?;
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_bound_to_council_person_and_list() {
        let signer = Signer::new(&[7u8; 32]).expect("signer");
        let (a, b) = (TenantId(Uuid::new_v4()), TenantId(Uuid::new_v4()));
        let user = Uuid::new_v4();
        let token = signer.token(a, user, List::Newsletter);
        assert_eq!(token.len(), 32);
        assert!(signer.verify(a, user, List::Newsletter, &token));
        assert!(
            !signer.verify(b, user, List::Newsletter, &token),
            "another council"
        );
        assert!(
            !signer.verify(a, Uuid::new_v4(), List::Newsletter, &token),
            "another person"
        );
        assert!(
            !signer.verify(a, user, List::Notifications, &token),
            "another list"
        );
        let mut tampered = token.clone().into_bytes();
        tampered[0] = if tampered[0] == b'0' { b'1' } else { b'0' };
        assert!(!signer.verify(
            a,
            user,
            List::Newsletter,
            &String::from_utf8(tampered).expect("ascii")
        ));
        for junk in ["", "zz", "0", &"0".repeat(200), "ñ"] {
            assert!(!signer.verify(a, user, List::Newsletter, junk), "{junk:?}");
        }
        let other_key = Signer::new(&[8u8; 32]).expect("signer");
        assert!(!other_key.verify(a, user, List::Newsletter, &token));
        assert!(Signer::new(b"short").is_err());
    }
}
