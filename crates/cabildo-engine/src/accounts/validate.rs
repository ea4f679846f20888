//! Checks on what people type into account forms, with stable codes.

use crate::error::Problem;
use unicode_normalization::UnicodeNormalization;
use unicode_security::{MixedScript, skeleton};

/// Longest name, in characters.
pub const NAME_MAX: usize = 100;
/// Nickname length bounds, in characters.
pub const NICKNAME_LENGTH: std::ops::RangeInclusive<usize> = 3..=30;

/// A display name: trimmed, 1 to [`NAME_MAX`] characters, no control
/// characters. Markup is allowed as text: it is escaped wherever shown.
pub fn name(input: &str) -> Result<String, Problem> {
    let name = input.trim();
    if name.is_empty() {
        return Err(Problem::NameRequired);
    }
    if name.chars().count() > NAME_MAX {
        return Err(Problem::NameTooLong);
    }
    if name.chars().any(char::is_control) {
        return Err(Problem::NameInvalid);
    }
    Ok(name.to_owned())
}

/// A nickname: letters of one script, digits, `.`, `-` and `_`, in
/// Unicode compatibility form (NFKC: full-width `ｅｖｅ１` is `eve1`). Names
/// mixing scripts (a Cyrillic `а` in `аdmin`) are refused; look-alikes
/// within or across scripts are caught by [`nickname_skeleton`].
pub fn nickname(input: &str) -> Result<String, Problem> {
    let nickname: String = input.trim().nfkc().collect();
    if nickname.is_empty() {
        return Err(Problem::NicknameRequired);
    }
    if !NICKNAME_LENGTH.contains(&nickname.chars().count()) {
        return Err(Problem::NicknameLength);
    }
    if !nickname
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        return Err(Problem::NicknameInvalid);
    }
    if !nickname.as_str().is_single_script() {
        return Err(Problem::NicknameScripts);
    }
    Ok(nickname)
}

/// What a nickname looks like (Unicode TR39 skeleton of its lower case):
/// two nicknames with the same skeleton read the same (`rn` and `m`,
/// Cyrillic `асе` and Latin `ace`), so at most one of them is taken.
pub fn nickname_skeleton(nickname: &str) -> String {
    skeleton(&nickname.to_lowercase())
        .collect::<String>()
        .to_lowercase()
}

/// An email address, lower-cased: one `@`, a dotted domain, no spaces or
/// control characters, at most 254 characters. Whether it exists is
/// learnt by mailing it.
pub fn email(input: &str) -> Result<String, Problem> {
    let email = input.trim().to_lowercase();
    if email.is_empty() {
        return Err(Problem::EmailRequired);
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
        Err(Problem::EmailInvalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_normalised_or_refused_with_a_code() {
        assert_eq!(name("  Ana <b>López</b> "), Ok("Ana <b>López</b>".into()));
        assert_eq!(name(" "), Err(Problem::NameRequired));
        assert_eq!(name("a\u{0}b"), Err(Problem::NameInvalid));
        assert_eq!(name(&"a".repeat(NAME_MAX + 1)), Err(Problem::NameTooLong));
        assert_eq!(nickname("ana_lópez.7"), Ok("ana_lópez.7".into()));
        assert_eq!(
            nickname("ｅｖｅ１"),
            Ok("eve1".into()),
            "full-width is plain"
        );
        assert_eq!(
            nickname("\u{430}dmin-toledo"),
            Err(Problem::NicknameScripts)
        );
        assert_eq!(nickname("Дмитрий_7"), Ok("Дмитрий_7".into()), "one script");
        assert_eq!(
            nickname_skeleton("\u{430}\u{441}\u{435}"),
            nickname_skeleton("ace"),
            "Cyrillic асе reads as Latin ace"
        );
        assert_eq!(nickname_skeleton("Admin"), nickname_skeleton("adrnin"));
        assert_ne!(nickname_skeleton("ana"), nickname_skeleton("ane"));
        assert_eq!(nickname("<script>"), Err(Problem::NicknameInvalid));
        assert_eq!(nickname("ab"), Err(Problem::NicknameLength));
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
            assert_eq!(email(bad), Err(Problem::EmailInvalid), "{bad}");
        }
    }
}
