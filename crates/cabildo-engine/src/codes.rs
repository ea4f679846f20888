//! Codes people read aloud and type from paper (consultation receipts,
//! meeting entry codes): random characters from Crockford's base-32
//! alphabet, read back forgivingly (lower case, spaces, dashes, O for 0,
//! I and L for 1).

use rand::RngCore;

/// Crockford's base-32 alphabet (no I, L, O, U).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// `length` random characters (5 random bits each).
pub(crate) fn random(length: usize) -> String {
    let mut bytes = vec![0u8; (length * 5).div_ceil(8)];
    rand::rng().fill_bytes(&mut bytes);
    let mut bits = 0u32;
    let mut held = 0;
    let mut chars = String::with_capacity(length);
    for byte in bytes {
        bits = (bits << 8) | u32::from(byte);
        held += 8;
        while held >= 5 && chars.len() < length {
            held -= 5;
            chars.push(char::from(ALPHABET[((bits >> held) & 31) as usize]));
        }
    }
    chars
}

/// A code as typed, in canonical form (upper case, no separators), when
/// every character can belong to one and there are `length` of them.
pub(crate) fn normal(typed: &str, length: usize) -> Option<String> {
    let mut chars = String::with_capacity(length);
    for c in typed.chars().filter(|c| !matches!(c, ' ' | '-' | '\t')) {
        let c = match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !ALPHABET.contains(&u8::try_from(c).ok()?) {
            return None;
        }
        chars.push(c);
    }
    (chars.len() == length).then_some(chars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_as_typed_from_paper() {
        let code = random(8);
        assert_eq!(code.len(), 8);
        assert_eq!(normal(&code, 8).as_deref(), Some(code.as_str()));
        let typed = code.to_lowercase().replace('0', "o").replace('1', "l");
        assert_eq!(
            normal(&format!(" {typed} "), 8).as_deref(),
            Some(code.as_str())
        );
        assert_eq!(normal(&code, 9), None);
        assert_eq!(normal("ABCDEFGU", 8), None);
        assert_ne!(random(8), random(8));
    }
}
