//! `/processes/{slug}/map`: where a process's meetings, proposals and
//! budget projects are — a map drawn on the server with numbered markers
//! and, as the page's content, the same places listed with their
//! addresses (all a visitor needs when the tiles do not load).

use crate::http::council::Council;
use crate::http::error::PageError;
use crate::http::extract::Id;
use crate::processes::cached;
use crate::ui::chrome::Chrome;
use crate::ui::i18n::Tr;
use crate::ui::tabs::{ProcessTabs, Tab};
use askama::Template;
use axum::response::Response;
use cabildo_engine::places::{self, Placed};

/// A group of the list: heading and its places.
pub struct Group {
    heading: String,
    places: Vec<Line>,
}

/// A place in the list, numbered as its marker.
pub struct Line {
    marker: usize,
    title: String,
    href: String,
    address: String,
}

#[derive(Template)]
#[template(path = "process_map.html")]
struct MapPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    tabs: ProcessTabs,
    map: Option<String>,
    attribution: String,
    groups: Vec<Group>,
}

/// `GET /processes/{slug}/map`.
pub async fn show(council: Council, Id(slug): Id<String>) -> Result<Response, PageError> {
    let (process, _, phases, _) = cached::published::<PageError>(&council, &slug).await?;
    let id = process.id;
    let placed = council
        .cached(format!("map:{id}"), async |tx| {
            Ok::<_, PageError>(places::of_process(tx, id).await?)
        })
        .await?;
    let tr = &council.tr;
    let map = council.state.config.maps.as_ref().and_then(|tiles| {
        let points: Vec<_> = placed.iter().map(|p| (p.latitude, p.longitude)).collect();
        crate::ui::map::svg(tiles, &points, &tr.t("process-map-label"))
    });
    let page = MapPage {
        tr,
        chrome: &council.chrome,
        tabs: ProcessTabs::new(&process, &phases, Tab::Map),
        map,
        attribution: crate::places::attribution(&council),
        groups: groups(tr, &placed),
    };
    let rendered = council.render(&page)?;
    Ok(crate::places::with_map(
        &council,
        rendered,
        page.map.is_some(),
    ))
}

/// The places by kind, numbered in order from 1 as the map's markers.
fn groups(tr: &Tr, placed: &[Placed]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for (marker, p) in (1..).zip(placed) {
        let (heading, href) = match p.kind.as_str() {
            "meeting" => ("process-map-meetings", format!("/meetings/{}", p.id)),
            "proposal" => ("component-proposals", format!("/proposals/{}", p.id)),
            _ => ("process-map-projects", format!("/budget-projects/{}", p.id)),
        };
        let heading = tr.t(heading);
        let line = Line {
            marker,
            title: p.title.clone(),
            href,
            address: p.address.clone(),
        };
        match groups.last_mut() {
            Some(group) if group.heading == heading => group.places.push(line),
            _ => groups.push(Group {
                heading,
                places: vec![line],
            }),
        }
    }
    groups
}
