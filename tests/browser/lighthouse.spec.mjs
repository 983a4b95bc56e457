// Lighthouse's accessibility score on the four screens a stylist uses most — the list, a card,
// the edit form and booking — at a LAN-style origin (http://kartei.test:PORT mapped to loopback),
// as a 390×844 phone in German. Every one must score 100; a lower score prints the audits that
// failed with their elements.
// Env: KARTEI_URL (http://127.0.0.1:PORT), KARTEI_STAFF, KARTEI_PIN; CHROME_PATH (default
// /usr/bin/chromium). Exits non-zero on failure.
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const port = new URL(process.env.KARTEI_URL).port;
const base = `http://kartei.test:${port}`;
const local = process.env.KARTEI_URL;

async function call(cookie, method, path, body) {
  const headers = { "Content-Type": "application/json", "X-Kartei-CSRF": "1" };
  if (cookie) headers.Cookie = cookie;
  const r = await fetch(`${local}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, headers: r.headers, body: r.status === 204 ? null : await r.json() };
}
function check(ok, message) {
  if (!ok) throw new Error(message);
}

let failed = false;
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || "/usr/bin/chromium",
  chromeFlags: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--lang=de-DE", "--host-resolver-rules=MAP kartei.test 127.0.0.1"],
});
try {
  const login = await call(null, "POST", "/api/v1/login", { name: process.env.KARTEI_STAFF, pin: process.env.KARTEI_PIN });
  check(login.status === 200, `login: ${login.status}`);
  const cookie = login.headers.get("set-cookie").split(";")[0];
  const customer = await call(cookie, "POST", "/api/v1/customers", { first_name: "Lia", last_name: "Leuchtturm", email: "lia@example.de", phones: [{ number: "0171 7654321", label: "mobile" }] });
  check(customer.status === 201, `customer: ${customer.status}`);
  const id = customer.body.id;
  const note = await call(cookie, "POST", `/api/v1/customers/${id}/notes`, { kind: "allergy", text: "Nickel" });
  check(note.status === 201, `note: ${note.status}`);

  const flags = {
    port: chrome.port,
    onlyCategories: ["accessibility"],
    output: "json",
    logLevel: "error",
    formFactor: "mobile",
    screenEmulation: { mobile: true, width: 390, height: 844, deviceScaleFactor: 2, disabled: false },
    extraHeaders: { Cookie: cookie, "Accept-Language": "de-DE,de;q=0.9" },
  };
  const scores = [];
  for (const [name, path] of [["list", "/"], ["card", `/customers/${id}`], ["form", `/customers/${id}/edit`], ["booking", "/appointments/new"]]) {
    const result = await lighthouse(`${base}${path}`, flags);
    const lhr = result.lhr;
    check(!lhr.runtimeError, `${name}: ${lhr.runtimeError && lhr.runtimeError.message}`);
    check(lhr.finalDisplayedUrl === `${base}${path}`, `${name}: ended at ${lhr.finalDisplayedUrl} (not logged in?)`);
    const score = Math.round(lhr.categories.accessibility.score * 100);
    scores.push(`${name} ${score}`);
    if (score < 100) {
      failed = true;
      for (const ref of lhr.categories.accessibility.auditRefs) {
        const audit = lhr.audits[ref.id];
        if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
          const items = (audit.details && audit.details.items) || [];
          console.error(`${name}: ${audit.id} – ${audit.title}\n    ${items.slice(0, 6).map((i) => (i.node && (i.node.selector || i.node.snippet)) || JSON.stringify(i)).join("\n    ")}`);
        }
      }
    }
  }
  console.log(`lighthouse accessibility: ${scores.join(", ")}`);
} catch (e) {
  failed = true;
  console.error(e);
}
await chrome.kill();
if (failed) process.exit(1);
console.log("lighthouse: ok");
