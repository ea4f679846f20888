//! What every council page shows around its content: the council's name,
//! the language switcher, the logged-in person and their unread count.

use crate::ui::i18n::native_name;

/// A link of the language switcher.
pub struct LanguageLink {
    pub(crate) code: String,
    pub(crate) name: &'static str,
    pub(crate) current: bool,
}

/// The switcher's links for the `available` languages, `current` marked.
pub fn language_links(available: &[String], current: &str) -> Vec<LanguageLink> {
    available
        .iter()
        .map(|code| LanguageLink {
            code: code.clone(),
            name: native_name(code),
            current: code == current,
        })
        .collect()
}

/// The frame of a council page.
pub struct Chrome {
    /// The council's name.
    pub council: String,
    /// The language switcher.
    pub languages: Vec<LanguageLink>,
    /// The logged-in person's name.
    pub user: Option<String>,
    /// The CSRF token for forms.
    pub csrf: String,
    /// Unread notifications of the logged-in person (for the bell).
    pub unread: i64,
    /// The login page, coming back to this page afterwards.
    pub login: String,
}
