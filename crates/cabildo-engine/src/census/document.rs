//! Spanish identity documents: DNI (8 digits and a check letter) and NIE
//! (X, Y or Z, 7 digits and a check letter), normalised and checked, and
//! their keyed hash, the only form in which they are stored.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

const LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

/// Why a document number is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentError {
    /// Not shaped like a DNI or NIE.
    Format,
    /// The check letter does not match the digits.
    Letter,
}

impl DocumentError {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Format => "document_format",
            Self::Letter => "document_letter",
        }
    }
}

/// Normalises a DNI or NIE as people type it (`12.345.678-z`, `x1234567l`,
/// a DNI with its leading zero left out) to `12345678Z` / `X1234567L`, and
/// checks its letter.
pub fn normalise(input: &str) -> Result<String, DocumentError> {
    let compact: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '\t'))
        .flat_map(char::to_uppercase)
        .collect();
    if !compact.is_ascii() || compact.len() < 2 || compact.len() > 9 {
        return Err(DocumentError::Format);
    }
    let (body, letter) = compact.split_at(compact.len() - 1);
    let letter = letter.as_bytes()[0];
    if !letter.is_ascii_uppercase() {
        return Err(DocumentError::Format);
    }
    let (prefix, digits) = match body.as_bytes().first() {
        Some(b'X') => (Some(('X', 0u32)), &body[1..]),
        Some(b'Y') => (Some(('Y', 1)), &body[1..]),
        Some(b'Z') => (Some(('Z', 2)), &body[1..]),
        _ => (None, body),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DocumentError::Format);
    }
    let (normal, number) = match prefix {
        Some((p, value)) => {
            if digits.len() != 7 {
                return Err(DocumentError::Format);
            }
            let number: u32 = format!("{value}{digits}")
                .parse()
                .map_err(|_| DocumentError::Format)?;
            (format!("{p}{digits}"), number)
        }
        None => {
            if digits.len() > 8 {
                return Err(DocumentError::Format);
            }
            let padded = format!("{digits:0>8}");
            let number: u32 = padded.parse().map_err(|_| DocumentError::Format)?;
            (padded, number)
        }
    };
    if LETTERS[(number % 23) as usize] != letter {
        return Err(DocumentError::Letter);
    }
    Ok(format!("{normal}{}", letter as char))
}

/// The stored form of a normalised document: HMAC-SHA256 under the
/// council's census key. Document numbers are few enough to enumerate, so
/// a plain hash would not hide them; without the key, these do.
pub fn keyed_hash(key: &[u8], normalised: &str) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(normalised.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_normalised_and_their_letter_checked() {
        assert_eq!(normalise("12345678z"), Ok("12345678Z".into()));
        assert_eq!(normalise(" 12.345.678-Z "), Ok("12345678Z".into()));
        assert_eq!(
            normalise("1234567L"),
            Ok("01234567L".into()),
            "leading zero left out"
        );
        assert_eq!(normalise("x1234567l"), Ok("X1234567L".into()));
        assert_eq!(normalise("Y1234567X"), Ok("Y1234567X".into()));
        assert_eq!(normalise("Z1234567R"), Ok("Z1234567R".into()));
        assert_eq!(normalise("12345678A"), Err(DocumentError::Letter));
        assert_eq!(normalise("X12345678L"), Err(DocumentError::Format));
        assert_eq!(normalise("ABCDEFGHZ"), Err(DocumentError::Format));
        assert_eq!(normalise("123456789"), Err(DocumentError::Format));
        assert_eq!(normalise("ñ2345678Z"), Err(DocumentError::Format));
        assert_eq!(normalise(""), Err(DocumentError::Format));
    }

    #[test]
    fn hashes_depend_on_the_key() {
        let a = keyed_hash(b"toledo", "12345678Z");
        assert_eq!(a.len(), 32);
        assert_eq!(a, keyed_hash(b"toledo", "12345678Z"));
        assert_ne!(a, keyed_hash(b"talavera", "12345678Z"));
    }
}
