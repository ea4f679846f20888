//! UI strings (Fluent files under `locales/`) and language negotiation.

use cabildo_tenancy::Zone;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};
use std::borrow::Cow;
use std::collections::HashMap;
use time::{Date, OffsetDateTime};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Without this, arguments come wrapped in invisible U+2068/U+2069.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// Languages the UI is translated into: every language a council may
/// offer (`cabildo_tenancy::spec::SUPPORTED_LANGUAGES`).
pub const UI_LANGUAGES: &[&str] = &["es", "en", "ca", "eu", "gl"];

/// How one visitor reads a council's pages: strings in their language,
/// numbers grouped that language's way, dates and times in the council's
/// time zone. Handed to templates.
#[derive(Clone, Debug)]
pub struct Tr {
    code: String,
    id: LanguageIdentifier,
    zone: Zone,
    /// The council whose pages these are: its name and the Spanish
    /// article of its name (empty when it takes none).
    council: Option<(String, String)>,
    /// How people reach that council: every page's footer shows it.
    contact: Option<std::sync::Arc<cabildo_tenancy::SiteContact>>,
}

impl Tr {
    /// Strings for `code` (`es`, `en` …); unknown codes fall back to English.
    pub fn new(code: &str) -> Self {
        let id = code
            .parse()
            .unwrap_or_else(|_| fluent_templates::langid!("en"));
        Self {
            code: code.to_owned(),
            id,
            zone: Zone::utc(),
            council: None,
            contact: None,
        }
    }

    /// The same strings, on the pages of the council `name`, whose name
    /// takes `article` in Spanish (strings that name the council as
    /// `$council` get `$article` too, for "del Ayuntamiento de …").
    pub fn for_council(mut self, name: &str, article: &str) -> Self {
        self.council = Some((name.to_owned(), article.to_owned()));
        self
    }

    /// With the council's contact, for the footer of its pages.
    pub fn with_contact(mut self, contact: &std::sync::Arc<cabildo_tenancy::SiteContact>) -> Self {
        self.contact = Some(contact.clone());
        self
    }

    /// How people reach the council whose pages these are.
    pub fn contact(&self) -> Option<&cabildo_tenancy::SiteContact> {
        self.contact.as_deref()
    }

    /// The council whose pages these are, if they are a council's.
    pub fn council(&self) -> Option<&str> {
        self.council.as_ref().map(|(name, _)| name.as_str())
    }

    /// `args` with the council's article beside a `council` argument.
    fn with_article<'a>(
        &self,
        mut args: HashMap<Cow<'static, str>, FluentValue<'a>>,
    ) -> HashMap<Cow<'static, str>, FluentValue<'a>> {
        if args.contains_key("council") && !args.contains_key("article") {
            let article = self.council.as_ref().map_or("", |(_, a)| a.as_str());
            args.insert(
                Cow::Borrowed("article"),
                FluentValue::from(article.to_owned()),
            );
        }
        args
    }

    /// The same strings, with dates shown in `zone`.
    pub fn in_zone(mut self, zone: Zone) -> Self {
        self.zone = zone;
        self
    }

    /// The time zone dates are shown in.
    pub fn zone(&self) -> &Zone {
        &self.zone
    }

    /// A local date as this language writes it: `30/12/2026`, or
    /// `2026/12/30` in Basque.
    pub fn day(&self, day: Date) -> String {
        let (y, m, d) = (day.year(), u8::from(day.month()), day.day());
        if self.code == "eu" {
            format!("{y}/{m:02}/{d:02}")
        } else {
            format!("{d:02}/{m:02}/{y}")
        }
    }

    /// The local date of `at`.
    pub fn date(&self, at: OffsetDateTime) -> String {
        self.day(self.zone.local(at).date())
    }

    /// The local date and time of `at` (24-hour clock).
    pub fn date_time(&self, at: OffsetDateTime) -> String {
        let local = self.zone.local(at);
        format!(
            "{} {:02}:{:02}",
            self.day(local.date()),
            local.hour(),
            local.minute()
        )
    }

    /// The last local day of a window ending (exclusively) at `ends_at`.
    pub fn last_day(&self, ends_at: OffsetDateTime) -> String {
        self.day(self.zone.last_day(ends_at))
    }

    /// The language code, for `<html lang>`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The string `key`.
    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(&self.id, key)
    }

    /// The string `key`, if there is one.
    pub fn find(&self, key: &str) -> Option<String> {
        LOCALES.try_lookup(&self.id, key)
    }

    /// The string `key` with one text argument, if there is one.
    pub fn find_with(&self, key: &str, name: &'static str, value: &str) -> Option<String> {
        let args = HashMap::from([(Cow::Borrowed(name), FluentValue::from(value.to_owned()))]);
        LOCALES.try_lookup_with_args(&self.id, key, &self.with_article(args))
    }

    /// The string `key` with one text argument.
    pub fn with(&self, key: &str, name: &'static str, value: &str) -> String {
        let args = HashMap::from([(Cow::Borrowed(name), FluentValue::from(value.to_owned()))]);
        LOCALES.lookup_with_args(&self.id, key, &self.with_article(args))
    }

    /// The string `key` with several arguments.
    pub fn args(&self, key: &str, args: &[(&'static str, String)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(value.clone())))
            .collect();
        LOCALES.lookup_with_args(&self.id, key, &self.with_article(args))
    }

    /// The string `key` for a count: `$count` selects the plural form and
    /// `$formatted` shows the number grouped the local way.
    pub fn count(&self, key: &str, count: i64) -> String {
        let args = HashMap::from([
            (Cow::Borrowed("count"), FluentValue::from(count)),
            (
                Cow::Borrowed("formatted"),
                FluentValue::from(self.number(count)),
            ),
        ]);
        LOCALES.lookup_with_args(&self.id, key, &args)
    }

    /// `count` with thousands grouped: `22.000` in Spanish, `22,000` in
    /// English. Spanish and Galician leave four-digit numbers ungrouped
    /// (CLDR's minimum grouping digits), Catalan and Basque do not.
    pub fn number(&self, count: i64) -> String {
        let digits = count.unsigned_abs().to_string();
        let (separator, min_len) = match self.code.as_str() {
            "en" => (',', 4),
            "ca" | "eu" => ('.', 4),
            _ => ('.', 5),
        };
        let mut out = String::new();
        if digits.len() >= min_len {
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    out.push(separator);
                }
                out.push(c);
            }
        } else {
            out = digits;
        }
        if count < 0 {
            out.insert(0, '-');
        }
        out
    }
}

/// The name of a language in that language, for the language switcher.
pub fn native_name(code: &str) -> &'static str {
    match code {
        "es" => "Español",
        "en" => "English",
        "ca" => "Català",
        "eu" => "Euskara",
        "gl" => "Galego",
        _ => "?",
    }
}

/// Picks the language to show: `?lang=`, then the `lang` cookie, then
/// `Accept-Language` (by quality), then `default`; only ever one of
/// `available`.
pub fn negotiate(
    query: Option<&str>,
    cookie: Option<&str>,
    accept_language: Option<&str>,
    available: &[String],
    default: &str,
) -> String {
    let offered = |code: &str| {
        available
            .iter()
            .find(|a| a.eq_ignore_ascii_case(code))
            .cloned()
    };
    if let Some(code) = query.and_then(offered) {
        return code;
    }
    if let Some(code) = cookie.and_then(offered) {
        return code;
    }
    if let Some(header) = accept_language {
        let mut ranked: Vec<(f32, &str)> = header
            .split(',')
            .take(20)
            .filter_map(|part| {
                let mut pieces = part.trim().split(';');
                let tag = pieces.next()?.trim();
                let quality = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.parse::<f32>().ok())?;
                let primary = tag.split('-').next()?;
                (quality > 0.0).then_some((quality, primary))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        if let Some(code) = ranked.into_iter().find_map(|(_, primary)| offered(primary)) {
            return code;
        }
    }
    offered(default).unwrap_or_else(|| default.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_names_the_council_with_its_article() {
        let intro = |name: &str, article: &str| {
            Tr::new("es")
                .for_council(name, article)
                .with("register-intro", "council", name)
        };
        assert!(
            intro("Ayuntamiento de Toledo", "el")
                .contains("participación del Ayuntamiento de Toledo puedes")
        );
        assert!(
            intro("Diputación de Toledo", "la")
                .contains("participación de la Diputación de Toledo puedes")
        );
        assert!(intro("Toledo", "").contains("participación de Toledo puedes"));
        let verify = Tr::new("es")
            .for_council("Ayuntamiento de Toledo", "el")
            .with("verify-intro", "council", "Ayuntamiento de Toledo");
        assert!(
            verify.starts_with("El Ayuntamiento de Toledo comprueba"),
            "{verify}"
        );
        let english = Tr::new("en").for_council("Toledo City Council", "el").with(
            "register-intro",
            "council",
            "Toledo City Council",
        );
        assert!(english.contains("Toledo City Council"), "{english}");
    }

    fn langs() -> Vec<String> {
        vec!["es".into(), "en".into()]
    }

    #[test]
    fn negotiation_follows_query_cookie_header_default() {
        assert_eq!(
            negotiate(Some("en"), Some("es"), None, &langs(), "es"),
            "en"
        );
        assert_eq!(
            negotiate(Some("fr"), Some("en"), None, &langs(), "es"),
            "en"
        );
        assert_eq!(
            negotiate(
                None,
                None,
                Some("fr-FR, en-GB;q=0.8, es;q=0.9"),
                &langs(),
                "en"
            ),
            "es"
        );
        assert_eq!(
            negotiate(None, None, Some("fr, de;q=0.5"), &langs(), "es"),
            "es"
        );
        assert_eq!(
            negotiate(None, None, Some("en;q=0, es;q=garbage"), &langs(), "es"),
            "es"
        );
        assert_eq!(
            negotiate(None, Some("<script>"), Some(""), &langs(), "en"),
            "en"
        );
    }

    #[test]
    fn every_key_is_translated_in_every_ui_language() {
        let keys = |code: &str| -> Vec<String> {
            let path = format!("{}/locales/{code}/main.ftl", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let mut keys: Vec<String> = text
                .lines()
                .filter(|l| l.contains(" = ") && !l.starts_with(' '))
                .filter_map(|l| l.split(" = ").next().map(str::to_owned))
                .collect();
            keys.sort();
            keys
        };
        let spanish = keys("es");
        assert!(spanish.len() > 20);
        for code in UI_LANGUAGES {
            assert_eq!(keys(code), spanish, "{code}");
        }
    }

    #[test]
    fn strings_have_no_isolation_marks_and_plurals_work() {
        let es = Tr::new("es");
        assert_eq!(
            es.count("district-residents", 22000),
            "22.000 personas empadronadas"
        );
        assert_eq!(es.count("district-residents", 1), "1 persona empadronada");
        assert_eq!(es.number(2900), "2900");
        let en = Tr::new("en");
        assert_eq!(en.count("district-residents", 22000), "22,000 residents");
        assert_eq!(en.number(1234567), "1,234,567");
        let notice = en.with("notice-suspended-body", "council", "Toledo");
        assert!(notice.starts_with("Toledo has"), "{notice}");
        assert!(!notice.contains('\u{2068}'));
    }

    #[test]
    fn dates_read_in_the_council_zone_and_the_visitor_language() {
        use time::macros::datetime;
        let madrid = cabildo_tenancy::Zone::named("Europe/Madrid").expect("zone");
        let es = Tr::new("es").in_zone(madrid.clone());
        let new_year = datetime!(2026-12-31 23:30 UTC);
        assert_eq!(es.date_time(new_year), "01/01/2027 00:30");
        assert_eq!(es.date(new_year), "01/01/2027");
        assert_eq!(Tr::new("es").date(new_year), "31/12/2026", "UTC by default");
        let eu = Tr::new("eu").in_zone(madrid.clone());
        assert_eq!(eu.date(new_year), "2027/01/01");
        // A window ending at Madrid's midnight: its last day is the 30th.
        let ends = madrid.end_of(time::macros::date!(2026 - 12 - 30));
        assert_eq!(es.last_day(ends), "30/12/2026");
    }
}
