//! The photo benchmark of issue 6, as a bench binary that prints figures:
//! `cargo bench -p kartei-core --bench photos`.
//!
//! A 12-megapixel phone JPEG (4000×3000, noisy gradients, EXIF orientation 6, quality 90) is
//! stored end to end with `Kartei::add_photo` (decode, orient, resize, encode both sizes, durable
//! files and row); target ≤ 400 ms. Then a thumbnail is served (`photo_thumb`: row look-up and
//! file read); target ≤ 5 ms. The stages are timed apart, and `image`'s own resize is timed
//! against `fast_image_resize` for the record.

use kartei_core::model::{CustomerDraft, Source};
use kartei_core::photos::samples::{self, ExifSpec};
use kartei_core::photos::{decode, render, PhotoKind};
use kartei_core::Kartei;
use std::time::{Duration, Instant};

const STORE_ROUNDS: usize = 12;
const THUMB_ROUNDS: usize = 2000;

fn main() {
    println!(
        "Kartei photo benchmark, {} cores",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    let temp = tempfile::tempdir().expect("temp dir");
    let (kartei, _) = Kartei::open(temp.path()).expect("open");
    let customer = kartei
        .create_customer(
            &CustomerDraft {
                first_name: "Bench".into(),
                last_name: "Mark".into(),
                ..Default::default()
            },
            Source::Manual,
            "bench",
        )
        .expect("customer");

    let started = Instant::now();
    let phone_jpeg = samples::with_exif(
        &samples::jpeg(4000, 3000, 42),
        &ExifSpec {
            orientation: 6,
            taken: "2026:11:20 15:04:05",
            gps: true,
        },
    );
    println!(
        "upload: 4000×3000 JPEG, {:.1} MB (generated in {:.1} s)",
        phone_jpeg.len() as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    // Stages, for the record (the same work add_photo does).
    let mut decode_t = Vec::new();
    let mut render_t = Vec::new();
    let mut hash_t = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let decoded = decode::decode(&phone_jpeg).expect("decode");
        decode_t.push(t.elapsed());
        let t = Instant::now();
        let rendered = render::render(decoded).expect("render");
        render_t.push(t.elapsed());
        assert_eq!(rendered.full_size, (1920, 2560));
        let t = Instant::now();
        std::hint::black_box(kartei_core::photos::content_hash(&phone_jpeg));
        hash_t.push(t.elapsed());
    }
    println!(
        "stages (median of 3): decode incl. EXIF and completeness check {:.0} ms, \
         shrink + orient + encode full and thumb {:.0} ms, SHA-256 {:.1} ms",
        ms(median(&mut decode_t)),
        ms(median(&mut render_t)),
        ms(median(&mut hash_t)),
    );

    // End to end: distinct content each round (a comment segment makes a new hash), so every
    // round writes new files.
    let mut store_t = Vec::new();
    let mut last = None;
    for round in 0..STORE_ROUNDS {
        let upload = with_comment(&phone_jpeg, round);
        let t = Instant::now();
        let photo = kartei
            .add_photo(customer.id, &upload, PhotoKind::After, "", "bench")
            .expect("add_photo");
        store_t.push(t.elapsed());
        last = Some(photo);
    }
    let photo = last.expect("a photo");
    println!(
        "store a 12 MP JPEG end to end ({STORE_ROUNDS} rounds): p50 {:.0} ms, max {:.0} ms \
         (target ≤ 400 ms); stored full {:.0} KB, thumb {:.0} KB",
        ms(median(&mut store_t)),
        ms(*store_t.iter().max().expect("rounds")),
        photo.content.bytes as f64 / 1024.0,
        photo.content.thumb_bytes as f64 / 1024.0,
    );

    let mut thumb_t = Vec::with_capacity(THUMB_ROUNDS);
    for _ in 0..THUMB_ROUNDS {
        let t = Instant::now();
        let data = kartei.photo_thumb(photo.id).expect("thumb");
        std::hint::black_box(data.bytes.len());
        thumb_t.push(t.elapsed());
    }
    thumb_t.sort();
    println!(
        "serve a thumbnail ({THUMB_ROUNDS} rounds): p50 {:.3} ms, p99 {:.3} ms (target ≤ 5 ms)",
        ms(thumb_t[THUMB_ROUNDS / 2]),
        ms(thumb_t[THUMB_ROUNDS * 99 / 100]),
    );

    compare_resizers();
    compare_encoders();
}

/// `image`'s JPEG encoder against `jpeg-encoder` on the 2560×1920 full image.
fn compare_encoders() {
    let full = samples::photo_pixels(2560, 1920, 5);
    let t = Instant::now();
    let theirs = samples::encode_jpeg_with_quality(&full, render::JPEG_QUALITY);
    let image_encoder = t.elapsed();
    let t = Instant::now();
    let ours = render::encode(&full).expect("encode");
    let jpeg_encoder = t.elapsed();
    println!(
        "encode 2560×1920 at quality {}: image {:.0} ms ({:.0} KB), jpeg-encoder {:.0} ms \
         ({:.0} KB, used)",
        render::JPEG_QUALITY,
        ms(image_encoder),
        theirs.len() as f64 / 1024.0,
        ms(jpeg_encoder),
        ours.len() as f64 / 1024.0,
    );
}

/// `image`'s resize against `fast_image_resize` on the 12 MP → 2560 px step.
fn compare_resizers() {
    let src = samples::photo_pixels(4000, 3000, 9);
    let t = Instant::now();
    std::hint::black_box(image::imageops::resize(
        &src,
        2560,
        1920,
        image::imageops::FilterType::Lanczos3,
    ));
    let lanczos = t.elapsed();
    let t = Instant::now();
    std::hint::black_box(image::imageops::resize(
        &src,
        2560,
        1920,
        image::imageops::FilterType::Triangle,
    ));
    let triangle = t.elapsed();
    let t = Instant::now();
    std::hint::black_box(image::imageops::thumbnail(&src, 2560, 1920));
    let thumbnail = t.elapsed();
    let fir = {
        use fast_image_resize as fr;
        let t = Instant::now();
        let view =
            fr::images::ImageRef::new(4000, 3000, src.as_raw(), fr::PixelType::U8x3).expect("view");
        let mut dst = fr::images::Image::new(2560, 1920, fr::PixelType::U8x3);
        fr::Resizer::new()
            .resize(
                &view,
                &mut dst,
                &fr::ResizeOptions::new()
                    .resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3)),
            )
            .expect("resize");
        std::hint::black_box(dst.buffer().len());
        t.elapsed()
    };
    println!(
        "resize 4000×3000 → 2560×1920: image Lanczos3 {:.0} ms, image Triangle {:.0} ms, \
         image thumbnail() {:.0} ms, fast_image_resize Lanczos3 {:.0} ms (used)",
        ms(lanczos),
        ms(triangle),
        ms(thumbnail),
        ms(fir)
    );
}

/// The JPEG with a comment segment after its start marker: same picture, new content hash.
fn with_comment(jpeg: &[u8], n: usize) -> Vec<u8> {
    let text = format!("round {n}");
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&((text.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
