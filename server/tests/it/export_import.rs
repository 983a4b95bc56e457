//! Excel export downloads and the contact import over real HTTP: the server runs with
//! [`kartei_server::run`] on 127.0.0.1 (port 0), a hyper client logs in and drives it. Downloads
//! are read back with calamine; the import uploads a realistic vCard file (iPhone 3.0, Android
//! 2.1 quoted-printable, 4.0, umlauts), commits the chosen rows and imports again. The oversized
//! upload goes through the router without a socket (see [`oversized_upload_is_413_and_writes_nothing`]).

use crate::support::{multipart, read_reply, Reply, TestApp, BOUNDARY};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use calamine::{Data, Reader};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use kartei_core::model::{CustomerDraft, PhoneDraft, Role, Source};
use kartei_core::Kartei;
use serde_json::{json, Value};
use std::io::Cursor;
use std::time::Duration;

/// Six contacts: Käthe (iPhone 3.0), Jörg (Android 2.1 quoted-printable), Ayşe (4.0), Franz
/// with a broken e-mail address, Jörg again, and Sabine, who is already a customer (same phone)
/// and brings her e-mail address.
const CONTACTS: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.1//EN\r\n\
N:Müller;Käthe;;;\r\nFN:Käthe Müller\r\nitem1.EMAIL;type=INTERNET;type=pref:kaethe@example.de\r\n\
item1.X-ABLabel:_$!<Other>!$_\r\nTEL;type=CELL;type=VOICE;type=pref:0171 2345678\r\n\
item2.ADR;type=HOME;type=pref:;;Hauptstraße 5;München;;80331;Deutschland\r\n\
BDAY:1985-03-02\r\nNOTE:Mag es kurz\\, im Nacken.\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Wei=C3=9F;J=C3=B6rg;;;\r\n\
TEL;CELL:0151 23456789\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ayşe Öztürk\r\nN:Öztürk;Ayşe;;;\r\nTEL;TYPE=cell:+49 176 12345678\r\n\
BDAY:19900228\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nN:Fehler;Franz;;;\r\nFN:Franz Fehler\r\nEMAIL:franz(at)example.de\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nN:Weiß;Jörg;;;\r\nFN:Jörg Weiß\r\nTEL;type=CELL:0151 23456789\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nN:Schröder;Sabine;;;\r\nFN:Sabine Schröder\r\nTEL;type=CELL:0170 5556667\r\n\
EMAIL:sabine@example.de\r\nEND:VCARD\r\n";

struct Live {
    base: String,
    client: Client<HttpConnector, Full<Bytes>>,
    cookie: Option<String>,
    kartei: Kartei,
    dir: tempfile::TempDir,
    served: crate::support::Served,
}

fn disposition(reply: &Reply) -> &str {
    reply.headers[header::CONTENT_DISPOSITION].to_str().unwrap()
}

impl Live {
    /// A card file with 40 demo customers (appointments, notes) and a staff member, served on
    /// a free port; logged in.
    async fn start() -> Live {
        let dir = tempfile::tempdir().unwrap();
        let (kartei, _) = Kartei::open(dir.path()).unwrap();
        kartei.add_staff("Anna", "1234", Role::Owner).unwrap();
        kartei_core::demo::generate(&kartei, 40, 7, |_| {}).unwrap();
        let served = crate::support::Served::start(kartei.clone()).await;
        let mut live = Live {
            base: served.base.clone(),
            client: served.client.clone(),
            cookie: None,
            kartei,
            dir,
            served,
        };
        live.cookie = Some(live.served.login("Anna", "1234").await);
        live
    }

    async fn stop(self) {
        self.served.stop().await;
    }

    fn request(&self, method: Method, path: &str) -> axum::http::request::Builder {
        let mut b = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("x-kartei-csrf", "1");
        if let Some(c) = &self.cookie {
            b = b.header(header::COOKIE, c);
        }
        b
    }

    async fn open(&self, request: Request<Full<Bytes>>) -> hyper::Response<Incoming> {
        self.client.request(request).await.unwrap()
    }

    async fn send(&self, request: Request<Full<Bytes>>) -> Reply {
        read_reply(self.open(request).await).await
    }

    async fn get(&self, path: &str) -> Reply {
        self.send(
            self.request(Method::GET, path)
                .body(Full::default())
                .unwrap(),
        )
        .await
    }

    async fn get_in(&self, path: &str, language: &str) -> Reply {
        let request = self
            .request(Method::GET, path)
            .header(header::ACCEPT_LANGUAGE, language)
            .body(Full::default())
            .unwrap();
        self.send(request).await
    }

    async fn post_json(&self, path: &str, body: Value) -> Reply {
        let request = self
            .request(Method::POST, path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body.to_string())))
            .unwrap();
        self.send(request).await
    }

    async fn upload(&self, filename: &str, file: &[u8]) -> Reply {
        let request = self
            .request(Method::POST, "/api/v1/import")
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Full::new(Bytes::from(multipart(filename, file, &[]))))
            .unwrap();
        self.send(request).await
    }

    /// Files in the data folder that an export left behind.
    fn leftover_downloads(&self) -> Vec<String> {
        std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".download-") || n.ends_with(".xlsx"))
            .collect()
    }

    fn customer_count(&self) -> u64 {
        self.kartei.store().customer_count().unwrap()
    }
}

fn workbook(bytes: &[u8]) -> calamine::Xlsx<Cursor<Vec<u8>>> {
    calamine::Xlsx::new(Cursor::new(bytes.to_vec())).expect("a readable xlsx")
}

fn today(kartei: &Kartei) -> String {
    kartei.today().format("%Y-%m-%d").to_string()
}

#[tokio::test]
async fn export_downloads_the_whole_card_file_and_filtered_lists() {
    let live = Live::start().await;
    let day = today(&live.kartei);

    let r = live.get("/api/v1/export.xlsx").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.headers[header::CONTENT_TYPE],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(
        disposition(&r),
        format!("attachment; filename=\"kunden-{day}.xlsx\"")
    );
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(
        r.headers[header::CONTENT_LENGTH].to_str().unwrap(),
        r.bytes.len().to_string()
    );
    let mut wb = workbook(&r.bytes);
    assert_eq!(wb.sheet_names(), ["Kunden", "Termine", "Notizen"]);
    let kunden = wb.worksheet_range("Kunden").unwrap();
    assert_eq!(kunden.height(), 1 + 40, "header and every customer");
    assert_eq!(kunden.get((0, 3)), Some(&Data::String("Vorname".into())));
    assert!(wb.worksheet_range("Termine").unwrap().height() > 1);
    assert!(live.leftover_downloads().is_empty());

    // English headers and name.
    let r = live.get_in("/api/v1/export.xlsx", "en-GB,en;q=0.9").await;
    assert_eq!(
        disposition(&r),
        format!("attachment; filename=\"customers-{day}.xlsx\"")
    );
    assert_eq!(
        workbook(&r.bytes).sheet_names(),
        ["Customers", "Appointments", "Notes"]
    );

    // A filtered list exports just that list.
    for last in ["Zander", "Zander", "Zandt"] {
        live.kartei
            .create_customer(
                &CustomerDraft {
                    first_name: "Zoë".into(),
                    last_name: last.into(),
                    ..Default::default()
                },
                Source::Manual,
                "Anna",
            )
            .unwrap();
    }
    let list = live.get("/api/v1/customers?q=Zander").await;
    assert_eq!(list.body["total"], 2, "{}", list.text);
    let r = live
        .get("/api/v1/export.xlsx?q=Zander&sort=name_desc")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let kunden = workbook(&r.bytes).worksheet_range("Kunden").unwrap();
    assert_eq!(kunden.height(), 1 + 2);
    for row in 1..3 {
        assert_eq!(kunden.get((row, 4)), Some(&Data::String("Zander".into())));
    }
    let r = live.get("/api/v1/export.xlsx?filter=with_bookings").await;
    let with_bookings = workbook(&r.bytes)
        .worksheet_range("Kunden")
        .unwrap()
        .height()
        - 1;
    assert!(with_bookings > 0 && with_bookings < 43, "{with_bookings}");

    // Bad filters are refused with the field named.
    let r = live.get("/api/v1/export.xlsx?filter=everyone").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body["fields"]["filter"].is_string(), "{}", r.text);
    let r = live.get("/api/v1/export.xlsx?group=Nobody").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(live.leftover_downloads().is_empty());
    live.stop().await;
}

#[tokio::test]
async fn export_streams_from_a_file_that_is_already_gone() {
    let live = Live::start().await;
    let response = live
        .open(
            live.request(Method::GET, "/api/v1/export.xlsx")
                .body(Full::default())
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    // The headers are out, the body not yet read: no temporary file under any name.
    assert!(live.leftover_downloads().is_empty());
    // The phone goes away mid-download.
    let mut body = response.into_body();
    let first = body.frame().await.unwrap().unwrap();
    assert!(first.into_data().unwrap().starts_with(b"PK"));
    drop(body);
    assert!(live.leftover_downloads().is_empty());
    // … and the server serves on.
    assert_eq!(live.get("/api/v1/stats").await.status, StatusCode::OK);
    live.stop().await;
}

#[tokio::test]
async fn one_customers_data_as_xlsx_and_json() {
    let live = Live::start().await;
    let day = today(&live.kartei);
    let customer = live
        .kartei
        .create_customer(
            &CustomerDraft {
                first_name: "Jörg".into(),
                last_name: "Weiß".into(),
                phones: vec![PhoneDraft {
                    number: "0151 23456789".into(),
                    ..Default::default()
                }],
                ..Default::default()
            },
            Source::Manual,
            "Anna",
        )
        .unwrap();
    let id = customer.id.0;
    let note = json!({"kind": "allergy", "text": "Nickel"});
    let r = live
        .post_json(&format!("/api/v1/customers/{id}/notes"), note)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

    let r = live
        .get(&format!("/api/v1/customers/{id}/export.xlsx"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        disposition(&r),
        format!(
            "attachment; filename=\"kunde-{id}-Joerg-Weiss-{day}.xlsx\"; \
             filename*=UTF-8''kunde-{id}-J%C3%B6rg-Wei%C3%9F-{day}.xlsx"
        )
    );
    let mut wb = workbook(&r.bytes);
    let kunden = wb.worksheet_range("Kunden").unwrap();
    assert_eq!(kunden.height(), 2, "just this customer");
    assert_eq!(kunden.get((1, 4)), Some(&Data::String("Weiß".into())));
    let notes = wb.worksheet_range("Notizen").unwrap();
    assert_eq!(notes.height(), 2);

    let r = live
        .get(&format!("/api/v1/customers/{id}/export.json"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    assert!(disposition(&r).contains(&format!("filename=\"kunde-{id}-Joerg-Weiss-{day}.json\"")));
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(r.body["customer"]["last_name"], "Weiß");
    assert_eq!(r.body["notes"][0]["text"], "Nickel");
    assert!(r.body["appointments"].is_array());
    assert!(r.body["photos"].is_array());
    assert!(r.body["exported_at"].is_string());

    for ext in ["xlsx", "json"] {
        let r = live
            .get(&format!("/api/v1/customers/987654/export.{ext}"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
        assert_eq!(r.body["error"], "not_found");
        assert_eq!(
            r.body["message"], "Einen Kunden Nr. 987654 gibt es nicht (mehr).",
            "{ext}"
        );
    }
    let r = live
        .get_in("/api/v1/customers/987654/export.json", "en")
        .await;
    assert_eq!(
        r.body["message"],
        "There is no customer no. 987654 (any more)."
    );
    assert!(live.leftover_downloads().is_empty());
    live.stop().await;
}

fn row(preview: &Value, line: u64) -> &Value {
    preview["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["line"] == line)
        .unwrap_or_else(|| panic!("line {line} in {preview}"))
}

#[tokio::test]
async fn import_preview_commit_chosen_rows_and_import_again() {
    let live = Live::start().await;
    let sabine = live
        .kartei
        .create_customer(
            &CustomerDraft {
                first_name: "Sabine".into(),
                last_name: "Schröder".into(),
                phones: vec![PhoneDraft {
                    number: "0170 5556667".into(),
                    ..Default::default()
                }],
                ..Default::default()
            },
            Source::Manual,
            "Anna",
        )
        .unwrap();
    let before = live.customer_count();

    let first = live.upload("Kontakte.vcf", CONTACTS.as_bytes()).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    let p = &first.body;
    assert_eq!(p["format"], "vcard");
    assert_eq!(p["filename"], "Kontakte.vcf");
    assert_eq!(
        p["counts"],
        json!({"new": 4, "merge": 1, "duplicate": 1, "invalid": 0, "with_warnings": 1})
    );
    let id = p["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 32);

    let kaethe = row(p, 1);
    assert_eq!(kaethe["name"], "Käthe Müller");
    assert_eq!(kaethe["email"], "kaethe@example.de");
    assert_eq!(kaethe["action"]["kind"], "new");
    assert_eq!(kaethe["choosable"], true);
    assert_eq!(row(p, 2)["name"], "Jörg Weiß", "quoted-printable UTF-8");
    assert_eq!(row(p, 3)["name"], "Ayşe Öztürk");
    // Franz's e-mail is broken: he is imported without it, the row warns with the value.
    let franz = row(p, 4);
    assert_eq!(franz["action"]["kind"], "new");
    assert_eq!(franz["choosable"], true);
    let warning = franz["warnings"][0].as_str().unwrap();
    assert!(
        warning.starts_with("E-Mail „franz(at)example.de“ nicht übernommen"),
        "{warning}"
    );
    assert_eq!(p["new_groups"], json!([]));
    let again = row(p, 5);
    assert_eq!(again["action"]["kind"], "duplicate_in_file");
    assert_eq!(again["action"]["line"], 2);
    assert!(
        again["action"]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("Zeile 2"),
        "{again}"
    );
    let merge = row(p, 6);
    assert_eq!(merge["action"]["kind"], "merge");
    assert_eq!(merge["action"]["into"], sabine.id.0);
    assert_eq!(merge["action"]["name"], "Sabine Schröder");
    assert_eq!(merge["action"]["adds"], json!(["E-Mail"]));
    assert_eq!(live.customer_count(), before, "a preview writes nothing");

    // The same file once more, before anything is taken.
    let second = live.upload("Kontakte.vcf", CONTACTS.as_bytes()).await;
    let second_id = second.body["id"].as_str().unwrap().to_string();
    assert_ne!(second_id, id);

    // Phones see the new and completed cards live.
    let events = live
        .open(
            live.request(Method::GET, "/api/v1/events")
                .body(Full::default())
                .unwrap(),
        )
        .await;
    let mut events = events.into_body();
    assert!(next_event(&mut events).await.contains("hello"));

    // Take Käthe, Jörg and Sabine; leave Ayşe out.
    let r = live
        .post_json(
            &format!("/api/v1/import/{id}/commit"),
            json!({"lines": [1, 2, 6]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["created"].as_array().unwrap().len(), 2);
    assert_eq!(r.body["merged"], json!([sabine.id.0]));
    assert_eq!(r.body["skipped"], 0);
    assert_eq!(live.customer_count(), before + 2);
    let mut seen = String::new();
    while !(seen.contains("customer_created") && seen.contains("customer_changed")) {
        seen.push_str(&next_event(&mut events).await);
    }

    let found = live
        .get("/api/v1/customers?q=K%C3%A4the%20M%C3%BCller")
        .await;
    assert_eq!(found.body["total"], 1, "{}", found.text);
    assert_eq!(found.body["items"][0]["email"], "kaethe@example.de");
    let found = live.get("/api/v1/customers?q=joerg%20weiss").await;
    assert_eq!(
        found.body["items"][0]["last_name"], "Weiß",
        "{}",
        found.text
    );
    let found = live.get("/api/v1/customers?q=Ay%C5%9Fe").await;
    assert_eq!(found.body["total"], 0, "left out");
    let card = live
        .get(&format!("/api/v1/customers/{}", sabine.id.0))
        .await;
    assert_eq!(card.body["customer"]["email"], "sabine@example.de");

    // The preview is gone once taken.
    let r = live
        .post_json(
            &format!("/api/v1/import/{id}/commit"),
            json!({"lines": [1]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert!(r.body["message"]
        .as_str()
        .unwrap()
        .contains("Import-Vorschau gibt es nicht mehr"));

    // The earlier second preview: everything it offered is there by now, except Ayşe.
    let r = live
        .post_json(
            &format!("/api/v1/import/{second_id}/commit"),
            json!({"lines": [1, 2, 6]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.body,
        json!({"created": [], "merged": [], "skipped": 3, "photos_added": 0, "photos_refused": 0})
    );
    assert_eq!(live.customer_count(), before + 2);

    // Importing the file again offers only Ayşe; nothing else would change.
    let third = live.upload("Kontakte.vcf", CONTACTS.as_bytes()).await;
    assert_eq!(
        third.body["counts"],
        json!({"new": 2, "merge": 0, "duplicate": 4, "invalid": 0, "with_warnings": 1}),
        "{}",
        third.text
    );
    assert_eq!(row(&third.body, 1)["action"]["kind"], "duplicate");
    assert_eq!(row(&third.body, 6)["action"]["kind"], "duplicate");

    // A line that cannot be taken is refused, and nothing is written.
    let third_id = third.body["id"].as_str().unwrap();
    let r = live
        .post_json(
            &format!("/api/v1/import/{third_id}/commit"),
            json!({"lines": [3, 5]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.body["message"].as_str().unwrap().contains("Zeile 5"));
    assert_eq!(live.customer_count(), before + 2);
    live.stop().await;
}

async fn next_event(body: &mut Incoming) -> String {
    let frame = tokio::time::timeout(Duration::from_secs(5), body.frame())
        .await
        .expect("an event within 5 s")
        .expect("the stream is open")
        .expect("a frame");
    String::from_utf8(frame.into_data().expect("data").to_vec()).expect("UTF-8")
}

#[tokio::test]
async fn bad_uploads_get_clear_messages_and_write_nothing() {
    let live = Live::start().await;
    let before = live.customer_count();

    let junk = live
        .upload("foto.bin", &[0u8, 159, 146, 150, 1, 2, 3, 0, 0, 7])
        .await;
    assert_eq!(junk.status, StatusCode::BAD_REQUEST, "{}", junk.text);
    assert!(
        junk.body["message"]
            .as_str()
            .unwrap()
            .contains("Unbekanntes Dateiformat"),
        "{}",
        junk.text
    );
    assert!(junk.body["fields"]["file"].is_string());

    let cut = &CONTACTS.as_bytes()[..CONTACTS.len() - 12];
    let r = live.upload("Kontakte.vcf", cut).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);

    let r = live.upload("leer.csv", b"").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body["message"]
        .as_str()
        .unwrap()
        .contains("keine Kontakte"));

    let english = live
        .request(Method::POST, "/api/v1/import")
        .header(header::ACCEPT_LANGUAGE, "en")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Full::new(Bytes::from(multipart(
            "x.xlsx",
            b"not a zip",
            &[],
        ))))
        .unwrap();
    let r = live.send(english).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body["message"].as_str().unwrap().contains("damaged"),
        "{}",
        r.text
    );

    // No file field at all.
    let r = live
        .send(
            live.request(Method::POST, "/api/v1/import")
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .body(Full::new(Bytes::from(format!("--{BOUNDARY}--\r\n"))))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.body["fields"]["file"].is_string());

    // Unknown preview ids.
    let r = live
        .post_json(
            "/api/v1/import/0123456789abcdef0123456789abcdef/commit",
            json!({"lines": [1]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["error"], "not_found");

    // A commit from another site is refused before it is looked at.
    let ok = live.upload("Kontakte.vcf", CONTACTS.as_bytes()).await;
    let id = ok.body["id"].as_str().unwrap();
    let cross = live
        .request(Method::POST, &format!("/api/v1/import/{id}/commit"))
        .header(header::ORIGIN, "http://evil.example")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(r#"{"lines":[1]}"#)))
        .unwrap();
    assert_eq!(live.send(cross).await.status, StatusCode::FORBIDDEN);
    assert_eq!(live.customer_count(), before);
    live.stop().await;
}

#[tokio::test]
async fn everything_needs_a_login() {
    let mut live = Live::start().await;
    let ok = live.upload("Kontakte.vcf", CONTACTS.as_bytes()).await;
    let id = ok.body["id"].as_str().unwrap().to_string();
    live.cookie = None;
    for path in [
        "/api/v1/export.xlsx",
        "/api/v1/customers/1/export.xlsx",
        "/api/v1/customers/1/export.json",
    ] {
        let r = live.get(path).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(r.body["error"], "unauthorized");
    }
    let r = live.upload("Kontakte.vcf", CONTACTS.as_bytes()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = live
        .post_json(
            &format!("/api/v1/import/{id}/commit"),
            json!({"lines": [1]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(live.kartei.store().customer_count().unwrap(), 40);
    live.stop().await;
}

#[tokio::test]
async fn only_owners_export_the_list_staff_export_one_customer() {
    let mut live = Live::start().await;
    live.kartei.add_staff("Ben", "5678", Role::Staff).unwrap();
    let r = live
        .post_json("/api/v1/login", json!({"name": "Ben", "pin": "5678"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let cookie = r.headers[header::SET_COOKIE].to_str().unwrap();
    live.cookie = Some(cookie.split(';').next().unwrap().to_string());

    let r = live
        .get_in("/api/v1/export.xlsx?q=M%C3%BCller", "de-DE")
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(
        r.body["message"],
        "Die Kundenliste exportieren kann nur ein Inhaber-Zugang. Die Daten eines einzelnen \
         Kunden lassen sich auf der Kundenkarte exportieren."
    );
    assert!(live.leftover_downloads().is_empty());
    for path in [
        "/api/v1/customers/1/export.xlsx",
        "/api/v1/customers/1/export.json",
    ] {
        assert_eq!(live.get(path).await.status, StatusCode::OK, "{path}");
    }
    live.stop().await;
}

/// 21 MB through the router (without a socket, so the early answer cannot race the rest of
/// the upload): 413 with the limit in the message, and nothing written.
#[tokio::test]
async fn oversized_upload_is_413_and_writes_nothing() {
    let t = TestApp::logged_in().await;
    let dir = &t.dir;
    let entries_before = std::fs::read_dir(dir.path()).unwrap().count();

    // A vCard file just over the limit, and a bigger one past the request limit too.
    for size in [kartei_core::import::MAX_FILE_BYTES + 1, 21 * 1024 * 1024] {
        let mut file = CONTACTS.as_bytes().to_vec();
        let filler = "NOTE:".to_string() + &"x".repeat(70) + "\r\n";
        while file.len() < size {
            file.extend_from_slice(filler.as_bytes());
        }
        file.truncate(size);
        for language in ["de", "en"] {
            let request = t
                .builder(Method::POST, "/api/v1/import")
                .header(header::ACCEPT_LANGUAGE, language)
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .body(Body::from(multipart("gross.vcf", &file, &[])))
                .unwrap();
            let response = t.call(request).await;
            assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE, "{size}");
            let body = response.body;
            assert_eq!(body["error"], "too_large");
            let expected = match language {
                "de" => "Die Datei ist zu groß (höchstens 20 MB).",
                _ => "The file is too large (at most 20 MB).",
            };
            assert_eq!(body["message"], expected);
            assert_eq!(body["fields"]["file"], expected);
        }
    }
    assert_eq!(t.kartei.store().customer_count().unwrap(), 0);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        entries_before,
        "no file written"
    );
}
