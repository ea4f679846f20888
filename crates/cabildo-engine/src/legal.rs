//! A council's legal pages: legal notice (LSSI), privacy policy (RGPD and
//! LOPDGDD), terms of use, accessibility statement (RD 1112/2018) and
//! cookie statement. Each starts as a default text in every interface
//! language, filled from the council's legal contact details; admins may
//! replace it per language. Once any language has been edited, a visitor
//! whose language has no edited text reads the default language's edited
//! text (the council's word), not the untouched default in theirs.

use crate::audit::{Actor, audit};
use crate::error::{Error, Field, Problem, Result};
use crate::ids::UserId;
use crate::staff::{self, Permission};
use crate::stored::stored;
use cabildo_tenancy::{LegalContact, TenantTx};
use time::OffsetDateTime;

stored! {
    /// Which legal page.
    pub enum LegalKind {
        /// Aviso legal: who runs the site (LSSI art. 10).
        Notice = "legal-notice",
        /// Política de privacidad (RGPD art. 13).
        Privacy = "privacy",
        /// Condiciones de uso.
        Terms = "terms",
        /// Declaración de accesibilidad (RD 1112/2018).
        Accessibility = "accessibility",
        /// Política de cookies (only technically necessary ones).
        Cookies = "cookies",
    }
}

/// Longest legal text, in characters.
pub const MAX_CHARS: usize = 100_000;

/// What fills the default texts' placeholders.
pub struct Filling<'a> {
    /// The council's name.
    pub council: &'a str,
    /// Its legal contact details.
    pub contact: &'a LegalContact,
    /// The site's address (`toledo.cabildo.es`).
    pub site: &'a str,
    /// When the accessibility statement was prepared (the council's local
    /// date, as the reader writes dates).
    pub statement_date: &'a str,
    /// Shown for a detail the council has not given yet.
    pub missing: &'a str,
}

/// The default Markdown of `kind` in `language` (Spanish for a language
/// without a default text), before filling.
fn template(kind: LegalKind, language: &str) -> &'static str {
    macro_rules! texts {
        ($($lang:literal),+) => {
            match (language, kind) {
                $(
                    ($lang, LegalKind::Notice) => include_str!(concat!("../legal/", $lang, "/legal-notice.md")),
                    ($lang, LegalKind::Privacy) => include_str!(concat!("../legal/", $lang, "/privacy.md")),
                    ($lang, LegalKind::Terms) => include_str!(concat!("../legal/", $lang, "/terms.md")),
                    ($lang, LegalKind::Accessibility) => include_str!(concat!("../legal/", $lang, "/accessibility.md")),
                    ($lang, LegalKind::Cookies) => include_str!(concat!("../legal/", $lang, "/cookies.md")),
                )+
                (_, kind) => template(kind, "es"),
            }
        };
    }
    texts!("es", "en", "ca", "eu", "gl")
}

/// The default text of `kind` in `language`, filled.
pub fn default_text(kind: LegalKind, language: &str, filling: &Filling<'_>) -> String {
    let c = filling.contact;
    let or_missing =
        |value: &Option<String>| value.clone().unwrap_or_else(|| filling.missing.to_owned());
    let holder = c
        .holder
        .clone()
        .unwrap_or_else(|| filling.council.to_owned());
    template(kind, language)
        .replace("{council}", filling.council)
        .replace("{holder}", &holder)
        .replace("{tax_id}", &or_missing(&c.tax_id))
        .replace("{address}", &or_missing(&c.address))
        .replace("{email}", &or_missing(&c.email))
        .replace("{dpo_email}", &or_missing(&c.dpo_email))
        .replace("{site}", filling.site)
        .replace("{statement_date}", filling.statement_date)
}

/// An edited text.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Edited {
    /// Its language.
    pub language: String,
    /// Markdown.
    pub body: String,
    /// When it was last saved.
    pub updated_at: OffsetDateTime,
}

/// Every edited language of `kind`.
pub async fn edited(tx: &mut TenantTx, kind: LegalKind) -> Result<Vec<Edited>> {
    Ok(sqlx::query_as(
        "SELECT language, body, updated_at FROM legal_pages WHERE kind = $1 ORDER BY language",
    )
    .bind(kind)
    .fetch_all(tx.conn())
    .await?)
}

/// What a visitor reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shown {
    /// The council's own text, in `language` (theirs or the default).
    Edited {
        /// The text's language.
        language: String,
        /// Markdown.
        body: String,
    },
    /// The default text, in the visitor's language.
    Default,
}

/// The text of `kind` for a visitor reading `language`, the council's
/// default language being `fallback`.
pub async fn shown(
    tx: &mut TenantTx,
    kind: LegalKind,
    language: &str,
    fallback: &str,
) -> Result<Shown> {
    let texts = edited(tx, kind).await?;
    let pick = |wanted: &str| texts.iter().find(|t| t.language == wanted);
    Ok(match pick(language).or_else(|| pick(fallback)) {
        Some(text) => Shown::Edited {
            language: text.language.clone(),
            body: text.body.clone(),
        },
        None => Shown::Default,
    })
}

/// Saves the texts of `kind` by language, as admin `by`; an empty text
/// goes back to the default. Only languages in `offered` are accepted.
pub async fn save(
    tx: &mut TenantTx,
    by: UserId,
    kind: LegalKind,
    texts: &[(String, String)],
    offered: &[String],
) -> Result<()> {
    staff::require(tx, by, Permission::ManageSettings).await?;
    for (language, body) in texts {
        if !offered.contains(language) {
            return Err(Error::invalid(Field::Language, Problem::ChoiceInvalid));
        }
        if body.chars().count() > MAX_CHARS {
            return Err(Error::invalid(Field::Body, Problem::TextTooLong));
        }
    }
    for (language, body) in texts {
        let body = body.trim();
        if body.is_empty() {
            sqlx::query("DELETE FROM legal_pages WHERE kind = $1 AND language = $2")
                .bind(kind)
                .bind(language)
                .execute(tx.conn())
                .await?;
        } else {
            sqlx::query(
                "INSERT INTO legal_pages (kind, language, body, updated_by, updated_at)
                 VALUES ($1, $2, $3, $4, now())
                 ON CONFLICT (kind, language) DO UPDATE
                 SET body = EXCLUDED.body, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
                 WHERE legal_pages.body IS DISTINCT FROM EXCLUDED.body",
            )
            .bind(kind)
            .bind(language)
            .bind(body)
            .bind(by)
            .execute(tx.conn())
            .await?;
        }
    }
    let languages: Vec<&str> = texts.iter().map(|(l, _)| l.as_str()).collect();
    audit(
        tx,
        &Actor::user(by),
        "legal.update",
        Some(kind.as_str()),
        serde_json::json!({"languages": languages}),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_text_exists_in_every_language_and_is_filled() {
        let contact = LegalContact {
            address: Some("Plaza del Consistorio, 1".into()),
            email: Some("participa@toledo.example".into()),
            ..LegalContact::default()
        };
        let filling = Filling {
            council: "Ayuntamiento de Toledo",
            contact: &contact,
            site: "toledo.cabildo.es",
            statement_date: "03/12/2026",
            missing: "[pendiente]",
        };
        for language in ["es", "en", "ca", "eu", "gl"] {
            for kind in LegalKind::ALL {
                let text = default_text(*kind, language, &filling);
                assert!(text.starts_with("# "), "{language} {kind}");
                assert!(
                    !text.contains('{'),
                    "{language} {kind}: a placeholder is left"
                );
                if language != "es" {
                    assert_ne!(template(*kind, language), template(*kind, "es"));
                }
            }
            let notice = default_text(LegalKind::Notice, language, &filling);
            assert!(notice.contains("Plaza del Consistorio, 1") && notice.contains("[pendiente]"));
        }
    }
}
