// Login: name + PIN → session cookie, then into the app.
"use strict";
const en = !navigator.language.toLowerCase().startsWith("de");
if (en) {
  const t = { name: "Name", login: "Log in", address: "Open on other phones on the Wi-Fi:" };
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t[el.dataset.i18n] || el.textContent; });
}
document.getElementById("login").addEventListener("submit", async (event) => {
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
    error.textContent = en ? "No connection to the appliance." : "Keine Verbindung zum Gerät.";
  }
  error.hidden = false;
});
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
