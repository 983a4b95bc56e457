// Login: name + PIN → session cookie, then into the app. The page comes in the request's
// language with its words from the server's catalogue (pages.rs), so nothing is translated here.
"use strict";
const form = document.getElementById("login");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = document.getElementById("error");
  error.hidden = true;
  try {
    const response = await fetch("/api/v1/login", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Kartei-CSRF": "1" },
      body: JSON.stringify({
        name: document.getElementById("name").value,
        pin: document.getElementById("pin").value,
      }),
    });
    if (response.ok) {
      location.href = "/";
      return;
    }
    const body = await response.json().catch(() => ({}));
    error.textContent = body.message || response.statusText;
  } catch (e) {
    error.textContent = form.dataset.noConnection;
  }
  error.hidden = false;
});
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
