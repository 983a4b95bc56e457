// Service worker: keeps the app shell and its files available offline, so a phone that lost the
// Wi-Fi can still open the app (it then shows it is offline). Customer data is never stored
// here: the open page keeps what it shows in memory, and nothing personal stays on the phone.
// The one API answer kept is the catalogue of words (GET /api/v1/words), network first.
"use strict";
const CACHE = "kartei-shell-v3";
const WORDS = "/api/v1/words";
const SHELL = ["/assets/app.js", "/assets/app.css", "/assets/login.js", "/assets/icon.svg", "/manifest.webmanifest"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k)))).then(() => self.clients.claim()));
});
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname === WORDS) {
    event.respondWith(fetch(event.request).then((response) => {
      if (response.ok) { const copy = response.clone(); caches.open(CACHE).then((c) => c.put(WORDS, copy)); }
      return response;
    }).catch(() => caches.match(WORDS).then((kept) => kept || Response.error())));
    return;
  }
  if (url.pathname.startsWith("/api/")) return;
  if (event.request.mode === "navigate") {
    // Network first; offline, the cached shell (it holds no customer data).
    event.respondWith(fetch(event.request).then((response) => {
      if (response.ok && response.headers.get("content-type")?.startsWith("text/html") && !url.pathname.startsWith("/login")) {
        const copy = response.clone();
        caches.open(CACHE).then((c) => c.put("/", copy));
      }
      return response;
    }).catch(() => caches.match("/")));
    return;
  }
  event.respondWith(fetch(event.request).then((response) => {
    if (response.ok) { const copy = response.clone(); caches.open(CACHE).then((c) => c.put(event.request, copy)); }
    return response;
  }).catch(() => caches.match(event.request)));
});
