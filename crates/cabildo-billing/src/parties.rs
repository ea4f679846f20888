//! The parties of an invoice: the platform's operator who issues it (the
//! seller) and a council that pays against it (the buyer, with FACe's DIR3
//! codes), and the checks their details pass: NIF control characters,
//! DIR3 codes, IBAN check digits.

use crate::error::{BillingError, Result};
use serde::{Deserialize, Serialize};

/// A legal entity and its address in Spain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entity {
    /// Its registered name (`Ayuntamiento de Toledo`).
    pub legal_name: String,
    /// NIF (public bodies: P…, Q…, S…; companies: A…, B…).
    pub tax_id: String,
    /// Street and number.
    pub address: String,
    /// Five-digit postcode.
    pub postcode: String,
    /// Town.
    pub town: String,
    /// Province.
    pub province: String,
}

/// Who issues the invoices: the platform's operator (`--seller FILE`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seller {
    /// Name, tax id and address.
    #[serde(flatten)]
    pub entity: Entity,
    /// The account transfers go to.
    pub iban: String,
}

/// A council's details for invoices: who pays, and FACe's three DIR3
/// codes (required by FACe to route an invoice).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Buyer {
    /// Name, tax id and address.
    #[serde(flatten)]
    pub entity: Entity,
    /// Oficina contable (role 01).
    pub dir3_accounting: String,
    /// Órgano gestor (role 02).
    pub dir3_management: String,
    /// Unidad tramitadora (role 03).
    pub dir3_processing: String,
}

/// What is wrong with a field of a party's details.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Empty, or longer than `most` characters.
    Length {
        /// The most characters allowed.
        most: usize,
    },
    /// Not a Spanish NIF (its control character does not match).
    TaxId,
    /// Not five digits.
    Postcode,
    /// Not a DIR3 code (9 capital letters and digits).
    Dir3,
    /// Not an IBAN (its check digits do not match).
    Iban,
}

/// A field that is not acceptable, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The field, as named in the TOML files and forms (`tax_id`).
    pub field: &'static str,
    /// What is wrong.
    pub fault: Fault,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let field = self.field;
        match self.fault {
            Fault::Length { most } => write!(f, "{field}: 1 to {most} characters"),
            Fault::TaxId => write!(
                f,
                "{field}: not a valid Spanish NIF (check letter or digit)"
            ),
            Fault::Postcode => write!(f, "{field}: five digits"),
            Fault::Dir3 => write!(
                f,
                "{field}: a DIR3 code is 9 letters and digits (L01451680)"
            ),
            Fault::Iban => write!(f, "{field}: not a valid IBAN"),
        }
    }
}

/// The problems, one per line.
fn described(problems: &[Problem]) -> String {
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    lines.join("; ")
}

impl Entity {
    /// Every field that is not acceptable.
    fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut text = |field: &'static str, value: &str, most: usize| {
            let n = value.trim().chars().count();
            if n == 0 || n > most {
                problems.push(Problem {
                    field,
                    fault: Fault::Length { most },
                });
            }
        };
        text("legal_name", &self.legal_name, 80);
        text("address", &self.address, 80);
        text("town", &self.town, 50);
        text("province", &self.province, 20);
        if !valid_tax_id(&self.tax_id) {
            problems.push(Problem {
                field: "tax_id",
                fault: Fault::TaxId,
            });
        }
        if !(self.postcode.len() == 5 && self.postcode.bytes().all(|b| b.is_ascii_digit())) {
            problems.push(Problem {
                field: "postcode",
                fault: Fault::Postcode,
            });
        }
        problems
    }

    /// Spaces trimmed, the tax id in capitals.
    fn tidied(self) -> Self {
        Self {
            legal_name: self.legal_name.trim().to_owned(),
            tax_id: self.tax_id.trim().to_uppercase(),
            address: self.address.trim().to_owned(),
            postcode: self.postcode.trim().to_owned(),
            town: self.town.trim().to_owned(),
            province: self.province.trim().to_owned(),
        }
    }
}

/// A TOML file read into `T`, its mistakes named by file.
fn read_toml<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> Result<T> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| BillingError::Read {
        path: file.clone(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| BillingError::Invalid {
        file,
        reason: e.message().to_owned(),
    })
}

impl Seller {
    /// Reads and checks the seller in a TOML file.
    pub fn from_file(path: &std::path::Path) -> Result<Self> {
        let seller: Self = read_toml(path)?;
        let iban: String = seller.iban.chars().filter(|c| !c.is_whitespace()).collect();
        let mut problems = seller.entity.problems();
        if !valid_iban(&iban) {
            problems.push(Problem {
                field: "iban",
                fault: Fault::Iban,
            });
        }
        if problems.is_empty() {
            Ok(Self {
                iban,
                entity: seller.entity.tidied(),
            })
        } else {
            Err(BillingError::Invalid {
                file: path.display().to_string(),
                reason: described(&problems),
            })
        }
    }
}

impl Buyer {
    /// Reads a council's details from a TOML file (checked when stored).
    pub fn from_file(path: &std::path::Path) -> Result<Self> {
        read_toml(path)
    }

    /// The details with spaces trimmed and codes in capitals, or every
    /// field that is not acceptable.
    pub fn checked(self) -> std::result::Result<Self, Vec<Problem>> {
        let code = |c: &str| c.trim().to_uppercase();
        let buyer = Self {
            entity: self.entity.tidied(),
            dir3_accounting: code(&self.dir3_accounting),
            dir3_management: code(&self.dir3_management),
            dir3_processing: code(&self.dir3_processing),
        };
        let mut problems = buyer.entity.problems();
        for (field, code) in [
            ("dir3_accounting", &buyer.dir3_accounting),
            ("dir3_management", &buyer.dir3_management),
            ("dir3_processing", &buyer.dir3_processing),
        ] {
            if !valid_dir3(code) {
                problems.push(Problem {
                    field,
                    fault: Fault::Dir3,
                });
            }
        }
        if problems.is_empty() {
            Ok(buyer)
        } else {
            Err(problems)
        }
    }

    /// [`Buyer::checked`], its problems as the error of a file.
    pub fn checked_as(self, file: &str) -> Result<Self> {
        self.checked().map_err(|problems| BillingError::Invalid {
            file: file.to_owned(),
            reason: described(&problems),
        })
    }
}

/// Whether `id` is a valid Spanish NIF: a DNI (8 digits and a letter), a
/// NIE (X, Y or Z, 7 digits and a letter) or an entity's NIF (a letter,
/// 7 digits and a check digit or letter: P for local bodies such as
/// councils, Q and S for other public bodies).
pub fn valid_tax_id(id: &str) -> bool {
    const DNI_LETTERS: &[u8] = b"TRWAGMYFPDXBNJZSQVHLCKE";
    let id = id.trim().to_uppercase();
    let bytes = id.as_bytes();
    if bytes.len() != 9 {
        return false;
    }
    let digits = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
    let number = |text: &str| text.parse::<usize>().ok();
    match bytes[0] {
        b'0'..=b'9' if digits(0..8) => {
            number(&id[..8]).is_some_and(|n| DNI_LETTERS[n % 23] == bytes[8])
        }
        b'X' | b'Y' | b'Z' if digits(1..8) => {
            let prefix = match bytes[0] {
                b'X' => "0",
                b'Y' => "1",
                _ => "2",
            };
            number(&format!("{prefix}{}", &id[1..8]))
                .is_some_and(|n| DNI_LETTERS[n % 23] == bytes[8])
        }
        b'A'..=b'W' if digits(1..8) => {
            let mut sum = 0u32;
            for (i, b) in bytes[1..8].iter().enumerate() {
                let d = u32::from(b - b'0');
                sum += if i % 2 == 0 {
                    let double = d * 2;
                    double / 10 + double % 10
                } else {
                    d
                };
            }
            let control = (10 - sum % 10) % 10;
            let letter = b"JABCDEFGHI"[control as usize];
            let digit = b'0' + u8::try_from(control).unwrap_or(0);
            match bytes[0] {
                // Public bodies and foreign entities: a letter.
                b'P' | b'Q' | b'R' | b'S' | b'N' | b'W' => bytes[8] == letter,
                // Companies: a digit.
                b'A' | b'B' | b'E' | b'H' => bytes[8] == digit,
                _ => bytes[8] == digit || bytes[8] == letter,
            }
        }
        _ => false,
    }
}

/// Whether `code` looks like a DIR3 code: 9 capital letters and digits,
/// starting with a letter (`L01451680`: a local body, council 45168).
pub fn valid_dir3(code: &str) -> bool {
    code.len() == 9
        && code.starts_with(|c: char| c.is_ascii_uppercase())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Whether `iban` (without spaces) has a valid ISO 13616 check.
pub fn valid_iban(iban: &str) -> bool {
    if !(15..=34).contains(&iban.len()) || !iban.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    let rearranged = format!("{}{}", &iban[4..], &iban[..4]).to_uppercase();
    let mut rest = 0u32;
    for c in rearranged.chars() {
        let value = c.to_digit(36).unwrap_or(0);
        rest = if value >= 10 {
            (rest * 100 + value) % 97
        } else {
            (rest * 10 + value) % 97
        };
    }
    rest == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_tax_ids_are_checked_by_their_control_character() {
        // Councils (P…), a company (B…), a DNI and a NIE.
        for good in [
            "P4516800B",
            "P0801900B",
            "B12345674",
            "12345678Z",
            "X1234567L",
        ] {
            assert!(valid_tax_id(good), "{good}");
        }
        for bad in [
            "P4516800J",
            "B12345670",
            "12345678A",
            "X1234567A",
            "P451680",
            "",
            "ESP4516800B",
        ] {
            assert!(!valid_tax_id(bad), "{bad}");
        }
    }

    #[test]
    fn dir3_codes_and_ibans_are_checked() {
        assert!(valid_dir3("L01451680"));
        assert!(!valid_dir3("l01451680") && !valid_dir3("L0145168") && !valid_dir3("101451680"));
        assert!(valid_iban("ES9121000418450200051332"));
        assert!(!valid_iban("ES9121000418450200051333"));
    }
}
