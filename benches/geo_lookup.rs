//! Geo lookups per second: point → (province, district, tehsil) against the real boundaries
//! (64 districts, 20 tehsils), for points inside pilot districts, in another district, and in
//! the sea (the slow path that also finds the nearest district).
//! Run: `cargo bench --bench geo_lookup`.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use sahulat_domain::geo::{GeoIndex, DISTRICTS_FILE, TEHSILS_FILE};
use std::path::Path;

fn points() -> Vec<(f64, f64)> {
    // A deterministic spread over Sindh and Balochistan (lat 24–31, lon 61–71).
    let mut seed: u64 = 0x05a1_71a7;
    (0..1000)
        .map(|_| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let a = (seed >> 11) as f64 / (1u64 << 53) as f64;
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let b = (seed >> 11) as f64 / (1u64 << 53) as f64;
            (24.0 + 7.0 * a, 61.0 + 10.0 * b)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/boundaries");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).expect("boundaries");
    let geo = GeoIndex::parse(&read(DISTRICTS_FILE), &read(TEHSILS_FILE)).expect("boundaries");
    let mut g = c.benchmark_group("geo");
    g.throughput(Throughput::Elements(1));
    g.bench_function("locate_larkana_city", |b| {
        b.iter(|| geo.locate(black_box(27.56), black_box(68.21)))
    });
    g.bench_function("locate_quetta_city", |b| {
        b.iter(|| geo.locate(black_box(30.18), black_box(66.99)))
    });
    g.bench_function("locate_karachi_not_served", |b| {
        b.iter(|| geo.locate(black_box(24.86), black_box(67.01)))
    });
    g.bench_function("locate_arabian_sea_none", |b| {
        b.iter(|| geo.locate(black_box(24.5), black_box(64.0)))
    });
    g.bench_function("nearest_district_from_sea", |b| {
        b.iter(|| geo.nearest_district(black_box(24.5), black_box(64.0)))
    });
    let pts = points();
    g.throughput(Throughput::Elements(pts.len() as u64));
    g.bench_function("locate_1000_spread_points", |b| {
        b.iter(|| {
            pts.iter()
                .filter(|(lat, lon)| geo.locate(*lat, *lon).is_some())
                .count()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
