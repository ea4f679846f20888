//! Markdown that staff write (newsletters, process descriptions, legal
//! pages) turned into safe HTML for pages and mail, and into the plain
//! text of a mail's text part.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// The Markdown extensions staff may use.
fn parser(markdown: &str) -> Parser<'_> {
    Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
}

/// Whether a link may be followed: http(s), mailto and site paths.
fn safe_link(dest: &str) -> bool {
    ["https://", "http://", "mailto:"]
        .iter()
        .any(|p| dest.starts_with(p))
        || (dest.starts_with('/') && !dest.starts_with("//"))
}

/// A safe link's address, site paths made absolute on `site` when given
/// (mail is read away from the site); `None` for an unsafe one.
fn address<'a>(dest: CowStr<'a>, site: Option<&str>) -> Option<CowStr<'a>> {
    if !safe_link(&dest) {
        return None;
    }
    Some(match site {
        Some(site) if dest.starts_with('/') => {
            CowStr::Boxed(format!("{}{dest}", site.trim_end_matches('/')).into_boxed_str())
        }
        _ => dest,
    })
}

/// Renders Markdown to HTML that cannot carry markup of its own: raw HTML
/// is shown as text, images become their description, and links keep only
/// http(s), mailto and site paths.
pub fn render(markdown: &str) -> String {
    html(markdown, None)
}

/// Like [`render`], for mail: site paths become links on `site` (such as
/// `https://toledo.example`).
pub fn render_for_mail(markdown: &str, site: &str) -> String {
    html(markdown, Some(site))
}

fn html(markdown: &str, site: Option<&str>) -> String {
    let events = parser(markdown).filter_map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Some(Event::Text(html)),
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Some(Event::Start(Tag::Link {
            link_type,
            dest_url: address(dest_url, site).unwrap_or(CowStr::Borrowed("#")),
            title,
            id,
        })),
        other => Some(other),
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// The same text as a mail's plain-text part: paragraphs apart, headings
/// underlined, list items marked, emphasis dropped, each link's address
/// (absolute on `site`) after its words, images by their description.
pub fn plain_text(markdown: &str, site: &str) -> String {
    let mut out = String::new();
    // Open lists: the next number of an ordered one, `None` for bullets.
    let mut lists: Vec<Option<u64>> = Vec::new();
    // Links being written: their address, and where their words start.
    let mut links: Vec<(Option<String>, usize)> = Vec::new();
    let mut heading: Option<(HeadingLevel, usize)> = None;
    // The next item is the first of a list that is not inside another
    // (already set apart from what came before).
    let mut first_item = false;
    let block_break = |out: &mut String| {
        let trimmed = out.trim_end_matches([' ', '\n']).len();
        out.truncate(trimmed);
        if !out.is_empty() {
            out.push_str("\n\n");
        }
    };
    for event in parser(markdown) {
        match event {
            Event::Start(
                Tag::Paragraph | Tag::BlockQuote(_) | Tag::CodeBlock(_) | Tag::Table(_),
            ) if lists.is_empty() => block_break(&mut out),
            Event::Start(Tag::Heading { level, .. }) => {
                block_break(&mut out);
                heading = Some((level, out.len()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, start)) = heading.take() {
                    let width = out[start..].chars().count();
                    let rule = if level == HeadingLevel::H1 { '=' } else { '-' };
                    out.push('\n');
                    out.extend(std::iter::repeat_n(rule, width));
                }
            }
            Event::Start(Tag::List(first)) => {
                first_item = lists.is_empty();
                if first_item {
                    block_break(&mut out);
                }
                lists.push(first);
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
            }
            Event::Start(Tag::Item) => {
                if !std::mem::take(&mut first_item) {
                    let trimmed = out.trim_end_matches([' ', '\n']).len();
                    out.truncate(trimmed);
                    out.push('\n');
                }
                out.push_str(&"  ".repeat(lists.len().saturating_sub(1)));
                match lists.last_mut() {
                    Some(Some(number)) => {
                        out.push_str(&format!("{number}. "));
                        *number += 1;
                    }
                    _ => out.push_str("- "),
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                let target = address(dest_url, Some(site)).map(|a| a.to_string());
                links.push((target, out.len()));
            }
            Event::End(TagEnd::Link) => {
                // An address written as itself (`<https://…>`,
                // `<name@example.org>`) is not repeated.
                if let Some((Some(target), start)) = links.pop()
                    && !target.ends_with(out[start..].trim())
                {
                    out.push_str(&format!(" ({target})"));
                }
            }
            Event::End(TagEnd::TableCell) => out.push_str(" | "),
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => {
                let trimmed = out.trim_end_matches([' ', '|']).len();
                out.truncate(trimmed);
                out.push('\n');
            }
            Event::Text(text) | Event::Code(text) | Event::Html(text) | Event::InlineHtml(text) => {
                out.push_str(&text);
            }
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Rule => {
                block_break(&mut out);
                out.push_str("----");
            }
            Event::TaskListMarker(done) => out.push_str(if done { "[x] " } else { "[ ] " }),
            _ => {}
        }
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_without_letting_markup_through() {
        let html = render(
            "# Presupuestos\n\nVota **ya** en [la web](https://toledo.example/vota).\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) ![img](https://evil.example/t.png \"t\") <img src=x onerror=alert(1)>",
        );
        assert!(html.contains("<h1>Presupuestos</h1>"));
        assert!(html.contains("<strong>ya</strong>"));
        assert!(html.contains("<a href=\"https://toledo.example/vota\">la web</a>"));
        assert!(
            !html.contains("<script") && html.contains("&lt;script&gt;"),
            "{html}"
        );
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("<img"), "{html}");
    }

    #[test]
    fn mail_links_lead_to_the_site() {
        let html = render_for_mail(
            "Mira [el proceso](/processes/plan) y [esto](//evil.example).",
            "https://toledo.example",
        );
        assert!(
            html.contains("href=\"https://toledo.example/processes/plan\"")
                && html.contains("href=\"#\""),
            "{html}"
        );
    }

    #[test]
    fn plain_text_reads_like_the_message() {
        let text = plain_text(
            "# Presupuestos 2027\n\nVota **ya** en [la web](/budgets/2027) o escribe a <participa@toledo.example>.\n\n\
             ## Fechas\n\n- Propuestas hasta el *30 de enero*\n- Votación en marzo\n\n1. Entra\n2. Vota\n\n\
             ![Plano del barrio](/media/plano.png) [x](javascript:alert(1)) `código`",
            "https://toledo.example",
        );
        assert_eq!(
            text,
            "Presupuestos 2027\n=================\n\n\
             Vota ya en la web (https://toledo.example/budgets/2027) o escribe a participa@toledo.example.\n\n\
             Fechas\n------\n\n\
             - Propuestas hasta el 30 de enero\n- Votación en marzo\n\n\
             1. Entra\n2. Vota\n\n\
             Plano del barrio x código"
        );
        for mark in ["**", "](", "javascript", "#"] {
            assert!(!text.contains(mark), "{mark} in {text}");
        }
    }
}
