// Shared by the chat page and the console: identity, the API client, SSE, DOM helpers.
// Plain ES modules, no build step, nothing loaded from outside this server.
import { label, labels, lang, setLang, t, translate, when } from "/static/i18n.js";

export { label, t, when };

const ID_KEY = "helpdesk.identity";
const TOKEN_KEY = "helpdesk.token";

// ---- identity: dev headers, or a bearer token, or whatever a reverse proxy adds ----

export function devIdentity() {
  try {
    const saved = JSON.parse(localStorage.getItem(ID_KEY) || "{}");
    return { user: saved.user || "demo-user", department: saved.department || "IT", role: saved.role || "requester" };
  } catch {
    return { user: "demo-user", department: "IT", role: "requester" };
  }
}

export function setDevIdentity(identity) {
  localStorage.setItem(ID_KEY, JSON.stringify(identity));
}

export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

let authMode = "dev";

function identityHeaders() {
  const headers = { "Accept-Language": lang() === "zh" ? "zh-CN" : "en" };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  if (authMode === "dev") {
    const id = devIdentity();
    Object.assign(headers, { "X-User-Id": id.user, "X-Department": id.department, "X-Role": id.role });
  }
  return headers;
}

/** An error the API reported: its code, message and whether retrying may help. */
export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = error?.code || "HTTP_" + status;
    this.retryable = Boolean(error?.retryable);
  }
}

async function failure(response) {
  let body = null;
  try { body = await response.json(); } catch { /* not JSON */ }
  return new ApiError(response.status, body?.error);
}

/** fetch() with the caller's identity; JSON in and out; API errors thrown as ApiError. */
export async function api(path, { method = "GET", body, query } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query || {})) if (v !== "" && v != null) url.searchParams.set(k, v);
  const headers = identityHeaders();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) throw await failure(response);
  return response.json();
}

/** Who the server takes us for; learns the auth mode (a 401 means JWT mode, no valid token). */
export async function whoami() {
  try {
    authMode = "dev";
    const me = await api("/me");
    authMode = me.auth;
    return me;
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) throw err;
    // 401: no valid token in JWT mode, or bad dev headers in dev mode; /readyz says which
    const ready = await fetch("/readyz").then((r) => r.json()).catch(() => ({}));
    authMode = ready.auth === "jwt" ? "jwt" : "dev";
    return { auth: authMode, error: err };
  }
}

/**
 * POST a turn and read its Server-Sent Events as they arrive: `onEvent(name, data)` per event.
 * Resolves with true once `end` arrived; false when the stream broke off before it.
 */
export async function stream(path, body, onEvent) {
  const headers = { ...identityHeaders(), "Content-Type": "application/json", Accept: "text/event-stream" };
  const response = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
  if (!response.ok) throw await failure(response);
  if (!(response.headers.get("content-type") || "").includes("text/event-stream")) {
    onEvent("result", await response.json());
    return true;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let ended = false;
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch {
      return false; // the connection dropped: the caller reconnects
    }
    if (chunk.done) break;
    buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n/g, "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const event = parseFrame(buffer.slice(0, cut));
      buffer = buffer.slice(cut + 2);
      if (!event) continue;
      onEvent(event.name, event.data);
      if (event.name === "end") ended = true;
    }
  }
  return ended;
}

function parseFrame(frame) {
  let name = "message";
  const data = [];
  for (const line of frame.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    if (line.startsWith("event:")) name = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  if (!data.length) return null;
  try { return { name, data: JSON.parse(data.join("\n")) }; } catch { return null; }
}

/** A fresh idempotency key (crypto.randomUUID needs a secure context; this does not). */
export function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** A DOM element: el("p", {class: "x"}, "text", child…). Text is always text, never HTML. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "class") node.className = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat()) {
    if (child != null) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** An API code shown in words (`label`), re-labelled when the language changes. */
export function coded(kinds, code, attrs = {}) {
  return el("span", { ...attrs, "data-label": [kinds].flat().join(" "), "data-code": code }, label(kinds, code));
}

/** Several codes of one kind in words, as one line. */
export function codedList(kind, codes, attrs = {}) {
  return el("span", { ...attrs, "data-label": kind, "data-codes": codes.join(",") }, labels(kind, codes));
}

/** A date in the page's language, re-rendered when the language changes. */
export function date(iso) {
  return iso ? el("time", { datetime: iso, "data-when": iso }, when(iso)) : "";
}

/** The identity controls in the header: dev picker, token field, or who the proxy says we are. */
export async function mountIdentity(box, onChange) {
  const me = await whoami();
  box.replaceChildren();
  if (me.auth === "dev") { // the picker (also when the headers it sent were refused)
    const id = devIdentity();
    const field = (key, input) => el("label", { class: "field" }, el("span", {}, t(key)), input);
    const user = el("input", { id: "who-user", value: id.user, size: 10, autocomplete: "off" });
    const dept = el("input", { id: "who-dept", value: id.department, size: 6, autocomplete: "off" });
    const role = el("select", { id: "who-role" },
      ...["requester", "agent", "admin"].map((r) => el("option", { value: r, selected: r === id.role }, label("role", r))));
    const apply = (event) => {
      event.preventDefault();
      setDevIdentity({ user: user.value.trim() || "demo-user", department: dept.value.trim() || "IT", role: role.value });
      return switching(async () => onChange(await whoami()));
    };
    box.append(el("form", { class: "identity", id: "who-form", onsubmit: apply, "aria-label": t("devMode") },
      el("span", { class: "badge dev" }, t("devMode")), field("user", user), field("department", dept),
      field("role", role), el("button", { type: "submit", id: "who-apply" }, t("apply"))));
  } else if (me.error) { // JWT mode without a valid token: ask for one
    const token = el("input", { id: "who-token", type: "password", placeholder: t("tokenHint"), "aria-label": t("token") });
    const apply = (event) => {
      event.preventDefault();
      setToken(token.value.trim());
      return switching(async () => { await mountIdentity(box, onChange); await onChange(await whoami()); });
    };
    box.append(el("form", { class: "identity", onsubmit: apply }, token, el("button", { type: "submit" }, t("apply"))));
  } else {
    box.append(el("span", { class: "identity", id: "who-am-i" },
      `${t("signedInAs")} ${me.user_id} · ${me.department} · ${label("role", me.role)}`));
  }
  return me;
}

/** Run an identity switch with the page marked not ready, so nothing is sent as the old
 * identity meanwhile, nor wiped by the switch once it lands (body[data-ready], see startPage). */
async function switching(work) {
  document.body.dataset.ready = "false";
  try {
    await work();
  } finally {
    document.body.dataset.ready = "true";
  }
}

/** The language switch in the header. */
export function mountLanguage(select, onChange) {
  select.value = lang();
  select.addEventListener("change", () => { setLang(select.value); translate(); onChange(); });
  translate();
}

/**
 * Start a page: the language switch (re-rendering with `onLanguage`), the identity controls,
 * then `onIdentity(me)`; failures go to `showError`; body[data-ready] marks the page usable.
 */
export async function startPage({ onIdentity, onLanguage, showError }) {
  const box = document.getElementById("identity");
  mountLanguage(document.getElementById("lang"), () => { mountIdentity(box, onIdentity); onLanguage(); });
  try {
    await onIdentity(await mountIdentity(box, onIdentity));
  } catch (err) {
    showError(err.message);
  }
  document.body.dataset.ready = "true";
}
