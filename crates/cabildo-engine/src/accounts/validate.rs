//! Checks on what people type into account forms, with stable codes.

/// A field of an account form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// Full name.
    Name,
    /// Public nickname.
    Nickname,
    /// Email address.
    Email,
    /// Password.
    Password,
    /// Preferred language.
    Language,
    /// Acceptance of the terms of use and privacy policy.
    Terms,
    /// How notifications are emailed.
    NotifyEmail,
}

impl Field {
    /// The field's name in forms and the API.
    pub fn name(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Nickname => "nickname",
            Self::Email => "email",
            Self::Password => "password",
            Self::Language => "language",
            Self::Terms => "accept_terms",
            Self::NotifyEmail => "notify_email",
        }
    }
}

/// One refused field: which, and why (a stable code such as
/// `email_invalid` or `nickname_taken`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field.
    pub field: Field,
    /// Why.
    pub code: &'static str,
}

impl FieldError {
    pub(crate) fn new(field: Field, code: &'static str) -> Self {
        Self { field, code }
    }
}

/// Longest name, in characters.
pub const NAME_MAX: usize = 100;
/// Nickname length bounds, in characters.
pub const NICKNAME_LENGTH: std::ops::RangeInclusive<usize> = 3..=30;

/// A display name: trimmed, 1 to [`NAME_MAX`] characters, no control
/// characters. Markup is allowed as text: it is escaped wherever shown.
pub fn name(input: &str) -> Result<String, &'static str> {
    let name = input.trim();
    if name.is_empty() {
        return Err("name_required");
    }
    if name.chars().count() > NAME_MAX {
        return Err("name_too_long");
    }
    if name.chars().any(char::is_control) {
        return Err("name_invalid");
    }
    Ok(name.to_owned())
}

/// A nickname: letters (any script), digits, `.`, `-` and `_`.
pub fn nickname(input: &str) -> Result<String, &'static str> {
    let nickname = input.trim();
    if nickname.is_empty() {
        return Err("nickname_required");
    }
    if !NICKNAME_LENGTH.contains(&nickname.chars().count()) {
        return Err("nickname_length");
    }
    if !nickname
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        return Err("nickname_invalid");
    }
    Ok(nickname.to_owned())
}

/// An email address, lower-cased: one `@`, a dotted domain, no spaces or
/// control characters, at most 254 characters. Whether it exists is
/// learnt by mailing it.
pub fn email(input: &str) -> Result<String, &'static str> {
    let email = input.trim().to_lowercase();
    if email.is_empty() {
        return Err("email_required");
    }
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && local.len() <= 64
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains("..")
        })
        && !email.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ',' | ';')
        });
    if valid {
        Ok(email)
    } else {
        Err("email_invalid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_normalised_or_refused_with_a_code() {
        assert_eq!(name("  Ana <b>López</b> "), Ok("Ana <b>López</b>".into()));
        assert_eq!(name(" "), Err("name_required"));
        assert_eq!(name("a\u{0}b"), Err("name_invalid"));
        assert_eq!(name(&"a".repeat(NAME_MAX + 1)), Err("name_too_long"));
        assert_eq!(nickname("ana_lópez.7"), Ok("ana_lópez.7".into()));
        assert_eq!(nickname("<script>"), Err("nickname_invalid"));
        assert_eq!(nickname("ab"), Err("nickname_length"));
        assert_eq!(email(" Ana@Example.ORG "), Ok("ana@example.org".into()));
        for bad in [
            "ana",
            "ana@",
            "@x.es",
            "ana@x",
            "a b@x.es",
            "ana@x..es",
            "a@b@c.es",
            "a<b>@x.es",
        ] {
            assert_eq!(email(bad), Err("email_invalid"), "{bad}");
        }
    }
}
