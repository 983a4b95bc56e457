//! The real `kartei` binary as a LAN server on 127.0.0.1 with a free port and a temporary data
//! folder ([`Server`]), a minimal HTTP/1.1 client ([`http`]) to drive it, and the browser
//! scripts of `tests/browser/` run against it ([`run_browser_spec`]).

use crate::support::kartei_bin;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running `kartei … serve`, killed on drop if a test failed before stopping it.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    pub port: u16,
    /// The lines it printed on start, up to its URL.
    pub banner: Vec<String>,
    lines: mpsc::Receiver<String>,
}

impl Server {
    /// Starts `kartei --data DIR --listen 127.0.0.1:0 ARGS…` and waits until `/healthz` answers.
    pub fn start(data: &Path, args: &[&str]) -> Server {
        Server::start_on_display(data, args, None)
    }

    /// The same with `DISPLAY` set (an X server), so that the kiosk window opens too.
    pub fn start_on_display(data: &Path, args: &[&str], display: Option<&str>) -> Server {
        Server::start_with(data, args, display, None)
    }

    /// The same with at most `nofile` open file descriptors, as systemd's default gives a
    /// service without `LimitNOFILE` (1,024).
    pub fn start_with_nofile(data: &Path, args: &[&str], nofile: u64) -> Server {
        Server::start_with(data, args, None, Some(nofile))
    }

    fn start_with(
        data: &Path,
        args: &[&str],
        display: Option<&str>,
        nofile: Option<u64>,
    ) -> Server {
        let mut command = Command::new(kartei_bin());
        if let Some(n) = nofile {
            use std::os::unix::process::CommandExt;
            // SAFETY: only setrlimit, which is async-signal-safe, runs between fork and exec.
            unsafe {
                command.pre_exec(move || {
                    let limit = libc::rlimit {
                        rlim_cur: n as libc::rlim_t,
                        rlim_max: n as libc::rlim_t,
                    };
                    if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        command
            .arg("--data")
            .arg(data)
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .env_remove("KARTEI_LANG")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY");
        if let Some(display) = display {
            command.env("DISPLAY", display);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the kartei binary starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut banner = Vec::new();
        let url = loop {
            let line = lines
                .recv_timeout(Duration::from_secs(60))
                .expect("the server prints its address");
            banner.push(line.clone());
            if let Some(at) = line.find("http://127.0.0.1:") {
                break line[at..].trim().to_string();
            }
        };
        let port = url.rsplit(':').next().unwrap().parse().unwrap();
        let server = Server {
            child,
            url,
            port,
            banner,
            lines,
        };
        server.wait_ready();
        server
    }

    /// The server's process id (to read its memory from `/proc`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = try_http(self.port, "GET", "/healthz", &[], None) {
                if r.status == 200 {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "/healthz did not answer in 30 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Response {
        try_http(self.port, method, path, headers, body).expect("the server answers")
    }

    /// Sends SIGTERM and waits for a clean exit; returns the exit status and what it printed.
    /// Waits for a line of its output containing `text` (after the banner).
    pub fn wait_for_line(&self, text: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(text) => return line,
                Ok(_) => {}
                Err(_) => panic!("no line with {text:?} within {timeout:?}"),
            }
        }
    }

    pub fn stop(mut self) -> (ExitStatus, Vec<String>) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(15);
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            assert!(Instant::now() < deadline, "no exit within 15 s of SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        };
        let rest: Vec<String> = self.lines.try_iter().collect();
        (status, rest)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// One request on a fresh connection (`Connection: close`).
pub fn try_http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(body) = body {
        request.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    request.push_str("\r\n");
    if let Some(body) = body {
        request.push_str(body);
    }
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Ok(Response {
        status,
        headers,
        body: body.to_string(),
    })
}

/// Runs the browser script `tests/browser/SPEC` (playwright-core driving headless Chromium)
/// against `server`, logged in as Mia with PIN 4711, with the extra environment `env`; fails
/// the test with the script's output when it fails. `SCREENSHOT_DIR` passes through when set.
pub fn run_browser_spec(spec: &str, server: &Server, env: &[(&str, &std::ffi::OsStr)]) {
    let browser_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").is_dir(),
        "run scripts/setup (npm ci in tests/browser) first"
    );
    let mut node = std::process::Command::new("node");
    node.arg(spec)
        .current_dir(&browser_dir)
        .env("KARTEI_URL", &server.url)
        .env("KARTEI_STAFF", "Mia")
        .env("KARTEI_PIN", "4711")
        .envs(env.iter().copied());
    if std::env::var_os("SCREENSHOT_DIR").is_none() {
        node.env_remove("SCREENSHOT_DIR");
    }
    let out = node.output().expect("node runs");
    assert!(
        out.status.success(),
        "browser test {spec} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
