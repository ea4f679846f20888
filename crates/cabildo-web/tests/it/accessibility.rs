//! An accessibility check of the main pages, in place of axe-core (which
//! needs a browser and Node packages this suite does not install): each
//! page is parsed and fails on the violations axe reports most on sites
//! like ours (WCAG 2.1 A/AA): a page language, one `h1` and no skipped
//! heading levels, a label for every form control, names for buttons and
//! links, `alt` on images, unique ids, a `main` landmark and a skip link,
//! and no inline script or style (which the CSP would block anyway).
//! Colour contrast is fixed in the style sheet and checked by hand.

use crate::util::{Browser, OPEN_RULES, TOLEDO, World, logged_in, open_process, world};
use axum::http::StatusCode;
use cabildo_engine::staff::Role;
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// A start tag: its name and attributes.
struct Tag {
    name: String,
    attributes: HashMap<String, String>,
    /// Byte offset just after the tag.
    end: usize,
}

fn tags(html: &str) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(offset) = html[i..].find('<') {
        let start = i + offset + 1;
        let Some(close) = html[start..].find('>') else {
            break;
        };
        let inside = &html[start..start + close];
        i = start + close + 1;
        if inside.starts_with('/') || inside.starts_with('!') {
            continue;
        }
        let name: String = inside
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let mut attributes = HashMap::new();
        let mut rest = &inside[name.len()..];
        while let Some(eq) = rest.find('=') {
            let key = rest[..eq]
                .trim()
                .rsplit(' ')
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            let after = &rest[eq + 1..];
            let (value, next) = if let Some(stripped) = after.strip_prefix('"') {
                let end = stripped.find('"').unwrap_or(stripped.len());
                (&stripped[..end], &stripped[(end + 1).min(stripped.len())..])
            } else {
                let end = after.find(' ').unwrap_or(after.len());
                (&after[..end], &after[end..])
            };
            attributes.insert(key, value.to_owned());
            rest = next;
        }
        // Boolean attributes the checks need.
        for flag in ["hidden"] {
            if rest.split_whitespace().any(|w| w == flag)
                || inside.split_whitespace().any(|w| w == flag)
            {
                attributes.entry(flag.to_owned()).or_default();
            }
        }
        let _ = bytes;
        found.push(Tag {
            name,
            attributes,
            end: i,
        });
    }
    found
}

/// The text inside the element that starts at `tag` (tags stripped).
fn text_of(html: &str, tag: &Tag) -> String {
    let close = format!("</{}", tag.name);
    let end = html[tag.end..]
        .find(&close)
        .map_or(html.len(), |e| tag.end + e);
    let mut text = String::new();
    let mut inside = false;
    for c in html[tag.end..end].chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => text.push(c),
            _ => {}
        }
    }
    text.trim().to_owned()
}

/// The violations of `html`.
fn violations(html: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let all = tags(html);
    match all.iter().find(|t| t.name == "html") {
        Some(tag) if tag.attributes.get("lang").is_some_and(|l| !l.is_empty()) => {}
        _ => problems.push("html has no lang".to_owned()),
    }
    let headings: Vec<usize> = all
        .iter()
        .filter_map(|t| {
            t.name
                .strip_prefix('h')
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| (1..=6).contains(n))
        })
        .collect();
    if headings.iter().filter(|h| **h == 1).count() != 1 {
        problems.push(format!(
            "{} h1 elements",
            headings.iter().filter(|h| **h == 1).count()
        ));
    }
    for pair in headings.windows(2) {
        if pair[1] > pair[0] + 1 {
            problems.push(format!(
                "heading level skipped: h{} then h{}",
                pair[0], pair[1]
            ));
        }
    }
    let labelled: HashSet<&str> = all
        .iter()
        .filter(|t| t.name == "label")
        .filter_map(|t| t.attributes.get("for").map(String::as_str))
        .collect();
    let mut ids = HashSet::new();
    for tag in &all {
        if let Some(id) = tag.attributes.get("id")
            && !ids.insert(id.clone())
        {
            problems.push(format!("duplicate id {id}"));
        }
        if tag.attributes.contains_key("style") {
            problems.push(format!("inline style on {}", tag.name));
        }
        match tag.name.as_str() {
            "input" | "select" | "textarea" => {
                let kind = tag
                    .attributes
                    .get("type")
                    .map(String::as_str)
                    .unwrap_or("text");
                if matches!(kind, "hidden" | "submit" | "button") {
                    continue;
                }
                let named = tag.attributes.contains_key("aria-label")
                    || tag
                        .attributes
                        .get("id")
                        .is_some_and(|id| labelled.contains(id.as_str()));
                if !named {
                    problems.push(format!(
                        "{} {:?} has no label",
                        tag.name,
                        tag.attributes.get("name")
                    ));
                }
            }
            "img" if !tag.attributes.contains_key("alt") => {
                problems.push("img without alt".to_owned())
            }
            "button"
                if text_of(html, tag).is_empty() && !tag.attributes.contains_key("aria-label") =>
            {
                problems.push("button without a name".to_owned());
            }
            "a" if tag.attributes.contains_key("href")
                && text_of(html, tag).is_empty()
                && !tag.attributes.contains_key("aria-label") =>
            {
                problems.push(format!(
                    "link without text to {:?}",
                    tag.attributes.get("href")
                ));
            }
            "script" if !tag.attributes.contains_key("src") => {
                problems.push("inline script".to_owned())
            }
            _ => {}
        }
    }
    if !all.iter().any(|t| t.name == "main") {
        problems.push("no main landmark".to_owned());
    }
    if !html.contains("class=\"skip-link\" href=\"#main\"") {
        problems.push("no skip link".to_owned());
    }
    problems
}

pub async fn check(browser: &mut Browser, path: &str) {
    let page = browser.get(TOLEDO, path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}");
    let problems = violations(&page.body);
    assert!(problems.is_empty(), "{path}: {problems:#?}");
}

#[test]
fn the_checker_finds_what_it_should() {
    let bad = "<html><body><h2>x</h2><h4>y</h4><input name=q><img src=a><button></button><a href=/x></a><p style=\"c\">";
    let problems = violations(bad);
    for expected in [
        "lang",
        "0 h1",
        "skipped",
        "no label",
        "alt",
        "button without",
        "link without",
        "inline style",
        "main",
        "skip",
    ] {
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "{expected}: {problems:?}"
        );
    }
}

#[tokio::test]
async fn the_main_pages_have_no_accessibility_violations() {
    let world: World = world().await;
    open_process(&world, "toledo", "plan", OPEN_RULES, 1).await;
    let mut ana = world.citizen("ana").await;
    let (_, proposal) = ana
        .call(
            TOLEDO,
            "POST",
            "/api/v1/processes/plan/proposals",
            json!({"title": "Fuentes", "summary": "Agua"}),
        )
        .await;
    let proposal = proposal["id"].as_str().expect("id").to_owned();
    let (_, debate) = ana
        .call(
            TOLEDO,
            "POST",
            "/api/v1/processes/plan/debates",
            json!({"title": "¿Bancos?", "body": "Sí"}),
        )
        .await;
    let debate = debate["id"].as_str().expect("id").to_owned();
    let mut bea = world.citizen("bea").await;
    let (_, comment) = bea
        .call(
            TOLEDO,
            "POST",
            &format!("/api/v1/proposals/{proposal}/comments"),
            json!({"body": "Bien"}),
        )
        .await;
    let comment = comment["id"].as_str().expect("id").to_owned();
    ana.call(
        TOLEDO,
        "POST",
        &format!("/api/v1/proposals/{proposal}/comments"),
        json!({"body": "Gracias", "parent_id": comment}),
    )
    .await;
    ana.call(
        TOLEDO,
        "POST",
        &format!("/api/v1/comments/{comment}/reports"),
        json!({"reason": "Prueba"}),
    )
    .await;

    let public = [
        "/".to_owned(),
        "/processes".to_owned(),
        "/processes/plan".to_owned(),
        "/processes/plan/proposals".to_owned(),
        "/processes/plan/debates".to_owned(),
        format!("/proposals/{proposal}"),
        format!("/debates/{debate}"),
        "/search?q=fuentes".to_owned(),
        "/search".to_owned(),
        "/account/login".to_owned(),
        "/account/register".to_owned(),
    ];
    let mut visitor = Browser::new(&world.app);
    for path in &public {
        check(&mut visitor, path).await;
    }
    // Logged in, the pages carry their forms.
    let mut admin = Browser::new(&world.app);
    logged_in(&world, &mut admin, TOLEDO, "jefa", "jefa@example.org", 1).await;
    world.grant("toledo", "jefa@example.org", Role::Admin).await;
    for path in public.iter().chain(&[
        "/processes/plan/proposals/new".to_owned(),
        "/processes/plan/debates/new".to_owned(),
        format!("/proposals/{proposal}/edit"),
        "/account/activity".to_owned(),
        "/staff/moderation".to_owned(),
        "/staff/processes".to_owned(),
        "/notifications".to_owned(),
    ]) {
        if path.ends_with("/edit") {
            check(&mut ana.browser, path).await;
        } else {
            check(&mut admin, path).await;
        }
    }
}
