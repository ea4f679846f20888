//! Generic form pages (account forms, confirmation buttons): fields with
//! labels, hints and errors, the error summary, and links below.

use crate::ui::chrome::Chrome;
use crate::ui::format::parse_cents;
use crate::ui::i18n::{Tr, native_name};
use askama::Template;
use cabildo_engine::translations::Translations;
use cabildo_engine::{Error as EngineError, Field, FieldError, Problem};
use std::str::FromStr;

/// A text in one of the council's other languages, as a form field:
/// (language code, the language's name, text).
pub type Translated = (String, &'static str, String);

/// The fields of `others` (the council's languages but the default) for
/// `field` of `translations`.
pub fn translated(others: &[String], translations: &Translations, field: &str) -> Vec<Translated> {
    others
        .iter()
        .map(|code| {
            let text = translations.get(code, field).unwrap_or_default();
            (code.clone(), native_name(code), text.to_owned())
        })
        .collect()
}

/// A typed field read as a `T`, or `field`'s `problem`.
pub fn typed<T: FromStr>(text: &str, field: Field, problem: Problem) -> Result<T, EngineError> {
    text.trim()
        .parse()
        .map_err(|_| EngineError::invalid(field, problem))
}

/// Like [`typed`], for a field that may be left empty.
pub fn optional<T: FromStr>(
    text: &str,
    field: Field,
    problem: Problem,
) -> Result<Option<T>, EngineError> {
    match text.trim() {
        "" => Ok(None),
        text => typed(text, field, problem).map(Some),
    }
}

/// An amount typed in currency units (`1.234,5` is not one; `1234,50`
/// is), in cents.
pub fn cents(text: &str, field: Field) -> Result<i64, EngineError> {
    parse_cents(text).ok_or(EngineError::invalid(field, Problem::AmountInvalid))
}

/// One line of a form's error summary.
pub struct ErrorLine {
    /// The field it links to, if any.
    pub(crate) field: Option<&'static str>,
    pub(crate) message: String,
}

/// A field of a form.
pub struct FieldView {
    pub(crate) name: &'static str,
    /// `text`, `email`, `password`, `hidden`, `checkbox`, `select`, `date` …
    pub(crate) kind: &'static str,
    pub(crate) label: String,
    pub(crate) value: String,
    pub(crate) autocomplete: &'static str,
    pub(crate) hint: Option<String>,
    pub(crate) error: Option<String>,
    /// A select's options: (value, label).
    pub(crate) options: Vec<(String, String)>,
    /// Pages a consent checkbox refers to: (address, title), shown as
    /// links beside it (outside the label, which must not hold links).
    pub(crate) links: Vec<(String, String)>,
}

impl FieldView {
    /// Field `name` labelled `field-{name}` (with `-` for `_`).
    pub fn new(
        tr: &Tr,
        name: &'static str,
        kind: &'static str,
        autocomplete: &'static str,
        value: &str,
    ) -> Self {
        Self {
            name,
            kind,
            label: tr.t(&format!("field-{}", name.replace('_', "-"))),
            value: value.to_owned(),
            autocomplete,
            hint: None,
            error: None,
            options: Vec::new(),
            links: Vec::new(),
        }
    }

    /// A hidden field.
    pub fn hidden(name: &'static str, value: &str) -> Self {
        Self {
            name,
            kind: "hidden",
            label: String::new(),
            value: value.to_owned(),
            autocomplete: "off",
            hint: None,
            error: None,
            options: Vec::new(),
            links: Vec::new(),
        }
    }
}

/// A form page's content.
pub struct FormView {
    pub(crate) title: String,
    pub(crate) intro: Option<String>,
    pub(crate) action: String,
    pub(crate) fields: Vec<FieldView>,
    pub(crate) submit: String,
    pub(crate) errors: Vec<ErrorLine>,
    /// Links below the form: (href, text).
    pub(crate) links: Vec<(&'static str, String)>,
}

impl FormView {
    /// A form posting to `action`, without errors or links.
    pub fn new(title: String, action: &str, fields: Vec<FieldView>, submit: String) -> Self {
        Self {
            title,
            intro: None,
            action: action.to_owned(),
            fields,
            submit,
            errors: Vec::new(),
            links: Vec::new(),
        }
    }

    /// The engine's field errors, each on its field, and their summary.
    pub fn with_errors(mut self, tr: &Tr, errors: &[FieldError]) -> Self {
        for field in &mut self.fields {
            if let Some(error) = errors.iter().find(|e| e.field.name() == field.name) {
                field.error = Some(tr.t(error.problem.key()));
            }
        }
        self.with_field_errors()
    }

    /// The error summary built from the fields' own errors.
    pub fn with_field_errors(mut self) -> Self {
        self.errors = self
            .fields
            .iter()
            .filter_map(|f| {
                f.error.clone().map(|message| ErrorLine {
                    field: Some(f.name),
                    message,
                })
            })
            .collect();
        self
    }

    /// One error shown on the field `field` (or above the form when it
    /// names none of them).
    pub fn with_error(mut self, field: Option<&'static str>, message: String) -> Self {
        let mut linked = None;
        for f in &mut self.fields {
            if Some(f.name) == field {
                f.error = Some(message.clone());
                linked = Some(f.name);
            }
        }
        self.errors = vec![ErrorLine {
            field: linked,
            message,
        }];
        self
    }
}

/// The page of a [`FormView`].
#[derive(Template)]
#[template(path = "account_form.html")]
pub struct FormPage<'a> {
    pub(crate) tr: &'a Tr,
    pub(crate) chrome: &'a Chrome,
    pub(crate) form: FormView,
}
