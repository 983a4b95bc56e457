// The card's notes, patch tests and appointments on a phone (390×844, German) at a LAN-style
// origin (http://kartei.test:PORT mapped to loopback). A note is edited, pinned (it moves to the
// top) and deleted after a question; a colour formula is written in its own form and brings the
// patch-test warning, which goes away once a passed test is recorded; an upcoming appointment
// is moved to a new time and then cancelled, a past one marked as a no-show (each after a
// question). A live update while a note editor, the patch-test form and a move are open leaves
// all three as they were. The new parts have tap targets of at least 44 px and no sideways
// scrolling at 320 px. A colour formula of the demo data (written long ago) says it is locked
// instead of offering "Bearbeiten", and can still be pinned.
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

function check(ok, message) {
  if (!ok) throw new Error(message);
}
function same(a, b, message) {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  if (x !== y) throw new Error(`${message}:\n  got      ${x}\n  expected ${y}`);
}
// A request with the page's session, as the app sends it.
function call(page, method, path, body) {
  return page.evaluate(async ([method, path, body]) => {
    const r = await fetch(path, { method, headers: { "Content-Type": "application/json", "X-Kartei-CSRF": "1" }, body: body === null ? undefined : JSON.stringify(body) });
    return { status: r.status, body: r.status === 204 ? null : await r.json() };
  }, [method, path, body ?? null]);
}
// The questions the page asks (confirm), accepted; the texts are kept to check them.
const questions = [];

let failed = false;
try {
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error" && !/Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`); });
  page.on("dialog", (d) => { questions.push(d.message()); d.accept(); });
  await page.goto(`${base}/`);
  await page.waitForURL(/\/login$/);
  await page.fill("#name", staff);
  await page.fill("#pin", pin);
  await page.click("button[type=submit]");
  await page.waitForURL(`${base}/`);

  // A customer with a service booked in two days and one yesterday.
  const customer = await call(page, "POST", "/api/v1/customers", { first_name: "Karla", last_name: "Kartenprobe" });
  same(customer.status, 201, "customer created");
  const id = customer.body.id;
  const service = await call(page, "POST", "/api/v1/services", { name: "Schnitt kurz", duration_minutes: 45, price_cents: 3900 });
  same(service.status, 201, "service created");
  const at = (days, hour) => { const d = new Date(); d.setDate(d.getDate() + days); d.setHours(hour, 0, 0, 0); return d.toISOString(); };
  for (const start of [at(2, 10), at(-1, 10)]) {
    const r = await call(page, "POST", "/api/v1/appointments", { customer_id: id, start, service_ids: [service.body.id], staff: "Lena" });
    same(r.status, 201, "appointment booked");
  }
  await page.goto(`${base}/customers/${id}`);
  await page.locator("h1", { hasText: "Karla Kartenprobe" }).waitFor();

  // Two notes; edit the first one.
  await page.fill("#note-text", "Mag Tee");
  await page.click(".note-form button[type=submit]");
  await page.locator(".note", { hasText: "Mag Tee" }).waitFor();
  await page.selectOption("#note-kind", "preference");
  await page.fill("#note-text", "Zweite Notiz");
  await page.click(".note-form button[type=submit]");
  await page.locator(".note", { hasText: "Zweite Notiz" }).waitFor();
  same(await page.inputValue("#note-text"), "", "the new-note form is empty after saving");
  const tea = page.locator("#notes .note", { hasText: "Mag Tee" });
  await tea.locator(".note-edit").click();
  const editor = page.locator("#notes .note.editing");
  await editor.waitFor();
  same(await editor.locator("textarea[id$='-text']").inputValue(), "Mag Tee", "the editor holds the note");
  await editor.locator("textarea[id$='-text']").fill("Mag Tee mit Zitrone");
  await editor.locator("button[type=submit]").click();
  await page.locator("#notes .note", { hasText: "Mag Tee mit Zitrone" }).waitFor();
  check(await page.locator("#notes .note.editing").count() === 0, "the editor closes after saving");

  // Pin it: it moves to the top and says so; the server has it pinned.
  same(await page.locator("#notes .note").first().textContent().then((x) => x.includes("Zweite Notiz")), true, "newest note first before pinning");
  await page.locator("#notes .note", { hasText: "Mag Tee mit Zitrone" }).locator(".note-pin").click();
  await page.locator("#notes .note.pinned", { hasText: "Mag Tee mit Zitrone" }).waitFor();
  check((await page.locator("#notes .note").first().textContent()).includes("Angeheftet"), "the pinned note is first and says so");
  same(await page.locator("#notes .note.pinned .note-pin").textContent(), "Loslösen", "a pinned note offers to unpin");
  let card = (await call(page, "GET", `/api/v1/customers/${id}`)).body;
  same([card.notes[0].text, card.notes[0].pinned], ["Mag Tee mit Zitrone", true], "pinned on the server");

  // Delete the other note, after a question.
  await page.locator("#notes .note", { hasText: "Zweite Notiz" }).locator(".note-delete").click();
  await page.locator("#notes .note", { hasText: "Zweite Notiz" }).waitFor({ state: "detached" });
  same(questions.pop(), "Diese Notiz löschen?", "deleting asks first");

  // A colour formula in its own form; with no patch test the card warns.
  await page.selectOption("#note-kind", "colour_formula");
  await page.locator("#note-products").waitFor({ state: "visible" });
  await page.fill("#note-products", "Koleston 7/1 30 g + 6/0 30 g");
  await page.fill("#note-developer", "6 %");
  await page.fill("#note-processing_minutes", "35");
  await page.fill("#note-result", "gleichmäßig");
  await page.click(".note-form button[type=submit]");
  const formula = page.locator("#notes .note.colour_formula");
  await formula.waitFor();
  for (const text of ["Produkte und Mengen", "Koleston 7/1 30 g + 6/0 30 g", "Entwickler", "6 %", "Einwirkzeit (Minuten)", "35", "gleichmäßig"]) {
    check((await formula.textContent()).includes(text), `the formula shows ${text}`);
  }
  check(await formula.locator(".note-delete").count() === 0, "a colour formula is not deleted on its own");
  card = (await call(page, "GET", `/api/v1/customers/${id}`)).body;
  same(card.notes.find((n) => n.kind === "colour_formula").formula,
    { products: "Koleston 7/1 30 g + 6/0 30 g", developer: "6 %", processing_minutes: 35, result: "gleichmäßig" }, "the formula as saved");
  await page.locator(".warning.patch_test_missing").waitFor();
  same(await page.locator("#patch-status").textContent(), "Noch kein Allergietest erfasst.", "no patch test yet");

  // Correct the formula's developer in its structured editor.
  await formula.locator(".note-edit").click();
  await page.locator("#notes .note.editing input[name=developer]").fill("9 %");
  await page.locator("#notes .note.editing button[type=submit]").click();
  await page.locator("#notes .note.colour_formula", { hasText: "9 %" }).waitFor();

  // A live update (another phone adds a note) while a note editor, the patch-test form and a
  // move are open: all three stay as they are, the card says it changed.
  await page.locator("#notes .note", { hasText: "Mag Tee mit Zitrone" }).locator(".note-edit").click();
  await page.locator("#notes .note.editing textarea[id$='-text']").fill("Mag Tee mit Zitrone und Hon");
  await page.fill("#patch-product", "Koleston Probe");
  await page.locator("#upcoming .appt").first().locator(".appt-move").click();
  await page.locator("#upcoming .appt-new-start").waitFor();
  await page.locator("#notes .note.editing textarea[id$='-text']").focus();
  const other = await call(page, "POST", `/api/v1/customers/${id}/notes`, { kind: "general", text: "Vom anderen Handy" });
  same(other.status, 201, "note from the other phone");
  await page.locator("#live-note:not([hidden])").waitFor();
  await page.locator("#notes .note", { hasText: "Vom anderen Handy" }).waitFor();
  same(await page.locator("#notes .note.editing textarea[id$='-text']").inputValue(), "Mag Tee mit Zitrone und Hon", "the open note editor keeps its text");
  same(await page.evaluate(() => document.activeElement && document.activeElement.tagName), "TEXTAREA", "and the focus");
  same(await page.inputValue("#patch-product"), "Koleston Probe", "the patch-test form keeps its input");
  check(await page.locator("#upcoming .appt-new-start").count() === 1, "the move stays open");
  await page.keyboard.type("ig");
  await page.locator("#notes .note.editing button[type=submit]").click();
  await page.locator("#notes .note", { hasText: "Mag Tee mit Zitrone und Honig" }).waitFor();

  // Tap targets and width at 320 px, with an editor and a move open.
  await page.locator("#notes .note", { hasText: "Vom anderen Handy" }).locator(".note-edit").click();
  await page.setViewportSize({ width: 320, height: 640 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 320, `the card is ${width} px wide at 320 px`);
  const small = await page.evaluate(() => [...document.querySelectorAll("#notes button, #notes input, #notes select, #notes textarea, #patch-form input, #patch-form select, #patch-form button, .appointments button, .appointments input, .note-form select, .note-form button")]
    .filter((el) => el.offsetParent !== null)
    .map((el) => [el.className || el.id || el.tagName, el.getBoundingClientRect()])
    .filter(([, r]) => r.height < 44 || r.width < 44).map(([name, r]) => `${name} ${Math.round(r.width)}×${Math.round(r.height)}`));
  same(small, [], "tap targets of at least 44 px");
  const wide = await page.evaluate(() => [...document.querySelectorAll("#view *")].filter((el) => el.getBoundingClientRect().right > 320.5).map((el) => el.className || el.tagName));
  same(wide, [], "nothing sticks out at 320 px");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.locator("#notes .note.editing button.secondary").click();

  // Record a passed patch test: the warning goes away, the card says until when it counts.
  await page.selectOption("#patch-result", "passed");
  await page.click("#patch-save");
  await page.locator(".warning.patch_test_missing").waitFor({ state: "detached" });
  const status = await page.locator("#patch-status").textContent();
  check(/^Letzter Test: \d\d\.\d\d\.\d{4} · Koleston Probe · bestanden – gültig bis \d\d\.\d\d\.\d{4}$/.test(status), `patch-test status: ${status}`);

  // Move the upcoming appointment (the move is still open) to the day after, 14:00.
  const target = await page.evaluate(() => { const d = new Date(); d.setDate(d.getDate() + 3); d.setHours(14, 0, 0, 0); return d.toISOString(); });
  const local = await page.evaluate((iso) => { const d = new Date(iso); return new Date(d.getTime() - d.getTimezoneOffset() * 60e3).toISOString().slice(0, 16); }, target);
  await page.fill("#upcoming .appt-new-start", local);
  await page.click("#upcoming .appt-move-save");
  await page.locator("#upcoming .appt-new-start").waitFor({ state: "detached" });
  card = (await call(page, "GET", `/api/v1/customers/${id}`)).body;
  const moved = card.appointments.upcoming[0];
  same([new Date(moved.start).toISOString(), new Date(moved.end) - new Date(moved.start), moved.staff, moved.services.length],
    [target, 45 * 60e3, "Lena", 1], "moved, same length, stylist and service");

  // Cancel it, after a question naming the time.
  await page.locator("#upcoming .appt").first().locator(".appt-cancel").click();
  await page.locator("#upcoming .appt.cancelled", { hasText: "abgesagt" }).waitFor();
  check(questions.pop().startsWith("Den Termin am "), "cancelling asks first");
  check(await page.locator("#upcoming .appt.cancelled button").count() === 0, "a cancelled appointment offers nothing more");

  // The past one: no move or cancel, but "Nicht erschienen".
  const past = page.locator("#past .appt").first();
  check(await past.locator(".appt-move, .appt-cancel").count() === 0, "a past appointment is not moved");
  await past.locator(".appt-no-show").click();
  await page.locator("#past .appt.no_show", { hasText: "nicht erschienen" }).waitFor();
  check(questions.pop().includes("als „nicht erschienen“ markieren"), "the no-show asks first");
  card = (await call(page, "GET", `/api/v1/customers/${id}`)).body;
  same([card.appointments.past[0].status, card.appointments.upcoming[0].status, card.visit_count], ["no_show", "cancelled", 0], "saved statuses");

  // A colour formula of the demo data, written long ago: locked. The card says so instead of
  // offering "Bearbeiten"; it can still be pinned.
  const locked = await page.evaluate(async () => {
    const page = await (await fetch("/api/v1/customers?limit=50")).json();
    for (const c of page.items) {
      const card = await (await fetch(`/api/v1/customers/${c.id}`)).json();
      const n = card.notes.find((x) => x.kind === "colour_formula" && !x.editable);
      if (n) return { customer: c.id, note: n.id, pinned: n.pinned };
    }
    return null;
  });
  check(locked, "the demo data has a locked colour formula");
  await page.goto(`${base}/customers/${locked.customer}`);
  const old = page.locator(`#notes .note[data-note="${locked.note}"]`);
  await old.waitFor();
  same(await old.locator(".locked").textContent(), "🔒 Farbrezepte können nach 24 Stunden nicht mehr geändert werden.", "a locked formula says so");
  check(await old.locator(".note-edit, .note-delete").count() === 0, "a locked formula offers no edit or delete");
  await old.locator(".note-pin").click();
  await page.locator(`#notes .note[data-note="${locked.note}"]${locked.pinned ? ":not(.pinned)" : ".pinned"}`).waitFor();

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
console.log(failed ? "card: FAILED" : "card: ok");
process.exit(failed ? 1 : 0);
