//! The photo routes driven without a socket: multipart upload of real picture files, refusals
//! with the core's messages, the gallery filter, thumbnails and full images with their caching
//! headers, edits and deletes, all behind the login.

use crate::support::{multipart, Reply, TestApp, BOUNDARY};
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use kartei_core::model::{CustomerDraft, CustomerId, Source};
use kartei_core::photos::samples::{self, ExifSpec};
use kartei_server::api::photos::UPLOAD_BODY_LIMIT;
use serde_json::json;

/// A logged-in app with one customer, Fiona, to put photos on.
struct PhotoApp {
    t: TestApp,
    customer: CustomerId,
}

impl std::ops::Deref for PhotoApp {
    type Target = TestApp;
    fn deref(&self) -> &TestApp {
        &self.t
    }
}

impl std::ops::DerefMut for PhotoApp {
    fn deref_mut(&mut self) -> &mut TestApp {
        &mut self.t
    }
}

impl PhotoApp {
    async fn logged_in() -> PhotoApp {
        let t = TestApp::logged_in().await;
        let customer = t
            .kartei
            .create_customer(
                &CustomerDraft {
                    first_name: "Fiona".into(),
                    last_name: "Foto".into(),
                    ..Default::default()
                },
                Source::Manual,
                "Anna",
            )
            .unwrap()
            .id;
        PhotoApp { t, customer }
    }

    async fn upload(&self, filename: &str, file: &[u8], fields: &[(&str, &str)]) -> Reply {
        let path = format!("/api/v1/customers/{}/photos", self.customer);
        self.upload_to(&path, filename, file, fields).await
    }

    fn stored_files(&self) -> usize {
        std::fs::read_dir(self.dir.path().join("photos"))
            .unwrap()
            .count()
    }
}

fn phone_photo() -> Vec<u8> {
    samples::with_exif(
        &samples::jpeg(600, 300, 3),
        &ExifSpec {
            orientation: 6,
            taken: "2026:11:20 15:04:05",
            gps: true,
        },
    )
}

#[tokio::test]
async fn upload_list_and_serve_with_caching_headers() {
    let t = PhotoApp::logged_in().await;
    let r = t
        .upload(
            "IMG_0042.jpg",
            &phone_photo(),
            &[("kind", "before"), ("caption", "Ansatz")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let photo = r.body;
    assert_eq!(photo["kind"], "before");
    assert_eq!(photo["caption"], "Ansatz");
    assert_eq!(photo["added_by"], "Anna");
    assert_eq!(
        (photo["width"].as_u64(), photo["height"].as_u64()),
        (Some(300), Some(600))
    );
    assert_eq!(photo["taken_at_from_exif"], true);
    let id = photo["id"].as_u64().unwrap();
    let hash = photo["hash"].as_str().unwrap().to_string();

    let list = t
        .get(&format!("/api/v1/customers/{}/photos", t.customer))
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["photos"][0]["id"].as_u64(), Some(id));

    let thumb = t.get(&format!("/api/v1/photos/{id}/thumb")).await;
    assert_eq!(thumb.status, StatusCode::OK);
    assert_eq!(thumb.headers[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(thumb.headers[header::ETAG], format!("\"{hash}\"").as_str());
    let cache = thumb.headers[header::CACHE_CONTROL].to_str().unwrap();
    assert!(
        cache.contains("private") && cache.contains("immutable"),
        "{cache}"
    );
    let img = image::load_from_memory(&thumb.bytes).unwrap();
    assert_eq!((img.width(), img.height()), (160, 320), "upright thumbnail");

    let again = t
        .call(
            t.builder(Method::GET, &format!("/api/v1/photos/{id}/thumb"))
                .header(header::IF_NONE_MATCH, format!("\"{hash}\""))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.bytes.is_empty());
    assert_eq!(again.headers[header::ETAG], format!("\"{hash}\"").as_str());

    let full = t.get(&format!("/api/v1/photos/{id}/full")).await;
    assert_eq!(full.status, StatusCode::OK);
    let img = image::load_from_memory(&full.bytes).unwrap();
    assert_eq!((img.width(), img.height()), (300, 600));
    assert!(
        !full.bytes.windows(4).any(|w| w == b"Exif"),
        "no EXIF/GPS served"
    );

    let card = t.get(&format!("/api/v1/customers/{}", t.customer)).await;
    assert_eq!(card.body["photo_count"], 1);
}

#[tokio::test]
async fn refused_uploads_say_why_in_the_users_language_and_store_nothing() {
    let t = PhotoApp::logged_in().await;
    let text = b"Das ist eine Einkaufsliste, kein Foto.";
    let r = t.upload("foto.jpg", text, &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"], "invalid");
    assert_eq!(
        r.body["fields"]["file"],
        "Die Datei ist kein Bild. Bitte ein Foto als JPEG, PNG oder WebP wählen."
    );

    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic....";
    let request = t
        .builder(
            Method::POST,
            &format!("/api/v1/customers/{}/photos", t.customer),
        )
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9")
        .body(Body::from(multipart("IMG_0001.HEIC", heic, &[])))
        .unwrap();
    let r = t.call(request).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .starts_with("HEIC photos are not supported. Please send the photo as JPEG"),
        "{}",
        r.body
    );

    let good = samples::jpeg(200, 100, 1);
    let truncated = &good[..good.len() / 2];
    let r = t.upload("cut.jpg", truncated, &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body["fields"]["file"]
        .as_str()
        .unwrap()
        .starts_with("Die Bilddatei ist beschädigt"));

    let r = t.upload("a.jpg", &good, &[("kind", "selfie")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body["fields"]["kind"].is_string(), "{}", r.body);

    let mut huge = good.clone();
    huge.resize(UPLOAD_BODY_LIMIT + 1, 0);
    let r = t.upload("big.jpg", &huge, &[]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);

    let r = t
        .upload_to("/api/v1/customers/999/photos", "a.jpg", &good, &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let empty = format!("--{BOUNDARY}--\r\n").into_bytes();
    let r = t
        .send_body(
            Method::POST,
            &format!("/api/v1/customers/{}/photos", t.customer),
            &format!("multipart/form-data; boundary={BOUNDARY}"),
            empty,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    assert_eq!(t.stored_files(), 0);
    assert!(t
        .kartei
        .photos(t.customer, Default::default())
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn favourites_filter_edit_and_delete() {
    let t = PhotoApp::logged_in().await;
    let mut ids = Vec::new();
    for seed in 1..=2 {
        let r = t.upload("a.jpg", &samples::jpeg(80, 60, seed), &[]).await;
        assert_eq!(r.status, StatusCode::CREATED);
        ids.push(r.body["id"].as_u64().unwrap());
    }
    let patch = json!({"favourite": true, "kind": "inspiration", "caption": "Pony"}).to_string();
    let r = t
        .send_body(
            Method::PATCH,
            &format!("/api/v1/photos/{}", ids[0]),
            "application/json",
            patch.into(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["favourite"], true);
    assert_eq!(r.body["kind"], "inspiration");
    assert_eq!(r.body["caption"], "Pony");

    let list = |filter: &'static str| {
        let path = format!("/api/v1/customers/{}/photos?filter={filter}", t.customer);
        let t = &t;
        async move {
            let r = t.get(&path).await;
            assert_eq!(r.status, StatusCode::OK, "{filter}");
            r.body["photos"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_u64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list("favourites").await, vec![ids[0]]);
    assert_eq!(list("oldest").await.len(), 2);
    let r = t
        .get(&format!(
            "/api/v1/customers/{}/photos?filter=best",
            t.customer
        ))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    let bad = json!({"kind": "selfie"}).to_string();
    let r = t
        .send_body(
            Method::PATCH,
            &format!("/api/v1/photos/{}", ids[0]),
            "application/json",
            bad.into(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    let r = t
        .send_body(
            Method::DELETE,
            &format!("/api/v1/photos/{}", ids[0]),
            "text/plain",
            vec![],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = t.get(&format!("/api/v1/photos/{}/thumb", ids[0])).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(list("newest").await, vec![ids[1]]);
    assert_eq!(t.stored_files(), 2);
}

#[tokio::test]
async fn photos_need_a_login() {
    let mut t = PhotoApp::logged_in().await;
    let r = t.upload("a.jpg", &samples::jpeg(80, 60, 1), &[]).await;
    let id = r.body["id"].as_u64().unwrap();
    t.cookie = None;
    for path in [
        format!("/api/v1/customers/{}/photos", t.customer),
        format!("/api/v1/photos/{id}/thumb"),
        format!("/api/v1/photos/{id}/full"),
    ] {
        let r = t.get(&path).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
        assert!(r.bytes.iter().all(|&b| b != 0xFF), "no picture bytes leak");
    }
    let r = t.upload("a.jpg", &samples::jpeg(80, 60, 2), &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = t
        .send_body(
            Method::DELETE,
            &format!("/api/v1/photos/{id}"),
            "text/plain",
            vec![],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        t.kartei
            .photos(t.customer, Default::default())
            .unwrap()
            .len(),
        1
    );
}
