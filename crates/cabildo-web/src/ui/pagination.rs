//! Links to the previous and next pages of a list.

use crate::ui::i18n::Tr;
use cabildo_engine::content::PageRequest;

/// The pagination of a list page.
pub struct Pagination {
    pub(crate) previous: Option<String>,
    pub(crate) next: Option<String>,
    pub(crate) label: String,
}

impl Pagination {
    /// For page `page` of `total` items, linking to `base` with `query`
    /// (everything but the page) and `page=N`.
    pub fn new(tr: &Tr, base: &str, query: &str, page: PageRequest, total: i64) -> Self {
        let per_page = i64::from(page.per_page);
        let pages = ((total + per_page - 1) / per_page).clamp(1, i64::from(PageRequest::MAX_PAGE));
        let current = i64::from(page.page);
        let link = |n: i64| {
            let separator = if query.is_empty() { "" } else { "&" };
            format!("{base}?{query}{separator}page={n}")
        };
        Self {
            previous: (current > 1).then(|| link(current - 1)),
            next: (current < pages).then(|| link(current + 1)),
            label: tr.args(
                "page-of",
                &[("page", current.to_string()), ("pages", pages.to_string())],
            ),
        }
    }
}
