//! Time to process one uploaded photo with `sahulat_domain::photo::process`: decode, apply the
//! EXIF orientation, shrink to the 1600 px display size and the 320 px thumbnail, and re-encode
//! both as JPEG. Inputs are generated in memory at start (no checked-in files): a 12-megapixel
//! phone JPEG (4000×3000, quality 85), a 3-megapixel JPEG (2000×1500) and a 1-megapixel PNG
//! screenshot. The photos mix gradients with deterministic noise so they compress like a real
//! street photo (a few MB), not like a flat test card. Input and output sizes go to stderr.
//! Run: `cargo bench --bench photo`.

use criterion::{black_box, criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageBuffer, ImageFormat, Rgb, RgbImage};
use sahulat_domain::photo::process;
use std::io::Cursor;
use std::time::Duration;

/// A simple deterministic LCG (the constants of Knuth's MMIX), one byte per step.
struct Lcg(u64);

impl Lcg {
    fn next_byte(&mut self) -> u8 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 56) as u8
    }
}

/// A photo-like picture: diagonal colour gradients, soft horizontal "buildings" bands and
/// per-channel noise of ±12: about 2 bits per pixel at quality 85 (3 MB for 12 megapixels).
fn photo(w: u32, h: u32, seed: u64) -> RgbImage {
    let mut rng = Lcg(seed);
    ImageBuffer::from_fn(w, h, |x, y| {
        let gx = x * 255 / w;
        let gy = y * 255 / h;
        let band = ((x / 37 + y / 53) % 7) * 12;
        let base = [
            (gx / 2 + gy / 3 + band) as i32,
            (gy / 2 + 40 + band / 2) as i32,
            (255 - gx / 2 - gy / 4) as i32,
        ];
        Rgb(base.map(|v| (v + i32::from(rng.next_byte() % 25) - 12).clamp(0, 255) as u8))
    })
}

/// A screenshot-like picture: flat app colours, a header bar and rows of "text" blocks.
fn screenshot(w: u32, h: u32) -> RgbImage {
    ImageBuffer::from_fn(w, h, |x, y| {
        if y < 120 {
            Rgb([0, 105, 92])
        } else if (y % 48) < 14 && x > 32 && x < w - 32 && (x / 9 + y / 48) % 6 != 0 {
            Rgb([40, 40, 40])
        } else if (y / 192) % 2 == 0 {
            Rgb([250, 250, 250])
        } else {
            Rgb([236, 239, 241])
        }
    })
}

fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .expect("encode JPEG");
    out
}

fn png(img: RgbImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img)
        .write_to(&mut out, ImageFormat::Png)
        .expect("encode PNG");
    out.into_inner()
}

fn bench(c: &mut Criterion) {
    let inputs = [
        (
            "jpeg_12mp_4000x3000",
            jpeg(&photo(4000, 3000, 0x05a4_a1a7), 85),
        ),
        (
            "jpeg_3mp_2000x1500",
            jpeg(&photo(2000, 1500, 0x0bad_cafe), 85),
        ),
        ("png_1mp_screenshot_720x1440", png(screenshot(720, 1440))),
    ];
    for (name, bytes) in &inputs {
        let out = process(bytes).expect("process");
        eprintln!(
            "photo/{name}: input {} bytes -> display {}x{} {} bytes, thumb {} bytes",
            bytes.len(),
            out.width,
            out.height,
            out.display.len(),
            out.thumb.len()
        );
    }
    let mut g = c.benchmark_group("photo");
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(1));
    for (name, bytes) in &inputs {
        g.bench_function(*name, |b| {
            b.iter(|| process(black_box(bytes)).expect("process"))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
