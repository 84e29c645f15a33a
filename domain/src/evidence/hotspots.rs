//! Hotspots: places where many requests cluster, found with DBSCAN (a point with at least
//! `min_size` requests within `radius_m` metres, itself included, is a core; clusters are the
//! cores reachable from each other plus the points within reach of a core). Points are
//! projected to metres around their mean latitude (equirectangular: exact enough over a
//! district), and neighbours are found through a grid of cells (`dbscan`), so a district's year
//! of requests takes milliseconds, not a neighbour list per point.

use super::cells::Cell;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A request's point, with what a hotspot reports of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Spot {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Service code.
    pub service: String,
    /// Tehsil code, if known.
    pub tehsil: Option<String>,
}

/// One cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hotspot {
    /// Requests in it.
    pub count: u64,
    /// Centroid latitude, rounded to 3 decimals (about 100 m).
    pub lat: f64,
    /// Centroid longitude, rounded to 3 decimals.
    pub lon: f64,
    /// Farthest member from the centroid, metres (rounded to 10 m).
    pub radius_m: f64,
    /// Requests per service, most first; a count on fewer than the small-cell threshold is
    /// suppressed for evaluators (`plan` does that), like every other figure.
    pub services: Vec<(String, Cell<u64>)>,
    /// The tehsil most of its requests are in.
    pub tehsil: Option<String>,
}

const EARTH_M: f64 = 6_371_008.8;

/// Rounds to about 100 m, so a hotspot never points at one house.
pub fn round_100m(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Cluster labels for `xy` (metres): `Some(cluster)` or `None` for noise.
///
/// Grid DBSCAN: points are put in square cells of side radius/√2, so that two points of one
/// cell are always within the radius. A cell holding `min_size` points makes them all cores
/// without a neighbour search, and two cells' cores form one cluster as soon as one pair of
/// them is within the radius; only points of sparse cells count their neighbours, and only
/// up to `min_size`. The labels are exactly those of the textbook algorithm visiting points in
/// index order (clusters numbered by their first core, a border point in the first cluster
/// that reaches it; `dbscan_reference` in the tests), but a dense district costs about a
/// point's cell and its neighbours' cells, not a neighbour list of thousands per point.
pub fn dbscan(xy: &[[f64; 2]], radius_m: f64, min_size: usize) -> Vec<Option<usize>> {
    let n = xy.len();
    let r2 = radius_m * radius_m;
    let near = |a: usize, b: usize| {
        let (dx, dy) = (xy[b][0] - xy[a][0], xy[b][1] - xy[a][1]);
        dx * dx + dy * dy <= r2
    };
    // A hair under radius/√2, so that rounding never puts two points of a cell out of reach.
    let shortcut = radius_m > 0.0 && radius_m.is_finite();
    let side = if shortcut {
        radius_m / std::f64::consts::SQRT_2 * (1.0 - 1e-9)
    } else {
        1.0
    };
    let reach: i64 = if shortcut { 2 } else { 0 };
    let cell_of = |p: &[f64; 2]| ((p[0] / side).floor() as i64, (p[1] / side).floor() as i64);
    let keys: Vec<(i64, i64)> = xy.iter().map(cell_of).collect();
    let mut cells: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (i, k) in keys.iter().enumerate() {
        cells.entry(*k).or_default().push(i);
    }
    let block = |k: (i64, i64)| {
        (-reach..=reach).flat_map(move |dx| (-reach..=reach).map(move |dy| (k.0 + dx, k.1 + dy)))
    };
    // Cores: a point with `min_size` points within the radius, itself included.
    let mut core = vec![false; n];
    for (k, members) in &cells {
        if shortcut && members.len() >= min_size {
            members.iter().for_each(|&i| core[i] = true);
            continue;
        }
        for &i in members {
            let mut count = 0;
            'count: for c in block(*k) {
                for &j in cells.get(&c).into_iter().flatten() {
                    if near(i, j) {
                        count += 1;
                        if count >= min_size {
                            break 'count;
                        }
                    }
                }
            }
            core[i] = count >= min_size;
        }
    }
    // Clusters of cores: union-find, first within each cell, then between nearby cells.
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    fn union(parent: &mut [usize], a: usize, b: usize) {
        let (a, b) = (find(parent, a), find(parent, b));
        parent[a.max(b)] = a.min(b);
    }
    let cores: HashMap<(i64, i64), Vec<usize>> = cells
        .iter()
        .map(|(k, m)| {
            (
                *k,
                m.iter().copied().filter(|&i| core[i]).collect::<Vec<_>>(),
            )
        })
        .filter(|(_, c)| !c.is_empty())
        .collect();
    for members in cores.values() {
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                if shortcut || near(a, b) {
                    union(&mut parent, a, b);
                    if shortcut {
                        break;
                    }
                }
            }
        }
    }
    for (k, mine) in &cores {
        for c in block(*k).filter(|c| c > k) {
            let Some(theirs) = cores.get(&c) else {
                continue;
            };
            if shortcut && find(&mut parent, mine[0]) == find(&mut parent, theirs[0]) {
                continue;
            }
            'pair: for &a in mine {
                for &b in theirs {
                    if near(a, b) {
                        union(&mut parent, a, b);
                        if shortcut {
                            break 'pair;
                        }
                    }
                }
            }
        }
    }
    // Labels: clusters numbered in the order of their first core; a border point takes the
    // first cluster with a core within the radius.
    let mut number = vec![usize::MAX; n];
    let mut label: Vec<Option<usize>> = vec![None; n];
    let mut next = 0;
    for i in (0..n).filter(|&i| core[i]) {
        let root = find(&mut parent, i);
        if number[root] == usize::MAX {
            number[root] = next;
            next += 1;
        }
        label[i] = Some(number[root]);
    }
    for i in (0..n).filter(|&i| !core[i]) {
        label[i] = block(keys[i])
            .flat_map(|c| cores.get(&c).into_iter().flatten())
            .filter(|&&j| near(i, j))
            .filter_map(|&j| label[j])
            .min();
    }
    label
}

/// The hotspots among `spots`, largest first.
pub fn hotspots(spots: &[Spot], radius_m: f64, min_size: usize) -> Vec<Hotspot> {
    if spots.is_empty() {
        return Vec::new();
    }
    let lat0 = spots.iter().map(|s| s.lat).sum::<f64>() / spots.len() as f64;
    let k = lat0.to_radians().cos();
    let xy: Vec<[f64; 2]> = spots
        .iter()
        .map(|s| {
            [
                s.lon.to_radians() * k * EARTH_M,
                s.lat.to_radians() * EARTH_M,
            ]
        })
        .collect();
    let labels = dbscan(&xy, radius_m, min_size.max(1));
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, l) in labels.iter().enumerate() {
        if let Some(c) = l {
            members.entry(*c).or_default().push(i);
        }
    }
    let mut out: Vec<Hotspot> = members
        .values()
        .map(|idx| {
            let n = idx.len() as f64;
            let cx = idx.iter().map(|&i| xy[i][0]).sum::<f64>() / n;
            let cy = idx.iter().map(|&i| xy[i][1]).sum::<f64>() / n;
            let radius = idx
                .iter()
                .map(|&i| ((xy[i][0] - cx).powi(2) + (xy[i][1] - cy).powi(2)).sqrt())
                .fold(0.0, f64::max);
            let mut services: BTreeMap<&str, u64> = BTreeMap::new();
            let mut tehsils: BTreeMap<&str, u64> = BTreeMap::new();
            for &i in idx {
                *services.entry(spots[i].service.as_str()).or_default() += 1;
                if let Some(t) = &spots[i].tehsil {
                    *tehsils.entry(t.as_str()).or_default() += 1;
                }
            }
            let mut services: Vec<(String, u64)> = services
                .into_iter()
                .map(|(s, c)| (s.to_string(), c))
                .collect();
            services.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let services = services
                .into_iter()
                .map(|(s, c)| (s, Cell::Value(c)))
                .collect();
            let tehsil = tehsils
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
                .map(|(t, _)| t.to_string());
            Hotspot {
                count: idx.len() as u64,
                lat: round_100m((cy / EARTH_M).to_degrees()),
                lon: round_100m((cx / (k * EARTH_M)).to_degrees()),
                radius_m: (radius / 10.0).round() * 10.0,
                services,
                tehsil,
            }
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.lat.total_cmp(&b.lat)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    use rstar::primitives::GeomWithData;
    use rstar::RTree;

    /// The textbook DBSCAN over an R-tree, visiting points in index order (what `dbscan` was
    /// before the grid): its labels are the ones `dbscan` must give.
    fn dbscan_reference(xy: &[[f64; 2]], radius_m: f64, min_size: usize) -> Vec<Option<usize>> {
        let tree = RTree::bulk_load(
            xy.iter()
                .enumerate()
                .map(|(i, p)| GeomWithData::new(*p, i))
                .collect(),
        );
        let r2 = radius_m * radius_m;
        let neighbours = |i: usize| -> Vec<usize> {
            tree.locate_within_distance(xy[i], r2)
                .map(|g| g.data)
                .collect()
        };
        let mut label: Vec<Option<usize>> = vec![None; xy.len()];
        let mut visited = vec![false; xy.len()];
        let mut next = 0;
        for i in 0..xy.len() {
            if visited[i] {
                continue;
            }
            visited[i] = true;
            let near = neighbours(i);
            if near.len() < min_size {
                continue;
            }
            let c = next;
            next += 1;
            label[i] = Some(c);
            let mut queue = near;
            while let Some(j) = queue.pop() {
                if label[j].is_none() {
                    label[j] = Some(c);
                }
                if visited[j] {
                    continue;
                }
                visited[j] = true;
                let more = neighbours(j);
                if more.len() >= min_size {
                    queue.extend(more);
                }
            }
        }
        label
    }

    #[test]
    fn the_grid_gives_the_labels_of_the_textbook_algorithm_on_random_towns() {
        // Dense towns, sparse villages and exact duplicates, at several radii and sizes.
        for seed in 0..40u64 {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut xy = Vec::new();
            for _ in 0..rng.gen_range(1..6) {
                let (cx, cy) = (rng.gen_range(0.0..5_000.0), rng.gen_range(0.0..5_000.0));
                let spread = rng.gen_range(20.0..600.0);
                for _ in 0..rng.gen_range(1..200) {
                    xy.push([
                        cx + rng.gen_range(-spread..spread),
                        cy + rng.gen_range(-spread..spread),
                    ]);
                }
            }
            for _ in 0..rng.gen_range(0..60) {
                xy.push([rng.gen_range(0.0..5_000.0), rng.gen_range(0.0..5_000.0)]);
            }
            for _ in 0..rng.gen_range(0..10) {
                let p = xy[rng.gen_range(0..xy.len())];
                xy.push(p);
            }
            for (radius, size) in [(50.0, 3), (150.0, 5), (250.0, 5), (400.0, 12), (0.0, 2)] {
                assert_eq!(
                    dbscan(&xy, radius, size),
                    dbscan_reference(&xy, radius, size),
                    "seed {seed}, radius {radius}, size {size}"
                );
            }
        }
    }

    #[test]
    fn points_exactly_one_radius_apart_are_neighbours_as_in_the_textbook_algorithm() {
        let xy = [
            [0.0, 0.0],
            [150.0, 0.0],
            [300.0, 0.0],
            [0.0, 150.0],
            [106.0, 106.0],
        ];
        for size in 1..5 {
            assert_eq!(dbscan(&xy, 150.0, size), dbscan_reference(&xy, 150.0, size));
        }
    }

    fn spot(lat: f64, lon: f64, service: &str) -> Spot {
        Spot {
            lat,
            lon,
            service: service.into(),
            tehsil: Some("PK71303".into()),
        }
    }

    /// `n` points on a small ring (within `r` metres) around a centre.
    fn planted(lat: f64, lon: f64, n: usize, r: f64, service: &str) -> Vec<Spot> {
        (0..n)
            .map(|i| {
                let a = i as f64 * 2.399; // golden angle: spread, deterministic
                let d = r * ((i % 7) as f64 + 1.0) / 7.0;
                let dlat = (d * a.sin()) / EARTH_M;
                let dlon = (d * a.cos()) / (EARTH_M * lat.to_radians().cos());
                spot(lat + dlat.to_degrees(), lon + dlon.to_degrees(), service)
            })
            .collect()
    }

    #[test]
    fn two_planted_clusters_are_found_and_scattered_noise_is_not() {
        let mut spots = planted(27.56, 68.21, 30, 120.0, "sewerage-drainage");
        spots.extend(planted(27.80, 68.29, 12, 80.0, "water-supply"));
        // Noise: 20 points 2 km or more apart along a line.
        spots.extend((0..20).map(|i| spot(27.0 + i as f64 * 0.02, 68.6, "roads")));
        let h = hotspots(&spots, 150.0, 5);
        assert_eq!(h.len(), 2, "{h:?}");
        assert_eq!(h[0].count, 30);
        assert_eq!(h[1].count, 12);
        assert_eq!((h[0].lat, h[0].lon), (27.56, 68.21));
        assert_eq!((h[1].lat, h[1].lon), (27.8, 68.29));
        assert_eq!(
            h[0].services,
            vec![("sewerage-drainage".to_string(), Cell::Value(30))]
        );
        assert!(h[0].radius_m <= 130.0, "{}", h[0].radius_m);
        assert_eq!(h[0].tehsil.as_deref(), Some("PK71303"));
    }

    #[test]
    fn a_group_smaller_than_the_minimum_size_is_noise() {
        let spots = planted(27.56, 68.21, 4, 50.0, "roads");
        assert!(hotspots(&spots, 150.0, 5).is_empty());
        assert_eq!(hotspots(&spots, 150.0, 4).len(), 1);
    }

    #[test]
    fn a_chain_of_dense_points_is_one_cluster_and_border_points_join_it() {
        // Points every 100 m along 1 km: with a 150 m radius each has 3 neighbours (itself
        // included), so with min size 3 the chain is one cluster, and the two ends (2 each)
        // join as border points.
        let xy: Vec<[f64; 2]> = (0..11).map(|i| [i as f64 * 100.0, 0.0]).collect();
        let labels = dbscan(&xy, 150.0, 3);
        assert!(labels.iter().all(|l| *l == Some(0)), "{labels:?}");
        assert!(dbscan(&xy, 150.0, 4).iter().all(Option::is_none));
    }

    #[test]
    fn centroids_are_rounded_to_about_a_hundred_metres() {
        assert_eq!(round_100m(27.561_234), 27.561);
        assert_eq!(round_100m(68.2096), 68.21);
    }
}
