//! What the server's router tests share: a card file with the owner Anna, the router driven
//! without a socket (`app(state)` + `oneshot`), a logged-in session, replies read whole,
//! multipart bodies for uploads, and the server on a real loopback port ([`Served`]).

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use kartei_core::model::Role;
use kartei_core::Kartei;
use kartei_server::{app, AppState, ServerConfig};
use serde_json::{json, Value};
use tower::ServiceExt;

pub const BOUNDARY: &str = "----kartei-test-boundary";

pub struct TestApp {
    pub app: Router,
    pub kartei: Kartei,
    pub cookie: Option<String>,
    pub dir: tempfile::TempDir,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
    /// The body as JSON (`Null` when it is not).
    pub body: Value,
    pub text: String,
}

impl TestApp {
    /// An empty card file with the owner Anna (PIN 1234), served at 192.168.1.20:8080.
    pub fn new() -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let (kartei, _) = Kartei::open(dir.path()).unwrap();
        kartei.add_staff("Anna", "1234", Role::Owner).unwrap();
        let config = ServerConfig {
            public_url: "http://192.168.1.20:8080".into(),
            ..ServerConfig::default()
        };
        TestApp {
            app: app(AppState::new(kartei.clone(), config)),
            kartei,
            cookie: None,
            dir,
        }
    }

    /// Logs `name` in with `pin` and returns the session cookie (`kartei_session=…`).
    pub async fn login_as(&self, name: &str, pin: &str) -> String {
        let r = self
            .send(
                Method::POST,
                "/api/v1/login",
                Some(json!({"name": name, "pin": pin})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let cookie = r.headers[header::SET_COOKIE].to_str().unwrap();
        cookie.split(';').next().unwrap().to_string()
    }

    /// [`TestApp::new`] with Anna logged in; checks the session cookie's attributes.
    pub async fn logged_in() -> TestApp {
        let mut t = TestApp::new();
        let r = t
            .send(
                Method::POST,
                "/api/v1/login",
                Some(json!({"name": "Anna", "pin": "1234"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let cookie = r.headers[header::SET_COOKIE].to_str().unwrap().to_string();
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Strict"), "{cookie}");
        assert!(cookie.contains("Max-Age="), "{cookie}");
        t.cookie = Some(cookie.split(';').next().unwrap().to_string());
        t
    }

    /// A request from the app's own origin with the session (if any), body still to set.
    pub fn builder(&self, method: Method, path: &str) -> axum::http::request::Builder {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "192.168.1.20:8080")
            .header("x-kartei-csrf", "1");
        if let Some(c) = &self.cookie {
            b = b.header(header::COOKIE, c);
        }
        b
    }

    /// A request with a JSON body, or none.
    pub fn json_request(&self, method: Method, path: &str, body: Option<Value>) -> Request<Body> {
        let b = self.builder(method, path);
        match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string()))
                .unwrap(),
            None => b.body(Body::empty()).unwrap(),
        }
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.call(self.json_request(method, path, body)).await
    }

    /// A request with a body of any type.
    pub async fn send_body(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        let request = self
            .builder(method, path)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap();
        self.call(request).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    /// A multipart upload of `file` (field `file`) with extra text `fields`.
    pub async fn upload_to(
        &self,
        path: &str,
        filename: &str,
        file: &[u8],
        fields: &[(&str, &str)],
    ) -> Reply {
        let request = self
            .builder(Method::POST, path)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(multipart(filename, file, fields)))
            .unwrap();
        self.call(request).await
    }

    pub async fn call(&self, request: Request<Body>) -> Reply {
        read_reply(self.app.clone().oneshot(request).await.unwrap()).await
    }
}

/// A response read whole (from the router or from a real socket).
pub async fn read_reply<B>(response: axum::http::Response<B>) -> Reply
where
    B: axum::body::HttpBody,
    B::Error: std::fmt::Debug,
{
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        text: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
    }
}

/// A `multipart/form-data` body (boundary [`BOUNDARY`]): the text `fields`, then `file`.
pub fn multipart(filename: &str, file: &[u8], fields: &[(&str, &str)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// The server as `kartei serve` runs it (`kartei_server::run`: the accept loop, its timeouts and
/// layers), on a free loopback port, with an HTTP client: for the tests that need real HTTP
/// (compression, the event stream, downloads, the clock moving under live sessions).
pub struct Served {
    pub base: String,
    pub client: hyper_util::client::legacy::Client<
        hyper_util::client::legacy::connect::HttpConnector,
        http_body_util::Full<hyper::body::Bytes>,
    >,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Served {
    pub async fn start(kartei: Kartei) -> Served {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let config = ServerConfig {
            public_url: base.clone(),
            ..ServerConfig::default()
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(kartei_server::run(
            listener,
            kartei,
            config,
            None,
            async move {
                let _ = stopped.await;
            },
        ));
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http();
        Served {
            base,
            client,
            stop: Some(stop),
            server,
        }
    }

    /// Logs `name` in with `pin` over HTTP, as the phone does, and returns the session cookie
    /// (`kartei_session=…`).
    pub async fn login(&self, name: &str, pin: &str) -> String {
        let request = Request::builder()
            .method(Method::POST)
            .uri(format!("{}/api/v1/login", self.base))
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-kartei-csrf", "1")
            .body(http_body_util::Full::from(
                json!({"name": name, "pin": pin}).to_string(),
            ))
            .unwrap();
        let r = read_reply(self.client.request(request).await.unwrap()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let cookie = r.headers[header::SET_COOKIE].to_str().unwrap();
        cookie.split(';').next().unwrap().to_string()
    }

    /// Stops the server and waits until it has shut down cleanly.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.server.await.unwrap().unwrap();
    }
}
