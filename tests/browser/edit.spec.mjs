// Edits that lose nothing, in headless Chromium on a phone (390×844, German) at a LAN-style
// origin (http://kartei.test:PORT, mapped to loopback; like http://kartei.local it is not a
// secure context). A customer with every field set is created through the form; "Bearbeiten"
// then "Speichern" without a change leaves the card as it was (same version); changing one
// field changes only that one. Two phones edit the same card: the second gets the conflict
// shown field by field (its value and the saved one), chooses, and nothing is lost. Who is
// logged in shows on every screen, a stylist cannot delete, and logout ends the session. A live
// update while a note is being typed merges into the card and leaves the note alone.
// Env: KARTEI_URL (http://127.0.0.1:PORT), KARTEI_STAFF, KARTEI_PIN. Exits non-zero on failure.
import { chromium } from "playwright-core";

const port = new URL(process.env.KARTEI_URL).port;
const base = `http://kartei.test:${port}`;
const staff = process.env.KARTEI_STAFF;
const pin = process.env.KARTEI_PIN;

const problems = [];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--host-resolver-rules=MAP kartei.test 127.0.0.1"],
});
const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "de-DE" };

function watch(page, label) {
  page.on("pageerror", (e) => problems.push(`${label}: page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/Failed to load resource/.test(m.text())) problems.push(`${label}: console: ${m.text()}`);
  });
}
function check(ok, message) {
  if (!ok) throw new Error(message);
}
function same(a, b, message) {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  if (x !== y) throw new Error(`${message}:\n  got      ${x}\n  expected ${y}`);
}
// The customer as the API has it now (read in the page, with its session).
async function saved(page, id) {
  return page.evaluate(async (id) => (await (await fetch(`/api/v1/customers/${id}`)).json()).customer, id);
}
async function logIn(page) {
  if (!page.url().endsWith("/login")) await page.goto(`${base}/login`);
  await page.fill("#name", staff);
  await page.fill("#pin", pin);
  await page.click("button[type=submit]");
  await page.waitForURL(`${base}/`);
}
// A change made on another phone (PATCH on the version saved now).
async function patchCustomer(page, id, changes) {
  const status = await page.evaluate(async ({ id, changes }) => {
    const { version } = (await (await fetch(`/api/v1/customers/${id}`)).json()).customer;
    return (await fetch(`/api/v1/customers/${id}`, { method: "PATCH", headers: { "Content-Type": "application/json", "X-Kartei-CSRF": "1" },
      body: JSON.stringify({ version, ...changes }) })).status;
  }, { id, changes });
  if (status !== 200) throw new Error(`PATCH answered ${status}`);
}
function withoutSave(c) {
  const { version, updated_at, ...rest } = c;
  return rest;
}

let failed = false;
try {
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  watch(page, "phone 1");
  await page.goto(`${base}/`);
  await page.waitForURL(/\/login$/);
  check(await page.evaluate(() => !window.isSecureContext), "kartei.test is not a secure context");
  await logIn(page);

  // A new customer with every field of the form set, two phones with their labels.
  await page.goto(`${base}/new`);
  await page.locator("form.customer-form").waitFor();
  check(await page.locator("label[for='f-first_name']").textContent() === "Vorname", "German labels");
  await page.selectOption("#f-salutation", "Frau");
  await page.fill("#f-title", "Dr.");
  await page.fill("#f-first_name", "Greta");
  await page.fill("#f-last_name", "Gründlich");
  await page.fill("#f-company", "Gründlich & Co.");
  await page.fill("[id='f-phones.0.number']", "0170 1112223");
  await page.click("#add-phone");
  await page.selectOption("[id='f-phones.1.label']", "private");
  await page.fill("[id='f-phones.1.number']", "030 4445556");
  await page.fill("#f-email", "greta@example.de");
  await page.fill("#f-birthday", "03.04.1977");
  await page.fill("[id='f-address.street']", "Lindenweg 7");
  await page.fill("[id='f-address.postal_code']", "14467");
  await page.fill("[id='f-address.city']", "Potsdam");
  await page.selectOption("#f-preferred_contact", "sms");
  await page.fill("#f-stylist", "Lena");
  const groups = await page.locator("input[name=group]").count();
  check(groups >= 2, `the groups are offered (${groups})`);
  await page.check("input[name=group][value=VIP]");
  await page.check("input[name=group][value=Stammkunde]");
  await page.check("#f-reminder_consent");
  await page.check("#f-marketing_consent");
  await page.click("#save");
  await page.waitForURL(/\/customers\/\d+$/);
  const id = Number(page.url().match(/(\d+)$/)[1]);
  const created = await saved(page, id);
  same([created.salutation, created.title, created.first_name, created.last_name, created.company, created.email,
    created.birthday, created.address.street, created.address.postal_code, created.address.city, created.preferred_contact,
    created.stylist, [...created.groups].sort(), created.reminder_consent.given, created.marketing_consent.given,
    created.phones.map((p) => [p.label, p.number])],
  ["Frau", "Dr.", "Greta", "Gründlich", "Gründlich & Co.", "greta@example.de", "1977-04-03", "Lindenweg 7", "14467", "Potsdam",
    "sms", "Lena", ["Stammkunde", "VIP"], true, true, [["mobile", "+491701112223"], ["private", "+49304445556"]]],
  "every field was saved");

  // Bearbeiten → Speichern without a change: nothing changes, not even the version.
  await page.click(`a[href='/customers/${id}/edit']`);
  await page.locator("#f-stylist").waitFor();
  check(await page.inputValue("#f-stylist") === "Lena", "the form shows the stylist");
  check(await page.inputValue("[id='f-phones.1.number']") !== "", "the form shows the second phone");
  check(await page.inputValue("[id='f-phones.1.label']") === "private", "the form shows the second phone's label");
  await page.click("#save");
  await page.waitForURL(`${base}/customers/${id}`);
  same(await saved(page, id), created, "saving the unchanged form changed nothing");

  // One field changed: only that field changes.
  await page.goto(`${base}/customers/${id}/edit`);
  await page.locator("#f-title").waitFor();
  await page.fill("#f-title", "Prof.");
  await page.click("#save");
  await page.waitForURL(`${base}/customers/${id}`);
  const afterTitle = await saved(page, id);
  same(afterTitle.version, created.version + 1, "one save, one version");
  same(withoutSave(afterTitle), withoutSave({ ...created, title: "Prof." }), "only the title changed");

  // Two phones open the same card for editing.
  const other = await context.newPage();
  watch(other, "phone 2");
  await page.goto(`${base}/customers/${id}/edit`);
  await other.goto(`${base}/customers/${id}/edit`);
  await page.locator("#f-stylist").waitFor();
  await other.locator("#f-stylist").waitFor();
  // Phone 1 saves a new stylist and a new city.
  await page.fill("#f-stylist", "Mehmet");
  await page.fill("[id='f-address.city']", "Berlin");
  await page.click("#save");
  await page.waitForURL(`${base}/customers/${id}`);
  // Phone 2, still on the old version, types another stylist and a new e-mail address.
  await other.fill("#f-stylist", "Aylin");
  await other.fill("#f-email", "greta.g@example.de");
  await other.click("#save");
  const conflict = other.locator("#conflict");
  await conflict.waitFor();
  const field = other.locator("[data-conflict=stylist]");
  check((await field.textContent()).includes("Aylin") && (await field.textContent()).includes("Mehmet"), "the conflict shows both stylists");
  check(await other.locator("[data-conflict]").count() === 1, "only the field both changed is a conflict");
  check(await other.inputValue("#f-email") === "greta.g@example.de", "what phone 2 typed is still in the form");
  check(await other.inputValue("[id='f-address.city']") === "Berlin", "the city phone 1 saved is taken over");
  await field.locator("input[value=mine]").check();
  await other.click("#conflict-take");
  await other.waitForURL(`${base}/customers/${id}`);
  const merged = await saved(other, id);
  same(withoutSave(merged), withoutSave({ ...afterTitle, stylist: "Aylin", email: "greta.g@example.de", address: { ...afterTitle.address, city: "Berlin" } }),
    "both phones' changes are saved, the chosen stylist wins");

  // The same again, this time taking the saved value: the other fields still go through.
  await page.goto(`${base}/customers/${id}/edit`);
  await other.goto(`${base}/customers/${id}/edit`);
  await page.locator("#f-stylist").waitFor();
  await other.locator("#f-stylist").waitFor();
  await page.fill("#f-stylist", "Lena");
  await page.click("#save");
  await page.waitForURL(`${base}/customers/${id}`);
  await other.fill("#f-stylist", "Jonas");
  await other.fill("#f-company", "");
  await other.click("#save");
  await other.locator("[data-conflict=stylist] input[value=theirs]").check();
  await other.click("#conflict-take");
  await other.waitForURL(`${base}/customers/${id}`);
  const final = await saved(other, id);
  same([final.stylist, final.company], ["Lena", ""], "the saved stylist was chosen, the company cleared");

  // A live update on its way when "Bearbeiten" is tapped: the card's redraw (200 ms after the
  // change) must not land on the form. A third phone runs on Playwright's clock, paused, so the
  // redraw fires exactly when the test says, after the form is up; the page counts the live
  // events its handlers have taken, so the test knows the change has arrived. (The clock is
  // the whole browser context's, hence a context of its own.)
  const thirdPhone = await browser.newContext(phone);
  const third = await thirdPhone.newPage();
  watch(third, "phone 3");
  await logIn(third);
  await third.addInitScript(() => {
    window.liveEventsTaken = 0;
    const add = EventSource.prototype.addEventListener;
    EventSource.prototype.addEventListener = function (type, listener, options) {
      return add.call(this, type, (event) => { listener(event); window.liveEventsTaken += 1; }, options);
    };
  });
  await third.clock.install();
  await third.goto(`${base}/customers/${id}`);
  await third.locator("body[data-live=on]").waitFor();
  await third.clock.runFor(1000); // the greeting's re-read of the card
  await third.locator(".master", { hasText: "Lena" }).waitFor();
  await third.clock.pauseAt(await third.evaluate(() => Date.now() + 1000));
  const taken = await third.evaluate(() => window.liveEventsTaken);
  await patchCustomer(other, id, { title: "Dr. med." });
  await third.waitForFunction((n) => window.liveEventsTaken > n, taken);
  await third.click(`a[href='/customers/${id}/edit']`);
  await third.locator("form.customer-form").waitFor();
  await third.clock.runFor(1000); // the redraw that was pending for the card
  same(await third.inputValue("#f-title"), "Dr. med.", "the form shows the card as changed");
  await third.fill("#f-company", "Gründlich GmbH");
  await third.click("#save");
  await third.waitForURL(`${base}/customers/${id}`);
  await third.locator(".master").waitFor();
  same(await third.locator("form.customer-form").count(), 0, "the card is shown after the save");
  const afterThird = await saved(third, id);
  same([afterThird.title, afterThird.company, afterThird.stylist], ["Dr. med.", "Gründlich GmbH", "Lena"], "the form that stayed saved");
  await thirdPhone.close();

  // A live update while a note is being typed: the card shows the change, the note keeps its
  // text, its kind, the focus and the cursor, and typing goes on where it was. The change is
  // made once the page says its live updates are on (a change before that is not announced to
  // it; the page reads the card again when the stream connects, but shows no "changed" note).
  await page.goto(`${base}/customers/${id}`);
  await page.selectOption("#note-kind", "preference");
  await page.click("#note-text");
  await page.keyboard.type("Mag Kaffee mit Ha", { delay: 20 });
  await page.locator("body[data-live=on]").waitFor();
  await patchCustomer(other, id, { stylist: "Sofia" });
  await page.locator(".master", { hasText: "Sofia" }).waitFor({ timeout: 10000 });
  await page.locator("#live-note:not([hidden])").waitFor();
  same(await page.inputValue("#note-text"), "Mag Kaffee mit Ha", "the half-typed note is kept");
  same(await page.inputValue("#note-kind"), "preference", "the note's kind is kept");
  same(await page.evaluate(() => document.activeElement && document.activeElement.id), "note-text", "the note keeps the focus");
  await page.keyboard.type("fermilch", { delay: 20 });
  await page.click(".note-form button[type=submit]");
  await page.locator(".note", { hasText: "Mag Kaffee mit Hafermilch" }).waitFor();

  // At 320 px nothing runs out sideways (list, card, form), and the header's links are 44 px tall.
  await page.setViewportSize({ width: 320, height: 640 });
  for (const path of ["/", `/customers/${id}`, `/customers/${id}/edit`]) {
    await page.goto(`${base}${path}`);
    await page.locator("#who", { hasText: staff }).waitFor();
    await page.waitForLoadState("networkidle");
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check(width <= 320, `${path}: the page is ${width} px wide at 320 px`);
  }
  const small = await page.evaluate(() => [...document.querySelectorAll(".bar a, #logout, .tabs a")]
    .filter((el) => el.getBoundingClientRect().height < 44).map((el) => el.textContent));
  same(small, [], "tap targets of at least 44 px");
  await page.setViewportSize({ width: 390, height: 844 });

  // Who is logged in shows on every screen; a stylist sees no delete button; logout works.
  await page.goto(`${base}/customers/${id}`);
  await page.locator("#who", { hasText: `Angemeldet: ${staff}` }).waitFor();
  check(!(await page.locator("#erase").isVisible()), "a stylist is offered no delete");
  const status = await page.evaluate(async (id) => (await fetch(`/api/v1/customers/${id}?confirm_name=x`, { method: "DELETE", headers: { "X-Kartei-CSRF": "1" } })).status, id);
  same(status, 403, "the server refuses a stylist's delete");
  await page.goto(`${base}/stats`);
  await page.locator("#who", { hasText: staff }).waitFor();
  await page.click("#logout");
  await page.waitForURL(/\/login$/);
  await page.goto(`${base}/`);
  await page.waitForURL(/\/login$/);
  await other.goto(`${base}/`);
  await other.waitForURL(/\/login$/);

  await context.close();
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
console.log(failed ? "edits: FAILED" : "edits: ok");
process.exit(failed ? 1 : 0);
