//! Colours of a council's site and the contrast WCAG 2.2 asks of text on
//! them (1.4.3: at least 4.5:1). The council chooses a primary and an
//! accent; the text drawn on each is chosen here, and a primary too light
//! to be a link colour on the white page is refused when saved.

/// Least contrast of normal text (WCAG 2.2, 1.4.3, level AA).
pub const TEXT_CONTRAST: f64 = 4.5;

/// `#rrggbb` as its three channels.
pub fn parse(hex: &str) -> Option<[u8; 3]> {
    let digits = hex.strip_prefix('#').filter(|d| d.len() == 6)?;
    let channel = |i: usize| u8::from_str_radix(digits.get(i..i + 2)?, 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

/// Relative luminance (WCAG 2.2 definition).
pub fn luminance([r, g, b]: [u8; 3]) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
}

/// Contrast ratio of two colours, from 1 to 21.
pub fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (a, b) = (luminance(a), luminance(b));
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

/// White or black, whichever reads better on `background`: one of them
/// always reaches 4.58:1 at least.
pub fn text_on(background: [u8; 3]) -> &'static str {
    if contrast(background, [255; 3]) >= contrast(background, [0; 3]) {
        "#ffffff"
    } else {
        "#000000"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_follows_wcag() {
        assert_eq!(parse("#8a1538"), Some([0x8a, 0x15, 0x38]));
        assert_eq!(parse("8a1538"), None);
        assert_eq!(parse("#8a153"), None);
        assert!((contrast([255; 3], [0; 3]) - 21.0).abs() < 1e-9);
        // #767676 is the lightest grey that passes on white.
        assert!(contrast([0x76; 3], [255; 3]) >= TEXT_CONTRAST);
        assert!(contrast([0x77; 3], [255; 3]) < TEXT_CONTRAST);
        // The case: #abcdef on white.
        let light = parse("#abcdef").expect("colour");
        assert!((contrast(light, [255; 3]) - 1.65).abs() < 0.01);
    }

    #[test]
    fn text_on_any_background_reaches_aa() {
        for grey in 0..=255u8 {
            for tint in [
                [grey, grey, grey],
                [grey, 0, 0],
                [0, grey, 0],
                [0, 0, grey],
                [255, grey, 0],
            ] {
                let text = parse(text_on(tint)).expect("colour");
                assert!(contrast(tint, text) >= TEXT_CONTRAST, "{tint:?}");
            }
        }
        assert_eq!(
            text_on(parse("#c9a227").expect("Toledo's accent")),
            "#000000"
        );
        assert_eq!(
            text_on(parse("#8a1538").expect("Toledo's primary")),
            "#ffffff"
        );
    }
}
