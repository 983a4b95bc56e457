// Kartei phone web app: list with search as you type, card, forms, appointments, stats; live
// updates over server-sent events; keeps showing the last data when offline. No framework: the
// DOM is built with textContent (never innerHTML), so user text is always escaped.
"use strict";

// Every word comes from the server's catalogue (GET /api/v1/words: the core's words in the
// browser's Accept-Language, the same the kiosk, the export and the command line use). The last
// words loaded are kept in localStorage (words only, nothing personal) for starts without Wi-Fi.
let WORDS = {};
let EN = false;
const WORDS_KEY = "kartei-words";
async function loadWords() {
  let body = null;
  try {
    const response = await fetch("/api/v1/words", { credentials: "same-origin", headers: { "X-Kartei-CSRF": "1" } });
    if (response.status === 401) { location.href = "/login"; return; }
    if (response.ok) body = await response.json();
  } catch (e) { /* offline: the kept words */ }
  if (body && body.words) {
    try { localStorage.setItem(WORDS_KEY, JSON.stringify(body)); } catch (e) { /* storage full or off */ }
  } else {
    try { body = JSON.parse(localStorage.getItem(WORDS_KEY) || "null"); } catch (e) { body = null; }
  }
  WORDS = (body && body.words) || {};
  EN = !!body && body.lang === "en";
}
const t = (k) => (Object.prototype.hasOwnProperty.call(WORDS, k) ? WORDS[k] : k);
// A text with {placeholders} filled in.
const tf = (k, values) => t(k).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));

// ---- DOM helpers -----------------------------------------------------------------------
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}
const view = () => document.getElementById("view");
function show(...nodes) { view().replaceChildren(...nodes); window.scrollTo(0, 0); }
function date(iso) {
  if (!iso) return "";
  if (iso.startsWith("--")) return `${iso.slice(5, 7)}.${iso.slice(2, 4)}.`;
  const d = iso.slice(0, 10).split("-");
  return d.length === 3 ? `${d[2]}.${d[1]}.${d[0]}` : iso;
}
function dateTime(iso) {
  const d = new Date(iso);
  return d.toLocaleString(EN ? "en-GB" : "de-DE", { dateStyle: "medium", timeStyle: "short" });
}
const fullName = (c) => `${c.first_name || ""} ${c.last_name || ""}`.trim() || c.company || "?";

// ---- API --------------------------------------------------------------------------------
class ApiError extends Error {
  constructor(status, body) { super(body.message || String(status)); this.status = status; this.body = body; }
}
async function api(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? { "X-Kartei-CSRF": "1" } : { "Content-Type": "application/json", "X-Kartei-CSRF": "1" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    setOffline(true);
    throw new ApiError(0, { message: t("offline") });
  }
  if (response.status === 401 && path !== "/api/v1/login") { location.href = "/login"; throw new ApiError(401, {}); }
  setOffline(false);
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}
// The logged-in staff member ({name, role}), asked once per page load.
let meOnce = null;
function whoAmI() {
  meOnce ??= api("GET", "/api/v1/me").catch(() => { meOnce = null; return null; });
  return meOnce;
}
function setOffline(off) {
  const el = document.getElementById("offline");
  if (el) { el.textContent = t("offline"); el.hidden = !off && navigator.onLine; }
}
window.addEventListener("online", () => setOffline(false));
window.addEventListener("offline", () => setOffline(true));

// ---- routing ----------------------------------------------------------------------------
let current = { name: "", id: null };
function go(path) { history.pushState({}, "", path); route(); }
document.addEventListener("click", (event) => {
  const a = event.target.closest("a[data-link]");
  if (!a || event.metaKey || event.ctrlKey) return;
  event.preventDefault();
  go(a.getAttribute("href"));
});
window.addEventListener("popstate", route);
function route() {
  // A redraw still pending for the screen being left must not land on the next one.
  clearTimeout(refreshTimer);
  const p = location.pathname;
  let m;
  if (p === "/") return listView();
  if (p === "/new") return formView(null);
  if (p === "/stats") return statsView();
  if (p === "/appointments/new") return appointmentView();
  if (p === "/import") return importView();
  if (p === "/messages") return messagesView();
  if (p === "/mail") return mailSettingsView();
  if (p === "/newsletter") return newsletterView();
  if ((m = p.match(/^\/customers\/(\d+)\/edit$/))) return formView(Number(m[1]));
  if ((m = p.match(/^\/customers\/(\d+)\/photos$/))) return photosView(Number(m[1]));
  if ((m = p.match(/^\/customers\/(\d+)$/))) return cardView(Number(m[1]));
  return listView();
}

// ---- the customer list ------------------------------------------------------------------
const listState = { q: "", filter: "all", sort: "name_asc", items: [], cursor: null, total: 0, seq: 0 };
function listView() {
  current = { name: "list", id: null };
  const search = h("input", { type: "search", id: "search", placeholder: t("search"), "aria-label": t("search"), value: listState.q, autocomplete: "off" });
  const filter = h("select", { id: "filter", "aria-label": "Filter" },
    ...["all", "with_bookings", "no_recent_visit", "regular", "new"].map((f) => h("option", { value: f, selected: f === listState.filter }, t(f))));
  const sort = h("select", { id: "sort", "aria-label": "Sort" },
    ...["name_asc", "name_desc", "last_visit", "newest"].map((s) => h("option", { value: s, selected: s === listState.sort }, t(s))));
  const count = h("p", { class: "count", id: "count" });
  // Only owners may export the list (the server says so too); staff see no link.
  const exportLink = h("a", { href: exportUrl(), download: "", id: "export-link", hidden: true }, `⤓ ${t("excel_export")}`);
  whoAmI().then((me) => { exportLink.hidden = !(me && me.role === "owner"); });
  const importLink = h("a", { href: "/import", "data-link": true, id: "import-link" }, t("import"));
  // A download link gives no sign until the file comes, and a large export takes a while.
  const exportNote = h("p", { class: "hint", id: "export-note", role: "status", hidden: true }, t("export_wait"));
  exportLink.addEventListener("click", () => {
    exportNote.hidden = false;
    setTimeout(() => { exportNote.hidden = true; }, 8000);
  });
  const list = h("ul", { class: "list", id: "list" });
  const more = h("div", { class: "more", id: "more" });
  search.addEventListener("input", () => { listState.q = search.value; loadList(true); });
  filter.addEventListener("change", () => { listState.filter = filter.value; loadList(true); });
  sort.addEventListener("change", () => { listState.sort = sort.value; loadList(true); });
  const backupNote = h("p", { class: "warning", id: "backup-warning", role: "alert", hidden: true });
  backupWarning(backupNote);
  show(h("h1", { class: "sr-only" }, t("customer_list")), backupNote, h("section", { class: "tools" }, search, h("div", { class: "row" }, filter, sort)),
    h("div", { class: "list-head" }, count, h("span", { class: "list-actions" }, exportLink, importLink)), exportNote, list, more);
  new IntersectionObserver((entries) => { if (entries.some((e) => e.isIntersecting) && listState.cursor) loadList(false); }).observe(more);
  renderList();
  loadList(true);
}
// The Excel download of the list as it is filtered now (defaults left out).
function exportUrl() {
  const params = new URLSearchParams();
  if (listState.q.trim()) params.set("q", listState.q);
  if (listState.filter !== "all") params.set("filter", listState.filter);
  if (listState.sort !== "name_asc") params.set("sort", listState.sort);
  const query = params.toString();
  return `/api/v1/export.xlsx${query ? "?" + query : ""}`;
}
async function loadList(reset) {
  const link = document.getElementById("export-link");
  if (link) link.setAttribute("href", exportUrl());
  const seq = ++listState.seq;
  const params = new URLSearchParams({ q: listState.q, filter: listState.filter, sort: listState.sort, limit: "50" });
  if (!reset && listState.cursor) params.set("cursor", listState.cursor);
  try {
    const page = await api("GET", `/api/v1/customers?${params}`);
    if (seq !== listState.seq) return; // a newer keystroke won
    listState.items = reset ? page.items : listState.items.concat(page.items);
    listState.cursor = page.next_cursor;
    listState.total = page.total;
    renderList();
  } catch (e) { /* offline: keep what is shown */ }
}
function renderList() {
  const list = document.getElementById("list");
  if (!list) return;
  document.getElementById("count").textContent = `${listState.total} ${t("hits")}`;
  list.replaceChildren(...listState.items.map((c) => h("li", {},
    h("a", { href: `/customers/${c.id}`, "data-link": true, class: "item" },
      h("span", { class: "name" }, `${c.last_name}${c.first_name ? ", " + c.first_name : ""}`,
        c.allergy ? h("span", { class: "badge allergy", title: t("allergy") }, `⚠ ${t("allergy")}`) : null),
      h("span", { class: "meta" }, [c.phones[0] ? c.phones[0].display : "", c.last_visit ? date(c.last_visit) : ""].filter(Boolean).join(" · "))))));
}

// ---- the card ---------------------------------------------------------------------------
// `mode`: "live" when redrawn because of a live update, "keep" after one of this phone's own
// saves. Then every form in use (the new note being typed, an open note editor, the patch-test
// form, an appointment being moved: the nodes marked `data-keep`) is carried over as it is,
// with its text, choices, focus and cursor, and the page does not jump to the top.
let cardSeq = 0;
async function cardView(id, mode = "") {
  // A redraw is for this card while it is on screen; it never takes over the screen the user
  // went to meanwhile (e.g. "Bearbeiten" tapped while a live update was on its way).
  if (mode && (current.name !== "card" || current.id !== id)) return;
  current = { name: "card", id };
  const seq = ++cardSeq;
  const live = mode === "live";
  let card;
  try { card = await api("GET", `/api/v1/customers/${id}`); } catch (e) { if (mode) return; return show(h("p", { class: "error" }, e.message)); }
  // Another screen, or a newer draw of this card (its answer is the fresher one), won.
  if (current.name !== "card" || current.id !== id || seq !== cardSeq) return;
  const c = card.customer;
  const kept = new Map(mode ? [...document.querySelectorAll("#view [data-keep]")].map((n) => [n.dataset.keep, n]) : []);
  const keep = (key, build) => kept.get(key) || build();
  const again = () => cardView(id, "keep");
  const field = (label, value) => (value ? h("div", { class: "field" }, h("dt", {}, label), h("dd", {}, value)) : null);
  const address = [c.address.street, `${c.address.postal_code} ${c.address.city}`.trim()].filter(Boolean).join(", ");
  const noteForm = keep(`new-note-${id}`, () => newNoteForm(id, again));
  const focused = document.activeElement;
  const cursor = focused && "selectionStart" in focused ? [focused.selectionStart, focused.selectionEnd] : null;
  const scroll = window.scrollY;
  const appointments = (list, past) => (list.length
    ? list.map((a) => keep(`appt-${a.id}`, () => appointmentItem(id, a, past, again)))
    : [h("li", {}, t("none"))]);
  // Erasing is for owners (the server says so too); the question names the customer, and the
  // name goes along so the server can check it is the card the owner meant.
  const erase = h("button", { class: "danger", type: "button", id: "erase", hidden: true }, t("erase"));
  whoAmI().then((me) => { erase.hidden = !(me && me.role === "owner"); });
  erase.addEventListener("click", async () => {
    const name = fullName(c);
    if (!confirm(tf("confirm_erase", { name }))) return;
    try {
      await api("DELETE", `/api/v1/customers/${id}?${new URLSearchParams({ confirm_name: name })}`);
      go("/");
    } catch (e) { alert(e.message); }
  });
  show(
    h("p", { id: "live-note", class: "live", hidden: true }),
    h("h1", {}, fullName(c)),
    cardTabs(id, "card", card.photo_count),
    ...card.warnings.map((w) => h("p", { class: `warning ${w.kind}`, role: "alert" }, `⚠ ${w.message}`)),
    h("dl", { class: "master" },
      field(t("phone"), c.phones.map((p) => p.display).join(", ")),
      field(t("email"), c.email),
      field(t("birthday").split(" ")[0], date(c.birthday)),
      field(t("street"), address),
      field(t("stylist"), c.stylist),
      field(t("last_visit"), card.last_visit ? date(card.last_visit) : ""),
      field(t("visit_count"), card.visit_count ? card.visit_count.toLocaleString(EN ? "en-GB" : "de-DE") : ""),
      field(t("customer_since"), date(c.customer_since)),
      field(t("groups"), c.groups.join(", ")),
      field(t("marketing"), c.marketing_consent.given ? "✓" : "")),
    h("p", { class: "actions" }, h("a", { href: `/customers/${id}/edit`, "data-link": true, class: "button" }, t("edit")), erase),
    h("p", { class: "data-export", id: "data-export" }, `${t("data_export")}: `,
      h("a", { href: `/api/v1/customers/${id}/export.xlsx`, download: "", id: "data-export-xlsx" }, t("excel")), " · ",
      h("a", { href: `/api/v1/customers/${id}/export.json`, download: "", id: "data-export-json" }, t("json"))),
    h("h2", {}, t("notes")),
    h("ul", { class: "notes", id: "notes" }, ...card.notes.map((n) => keep(`note-${n.id}`, () => noteItem(n, again)))),
    noteForm,
    h("h2", {}, t("patch_tests")),
    patchTestSummary(card),
    keep(`patch-${id}`, () => patchTestForm(id, again)),
    h("h2", {}, t("upcoming")), h("ul", { class: "appointments", id: "upcoming" }, ...appointments(card.appointments.upcoming, false)),
    h("h2", {}, t("past")), h("ul", { class: "appointments", id: "past" }, ...appointments(card.appointments.past.slice(0, 20), true)),
    h("h2", {}, t("top")), h("ul", {}, ...card.top_services.map((s) => h("li", {}, `${s.name} (${s.count}×)`))),
    h("h2", {}, t("messages")),
    consentBox(c, id),
    keep(`msg-${id}`, () => messageForm(id, c, again)),
    h("h2", {}, t("history")), h("ul", { class: "history", id: "history" }, ...card.history.slice(0, 50).map((e) => historyItem(e, again))),
    keep(`audit-${id}`, () => auditOfCustomer(id)),
  );
  if (mode) {
    window.scrollTo(0, scroll);
    if (focused && focused !== document.body && document.contains(focused)) {
      focused.focus({ preventScroll: true });
      if (cursor) try { focused.setSelectionRange(cursor[0], cursor[1]); } catch (e) { /* not a text field */ }
    }
  }
  if (live) {
    const note = document.getElementById("live-note");
    if (note) { note.textContent = t("changed"); note.hidden = false; }
  }
  // Opening the card reads its messages; the marks stay on this view until it is left.
  if (!mode) {
    seenUnread = new Set(card.history.filter((e) => e.message && e.message.unread).map((e) => e.message.id));
    if (card.unread_messages) api("POST", `/api/v1/customers/${id}/messages/read`).then(refreshBadge).catch(() => {});
  }
}

// The message of a failed save: the field's own message if the server named one.
const errorText = (e) => (e.body && e.body.fields && Object.values(e.body.fields)[0]) || e.message;
const NOTE_KINDS = ["general", "allergy", "colour_formula", "preference", "personal"];

// Kind, text and (for a colour formula) products and amounts, developer, processing time and
// result. `n` is the note being edited, or null for a new one. Returns the nodes and a reader.
function noteFields(n, prefix) {
  const f = (n && n.formula) || {};
  const kind = h("select", { id: `${prefix}-kind`, "aria-label": t("note_kind") },
    ...NOTE_KINDS.map((k) => h("option", { value: k, selected: n ? k === n.kind : k === "general" }, t("kind_" + k))));
  // A colour formula stays one (the core refuses another kind for it).
  if (n && n.kind === "colour_formula") kind.disabled = true;
  const text = h("textarea", { id: `${prefix}-text`, "aria-label": t("note"), rows: "3", maxlength: "10000" });
  text.value = n ? n.text : "";
  const input = (name, label, attrs) => {
    const el = h("input", { id: `${prefix}-${name}`, name, ...attrs });
    el.value = f[name] ?? "";
    return h("div", { class: "input" }, h("label", { for: `${prefix}-${name}` }, label), el);
  };
  const products = h("textarea", { id: `${prefix}-products`, name: "products", rows: "2", maxlength: "1000" });
  products.value = f.products || "";
  const formula = h("fieldset", { class: "formula" }, h("legend", {}, t("kind_colour_formula")),
    h("div", { class: "input" }, h("label", { for: `${prefix}-products` }, t("f_products")), products),
    input("developer", t("f_developer"), { type: "text", maxlength: "1000", autocomplete: "off" }),
    input("processing_minutes", t("f_minutes"), { type: "number", inputmode: "numeric", min: "0", max: "600", step: "1" }),
    input("result", t("f_result"), { type: "text", maxlength: "1000", autocomplete: "off" }));
  const sync = () => {
    formula.hidden = kind.value !== "colour_formula";
    text.setAttribute("aria-label", kind.value === "colour_formula" ? t("f_remark") : t("note"));
  };
  kind.addEventListener("change", sync);
  sync();
  const read = () => {
    const note = { kind: kind.value, text: text.value };
    if (kind.value === "colour_formula") {
      const value = (name) => formula.querySelector(`[name="${name}"]`).value;
      const minutes = value("processing_minutes").trim();
      note.formula = { products: products.value, developer: value("developer"), result: value("result"),
        processing_minutes: minutes === "" ? null : Number(minutes) };
    } else note.formula = null;
    return note;
  };
  return { nodes: [kind, formula, text], read };
}

function newNoteForm(id, redraw) {
  const fields = noteFields(null, "note");
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const form = h("form", { class: "note-form", "data-customer": String(id), "data-keep": `new-note-${id}` },
    ...fields.nodes, error, h("button", { type: "submit" }, t("add_note")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    try {
      await api("POST", `/api/v1/customers/${id}/notes`, fields.read());
      form.reset();
      form.querySelector("select").dispatchEvent(new Event("change"));
      redraw();
    } catch (e) { error.textContent = errorText(e); error.hidden = false; }
  });
  return form;
}

// One note: kind, pin, text or formula, who and when; edit, pin/unpin and delete. A colour
// formula older than 24 hours says it is locked instead of offering "Bearbeiten", and is never
// deleted on its own (the server refuses both too).
function noteItem(n, redraw) {
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const f = n.formula;
  const line = (label, value) => (value || value === 0 ? h("div", { class: "field" }, h("dt", {}, label), h("dd", {}, String(value))) : null);
  const formula = f ? h("dl", { class: "formula-view" }, line(t("f_products"), f.products), line(t("f_developer"), f.developer),
    line(t("f_minutes"), f.processing_minutes), line(t("f_result"), f.result)) : null;
  const li = h("li", { class: `note ${n.kind}${n.pinned ? " pinned" : ""}`, "data-note": String(n.id) },
    h("span", { class: "kind" }, t("kind_" + n.kind)), n.pinned ? h("span", { class: "pin" }, ` · 📌 ${t("pinned")}`) : null,
    formula, n.text ? h("p", { class: "text" }, n.text) : null,
    h("small", {}, `${n.author}, ${dateTime(n.created_at)}`));
  const actions = h("div", { class: "note-actions" });
  if (n.editable) {
    const edit = h("button", { type: "button", class: "secondary note-edit" }, t("edit"));
    edit.addEventListener("click", () => li.replaceWith(noteEditor(n, redraw)));
    actions.append(edit);
  } else li.append(h("p", { class: "locked" }, `🔒 ${n.locked}`));
  const pin = h("button", { type: "button", class: "secondary note-pin", "aria-pressed": String(n.pinned) }, n.pinned ? t("unpin") : t("pin"));
  pin.addEventListener("click", async () => {
    error.hidden = true;
    try { await api("PATCH", `/api/v1/notes/${n.id}`, { pinned: !n.pinned }); redraw(); } catch (e) { error.textContent = errorText(e); error.hidden = false; }
  });
  actions.append(pin);
  if (n.deletable) {
    const remove = h("button", { type: "button", class: "danger note-delete" }, t("erase"));
    remove.addEventListener("click", async () => {
      if (!confirm(t("confirm_delete_note"))) return;
      error.hidden = true;
      try { await api("DELETE", `/api/v1/notes/${n.id}`); redraw(); } catch (e) { error.textContent = errorText(e); error.hidden = false; }
    });
    actions.append(remove);
  }
  li.append(actions, error);
  return li;
}

// The note opened for editing; "Speichern" sends only what changed (PATCH), so a pin set on
// another phone meanwhile stays.
function noteEditor(n, redraw) {
  const fields = noteFields(n, `edit-${n.id}`);
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const save = h("button", { type: "submit" }, t("save"));
  const cancel = h("button", { type: "button", class: "secondary" }, t("cancel"));
  const form = h("form", { class: "note-editor" }, ...fields.nodes, error, h("div", { class: "note-actions" }, save, cancel));
  const li = h("li", { class: `note editing ${n.kind}`, "data-note": String(n.id), "data-keep": `note-${n.id}` }, form);
  cancel.addEventListener("click", () => { li.removeAttribute("data-keep"); redraw(); });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const next = fields.read();
    const patch = {};
    if (next.kind !== n.kind) patch.kind = next.kind;
    if (next.text.trim() !== n.text) patch.text = next.text;
    if (JSON.stringify(next.formula) !== JSON.stringify(n.formula ? { products: n.formula.products, developer: n.formula.developer,
      result: n.formula.result, processing_minutes: n.formula.processing_minutes ?? null } : null)) patch.formula = next.formula;
    try {
      if (Object.keys(patch).length) await api("PATCH", `/api/v1/notes/${n.id}`, patch);
      li.removeAttribute("data-keep");
      redraw();
    } catch (e) { error.textContent = errorText(e); error.hidden = false; }
  });
  setTimeout(() => fields.nodes[2].focus(), 0);
  return li;
}

// The newest patch test and whether it counts today.
function patchTestSummary(card) {
  const p = card.latest_patch_test;
  if (!p) return h("p", { class: "patch-status none", id: "patch-status" }, t("patch_none"));
  const parts = [date(p.date), p.product, t("pt_" + p.result)].filter(Boolean).join(" · ");
  const validity = p.valid ? tf("patch_valid_until", { date: date(p.valid_until) }) : t("patch_not_valid");
  return h("p", { class: `patch-status ${p.valid ? "valid" : "invalid"}`, id: "patch-status" },
    `${t("patch_latest")}: ${parts} – `, h("strong", {}, validity));
}

function patchTestForm(id, redraw) {
  const today = new Date(Date.now() - new Date().getTimezoneOffset() * 60e3).toISOString().slice(0, 10);
  const day = h("input", { type: "date", id: "patch-date", value: today, max: today, required: true });
  const product = h("input", { type: "text", id: "patch-product", maxlength: "200", autocomplete: "off" });
  const result = h("select", { id: "patch-result" },
    ...["passed", "failed", "pending"].map((r) => h("option", { value: r }, t("pt_" + r))));
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const form = h("form", { class: "patch-form", id: "patch-form", "data-keep": `patch-${id}` },
    h("div", { class: "row" },
      h("div", { class: "input" }, h("label", { for: "patch-date" }, t("patch_date")), day),
      h("div", { class: "input" }, h("label", { for: "patch-result" }, t("patch_result")), result)),
    h("div", { class: "input" }, h("label", { for: "patch-product" }, t("patch_product")), product),
    error, h("button", { type: "submit", id: "patch-save" }, t("patch_save")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    try {
      await api("POST", `/api/v1/customers/${id}/patch-tests`, { date: day.value || null, product: product.value, result: result.value });
      product.value = "";
      redraw();
    } catch (e) { error.textContent = errorText(e); error.hidden = false; }
  });
  return form;
}

// One appointment with its status; upcoming booked ones can be moved or cancelled, past booked
// ones marked as a no-show. Cancelling and the no-show ask first.
function appointmentItem(customerId, a, past, redraw) {
  const when = dateTime(a.start);
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const li = h("li", { class: `appt ${a.status}`, "data-appointment": String(a.id) },
    h("span", { class: "when" }, `${when} – ${a.services.map((s) => s.name).join(", ") || t("appointment")}`, a.staff ? ` (${a.staff})` : ""),
    " ", h("span", { class: `status ${a.status}` }, t("st_" + a.status)));
  const draft = (changes) => ({ customer_id: customerId, start: a.start, end: a.end, service_ids: a.services.map((s) => s.id),
    staff: a.staff, status: a.status, note: a.note, ...changes });
  const put = async (changes, slot = error) => {
    slot.hidden = true;
    try { await api("PUT", `/api/v1/appointments/${a.id}`, draft(changes)); li.removeAttribute("data-keep"); redraw(); } catch (e) { slot.textContent = errorText(e); slot.hidden = false; }
  };
  const actions = h("div", { class: "appt-actions" });
  const button = (cls, label, onclick) => { const b = h("button", { type: "button", class: cls }, label); b.addEventListener("click", onclick); actions.append(b); };
  if (a.status === "booked" && !past) {
    button("secondary appt-move", t("move"), () => {
      if (li.querySelector("form")) return;
      const start = new Date(a.start);
      const local = new Date(start.getTime() - start.getTimezoneOffset() * 60e3).toISOString().slice(0, 16);
      const input = h("input", { type: "datetime-local", class: "appt-new-start", value: local, "aria-label": t("new_start"), required: true });
      const cancel = h("button", { type: "button", class: "secondary" }, t("cancel"));
      const formError = h("p", { class: "error", role: "alert", hidden: true });
      const form = h("form", { class: "appt-form" }, h("label", {}, t("new_start"), input), formError,
        h("div", { class: "appt-actions" }, h("button", { type: "submit", class: "appt-move-save" }, t("save")), cancel));
      cancel.addEventListener("click", () => { form.remove(); actions.hidden = false; li.removeAttribute("data-keep"); });
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const next = new Date(input.value);
        if (Number.isNaN(next.getTime())) { formError.textContent = t("new_start"); formError.hidden = false; return; }
        if (next < new Date() && !confirm(t("move_past"))) return;
        const length = new Date(a.end) - new Date(a.start);
        put({ start: next.toISOString(), end: new Date(next.getTime() + length).toISOString() }, formError);
      });
      actions.hidden = true;
      li.dataset.keep = `appt-${a.id}`;
      li.append(form);
      input.focus();
    });
    button("danger appt-cancel", t("cancel_appt"), () => { if (confirm(tf("confirm_cancel_appt", { when }))) put({ status: "cancelled" }); });
  } else if (a.status === "booked" && past) {
    button("secondary appt-no-show", t("mark_no_show"), () => { if (confirm(tf("confirm_no_show", { when }))) put({ status: "no_show" }); });
  }
  if (actions.children.length) li.append(actions);
  li.append(error);
  return li;
}

// ---- photos: the card's "Fotos" tab ------------------------------------------------------
// Camera or library (several at once; accepting only JPEG/PNG/WebP makes iPhones convert HEIC
// to JPEG themselves), one upload request per file with its progress, a grid of thumbnails,
// tap for the full image with favourite, kind, caption and delete.
const PHOTO_KINDS = ["before", "after", "inspiration", "generated", "other"];
const PHOTO_ACCEPT = "image/jpeg,image/png,image/webp";
const PHOTO_MAX_BYTES = 32 * 1024 * 1024;
const photoState = { id: null, filter: "newest", items: [], seq: 0 };

function cardTabs(id, active, count) {
  const tab = (name, href, label) => h("a", { href, "data-link": true, "aria-current": active === name ? "page" : null, id: `tab-${name}` }, label);
  return h("nav", { class: "tabs", "aria-label": t("card_sections") }, tab("card", `/customers/${id}`, t("card")),
    tab("photos", `/customers/${id}/photos`, count === undefined ? t("photos") : `${t("photos")} (${count})`));
}

async function photosView(id) {
  current = { name: "photos", id };
  let card;
  try { card = await api("GET", `/api/v1/customers/${id}`); } catch (e) { return show(h("p", { class: "error" }, e.message)); }
  if (current.name !== "photos" || current.id !== id) return;
  if (photoState.id !== id) { photoState.items = []; photoState.filter = "newest"; }
  photoState.id = id;
  const kind = h("select", { id: "photo-kind", "aria-label": t("photo_kind") },
    ...PHOTO_KINDS.map((k) => h("option", { value: k, selected: k === "after" }, t("pkind_" + k))));
  const camera = h("input", { type: "file", id: "photo-camera", accept: PHOTO_ACCEPT, capture: "environment", class: "file" });
  const library = h("input", { type: "file", id: "photo-files", accept: PHOTO_ACCEPT, multiple: true, class: "file" });
  for (const input of [camera, library]) {
    input.addEventListener("change", () => { const files = [...input.files]; input.value = ""; uploadPhotos(id, files, kind.value); });
  }
  const filter = h("select", { id: "photo-filter", "aria-label": "Filter" },
    ...["newest", "oldest", "favourites"].map((f) => h("option", { value: f, selected: f === photoState.filter }, t("filter_" + f))));
  filter.addEventListener("change", () => { photoState.filter = filter.value; loadPhotos(); });
  show(
    h("p", { id: "live-note", class: "live", hidden: true }),
    h("h1", {}, fullName(card.customer)),
    cardTabs(id, "photos", card.photo_count),
    h("div", { class: "photo-tools" },
      h("label", { for: "photo-camera", class: "button" }, t("take_photo")), camera,
      h("label", { for: "photo-files", class: "button" }, t("choose_photos")), library),
    h("div", { class: "photo-tools" }, kind, filter),
    h("ul", { class: "uploads", id: "uploads" }),
    h("p", { class: "count", id: "photo-empty", hidden: true }, t("no_photos")),
    h("ul", { class: "photo-grid", id: "photo-grid" }),
    h("dialog", { class: "photo", id: "photo-dialog" }));
  renderPhotos();
  loadPhotos();
}

async function loadPhotos() {
  const id = photoState.id;
  const seq = ++photoState.seq;
  try {
    const data = await api("GET", `/api/v1/customers/${id}/photos?filter=${photoState.filter}`);
    if (seq !== photoState.seq || current.name !== "photos" || current.id !== id) return;
    photoState.items = data.photos;
    renderPhotos();
  } catch (e) { /* offline: keep what is shown */ }
}

function renderPhotos() {
  const grid = document.getElementById("photo-grid");
  if (!grid) return;
  document.getElementById("photo-empty").hidden = photoState.items.length > 0;
  const tab = document.getElementById("tab-photos");
  if (tab && photoState.filter !== "favourites") tab.textContent = `${t("photos")} (${photoState.items.length})`;
  grid.replaceChildren(...photoState.items.map((p) => {
    const label = p.caption || t("pkind_" + p.kind);
    const button = h("button", { type: "button", class: "thumb", "aria-label": label, "data-photo": String(p.id) },
      // The button carries the name; the picture inside it is not said twice.
      h("img", { src: `/api/v1/photos/${p.id}/thumb`, alt: "", loading: "lazy", width: String(p.thumb_width), height: String(p.thumb_height) }),
      p.favourite ? h("span", { class: "star", title: t("favourite") }, "★") : null,
      h("span", { class: "kind" }, t("pkind_" + p.kind)));
    button.addEventListener("click", () => openPhoto(p));
    return h("li", {}, button);
  }));
}

async function uploadPhotos(id, files, kind) {
  const list = document.getElementById("uploads");
  for (const file of files) {
    const bar = h("progress", { max: "1", value: "0" });
    const status = h("span", { class: "status" });
    const row = h("li", {}, h("span", { class: "name" }, file.name), bar, status);
    if (list) list.append(row);
    if (file.size > PHOTO_MAX_BYTES) { bar.remove(); status.textContent = t("file_too_large"); status.className = "error"; continue; }
    try {
      await uploadPhoto(id, file, kind, bar);
      row.remove();
      if (current.name === "photos" && current.id === id) await loadPhotos();
    } catch (e) {
      bar.remove();
      status.textContent = (e.body && e.body.fields && e.body.fields.file) || e.message;
      status.className = "error";
    }
  }
}

function uploadPhoto(id, file, kind, bar) {
  const form = new FormData();
  form.append("kind", kind);
  form.append("file", file, file.name);
  return sendForm(`/api/v1/customers/${id}/photos`, form, bar);
}

// Posts a multipart form with its upload progress on `bar`; resolves with the JSON answer.
// XMLHttpRequest rather than fetch: only it reports upload progress.
function sendForm(url, form, bar) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("X-Kartei-CSRF", "1");
    xhr.upload.addEventListener("progress", (e) => { if (e.lengthComputable) bar.value = e.loaded / e.total; });
    xhr.addEventListener("load", () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body);
      if (xhr.status === 401) location.href = "/login";
      reject(new ApiError(xhr.status, body));
    });
    xhr.addEventListener("error", () => { setOffline(true); reject(new ApiError(0, { message: t("offline") })); });
    xhr.send(form);
  });
}

function openPhoto(photo) {
  const dialog = document.getElementById("photo-dialog");
  if (!dialog) return;
  let p = photo;
  const fav = h("button", { type: "button", class: "fav", id: "photo-fav", "aria-pressed": String(p.favourite) }, `★ ${t("favourite")}`);
  const kind = h("select", { id: "photo-edit-kind", "aria-label": t("photo_kind") },
    ...PHOTO_KINDS.map((k) => h("option", { value: k, selected: k === p.kind }, t("pkind_" + k))));
  const caption = h("input", { type: "text", id: "photo-caption", "aria-label": t("caption"), placeholder: t("caption"), value: p.caption, maxlength: "500" });
  const message = h("p", { class: "error", hidden: true, role: "alert" });
  const save = async (patch) => {
    message.hidden = true;
    try {
      p = await api("PATCH", `/api/v1/photos/${p.id}`, patch);
      fav.setAttribute("aria-pressed", String(p.favourite));
      photoState.items = photoState.items.map((x) => (x.id === p.id ? p : x));
      renderPhotos();
    } catch (e) { message.textContent = (e.body && e.body.fields && Object.values(e.body.fields)[0]) || e.message; message.hidden = false; }
  };
  fav.addEventListener("click", () => save({ favourite: !p.favourite }));
  kind.addEventListener("change", () => save({ kind: kind.value }));
  caption.addEventListener("change", () => save({ caption: caption.value }));
  const remove = h("button", { type: "button", class: "danger", id: "photo-delete" }, t("erase"));
  remove.addEventListener("click", async () => {
    if (!confirm(t("confirm_delete_photo"))) return;
    try {
      await api("DELETE", `/api/v1/photos/${p.id}`);
      dialog.close();
      photoState.items = photoState.items.filter((x) => x.id !== p.id);
      renderPhotos();
    } catch (e) { message.textContent = e.message; message.hidden = false; }
  });
  const close = h("button", { type: "button", id: "photo-close" }, t("close"));
  close.addEventListener("click", () => dialog.close());
  const when = `${dateTime(p.taken_at)} · ${p.added_by}`;
  dialog.replaceChildren(
    h("img", { src: `/api/v1/photos/${p.id}/full`, alt: p.caption || t("pkind_" + p.kind), width: String(p.width), height: String(p.height), id: "photo-full" }),
    h("p", { class: "meta" }, when),
    h("div", { class: "row" }, fav, kind), caption, message,
    h("div", { class: "row" }, remove, close));
  dialog.showModal();
}

// ---- import: phone contacts, CSV or Excel; preview, pick, take -------------------------------
// The file goes up with its progress; the server answers what would happen to each contact
// (nothing is written yet). New and completing rows are preselected; "Auswahl importieren"
// takes the ticked ones in one go.
const IMPORT_ACCEPT = ".vcf,.vcard,.csv,.xlsx,text/vcard,text/x-vcard,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const IMPORT_MAX_BYTES = 20 * 1024 * 1024;

function importView() {
  current = { name: "import", id: null };
  const input = h("input", { type: "file", id: "import-file", accept: IMPORT_ACCEPT, class: "file" });
  const bar = h("progress", { id: "import-progress", max: "1", value: "0", hidden: true });
  const status = h("p", { id: "import-error", class: "error", role: "alert", hidden: true });
  const area = h("div", { id: "import-area" });
  input.addEventListener("change", async () => {
    const file = input.files[0];
    input.value = "";
    if (!file) return;
    area.replaceChildren();
    status.hidden = true;
    if (file.size > IMPORT_MAX_BYTES) { status.textContent = t("import_too_large"); status.hidden = false; return; }
    const form = new FormData();
    form.append("file", file, file.name);
    bar.value = 0;
    bar.hidden = false;
    try {
      const preview = await sendForm("/api/v1/import", form, bar);
      if (current.name === "import") renderImportPreview(area, preview);
    } catch (e) {
      status.textContent = e.message;
      status.hidden = false;
    } finally { bar.hidden = true; }
  });
  show(h("h1", {}, t("import_title")), h("p", { class: "hint" }, t("import_hint")),
    h("div", { class: "photo-tools" }, h("label", { for: "import-file", class: "button", id: "import-choose" }, t("import_choose")), input),
    bar, status, area);
}

const IMPORT_PAGE = 200;
function renderImportPreview(area, p) {
  const chosen = new Set(p.rows.filter((r) => r.choosable).map((r) => r.line));
  const take = h("button", { type: "button", id: "import-commit" });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const update = () => { take.textContent = `${t("import_take")} (${chosen.size})`; take.disabled = chosen.size === 0; };
  const row = (r) => {
    const a = r.action;
    const meta = [r.phones.join(", "), r.email, date(r.birthday)].filter(Boolean).join(" · ");
    const text = h("span", { class: "import-text" },
      h("span", { class: "name" }, r.name || "?", h("small", {}, ` · ${t("import_line")} ${r.line}`)),
      meta ? h("span", { class: "meta" }, meta) : null,
      a.kind === "merge" ? h("span", { class: "detail" }, `${t("import_merges_into")} ${a.into} (${a.name})${a.adds.length ? ": + " + a.adds.join(", ") : ""}`) : null,
      a.kind === "duplicate" ? h("span", { class: "detail" }, `${t("import_already")} ${a.into} (${a.name})`) : null,
      ...a.conflicts.map((x) => h("span", { class: "conflict" }, `${x.field}: ${x.current} ≠ ${x.imported} (${t("import_kept")})`)),
      ...a.reasons.map((x) => h("span", { class: "reason" }, x)),
      ...r.warnings.map((x) => h("span", { class: "reason" }, `⚠ ${x}`)),
      r.has_photo ? h("span", { class: "meta" }, t("import_photo")) : null);
    if (!r.choosable) return h("li", { class: `import-row ${a.kind}`, "data-line": String(r.line) }, text);
    const box = h("input", { type: "checkbox", checked: chosen.has(r.line), "aria-label": r.name || String(r.line) });
    box.addEventListener("change", () => { if (box.checked) chosen.add(r.line); else chosen.delete(r.line); update(); });
    return h("li", { class: `import-row ${a.kind}${r.warnings.length ? " warned" : ""}`, "data-line": String(r.line) }, h("label", { class: "check" }, box, text));
  };
  // A whole system's export can hold tens of thousands of contacts: rows are drawn a page at a
  // time; what is chosen is kept in `chosen`, not in the page.
  const group = (id, title, kinds) => {
    const rows = p.rows.filter((r) => kinds.includes(r.action.kind));
    if (!rows.length) return null;
    const list = h("ul", { class: "import-rows" });
    const more = h("button", { type: "button", class: "secondary import-more" });
    let shown = 0;
    const showMore = () => {
      list.append(...rows.slice(shown, shown + IMPORT_PAGE).map(row));
      shown = Math.min(rows.length, shown + IMPORT_PAGE);
      more.hidden = shown >= rows.length;
      more.textContent = tf("import_more", { n: rows.length - shown });
    };
    more.addEventListener("click", showMore);
    showMore();
    return h("section", { class: "import-group", id: `import-${id}` }, h("h2", {}, `${title} (${rows.length})`), list, more);
  };
  take.addEventListener("click", async () => {
    take.disabled = true;
    error.hidden = true;
    try {
      const done = await api("POST", `/api/v1/import/${encodeURIComponent(p.id)}/commit`, { lines: [...chosen] });
      area.replaceChildren(h("div", { id: "import-result", class: "live", role: "status" },
        h("p", {}, tf("import_result", { created: done.created.length, merged: done.merged.length, skipped: done.skipped })),
        done.photos_added + done.photos_refused > 0
          ? h("p", {}, tf("import_photos", { added: done.photos_added, refused: done.photos_refused }))
          : null,
        h("p", { class: "actions" }, h("a", { href: "/", "data-link": true, class: "button" }, t("import_to_list")),
          h("a", { href: "/import", "data-link": true, class: "button secondary" }, t("import_another")))));
    } catch (e) { error.textContent = e.message; error.hidden = false; update(); }
  });
  update();
  const columns = p.mapped_columns.length ? h("details", { class: "hint" }, h("summary", {}, t("import_columns")),
    h("ul", {}, ...p.mapped_columns.map((c) => h("li", {}, `${c.column} → ${c.field}`)))) : null;
  area.replaceChildren(h("div", { id: "import-preview" },
    h("p", { class: "count", id: "import-counts" }, `${p.filename}: ${tf("import_counts", p.counts)}`),
    p.unknown_columns.length ? h("p", { class: "hint" }, `${t("import_unknown_columns")}: ${p.unknown_columns.join(", ")}`) : null,
    p.ignored_columns.length ? h("p", { class: "hint", id: "import-ignored" }, `${t("import_ignored_columns")}: ${p.ignored_columns.join(", ")}`) : null,
    p.new_groups.length ? h("p", { class: "hint", id: "import-new-groups" }, `${t("import_new_groups")}: ${p.new_groups.join(", ")}`) : null,
    p.counts.with_warnings ? h("p", { class: "hint", id: "import-warnings" }, (p.counts.with_warnings === 1 ? t("import_with_warnings_one") : tf("import_with_warnings", { n: p.counts.with_warnings }))) : null,
    columns,
    group("new", t("import_new"), ["new"]),
    group("merge", t("import_merge"), ["merge"]),
    group("duplicate", t("import_duplicate"), ["duplicate", "duplicate_in_file"]),
    group("invalid", t("import_invalid"), ["invalid"]),
    error, h("div", { class: "sticky-action" }, take)));
}

// ---- new / edit form --------------------------------------------------------------------
// The form covers every field of the card. An edit sends only the fields the user changed, as
// a JSON merge patch with the version it started from (PATCH), so nothing the form did not
// touch can be lost. On 409 the server sends the card as saved in between: fields only the
// other side changed are taken over, fields both changed are shown side by side (the user's
// value and the saved one) and the user chooses; what was typed stays in the form.
const FORM_FIELDS = ["salutation", "title", "first_name", "last_name", "company", "phones", "email", "birthday",
  "address.street", "address.postal_code", "address.city", "preferred_contact", "groups", "stylist",
  "reminder_consent", "marketing_consent"];
const PHONE_LABELS = ["mobile", "private", "business"];
// The form's values ("flat": address parts as `address.city`) of a saved card.
function flatOf(c) {
  return {
    salutation: c.salutation || "", title: c.title || "", first_name: c.first_name || "", last_name: c.last_name || "",
    company: c.company || "", phones: (c.phones || []).map((p) => ({ label: p.label, number: p.display || p.number })),
    email: c.email || "", birthday: c.birthday ? date(c.birthday) : "",
    "address.street": (c.address && c.address.street) || "", "address.postal_code": (c.address && c.address.postal_code) || "",
    "address.city": (c.address && c.address.city) || "", preferred_contact: c.preferred_contact || "none",
    groups: [...(c.groups || [])], stylist: c.stylist || "",
    reminder_consent: !!(c.reminder_consent && c.reminder_consent.given),
    marketing_consent: !!(c.marketing_consent && c.marketing_consent.given),
  };
}
const EMPTY_CARD = flatOf({});
function sameValue(key, a, b) {
  if (key === "groups") return JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
  if (key === "phones") {
    const norm = (list) => JSON.stringify(list.filter((p) => p.number.trim()).map((p) => [p.label, p.number.trim()]));
    return norm(a) === norm(b);
  }
  if (typeof a === "string" && typeof b === "string") return a.trim() === b.trim();
  return JSON.stringify(a) === JSON.stringify(b);
}
// The merge patch from `base` to `mine` (flat values): changed keys only.
function patchOf(base, mine) {
  const patch = {};
  for (const key of FORM_FIELDS) {
    if (sameValue(key, base[key], mine[key])) continue;
    const value = key === "phones" ? mine.phones.filter((p) => p.number.trim()) : mine[key];
    if (key.startsWith("address.")) (patch.address ??= {})[key.slice(8)] = value;
    else patch[key] = value;
  }
  return patch;
}
// The whole form as the API's draft (new cards).
function draftOf(flat) {
  const draft = patchOf(EMPTY_CARD, flat);
  for (const key of FORM_FIELDS) if (!key.startsWith("address.") && !(key in draft)) draft[key] = flat[key];
  draft.address = { street: flat["address.street"], postal_code: flat["address.postal_code"], city: flat["address.city"], ...(draft.address || {}) };
  return draft;
}
function fieldLabel(key) {
  return { birthday: t("birthday").split(" ")[0], "address.street": t("street"), "address.postal_code": t("postal_code"),
    "address.city": t("city"), reminder_consent: t("reminders"), marketing_consent: t("marketing"), phones: t("phones") }[key] || t(key);
}
function shownValue(key, value) {
  if (typeof value === "boolean") return value ? t("yes") : t("no");
  if (key === "phones") return value.filter((p) => p.number.trim()).map((p) => `${t("plabel_" + p.label)}: ${p.number}`).join(", ") || t("none");
  if (key === "groups") return value.join(", ") || t("none");
  if (key === "preferred_contact") return t("channel_" + (value || "none"));
  return String(value || "").trim() || t("none");
}

async function formView(id) {
  current = { name: "form", id };
  let values = { ...EMPTY_CARD, phones: [{ label: "mobile", number: "" }] };
  let base = null;
  let version = null;
  if (id) {
    let card;
    try { card = await api("GET", `/api/v1/customers/${id}`); } catch (e) { return show(h("p", { class: "error" }, e.message)); }
    if (current.name !== "form" || current.id !== id) return;
    base = flatOf(card.customer);
    values = structuredClone(base);
    version = card.customer.version;
  }
  const groups = await api("GET", "/api/v1/groups").catch(() => []);
  if (current.name !== "form" || current.id !== id) return;
  renderForm(id, { values, base, version, groups: groups.map((g) => g.name), conflicts: null });
}

// Draws the form with `state.values`; `state.base` is the card the edit started from (null for
// a new card), `state.conflicts` the fields to choose after a 409.
function renderForm(id, state) {
  const v = state.values;
  const input = (name, label, type = "text", extra = {}) => h("div", { class: "input", "data-field": name },
    h("label", { for: `f-${name}` }, label), h("input", { id: `f-${name}`, name, type, value: v[name] || "", ...extra }), h("p", { class: "field-error", hidden: true }));
  const select = (name, label, options) => h("div", { class: "input", "data-field": name },
    h("label", { for: `f-${name}` }, label),
    h("select", { id: `f-${name}`, name }, ...options.map(([value, l]) => h("option", { value, selected: value === v[name] }, l))), h("p", { class: "field-error", hidden: true }));
  const check = (name, label) => h("label", { class: "check", "data-field": name },
    h("input", { type: "checkbox", name, id: `f-${name}`, checked: v[name] }), label);

  const phoneList = h("div", { class: "phones", id: "f-phones" });
  const phoneRow = (p) => {
    const row = h("div", { class: "phone-row" });
    const label = h("select", { class: "phone-label", "aria-label": t("phone_label") },
      ...PHONE_LABELS.map((l) => h("option", { value: l, selected: l === p.label }, t("plabel_" + l))));
    const number = h("input", { type: "tel", class: "phone-number", value: p.number, "aria-label": t("phone"), autocomplete: "off" });
    const remove = h("button", { type: "button", class: "secondary remove-phone", "aria-label": t("remove_phone") }, "✕");
    remove.addEventListener("click", () => { row.remove(); numberPhones(); });
    row.append(label, number, remove, h("p", { class: "field-error", hidden: true }));
    return row;
  };
  // Ids and error slots follow the position (`phones.1.number`), as the server names errors.
  const numberPhones = () => [...phoneList.children].forEach((row, i) => {
    row.dataset.field = `phones.${i}.number`;
    row.querySelector(".phone-number").id = `f-phones.${i}.number`;
    row.querySelector(".phone-label").id = `f-phones.${i}.label`;
    row.querySelector(".phone-number").setAttribute("aria-label", `${t("phone")} ${i + 1}`);
    row.querySelector(".remove-phone").setAttribute("aria-label", `${t("remove_phone")} ${i + 1}`);
  });
  for (const p of v.phones.length ? v.phones : [{ label: "mobile", number: "" }]) phoneList.append(phoneRow(p));
  numberPhones();
  const addPhone = h("button", { type: "button", class: "secondary", id: "add-phone" }, `+ ${t("add_phone")}`);
  addPhone.addEventListener("click", () => { phoneList.append(phoneRow({ label: "mobile", number: "" })); numberPhones(); phoneList.lastChild.querySelector("input").focus(); });

  // Groups of the card that the list of groups does not know (yet) stay choosable.
  const groupNames = [...new Set([...state.groups, ...v.groups, ...(state.base ? state.base.groups : [])])];
  const conflictBox = state.conflicts ? conflictPanel(id, state) : null;
  const form = h("form", { class: "customer-form", novalidate: true },
    h("p", { id: "form-live", class: "live", role: "status", hidden: true }),
    conflictBox,
    select("salutation", t("salutation"), [["", "–"], ...["Frau", "Herr", "Divers"].map((v) => [v, t("salutation_" + v.toLowerCase())])]),
    input("title", t("title"), "text", { autocomplete: "off" }),
    input("first_name", t("first_name"), "text", { autocomplete: "off" }),
    input("last_name", t("last_name"), "text", { autocomplete: "off" }),
    input("company", t("company"), "text", { autocomplete: "off" }),
    h("fieldset", { class: "phones-set" }, h("legend", {}, t("phones")), phoneList, addPhone),
    input("email", t("email"), "email", { autocomplete: "off" }),
    input("birthday", t("birthday"), "text", { inputmode: "numeric", autocomplete: "off" }),
    input("address.street", t("street")),
    input("address.postal_code", t("postal_code"), "text", { inputmode: "numeric" }),
    input("address.city", t("city")),
    select("preferred_contact", t("preferred_contact"), ["none", "phone", "sms", "email"].map((c) => [c, t("channel_" + c)])),
    input("stylist", t("stylist"), "text", { autocomplete: "off" }),
    h("fieldset", { class: "groups", "data-field": "groups" }, h("legend", {}, t("groups")),
      ...groupNames.map((g) => h("label", { class: "check" }, h("input", { type: "checkbox", name: "group", value: g, checked: v.groups.includes(g) }), g)),
      h("p", { class: "field-error", hidden: true })),
    h("fieldset", { class: "consents" }, h("legend", {}, t("consents")),
      check("reminder_consent", t("reminders")), check("marketing_consent", t("marketing"))),
    h("p", { class: "error", id: "form-error", hidden: true, role: "alert" }),
    h("div", { class: "sticky-action" }, h("button", { type: "submit", id: "save" }, t("save"))));
  form.readValues = () => {
    const val = (name) => form.querySelector(`[name="${name}"]`).value;
    const flat = {};
    for (const key of FORM_FIELDS) {
      if (key === "phones") flat.phones = [...phoneList.children].map((row) => ({ label: row.querySelector(".phone-label").value, number: row.querySelector(".phone-number").value }));
      else if (key === "groups") flat.groups = [...form.querySelectorAll('input[name="group"]:checked')].map((x) => x.value);
      else if (key.endsWith("_consent")) flat[key] = form.querySelector(`[name="${key}"]`).checked;
      else flat[key] = val(key);
    }
    return flat;
  };
  form.addEventListener("submit", (event) => { event.preventDefault(); saveForm(id, form, state); });
  show(h("h1", {}, id ? t("edit_customer") : t("new_customer")), form);
  if (conflictBox) conflictBox.scrollIntoView();
}

async function saveForm(id, form, state) {
  const mine = form.readValues();
  form.querySelectorAll(".field-error").forEach((p) => { p.hidden = true; });
  const formError = document.getElementById("form-error");
  formError.hidden = true;
  const button = form.querySelector("#save");
  button.disabled = true;
  try {
    let saved;
    if (!id) saved = await api("POST", "/api/v1/customers", draftOf(mine));
    else {
      const patch = patchOf(state.base, mine);
      // Nothing changed: nothing to send.
      if (Object.keys(patch).length) saved = await api("PATCH", `/api/v1/customers/${id}`, { version: state.version, ...patch });
    }
    go(`/customers/${saved ? saved.id : id}`);
  } catch (e) {
    button.disabled = false;
    if (e.status === 409 && e.body && e.body.current) return resolveConflict(id, state, mine, e.body.current);
    const fields = (e.body && e.body.fields) || {};
    for (const [name, message] of Object.entries(fields)) {
      const box = form.querySelector(`[data-field="${name}"] .field-error`);
      if (box) { box.textContent = message; box.hidden = false; }
    }
    formError.textContent = e.status === 409 ? t("stale") : e.message;
    formError.hidden = false;
    const first = form.querySelector(".field-error:not([hidden])");
    if (first) first.parentElement.scrollIntoView({ block: "center" });
  }
}

// After a 409: the saved card becomes the new base. What only the other side changed is taken
// over; what only this user changed stays; what both changed (differently) is for the user to
// choose, field by field. Nothing typed is dropped: the user's value is one of the choices.
function resolveConflict(id, state, mine, saved) {
  const theirs = flatOf(saved);
  const values = structuredClone(theirs);
  const conflicts = [];
  for (const key of FORM_FIELDS) {
    const iChanged = !sameValue(key, state.base[key], mine[key]);
    if (!iChanged) continue;
    const theyChanged = !sameValue(key, state.base[key], theirs[key]);
    if (theyChanged && !sameValue(key, mine[key], theirs[key])) conflicts.push({ key, mine: mine[key], theirs: theirs[key], pick: "mine" });
    values[key] = mine[key];
  }
  const next = { ...state, values, base: theirs, version: saved.version, conflicts: conflicts.length ? conflicts : null };
  renderForm(id, next);
  // Nothing to choose: the merged form is saved at once on the new version.
  if (!conflicts.length) saveForm(id, document.querySelector("form.customer-form"), next);
}

function conflictPanel(id, state) {
  const rows = state.conflicts.map((c, i) => {
    const name = `pick-${i}`;
    const option = (which, label, value) => h("label", { class: "check choice" },
      h("input", { type: "radio", name, value: which, checked: c.pick === which, "data-key": c.key }),
      h("span", {}, h("small", {}, label), h("span", { class: "value" }, shownValue(c.key, value))));
    return h("fieldset", { class: "conflict-field", "data-conflict": c.key }, h("legend", {}, fieldLabel(c.key)),
      option("mine", t("your_value"), c.mine), option("theirs", t("saved_value"), c.theirs));
  });
  const take = h("button", { type: "button", id: "conflict-take" }, t("take_choice"));
  take.addEventListener("click", () => {
    const form = take.closest("form");
    const values = form.readValues();
    state.conflicts.forEach((c, i) => {
      const picked = form.querySelector(`input[name="pick-${i}"]:checked`);
      values[c.key] = picked && picked.value === "theirs" ? c.theirs : c.mine;
    });
    renderForm(id, { ...state, values, conflicts: null });
    saveForm(id, document.querySelector("form.customer-form"), { ...state, conflicts: null });
  });
  return h("section", { class: "conflict", id: "conflict", role: "alert" },
    h("p", {}, h("strong", {}, t("conflict_title"))), h("p", { class: "hint" }, t("conflict_hint")), ...rows, take);
}

// ---- stats ------------------------------------------------------------------------------
async function statsView() {
  current = { name: "stats", id: null };
  let s;
  try { s = await api("GET", "/api/v1/stats"); } catch (e) { return show(h("p", { class: "error" }, e.message)); }
  const max = Math.max(1, ...s.visits_per_month.map((m) => m.visits));
  const tile = (label, value) => h("div", { class: "tile" }, h("strong", {}, String(value)), h("span", {}, label));
  show(h("h1", {}, t("stats")),
    h("div", { class: "tiles" }, tile(t("total"), s.total_customers), tile(t("new_week"), s.new_this_week), tile(t("regulars"), s.regulars), tile(t("occasional"), s.occasional)),
    h("h2", {}, t("visits")),
    h("ul", { class: "bars" }, ...s.visits_per_month.map((m) => h("li", {}, h("span", { class: "month" }, m.month),
      h("meter", { min: "0", max: String(max), value: String(m.visits) }), h("span", { class: "n" }, String(m.visits))))),
    h("h2", {}, t("birthdays")),
    h("ul", {}, ...(s.birthdays_today.length ? s.birthdays_today.map((c) => h("li", {}, h("a", { href: `/customers/${c.id}`, "data-link": true }, fullName(c)))) : [h("li", {}, t("none"))])),
    await backupPanel(),
    await sessionPanel(),
    await retentionPanel(),
    await auditPanel());
}

// ---- session length (owners): how long a phone stays logged in without use ---------------
function durationText(minutes) {
  if (minutes === 60) return t("duration_one_hour");
  return minutes % 60 === 0 ? tf("duration_hours", { n: minutes / 60 }) : tf("duration_minutes", { n: minutes });
}
async function sessionPanel() {
  const panel = h("section", { id: "session-length", class: "session-settings" });
  const me = await whoAmI();
  if (!me || me.role !== "owner") return panel;
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const saved = h("p", { class: "hint", id: "session-saved", role: "status", hidden: true });
  const render = (s) => {
    const choices = s.choices.includes(s.minutes) ? s.choices : [...s.choices, s.minutes].sort((a, b) => a - b);
    const pick = h("select", { id: "session-minutes" },
      ...choices.map((m) => h("option", { value: String(m), selected: m === s.minutes }, durationText(m))));
    const form = h("form", { id: "session-settings" },
      h("label", { for: "session-minutes" }, t("session_idle")), pick,
      h("p", { class: "hint" }, t("session_idle_hint")),
      h("button", { type: "submit", id: "session-save" }, t("backup_save")));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      error.hidden = true;
      saved.hidden = true;
      try {
        const next = await api("PUT", "/api/v1/settings/session", { minutes: Number(pick.value) });
        render(next);
        saved.textContent = tf("session_idle_saved", { duration: durationText(next.minutes) });
        saved.hidden = false;
      } catch (e) { error.textContent = e.message; error.hidden = false; }
    });
    panel.replaceChildren(h("h2", {}, t("session_idle")), form, saved, error);
  };
  try { render(await api("GET", "/api/v1/settings/session")); } catch (e) { panel.replaceChildren(h("p", { class: "error" }, e.message)); }
  return panel;
}

// ---- retention (owners): customers without a visit for the period, anonymise or erase ----
async function retentionPanel() {
  const panel = h("section", { id: "retention", class: "retention" });
  const me = await whoAmI();
  if (!me || me.role !== "owner") return panel;
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const render = (r) => {
    const years = h("input", { type: "number", id: "retention-years", min: "1", max: "30", value: String(r.years), inputmode: "numeric" });
    const form = h("form", { id: "retention-settings" }, h("label", {}, `${t("retention_years")} `, years), h("button", { type: "submit" }, t("backup_save")));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      error.hidden = true;
      try { render(await api("PUT", "/api/v1/retention/settings", { years: Number(years.value) })); } catch (e) { error.textContent = e.message; error.hidden = false; }
    });
    const list = h("ul", { class: "retention-due", id: "retention-due" }, ...(r.due.length ? r.due.map((c) => {
      const when = c.last_visit ? tf("retention_last_visit", { when: date(c.last_visit) }) : tf("retention_never_visited", { when: date(c.created) });
      const anonymise = h("button", { type: "button", class: "retention-anonymise" }, t("retention_anonymise"));
      anonymise.addEventListener("click", async () => {
        if (!confirm(tf("retention_confirm", { name: c.name }))) return;
        error.hidden = true;
        try { render(await api("POST", `/api/v1/customers/${c.id}/anonymise`)); } catch (e) { error.textContent = e.message; error.hidden = false; }
      });
      return h("li", {}, h("a", { href: `/customers/${c.id}`, "data-link": true }, c.name), ` · ${when} `, anonymise);
    }) : [h("li", {}, t("retention_none"))]));
    panel.replaceChildren(h("h2", {}, tf("retention", { years: r.years })), list, form, error);
  };
  try { render(await api("GET", "/api/v1/retention")); } catch (e) { panel.replaceChildren(h("p", { class: "error" }, e.message)); }
  return panel;
}

// ---- audit log (owners): who viewed, changed, exported which card ----------------------
function auditLine(e, withCustomer) {
  const who = h("strong", {}, e.by || "–");
  const what = e.detail ? `${e.label} (${e.detail})` : e.label;
  const customer = withCustomer && e.customer_id != null
    ? [" · ", h("a", { href: `/customers/${e.customer_id}`, "data-link": true }, tf("audit_customer", { id: e.customer_id }))] : [];
  return h("li", { class: e.action === "viewed_health" ? "audit-health" : "" }, `${dateTime(e.at)} `, who, ` ${what}`, ...customer);
}

// On the card, for owners: the card's entries, fetched when opened (a view of the log itself
// is not logged).
function auditOfCustomer(id) {
  const box = h("details", { class: "audit", id: "audit-card", "data-keep": `audit-${id}`, hidden: true }, h("summary", {}, t("audit_card")));
  whoAmI().then((me) => { box.hidden = !(me && me.role === "owner"); });
  box.addEventListener("toggle", async () => {
    if (!box.open || box.dataset.loaded) return;
    box.dataset.loaded = "1";
    try {
      const entries = await api("GET", `/api/v1/customers/${id}/audit`);
      box.append(entries.length ? h("ul", { class: "audit-entries" }, ...entries.map((e) => auditLine(e, false))) : h("p", {}, t("audit_empty")));
    } catch (e) { box.append(h("p", { class: "error", role: "alert" }, e.message)); }
  });
  return box;
}

// On the statistics screen, for owners: the newest entries, older ones page by page, the download.
async function auditPanel() {
  const panel = h("section", { id: "audit", class: "audit" });
  const me = await whoAmI();
  if (!me || me.role !== "owner") return panel;
  const list = h("ul", { class: "audit-entries", id: "audit-entries" });
  const more = h("button", { type: "button", id: "audit-more", hidden: true }, t("audit_more"));
  const error = h("p", { class: "error", role: "alert", hidden: true });
  let before = null;
  const load = async () => {
    try {
      const page = await api("GET", `/api/v1/audit?limit=50${before ? `&before=${before}` : ""}`);
      if (!page.items.length && !list.children.length) list.append(h("li", {}, t("audit_empty")));
      list.append(...page.items.map((e) => auditLine(e, true)));
      before = page.next_before;
      more.hidden = !before;
    } catch (e) { error.textContent = e.message; error.hidden = false; }
  };
  more.addEventListener("click", load);
  panel.append(h("h2", {}, t("audit")),
    h("p", {}, h("a", { href: "/api/v1/audit.xlsx", download: "", id: "audit-download", class: "button" }, t("audit_download")), " ",
      h("a", { href: "/api/v1/gdpr/record.md", download: "", id: "gdpr-record", class: "button" }, t("gdpr_record"))),
    list, more, error);
  await load();
  return panel;
}

// ---- backups (owners): status line, "Jetzt sichern", settings ---------------------------
const megabytes = (bytes) => (bytes / 1048576).toLocaleString(EN ? "en-GB" : "de-DE", { maximumFractionDigits: 1 });

// The status line for the list's top (owners only, and only when something is wrong).
async function backupWarning(place) {
  const me = await whoAmI();
  if (!me || me.role !== "owner") return;
  const b = await api("GET", "/api/v1/backups").catch(() => null);
  if (!b || b.health !== "warning" || !place.isConnected) return;
  place.replaceChildren(h("a", { href: "/stats", "data-link": true }, `⚠ ${b.text}`));
  place.hidden = false;
}

// The owner's backup panel on the statistics screen.
async function backupPanel() {
  const panel = h("section", { id: "backups", class: "backups" });
  const me = await whoAmI();
  if (!me || me.role !== "owner") return panel;
  const render = (b) => {
    const line = h("p", { id: "backup-status", class: b.health === "good" ? "backup-good" : "warning", role: "status" },
      b.running ? t("backup_running") : b.text);
    const targets = h("ul", { class: "backup-targets" }, ...b.targets.map((x) => h("li", {},
      x.error ? h("span", { class: "error" }, `✗ ${x.label}: ${x.error}`)
        : x.last_good_at ? tf("backup_target_line", { label: x.label, when: dateTime(x.last_good_at), customers: (x.last_good_customers || 0).toLocaleString(EN ? "en-GB" : "de-DE"), mb: megabytes(x.last_good_bytes || 0) })
          : `${x.label}: ${t("backup_never")}`)));
    const now = h("button", { type: "button", id: "backup-now", disabled: b.running }, t("backup_now"));
    const error = h("p", { class: "error", role: "alert", hidden: true });
    now.addEventListener("click", async () => {
      error.hidden = true;
      try { render(await api("POST", "/api/v1/backups")); } catch (e) { error.textContent = e.message; error.hidden = false; }
    });
    const s = b.settings;
    const automatic = h("input", { type: "checkbox", id: "backup-automatic", checked: s.automatic });
    const time = h("input", { type: "time", id: "backup-time", value: s.time, required: true });
    const folder = h("input", { type: "text", id: "backup-folder", value: s.folder || "", placeholder: "/mnt/nas/kartei", autocomplete: "off" });
    const usb = h("input", { type: "checkbox", id: "backup-usb", checked: s.usb_sticks });
    const saved = h("p", { class: "hint", role: "status", hidden: true }, t("backup_settings_saved"));
    const form = h("form", { id: "backup-settings" },
      h("label", { class: "check" }, automatic, t("backup_automatic")),
      h("label", { for: "backup-time" }, t("backup_time")), time,
      h("label", { for: "backup-folder" }, t("backup_folder")), folder,
      h("label", { class: "check" }, usb, t("backup_usb")), saved,
      h("button", { type: "submit", class: "secondary" }, t("backup_save")));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.hidden = true;
      try {
        render(await api("PUT", "/api/v1/backups/settings", { automatic: automatic.checked, time: time.value, folder: folder.value, usb_sticks: usb.checked }));
        document.querySelector("#backup-settings .hint").hidden = false;
      } catch (e) { error.textContent = e.message; error.hidden = false; }
    });
    panel.replaceChildren(h("h2", {}, t("backups")), line, now, error, h("h3", {}, t("backup_targets")), targets, form);
    // While a run is under way, look again until it is done (the event also says so).
    if (b.running) setTimeout(refreshBackups, 1500);
  };
  panel.render = render;
  const b = await api("GET", "/api/v1/backups").catch(() => null);
  if (b) render(b);
  return panel;
}
async function refreshBackups() {
  const panel = document.getElementById("backups");
  if (!panel || !panel.render) return;
  const b = await api("GET", "/api/v1/backups").catch(() => null);
  if (b && panel.isConnected) panel.render(b);
}

// ---- new appointment: pick the customer from a searchable list --------------------------
async function appointmentView() {
  current = { name: "appointment", id: null };
  const services = await api("GET", "/api/v1/services").catch(() => []);
  let picked = null;
  const search = h("input", { type: "search", id: "pick", placeholder: t("pick"), "aria-label": t("pick"), autocomplete: "off" });
  const results = h("ul", { class: "list pick" });
  const chosen = h("p", { class: "picked" });
  let seq = 0;
  search.addEventListener("input", async () => {
    const mine = ++seq;
    const page = await api("GET", `/api/v1/customers?${new URLSearchParams({ q: search.value, limit: "10" })}`).catch(() => null);
    if (!page || mine !== seq) return;
    results.replaceChildren(...page.items.map((c) => {
      const b = h("button", { type: "button", class: "item" }, `${c.last_name}, ${c.first_name}`, c.phones[0] ? ` · ${c.phones[0].display}` : "");
      b.addEventListener("click", () => { picked = c; chosen.textContent = `${t("picked")}: ${fullName(c)}`; results.replaceChildren(); });
      return h("li", {}, b);
    }));
  });
  const now = new Date(Date.now() + 3600e3);
  now.setMinutes(0, 0, 0);
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 60e3).toISOString().slice(0, 16);
  const start = h("input", { type: "datetime-local", id: "start", value: local, "aria-label": t("start") });
  const service = h("select", { id: "service", "aria-label": t("service") }, h("option", { value: "" }, "–"), ...services.map((s) => h("option", { value: String(s.id) }, s.name)));
  const error = h("p", { class: "error", hidden: true, role: "alert" });
  const form = h("form", {}, h("label", {}, t("customer")), search, results, chosen,
    h("label", { for: "start" }, t("start")), start, h("label", { for: "service" }, t("service")), service, error,
    h("button", { type: "submit" }, t("book")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    if (!picked) { error.textContent = t("pick"); error.hidden = false; return; }
    try {
      await api("POST", "/api/v1/appointments", {
        customer_id: picked.id, start: new Date(start.value).toISOString(),
        service_ids: service.value ? [Number(service.value)] : [],
      });
      go(`/customers/${picked.id}`);
    } catch (e) { error.textContent = e.message; error.hidden = false; }
  });
  show(h("h1", {}, t("appointment")), form);
}

// ---- messages (issue 16): the card's mails, writing one, consent, the unread badge -----------
// Mail text is the customer's: it goes into the page with textContent only (h() never parses
// HTML), shown as written (white-space: pre-wrap).
let seenUnread = new Set();
let messagesTimer = null;
let templatesOnce = null;
const templates = () => (templatesOnce ??= api("GET", "/api/v1/mail/templates").catch(() => { templatesOnce = null; return []; }));
const kilobytes = (bytes) => `${Math.max(1, Math.round(bytes / 1024)).toLocaleString(EN ? "en-GB" : "de-DE")} KB`;

// The header's ✉ with the number of unread messages (all of them, assigned or not).
async function refreshBadge() {
  const badge = document.getElementById("unread-badge");
  if (!badge) return;
  const s = await api("GET", "/api/v1/mail/status").catch(() => null);
  if (!s) return;
  badge.textContent = String(s.unread);
  badge.hidden = !s.unread;
  badge.title = tf("unread_count", { n: s.unread });
  const nav = document.getElementById("nav-messages");
  if (nav) nav.classList.toggle("failed", s.failed > 0);
}

// The delivery line of a message: state, and for a failed one the reason and "Erneut senden".
function deliveryLine(m, redraw) {
  const d = m.delivery;
  const word = { queued: d.attempts ? "message_retrying" : "message_queued", paused: "message_paused", sent: "message_sent",
    failed: "message_failed", received: "message_received" }[d.state] || "message_queued";
  const line = h("p", { class: `delivery ${d.state}` }, t(word), d.state === "sent" && d.at ? ` · ${dateTime(d.at)}` : "");
  if (d.state === "queued" && d.last_error) line.append(h("span", { class: "error" }, ` – ${d.last_error}`));
  if (d.state === "failed") {
    line.append(h("span", { class: "error" }, ` – ${d.error}`));
    const retry = h("button", { type: "button", class: "secondary message-retry" }, t("retry_send"));
    const error = h("span", { class: "error", role: "alert" });
    retry.addEventListener("click", async () => {
      retry.disabled = true;
      try { await api("POST", `/api/v1/messages/${m.id}/retry`); redraw(); } catch (e) { error.textContent = errorText(e); retry.disabled = false; }
    });
    line.append(" ", retry, error);
  }
  return line;
}

// One mail: who, when, subject, the text, attachments, its state and unread mark.
function messageItem(m, redraw) {
  const unread = m.unread || seenUnread.has(m.id);
  const who = m.direction === "in"
    ? `${t("message_from")}: ${m.display_name ? `${m.display_name} <${m.address}>` : m.address}`
    : `${t("message_to")}: ${m.address}${m.by ? ` · ${m.by}` : ""}`;
  const kind = m.kind !== "personal" ? h("span", { class: "msg-kind" }, ` · ${t("msg_kind_" + m.kind)}`) : null;
  const effect = m.effect ? h("p", { class: "effect" }, t(m.effect === "unsubscribed" ? "message_unsubscribed" : "message_confirmed_consent")) : null;
  const attachments = m.attachments && m.attachments.length
    ? h("div", { class: "attachments" }, h("span", {}, `${t("attachments")}: `),
      h("ul", {}, ...m.attachments.map((a) => h("li", {}, `📎 ${a.name} (${kilobytes(a.size)})`)))) : null;
  return h("div", { class: `message ${m.direction}${unread ? " unread" : ""}`, "data-message": String(m.id) },
    h("p", { class: "msg-head" }, unread ? h("span", { class: "unread-mark" }, t("unread")) : null,
      h("strong", { class: "subject" }, m.subject), kind),
    h("p", { class: "meta" }, `${dateTime(m.at)} · ${who}`),
    h("p", { class: "text" }, m.text), attachments, effect,
    m.direction === "out" ? deliveryLine(m, redraw) : null);
}

// A history line: bookings and notes as one line, mails in full.
function historyItem(e, redraw) {
  if (e.message) return h("li", { class: `history-message ${e.kind}` }, messageItem(e.message, redraw));
  return h("li", {}, `${date(e.at)} ${e.title}`, e.detail ? ` – ${e.detail}` : "");
}

// Marketing consent as it stands, asking for confirmation by mail, and the consent log.
function consentBox(c, id) {
  const m = c.marketing_consent;
  const state = m.given ? (m.confirmed ? t("consent_confirmed") : t("consent_unconfirmed")) : t("consent_none");
  const status = h("p", { class: `consent ${m.given && m.confirmed ? "confirmed" : "unconfirmed"}`, id: "consent-state" }, `${t("marketing")}: `, h("strong", {}, state));
  const note = h("p", { class: "hint", role: "status", hidden: true });
  const ask = h("button", { type: "button", class: "secondary", id: "consent-request", hidden: !c.email || (m.given && m.confirmed) }, t("request_consent"));
  ask.addEventListener("click", async () => {
    ask.disabled = true;
    try { await api("POST", `/api/v1/customers/${id}/consent-request`); note.textContent = t("consent_requested"); note.className = "hint"; } catch (e) { note.textContent = errorText(e); note.className = "error"; ask.disabled = false; }
    note.hidden = false;
  });
  const log = c.consent_log && c.consent_log.length ? h("details", { class: "consent-log", id: "consent-log" }, h("summary", {}, t("consent_log")),
    h("ul", {}, ...c.consent_log.slice().reverse().map((x) => h("li", {},
      `${dateTime(x.at)} · ${t(x.kind === "marketing" ? "marketing" : "reminders")}: ${x.given ? "✓" : "✗"}${x.confirmed ? ` (${t("consent_confirmed")})` : ""}`,
      x.how ? ` · ${x.how}` : "", x.by ? ` · ${x.by}` : "", x.proof ? h("small", { class: "proof" }, x.proof) : null)))) : null;
  return h("div", { class: "consent-box" }, status, ask, note, log);
}

// "Nachricht schreiben": a template fills subject and text for this customer to edit; the
// form is kept as typed through live updates (data-keep).
function messageForm(id, c, redraw) {
  const template = h("select", { id: "message-template", "aria-label": t("message_template") }, h("option", { value: "" }, `${t("message_template")} …`));
  templates().then((list) => template.append(...list.filter((x) => x.use === "message").map((x) => h("option", { value: x.key }, x.name))));
  const subject = h("input", { type: "text", id: "message-subject", maxlength: "200", autocomplete: "off" });
  const text = h("textarea", { id: "message-text", rows: "5", maxlength: "20000" });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const done = h("p", { class: "hint", role: "status", hidden: true });
  const send = h("button", { type: "submit", id: "message-send" }, t("send_message"));
  const form = h("form", { class: "message-form", id: "message-form", "data-keep": `msg-${id}` },
    h("h3", {}, t("write_message")), template,
    h("div", { class: "input" }, h("label", { for: "message-subject" }, t("message_subject")), subject),
    h("div", { class: "input" }, h("label", { for: "message-text" }, t("message_text")), text),
    error, done, send);
  if (!c.email) { send.disabled = true; done.textContent = t("mail_no_email"); }
  template.addEventListener("change", async () => {
    if (!template.value) return;
    error.hidden = true;
    try {
      const draft = await api("POST", `/api/v1/customers/${id}/messages`, { template: template.value });
      subject.value = draft.subject;
      text.value = draft.text;
      text.focus();
    } catch (e) { error.textContent = errorText(e); error.hidden = false; }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    done.hidden = true;
    send.disabled = true;
    try {
      await api("POST", `/api/v1/customers/${id}/messages`, { subject: subject.value, text: text.value });
      subject.value = "";
      text.value = "";
      template.value = "";
      done.textContent = t("message_sent_toast");
      done.hidden = false;
      redraw();
    } catch (e) { error.textContent = errorText(e); error.hidden = false; }
    send.disabled = false;
  });
  return form;
}

// A customer picker: type, tap one; `onPick(customer)`.
function customerPicker(label, onPick) {
  const search = h("input", { type: "search", class: "assign-search", placeholder: t("pick"), "aria-label": label, autocomplete: "off" });
  const results = h("ul", { class: "list pick" });
  let seq = 0;
  search.addEventListener("input", async () => {
    const mine = ++seq;
    const page = await api("GET", `/api/v1/customers?${new URLSearchParams({ q: search.value, limit: "8" })}`).catch(() => null);
    if (!page || mine !== seq) return;
    results.replaceChildren(...page.items.map((c) => {
      const b = h("button", { type: "button", class: "item" }, `${c.last_name}, ${c.first_name}`, c.email ? ` · ${c.email}` : "");
      b.addEventListener("click", () => onPick(c));
      return h("li", {}, b);
    }));
  });
  return h("div", { class: "picker" }, h("label", {}, label), search, results);
}

// "Nachrichten": messages not sent (with "Erneut senden"), the unassigned list with assigning,
// and for owners the way to the mail settings and the newsletter.
async function messagesView() {
  current = { name: "messages", id: null };
  const me = await whoAmI();
  show(h("h1", {}, t("messages")),
    h("p", { class: "actions", id: "owner-mail-links", hidden: !(me && me.role === "owner") },
      h("a", { href: "/mail", "data-link": true, class: "button", id: "link-mail" }, t("mail_settings")),
      h("a", { href: "/newsletter", "data-link": true, class: "button", id: "link-newsletter" }, t("newsletter"))),
    h("p", { id: "mail-status", class: "hint" }),
    h("section", { id: "failed-messages" }),
    h("h2", {}, t("unassigned")),
    h("ul", { class: "messages", id: "unassigned" }));
  await loadMessagesScreen();
}
async function loadMessagesScreen() {
  const [failed, unassigned, status] = await Promise.all([api("GET", "/api/v1/messages/failed").catch(() => null),
    api("GET", "/api/v1/messages/unassigned").catch(() => null), api("GET", "/api/v1/mail/status").catch(() => null)]);
  if (current.name !== "messages") return;
  const redraw = () => loadMessagesScreen();
  const line = document.getElementById("mail-status");
  if (status && line) {
    const errors = [status.send_error, status.inbox_error, status.sent_folder_error].filter(Boolean);
    line.textContent = !status.configured ? t("mail_status_off")
      : status.inbox_checked_at ? tf("mail_status_ok", { when: dateTime(status.inbox_checked_at) }) : "";
    line.className = errors.length ? "warning" : "hint";
    if (errors.length) line.textContent = errors.join(" ");
  }
  const box = document.getElementById("failed-messages");
  if (failed && box) {
    box.replaceChildren(...(failed.length ? [h("h2", { class: "error" }, tf("messages_not_sent", { n: failed.length })),
      h("ul", { class: "messages" }, ...failed.map((m) => h("li", {}, m.customer != null
        ? h("a", { href: `/customers/${m.customer}`, "data-link": true }, m.display_name || m.address) : null, messageItem(m, redraw))))] : []));
  }
  const list = document.getElementById("unassigned");
  if (!unassigned || !list) return;
  // An open picker survives the reload (it is being typed into).
  const open = new Map([...list.querySelectorAll("li[data-keep]")].map((li) => [li.dataset.keep, li]));
  list.replaceChildren(...(unassigned.length ? unassigned.map((m) => open.get(`assign-${m.id}`) || unassignedItem(m, redraw)) : [h("li", {}, t("no_unassigned"))]));
}
function unassignedItem(m, redraw) {
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const li = h("li", { class: "unassigned", "data-message": String(m.id) }, messageItem(m, redraw));
  const actions = h("div", { class: "note-actions" });
  const assign = h("button", { type: "button", class: "assign" }, t("assign_to"));
  assign.addEventListener("click", () => {
    actions.hidden = true;
    li.dataset.keep = `assign-${m.id}`;
    const picker = customerPicker(t("assign_pick"), async (c) => {
      error.hidden = true;
      try { await api("POST", `/api/v1/messages/${m.id}/assign`, { customer: c.id }); li.remove(); redraw(); refreshBadge(); } catch (e) { error.textContent = errorText(e); error.hidden = false; }
    });
    li.insertBefore(picker, error);
    picker.querySelector("input").focus();
  });
  actions.append(assign);
  if (m.unread) {
    const read = h("button", { type: "button", class: "secondary mark-read" }, t("mark_read"));
    read.addEventListener("click", async () => {
      try { await api("POST", `/api/v1/messages/${m.id}/read`, { read: true }); redraw(); refreshBadge(); } catch (e) { error.textContent = errorText(e); error.hidden = false; }
    });
    actions.append(read);
  }
  li.append(actions, error);
  return li;
}

// Shows a failed save's per-field messages under the fields of `form` (`data-field` names).
function fieldErrors(form, e) {
  form.querySelectorAll(".field-error").forEach((x) => x.remove());
  const fields = (e.body && e.body.fields) || {};
  for (const [name, message] of Object.entries(fields)) {
    const input = form.querySelector(`[data-field="${name}"]`);
    if (input) input.after(h("p", { class: "field-error", role: "alert" }, message));
  }
}

// ---- mail settings (owners): the account, the password write-only, the test ------------------
async function mailSettingsView() {
  current = { name: "mail", id: null };
  let s;
  try { s = await api("GET", "/api/v1/mail/settings"); } catch (e) { return show(h("p", { class: "error" }, e.message)); }
  if (current.name !== "mail") return;
  const input = (name, label, attrs = {}) => {
    const el = h(attrs.rows ? "textarea" : "input", { id: `mail-${name}`, "data-field": name, autocomplete: "off", ...attrs });
    if (attrs.type === "checkbox") el.checked = !!s[name]; else el.value = s[name] ?? "";
    return attrs.type === "checkbox" ? h("label", { class: "check" }, el, label) : h("div", { class: "input" }, h("label", { for: `mail-${name}` }, label), el);
  };
  const security = (name) => h("div", { class: "input" }, h("label", { for: `mail-${name}` }, t("mail_security")),
    h("select", { id: `mail-${name}`, "data-field": name }, ...[["start_tls", "security_starttls"], ["tls", "security_tls"]].map(([v, w]) => h("option", { value: v, selected: s[name] === v }, t(w)))));
  const saved = h("p", { class: "hint", role: "status", hidden: true }, t("mail_saved"));
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const templatesBox = templateEditor(s.templates);
  const form = h("form", { id: "mail-form" },
    input("address", t("mail_address"), { type: "email" }), input("sender_name", t("mail_sender_name")),
    h("fieldset", {}, h("legend", {}, t("smtp_server")), input("smtp_host", t("smtp_server")),
      h("div", { class: "row" }, input("smtp_port", t("mail_port"), { type: "number", inputmode: "numeric", min: "1", max: "65535" }), security("smtp_security"))),
    h("fieldset", {}, h("legend", {}, t("imap_server")), input("imap_host", t("imap_server")),
      h("div", { class: "row" }, input("imap_port", t("mail_port"), { type: "number", inputmode: "numeric", min: "1", max: "65535" }), security("imap_security"))),
    input("user", t("mail_user")),
    input("password", t("mail_password"), { type: "password", autocomplete: "new-password", placeholder: s.password_set ? t("mail_password_kept") : "" }),
    s.password_set ? h("p", { class: "hint" }, t("mail_password_kept")) : null,
    input("extra_ca_pem", t("mail_certificate"), { rows: "4", spellcheck: "false" }),
    input("sent_folder", t("sent_folder")),
    input("newsletter_per_minute", t("newsletter_per_minute"), { type: "number", min: "1", max: "600" }),
    input("reminder_hours", t("reminder_hours"), { type: "number", min: "0", max: "336" }),
    input("birthday_greetings", t("birthday_greetings"), { type: "checkbox" }),
    templatesBox.box, error, saved, h("button", { type: "submit", id: "mail-save" }, t("save")));
  const read = () => {
    const v = (name) => form.querySelector(`#mail-${name}`).value;
    return { ...s, password_set: undefined, address: v("address").trim(), sender_name: v("sender_name"), smtp_host: v("smtp_host").trim(),
      smtp_port: Number(v("smtp_port")) || 0, smtp_security: v("smtp_security"), imap_host: v("imap_host").trim(),
      imap_port: Number(v("imap_port")) || 0, imap_security: v("imap_security"), user: v("user").trim(), password: v("password"),
      extra_ca_pem: v("extra_ca_pem"), sent_folder: v("sent_folder"), newsletter_per_minute: Number(v("newsletter_per_minute")) || 0,
      reminder_hours: Number(v("reminder_hours")) || 0, birthday_greetings: form.querySelector("#mail-birthday_greetings").checked,
      templates: templatesBox.list() };
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    saved.hidden = true;
    try {
      s = await api("PUT", "/api/v1/mail/settings", read());
      templatesBox.reset(s.templates);
      templatesOnce = null;
      form.querySelector("#mail-password").value = "";
      form.querySelector("#mail-password").placeholder = t("mail_password_kept");
      fieldErrors(form, {});
      saved.hidden = false;
    } catch (e) { fieldErrors(form, e); error.textContent = e.message; error.hidden = false; }
  });
  const test = h("button", { type: "button", id: "mail-test", class: "secondary" }, t("send_test_mail"));
  const steps = h("ul", { class: "test-steps", id: "mail-test-steps" });
  const testNote = h("p", { class: "hint", id: "mail-test-result", role: "status" });
  test.addEventListener("click", async () => {
    test.disabled = true;
    steps.replaceChildren();
    testNote.textContent = t("test_mail_running");
    testNote.className = "hint";
    try {
      const r = await api("POST", "/api/v1/mail/test");
      const step = (key, x) => h("li", { class: x.ok ? "ok" : "error", "data-step": key }, `${x.ok ? "✓" : "✗"} ${t(key)}`, x.error ? `: ${x.error}` : "");
      steps.replaceChildren(step("test_step_send", r.sent), step("test_step_read", r.read), step("test_step_sent_folder", r.sent_folder), step("test_step_arrived", r.arrived));
      testNote.textContent = r.ok ? tf("test_mail_ok", { ms: r.arrived_ms }) : "";
      testNote.className = r.ok ? "hint ok" : "error";
    } catch (e) { testNote.textContent = e.message; testNote.className = "error"; }
    test.disabled = false;
  });
  show(h("h1", {}, t("mail_settings")), form, h("h2", {}, t("send_test_mail")), test, testNote, steps);
}

// The templates in the mail settings, one at a time: name, subject, text; owners add their own
// message templates and delete them (new ones get their key from core on saving; the templates
// Kartei's own mails use cannot be deleted). Errors come back as `templates.N.field`.
function templateEditor(initial) {
  let list = initial.map((x) => ({ ...x }));
  let at = 0;
  const pick = h("select", { id: "mail-template", "data-field": "templates" });
  const name = h("input", { type: "text", id: "mail-template-name", maxlength: "100", autocomplete: "off" });
  const subject = h("input", { type: "text", id: "mail-template-subject", maxlength: "200", autocomplete: "off" });
  const body = h("textarea", { id: "mail-template-body", rows: "6", maxlength: "20000" });
  const add = h("button", { type: "button", class: "secondary", id: "mail-template-new" }, t("template_new"));
  const remove = h("button", { type: "button", class: "danger", id: "mail-template-remove" }, t("template_remove"));
  const options = () => pick.replaceChildren(...list.map((x, i) => h("option", { value: String(i), selected: i === at }, x.name || "…")));
  const showOne = () => {
    const x = list[at];
    for (const [el, field] of [[name, "name"], [subject, "subject"], [body, "body"]]) {
      el.value = x ? x[field] : "";
      el.disabled = !x;
      el.dataset.field = `templates.${at}.${field}`;
    }
    remove.hidden = !x || x.use !== "message";
  };
  for (const [el, field] of [[name, "name"], [subject, "subject"], [body, "body"]]) {
    el.addEventListener("input", () => {
      if (!list[at]) return;
      list[at][field] = el.value;
      if (field === "name") pick.options[at].textContent = el.value || "…";
    });
  }
  pick.addEventListener("change", () => { at = Number(pick.value) || 0; showOne(); });
  add.addEventListener("click", () => {
    list.push({ key: "", name: t("template_new"), use: "message", lang: EN ? "en" : "de", subject: "", body: "" });
    at = list.length - 1;
    options();
    showOne();
    name.focus();
  });
  remove.addEventListener("click", () => {
    if (!list[at] || list[at].use !== "message") return;
    list.splice(at, 1);
    at = 0;
    options();
    showOne();
  });
  options();
  showOne();
  const box = h("fieldset", { id: "mail-templates" }, h("legend", {}, t("templates")),
    h("div", { class: "input" }, h("label", { for: "mail-template" }, t("templates")), pick),
    h("div", { class: "input" }, h("label", { for: "mail-template-name" }, t("template_name")), name),
    h("div", { class: "input" }, h("label", { for: "mail-template-subject" }, t("message_subject")), subject),
    h("div", { class: "input" }, h("label", { for: "mail-template-body" }, t("message_text")), body),
    h("p", { class: "hint" }, t("template_placeholders")),
    h("div", { class: "actions" }, add, remove));
  return {
    box,
    list: () => list.map((x) => ({ ...x })),
    reset: (fresh) => { list = fresh.map((x) => ({ ...x })); at = Math.min(at, list.length - 1); options(); showOne(); },
  };
}

// ---- newsletter (owners): audience, preview with who is left out, test, send, progress --------
async function newsletterView() {
  current = { name: "newsletter", id: null };
  const groups = await api("GET", "/api/v1/groups").catch(() => []);
  if (current.name !== "newsletter") return;
  const listQuery = { type: "list", q: listState.q, filter: listState.filter };
  const audience = h("select", { id: "newsletter-audience", "aria-label": t("newsletter_audience") },
    h("option", { value: "list" }, tf("current_list", { n: listState.total })),
    ...groups.map((g) => h("option", { value: String(g.id) }, tf("newsletter_group", { name: g.name }))));
  const chosen = () => (audience.value === "list" ? listQuery : { type: "group", group: Number(audience.value) });
  const label = () => audience.selectedOptions[0].textContent;
  const subject = h("input", { type: "text", id: "newsletter-subject", maxlength: "200", autocomplete: "off", "data-field": "subject" });
  const text = h("textarea", { id: "newsletter-text", rows: "8", maxlength: "20000", "data-field": "text" });
  const preview = h("div", { id: "newsletter-preview", class: "preview" });
  const note = h("p", { role: "status", id: "newsletter-note", hidden: true });
  const say = (message, cls = "hint") => { note.textContent = message; note.className = cls; note.hidden = false; };
  let count = null;
  const doPreview = async () => {
    preview.replaceChildren();
    try {
      const p = await api("POST", "/api/v1/newsletters/preview", { audience: chosen() });
      count = p.recipients_count;
      preview.replaceChildren(h("p", { class: "gets", id: "newsletter-gets" }, h("strong", {}, tf("newsletter_gets", { n: p.recipients_count }))),
        h("details", {}, h("summary", {}, tf("newsletter_gets", { n: p.recipients_count })),
          h("ul", {}, ...p.recipients.map((r) => h("li", {}, `${r.name} · ${r.email}`)))),
        h("details", { id: "newsletter-left-out", open: p.left_out.length > 0 && p.left_out.length <= 20 }, h("summary", {}, tf("newsletter_left_out", { n: p.left_out_count })),
          h("ul", {}, ...p.left_out.map((l) => h("li", {}, h("a", { href: `/customers/${l.id}`, "data-link": true }, l.name), ` – ${l.reason_text}`)))));
    } catch (e) { say(errorText(e), "error"); }
  };
  audience.addEventListener("change", doPreview);
  const form = h("form", { id: "newsletter-form" });
  const previewButton = h("button", { type: "button", class: "secondary", id: "newsletter-preview-button" }, t("newsletter_preview"));
  previewButton.addEventListener("click", doPreview);
  const test = h("button", { type: "button", class: "secondary", id: "newsletter-test" }, t("newsletter_send_test"));
  test.addEventListener("click", async () => {
    fieldErrors(form, {});
    try { const m = await api("POST", "/api/v1/newsletters/test", { subject: subject.value, text: text.value }); say(tf("newsletter_test_sent", { address: m.address })); } catch (e) { fieldErrors(form, e); say(e.message, "error"); }
  });
  form.append(h("p", { class: "hint" }, t("newsletter_only_consent")),
    h("div", { class: "input" }, h("label", { for: "newsletter-audience" }, t("newsletter_audience")), audience), previewButton, preview,
    h("div", { class: "input" }, h("label", { for: "newsletter-subject" }, t("message_subject")), subject),
    h("div", { class: "input" }, h("label", { for: "newsletter-text" }, t("message_text")), text),
    h("p", { class: "hint" }, t("template_placeholders")), note,
    h("div", { class: "actions" }, test, h("button", { type: "submit", id: "newsletter-send" }, t("newsletter_send_now"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    fieldErrors(form, {});
    if (count === null) await doPreview();
    if (count === null || !confirm(tf("newsletter_confirm", { n: count }))) return;
    try {
      await api("POST", "/api/v1/newsletters", { audience: chosen(), label: label(), subject: subject.value, text: text.value });
      subject.value = "";
      text.value = "";
      await loadNewsletters();
    } catch (e) { fieldErrors(form, e); say(e.message, "error"); }
  });
  show(h("h1", {}, t("newsletter_new")), form, h("h2", {}, t("newsletters_sent")), h("ul", { class: "newsletters", id: "newsletters" }));
  templates().then(async (list) => {
    const own = list.find((x) => x.use === "newsletter" && x.lang === (EN ? "en" : "de"));
    if (!own || subject.value || text.value) return;
    const all = await api("GET", "/api/v1/mail/settings").catch(() => null);
    const full = all && all.templates.find((x) => x.key === own.key);
    if (full && !subject.value && !text.value) { subject.value = full.subject; text.value = full.body; }
  });
  await Promise.all([doPreview(), loadNewsletters()]);
}
async function loadNewsletters() {
  const list = document.getElementById("newsletters");
  if (!list) return;
  const all = await api("GET", "/api/v1/newsletters").catch(() => null);
  if (!all || !list.isConnected) return;
  list.replaceChildren(...(all.length ? all.map((p) => {
    const n = p.newsletter;
    const pause = h("button", { type: "button", class: "secondary newsletter-pause", hidden: !p.waiting }, n.paused ? t("newsletter_resume") : t("newsletter_pause"));
    pause.addEventListener("click", async () => {
      try { await api("POST", `/api/v1/newsletters/${n.id}/pause`, { paused: !n.paused }); loadNewsletters(); } catch (e) { alert(e.message); }
    });
    return h("li", { class: "newsletter-item", "data-newsletter": String(n.id) },
      h("strong", {}, n.subject), h("p", { class: "meta" }, `${dateTime(n.at)} · ${n.audience} · ${n.by}`),
      h("progress", { max: String(Math.max(1, p.total)), value: String(p.sent) }),
      h("p", { class: "progress-text" }, tf("newsletter_progress", { sent: p.sent, total: p.total }),
        n.paused ? ` · ${t("message_paused")}` : "", p.failed ? h("span", { class: "error" }, ` · ${p.failed} ${t("message_failed")}`) : ""),
      pause);
  }) : [h("li", {}, t("none"))]));
  // While mails are waiting, look again (the outbox also says so by event).
  if (all.some((p) => p.waiting && !p.newsletter.paused)) { clearTimeout(loadNewsletters.timer); loadNewsletters.timer = setTimeout(loadNewsletters, 3000); }
}

// ---- live updates -----------------------------------------------------------------------
// Changes come in bursts: what is on screen is redrawn once, 200 ms after the last. The redraw
// is for the screen it was meant for; `route` drops it when the user moves on. A pending
// "live" redraw (it says that the card changed) is not downgraded by a "keep" one.
let refreshTimer = null;
let refreshMode = "";
function refreshSoon(mode) {
  clearTimeout(refreshTimer);
  if (refreshMode !== "live") refreshMode = mode;
  const { name, id } = current;
  refreshTimer = setTimeout(() => {
    const m = refreshMode;
    refreshMode = "";
    if (current.name !== name || current.id !== id) return;
    if (name === "list") loadList(true);
    else if (name === "photos") loadPhotos();
    else if (name === "card") cardView(id, m);
  }, 200);
}
function connectEvents() {
  const source = new EventSource("/api/v1/events");
  const onChange = (event) => {
    let data = {};
    try { data = JSON.parse(event.data); } catch (e) { /* resync */ }
    const mine = data.id === current.id || event.type === "resync";
    if (current.name === "list") refreshSoon("live");
    else if ((current.name === "photos" || current.name === "card") && mine) {
      if (event.type === "customer_deleted") {
        const note = document.getElementById("live-note");
        if (note) { note.textContent = t("deleted"); note.hidden = false; }
      } else refreshSoon("live");
    } else if (current.name === "form" && data.id === current.id) {
      // Never redraw a form being filled in: only say that the card changed (a save then
      // shows the fields both changed, see resolveConflict).
      const note = document.getElementById("form-live");
      if (note) { note.textContent = t("changed_while_editing"); note.hidden = false; }
    }
  };
  for (const name of ["customer_created", "customer_changed", "customer_deleted", "resync"]) source.addEventListener(name, onChange);
  source.addEventListener("backups_changed", () => { if (current.name === "stats") refreshBackups(); });
  // The server greets every (re)connection. Changes made before it were not announced to this
  // page (the first screen was read while the stream was connecting, or the Wi-Fi was gone):
  // what is on screen is read again, leaving forms in use alone. `data-live` on <body> says
  // that live updates are on.
  source.addEventListener("hello", () => {
    document.body.dataset.live = "on";
    setOffline(false);
    refreshSoon("keep");
  });
  source.addEventListener("error", () => {
    delete document.body.dataset.live;
    if (!navigator.onLine) setOffline(true);
  });
  source.addEventListener("messages_changed", () => {
    clearTimeout(messagesTimer);
    messagesTimer = setTimeout(() => {
      refreshBadge();
      if (current.name === "messages") loadMessagesScreen();
      if (current.name === "newsletter") loadNewsletters();
    }, 200);
  });
}

// Start: the words first, then who is logged in (on every screen, next to the logout button,
// a form: POST /logout), the live updates and the first screen.
loadWords().then(() => {
  whoAmI().then((me) => {
    const who = document.getElementById("who");
    if (who && me) who.textContent = tf("logged_in_as", { name: me.role === "owner" ? `${me.name} (${t("owner")})` : me.name });
  });
  document.getElementById("new-customer").textContent = `+ ${t("new_customer")}`;
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  document.querySelectorAll("[data-i18n-label]").forEach((el) => { el.setAttribute("aria-label", t(el.dataset.i18nLabel)); });
  document.documentElement.lang = EN ? "en" : "de";
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
  const nav = document.getElementById("nav-messages");
  if (nav) { nav.setAttribute("aria-label", t("messages_nav")); nav.title = t("messages"); }
  connectEvents();
  refreshBadge();
  route();
});
