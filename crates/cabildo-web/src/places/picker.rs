//! Choosing a place on a map without JavaScript: a form's place fields
//! (an address, and a point as latitude and longitude) with a map of
//! 2×2 tiles of the configured tile server, each tile an image button
//! (`<input type="image">`). A click on a tile submits the form with the
//! click's coordinates in that tile; the server turns them into the point,
//! zooms in on it and shows the form again with the point marked, until
//! the person saves. Buttons move and zoom the map the same way. Nothing
//! is saved by a map action ([`PlaceForm::moved`]), and the address and
//! coordinate fields stay for those who cannot use the map (keyboard and
//! screen-reader users, or no tile server): a typed address without a
//! point is placed by the geocoder when one is configured ([`super::locate`]).
//!
//! Tiles are shown at a fixed [`SHOWN`] CSS pixels (browsers report the
//! click in CSS pixels of the shown image), which fits a 360 px phone.

use crate::http::council::Context;
use crate::http::error::PageError;
use crate::ui::map::{MapTiles, Point, pixel, point};
use serde::Deserialize;

/// Tiles across (and down) the picker.
const SPAN: i64 = 2;
/// CSS pixels a tile is shown at.
pub const SHOWN: f64 = 160.0;
/// Zoom bounds (a region of a country; a doorway).
const MIN_ZOOM: u32 = 3;
const MAX_ZOOM: u32 = 18;
/// Zoom levels a click on the map zooms in by.
const CLICK_ZOOM: u32 = 2;
/// Zoom of a view centred on a marked point.
const POINT_ZOOM: u32 = 16;

/// A form's place fields, as posted (flattened into the form's struct).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct PlaceForm {
    /// The address in words.
    pub address: String,
    /// The point, as typed or set by a click.
    pub latitude: String,
    pub longitude: String,
    /// The map's view: zoom, and the column and row of its top-left tile.
    map_z: String,
    map_x: String,
    map_y: String,
    /// A map button: `in`, `out`, `north`, `south`, `east`, `west`, `clear`.
    map: String,
    /// A click on tile 0–3 (left to right, top to bottom), in CSS pixels.
    #[serde(rename = "t0.x")]
    t0x: String,
    #[serde(rename = "t0.y")]
    t0y: String,
    #[serde(rename = "t1.x")]
    t1x: String,
    #[serde(rename = "t1.y")]
    t1y: String,
    #[serde(rename = "t2.x")]
    t2x: String,
    #[serde(rename = "t2.y")]
    t2y: String,
    #[serde(rename = "t3.x")]
    t3x: String,
    #[serde(rename = "t3.y")]
    t3y: String,
}

/// What a map shows: zoom and its top-left tile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct View {
    z: u32,
    x: i64,
    y: i64,
}

impl View {
    /// The view of zoom `z` with world pixel `(x, y)` in its middle part.
    fn around((x, y): (f64, f64), z: u32) -> Self {
        let last = i64::from(1u32 << z) - SPAN;
        // Truncation is intended: a tile index.
        let tile = |v: f64| (v / 256.0).round() as i64 - SPAN / 2;
        Self {
            z,
            x: tile(x),
            y: tile(y).clamp(0, last.max(0)),
        }
    }

    /// The world pixel in the middle of the view.
    fn middle(self) -> (f64, f64) {
        let half = 256.0 * SPAN as f64 / 2.0;
        (self.x as f64 * 256.0 + half, self.y as f64 * 256.0 + half)
    }

    /// The same place at zoom `z` (within bounds).
    fn zoom(self, z: u32) -> Self {
        let z = z.clamp(MIN_ZOOM, MAX_ZOOM);
        let (x, y) = self.middle();
        let scale = 2f64.powi(z as i32 - self.z as i32);
        Self::around((x * scale, y * scale), z)
    }
}

/// Parses a coordinate as typed (a decimal comma is taken).
fn number(text: &str) -> Option<f64> {
    text.trim().replace(',', ".").parse::<f64>().ok()
}

impl PlaceForm {
    /// The fields of a stored place.
    pub fn of(address: &str, point: Option<Point>) -> Self {
        let (latitude, longitude) = point.map_or_else(Default::default, |(lat, lon)| {
            (format!("{lat:.6}"), format!("{lon:.6}"))
        });
        Self {
            address: address.to_owned(),
            latitude,
            longitude,
            ..Self::default()
        }
    }

    /// The point typed or chosen (none when both fields are empty); `Err`
    /// when it is not two numbers on the globe.
    pub fn point(&self) -> Result<Option<Point>, ()> {
        match (self.latitude.trim(), self.longitude.trim()) {
            ("", "") => Ok(None),
            (lat, lon) => match (number(lat), number(lon)) {
                (Some(lat), Some(lon)) if cabildo_engine::places::on_earth((lat, lon)) => {
                    Ok(Some((lat, lon)))
                }
                _ => Err(()),
            },
        }
    }

    /// The view posted, brought within the world: any column wraps
    /// around, rows stop at the poles (the fields are the visitor's to
    /// change).
    fn view(&self) -> Option<View> {
        let z = self.map_z.parse::<u32>().ok()?;
        let (x, y): (i64, i64) = (self.map_x.parse().ok()?, self.map_y.parse().ok()?);
        if !(MIN_ZOOM..=MAX_ZOOM).contains(&z) {
            return None;
        }
        let across = i64::from(1u32 << z);
        Some(View {
            z,
            x: x.rem_euclid(across),
            y: y.clamp(0, across - SPAN),
        })
    }

    fn set_view(&mut self, view: View) {
        (self.map_z, self.map_x, self.map_y) =
            (view.z.to_string(), view.x.to_string(), view.y.to_string());
    }

    /// The tile clicked and where in it (CSS pixels), if this submission is
    /// a click. A click at (0, 0) is taken as none: it is what a browser
    /// sends when the form is submitted by pressing Enter, the first image
    /// button being the form's default button.
    fn click(&self) -> Option<(i64, f64, f64)> {
        let clicks = [
            (&self.t0x, &self.t0y),
            (&self.t1x, &self.t1y),
            (&self.t2x, &self.t2y),
            (&self.t3x, &self.t3y),
        ];
        (0..).zip(clicks).find_map(|(tile, (x, y))| {
            let (x, y) = (number(x)?, number(y)?);
            let inside = |v: f64| (0.0..=SHOWN).contains(&v);
            (inside(x) && inside(y) && (x, y) != (0.0, 0.0)).then_some((tile, x, y))
        })
    }

    /// Applies a map action of this submission (a click marks the point
    /// and zooms in on it; a button moves, zooms or clears). Returns
    /// whether there was one: then the form is shown again, not saved.
    pub fn moved(&mut self) -> bool {
        let view = self.view();
        if let (Some((tile, x, y)), Some(view)) = (self.click(), view) {
            let scale = 256.0 / SHOWN;
            let world = (
                (view.x + tile % SPAN) as f64 * 256.0 + x * scale,
                (view.y + tile / SPAN) as f64 * 256.0 + y * scale,
            );
            let (lat, lon) = point(world, view.z);
            (self.latitude, self.longitude) = (format!("{lat:.6}"), format!("{lon:.6}"));
            let z = (view.z + CLICK_ZOOM).min(MAX_ZOOM);
            let scale = f64::from(1u32 << (z - view.z));
            self.set_view(View::around((world.0 * scale, world.1 * scale), z));
            return true;
        }
        let action = std::mem::take(&mut self.map);
        let Some(view) = view else {
            return action == "clear" && self.clear();
        };
        let moved = match action.as_str() {
            "in" => view.zoom(view.z + 1),
            "out" => view.zoom(view.z.saturating_sub(1)),
            "north" => View {
                y: (view.y - 1).max(0),
                ..view
            },
            "south" => View {
                y: (view.y + 1).min(i64::from(1u32 << view.z) - SPAN),
                ..view
            },
            "west" => View {
                x: view.x - 1,
                ..view
            },
            "east" => View {
                x: view.x + 1,
                ..view
            },
            "clear" => return self.clear(),
            _ => return false,
        };
        self.set_view(moved);
        true
    }

    fn clear(&mut self) -> bool {
        self.latitude.clear();
        self.longitude.clear();
        true
    }
}

/// The place fields as a form shows them (`_place.html`).
pub struct Place {
    /// The fields' values.
    pub form: PlaceForm,
    /// The start of the fields' ids (`{id}-place` is the address,
    /// `{id}-point` the latitude), where errors link to.
    pub id: &'static str,
    /// The map, when a tile server is configured.
    pub map: Option<PickerMap>,
    /// The point marked, in words (`39.856600, -4.022900`).
    pub marked: Option<String>,
    /// A geocoder places typed addresses.
    pub geocoder: bool,
}

/// The clickable map of [`Place`].
pub struct PickerMap {
    /// The view, posted back in hidden fields.
    pub z: u32,
    pub x: i64,
    pub y: i64,
    /// (button name, tile URL, position for its text alternative).
    pub tiles: Vec<(String, String, u8)>,
    /// The marker in the map's 512×512 view box, when it is in view.
    pub marker: Option<(String, String)>,
    /// The tile server's credit.
    pub attribution: String,
}

/// Where a map without a point starts when the council has nothing on
/// the map yet: Spain.
const COUNTRY: (Point, u32) = ((40.2, -3.7), 5);

impl Place {
    /// The fields of `form`, with ids starting `id`, and their map: as
    /// posted, else on the point, else on the middle of what the council
    /// has placed (its meetings, proposals, projects, looked-up
    /// addresses), else on the whole country.
    pub async fn new(ctx: &Context, form: PlaceForm, id: &'static str) -> Result<Self, PageError> {
        let point = form.point().ok().flatten();
        let map = match ctx.state.config.maps.as_ref() {
            None => None,
            Some(tiles) => {
                let view = match (form.view(), point) {
                    (Some(view), _) => view,
                    (None, Some(point)) => View::around(pixel(point, POINT_ZOOM), POINT_ZOOM),
                    (None, None) => {
                        let middle = ctx
                            .tx(async |tx| {
                                Ok::<_, PageError>(cabildo_engine::places::middle(tx).await?)
                            })
                            .await?;
                        let (centre, z) = middle.map_or(COUNTRY, |p| (p, 13));
                        View::around(pixel(centre, z), z)
                    }
                };
                Some(picker_map(tiles, view, point))
            }
        };
        let mut form = form;
        if let Some(map) = &map {
            form.set_view(View {
                z: map.z,
                x: map.x,
                y: map.y,
            });
        }
        Ok(Self {
            marked: point.map(|(lat, lon)| format!("{lat:.6}, {lon:.6}")),
            form,
            id,
            map,
            geocoder: ctx.state.config.geocoder.is_some(),
        })
    }
}

fn picker_map(tiles: &MapTiles, view: View, point: Option<Point>) -> PickerMap {
    let across = i64::from(1u32 << view.z);
    let cells = (0..SPAN * SPAN).map(|n| {
        let (x, y) = (view.x + n % SPAN, view.y + n / SPAN);
        let src = tiles.tile(view.z, x.rem_euclid(across), y.clamp(0, across - 1));
        (format!("t{n}"), src, n as u8 + 1)
    });
    let side = 256.0 * SPAN as f64;
    let marker = point.and_then(|p| {
        let (x, y) = pixel(p, view.z);
        let (x, y) = (x - view.x as f64 * 256.0, y - view.y as f64 * 256.0);
        ((0.0..side).contains(&x) && (0.0..side).contains(&y))
            .then(|| (format!("{x:.1}"), format!("{y:.1}")))
    });
    PickerMap {
        z: view.z,
        x: view.x,
        y: view.y,
        tiles: cells.collect(),
        marker,
        attribution: tiles.attribution.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(pairs: &[(&str, &str)]) -> PlaceForm {
        let body = serde_urlencoded::to_string(pairs).expect("encode");
        serde_urlencoded::from_str(&body).expect("decode")
    }

    #[test]
    fn pixels_and_points_are_inverse() {
        for p in [
            (39.8583, -4.0226),
            (-33.9, 151.2),
            (0.0, 0.0),
            (64.1, -21.9),
        ] {
            let back = point(pixel(p, 15), 15);
            assert!(
                (back.0 - p.0).abs() < 1e-9 && (back.1 - p.1).abs() < 1e-9,
                "{p:?} {back:?}"
            );
        }
    }

    #[test]
    fn a_click_marks_the_point_under_it_and_zooms_in() {
        // Zocodover at zoom 15, its view, and where it is shown.
        let zocodover = (39.8583, -4.0226);
        let view = View::around(pixel(zocodover, 15), 15);
        let (x, y) = pixel(zocodover, 15);
        let (x, y) = (x - view.x as f64 * 256.0, y - view.y as f64 * 256.0);
        assert!((128.0..384.0).contains(&x) && (128.0..384.0).contains(&y));
        let tile = (x / 256.0).floor() as i64 + 2 * (y / 256.0).floor() as i64;
        let (cx, cy) = ((x % 256.0) * SHOWN / 256.0, (y % 256.0) * SHOWN / 256.0);
        let name = format!("t{tile}");
        let mut form = posted(&[
            ("title", "Ignored here"),
            ("map_z", "15"),
            ("map_x", &view.x.to_string()),
            ("map_y", &view.y.to_string()),
            (&format!("{name}.x"), &format!("{cx:.0}")),
            (&format!("{name}.y"), &format!("{cy:.0}")),
        ]);
        assert!(form.moved());
        let (lat, lon) = form.point().expect("point").expect("marked");
        // Within a shown pixel at zoom 15 (about 8 m).
        assert!(
            (lat - zocodover.0).abs() < 1e-4 && (lon - zocodover.1).abs() < 1e-4,
            "{lat} {lon}"
        );
        let after = form.view().expect("view");
        assert_eq!(after.z, 17);
        let map = picker_map(
            &MapTiles::new("https://t.example/{z}/{x}/{y}.png", "©").expect("tiles"),
            after,
            Some((lat, lon)),
        );
        let (mx, my) = map.marker.expect("in view");
        let (mx, my): (f64, f64) = (mx.parse().expect("x"), my.parse().expect("y"));
        assert!((128.0..384.0).contains(&mx) && (128.0..384.0).contains(&my));
        assert_eq!(map.tiles.len(), 4);
    }

    #[test]
    fn enter_in_a_field_is_no_click_and_buttons_move_the_map() {
        let view = [("map_z", "10"), ("map_x", "500"), ("map_y", "390")];
        // Enter submits through the first image button, at (0, 0).
        let mut enter = posted(&[&view[..], &[("t0.x", "0"), ("t0.y", "0")]].concat());
        assert!(!enter.moved());
        let mut zoom = posted(&[&view[..], &[("map", "in")]].concat());
        assert!(zoom.moved());
        assert_eq!(
            zoom.view(),
            Some(View {
                z: 11,
                x: 1001,
                y: 781
            })
        );
        let mut east = posted(&[&view[..], &[("map", "east")]].concat());
        assert!(east.moved());
        assert_eq!(
            east.view(),
            Some(View {
                z: 10,
                x: 501,
                y: 390
            })
        );
        let mut clear = posted(&[("latitude", "39.8"), ("longitude", "-4"), ("map", "clear")]);
        assert!(clear.moved());
        assert_eq!(clear.point(), Ok(None));
        let mut outside = posted(&[&view[..], &[("t1.x", "900"), ("t1.y", "3")]].concat());
        assert!(!outside.moved(), "a click outside the tile is ignored");
    }

    #[test]
    fn hostile_views_stay_within_the_world() {
        for (x, y) in [
            (i64::MAX.to_string(), i64::MIN.to_string()),
            ("-5".to_owned(), "99999".to_owned()),
        ] {
            let mut form = posted(&[
                ("map_z", "18"),
                ("map_x", &x),
                ("map_y", &y),
                ("t3.x", "159"),
                ("t3.y", "159"),
            ]);
            assert!(form.moved());
            let (lat, lon) = form.point().expect("a point").expect("marked");
            assert!(lat.abs() <= 85.06 && lon.abs() <= 180.0, "{lat} {lon}");
            let mut zoom = posted(&[("map_z", "3"), ("map_x", &x), ("map_y", &y), ("map", "out")]);
            assert!(zoom.moved());
            assert_eq!(zoom.view().map(|v| v.z), Some(MIN_ZOOM));
        }
        assert_eq!(
            posted(&[("map_z", "40"), ("map_x", "0"), ("map_y", "0")]).view(),
            None
        );
    }

    #[test]
    fn typed_points_are_checked() {
        assert_eq!(
            posted(&[("latitude", "39,85"), ("longitude", "-4.02")]).point(),
            Ok(Some((39.85, -4.02)))
        );
        assert_eq!(
            posted(&[("latitude", "95"), ("longitude", "0")]).point(),
            Err(())
        );
        assert_eq!(posted(&[("latitude", "39.8")]).point(), Err(()));
        assert_eq!(posted(&[]).point(), Ok(None));
    }
}
