// Messages on a phone (390×844, German) at a LAN-style origin (http://kartei.test:PORT), with
// real mail servers (Dovecot, aiosmtpd) the test harness started. The owner sets up mail in the
// phone's settings (trusting the test CA through the certificate field; the password never
// comes back), "Testnachricht senden" reports every step as good, a message written from a card
// is sent; then the harness delivers the customer's reply (In-Reply-To = the sent mail's
// Message-ID) and it must appear on the right card within 2 s with an unread mark and the
// header's badge, its text escaped. New buttons are at least 44 px, no sideways scroll at 320 px.
// Protocol with the harness: this script prints `SENT` when the message is out and waits for a
// line `DELIVERED` on stdin.
// Env: KARTEI_URL, KARTEI_STAFF, KARTEI_PIN, MAIL_ADDRESS, MAIL_USER, MAIL_PASSWORD, SMTP_PORT,
// IMAP_PORT, MAIL_CA_FILE. Exits non-zero on failure.
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

const port = new URL(process.env.KARTEI_URL).port;
const base = `http://kartei.test:${port}`;
const env = process.env;
const lines = createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => lines.once("line", resolve));

const problems = [];
const browser = await chromium.launch({
  executablePath: env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--host-resolver-rules=MAP kartei.test 127.0.0.1"],
});
const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "de-DE" };
function check(ok, message) { if (!ok) throw new Error(message); }
function call(page, method, path, body) {
  return page.evaluate(async ([method, path, body]) => {
    const r = await fetch(path, { method, headers: { "Content-Type": "application/json", "X-Kartei-CSRF": "1" }, body: body === null ? undefined : JSON.stringify(body) });
    return { status: r.status, body: r.status === 204 ? null : await r.json() };
  }, [method, path, body ?? null]);
}
async function tapTargets(page, selectors) {
  for (const sel of selectors) {
    // A live redraw may be under way: the target must be (or become) visible within 15 s.
    const target = page.locator(sel).first();
    await target.waitFor({ state: "visible", timeout: 15000 }).catch(() => {});
    const box = await target.boundingBox();
    const why = box ? "" : ` (${await target.evaluate((el) => el.outerHTML.slice(0, 300)).catch((e) => e.message)}; view: ${await page.evaluate(() => document.querySelector("#view")?.textContent.slice(0, 300))})`;
    check(box && box.height >= 44 && box.width >= 44, `${sel} is at least 44 px: ${JSON.stringify(box)}${why}`);
  }
}
async function noSidewaysScroll(page, what) {
  await page.setViewportSize({ width: 320, height: 700 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= 320, `${what}: no sideways scroll at 320 px (scrollWidth ${wide})`);
  await page.setViewportSize(phone.viewport);
}

let failed = false;
try {
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error" && !/Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`); });
  page.on("dialog", (d) => d.accept());
  await page.goto(`${base}/`);
  await page.waitForURL(/\/login$/);
  await page.fill("#name", env.KARTEI_STAFF);
  await page.fill("#pin", env.KARTEI_PIN);
  await page.click("button[type=submit]");
  await page.waitForURL(`${base}/`);

  const joerg = await call(page, "POST", "/api/v1/customers", { first_name: "Jörg", last_name: "Brief", email: "joerg@example.org" });
  check(joerg.status === 201, `customer: ${JSON.stringify(joerg)}`);
  const other = await call(page, "POST", "/api/v1/customers", { first_name: "Greta", last_name: "Anders", email: "greta@example.org" });
  const id = joerg.body.id;

  // Mail settings in the phone: ✉ → Nachrichten → E-Mail-Einstellungen.
  await page.click("#nav-messages");
  await page.waitForURL(`${base}/messages`);
  await page.click("#link-mail");
  await page.waitForURL(`${base}/mail`);
  await page.fill("#mail-address", env.MAIL_ADDRESS);
  await page.fill("#mail-sender_name", "Salon Sonne");
  await page.fill("#mail-smtp_host", "127.0.0.1");
  await page.fill("#mail-smtp_port", env.SMTP_PORT);
  await page.selectOption("#mail-smtp_security", "start_tls");
  await page.fill("#mail-imap_host", "127.0.0.1");
  await page.fill("#mail-imap_port", env.IMAP_PORT);
  await page.selectOption("#mail-imap_security", "tls");
  await page.fill("#mail-user", env.MAIL_USER);
  await page.fill("#mail-password", env.MAIL_PASSWORD);
  await page.fill("#mail-extra_ca_pem", readFileSync(env.MAIL_CA_FILE, "utf8"));
  await page.click("#mail-save");
  await page.locator("#mail-form .hint", { hasText: "gespeichert" }).waitFor();
  check((await page.inputValue("#mail-password")) === "", "the password field is empty after saving");
  const settings = await call(page, "GET", "/api/v1/mail/settings");
  check(settings.body.password === "" && settings.body.password_set === true, `no password comes back: ${JSON.stringify(settings.body.password)}`);
  // An own template, added in the phone's settings, is saved and offered on the card.
  await page.click("#mail-template-new");
  await page.fill("#mail-template-name", "Farbberatung");
  await page.fill("#mail-template-subject", "Ihre Farbe bei {Salon}");
  await page.fill("#mail-template-body", "Hallo {Vorname}, wir haben eine Idee für Ihre Farbe.");
  const [put] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/v1/mail/settings") && r.request().method() === "PUT"),
    page.click("#mail-save"),
  ]);
  check(put.status() === 200, `settings with the new template saved: ${put.status()}`);
  const own = (await call(page, "GET", "/api/v1/mail/settings")).body.templates.find((x) => x.name === "Farbberatung");
  check(own && own.key === "own_1" && own.subject === "Ihre Farbe bei {Salon}", `the own template is stored with a key: ${JSON.stringify(own)}`);
  check(await page.isHidden("#mail-template-remove") === false, "an own template can be deleted");
  await page.selectOption("#mail-template", { label: "Terminerinnerung" });
  check(await page.isHidden("#mail-template-remove"), "the reminder's template cannot be deleted");
  await tapTargets(page, ["#mail-save", "#mail-test", "#nav-messages", "#mail-template-new"]);
  await noSidewaysScroll(page, "mail settings");
  await page.click("#mail-test");
  await page.locator("#mail-test-steps li").nth(3).waitFor({ timeout: 30000 });
  const steps = await page.locator("#mail-test-steps li").allTextContents();
  check((await page.locator("#mail-test-steps li.ok").count()) === 4, `every step of the test is good: ${steps.join(" | ")}`);

  // A message from the card.
  await page.goto(`${base}/customers/${id}`);
  await page.locator("h1", { hasText: "Jörg Brief" }).waitFor();
  await page.locator("#message-template option", { hasText: "Terminbestätigung" }).waitFor({ state: "attached" });
  await page.locator("#message-template option", { hasText: "Farbberatung" }).waitFor({ state: "attached" });
  await page.selectOption("#message-template", "next_de");
  await page.waitForFunction(() => document.querySelector("#message-text").value.startsWith("Hallo Jörg"));
  await page.fill("#message-subject", "Ihr Termin am Dienstag");
  await page.fill("#message-text", "Hallo Jörg,\npasst Ihnen Dienstag um 10 Uhr?\nViele Grüße");
  await tapTargets(page, ["#message-send", "#consent-request", "#message-template"]);
  await page.click("#message-send");
  const mine = page.locator("#history .message.out", { hasText: "Ihr Termin am Dienstag" });
  await mine.waitFor();
  await mine.locator(".delivery.sent").waitFor({ timeout: 15000 });
  await noSidewaysScroll(page, "card with messages");

  // Half-typed text survives the live update the reply brings.
  await page.fill("#message-subject", "Noch eine Frage");
  await page.fill("#message-text", "Halb getippt");
  console.log("SENT");
  check((await nextLine()) === "DELIVERED", "the harness delivered the reply");
  const delivered = Date.now();
  const reply = page.locator("#history .message.in.unread", { hasText: "Dienstag passt" });
  await reply.waitFor({ timeout: 2000 });
  const took = Date.now() - delivered;
  console.error(`reply on the card after ${took} ms`);
  check(took <= 2000, `the reply shows within 2 s (${took} ms)`);
  check((await reply.locator(".unread-mark").count()) === 1, "the reply has an unread mark");
  check((await reply.locator("script, b").count()) === 0, "the mail text is not parsed as HTML");
  check((await reply.locator(".text").textContent()).includes("<b>nicht fett</b>"), "the mail's markup shows as text");
  await page.locator("#unread-badge", { hasText: "1" }).waitFor({ timeout: 2000 });
  check((await page.inputValue("#message-subject")) === "Noch eine Frage", "the half-typed subject is kept");
  check((await page.inputValue("#message-text")) === "Halb getippt", "the half-typed text is kept");
  // Only the right card.
  const greta = await call(page, "GET", `/api/v1/customers/${other.body.id}/messages`);
  check(greta.body.length === 0, `nothing on the other card: ${JSON.stringify(greta.body)}`);
  // Opening the card again reads it: the badge goes.
  await page.reload();
  await page.locator("#history .message.in", { hasText: "Dienstag passt" }).waitFor();
  await page.waitForFunction(() => document.getElementById("unread-badge").hidden, null, { timeout: 3000 });
  if (env.SCREENSHOT_DIR) await page.screenshot({ path: `${env.SCREENSHOT_DIR}/phone-messages.png`, fullPage: true });
  check(problems.length === 0, problems.join("\n"));
} catch (e) {
  failed = true;
  console.error(e.stack || String(e));
  if (problems.length) console.error(problems.join("\n"));
} finally {
  lines.close();
  await browser.close();
}
process.exit(failed ? 1 : 0);
