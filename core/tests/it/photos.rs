//! Customer photos with real picture files written by the tests: EXIF orientation and stripping,
//! refusals that leave nothing behind, shared content, deletes, orphan clean-up, the gallery.

use crate::fixture::{now, Fixture};
use chrono::{Duration, Local, NaiveDateTime, TimeZone, Utc};
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageEncoder, RgbImage};
use kartei_core::i18n::Msg;
use kartei_core::model::CustomerId;
use kartei_core::photos::files::PHOTOS_DIR;
use kartei_core::photos::samples::{self, ExifSpec};
use kartei_core::photos::*;
use kartei_core::{Change, CoreError, Lang};
use std::path::PathBuf;

fn photo_dir(f: &Fixture) -> PathBuf {
    f.dir.path().join(PHOTOS_DIR)
}

/// The names in the photo folder, sorted.
fn files(f: &Fixture) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(photo_dir(f))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn add(f: &Fixture, customer: CustomerId, bytes: &[u8]) -> Photo {
    f.kartei
        .add_photo(customer, bytes, PhotoKind::After, "", "Lena")
        .unwrap()
}

fn decode(bytes: &[u8]) -> RgbImage {
    image::load_from_memory(bytes).unwrap().into_rgb8()
}

fn is_red(p: &image::Rgb<u8>) -> bool {
    p[0] > 180 && p[1] < 80 && p[2] < 80
}

#[test]
fn an_exif_rotated_jpeg_is_stored_upright_without_any_metadata() {
    let f = Fixture::new();
    let c = f.add("Ella", "Exif");
    // 400×200 as stored by the camera, orientation 6: the viewer turns it 90° clockwise.
    let upload = samples::with_exif(
        &samples::jpeg(400, 200, 7),
        &ExifSpec {
            orientation: 6,
            taken: "2025:06:01 14:30:00",
            gps: true,
        },
    );
    assert!(exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(&upload))
        .unwrap()
        .get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
        .is_some());

    let photo = f
        .kartei
        .add_photo(c.id, &upload, PhotoKind::Before, " Ansatz ", "Lena")
        .unwrap();
    assert_eq!((photo.content.width, photo.content.height), (200, 400));
    assert_eq!(photo.caption, "Ansatz");
    assert_eq!(photo.kind, PhotoKind::Before);
    assert_eq!(photo.added_by, "Lena");
    let taken = NaiveDateTime::parse_from_str("2025-06-01 14:30:00", "%Y-%m-%d %H:%M:%S").unwrap();
    let expected = Local.from_local_datetime(&taken).earliest().unwrap();
    assert_eq!(photo.taken_at, expected.with_timezone(&Utc));
    assert!(photo.taken_at_from_exif);

    let full = f.kartei.photo_full(photo.id).unwrap();
    let thumb = f.kartei.photo_thumb(photo.id).unwrap();
    assert_eq!(full.hash, photo.content.hash);
    assert_eq!(full.bytes.len() as u64, photo.content.bytes);
    for stored in [&full.bytes, &thumb.bytes] {
        assert!(
            exif::Reader::new()
                .read_from_container(&mut std::io::Cursor::new(stored))
                .is_err(),
            "no EXIF block at all"
        );
        assert!(!stored.windows(4).any(|w| w == b"Exif"));
        assert!(!stored.windows(4).any(|w| w == b"2025"), "no capture time");
    }
    // The red block, top-left in the file, is top-right once upright.
    let img = decode(&full.bytes);
    assert_eq!(img.dimensions(), (200, 400));
    assert!(is_red(img.get_pixel(190, 10)));
    assert!(!is_red(img.get_pixel(10, 10)));
    assert!(!is_red(img.get_pixel(190, 390)));
    let small = decode(&thumb.bytes);
    assert_eq!(small.dimensions(), (160, 320));
    assert!(is_red(small.get_pixel(152, 8)));
    assert!(!is_red(small.get_pixel(8, 8)));
}

#[test]
fn big_pictures_are_shrunk_to_2560_and_320() {
    let f = Fixture::new();
    let c = f.add("Gro", "Ss");
    let photo = add(&f, c.id, &samples::jpeg(3000, 1000, 1));
    assert_eq!((photo.content.width, photo.content.height), (2560, 853));
    assert_eq!(
        (photo.content.thumb_width, photo.content.thumb_height),
        (320, 107)
    );
    let full = decode(&f.kartei.photo_full(photo.id).unwrap().bytes);
    assert_eq!(full.dimensions(), (2560, 853));
    assert!(!photo.taken_at_from_exif);
    assert_eq!(photo.taken_at, now(), "no EXIF: the upload time");
}

#[test]
fn png_and_webp_are_accepted_and_transparency_turns_white() {
    let f = Fixture::new();
    let c = f.add("Paula", "Png");
    let rgba = image::RgbaImage::from_fn(64, 32, |x, _| {
        if x < 32 {
            image::Rgba([0, 0, 0, 0])
        } else {
            image::Rgba([0, 0, 200, 255])
        }
    });
    let mut png = Vec::new();
    PngEncoder::new(&mut png)
        .write_image(rgba.as_raw(), 64, 32, ExtendedColorType::Rgba8)
        .unwrap();
    let photo = add(&f, c.id, &png);
    let img = decode(&f.kartei.photo_full(photo.id).unwrap().bytes);
    let white = img.get_pixel(8, 16);
    assert!(white.0.iter().all(|&v| v > 240), "{white:?}");
    let blue = img.get_pixel(56, 16);
    assert!(blue[2] > 180 && blue[0] < 40, "{blue:?}");

    let rgb = samples::photo_pixels(50, 40, 3);
    let mut webp = Vec::new();
    WebPEncoder::new_lossless(&mut webp)
        .write_image(rgb.as_raw(), 50, 40, ExtendedColorType::Rgb8)
        .unwrap();
    let photo = add(&f, c.id, &webp);
    assert_eq!((photo.content.width, photo.content.height), (50, 40));
    assert_eq!(f.kartei.photos(c.id, PhotoFilter::Newest).unwrap().len(), 2);
}

/// A PNG whose header claims `w × h` pixels, with a valid CRC so the decoder believes it.
fn png_header_only(w: u32, h: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let chunk = |out: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    // A few bytes of zlib data: a bomb needs no more than a header and a short stream.
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

#[test]
fn bad_uploads_are_refused_with_a_clear_message_and_leave_nothing_behind() {
    let f = Fixture::new();
    let c = f.add("Bea", "Bombe");
    let mut events = f.kartei.subscribe();
    let good = samples::jpeg(640, 480, 5);
    let check = |bytes: &[u8], expected: Msg, german: &str| {
        match f
            .kartei
            .add_photo(c.id, bytes, PhotoKind::Other, "", "Lena")
        {
            Err(CoreError::Invalid(errors)) => {
                assert_eq!(errors.get("file"), Some(&expected));
                assert!(
                    errors.texts(Lang::De)["file"].starts_with(german),
                    "{}",
                    errors.texts(Lang::De)["file"]
                );
                assert!(!errors.texts(Lang::En)["file"].is_empty());
            }
            other => panic!("{expected:?}: {other:?}"),
        }
        assert!(files(&f).is_empty(), "{expected:?}: {:?}", files(&f));
        assert!(f
            .kartei
            .photos(c.id, PhotoFilter::Newest)
            .unwrap()
            .is_empty());
        assert!(f.kartei.store().photo_hashes().unwrap().is_empty());
    };
    let bomb = Msg::PhotoTooManyPixels { max_megapixels: 50 };
    check(
        &png_header_only(100_000, 100_000),
        bomb.clone(),
        "Das Bild hat zu viele Pixel",
    );
    // Within the side limit, but 81 megapixels: refused before the buffer is allocated.
    check(
        &png_header_only(9_000, 9_000),
        bomb,
        "Das Bild hat zu viele Pixel",
    );
    check(
        &good[..good.len() * 6 / 10],
        Msg::PhotoDamaged,
        "Die Bilddatei ist beschädigt",
    );
    check(
        b"Termin am Dienstag, 10 Uhr. Das ist kein Foto.\n",
        Msg::PhotoNotAnImage,
        "Die Datei ist kein Bild",
    );
    check(
        b"\0\0\0\x18ftypheic\0\0\0\0mif1heic",
        Msg::PhotoHeic,
        "HEIC-Fotos",
    );
    check(
        b"GIF89a\x01\0\x01\0\0\0\0;",
        Msg::PhotoUnsupportedFormat,
        "Dieses Bildformat",
    );
    check(b"", Msg::PhotoNotAnImage, "Die Datei ist kein Bild");
    let mut huge = good.clone();
    huge.resize(decode::MAX_FILE_BYTES + 1, 0);
    check(
        &huge,
        Msg::PhotoFileTooLarge { max_mb: 32 },
        "Die Datei ist zu groß",
    );
    assert!(
        events.try_recv().is_err(),
        "nothing changed, nothing announced"
    );

    let long = "x".repeat(MAX_CAPTION + 1);
    match f
        .kartei
        .add_photo(c.id, &good, PhotoKind::Other, &long, "Lena")
    {
        Err(CoreError::Invalid(errors)) => assert!(errors.get("caption").is_some()),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        f.kartei
            .add_photo(CustomerId(999), &good, PhotoKind::Other, "", "Lena"),
        Err(CoreError::NotFound { .. })
    ));
    assert!(files(&f).is_empty());
}

#[test]
fn the_same_picture_twice_is_stored_once_and_deleting_keeps_shared_files() {
    let f = Fixture::new();
    let anna = f.add("Anna", "Eins");
    let berta = f.add("Berta", "Zwei");
    let bytes = samples::jpeg(800, 600, 11);
    let first = add(&f, anna.id, &bytes);
    let second = add(&f, berta.id, &bytes);
    assert_ne!(first.id, second.id);
    assert_eq!(first.content.hash, second.content.hash);
    assert_eq!(first.content.hash, content_hash(&bytes));
    let h = &first.content.hash;
    assert_eq!(
        files(&f),
        vec![format!("{h}.jpg"), format!("{h}.thumb.jpg")]
    );

    f.kartei.delete_photo(first.id).unwrap();
    assert_eq!(files(&f).len(), 2, "berta's photo still uses them");
    assert!(matches!(
        f.kartei.photo(first.id),
        Err(CoreError::NotFound { .. })
    ));
    assert!(f.kartei.photo_thumb(second.id).is_ok());
    f.kartei.delete_photo(second.id).unwrap();
    assert!(files(&f).is_empty());
    assert!(matches!(
        f.kartei.delete_photo(second.id),
        Err(CoreError::NotFound { .. })
    ));
}

#[test]
fn deleting_a_customer_deletes_their_photos_and_unshared_files() {
    let f = Fixture::new();
    let gone = f.add("Gesa", "Geht");
    let stays = f.add("Sina", "Bleibt");
    let own = samples::jpeg(300, 200, 1);
    let shared = samples::jpeg(300, 200, 2);
    let own_photo = add(&f, gone.id, &own);
    add(&f, gone.id, &shared);
    let kept = add(&f, stays.id, &shared);
    assert_eq!(files(&f).len(), 4);

    f.kartei.delete_customer(gone.id, "Test").unwrap();
    let h = &kept.content.hash;
    assert_eq!(
        files(&f),
        vec![format!("{h}.jpg"), format!("{h}.thumb.jpg")]
    );
    assert!(matches!(
        f.kartei.photo(own_photo.id),
        Err(CoreError::NotFound { .. })
    ));
    assert!(matches!(
        f.kartei.photos(gone.id, PhotoFilter::Newest),
        Err(CoreError::NotFound { .. })
    ));
    assert_eq!(f.kartei.store().photo_hashes().unwrap().len(), 1);
    let (f, report) = f.reopen();
    assert_eq!(report.orphan_photo_files, 0);
    assert_eq!(
        f.kartei
            .photos(stays.id, PhotoFilter::Newest)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn orphan_and_temporary_files_are_removed_at_start_up() {
    let f = Fixture::new();
    let c = f.add("Olga", "Orphan");
    let photo = add(&f, c.id, &samples::jpeg(120, 90, 4));
    let dir = photo_dir(&f);
    let orphan = "0123456789abcdef".repeat(4);
    // What a crash leaves: files whose row never committed, a half-written temporary file.
    std::fs::write(dir.join(format!("{orphan}.jpg")), b"jpeg").unwrap();
    std::fs::write(dir.join(format!("{orphan}.thumb.jpg")), b"jpeg").unwrap();
    std::fs::write(dir.join(format!(".tmp-{orphan}-1-1-f")), b"jp").unwrap();
    let (f, report) = f.reopen();
    assert_eq!(report.orphan_photo_files, 3);
    let h = &photo.content.hash;
    assert_eq!(
        files(&f),
        vec![format!("{h}.jpg"), format!("{h}.thumb.jpg")]
    );
    assert!(f.kartei.photo_full(photo.id).is_ok());
}

#[test]
fn the_gallery_sorts_filters_and_edits() {
    let f = Fixture::new();
    let c = f.add("Gabi", "Galerie");
    let mut events = f.kartei.subscribe();
    let mut ids = Vec::new();
    for seed in 1..=3 {
        ids.push(add(&f, c.id, &samples::jpeg(64, 48, seed)).id);
        f.clock.advance(Duration::minutes(5));
    }
    assert_eq!(events.try_recv().unwrap(), Change::CustomerChanged(c.id));
    let order = |filter| -> Vec<PhotoId> {
        f.kartei
            .photos(c.id, filter)
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect()
    };
    assert_eq!(order(PhotoFilter::Newest), vec![ids[2], ids[1], ids[0]]);
    assert_eq!(order(PhotoFilter::Oldest), ids);
    assert!(order(PhotoFilter::Favourites).is_empty());

    let patch = PhotoPatch {
        kind: Some(PhotoKind::Inspiration),
        caption: Some("  Bob, kinnlang ".into()),
        favourite: Some(true),
    };
    let edited = f.kartei.update_photo(ids[0], &patch).unwrap();
    assert_eq!(edited.kind, PhotoKind::Inspiration);
    assert_eq!(edited.caption, "Bob, kinnlang");
    assert!(edited.favourite);
    f.kartei
        .update_photo(
            ids[2],
            &PhotoPatch {
                favourite: Some(true),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(order(PhotoFilter::Favourites), vec![ids[2], ids[0]]);
    let unmark = PhotoPatch {
        favourite: Some(false),
        ..Default::default()
    };
    let unmarked = f.kartei.update_photo(ids[2], &unmark).unwrap();
    assert_eq!(order(PhotoFilter::Favourites), vec![ids[0]]);
    assert_eq!(unmarked.caption, "", "fields not in the patch stay");

    let too_long = PhotoPatch {
        caption: Some("x".repeat(MAX_CAPTION + 1)),
        ..Default::default()
    };
    assert!(matches!(
        f.kartei.update_photo(ids[1], &too_long),
        Err(CoreError::Invalid(_))
    ));
    assert_eq!(f.kartei.card(c.id, Lang::De).unwrap().photo_count, 3);
    let data = kartei_core::export::customer_data(&f.kartei, c.id, "Test").unwrap();
    let exported: Vec<PhotoId> = data.photos.iter().map(|p| p.id).collect();
    assert_eq!(
        exported, ids,
        "the data export lists the photos, oldest first"
    );
    let (f, _) = f.reopen();
    assert_eq!(f.kartei.photo(ids[0]).unwrap(), edited);
    assert_eq!(f.kartei.card(c.id, Lang::De).unwrap().photo_count, 3);
}

#[test]
fn a_panicking_decoder_refuses_the_file_instead_of_killing_the_process() {
    // No known input makes the decoders panic; the guard itself is checked here.
    let out: Result<(), Msg> = decode::contained(|| panic!("decoder bug"));
    assert_eq!(out, Err(Msg::PhotoDamaged));
}
