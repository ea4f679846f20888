//! How numbers, money, dates and texts read on pages, and how amounts
//! staff type are read back.

use crate::ui::i18n::Tr;
use time::OffsetDateTime;

/// An amount of money for people, as each language writes it: grouped
/// digits, decimals only when there are cents, and the currency's sign
/// where it has one ("300.000 €", "1.500,50 €" in Spanish; "€300,000" in
/// English).
pub fn money(tr: &Tr, cents: i64, currency: &str) -> String {
    money_with(tr, cents, currency, false)
}

/// An amount with its cents always shown ("190,00 €"), as invoices write
/// amounts.
pub fn money_exact(tr: &Tr, cents: i64, currency: &str) -> String {
    money_with(tr, cents, currency, true)
}

fn money_with(tr: &Tr, cents: i64, currency: &str, exact: bool) -> String {
    let decimal = if tr.code() == "en" { '.' } else { ',' };
    let units = i64::try_from(cents.unsigned_abs() / 100).unwrap_or(i64::MAX);
    let sign = if cents < 0 { "-" } else { "" };
    let fraction = match cents.unsigned_abs() % 100 {
        0 if !exact => String::new(),
        rest => format!("{decimal}{rest:02}"),
    };
    let amount = format!("{}{fraction}", tr.number(units));
    match (currency_sign(currency), tr.code()) {
        (Some(symbol), "en") => format!("{sign}{symbol}{amount}"),
        (Some(symbol), _) => format!("{sign}{amount}\u{a0}{symbol}"),
        (None, _) => format!("{sign}{amount}\u{a0}{currency}"),
    }
}

/// The sign of the currencies councils use; others show their ISO code.
fn currency_sign(currency: &str) -> Option<&'static str> {
    match currency {
        "EUR" => Some("€"),
        "GBP" => Some("£"),
        "USD" => Some("$"),
        _ => None,
    }
}

/// A budget amount in millionths, as cents.
pub fn cents_of_millionths(amount: i128) -> i64 {
    i64::try_from(amount / 10_000).unwrap_or(i64::MAX)
}

/// An amount typed by staff: whole units, or units with one or two
/// decimals after `.` or `,` ("300000", "1500,50"). Grouping marks are
/// refused rather than guessed ("300.000" could be either).
pub fn parse_cents(text: &str) -> Option<i64> {
    let text = text.trim();
    let (units, decimals) = match text.find(['.', ',']) {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, ""),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(units) || !(decimals.is_empty() || digits(decimals) && decimals.len() <= 2) {
        return None;
    }
    let cents: i64 = format!("{decimals:0<2}").parse().ok()?;
    units
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents)
}

/// Cents as staff type them back ("1500.5" → "1500.50"; whole: "1500").
pub fn cents_text(cents: i64) -> String {
    if cents % 100 == 0 {
        (cents / 100).to_string()
    } else {
        format!("{}.{:02}", cents / 100, cents % 100)
    }
}

/// An instant for `datetime` attributes (RFC 3339).
pub fn iso(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Plain text as paragraphs (blank lines separate them); the template
/// escapes each.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A district's name from its code (the code when unknown).
pub fn district_name(districts: &[(String, String)], code: Option<&str>) -> Option<String> {
    let code = code?;
    Some(
        districts
            .iter()
            .find(|(c, _)| c == code)
            .map_or_else(|| code.to_owned(), |(_, name)| name.clone()),
    )
}

/// A key's translation with `_` in codes turned into the `-` of keys:
/// `{prefix}-{code}`.
pub fn coded(tr: &Tr, prefix: &str, code: &str) -> String {
    tr.t(&format!("{prefix}-{}", code.replace('_', "-")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_in_each_language() {
        assert_eq!(
            money(&Tr::new("es"), 123_456_789, "EUR"),
            "1.234.567,89\u{a0}€"
        );
        assert_eq!(money(&Tr::new("es"), 30_000_000, "EUR"), "300.000\u{a0}€");
        assert_eq!(money(&Tr::new("en"), 30_000_000, "EUR"), "€300,000");
        assert_eq!(money(&Tr::new("en"), 123_456_789, "EUR"), "€1,234,567.89");
        assert_eq!(money(&Tr::new("es"), 5, "EUR"), "0,05\u{a0}€");
        assert_eq!(money(&Tr::new("gl"), -500, "CHF"), "-5\u{a0}CHF");
    }

    #[test]
    fn amounts_are_read_without_guessing() {
        assert_eq!(parse_cents("300000"), Some(30_000_000));
        assert_eq!(parse_cents(" 1500,5 "), Some(150_050));
        assert_eq!(parse_cents("1500.05"), Some(150_005));
        for bad in [
            "",
            "300.000",
            "1,2,3",
            "-5",
            "12e3",
            "€5",
            "99999999999999999999",
        ] {
            assert_eq!(parse_cents(bad), None, "{bad}");
        }
        assert_eq!(cents_text(150_050), "1500.50");
        assert_eq!(cents_text(30_000_000), "300000");
        assert_eq!(parse_cents(&cents_text(150_005)), Some(150_005));
    }

    #[test]
    fn paragraphs_split_on_blank_lines() {
        assert_eq!(
            paragraphs("uno\r\n\r\ndos\n\n\n  \ntres"),
            ["uno", "dos", "tres"]
        );
    }
}
