//! What every council page shows around its content: the council's name,
//! the language switcher, the logged-in person and their unread count.

use crate::ui::i18n::{Tr, native_name};
use cabildo_engine::staff::{Permission, Role};

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
    /// The header's picture (a stored picture's name): its logo, else its
    /// coat of arms, if it has either.
    pub logo: Option<String>,
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
    /// The staff menu of a staff member (empty for everyone else).
    pub staff_nav: Vec<NavLink>,
    /// The page is a staff page (which shows the staff menu).
    pub staff_page: bool,
}

/// A link of a menu.
pub struct NavLink {
    pub(crate) href: &'static str,
    pub(crate) label: String,
    /// The page shown is this one (or below it).
    pub(crate) current: bool,
}

/// The staff menu for someone holding `roles` (stored names), on `path`:
/// the sections their roles open.
pub fn staff_nav(tr: &Tr, roles: &[String], path: &str) -> Vec<NavLink> {
    let roles: Vec<Role> = roles.iter().filter_map(|r| Role::parse(r)).collect();
    if roles.is_empty() {
        return Vec::new();
    }
    let sections: [(&'static str, &str, Option<Permission>); 11] = [
        ("/staff", "staff-nav-overview", None),
        ("/staff/dashboard", "staff-nav-dashboard", None),
        (
            "/staff/processes",
            "staff-nav-processes",
            Some(Permission::ManageProcesses),
        ),
        (
            "/staff/polls",
            "staff-nav-polls",
            Some(Permission::ManageProcesses),
        ),
        (
            "/staff/meetings",
            "staff-nav-meetings",
            Some(Permission::ManageProcesses),
        ),
        (
            "/staff/moderation",
            "staff-nav-moderation",
            Some(Permission::Moderate),
        ),
        (
            "/staff/newsletters",
            "staff-nav-newsletters",
            Some(Permission::SendNewsletters),
        ),
        (
            "/staff/audit",
            "staff-nav-audit",
            Some(Permission::ManageStaff),
        ),
        (
            "/staff/legal",
            "staff-nav-legal",
            Some(Permission::ManageSettings),
        ),
        (
            "/staff/settings",
            "staff-nav-settings",
            Some(Permission::ManageSettings),
        ),
        (
            "/staff/billing",
            "staff-nav-billing",
            Some(Permission::ManageSettings),
        ),
    ];
    sections
        .into_iter()
        .filter(|(_, _, needs)| needs.is_none_or(|p| p.granted_by(&roles)))
        .map(|(href, key, _)| NavLink {
            href,
            label: tr.t(key),
            current: path == href
                || (href != "/staff" && path.starts_with(href))
                || (href == "/staff/processes"
                    && (path.starts_with("/staff/budget") || path.starts_with("/staff/phases"))),
        })
        .collect()
}
