//! Documents as PDF, drawn on the server with `pdf-writer` (typst's
//! writer: small, pure Rust, nothing to install on a host). Pages are A4,
//! set in Helvetica, one of the fonts every PDF reader carries, so no font
//! is embedded; text is encoded as WinAnsi (Windows-1252), which covers
//! Spanish, Catalan, Basque and Galician and the euro sign. A character
//! outside it prints as "?".
//!
//! The layout is a single column that flows down the page and onto the
//! next: headings, wrapped paragraphs, two blocks side by side, and rows
//! with a label on the left and an amount on the right.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

/// A4 in points.
const PAGE: (f32, f32) = (595.0, 842.0);
/// 2 cm.
const MARGIN: f32 = 56.7;
const WIDTH: f32 = PAGE.0 - 2.0 * MARGIN;
/// Space between lines, as a share of the font size.
const LEADING: f32 = 1.35;
/// The gap between two side-by-side blocks.
const GUTTER: f32 = 24.0;

/// A typeface weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weight {
    /// Helvetica.
    Regular,
    /// Helvetica-Bold.
    Bold,
}

impl Weight {
    fn resource(self) -> Name<'static> {
        match self {
            Self::Regular => Name(b"F1"),
            Self::Bold => Name(b"F2"),
        }
    }

    /// Advance widths (thousandths of the size) of WinAnsi codes 32–255,
    /// from Adobe's metrics (AFM) of the standard fonts.
    fn widths(self) -> &'static [u16; 224] {
        match self {
            Self::Regular => &HELVETICA,
            Self::Bold => &HELVETICA_BOLD,
        }
    }
}

/// A document being drawn.
pub struct Document {
    title: String,
    language: String,
    pages: Vec<Content>,
    page: Content,
    /// Where the next line's baseline goes.
    y: f32,
}

impl Document {
    /// An empty document; `title` and `language` (a BCP 47 tag) go into
    /// its metadata, which readers and screen readers announce.
    pub fn new(title: &str, language: &str) -> Self {
        Self {
            title: title.to_owned(),
            language: language.to_owned(),
            pages: Vec::new(),
            page: Content::new(),
            y: PAGE.1 - MARGIN,
        }
    }

    /// Moves to a new page unless `height` more points fit on this one.
    fn room(&mut self, height: f32) {
        if self.y - height < MARGIN {
            let full = std::mem::replace(&mut self.page, Content::new());
            self.pages.push(full);
            self.y = PAGE.1 - MARGIN;
        }
    }

    fn show(&mut self, x: f32, y: f32, text: &[u8], weight: Weight, size: f32) {
        self.page
            .begin_text()
            .set_font(weight.resource(), size)
            .next_line(x, y)
            .show(Str(text))
            .end_text();
    }

    /// A line of bold text in `size` points, with space above it.
    pub fn heading(&mut self, text: &str, size: f32) {
        self.gap(size * 0.5);
        self.paragraph_in(text, Weight::Bold, size);
    }

    /// Text wrapped to the page's width.
    pub fn paragraph(&mut self, text: &str, size: f32) {
        self.paragraph_in(text, Weight::Regular, size);
    }

    fn paragraph_in(&mut self, text: &str, weight: Weight, size: f32) {
        for line in wrap(&encode(text), weight, size, WIDTH) {
            self.room(size * LEADING);
            self.y -= size;
            self.show(MARGIN, self.y, &line, weight, size);
            self.y -= size * (LEADING - 1.0);
        }
    }

    /// Two blocks side by side, each a bold title over its lines (the
    /// parties of an invoice).
    pub fn columns(&mut self, blocks: [(&str, &[String]); 2], size: f32) {
        let column = (WIDTH - GUTTER) / 2.0;
        let wrapped: Vec<(Vec<u8>, Vec<Vec<u8>>)> = blocks
            .iter()
            .map(|(title, lines)| {
                let body = (lines.iter())
                    .flat_map(|l| wrap(&encode(l), Weight::Regular, size, column))
                    .collect();
                (encode(title), body)
            })
            .collect();
        let rows = wrapped.iter().map(|(_, b)| b.len() + 1).max().unwrap_or(0);
        #[expect(clippy::cast_precision_loss, reason = "a few lines")]
        self.room(rows as f32 * size * LEADING);
        let top = self.y;
        for (i, (title, body)) in wrapped.iter().enumerate() {
            #[expect(clippy::cast_precision_loss, reason = "two columns")]
            let x = MARGIN + i as f32 * (column + GUTTER);
            let mut y = top - size;
            self.show(x, y, title, Weight::Bold, size);
            for line in body {
                y -= size * LEADING;
                self.show(x, y, line, Weight::Regular, size);
            }
        }
        #[expect(clippy::cast_precision_loss, reason = "a few lines")]
        let height = rows as f32 * size * LEADING;
        self.y = top - height;
    }

    /// A label on the left (wrapped short of the right column) and a value
    /// flush right: a table row, a total.
    pub fn row(&mut self, label: &str, value: &str, weight: Weight, size: f32) {
        let value = encode(value);
        let value_width = measure(&value, weight, size);
        let lines = wrap(&encode(label), weight, size, WIDTH - value_width - GUTTER);
        #[expect(clippy::cast_precision_loss, reason = "a few lines")]
        self.room(lines.len().max(1) as f32 * size * LEADING);
        self.y -= size;
        self.show(MARGIN + WIDTH - value_width, self.y, &value, weight, size);
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                self.y -= size * LEADING;
            }
            self.show(MARGIN, self.y, line, weight, size);
        }
        self.y -= size * (LEADING - 1.0);
    }

    /// A thin line across the page.
    pub fn rule(&mut self) {
        self.room(6.0);
        self.y -= 3.0;
        self.page
            .set_line_width(0.5)
            .move_to(MARGIN, self.y)
            .line_to(MARGIN + WIDTH, self.y)
            .stroke();
        self.y -= 3.0;
    }

    /// Empty space.
    pub fn gap(&mut self, points: f32) {
        self.y -= points;
    }

    /// The finished file.
    pub fn finish(mut self) -> Vec<u8> {
        self.pages.push(self.page);
        let catalog = Ref::new(1);
        let tree = Ref::new(2);
        let info = Ref::new(3);
        let fonts = [(Weight::Regular, Ref::new(4)), (Weight::Bold, Ref::new(5))];
        let first = 6;
        let ids: Vec<(Ref, Ref)> = (0..self.pages.len())
            .map(|i| {
                let n = first + 2 * i32::try_from(i).unwrap_or(i32::MAX / 2 - first);
                (Ref::new(n), Ref::new(n + 1))
            })
            .collect();
        let mut pdf = Pdf::new();
        let mut cat = pdf.catalog(catalog);
        cat.pages(tree).lang(TextStr(&self.language));
        cat.viewer_preferences().display_doc_title(true);
        cat.finish();
        pdf.document_info(info)
            .title(TextStr(&self.title))
            .producer(TextStr("Cabildo"));
        pdf.pages(tree)
            .kids(ids.iter().map(|(page, _)| *page))
            .count(i32::try_from(ids.len()).unwrap_or(i32::MAX));
        for (weight, id) in fonts {
            let name: &[u8] = match weight {
                Weight::Regular => b"Helvetica",
                Weight::Bold => b"Helvetica-Bold",
            };
            pdf.type1_font(id)
                .base_font(Name(name))
                .encoding_predefined(Name(b"WinAnsiEncoding"));
        }
        for ((page_id, content_id), content) in ids.iter().zip(self.pages) {
            let mut page = pdf.page(*page_id);
            page.parent(tree)
                .media_box(Rect::new(0.0, 0.0, PAGE.0, PAGE.1))
                .contents(*content_id);
            let mut resources = page.resources();
            let mut dict = resources.fonts();
            for (weight, id) in fonts {
                dict.pair(weight.resource(), id);
            }
            dict.finish();
            resources.finish();
            page.finish();
            pdf.stream(*content_id, &content.finish());
        }
        pdf.finish()
    }
}

/// `text` in WinAnsi: Latin-1 as is, the typographic characters of codes
/// 128–159 mapped, spaces of any width as a space, anything else "?".
fn encode(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => u8::try_from(u32::from(c)).unwrap_or(b'?'),
            '\u{2000}'..='\u{200a}' | '\u{202f}' => b' ',
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‰' => 0x89,
            'Š' => 0x8a,
            '‹' => 0x8b,
            'Œ' => 0x8c,
            'Ž' => 0x8e,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' | '\u{2212}' => 0x96,
            '—' => 0x97,
            '™' => 0x99,
            'š' => 0x9a,
            '›' => 0x9b,
            'œ' => 0x9c,
            'ž' => 0x9e,
            'Ÿ' => 0x9f,
            _ => b'?',
        })
        .collect()
}

/// The width of WinAnsi `text` in points.
fn measure(text: &[u8], weight: Weight, size: f32) -> f32 {
    let widths = weight.widths();
    let units: u32 = (text.iter())
        .map(|b| u32::from(widths[usize::from(b.saturating_sub(32)).min(223)]))
        .sum();
    #[expect(clippy::cast_precision_loss, reason = "thousandths of a line")]
    let units = units as f32;
    units * size / 1000.0
}

/// `text` broken at spaces into lines no wider than `width` (a word wider
/// than that gets a line of its own).
fn wrap(text: &[u8], weight: Weight, size: f32, width: f32) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    for word in text.split(|b| *b == b' ').filter(|w| !w.is_empty()) {
        let mut longer = line.clone();
        if !longer.is_empty() {
            longer.push(b' ');
        }
        longer.extend_from_slice(word);
        if !line.is_empty() && measure(&longer, weight, size) > width {
            lines.push(std::mem::replace(&mut line, word.to_vec()));
        } else {
            line = longer;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[rustfmt::skip]
const HELVETICA: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 350,
    556, 350, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 350, 611, 350,
    350, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 350, 500, 667,
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
];

#[rustfmt::skip]
const HELVETICA_BOLD: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 350,
    556, 350, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 350, 611, 350,
    350, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 350, 500, 667,
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278,
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_encoded_as_winansi() {
        assert_eq!(encode("Añó 1.000 €"), b"A\xf1\xf3 1.000 \x80");
        assert_eq!(encode("l·l – ok"), b"l\xb7l \x96 ok");
        assert_eq!(encode("日本"), b"??");
    }

    #[test]
    fn widths_follow_the_font_metrics() {
        // "1,00 €": five digits and comma/space at Helvetica's widths.
        let text = encode("1,00 €");
        assert!((measure(&text, Weight::Regular, 10.0) - 27.8).abs() < 0.01);
        assert!(measure(b"Wide", Weight::Bold, 10.0) > measure(b"Wide", Weight::Regular, 10.0));
    }

    #[test]
    fn paragraphs_wrap_at_spaces_within_the_width() {
        let text = encode("uno dos tres cuatro cinco seis siete ocho nueve diez");
        let lines = wrap(&text, Weight::Regular, 10.0, 80.0);
        assert!(lines.len() > 2, "{lines:?}");
        for line in &lines {
            assert!(measure(line, Weight::Regular, 10.0) <= 80.0 || !line.contains(&b' '));
        }
        let joined: Vec<u8> = lines.join(&b' ');
        assert_eq!(joined, text);
    }
}
