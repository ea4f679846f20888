//! Charts drawn on the server, without JavaScript: names and figures are
//! HTML text (legible and whole on a phone, read by screen readers); only
//! the bars are SVG, stretched to the width there is. Every chart sits
//! beside a table or a CSV download carrying the same figures.

use std::fmt::Write as _;

/// `text` safe inside HTML text and attributes.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One bar `percent` (0–100) of the row long and `height` units high.
pub fn bar(class: &str, percent: i128, height: u8) -> String {
    format!(
        "<svg class=\"bar {class}\" viewBox=\"0 0 100 {height}\" preserveAspectRatio=\"none\" aria-hidden=\"true\" focusable=\"false\"><rect width=\"{percent}\" height=\"{height}\"></rect></svg>"
    )
}

/// Percent of `top` that `value` is, at least a sliver so a zero shows.
pub fn share(value: i128, top: i128) -> i128 {
    (value.max(0) * 100 / top.max(1)).max(1)
}

/// A row of a [`bars`] chart.
pub struct Bar {
    /// What it is.
    pub label: String,
    /// Its size.
    pub value: i64,
    /// Its figure in words (`1.234 personas · 12 ‰`).
    pub text: String,
}

/// A horizontal bar chart: one row per item, its name, then its bar and
/// figure.
pub fn bars(title: &str, rows: &[Bar]) -> String {
    let top = rows.iter().map(|r| r.value).max().unwrap_or(0);
    let mut html = format!("<ol class=\"bar-chart\" aria-label=\"{}\">", escape(title));
    for row in rows {
        let _ = write!(
            html,
            "<li><span class=\"bar-name\">{}</span><span class=\"bar-line\">{}<span class=\"bar-value wrap\">{}</span></span></li>",
            escape(&row.label),
            bar("value", share(i128::from(row.value), i128::from(top)), 10),
            escape(&row.text),
        );
    }
    html.push_str("</ol>");
    html
}

/// A column chart of a series (weeks, oldest first): one column per
/// point, the highest value and the first and last labels as text below.
/// `summary` says in words what it shows (the chart is an image to
/// screen readers).
pub fn columns(summary: &str, points: &[(String, i64)], top_words: &str) -> String {
    let top = points.iter().map(|p| p.1).max().unwrap_or(0).max(1);
    let width = points.len().max(1) * 10;
    let mut svg = format!(
        "<svg class=\"columns\" viewBox=\"0 0 {width} 100\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{}\" focusable=\"false\">",
        escape(summary)
    );
    for (i, (_, value)) in points.iter().enumerate() {
        let height = (value.max(&0) * 100 / top).max(i64::from(*value > 0));
        let _ = write!(
            svg,
            "<rect x=\"{}\" y=\"{}\" width=\"8\" height=\"{height}\"></rect>",
            i * 10 + 1,
            100 - height
        );
    }
    svg.push_str("</svg>");
    let first = points.first().map_or("", |p| p.0.as_str());
    let last = points.last().map_or("", |p| p.0.as_str());
    format!(
        "<div class=\"column-chart\"><p class=\"column-top\">{}</p>{svg}<p class=\"column-axis\"><span>{}</span><span>{}</span></p></div>",
        escape(top_words),
        escape(first),
        escape(last)
    )
}
