//! What the participation modules share: the things people write about
//! (targets), text checks, pagination, and the notices an action leaves
//! for others.

use crate::error::{Error, Field, Problem, Result};
use crate::ids::{DebateId, MeetingId, ProcessId, ProjectId, ProposalId, UserId};
use uuid::Uuid;

/// Something people follow; all but budget projects take comments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// A process.
    Process(ProcessId),
    /// A debate.
    Debate(DebateId),
    /// A proposal.
    Proposal(ProposalId),
    /// A participatory budget project (followed for its review and
    /// execution; discussed in its process, not under it).
    Project(ProjectId),
    /// A meeting (of a process or an assembly).
    Meeting(MeetingId),
}

impl Target {
    /// Stored kind.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Process(_) => "process",
            Self::Debate(_) => "debate",
            Self::Proposal(_) => "proposal",
            Self::Project(_) => "project",
            Self::Meeting(_) => "meeting",
        }
    }

    /// The id.
    pub fn id(self) -> Uuid {
        match self {
            Self::Process(id) => id.0,
            Self::Debate(id) => id.0,
            Self::Proposal(id) => id.0,
            Self::Project(id) => id.0,
            Self::Meeting(id) => id.0,
        }
    }

    /// From a stored kind and id.
    pub fn parse(kind: &str, id: Uuid) -> Option<Self> {
        match kind {
            "process" => Some(Self::Process(id.into())),
            "debate" => Some(Self::Debate(id.into())),
            "proposal" => Some(Self::Proposal(id.into())),
            "project" => Some(Self::Project(id.into())),
            "meeting" => Some(Self::Meeting(id.into())),
            _ => None,
        }
    }
}

/// `value` trimmed, if its length in characters is within `min..=max`;
/// else `field` has `problem` (empty, too long).
pub fn text(value: &str, field: Field, problem: Problem, min: usize, max: usize) -> Result<String> {
    let trimmed = value.trim();
    let length = trimmed.chars().count();
    if length < min || length > max || trimmed.contains('\0') {
        return Err(Error::invalid(field, problem));
    }
    Ok(trimmed.to_owned())
}

/// `value` trimmed, if it is an address part: 3 to `most` lower-case
/// letters, digits and inner dashes; else `slug_invalid`.
pub(crate) fn slug(value: &str, most: usize) -> Result<&str> {
    let slug = value.trim();
    let ok = (3..=most).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if !ok {
        return Err(Error::invalid(Field::Slug, Problem::SlugInvalid));
    }
    Ok(slug)
}

/// A page request, clamped to what the site serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based page.
    pub page: u32,
    /// Items per page.
    pub per_page: u32,
}

impl PageRequest {
    /// Most items per page.
    pub const MAX_PER_PAGE: u32 = 100;
    /// Items per page when not asked.
    pub const DEFAULT_PER_PAGE: u32 = 20;
    /// Pages past this are not served (deep offsets cost the database
    /// while no person reads that far; search narrows instead).
    pub const MAX_PAGE: u32 = 1000;

    /// Clamps whatever was asked (absent, zero, negative or huge).
    pub fn clamped(page: Option<i64>, per_page: Option<i64>) -> Self {
        let per_page = per_page
            .unwrap_or(i64::from(Self::DEFAULT_PER_PAGE))
            .clamp(1, i64::from(Self::MAX_PER_PAGE));
        let page = page.unwrap_or(1).clamp(1, i64::from(Self::MAX_PAGE));
        Self {
            page: u32::try_from(page).unwrap_or(1),
            per_page: u32::try_from(per_page).unwrap_or(Self::DEFAULT_PER_PAGE),
        }
    }

    /// Rows to skip.
    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    /// Rows to read.
    pub fn limit(self) -> i64 {
        i64::from(self.per_page)
    }
}

/// Something that happened that someone should hear of. The web layer
/// turns each into a notification in the recipient's language, in the
/// same transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// Who hears of it.
    pub user: UserId,
    /// Their language (the council's default when `None`).
    pub language: Option<String>,
    /// What happened: `comment.new`, `comment.reply`, `proposal.qualified`,
    /// `proposal.status`, `project.reviewed`, `project.update`,
    /// `user.blocked`.
    pub kind: &'static str,
    /// The title of the item it is about (or the moderators' message).
    pub subject: String,
    /// Where to look.
    pub link: String,
    /// What changed.
    pub change: Change,
}

/// Most characters of someone's words a notice quotes.
pub const QUOTED: usize = 500;

/// What changed, told with a notice: what the reader needs to know without
/// opening the site.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Change {
    /// The state the item reached, by its stored name (`accepted`,
    /// `feasible`, `in_progress` …).
    pub state: Option<&'static str>,
    /// Words someone wrote (a comment, the council's answer, an update),
    /// at most [`QUOTED`] characters.
    pub words: Option<String>,
}

impl Change {
    /// The change to `state` (if any), quoting `words` (if any).
    pub(crate) fn new(state: Option<&'static str>, words: &str) -> Self {
        let words = words.trim();
        let words = (!words.is_empty()).then(|| {
            if words.chars().count() > QUOTED {
                let cut: String = words.chars().take(QUOTED - 1).collect();
                format!("{}…", cut.trim_end())
            } else {
                words.to_owned()
            }
        });
        Self { state, words }
    }
}

/// The followers of `target` (except `except`) as notices of `kind`.
pub(crate) async fn notify_followers(
    tx: &mut cabildo_tenancy::TenantTx,
    target: Target,
    except: &[UserId],
    kind: &'static str,
    subject: &str,
    link: &str,
    change: &Change,
) -> Result<Vec<Notice>> {
    let rows: Vec<(UserId, Option<String>)> = sqlx::query_as(
        "SELECT u.id, u.language FROM follows f JOIN users u ON u.id = f.user_id
         WHERE f.target_kind = $1 AND f.target_id = $2 AND u.deleted_at IS NULL
           AND u.blocked_at IS NULL AND NOT (u.id = ANY ($3))
         LIMIT 10000",
    )
    .bind(target.kind())
    .bind(target.id())
    .bind(except)
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(user, language)| Notice {
            user,
            language,
            kind,
            subject: subject.to_owned(),
            link: link.to_owned(),
            change: change.clone(),
        })
        .collect())
}

/// A single person as a notice.
pub(crate) async fn notify_user(
    tx: &mut cabildo_tenancy::TenantTx,
    user: UserId,
    kind: &'static str,
    subject: &str,
    link: &str,
    change: &Change,
) -> Result<Option<Notice>> {
    let language: Option<Option<String>> =
        sqlx::query_scalar("SELECT language FROM users WHERE id = $1 AND deleted_at IS NULL")
            .bind(user)
            .fetch_optional(tx.conn())
            .await?;
    Ok(language.map(|language| Notice {
        user,
        language,
        kind,
        subject: subject.to_owned(),
        link: link.to_owned(),
        change: change.clone(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_clamped() {
        assert_eq!(
            PageRequest::clamped(None, None),
            PageRequest {
                page: 1,
                per_page: 20
            }
        );
        assert_eq!(
            PageRequest::clamped(Some(-5), Some(0)),
            PageRequest {
                page: 1,
                per_page: 1
            }
        );
        let huge = PageRequest::clamped(Some(i64::MAX), Some(i64::MAX));
        assert_eq!(huge.page, PageRequest::MAX_PAGE);
        assert_eq!(huge.per_page, PageRequest::MAX_PER_PAGE);
        assert_eq!(PageRequest::clamped(Some(3), Some(10)).offset(), 20);
    }

    #[test]
    fn texts_are_trimmed_and_bounded() {
        let title = |value, min, max| text(value, Field::Title, Problem::TitleInvalid, min, max);
        assert_eq!(title("  hola ", 3, 10).ok(), Some("hola".into()));
        assert!(title("  ", 1, 10).is_err());
        assert!(title("ñññññ", 1, 4).is_err());
        assert!(title("a\0b", 1, 4).is_err());
    }
}
