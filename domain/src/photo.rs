//! Photos attached to a request: decode what a phone sent (JPEG, PNG or WebP, whatever the
//! client called it), turn it upright by its EXIF orientation, shrink it for a slow link and
//! re-encode it as JPEG. Re-encoding keeps only pixels, so the camera's metadata — GPS
//! position, phone model, time — never reaches the server's disk or anyone who views it.
//! Pure functions: the API writes the files, the store writes the rows.

use crate::error::{Error, Result};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};
use std::io::Cursor;

/// Largest upload accepted, in bytes (a 12-megapixel phone JPEG is 3–6 MB).
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// Largest picture accepted, in pixels (decompression bombs stop here, before decoding).
pub const MAX_PIXELS: u64 = 50_000_000;
/// Longest side of the stored picture.
pub const DISPLAY_SIDE: u32 = 1600;
/// Longest side of the thumbnail shown in lists.
pub const THUMB_SIDE: u32 = 320;
/// Photos a request may carry of each kind (the reporter's, and staff's): the reporter
/// filling the request cannot crowd out staff's pictures of the repair.
pub const MAX_PER_KIND: i64 = 5;
/// Memory one decode may use: a 50-megapixel 8-bit photo fits, a 16-bit bomb does not.
pub const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// Who added a photo and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoKind {
    /// The citizen's picture of the problem.
    Report,
    /// Staff's picture (for example of the repair).
    Staff,
}

impl PhotoKind {
    /// Stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PhotoKind::Report => "report",
            PhotoKind::Staff => "staff",
        }
    }
    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<PhotoKind> {
        match s {
            "report" => Some(PhotoKind::Report),
            "staff" => Some(PhotoKind::Staff),
            _ => None,
        }
    }
}

/// A processed photo, ready to be written.
#[derive(Debug, Clone)]
pub struct ProcessedPhoto {
    /// The display JPEG.
    pub display: Vec<u8>,
    /// The thumbnail JPEG.
    pub thumb: Vec<u8>,
    /// Display width.
    pub width: u32,
    /// Display height.
    pub height: u32,
    /// SHA-256 of the bytes uploaded (a retry of the same file is recognised).
    pub source_sha256: String,
}

fn refuse(message: impl Into<String>) -> Error {
    Error::field("photo", message)
}

fn unreadable(e: image::ImageError) -> Error {
    match e {
        image::ImageError::Limits(_) => refuse(format!(
            "the picture needs more than {} MB of memory to open (very large, or 16 bits per colour); send an ordinary phone photo",
            MAX_DECODE_BYTES / (1024 * 1024)
        )),
        e => refuse(format!("the picture is damaged or incomplete ({e})")),
    }
}

/// Decodes, orients, shrinks and re-encodes an upload. Errors name the `photo` field and say
/// what is accepted; nothing here touches the disk.
pub fn process(bytes: &[u8]) -> Result<ProcessedPhoto> {
    if bytes.is_empty() {
        return Err(refuse(
            "the upload is empty; send a JPEG, PNG or WebP picture",
        ));
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(refuse(format!(
            "the picture is {} MB; at most {} MB is accepted",
            bytes.len() / (1024 * 1024),
            MAX_UPLOAD_BYTES / (1024 * 1024)
        )));
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| refuse(format!("could not read the upload: {e}")))?;
    match reader.format() {
        Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) => {}
        _ => {
            return Err(refuse(
                "this is not a picture Sahulat can read; send a JPEG, PNG or WebP photo",
            ))
        }
    }
    if reader.format() == Some(ImageFormat::Jpeg) && !jpeg_complete(bytes) {
        return Err(refuse(
            "the picture is incomplete (the upload was cut short); please send it again",
        ));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(20_000);
    limits.max_image_height = Some(20_000);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(refuse(format!(
            "the picture is {w}×{h} pixels; at most {} megapixels is accepted",
            MAX_PIXELS / 1_000_000
        )));
    }
    if decoder.total_bytes() > MAX_DECODE_BYTES {
        return Err(unreadable(image::ImageError::Limits(
            image::error::LimitError::from_kind(image::error::LimitErrorKind::InsufficientMemory),
        )));
    }
    let orientation = decoder.orientation().ok();
    let img = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    // Shrink first, then turn and convert the small picture: a full-size copy for the turn
    // and another for the colour conversion would triple the memory a big photo needs.
    let mut display = fit(img, DISPLAY_SIDE);
    if let Some(o) = orientation {
        display.apply_orientation(o);
    }
    let display = DynamicImage::ImageRgb8(display.into_rgb8());
    let thumb = fit(display.clone(), THUMB_SIDE);
    Ok(ProcessedPhoto {
        width: display.width(),
        height: display.height(),
        display: jpeg(&display, 82)?,
        thumb: jpeg(&thumb, 75)?,
        source_sha256: hex::encode(Sha256::digest(bytes)),
    })
}

/// The GPS position in the picture's EXIF block as (lat, lon), read from the upload before
/// re-encoding drops it (nothing of it is stored). `None` without one, and for the bogus
/// values phones write when they have no fix (0, 0) or values out of range.
pub fn gps_position(bytes: &[u8]) -> Option<(f64, f64)> {
    let exif = exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .ok()?;
    let coord = |tag: exif::Tag, reference: exif::Tag| -> Option<f64> {
        let field = exif.get_field(tag, exif::In::PRIMARY)?;
        let exif::Value::Rational(ref v) = field.value else {
            return None;
        };
        if v.len() < 3 || v.iter().any(|r| r.denom == 0) {
            return None;
        }
        let degrees = v[0].to_f64() + v[1].to_f64() / 60.0 + v[2].to_f64() / 3600.0;
        let side = exif
            .get_field(reference, exif::In::PRIMARY)
            .map(|f| f.display_value().to_string())
            .unwrap_or_default();
        Some(if side.starts_with('S') || side.starts_with('W') {
            -degrees
        } else {
            degrees
        })
    };
    let lat = coord(exif::Tag::GPSLatitude, exif::Tag::GPSLatitudeRef)?;
    let lon = coord(exif::Tag::GPSLongitude, exif::Tag::GPSLongitudeRef)?;
    let plausible = lat.is_finite()
        && lon.is_finite()
        && lat.abs() <= 90.0
        && lon.abs() <= 180.0
        && (lat.abs() > 1e-4 || lon.abs() > 1e-4);
    plausible.then_some((lat, lon))
}

/// Whether a JPEG's last scan is followed by its end marker. Inside scan data every 0xFF byte
/// is escaped, so an end-of-image marker after the last start-of-scan means the file is whole
/// (the JPEG decoder itself quietly fills a cut-off picture with grey).
fn jpeg_complete(bytes: &[u8]) -> bool {
    let last_scan = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    let end = bytes.windows(2).rposition(|w| w == [0xFF, 0xD9]);
    matches!((last_scan, end), (Some(s), Some(e)) if e > s)
}

/// Shrinks to fit `side`; `thumbnail` averages whole pixel areas, which is both quick and
/// right for large reductions (a 4000 px photo to 1600 px).
fn fit(img: DynamicImage, side: u32) -> DynamicImage {
    if img.width() <= side && img.height() <= side {
        img
    } else {
        img.thumbnail(side, side)
    }
}

/// Baseline JPEG through `jpeg-encoder` (SIMD where the CPU has it), several times quicker
/// than the `image` crate's encoder on a 1600 px picture.
fn jpeg(img: &DynamicImage, quality: u8) -> Result<Vec<u8>> {
    let rgb = img.to_rgb8();
    let (w, h) = (
        u16::try_from(rgb.width()).map_err(|_| refuse("the picture is too wide"))?,
        u16::try_from(rgb.height()).map_err(|_| refuse("the picture is too tall"))?,
    );
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, quality)
        .encode(rgb.as_raw(), w, h, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| Error::Internal(anyhow::anyhow!("encoding a JPEG: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgb};

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = ImageBuffer::from_fn(w, h, |x, _| Rgb([(x % 256) as u8, 80, 160]));
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(img)
            .write_to(&mut out, ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    #[test]
    fn a_large_png_becomes_a_jpeg_that_fits_the_display_size_with_a_thumbnail() {
        let p = process(&png(3000, 1500)).unwrap();
        assert_eq!((p.width, p.height), (1600, 800));
        assert_eq!(&p.display[..2], &[0xFF, 0xD8], "JPEG");
        let t = image::load_from_memory(&p.thumb).unwrap();
        assert_eq!((t.width(), t.height()), (320, 160));
    }

    #[test]
    fn text_and_truncated_pictures_are_refused_naming_the_photo_field() {
        let e = process(b"hello, this is not a picture").unwrap_err();
        assert!(e.to_string().contains("JPEG, PNG or WebP"), "{e}");
        let mut cut = png(200, 200);
        cut.truncate(cut.len() / 2);
        let e = process(&cut).unwrap_err();
        assert!(e.to_string().contains("damaged"), "{e}");
        assert!(matches!(process(&[]), Err(Error::Validation(_))));
    }

    #[test]
    fn a_small_file_that_would_need_hundreds_of_megabytes_to_decode_is_refused() {
        // 6000×6000 16-bit RGBA: 36 MP (under the pixel limit) but 288 MB decoded.
        // A real 1×1 16-bit RGBA PNG whose header is rewritten to say 6000×6000 (the header
        // is all the decoder reads before the refusal).
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgba16(image::ImageBuffer::new(1, 1))
            .write_to(&mut out, ImageFormat::Png)
            .unwrap();
        let mut bytes = out.into_inner();
        assert_eq!(&bytes[12..16], b"IHDR");
        bytes[16..20].copy_from_slice(&6000u32.to_be_bytes());
        bytes[20..24].copy_from_slice(&6000u32.to_be_bytes());
        let crc = bytes[12..29].iter().fold(!0u32, |mut c, &b| {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    (c >> 1) ^ 0xEDB8_8320
                } else {
                    c >> 1
                };
            }
            c
        });
        bytes[29..33].copy_from_slice(&(!crc).to_be_bytes());
        match process(&bytes) {
            Err(e) => assert!(e.to_string().contains("memory"), "{e}"),
            Ok(p) => panic!("decoded to {}×{}", p.width, p.height),
        }
    }
}
