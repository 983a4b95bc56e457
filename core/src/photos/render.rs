//! Turns a decoded picture into the two files Kartei keeps: the full image (longest side at most
//! [`FULL_SIDE`]) and the thumbnail (at most [`THUMB_SIDE`]), both upright, as JPEG without any
//! metadata (the encoder writes no EXIF, so GPS positions and camera data stay behind).
//!
//! Order matters for speed: the large picture is shrunk first (SIMD resize with
//! `fast_image_resize`), then the smaller result is turned upright, and the thumbnail is made
//! from the full image rather than from the original.

use super::decode::Decoded;
use crate::i18n::Msg;
use fast_image_resize as fir;
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ExtendedColorType, RgbImage};

/// The longest side of the stored full image, in pixels.
pub const FULL_SIDE: u32 = 2560;
/// The longest side of a thumbnail, in pixels.
pub const THUMB_SIDE: u32 = 320;
/// JPEG quality of both files.
pub const JPEG_QUALITY: u8 = 85;

/// The encoded files and their sizes in pixels (upright).
pub struct Rendered {
    pub full: Vec<u8>,
    pub full_size: (u32, u32),
    pub thumb: Vec<u8>,
    pub thumb_size: (u32, u32),
}

pub fn render(decoded: Decoded) -> Result<Rendered, Msg> {
    let rgb = flatten(decoded.image);
    let shrunk = shrink(rgb, FULL_SIDE)?;
    let mut upright = DynamicImage::ImageRgb8(shrunk);
    upright.apply_orientation(decoded.orientation);
    let full = upright.into_rgb8();
    let thumb = shrink(full.clone(), THUMB_SIDE)?;
    Ok(Rendered {
        full: encode(&full)?,
        full_size: full.dimensions(),
        thumb: encode(&thumb)?,
        thumb_size: thumb.dimensions(),
    })
}

/// RGB with transparency laid over white (a transparent PNG must not turn black).
fn flatten(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    let (w, h) = rgba.dimensions();
    let mut out = RgbImage::new(w, h);
    for (dst, src) in out.pixels_mut().zip(rgba.pixels()) {
        let a = u16::from(src[3]);
        for c in 0..3 {
            dst[c] = ((u16::from(src[c]) * a + 255 * (255 - a) + 127) / 255) as u8;
        }
    }
    out
}

/// The size that fits `(w, h)` into `side × side`, keeping the aspect ratio; never enlarged.
pub fn fit(w: u32, h: u32, side: u32) -> (u32, u32) {
    let longest = w.max(h);
    if longest <= side {
        return (w, h);
    }
    let scale = |x: u32| {
        ((u64::from(x) * u64::from(side) + u64::from(longest) / 2) / u64::from(longest)).max(1)
            as u32
    };
    (scale(w), scale(h))
}

fn shrink(image: RgbImage, side: u32) -> Result<RgbImage, Msg> {
    let (w, h) = image.dimensions();
    let (tw, th) = fit(w, h, side);
    if (tw, th) == (w, h) {
        return Ok(image);
    }
    let internal = |_| Msg::Internal;
    let src =
        fir::images::ImageRef::new(w, h, image.as_raw(), fir::PixelType::U8x3).map_err(internal)?;
    let mut dst = fir::images::Image::new(tw, th, fir::PixelType::U8x3);
    let options = fir::ResizeOptions::new()
        .resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::Lanczos3));
    fir::Resizer::new()
        .resize(&src, &mut dst, &options)
        .map_err(|_| Msg::Internal)?;
    RgbImage::from_raw(tw, th, dst.into_vec()).ok_or(Msg::Internal)
}

fn encode(image: &RgbImage) -> Result<Vec<u8>, Msg> {
    let mut out = Vec::with_capacity(image.as_raw().len() / 8);
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgb8,
        )
        .map_err(|_| Msg::Internal)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn sizes_fit_the_box_and_keep_the_aspect_ratio() {
        let check = |w, h, side, expected| assert_eq!(fit(w, h, side), expected, "{w}×{h}");
        check(4000, 3000, 2560, (2560, 1920));
        check(3000, 4000, 2560, (1920, 2560));
        check(2560, 1920, 320, (320, 240));
        check(800, 600, 2560, (800, 600));
        check(10000, 10, 320, (320, 1));
        check(1, 1, 320, (1, 1));
    }
}
