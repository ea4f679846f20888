//! Query strings of list and detail pages (and their API twins), read
//! leniently: anything that does not parse is as if not given.

use cabildo_engine::content::PageRequest;
use cabildo_engine::proposals::{Filter, Status};
use serde::Deserialize;

/// `?sort=&page=&per_page=&district=&status=&qualified=&seed=`.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub(crate) sort: Option<String>,
    pub(crate) page: Option<String>,
    pub(crate) per_page: Option<String>,
    pub(crate) district: Option<String>,
    pub(crate) status: Option<String>,
    pub(crate) qualified: Option<String>,
    pub(crate) seed: Option<String>,
}

/// A number given in a query.
pub fn number(value: Option<&str>) -> Option<i64> {
    value.and_then(|v| v.trim().parse::<i64>().ok())
}

impl ListQuery {
    /// The page asked for, clamped to what the site serves.
    pub fn page(&self) -> PageRequest {
        PageRequest::clamped(
            number(self.page.as_deref()),
            number(self.per_page.as_deref()),
        )
    }

    /// The district filter, if any.
    pub fn district(&self) -> Option<String> {
        self.district.clone().filter(|d| !d.is_empty())
    }

    /// The proposal filters.
    pub fn filter(&self) -> Filter {
        Filter {
            district: self.district(),
            status: self
                .status
                .as_deref()
                .and_then(Status::parse)
                .map(|s| s.as_str().to_owned()),
            qualified: matches!(self.qualified.as_deref(), Some("true" | "1" | "on")),
        }
    }

    /// The seed of the random order: the one asked for, else the
    /// visitor's own (from their session or CSRF token), so that paging
    /// through a random list keeps its order.
    pub fn seed(&self, token: &str) -> i32 {
        seed(number(self.seed.as_deref()), token)
    }
}

/// A visitor's seed for the random order (see [`ListQuery::seed`]).
pub fn seed(asked: Option<i64>, token: &str) -> i32 {
    if let Some(seed) = asked {
        return (seed.rem_euclid(i64::from(i32::MAX))) as i32;
    }
    let mut hash: u32 = 2_166_136_261;
    for byte in token.bytes() {
        hash = (hash ^ u32::from(byte)).wrapping_mul(16_777_619);
    }
    (hash & 0x7fff_ffff) as i32
}

/// `?page=&done=` of detail pages: the page of comments, and the action
/// just done.
#[derive(Debug, Default, Deserialize)]
pub struct DetailQuery {
    page: Option<String>,
    pub(crate) done: Option<String>,
}

impl DetailQuery {
    /// The page of comment threads (1 to 10,000).
    pub fn comments_page(&self) -> i64 {
        number(self.page.as_deref()).unwrap_or(1).clamp(1, 10_000)
    }

    /// The confirmation `done-{code}` to show, when `done` is one of `known`.
    pub fn notice(&self, tr: &crate::ui::i18n::Tr, prefix: &str, known: &[&str]) -> Option<String> {
        let done = self.done.as_deref()?;
        known
            .contains(&done)
            .then(|| tr.t(&format!("{prefix}-{done}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_stable() {
        assert_eq!(seed(None, "token"), seed(None, "token"));
        assert_eq!(seed(None, "token"), seed(None, "token"));
        assert_ne!(seed(None, "token"), seed(None, "other"));
        assert_eq!(seed(Some(-1), "token"), i32::MAX - 1);
    }
}
