//! Bounded decoding of an uploaded picture: only JPEG, PNG and WebP, with explicit size limits,
//! a completeness check for JPEG (its decoder fills truncated files with grey instead of failing),
//! panics of a decoder contained, and the EXIF orientation and capture time read on the way.
//!
//! The `image` crate applies no EXIF orientation itself, sets no dimension limits by default and
//! documents that some decoders may panic on malicious input; this module handles all three.

use crate::i18n::Msg;
use chrono::NaiveDateTime;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;
use std::panic::{self, AssertUnwindSafe};

/// The largest upload Kartei accepts, in bytes (a 50-megapixel phone JPEG is about 20 MB).
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;
/// The longest side of a picture Kartei decodes. Larger headers are refused before any pixel is
/// allocated, which is what stops a decompression bomb.
pub const MAX_SIDE: u32 = 12_000;
/// What one decoder may allocate: a 48-megapixel RGBA picture fits, a bomb does not.
pub const MAX_ALLOC_BYTES: u64 = 256 * 1024 * 1024;

/// A decoded picture with what its metadata said; the metadata itself goes no further.
pub struct Decoded {
    /// The pixels as stored in the file, not yet turned upright.
    pub image: DynamicImage,
    /// How to turn the pixels upright (EXIF orientation).
    pub orientation: Orientation,
    /// EXIF `DateTimeOriginal`: local time of the camera, no zone.
    pub taken_at: Option<NaiveDateTime>,
    pub format: ImageFormat,
}

/// Decodes `bytes` within the limits above, or says in a [`Msg`] why not.
pub fn decode(bytes: &[u8]) -> Result<Decoded, Msg> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large_file());
    }
    let format = accepted_format(bytes)?;
    if format == ImageFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(Msg::PhotoDamaged);
    }
    contained(|| decode_unguarded(bytes, format))
}

/// Runs image code so that a panic (a decoder bug on hostile input) refuses the file instead of
/// killing the process.
pub fn contained<T>(f: impl FnOnce() -> Result<T, Msg>) -> Result<T, Msg> {
    panic::catch_unwind(AssertUnwindSafe(f)).unwrap_or(Err(Msg::PhotoDamaged))
}

pub(crate) fn too_large_file() -> Msg {
    Msg::PhotoFileTooLarge {
        max_mb: (MAX_FILE_BYTES / (1024 * 1024)) as u64,
    }
}

fn decode_unguarded(bytes: &[u8], format: ImageFormat) -> Result<Decoded, Msg> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    // Metadata is optional: a broken EXIF block must not cost the picture.
    let exif = decoder.exif_metadata().ok().flatten();
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(refusal)?;
    Ok(Decoded {
        image,
        orientation,
        taken_at: exif.and_then(exif_taken_at),
        format,
    })
}

/// Which of the accepted formats the bytes are, judged by their content, never by a file name.
fn accepted_format(bytes: &[u8]) -> Result<ImageFormat, Msg> {
    if is_heic(bytes) {
        return Err(Msg::PhotoHeic);
    }
    match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => Ok(f),
        Ok(_) => Err(Msg::PhotoUnsupportedFormat),
        Err(_) => Err(Msg::PhotoNotAnImage),
    }
}

/// HEIF containers from iPhones: an ISO-BMFF `ftyp` box with a HEIC/HEIF brand.
fn is_heic(bytes: &[u8]) -> bool {
    const BRANDS: [&[u8; 4]; 8] = [
        b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1",
    ];
    bytes.len() >= 12 && &bytes[4..8] == b"ftyp" && BRANDS.iter().any(|b| &bytes[8..12] == *b)
}

fn refusal(e: image::ImageError) -> Msg {
    match e {
        image::ImageError::Limits(_) => Msg::PhotoTooManyPixels { max_side: MAX_SIDE },
        image::ImageError::Unsupported(_) => Msg::PhotoUnsupportedFormat,
        _ => Msg::PhotoDamaged,
    }
}

/// Walks the JPEG's segments and entropy-coded data up to the end-of-image marker. A file that
/// ends before it is truncated (an upload cut short), whatever the lenient decoder makes of it.
/// Bytes after the marker (motion photos append a video there) are allowed.
pub fn jpeg_is_complete(b: &[u8]) -> bool {
    if b.len() < 4 || b[0] != 0xFF || b[1] != 0xD8 {
        return false;
    }
    let mut pos = 2;
    loop {
        // Markers may be preceded by any number of 0xFF fill bytes.
        while pos < b.len() && b[pos] == 0xFF && b.get(pos + 1) == Some(&0xFF) {
            pos += 1;
        }
        if pos + 1 >= b.len() || b[pos] != 0xFF {
            return false;
        }
        let marker = b[pos + 1];
        match marker {
            0xD9 => return true,
            0x01 | 0xD0..=0xD7 => pos += 2,
            _ => {
                if pos + 3 >= b.len() {
                    return false;
                }
                let length = usize::from(u16::from_be_bytes([b[pos + 2], b[pos + 3]]));
                if length < 2 {
                    return false;
                }
                pos += 2 + length;
                if pos > b.len() {
                    return false;
                }
                if marker == 0xDA {
                    // Entropy-coded data: runs until a marker that is neither a stuffed 0xFF00
                    // nor a restart marker.
                    loop {
                        let Some(offset) = b[pos..].iter().position(|&x| x == 0xFF) else {
                            return false;
                        };
                        pos += offset;
                        match b.get(pos + 1) {
                            None => return false,
                            Some(0x00 | 0xD0..=0xD7) => pos += 2,
                            Some(_) => break,
                        }
                    }
                }
            }
        }
    }
}

/// EXIF `DateTimeOriginal` (else `DateTime`), as the camera's local time.
fn exif_taken_at(raw: Vec<u8>) -> Option<NaiveDateTime> {
    let exif = exif::Reader::new().read_raw(raw).ok()?;
    [exif::Tag::DateTimeOriginal, exif::Tag::DateTime]
        .iter()
        .find_map(|tag| {
            let field = exif.get_field(*tag, exif::In::PRIMARY)?;
            let exif::Value::Ascii(ref parts) = field.value else {
                return None;
            };
            let text = std::str::from_utf8(parts.first()?).ok()?;
            NaiveDateTime::parse_from_str(text.trim_end_matches('\0').trim(), "%Y:%m:%d %H:%M:%S")
                .ok()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_judged_by_content() {
        let check = |bytes: &[u8], expected: Result<ImageFormat, Msg>| {
            assert_eq!(accepted_format(bytes), expected, "{bytes:?}");
        };
        check(b"\xFF\xD8\xFF\xE0rest", Ok(ImageFormat::Jpeg));
        check(b"\x89PNG\r\n\x1a\nrest", Ok(ImageFormat::Png));
        check(b"RIFF\0\0\0\0WEBPVP8 ", Ok(ImageFormat::WebP));
        check(b"\0\0\0\x18ftypheic\0\0\0\0", Err(Msg::PhotoHeic));
        check(b"\0\0\0\x18ftypmif1\0\0\0\0", Err(Msg::PhotoHeic));
        check(b"GIF89a\x01\0\x01\0", Err(Msg::PhotoUnsupportedFormat));
        check(b"Hallo, ich bin eine Textdatei.", Err(Msg::PhotoNotAnImage));
        check(b"", Err(Msg::PhotoNotAnImage));
    }

    #[test]
    fn jpeg_structure_check_finds_the_end() {
        // SOI, a segment, SOS with data containing stuffed 0xFF00 and a restart marker, EOI.
        let good = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 1, 2, 0xFF, 0xDA, 0x00, 0x03, 9, 5, 0xFF, 0x00, 6,
            0xFF, 0xD0, 7, 0xFF, 0xD9,
        ];
        assert!(jpeg_is_complete(&good));
        let mut trailing = good.to_vec();
        trailing.extend_from_slice(b"ftypmp42 video after the picture");
        assert!(jpeg_is_complete(&trailing));
        for cut in 0..good.len() {
            assert!(!jpeg_is_complete(&good[..cut]), "cut at {cut}");
        }
    }
}
