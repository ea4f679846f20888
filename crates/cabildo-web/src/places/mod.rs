//! Places on the map, as a council's pages use them: the map of one
//! place, the tile server's credit, the page's CSP opened to the tile
//! server only where a map is shown, typed addresses placed by the
//! geocoder ([`locate`]), and choosing a place on a map ([`picker`]). The
//! drawing itself is [`crate::ui::map`].

pub mod picker;

use crate::http::council::Context;
use crate::http::error::PageError;
use crate::ui::map::{Point, allow_tiles, svg};
use axum::response::Response;

/// The map of one `point` on `ctx`'s site; none without a point or a
/// tile server.
pub fn one(ctx: &Context, point: Option<Point>, label: &str) -> Option<String> {
    svg(ctx.state.config.maps.as_ref()?, &[point?], label)
}

/// The credit the tile server asks for ("" without one).
pub fn attribution(ctx: &Context) -> String {
    (ctx.state.config.maps.as_ref())
        .map(|t| t.attribution.clone())
        .unwrap_or_default()
}

/// `page`, allowed to load the tile server's images when it `shows` a map.
pub fn with_map(ctx: &Context, page: Response, shows: bool) -> Response {
    match (shows, ctx.state.config.maps.as_ref()) {
        (true, Some(tiles)) => allow_tiles(page, tiles),
        _ => page,
    }
}

/// Places `address` on the map when no `point` was given and a geocoder
/// is configured (asked once per address and council; see
/// [`cabildo_engine::places`]). Returns the point, and whether an
/// address was left without one.
pub async fn locate(
    ctx: &Context,
    address: &str,
    point: Option<Point>,
) -> Result<(Option<Point>, bool), PageError> {
    let address = address.trim();
    let Some(geocoder) = ctx.state.config.geocoder.clone() else {
        return Ok((point, false));
    };
    if point.is_some() || address.is_empty() {
        return Ok((point, false));
    }
    let known = ctx
        .tx(async |tx| Ok::<_, PageError>(cabildo_engine::places::cached(tx, address).await?))
        .await?;
    let found = match known {
        Some(found) => found,
        None => {
            let found = geocoder.locate(address).await;
            ctx.tx(async |tx| {
                Ok::<_, PageError>(cabildo_engine::places::remember(tx, address, found).await?)
            })
            .await?;
            found
        }
    };
    Ok((found, found.is_none()))
}
