//! QR codes as inline SVG (dark squares on white with the four-module
//! quiet zone readers need), drawn from the `qrcode` crate's matrix: no
//! picture files, no script, nothing the CSP would block.

use qrcode::{Color, QrCode};
use std::fmt::Write;

/// `text` as a QR code, labelled `label` for screen readers; none when
/// it is too long for one.
pub fn svg(text: &str, label: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    let width = code.width();
    let size = width + 8;
    let mut path = String::new();
    for (i, color) in code.to_colors().into_iter().enumerate() {
        if color == Color::Dark {
            let (x, y) = (i % width + 4, i / width + 4);
            let _ = write!(path, "M{x} {y}h1v1h-1z");
        }
    }
    let label = super::charts::escape(label);
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" viewBox=\"0 0 {size} {size}\" \
         role=\"img\" aria-label=\"{label}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{path}\"/></svg>"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_becomes_a_labelled_square_drawing() {
        let drawn = svg(
            "https://toledo.example/staff/meetings/x?code=ABCD1234",
            "Código <QR>",
        )
        .expect("fits");
        assert!(drawn.starts_with("<svg"));
        assert!(
            drawn.contains("aria-label=\"Código &lt;QR&gt;\""),
            "{drawn}"
        );
        assert!(drawn.matches("h1v1h-1z").count() > 100);
        assert_eq!(svg(&"x".repeat(10_000), "too long"), None);
    }
}
