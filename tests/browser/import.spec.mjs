// Contact import and Excel downloads of the phone web app in headless Chromium on a phone-sized
// viewport, against a running Kartei (KARTEI_URL, staff KARTEI_STAFF / KARTEI_PIN) with a vCard
// file written by the test (KARTEI_VCF: Käthe Müller, Jörg Weiß, Ayşe Öztürk, Franz Fehler whose
// broken e-mail address is left out with a warning, a card without any name (invalid), one
// contact that completes the existing card of Sabine Schröder). Logs in, opens the import
// from the list, uploads the file, checks the grouped preview, leaves Ayşe out, imports, finds
// Käthe by typing, and downloads the list and one customer's data (checking the suggested file
// names). With SCREENSHOT_DIR set, saves the preview and the result as PNG. Exits non-zero on
// failure.
import { chromium } from "playwright-core";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const { KARTEI_URL: base, KARTEI_STAFF: staff, KARTEI_PIN: pin, KARTEI_VCF: vcf, SCREENSHOT_DIR: shots } = process.env;
if (!base || !staff || !pin || !vcf) {
  console.error("set KARTEI_URL, KARTEI_STAFF, KARTEI_PIN and KARTEI_VCF");
  process.exit(2);
}
if (shots) mkdirSync(shots, { recursive: true });
function check(ok, message) {
  if (!ok) throw new Error(message);
}
const pad = (n) => String(n).padStart(2, "0");
const now = new Date();
const today = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;

const problems = [];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
let failed = false;
try {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "de-DE", acceptDownloads: true });
  const page = await context.newPage();
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`);
  });

  await page.goto(`${base}/login`);
  await page.fill("#name", staff);
  await page.fill("#pin", pin);
  await page.click("button[type=submit]");
  await page.waitForURL(`${base}/`);
  await page.locator("#list li").first().waitFor();

  // From the list to the import.
  await page.click("#import-link");
  await page.waitForURL(`${base}/import`);
  const accept = await page.getAttribute("#import-file", "accept");
  check(accept.includes(".vcf") && accept.includes(".csv") && accept.includes(".xlsx"), `accept: ${accept}`);
  await page.setInputFiles("#import-file", vcf);
  await page.locator("#import-preview").waitFor();

  // Grouped and labelled.
  const counts = await page.textContent("#import-counts");
  check(counts.includes("4 neu · 1 ergänzen · 1 doppelt · 1 ungültig"), `counts: ${counts}`);
  const group = async (id) => (await page.textContent(`#import-${id}`)) || "";
  const fresh = await group("new");
  check(fresh.startsWith("Neu (4)") && fresh.includes("Käthe Müller") && fresh.includes("Jörg Weiß") && fresh.includes("Ayşe Öztürk"), `new: ${fresh}`);
  // One bad value never drops a contact: Franz comes without his e-mail, the row says so.
  const franz = (await page.locator("#import-new .import-row", { hasText: "Franz Fehler" }).textContent()) || "";
  check(franz.includes("⚠") && franz.includes("franz(at)example.de"), `Franz's warning: ${franz}`);
  const hint = (await page.textContent("#import-warnings")) || "";
  check(hint.startsWith("1 Kontakt mit Hinweis "), `warnings hint: ${hint}`);
  const merge = await group("merge");
  check(/Ergänzt Karte Nr\. \d+ \(Sabine Schröder\): \+ E-Mail/.test(merge), `merge: ${merge}`);
  const duplicate = await group("duplicate");
  check(duplicate.includes("Zeile 2"), `duplicate in file: ${duplicate}`);
  const invalid = await group("invalid");
  check(invalid.includes("Ungültig (1)") && invalid.includes("Zeile 7") && invalid.includes("Vor- oder Nachnamen"), `invalid: ${invalid}`);
  check(await page.locator("#import-invalid input[type=checkbox]").count() === 0, "invalid rows cannot be ticked");
  check(await page.locator("#import-duplicate input[type=checkbox]").count() === 0, "duplicates cannot be ticked");
  const ticked = await page.locator("#import-preview input[type=checkbox]:checked").count();
  check(ticked === 5, `new and merge rows preselected: ${ticked}`);
  check((await page.textContent("#import-commit")).includes("(5)"), "button counts the selection");
  check(await page.locator(".import-more:visible").count() === 0, "no 'show more' under short groups");

  // Leave Ayşe out.
  await page.getByLabel("Ayşe Öztürk").uncheck();
  check((await page.textContent("#import-commit")).includes("(4)"), "four left");
  if (shots) await page.screenshot({ path: join(shots, "import-preview.png"), fullPage: true });
  await page.click("#import-commit");
  const result = page.locator("#import-result");
  await result.waitFor();
  const summary = await result.textContent();
  check(summary.includes("3 neu angelegt, 1 ergänzt, 0 übersprungen."), `result: ${summary}`);
  if (shots) await page.screenshot({ path: join(shots, "import-result.png") });

  // Find an imported customer by typing.
  await page.click("#import-result a[href='/']");
  await page.waitForURL(`${base}/`);
  await page.fill("#search", "Käth");
  await page.locator("#list .name", { hasText: "Müller, Käthe" }).waitFor();
  await page.fill("#search", "Ayşe");
  await page.waitForFunction(() => document.getElementById("count").textContent.startsWith("0 "));

  // The Excel download of the list follows the search box.
  await page.fill("#search", "Müller");
  await page.waitForFunction(() => document.getElementById("export-link").getAttribute("href") === "/api/v1/export.xlsx?q=M%C3%BCller");
  if (shots) await page.screenshot({ path: join(shots, "list-export.png") });
  const [listDownload] = await Promise.all([page.waitForEvent("download"), page.click("#export-link")]);
  check(listDownload.suggestedFilename() === `kunden-${today}.xlsx`, `list download: ${listDownload.suggestedFilename()}`);
  check(await page.locator("#export-note").isVisible(), "the list says the file is being made");
  const listFile = readFileSync(await listDownload.path());
  check(listFile.subarray(0, 2).toString() === "PK", "an xlsx (zip) file");

  // One customer's data (GDPR) from the card.
  await page.click("#list a.item >> text=Müller, Käthe");
  await page.locator("#data-export").waitFor();
  if (shots) await page.screenshot({ path: join(shots, "card-export.png") });
  const [jsonDownload] = await Promise.all([page.waitForEvent("download"), page.click("#data-export-json")]);
  const jsonName = jsonDownload.suggestedFilename();
  check(new RegExp(`^kunde-\\d+-Käthe-Müller-${today}\\.json$`).test(jsonName), `json download: ${jsonName}`);
  const data = JSON.parse(readFileSync(await jsonDownload.path(), "utf8"));
  check(data.customer.last_name === "Müller" && data.customer.email === "kaethe@example.de", "the customer's data");
  const [xlsxDownload] = await Promise.all([page.waitForEvent("download"), page.click("#data-export-xlsx")]);
  check(/^kunde-\d+-Käthe-Müller-\d{4}-\d{2}-\d{2}\.xlsx$/.test(xlsxDownload.suggestedFilename()), `xlsx download: ${xlsxDownload.suggestedFilename()}`);
  check(await page.locator("h1", { hasText: "Käthe Müller" }).count() === 1, "still on the card after the downloads");

  // A long file (an old system's export): rows come a page at a time, the choice covers all.
  let cards = "";
  for (let i = 0; i < 450; i++) {
    cards += `BEGIN:VCARD\r\nVERSION:3.0\r\nN:Viele${i};Jana;;;\r\nTEL;type=CELL:0170 ${String(7000000 + i)}\r\nEND:VCARD\r\n`;
  }
  await page.goto(`${base}/import`);
  await page.setInputFiles("#import-file", { name: "viele.vcf", mimeType: "text/vcard", buffer: Buffer.from(cards) });
  await page.locator("#import-preview").waitFor();
  const newRows = page.locator("#import-new .import-row");
  check(await newRows.count() === 200, `first page: ${await newRows.count()}`);
  check((await page.textContent("#import-commit")).includes("(450)"), "all 450 chosen");
  const more = page.locator("#import-new .import-more");
  check((await more.textContent()) === "250 weitere anzeigen", `more: ${await more.textContent()}`);
  await more.click();
  await more.click();
  check(await newRows.count() === 450, `all rows: ${await newRows.count()}`);
  check(!(await more.isVisible()), "nothing more to show");
  check(await page.locator("#import-new input[type=checkbox]:checked").count() === 450, "later pages come ticked");
} catch (e) {
  failed = true;
  console.error(e);
}
await browser.close();
for (const p of problems) console.error(p);
process.exit(failed || problems.length ? 1 : 0);
