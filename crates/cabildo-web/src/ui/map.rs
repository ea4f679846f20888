//! Maps drawn on the server: an inline SVG that lays the tiles of the
//! configured tile server (OpenStreetMap's by default) around the points
//! and marks them, numbered as the list beside them. No script: the page
//! works the same without JavaScript, and where the tiles cannot load the
//! list with its addresses still says everything. Pages showing a map
//! allow images from the tile server's origin, and only those pages
//! ([`allow_tiles`]).

use axum::http::{HeaderValue, header};
use axum::response::Response;
use std::f64::consts::PI;
use std::fmt::Write;

/// The tile server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapTiles {
    /// URL template with `{z}`, `{x}` and `{y}`.
    template: String,
    /// Its origin (`https://tile.openstreetmap.org`), for the CSP.
    origin: String,
    /// The attribution its terms ask for (shown under every map).
    pub attribution: String,
}

impl MapTiles {
    /// The tile server at `template` (http or https, with `{z}`, `{x}` and
    /// `{y}`), credited with `attribution`.
    pub fn new(template: &str, attribution: &str) -> Result<Self, String> {
        let rest = (template.strip_prefix("https://"))
            .or_else(|| template.strip_prefix("http://"))
            .ok_or_else(|| format!("tile URL {template:?} is not http(s)"))?;
        let host = rest.split('/').next().unwrap_or_default();
        let placeholders = ["{z}", "{x}", "{y}"].iter().all(|p| template.contains(p));
        let valid_host = !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'));
        if !placeholders || !valid_host || template.contains(['"', '<', '>', ' ', '\'']) {
            return Err(format!(
                "tile URL {template:?} needs a host and {{z}}, {{x}} and {{y}}"
            ));
        }
        let scheme = if template.starts_with("https://") {
            "https"
        } else {
            "http"
        };
        Ok(Self {
            template: template.to_owned(),
            origin: format!("{scheme}://{host}"),
            attribution: attribution.to_owned(),
        })
    }

    /// The address of tile (`x`, `y`) of zoom `z`.
    pub(crate) fn tile(&self, z: u32, x: i64, y: i64) -> String {
        self.template
            .replace("{z}", &z.to_string())
            .replace("{x}", &x.to_string())
            .replace("{y}", &y.to_string())
    }
}

/// A point to mark: latitude, longitude.
pub type Point = (f64, f64);

/// The map's size in CSS pixels (it scales down on phones).
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 360.0;
/// Closest zoom shown (a street corner).
const MAX_ZOOM: u32 = 17;

/// Web Mercator: the world pixel of `point` at zoom `z` (256-pixel tiles).
pub(crate) fn pixel((latitude, longitude): Point, z: u32) -> (f64, f64) {
    let size = 256.0 * f64::from(1u32 << z);
    let phi = latitude.clamp(-85.0511, 85.0511).to_radians();
    let x = (longitude + 180.0) / 360.0 * size;
    let y = (1.0 - (phi.tan() + 1.0 / phi.cos()).ln() / PI) / 2.0 * size;
    (x, y)
}

/// The point at world pixel `(x, y)` of zoom `z` (longitude wrapped).
pub(crate) fn point((x, y): (f64, f64), z: u32) -> Point {
    let size = 256.0 * f64::from(1u32 << z);
    let longitude = (x / size * 360.0).rem_euclid(360.0) - 180.0;
    let latitude = (PI * (1.0 - 2.0 * y / size)).sinh().atan().to_degrees();
    (latitude, longitude)
}

/// The closest zoom at which every point fits with a margin.
fn zoom(points: &[Point]) -> u32 {
    (1..=MAX_ZOOM)
        .rev()
        .find(|&z| {
            let pixels: Vec<(f64, f64)> = points.iter().map(|p| pixel(*p, z)).collect();
            let span = |f: fn(&(f64, f64)) -> f64| {
                let values = pixels.iter().map(f);
                let (min, max) =
                    values.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
                max - min
            };
            span(|p| p.0) <= WIDTH - 80.0 && span(|p| p.1) <= HEIGHT - 80.0
        })
        .unwrap_or(1)
}

/// The map of `points` (numbered from 1 when there are several), labelled
/// `label` for screen readers; none without points.
pub fn svg(tiles: &MapTiles, points: &[Point], label: &str) -> Option<String> {
    if points.is_empty() {
        return None;
    }
    let z = zoom(points);
    let pixels: Vec<(f64, f64)> = points.iter().map(|p| pixel(*p, z)).collect();
    let (min_x, max_x, min_y, max_y) = pixels.iter().fold(
        (f64::MAX, f64::MIN, f64::MAX, f64::MIN),
        |(a, b, c, d), (x, y)| (a.min(*x), b.max(*x), c.min(*y), d.max(*y)),
    );
    let (left, top) = (
        (min_x + max_x) / 2.0 - WIDTH / 2.0,
        (min_y + max_y) / 2.0 - HEIGHT / 2.0,
    );
    let tiles_across = i64::from(1u32 << z);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"map\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         role=\"img\" aria-label=\"{}\"><rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#e8e6e1\"/>",
        super::charts::escape(label)
    );
    // Truncation is intended: tile indices of the view's corners.
    // Tile indices of the view's corners (small: 2^17 at most).
    let (first_x, last_x, first_y, last_y) = (
        (left / 256.0).floor() as i64,
        ((left + WIDTH) / 256.0).floor() as i64,
        (top / 256.0).floor() as i64,
        ((top + HEIGHT) / 256.0).floor() as i64,
    );
    for ty in first_y.max(0)..=last_y.min(tiles_across - 1) {
        for tx in first_x..=last_x {
            let wrapped = tx.rem_euclid(tiles_across);
            let (x, y) = (tx as f64 * 256.0 - left, ty as f64 * 256.0 - top);
            let _ = write!(
                out,
                "<image href=\"{}\" x=\"{x:.0}\" y=\"{y:.0}\" width=\"256\" height=\"256\"/>",
                tiles.tile(z, wrapped, ty)
            );
        }
    }
    let numbered = points.len() > 1;
    for (n, (x, y)) in (1..).zip(&pixels) {
        let (x, y) = (x - left, y - top);
        let _ = write!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"11\" fill=\"#8a1538\" stroke=\"#fff\" stroke-width=\"3\"/>"
        );
        if numbered {
            let _ = write!(
                out,
                "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"12\" \
                 font-weight=\"700\" fill=\"#fff\">{n}</text>",
                y + 4.0
            );
        }
    }
    out.push_str("</svg>");
    Some(out)
}

/// `page` allowed to load images from the tile server too (its own CSP).
pub(crate) fn allow_tiles(mut page: Response, tiles: &MapTiles) -> Response {
    let policy = crate::CSP.replace(
        "img-src 'self' data:",
        &format!("img-src 'self' data: {}", tiles.origin),
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        page.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    fn osm() -> MapTiles {
        MapTiles::new(
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "© OpenStreetMap",
        )
        .expect("tiles")
    }

    #[test]
    fn tile_servers_are_checked_and_give_their_origin() {
        assert_eq!(osm().origin, "https://tile.openstreetmap.org");
        let local = MapTiles::new("http://127.0.0.1:9000/t/{z}/{x}/{y}.png", "x").expect("local");
        assert_eq!(local.origin, "http://127.0.0.1:9000");
        for bad in [
            "ftp://x/{z}/{x}/{y}",
            "https://tiles/{z}/{x}",
            "https:///{z}/{x}/{y}",
            "https://a\"b/{z}/{x}/{y}",
        ] {
            assert!(MapTiles::new(bad, "").is_err(), "{bad}");
        }
    }

    #[test]
    fn one_point_is_centred_on_the_tile_it_falls_in() {
        // Toledo's Zocodover at zoom 17 falls in tile (64071, 49688).
        assert_eq!(zoom(&[(39.8583, -4.0226)]), MAX_ZOOM);
        let drawn = svg(&osm(), &[(39.8583, -4.0226)], "Mapa").expect("map");
        assert!(
            drawn.contains("https://tile.openstreetmap.org/17/64071/49688.png"),
            "{drawn}"
        );
        assert!(
            drawn.contains("cx=\"320.0\" cy=\"180.0\""),
            "the point in the middle"
        );
        assert!(!drawn.contains("<text"), "one point needs no number");
        assert_eq!(svg(&osm(), &[], "Mapa"), None);
    }

    #[test]
    fn several_points_fit_and_are_numbered() {
        let points = [(39.8583, -4.0226), (39.8700, -4.0100), (39.8400, -4.0500)];
        let drawn = svg(&osm(), &points, "Reuniones").expect("map");
        let z = zoom(&points);
        assert!(z < MAX_ZOOM && z > 10, "{z}");
        for n in 1..=3 {
            assert!(drawn.contains(&format!(">{n}</text>")));
        }
        // Every marker inside the view.
        let inside = drawn.split("<circle cx=\"").skip(1).all(|rest| {
            let cx: f64 = rest
                .split('"')
                .next()
                .and_then(|v| v.parse().ok())
                .unwrap_or(-1.0);
            (0.0..=WIDTH).contains(&cx)
        });
        assert!(inside);
    }
}
