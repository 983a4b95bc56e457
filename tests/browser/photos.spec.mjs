// The photo gallery of the phone web app in headless Chromium on a phone-sized viewport, against
// a running Kartei (KARTEI_URL, staff KARTEI_STAFF / KARTEI_PIN, customer KARTEI_CUSTOMER) with
// a phone JPEG (KARTEI_PHOTO, EXIF-rotated) and a text file named .jpg (KARTEI_NOT_A_PHOTO).
// Logs in, opens the card's "Fotos" tab, uploads the photo from the library, sees its thumbnail
// (upright), the refusal of the text file, opens the full image, marks it as favourite, filters,
// deletes it. With SCREENSHOT_DIR set, saves the gallery as PNG. Exits non-zero on failure.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const { KARTEI_URL: base, KARTEI_STAFF: staff, KARTEI_PIN: pin, KARTEI_CUSTOMER: customer } = process.env;
const { KARTEI_PHOTO: photo, KARTEI_NOT_A_PHOTO: notAPhoto, SCREENSHOT_DIR: shots } = process.env;
if (!base || !staff || !pin || !customer || !photo || !notAPhoto) {
  console.error("set KARTEI_URL, KARTEI_STAFF, KARTEI_PIN, KARTEI_CUSTOMER, KARTEI_PHOTO, KARTEI_NOT_A_PHOTO");
  process.exit(2);
}
if (shots) mkdirSync(shots, { recursive: true });
function check(ok, message) {
  if (!ok) throw new Error(message);
}

const problems = [];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
let failed = false;
try {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "de-DE" });
  const page = await context.newPage();
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    // The refused upload's 400 is expected; anything else (CSP, script errors) is not.
    if (m.type() === "error" && !/Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on("dialog", (d) => d.accept());

  await page.goto(`${base}/login`);
  await page.fill("#name", staff);
  await page.fill("#pin", pin);
  await page.click("button[type=submit]");
  await page.waitForURL(`${base}/`);

  await page.goto(`${base}/customers/${customer}`);
  await page.locator("#tab-photos").waitFor();
  check((await page.textContent("#tab-photos")).includes("(0)"), "the card counts no photos yet");
  await page.click("#tab-photos");
  await page.waitForURL(/\/photos$/);
  await page.locator("#photo-empty").waitFor({ state: "visible" });
  check(await page.getAttribute("#photo-camera", "capture") === "environment", "camera input");
  check((await page.getAttribute("#photo-files", "accept")) === "image/jpeg,image/png,image/webp", "library input accepts JPEG/PNG/WebP");
  check(await page.getAttribute("#photo-files", "multiple") !== null, "several at once");

  // The photo and a text file at once: the photo's thumbnail appears, the text file is refused.
  await page.selectOption("#photo-kind", "before");
  await page.setInputFiles("#photo-files", [photo, notAPhoto]);
  const thumb = page.locator("#photo-grid img").first();
  await thumb.waitFor();
  await page.waitForFunction(() => {
    const img = document.querySelector("#photo-grid img");
    return img && img.complete && img.naturalWidth > 0;
  });
  const size = await thumb.evaluate((img) => [img.naturalWidth, img.naturalHeight]);
  check(size[0] < size[1], `thumbnail is upright (portrait): ${size}`);
  check(size[1] <= 320, `thumbnail is small: ${size}`);
  const refused = page.locator("#uploads .error");
  await refused.waitFor();
  check((await refused.textContent()).includes("kein Bild"), `text file refused: ${await refused.textContent()}`);
  check((await page.textContent("#photo-grid .kind")) === "Vorher", "kind shown");
  check((await page.textContent("#tab-photos")).includes("(1)"), "tab counts one photo");
  if (shots) await page.screenshot({ path: join(shots, "photos.png") });

  // Full size, favourite, filter.
  await page.click("#photo-grid .thumb");
  await page.locator("#photo-dialog[open]").waitFor();
  await page.waitForFunction(() => {
    const img = document.getElementById("photo-full");
    return img && img.complete && img.naturalWidth > 0;
  });
  await page.click("#photo-fav");
  await page.waitForSelector("#photo-fav[aria-pressed=true]");
  await page.fill("#photo-caption", "Ansatz vor der Farbe");
  await page.locator("#photo-caption").press("Enter");
  await page.waitForSelector('#photo-grid .thumb[aria-label="Ansatz vor der Farbe"]');
  if (shots) await page.screenshot({ path: join(shots, "photo-full.png") });
  await page.click("#photo-close");
  await page.selectOption("#photo-filter", "favourites");
  await page.waitForFunction(() => document.querySelectorAll("#photo-grid .star").length === 1);

  // Delete.
  await page.click("#photo-grid .thumb");
  await page.click("#photo-delete");
  await page.locator("#photo-empty").waitFor({ state: "visible" });
  check(await page.locator("#photo-grid li").count() === 0, "deleted");
} catch (e) {
  failed = true;
  console.error(e);
}
await browser.close();
for (const p of problems) console.error(p);
process.exit(failed || problems.length ? 1 : 0);
