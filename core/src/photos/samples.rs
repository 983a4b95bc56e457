//! Real picture files for tests and benchmarks (of this crate, the server and the kiosk):
//! phone-like JPEGs with gradients and sensor noise, and a hand-built EXIF block with an
//! orientation, a capture time and a GPS position, as a phone writes it.

use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, RgbImage};

/// A `w × h` photo-like picture: smooth gradients with noise (which makes JPEG work as hard as
/// on a real photo), and a red 1/10-size block in the top-left corner to find orientation by.
pub fn photo_pixels(w: u32, h: u32, seed: u64) -> RgbImage {
    let mut state = seed | 1;
    let mut noise = move || {
        // xorshift64: deterministic, no dependency.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % 41) as i32 - 20
    };
    let (bw, bh) = ((w / 10).max(1), (h / 10).max(1));
    RgbImage::from_fn(w, h, |x, y| {
        if x < bw && y < bh {
            return image::Rgb([230, 20, 20]);
        }
        let gx = (x * 200 / w.max(1)) as i32;
        let gy = (y * 200 / h.max(1)) as i32;
        let mut shade = |base: i32| (base + noise()).clamp(0, 255) as u8;
        image::Rgb([
            shade(30 + gy / 2),
            shade(60 + gx / 2),
            shade(110 + (gx + gy) / 4),
        ])
    })
}

/// [`photo_pixels`] as a JPEG of quality 90 (what phones write).
pub fn jpeg(w: u32, h: u32, seed: u64) -> Vec<u8> {
    encode_jpeg(&photo_pixels(w, h, seed))
}

pub fn encode_jpeg(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .encode(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgb8,
        )
        .expect("encoding to memory does not fail");
    out
}

/// What the EXIF block of [`with_exif`] says.
pub struct ExifSpec<'a> {
    /// EXIF orientation 1–8 (6: turn 90° clockwise to view).
    pub orientation: u16,
    /// `DateTimeOriginal`, `YYYY:MM:DD HH:MM:SS`.
    pub taken: &'a str,
    /// Adds a GPS position (Munich), the data that must never reach the store.
    pub gps: bool,
}

/// The JPEG with an APP1 EXIF segment inserted after its start marker.
pub fn with_exif(jpeg: &[u8], spec: &ExifSpec) -> Vec<u8> {
    let tiff = tiff_block(spec);
    let mut out = Vec::with_capacity(jpeg.len() + tiff.len() + 10);
    out.extend_from_slice(&jpeg[..2]);
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(&tiff);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A little-endian TIFF structure: IFD0 (orientation, pointers), Exif IFD (capture time), GPS
/// IFD (latitude). Offsets count from the start of the TIFF header.
fn tiff_block(spec: &ExifSpec) -> Vec<u8> {
    const ASCII: u16 = 2;
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const RATIONAL: u16 = 5;
    let ifd0_entries: u32 = if spec.gps { 3 } else { 2 };
    let ifd0 = 8u32;
    let exif_ifd = ifd0 + 2 + 12 * ifd0_entries + 4;
    let gps_ifd = exif_ifd + 2 + 12 + 4;
    let gps_len = if spec.gps { 2 + 12 * 2 + 4 } else { 0 };
    let date_at = gps_ifd + gps_len;
    let lat_at = date_at + 20;

    let mut t = Vec::new();
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
        t.extend_from_slice(&tag.to_le_bytes());
        t.extend_from_slice(&kind.to_le_bytes());
        t.extend_from_slice(&count.to_le_bytes());
        t.extend_from_slice(&value.to_le_bytes());
    };
    t.extend_from_slice(b"II\x2A\x00");
    t.extend_from_slice(&ifd0.to_le_bytes());
    t.extend_from_slice(&(ifd0_entries as u16).to_le_bytes());
    entry(&mut t, 0x0112, SHORT, 1, u32::from(spec.orientation));
    entry(&mut t, 0x8769, LONG, 1, exif_ifd);
    if spec.gps {
        entry(&mut t, 0x8825, LONG, 1, gps_ifd);
    }
    t.extend_from_slice(&0u32.to_le_bytes());
    t.extend_from_slice(&1u16.to_le_bytes());
    entry(&mut t, 0x9003, ASCII, 20, date_at);
    t.extend_from_slice(&0u32.to_le_bytes());
    if spec.gps {
        t.extend_from_slice(&2u16.to_le_bytes());
        entry(&mut t, 0x0001, ASCII, 2, u32::from_le_bytes(*b"N\0\0\0"));
        entry(&mut t, 0x0002, RATIONAL, 3, lat_at);
        t.extend_from_slice(&0u32.to_le_bytes());
    }
    let mut date = spec.taken.as_bytes().to_vec();
    date.resize(20, 0);
    t.extend_from_slice(&date);
    if spec.gps {
        for (num, den) in [(48u32, 1u32), (8, 1), (3456, 100)] {
            t.extend_from_slice(&num.to_le_bytes());
            t.extend_from_slice(&den.to_le_bytes());
        }
    }
    t
}
