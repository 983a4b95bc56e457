// Backups on the owner's phone, in headless Chromium (390×844, German) at a LAN-style origin
// (http://kartei.test:PORT, mapped to loopback). With no backup yet the list shows a red line that
// leads to the statistics screen; there "Jetzt sichern" runs a real backup and the line turns
// into "letzte Sicherung … geprüft ✓"; the backup time is changed and kept. A stylist sees no
// backup panel and no warning. Nothing is wider than a 320 px screen. The audit log: a card the
// stylist opened shows up under the stylist's name on the owner's statistics screen and card.
// Retention: the review lists demo customers past 3 years, one is anonymised, 30 years lists nobody.
// Env: KARTEI_URL, KARTEI_STAFF/KARTEI_PIN (the owner), KARTEI_STYLIST/KARTEI_STYLIST_PIN.
import { chromium } from "playwright-core";

const port = new URL(process.env.KARTEI_URL).port;
const base = `http://kartei.test:${port}`;
const problems = [];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--host-resolver-rules=MAP kartei.test 127.0.0.1"],
});
const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "de-DE" };
function check(ok, message) { if (!ok) throw new Error(message); }

async function login(context, name, pin) {
  const page = await context.newPage();
  page.on("pageerror", (e) => problems.push(`${name}: page error: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error" && !/Failed to load resource/.test(m.text())) problems.push(`${name}: console: ${m.text()}`); });
  await page.goto(`${base}/login`);
  await page.fill("#name", name);
  await page.fill("#pin", pin);
  await page.click("button[type=submit]");
  await page.waitForURL(`${base}/`);
  return page;
}

let failed = false;
try {
  const owner = await login(await browser.newContext(phone), process.env.KARTEI_STAFF, process.env.KARTEI_PIN);
  const warning = owner.locator("#backup-warning");
  await warning.waitFor({ state: "visible", timeout: 10000 });
  check((await warning.textContent()).includes("noch keine geprüfte Sicherung"), `warning: ${await warning.textContent()}`);
  await warning.locator("a").click();
  await owner.waitForURL(`${base}/stats`);
  const line = owner.locator("#backup-status");
  await line.waitFor();
  check(await line.getAttribute("class") === "warning", "red before the first backup");

  await owner.click("#backup-now");
  await owner.locator("#backup-status.backup-good").waitFor({ timeout: 30000 });
  const text = await line.textContent();
  check(/^letzte Sicherung \d\d\.\d\d\.\d{4} \d\d:\d\d geprüft ✓$/.test(text), `status line: ${text}`);
  const target = await owner.locator(".backup-targets li").first().textContent();
  check(/Kunden/.test(target) && /MB/.test(target), `target line: ${target}`);

  // The backup time, changed and kept.
  await owner.fill("#backup-time", "03:15");
  await owner.click("#backup-settings button[type=submit]");
  await owner.locator("#backup-settings .hint").waitFor({ state: "visible" });
  await owner.reload();
  await owner.locator("#backup-time").waitFor();
  check(await owner.inputValue("#backup-time") === "03:15", "time kept");

  // No warning above the list any more.
  await owner.goto(`${base}/`);
  await owner.locator("#list li").first().waitFor();
  await owner.waitForTimeout(500);
  check(await owner.locator("#backup-warning").isHidden(), "no warning after a good backup");

  // 320 px: nothing sticks out of the statistics screen.
  await owner.setViewportSize({ width: 320, height: 640 });
  await owner.goto(`${base}/stats`);
  await owner.locator("#backup-status").waitFor();
  const wide = await owner.evaluate(() => [...document.querySelectorAll("#backups *")]
    .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1).map((el) => el.tagName + "#" + el.id));
  check(wide.length === 0, `wider than 320 px: ${wide}`);
  // Tap targets at least 44 px high: buttons, fields, and the label around each checkbox.
  const small = await owner.evaluate(() => [...document.querySelectorAll("#backups button, #backups input")]
    .map((el) => (el.type === "checkbox" ? el.closest("label") : el))
    .filter((el) => !el || el.getBoundingClientRect().height < 44).map((el) => (el ? el.id || el.textContent : "checkbox without label")));
  check(small.length === 0, `too small to tap: ${small}`);

  // A stylist sees neither the panel nor a warning.
  const stylist = await login(await browser.newContext(phone), process.env.KARTEI_STYLIST, process.env.KARTEI_STYLIST_PIN);
  await stylist.goto(`${base}/stats`);
  await stylist.locator("h1").waitFor();
  await stylist.waitForTimeout(500);
  check(await stylist.locator("#backup-status").count() === 0, "no backup panel for a stylist");
  const refused = await stylist.evaluate(async () => (await fetch("/api/v1/backups", { method: "POST", headers: { "X-Kartei-CSRF": "1" } })).status);
  check(refused === 403, `a stylist cannot start a backup: ${refused}`);

  // Retention: the owner's review on the statistics screen; demo customers without a visit for
  // 3 years are listed, one is anonymised after the question; 30 years lists nobody.
  await owner.setViewportSize({ width: 390, height: 844 });
  await owner.goto(`${base}/stats`);
  const retention = owner.locator("#retention h2");
  await retention.waitFor();
  check((await retention.textContent()).includes("3 Jahren"), `retention heading: ${await retention.textContent()}`);
  const dueBefore = await owner.locator("#retention-due li .retention-anonymise").count();
  if (dueBefore > 0) {
    owner.once("dialog", (d) => d.accept());
    await owner.locator("#retention-due li .retention-anonymise").first().click();
    await owner.waitForFunction((n) => document.querySelectorAll("#retention-due .retention-anonymise").length === n - 1, dueBefore);
  }
  await owner.fill("#retention-years", "30");
  await owner.click("#retention-settings button[type=submit]");
  await owner.locator("#retention h2", { hasText: "30 Jahren" }).waitFor();
  check((await owner.locator("#retention-due").textContent()).includes("Niemand"), "nobody past 30 years");

  // The audit log: the stylist opens a card and sees no log on it; the owner's statistics
  // screen lists the view under the stylist's name, and so does the card's own log.
  await stylist.goto(`${base}/`);
  await stylist.locator("#list li a").first().click();
  await stylist.locator("#data-export").waitFor();
  const cardPath = new URL(stylist.url()).pathname;
  await stylist.waitForTimeout(300);
  check(await stylist.locator("#audit-card").isHidden(), "no audit log on the card for a stylist");
  check(await stylist.evaluate(async () => (await fetch("/api/v1/audit")).status) === 403, "a stylist cannot read the log");
  await owner.setViewportSize({ width: 390, height: 844 });
  await owner.goto(`${base}/stats`);
  const entries = owner.locator("#audit-entries li");
  await entries.first().waitFor();
  const first = await entries.first().textContent();
  check(new RegExp(`${process.env.KARTEI_STYLIST} angesehen`).test(first), `newest log entry: ${first}`);
  check(await owner.locator("#audit-download").getAttribute("href") === "/api/v1/audit.xlsx", "log download");
  await owner.goto(`${base}${cardPath}`);
  await owner.locator("#audit-card summary").click();
  const cardEntry = owner.locator("#audit-card li").filter({ hasText: process.env.KARTEI_STYLIST });
  await cardEntry.first().waitFor();
  check(problems.length === 0, problems.join("\n"));
  console.log("backups and the audit log on the phone: ok");
} catch (e) {
  failed = true;
  console.error(e.stack || String(e));
  if (problems.length) console.error(problems.join("\n"));
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
