//! Texts staff write in the council's other languages (a `translations`
//! column: language → field → text) and which text a reader sees: the
//! one in their language when there is one, else the default language's,
//! said to be in that language so pages can mark it with its own `lang`.

use crate::error::{Error, Field, Problem, Result};
use cabildo_tenancy::TenantTx;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An item's texts in languages other than the council's default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Translations(BTreeMap<String, BTreeMap<String, String>>);

/// A text as a reader gets it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    /// The text.
    pub text: String,
    /// Its language when it is not the reader's (a fallback to the
    /// council's default); `None` when it is in the reader's language.
    pub lang: Option<String>,
}

impl Translations {
    /// No translations.
    pub fn new() -> Self {
        Self::default()
    }

    /// The text of `field` in `language`, if one was written.
    pub fn get(&self, language: &str, field: &str) -> Option<&str> {
        self.0
            .get(language)
            .and_then(|texts| texts.get(field))
            .map(String::as_str)
            .filter(|text| !text.trim().is_empty())
    }

    /// Sets (or, when empty, removes) the text of `field` in `language`.
    pub fn set(&mut self, language: &str, field: &str, text: &str) {
        let text = text.trim();
        if text.is_empty() {
            if let Some(texts) = self.0.get_mut(language) {
                texts.remove(field);
                if texts.is_empty() {
                    self.0.remove(language);
                }
            }
        } else {
            self.0
                .entry(language.to_owned())
                .or_default()
                .insert(field.to_owned(), text.to_owned());
        }
    }

    /// The languages with at least one text.
    pub fn languages(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// Every text, for checking lengths: (language, field, text).
    pub fn texts(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.0.iter().flat_map(|(language, texts)| {
            texts
                .iter()
                .map(move |(field, text)| (language.as_str(), field.as_str(), text.as_str()))
        })
    }

    /// Puts into `text` (the text of `field` in the council's `default`
    /// language) what a reader in `language` sees of it, and into `lang`
    /// its language when that is not the reader's (see [`Self::show`]).
    pub fn localize(
        &self,
        field: &str,
        (text, lang): (&mut String, &mut Option<String>),
        language: &str,
        default: &str,
    ) {
        let shown = self.show(field, text, language, default);
        (*text, *lang) = (shown.text, shown.lang);
    }

    /// What a reader in `language` sees of `field`, whose text in the
    /// council's `default` language is `base`.
    pub fn show(&self, field: &str, base: &str, language: &str, default: &str) -> Shown {
        if language == default {
            return Shown {
                text: base.to_owned(),
                lang: None,
            };
        }
        match self.get(language, field) {
            Some(text) => Shown {
                text: text.to_owned(),
                lang: None,
            },
            None => Shown {
                text: base.to_owned(),
                lang: Some(default.to_owned()),
            },
        }
    }
}

/// Checks translations before they are stored: only the council's other
/// languages, only `fields` (each with its most characters).
pub(crate) async fn check(
    tx: &mut TenantTx,
    translations: &Translations,
    fields: &[(&str, usize)],
) -> Result<()> {
    let (languages, default): (Vec<String>, String) =
        sqlx::query_as("SELECT languages, default_language FROM settings")
            .fetch_one(tx.conn())
            .await?;
    for language in translations.languages() {
        if language == default || !languages.iter().any(|l| l == language) {
            return Err(Error::invalid(Field::Language, Problem::LanguageInvalid));
        }
    }
    for (_, field, text) in translations.texts() {
        match fields.iter().find(|(name, _)| *name == field) {
            Some((_, most)) if text.chars().count() <= *most => {}
            Some(_) => return Err(Error::invalid(Field::Description, Problem::TextTooLong)),
            None => return Err(Error::invalid(Field::Language, Problem::LanguageInvalid)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_get_their_language_or_the_default_marked() {
        let mut t = Translations::new();
        t.set("en", "title", "  Participatory budget ");
        t.set("en", "summary", "");
        assert_eq!(
            t.show("title", "Presupuestos", "en", "es"),
            Shown {
                text: "Participatory budget".into(),
                lang: None
            }
        );
        assert_eq!(
            t.show("summary", "Decide", "en", "es").lang.as_deref(),
            Some("es")
        );
        assert_eq!(
            t.show("title", "Presupuestos", "ca", "es").text,
            "Presupuestos"
        );
        assert_eq!(t.show("title", "Presupuestos", "es", "es").lang, None);
        t.set("en", "title", "");
        assert_eq!(t.languages().count(), 0, "empty languages go");
    }
}
