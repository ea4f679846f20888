//! Declarative council definitions (`tenants/*.toml`) and their validation.

use crate::error::{Result, TenancyError};
use crate::slug::Slug;
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Languages the site can be shown in.
pub const SUPPORTED_LANGUAGES: &[&str] = &["es", "en", "ca", "eu", "gl"];
/// Articles a council's name may take in Spanish.
pub const ARTICLES: &[&str] = &["el", "la", "los", "las"];
const MAX_DISTRICTS: usize = 200;
const MAX_WELCOME_CHARS: usize = 2_000;

/// A council as written in `tenants/<slug>.toml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CouncilSpec {
    /// Subdomain and schema stem.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// The article Spanish puts before the name (`el` for "el Ayuntamiento
    /// de Toledo", so "del Ayuntamiento de Toledo"); none when the name is
    /// said without one.
    #[serde(default)]
    pub article: Option<String>,
    /// Languages offered, in order of preference.
    #[serde(default = "default_languages")]
    pub languages: Vec<String>,
    /// Language shown when the visitor's is not offered; the first of
    /// `languages` when absent.
    pub default_language: Option<String>,
    /// IANA time zone, e.g. `Europe/Madrid`.
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    /// Brand colours.
    #[serde(default)]
    pub colours: Colours,
    /// Home page welcome text by language.
    #[serde(default)]
    pub welcome: BTreeMap<String, String>,
    /// Districts, in display order.
    #[serde(default)]
    pub districts: Vec<DistrictSpec>,
    /// Who is legally behind the site, for the default legal pages.
    #[serde(default)]
    pub legal: LegalContact,
    /// How people reach the council (shown in every page's footer) and
    /// the name its mail is sent under.
    #[serde(default)]
    pub contact: SiteContact,
    /// Its participation figures are public at `/participation`.
    #[serde(default)]
    pub public_dashboard: bool,
}

/// Social networks a council may link to, in the order footers list them.
pub const SOCIAL_NETWORKS: [&str; 8] = [
    "facebook",
    "instagram",
    "x",
    "bluesky",
    "mastodon",
    "youtube",
    "tiktok",
    "linkedin",
];

/// How people reach the council, beyond its legal contact: a phone, its
/// social networks, and the sender name of its mail.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteContact {
    /// Phone for citizens (`925 33 00 00`, `+34 925 33 00 00`).
    #[serde(default)]
    pub phone: Option<String>,
    /// The name mail from the site is sent under (the council's name when
    /// absent), e.g. `Participa Toledo`.
    #[serde(default)]
    pub mail_sender: Option<String>,
    /// Network (one of [`SOCIAL_NETWORKS`]) → the council's https page.
    #[serde(default)]
    pub social: BTreeMap<String, String>,
}

impl SiteContact {
    /// The phone as a `tel:` link's target (digits and a leading `+`).
    pub fn phone_href(&self) -> Option<String> {
        self.phone.as_ref().map(|phone| {
            phone
                .chars()
                .enumerate()
                .filter(|(i, c)| c.is_ascii_digit() || (*i == 0 && *c == '+'))
                .map(|(_, c)| c)
                .collect()
        })
    }

    /// The social links in [`SOCIAL_NETWORKS`]' order: (network, address).
    pub fn social_links(&self) -> Vec<(&'static str, &str)> {
        SOCIAL_NETWORKS
            .iter()
            .filter_map(|network| Some((*network, self.social.get(*network)?.as_str())))
            .collect()
    }

    fn validate(&mut self) -> Result<()> {
        for (field, value, max) in [
            ("contact.phone", &mut self.phone, 30),
            ("contact.mail_sender", &mut self.mail_sender, 60),
        ] {
            let Some(text) = value.as_mut() else { continue };
            *text = text.trim().to_owned();
            if text.is_empty() {
                *value = None;
                continue;
            }
            if text.chars().count() > max || text.chars().any(char::is_control) {
                return Err(TenancyError::invalid(
                    field,
                    format!("must be at most {max} characters, with no control characters"),
                ));
            }
        }
        if let Some(phone) = &self.phone
            && !phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        {
            return Err(TenancyError::invalid(
                "contact.phone",
                "may hold digits, spaces, + - ( ) and dots only",
            ));
        }
        // Mail headers: a sender name with these would need quoting or
        // could pass for an address.
        if let Some(sender) = &self.mail_sender
            && sender.contains(['<', '>', '@', '"', '\\'])
        {
            return Err(TenancyError::invalid(
                "contact.mail_sender",
                "must not contain < > @ \" or \\",
            ));
        }
        self.social.retain(|_, url| !url.trim().is_empty());
        for (network, url) in &mut self.social {
            *url = url.trim().to_owned();
            if !SOCIAL_NETWORKS.contains(&network.as_str()) {
                return Err(TenancyError::invalid(
                    "contact.social",
                    format!("{network:?} is not one of {}", SOCIAL_NETWORKS.join(", ")),
                ));
            }
            let host = url.strip_prefix("https://").and_then(|rest| {
                rest.split('/')
                    .next()
                    .filter(|h| h.contains('.') && !h.contains('@'))
            });
            if host.is_none()
                || url.len() > 300
                || url
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || c == '"')
            {
                return Err(TenancyError::invalid(
                    format!("contact.social.{network}"),
                    "must be an https:// address of at most 300 characters",
                ));
            }
        }
        Ok(())
    }
}

/// The council as its legal pages name it (LSSI art. 10, RGPD art. 13):
/// filled into the default legal notice, privacy policy and accessibility
/// statement. Every field is optional; a missing one shows as "to be
/// completed" until the council adds it or edits the texts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct LegalContact {
    /// The legal entity's official name (the council's name when absent).
    pub holder: Option<String>,
    /// Its tax identification number (NIF), e.g. `P4516800F`.
    pub tax_id: Option<String>,
    /// Postal address.
    pub address: Option<String>,
    /// Contact email for the site (and accessibility requests).
    pub email: Option<String>,
    /// The data protection officer's email.
    pub dpo_email: Option<String>,
}

impl LegalContact {
    fn validate(&mut self) -> Result<()> {
        for (field, value, max) in [
            ("legal.holder", &mut self.holder, 200),
            ("legal.tax_id", &mut self.tax_id, 20),
            ("legal.address", &mut self.address, 300),
            ("legal.email", &mut self.email, 254),
            ("legal.dpo_email", &mut self.dpo_email, 254),
        ] {
            let Some(text) = value.as_mut() else { continue };
            *text = text.trim().to_owned();
            if text.is_empty() {
                *value = None;
                continue;
            }
            if text.chars().count() > max || text.chars().any(char::is_control) {
                return Err(TenancyError::invalid(
                    field,
                    format!("must be at most {max} characters, with no control characters"),
                ));
            }
            let is_email = field.ends_with("email");
            if is_email && (!text.contains('@') || text.contains(char::is_whitespace)) {
                return Err(TenancyError::invalid(field, "must be an email address"));
            }
        }
        Ok(())
    }
}

/// Brand colours as `#rrggbb`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Colours {
    /// Main colour (header, links).
    pub primary: String,
    /// Highlight colour.
    pub accent: String,
}

impl Default for Colours {
    fn default() -> Self {
        Self {
            primary: "#1d4f91".into(),
            accent: "#f2b705".into(),
        }
    }
}

/// One district of a council definition.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistrictSpec {
    /// Short stable code (`casco-historico`).
    pub code: String,
    /// Display name.
    pub name: String,
    /// Residents, for participation rates.
    #[serde(default)]
    pub population: u32,
}

fn default_languages() -> Vec<String> {
    vec!["es".into(), "en".into()]
}

fn default_time_zone() -> String {
    "Europe/Madrid".into()
}

/// A council definition that passed validation.
#[derive(Clone, Debug)]
pub struct ValidSpec {
    /// The validated slug.
    pub slug: Slug,
    /// Everything else, checked.
    pub spec: CouncilSpec,
    /// Resolved default language.
    pub default_language: String,
    /// The file it was read from, when it was (`tenants/toledo.toml`):
    /// recorded on the council, whose settings page then says so.
    pub source: Option<String>,
}

impl CouncilSpec {
    /// A minimal definition: defaults for everything but slug and name.
    pub fn minimal(slug: &str, name: &str) -> Self {
        Self {
            slug: slug.into(),
            name: name.into(),
            article: None,
            languages: default_languages(),
            default_language: None,
            time_zone: default_time_zone(),
            colours: Colours::default(),
            welcome: BTreeMap::new(),
            districts: Vec::new(),
            legal: LegalContact::default(),
            contact: SiteContact::default(),
            public_dashboard: false,
        }
    }

    /// The definition of council `slug` named `name` as its `settings`
    /// stand: what the settings page edits and validates again.
    pub fn of_settings(slug: &str, name: &str, settings: &crate::SiteSettings) -> Self {
        Self {
            slug: slug.into(),
            name: name.into(),
            article: Some(settings.name_article.clone()).filter(|a| !a.is_empty()),
            languages: settings.languages.clone(),
            default_language: Some(settings.default_language.clone()),
            time_zone: settings.time_zone.clone(),
            colours: Colours {
                primary: settings.primary_colour.clone(),
                accent: settings.accent_colour.clone(),
            },
            welcome: settings.welcome.clone(),
            districts: (settings.districts.iter())
                .map(|d| DistrictSpec {
                    code: d.code.clone(),
                    name: d.name.clone(),
                    population: u32::try_from(d.population).unwrap_or(0),
                })
                .collect(),
            legal: settings.legal.clone(),
            contact: (*settings.contact).clone(),
            public_dashboard: settings.public_dashboard,
        }
    }

    /// Reads and validates one TOML file.
    pub fn from_file(path: &Path) -> Result<ValidSpec> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| TenancyError::invalid(path.display().to_string(), e.to_string()))?;
        let spec: Self = toml::from_str(&text)
            .map_err(|e| TenancyError::invalid(path.display().to_string(), e.to_string()))?;
        let mut valid = spec.validate()?;
        valid.source = Some(path.display().to_string());
        Ok(valid)
    }

    /// Checks every field; on success the definition can be applied.
    pub fn validate(mut self) -> Result<ValidSpec> {
        let slug = Slug::parse(&self.slug).map_err(|reason| TenancyError::InvalidSlug {
            slug: self.slug.clone(),
            reason,
        })?;
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() || self.name.chars().count() > 200 {
            return Err(TenancyError::invalid("name", "must be 1 to 200 characters"));
        }
        if self.name.chars().any(char::is_control) {
            return Err(TenancyError::invalid(
                "name",
                "must not contain control characters",
            ));
        }
        if let Some(article) = &self.article
            && !ARTICLES.contains(&article.as_str())
        {
            return Err(TenancyError::invalid(
                "article",
                format!("must be one of {}", ARTICLES.join(", ")),
            ));
        }
        if self.languages.is_empty() {
            return Err(TenancyError::invalid(
                "languages",
                "list at least one language",
            ));
        }
        let mut seen = HashSet::new();
        for language in &self.languages {
            if !SUPPORTED_LANGUAGES.contains(&language.as_str()) {
                return Err(TenancyError::invalid(
                    "languages",
                    format!(
                        "{language:?} is not supported (use {})",
                        SUPPORTED_LANGUAGES.join(", ")
                    ),
                ));
            }
            if !seen.insert(language) {
                return Err(TenancyError::invalid(
                    "languages",
                    format!("{language:?} is listed twice"),
                ));
            }
        }
        let default_language = self
            .default_language
            .clone()
            .unwrap_or_else(|| self.languages[0].clone());
        if !self.languages.contains(&default_language) {
            return Err(TenancyError::invalid(
                "default_language",
                "must be one of languages",
            ));
        }
        if !valid_time_zone(&self.time_zone) {
            return Err(TenancyError::invalid(
                "time_zone",
                "must be an IANA zone such as Europe/Madrid",
            ));
        }
        for (field, colour) in [
            ("colours.primary", &mut self.colours.primary),
            ("colours.accent", &mut self.colours.accent),
        ] {
            *colour = colour.to_ascii_lowercase();
            let ok = colour.len() == 7
                && colour.starts_with('#')
                && colour[1..].bytes().all(|b| b.is_ascii_hexdigit());
            if !ok {
                return Err(TenancyError::invalid(
                    field,
                    "must be a colour like #1d4f91",
                ));
            }
        }
        // Links and headings are drawn in the primary colour on the white
        // page; text on either colour is chosen to reach AA (`colour`).
        let primary = crate::colour::parse(&self.colours.primary).unwrap_or([0; 3]);
        let ratio = crate::colour::contrast(primary, [255; 3]);
        if ratio < crate::colour::TEXT_CONTRAST {
            return Err(TenancyError::invalid(
                "colours.primary",
                format!(
                    "links are drawn in this colour on white, where it reaches {ratio:.2}:1; \
                     text needs at least 4.5:1 (WCAG AA): choose a darker shade"
                ),
            ));
        }
        for (language, text) in &self.welcome {
            if !self.languages.contains(language) {
                return Err(TenancyError::invalid(
                    "welcome",
                    format!("{language:?} is not one of languages"),
                ));
            }
            if text.chars().count() > MAX_WELCOME_CHARS {
                return Err(TenancyError::invalid(
                    "welcome",
                    format!("at most {MAX_WELCOME_CHARS} characters"),
                ));
            }
        }
        self.legal.validate()?;
        self.contact.validate()?;
        if self.districts.len() > MAX_DISTRICTS {
            return Err(TenancyError::invalid(
                "districts",
                format!("at most {MAX_DISTRICTS}"),
            ));
        }
        let mut codes = HashSet::new();
        for district in &mut self.districts {
            district.name = district.name.trim().to_owned();
            let code_ok = (1..=40).contains(&district.code.len())
                && district
                    .code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !code_ok {
                return Err(TenancyError::invalid(
                    "districts.code",
                    format!("{:?} must be 1 to 40 of a-z, 0-9, -", district.code),
                ));
            }
            if !codes.insert(district.code.clone()) {
                return Err(TenancyError::invalid(
                    "districts.code",
                    format!("{:?} is listed twice", district.code),
                ));
            }
            if district.name.is_empty() || district.name.chars().count() > 200 {
                return Err(TenancyError::invalid(
                    "districts.name",
                    "must be 1 to 200 characters",
                ));
            }
            if i32::try_from(district.population).is_err() {
                return Err(TenancyError::invalid(
                    "districts.population",
                    "is too large",
                ));
            }
        }
        Ok(ValidSpec {
            slug,
            spec: self,
            default_language,
            source: None,
        })
    }
}

/// A zone the bundled time zone database knows.
fn valid_time_zone(zone: &str) -> bool {
    zone.len() <= 64 && crate::Zone::named(zone).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_councils_are_valid() {
        for file in ["toledo", "talavera"] {
            let path =
                Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../tenants/{file}.toml"));
            let valid = CouncilSpec::from_file(&path).expect("demo council is valid");
            assert_eq!(valid.slug.as_str(), file);
            assert!(!valid.spec.districts.is_empty());
        }
    }

    #[test]
    fn refuses_bad_fields_by_name() {
        type Change = Box<dyn Fn(&mut CouncilSpec)>;
        let cases: Vec<(&str, Change)> = vec![
            ("name", Box::new(|s| s.name = "  ".into())),
            ("languages", Box::new(|s| s.languages = vec!["xx".into()])),
            (
                "languages",
                Box::new(|s| s.languages = vec!["es".into(), "es".into()]),
            ),
            (
                "default_language",
                Box::new(|s| s.default_language = Some("gl".into())),
            ),
            (
                "time_zone",
                Box::new(|s| s.time_zone = "../../etc/passwd".into()),
            ),
            (
                "colours.primary",
                Box::new(|s| s.colours.primary = "red".into()),
            ),
            (
                "colours.accent",
                Box::new(|s| s.colours.accent = "#12345g".into()),
            ),
            (
                "colours.primary",
                Box::new(|s| s.colours.primary = "#abcdef".into()),
            ),
            (
                "welcome",
                Box::new(|s| {
                    s.welcome.insert("fr".into(), "Bonjour".into());
                }),
            ),
            (
                "districts.code",
                Box::new(|s| {
                    s.districts = vec![DistrictSpec {
                        code: "A B".into(),
                        name: "x".into(),
                        population: 1,
                    }]
                }),
            ),
            (
                "contact.phone",
                Box::new(|s| s.contact.phone = Some("call us".into())),
            ),
            (
                "contact.mail_sender",
                Box::new(|s| s.contact.mail_sender = Some("A <a@evil.example>".into())),
            ),
            (
                "contact.social",
                Box::new(|s| {
                    s.contact
                        .social
                        .insert("myspace".into(), "https://myspace.com/x".into());
                }),
            ),
            (
                "contact.social.x",
                Box::new(|s| {
                    s.contact
                        .social
                        .insert("x".into(), "javascript:alert(1)//.x".into());
                }),
            ),
        ];
        for (field, change) in cases {
            let mut spec = CouncilSpec::minimal("toledo", "Toledo");
            change(&mut spec);
            match spec.validate() {
                Err(TenancyError::Invalid { field: got, .. }) => assert_eq!(got, field),
                other => panic!("{field}: expected Invalid, got {other:?}"),
            }
        }
    }

    #[test]
    fn refuses_unknown_keys_in_files() {
        let result: std::result::Result<CouncilSpec, _> =
            toml::from_str("slug='abc'\nname='x'\nnmae='typo'\n");
        assert!(result.is_err());
    }
}
