// The phone web app in headless Chromium on a phone-sized viewport, against a running Kartei
// (KARTEI_URL, with staff KARTEI_STAFF / KARTEI_PIN). Logs in, creates a customer (after a field
// error), finds them by typing the first letters, opens the card, adds an allergy note and sees
// the warning; books an appointment by picking the customer; checks live updates between two phones and the offline notice;
// an English phone gets the English words, also offline. With
// SCREENSHOT_DIR set, saves login, list, form, card and stats as PNG. Exits non-zero on failure.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const base = process.env.KARTEI_URL;
const staff = process.env.KARTEI_STAFF;
const pin = process.env.KARTEI_PIN;
const shots = process.env.SCREENSHOT_DIR;
if (!base || !staff || !pin) {
  console.error("set KARTEI_URL, KARTEI_STAFF and KARTEI_PIN");
  process.exit(2);
}
if (shots) mkdirSync(shots, { recursive: true });

const problems = [];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "de-DE" };

function watch(page, label) {
  page.on("pageerror", (e) => problems.push(`${label}: page error: ${e.message}`));
  page.on("console", (m) => {
    // CSP violations and script errors show up here.
    if (m.type() === "error" && !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(m.text())) problems.push(`${label}: console: ${m.text()}`);
  });
}
async function shot(page, name) {
  if (shots) await page.screenshot({ path: join(shots, `${name}.png`) });
}
function check(ok, message) {
  if (!ok) throw new Error(message);
}

let failed = false;
try {
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  watch(page, "phone 1");

  // Without a session: to the login page, which shows the address and its QR code.
  await page.goto(`${base}/`);
  await page.waitForURL(/\/login$/);
  check((await page.textContent(".address .url")).includes(base.replace(/\/$/, "")), "login page shows the address");
  check(await page.locator(".qr svg").count() === 1, "login page shows the QR code");
  await page.fill("#name", staff);
  await page.fill("#pin", "0000");
  await page.click("button[type=submit]");
  await page.locator("#error").waitFor({ state: "visible" });
  await shot(page, "login");
  await page.fill("#pin", pin);
  await page.click("button[type=submit]");
  await page.waitForURL(`${base}/`);
  await page.locator("#list li").first().waitFor();
  await shot(page, "list");
  // Mia is a stylist: the list export is for owners only.
  await page.locator("#import-link").waitFor();
  await page.waitForLoadState("networkidle");
  check(!(await page.locator("#export-link").isVisible()), "staff see no list export");

  // New customer: a field error first, then saved.
  await page.click("#new-customer");
  await page.waitForURL(/\/new$/);
  await page.fill("#f-first_name", "Zora");
  await page.fill("#f-last_name", "Zwiebelmann");
  await page.fill("#f-email", "zora-at-example");
  await page.fill("[id='f-phones.0.number']", "0170 5550123");
  await page.fill("#f-birthday", "17.05.1990");
  await page.click("form.customer-form button[type=submit]");
  const emailError = page.locator("[data-field=email] .field-error");
  await emailError.waitFor({ state: "visible" });
  check((await emailError.textContent()).length > 5, "the e-mail field says what is wrong");
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, "form");
  await page.fill("#f-email", "zora@example.com");
  await page.click("form.customer-form button[type=submit]");
  await page.waitForURL(/\/customers\/\d+$/);
  const cardUrl = page.url();

  // A second phone on the list sees changes live.
  const other = await context.newPage();
  watch(other, "phone 2");
  await other.goto(`${base}/`);
  await other.locator("#search").fill("Zwiebelmann");
  await other.locator("#list li", { hasText: "Zwiebelmann" }).waitFor();

  // Find by typing the first letters, one key at a time, like a person.
  await page.click("a.home");
  await page.locator("#search").waitFor();
  await page.locator("#search").pressSequentially("Zwi", { delay: 80 });
  const hit = page.locator("#list li", { hasText: "Zwiebelmann" });
  await hit.waitFor();
  await hit.locator("a").click();
  await page.waitForURL(cardUrl);
  await page.locator("h1", { hasText: "Zora Zwiebelmann" }).waitFor();

  // Allergy note → warning on the card, and on the other phone's list (live).
  await page.selectOption("#note-kind", "allergy");
  await page.fill("#note-text", "Nickel, PPD");
  await page.click(".note-form button[type=submit]");
  const warning = page.locator(".warning.allergy");
  await warning.waitFor();
  check((await warning.textContent()).includes("Nickel"), "the allergy warning names the allergy");
  await shot(page, "card");
  await other.locator("#list li", { hasText: "Zwiebelmann" }).locator(".badge.allergy").waitFor({ timeout: 10000 });

  // An appointment, picking the customer from a searchable list; it shows on the card.
  await page.click("a[href='/appointments/new']");
  await page.locator("#pick").pressSequentially("Zwieb", { delay: 60 });
  await page.locator(".pick button", { hasText: "Zwiebelmann" }).click();
  await page.locator(".picked", { hasText: "Zwiebelmann" }).waitFor();
  if (await page.locator("#service option").count() > 1) await page.selectOption("#service", { index: 1 });
  await page.click("main form button[type=submit]");
  await page.waitForURL(cardUrl);
  await page.locator("h2", { hasText: "Kommende Termine" }).waitFor();
  check(!(await page.locator("h2:has-text('Kommende Termine') + ul").textContent()).trim().startsWith("–"), "the new appointment is listed as upcoming");

  // Stats.
  await page.click("a[href='/stats']");
  await page.locator(".tiles").waitFor();
  await shot(page, "stats");

  // Offline: the list stays and the phone says it is offline.
  await context.setOffline(true);
  await other.locator("#search").fill("Zwie");
  await other.locator("#offline").waitFor({ state: "visible" });
  check(await other.locator("#list li", { hasText: "Zwiebelmann" }).count() === 1, "the list stays when offline");
  await context.setOffline(false);

  await context.close();

  // An English phone: the login page and the app come with the server's English words
  // (GET /api/v1/words in the browser's Accept-Language), also when it starts offline.
  const english = await browser.newContext({ ...phone, locale: "en-GB" });
  const en = await english.newPage();
  watch(en, "english phone");
  await en.goto(`${base}/login`);
  check((await en.textContent("button[type=submit]")).trim() === "Log in", "the login page is in English");
  await en.fill("#name", staff);
  await en.fill("#pin", pin);
  await en.click("button[type=submit]");
  await en.waitForURL(`${base}/`);
  await en.locator("#new-customer", { hasText: "+ New customer" }).waitFor();
  check(await en.getAttribute("html", "lang") === "en", "the app says it is English");
  check((await en.getAttribute("#search", "placeholder")).startsWith("Search:"), "the search box is in English");
  await en.reload();
  await en.locator("#new-customer", { hasText: "+ New customer" }).waitFor();
  await english.setOffline(true);
  await en.reload().catch(() => {});
  await en.locator("#new-customer", { hasText: "+ New customer" }).waitFor();
  await english.setOffline(false);
  await english.close();
} catch (e) {
  failed = true;
  console.error(`FAILED: ${e.stack || e}`);
} finally {
  await browser.close();
}
if (problems.length) {
  failed = true;
  console.error(problems.join("\n"));
}
console.log(failed ? "phone web app: FAILED" : "phone web app: ok");
process.exit(failed ? 1 : 0);
