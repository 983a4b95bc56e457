// axe-core on every screen of the phone app, as a stylist's phone shows it (390×844, German) at a
// LAN-style origin (http://kartei.test:PORT mapped to loopback): login, the 404 page, the list,
// a card with notes, a patch test, appointments and a photo, its photo tab, the edit form, the
// new-customer form, booking, statistics (with the owner's backups, session length, retention
// and audit panels; the session length is set there once), import, messages, mail settings and
// the newsletter. Any violation of impact critical, serious or moderate fails the run, printed
// with its rule, the elements and the help link; minor ones are listed only.
// Env: KARTEI_URL (http://127.0.0.1:PORT), KARTEI_STAFF (an owner), KARTEI_PIN. Exits non-zero
// on failure.
import { chromium } from "playwright-core";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core");
const port = new URL(process.env.KARTEI_URL).port;
const base = `http://kartei.test:${port}`;
const staff = process.env.KARTEI_STAFF;
const pin = process.env.KARTEI_PIN;
const FAILING = new Set(["critical", "serious", "moderate"]);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--host-resolver-rules=MAP kartei.test 127.0.0.1"],
});
// The app's Content-Security-Policy allows no inline script; axe is injected as one.
const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "de-DE", bypassCSP: true };

function check(ok, message) {
  if (!ok) throw new Error(message);
}
function call(page, method, path, body) {
  return page.evaluate(async ([method, path, body]) => {
    const r = await fetch(path, { method, headers: { "Content-Type": "application/json", "X-Kartei-CSRF": "1" }, body: body === null ? undefined : JSON.stringify(body) });
    return { status: r.status, body: r.status === 204 ? null : await r.json() };
  }, [method, path, body ?? null]);
}

const failures = [];
const screens = [];
// Runs axe on what the page shows now; `name` says which screen it is.
async function audit(page, name) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, targets: v.nodes.map((n) => n.target.join(" ")) }));
  });
  screens.push(name);
  for (const v of result) {
    const line = `${name}: [${v.impact}] ${v.id} – ${v.help}\n    ${v.targets.slice(0, 6).join("\n    ")}\n    ${v.helpUrl}`;
    if (FAILING.has(v.impact)) failures.push(line);
    else console.log(`minor: ${line}`);
  }
}
async function screen(page, name, path, ready) {
  await page.goto(`${base}${path}`);
  await page.locator(ready).first().waitFor();
  await audit(page, name);
}

let failed = false;
try {
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await page.waitForURL(/\/login$/);
  await page.locator("#name").waitFor();
  await audit(page, "login");
  await screen(page, "404 (no session)", "/gibt-es-nicht", "#to-start");

  await page.goto(`${base}/login`);
  await page.fill("#name", staff);
  await page.fill("#pin", pin);
  await page.click("button[type=submit]");
  await page.waitForURL(`${base}/`);

  // A card with every section filled: notes (one an allergy), a patch test, an upcoming and a
  // past appointment, and a photo.
  const customer = await call(page, "POST", "/api/v1/customers", { first_name: "Alma", last_name: "Axe", email: "alma@example.de", phones: [{ number: "0171 2345678", label: "mobile" }] });
  check(customer.status === 201, `customer: ${JSON.stringify(customer)}`);
  const id = customer.body.id;
  for (const note of [{ kind: "allergy", text: "Nickel" }, { kind: "preference", text: "Mag Tee" }]) {
    const r = await call(page, "POST", `/api/v1/customers/${id}/notes`, note);
    check(r.status === 201, `note: ${JSON.stringify(r)}`);
  }
  const today = new Date().toISOString().slice(0, 10);
  const test = await call(page, "POST", `/api/v1/customers/${id}/patch-tests`, { date: today, product: "Koleston", result: "passed" });
  check(test.status === 201 || test.status === 200, `patch test: ${JSON.stringify(test)}`);
  const service = await call(page, "POST", "/api/v1/services", { name: "Farbe", duration_minutes: 60, price_cents: 6500 });
  check(service.status === 201, `service: ${JSON.stringify(service)}`);
  const at = (days) => { const d = new Date(); d.setDate(d.getDate() + days); d.setHours(10, 0, 0, 0); return d.toISOString(); };
  for (const start of [at(3), at(-2)]) {
    const r = await call(page, "POST", "/api/v1/appointments", { customer_id: id, start, service_ids: [service.body.id], staff: staff });
    check(r.status === 201, `appointment: ${JSON.stringify(r)}`);
  }
  const photo = await page.evaluate(async (id) => {
    const canvas = document.createElement("canvas");
    canvas.width = 64; canvas.height = 48;
    const g = canvas.getContext("2d");
    g.fillStyle = "#7a3b69"; g.fillRect(0, 0, 64, 48);
    const blob = await new Promise((done) => canvas.toBlob(done, "image/jpeg", 0.9));
    const form = new FormData();
    form.append("kind", "after");
    form.append("file", blob, "nachher.jpg");
    const r = await fetch(`/api/v1/customers/${id}/photos`, { method: "POST", body: form, headers: { "X-Kartei-CSRF": "1" } });
    return r.status;
  }, id);
  check(photo === 201, `photo upload: ${photo}`);

  await screen(page, "list", "/", "#list li");
  await screen(page, "card", `/customers/${id}`, "#upcoming li, #past li");
  check(await page.locator("#notes .note").count() >= 2, "the card shows its notes");
  check(await page.locator("#patch-status").count() === 1, "the card shows the patch test");
  await screen(page, "card photos", `/customers/${id}/photos`, "#photo-grid li");
  await screen(page, "edit form", `/customers/${id}/edit`, "form.customer-form");
  await screen(page, "new customer", "/new", "form.customer-form");
  await screen(page, "booking", "/appointments/new", "#start");
  await screen(page, "statistics, backups, settings", "/stats", "#session-settings");
  // The owner's session length: picked and saved on this screen, and what the server keeps.
  check(await page.inputValue("#session-minutes") === "720", "12 hours to start with");
  await page.selectOption("#session-minutes", "30");
  await page.click("#session-save");
  await page.locator("#session-saved", { hasText: "30 Minuten" }).waitFor();
  const kept = await call(page, "GET", "/api/v1/settings/session");
  check(kept.body.minutes === 30, `session length kept: ${JSON.stringify(kept.body)}`);
  await audit(page, "statistics after saving the session length");
  await screen(page, "import", "/import", "#import-file");
  await screen(page, "messages", "/messages", "#unassigned");
  await screen(page, "mail settings", "/mail", "#mail-form");
  await screen(page, "newsletter", "/newsletter", "#newsletter-form");
  await screen(page, "404", "/gibt-es-nicht", "#to-start");
  await context.close();
} catch (e) {
  failed = true;
  console.error(e);
}
await browser.close();
console.log(`axe ${require("axe-core/package.json").version} on ${screens.length} screens: ${screens.join(", ")}`);
if (failures.length) {
  console.error(`${failures.length} violations:\n${failures.join("\n")}`);
  failed = true;
}
if (failed) process.exit(1);
console.log("a11y: ok");
