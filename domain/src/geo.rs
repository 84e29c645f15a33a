//! Point → (province, district, tehsil), in memory. District and tehsil polygons from
//! `fixtures/boundaries/` are indexed by their bounding boxes in an R-tree; a candidate box is
//! confirmed with an exact point-in-polygon test. Points on a shared border belong to the
//! district with the lowest P-code, so the answer never depends on load order.

use anyhow::{anyhow, bail, Context};
use geo::{BoundingRect, Closest, Distance, Haversine, HaversineClosestPoint, Intersects};
use geo::{Geometry, MultiPolygon, Point};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::RTree;
use std::collections::BTreeMap;

/// A named area (district or tehsil) with its polygon.
#[derive(Debug, Clone)]
pub struct Area {
    /// District P-code or tehsil code.
    pub code: String,
    /// English name.
    pub name: String,
    /// Province code (for a district) or district code (for a tehsil).
    pub parent: String,
    /// COD-AB P-code of a tehsil (None where COD-AB has none).
    pub pcode: Option<String>,
    /// Boundary.
    pub shape: MultiPolygon<f64>,
}

type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// Districts measured exactly when looking for the nearest one.
const NEAREST_CANDIDATES: usize = 6;

#[derive(Debug, Default)]
struct Layer {
    areas: Vec<Area>,
    tree: RTree<Entry>,
}

impl Layer {
    fn new(mut areas: Vec<Area>) -> Self {
        areas.sort_by(|a, b| a.code.cmp(&b.code));
        let entries = areas
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                let r = a.shape.bounding_rect()?;
                let rect = Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
                Some(GeomWithData::new(rect, i))
            })
            .collect();
        Layer {
            areas,
            tree: RTree::bulk_load(entries),
        }
    }

    /// The first area (lowest code) whose polygon contains or touches the point.
    fn at(&self, p: Point<f64>) -> Option<&Area> {
        self.tree
            .locate_all_at_point(&[p.x(), p.y()])
            .map(|e| e.data)
            .filter(|&i| self.areas[i].shape.intersects(&p))
            .min()
            .map(|i| &self.areas[i])
    }
}

/// What a point lies in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// Province P-code.
    pub province: String,
    /// District P-code.
    pub district: String,
    /// Tehsil code, when the district has tehsil boundaries loaded (the pilot districts).
    pub tehsil: Option<String>,
}

/// The districts' boundary file in `fixtures/boundaries/`.
pub const DISTRICTS_FILE: &str = "sindh_balochistan_districts.geojson";
/// The pilot tehsils' boundary file in `fixtures/boundaries/`.
pub const TEHSILS_FILE: &str = "pilot_tehsils.geojson";

/// The in-memory boundary index.
#[derive(Debug, Default)]
pub struct GeoIndex {
    provinces: BTreeMap<String, String>,
    districts: Layer,
    tehsils: Layer,
}

impl GeoIndex {
    /// Builds the index from the text of `sindh_balochistan_districts.geojson` and
    /// `pilot_tehsils.geojson`.
    pub fn parse(districts_geojson: &str, tehsils_geojson: &str) -> anyhow::Result<GeoIndex> {
        let districts = read_areas(DISTRICTS_FILE, districts_geojson, |f| {
            Ok((
                prop(f, "pcode")?,
                prop(f, "district")?,
                prop(f, "province_pcode")?,
                None,
            ))
        })?;
        let mut provinces = BTreeMap::new();
        for f in read_features(DISTRICTS_FILE, districts_geojson)? {
            provinces.insert(prop(&f, "province_pcode")?, prop(&f, "province")?);
        }
        let tehsils = read_areas(TEHSILS_FILE, tehsils_geojson, |f| {
            let district = prop(f, "district_pcode")?;
            let name = prop(f, "tehsil")?;
            let pcode = f
                .property("pcode")
                .and_then(|v| v.as_str())
                .map(str::to_string);
            let code = pcode
                .clone()
                .unwrap_or_else(|| tehsil_code_without_pcode(&district, &name));
            Ok((code, name, district, pcode))
        })?;
        if districts.is_empty() {
            bail!("no districts in {DISTRICTS_FILE}");
        }
        Ok(GeoIndex {
            provinces,
            districts: Layer::new(districts),
            tehsils: Layer::new(tehsils),
        })
    }

    /// Where `(lat, lon)` lies, or `None` outside every known district.
    pub fn locate(&self, lat: f64, lon: f64) -> Option<Placement> {
        let p = Point::new(lon, lat);
        let d = self.districts.at(p)?;
        let tehsil = self
            .tehsils
            .at(p)
            .filter(|t| t.parent == d.code)
            .map(|t| t.code.clone());
        Some(Placement {
            province: d.parent.clone(),
            district: d.code.clone(),
            tehsil,
        })
    }

    /// The nearest district to a point outside all of them, with the distance in km. Only the
    /// few districts whose bounding boxes are nearest are measured exactly (the answer names a
    /// district in an error message; it need not be exact to the metre, but must be cheap).
    pub fn nearest_district(&self, lat: f64, lon: f64) -> Option<(&Area, f64)> {
        let p = Point::new(lon, lat);
        self.districts
            .tree
            .nearest_neighbor_iter(&[lon, lat])
            .take(NEAREST_CANDIDATES)
            .filter_map(|e| {
                let a = &self.districts.areas[e.data];
                let q = match a.shape.haversine_closest_point(&p) {
                    Closest::Intersection(q) | Closest::SinglePoint(q) => q,
                    Closest::Indeterminate => return None,
                };
                Some((a, Haversine.distance(p, q) / 1000.0))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// Province code → English name.
    pub fn provinces(&self) -> &BTreeMap<String, String> {
        &self.provinces
    }
    /// All districts, sorted by P-code.
    pub fn districts(&self) -> impl Iterator<Item = &Area> {
        self.districts.areas.iter()
    }
    /// All tehsils, sorted by code.
    pub fn tehsils(&self) -> impl Iterator<Item = &Area> {
        self.tehsils.areas.iter()
    }
    /// A tehsil area by code.
    pub fn tehsil(&self, code: &str) -> Option<&Area> {
        self.tehsils.areas.iter().find(|a| a.code == code)
    }
    /// A district area by P-code.
    pub fn district(&self, code: &str) -> Option<&Area> {
        self.districts.areas.iter().find(|a| a.code == code)
    }
}

/// Our code for a tehsil that COD-AB v01 has no P-code for: `PK211-BALNIGOR`.
pub fn tehsil_code_without_pcode(district: &str, name: &str) -> String {
    let slug: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase();
    format!("{district}-{slug}")
}

fn prop(f: &geojson::Feature, key: &str) -> anyhow::Result<String> {
    f.property(key)
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .ok_or_else(|| anyhow!("feature without string property {key:?}"))
}

fn read_features(name: &str, text: &str) -> anyhow::Result<Vec<geojson::Feature>> {
    let gj: geojson::GeoJson = text.parse().with_context(|| format!("parsing {name}"))?;
    let fc = geojson::FeatureCollection::try_from(gj)
        .with_context(|| format!("{name} is not a FeatureCollection"))?;
    Ok(fc.features)
}

type Attrs = (String, String, String, Option<String>);

fn read_areas(
    file: &str,
    text: &str,
    attrs: impl Fn(&geojson::Feature) -> anyhow::Result<Attrs>,
) -> anyhow::Result<Vec<Area>> {
    let mut out = Vec::new();
    for f in read_features(file, text)? {
        let (code, name, parent, pcode) = attrs(&f).with_context(|| file.to_string())?;
        let geometry = f
            .geometry
            .clone()
            .ok_or_else(|| anyhow!("{file}: {code} has no geometry"))?;
        let shape = match Geometry::<f64>::try_from(geometry)? {
            Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
            Geometry::MultiPolygon(m) => m,
            other => bail!("{file}: {code} is a {other:?}, not a polygon"),
        };
        out.push(Area {
            code,
            name,
            parent,
            pcode,
            shape,
        });
    }
    Ok(out)
}

/// Metres per degree of latitude.
pub const METRES_PER_DEGREE: f64 = 111_320.0;

/// The bounding box (min_lat, max_lat, min_lon, max_lon) around a point: the cheap first cut of
/// a radius search, confirmed with `haversine_m`.
pub fn bbox(lat: f64, lon: f64, radius_m: f64) -> (f64, f64, f64, f64) {
    let dlat = radius_m / METRES_PER_DEGREE;
    let dlon = radius_m / (METRES_PER_DEGREE * lat.to_radians().cos().max(0.01));
    (lat - dlat, lat + dlat, lon - dlon, lon + dlon)
}

/// Great-circle distance in metres.
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * a.sqrt().asin()
}
