// The chat page: streamed turns, ticket/draft/pending-action cards, the person's threads.
import {
  ApiError, api, coded, codedList, date, el, label, newKey, sleep, startPage, stream, t,
} from "/static/common.js";

const $ = (id) => document.getElementById(id);
const state = { threadId: null, busy: false, me: null };
const RETRIES = 6;

function showError(message) {
  $("error").textContent = message || "";
  $("error").hidden = !message;
}

function progress(text) {
  $("progress").textContent = text || "";
}

function scrollDown() {
  $("messages").scrollTop = $("messages").scrollHeight;
}

function bubble(role, text = "") {
  const who = role === "user" ? "you" : "assistant";
  const body = el("div", { class: "text" }, text);
  const node = el("article", { class: `msg ${role}`, "aria-label": t(who), "data-i18n-label": who },
    el("span", { class: "who", "data-i18n": who }, t(who)), body);
  $("messages").append(node);
  scrollDown();
  return node;
}

/** A card's facts: [label key, value] pairs; a value is text or a node (codes come as coded()). */
function facts(pairs) {
  return el("dl", { class: "facts" }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== "")
    .flatMap(([k, v]) => [el("dt", { "data-i18n": k }, t(k)), el("dd", { "data-field": k }, v instanceof Node ? v : String(v))]));
}

/** A code as a fact, or nothing when the API gave none. */
const fact = (kind, code) => (code ? coded(kind, code) : null);

function ticketCard(ticket) {
  return el("section", { class: "card ticket", "data-ticket-id": ticket.ticket_id, "data-status": ticket.status,
    "aria-label": `${t("ticket")} ${ticket.ticket_id}`, "data-i18n-label": "ticket", "data-label-suffix": ticket.ticket_id },
  el("h3", {}, el("span", { class: "id" }, ticket.ticket_id), " ", ticket.title || ""),
  facts([["status", fact("status", ticket.status)], ["priority", fact("priority", ticket.priority)],
    ["category", fact("category", ticket.category)], ["escalation", ticket.escalation_level]]));
}

function draftCard(draft, missing) {
  const fields = draft.fields || {};
  const still = (missing && missing.length ? missing : draft.missing_fields) || [];
  return el("section", { class: "card draft", "data-draft-id": draft.draft_id, "data-status": draft.status,
    "aria-label": `${t("draft")} ${draft.draft_id}`, "data-i18n-label": "draft", "data-label-suffix": draft.draft_id },
  el("h3", {}, el("span", { class: "id" }, draft.draft_id), " ", fields.title || ""),
  facts([["status", fact("draft", draft.status)], ["priority", fact("priority", fields.priority)],
    ["category", fact("category", fields.category)], ["missing", still.length ? codedList("field", still) : null]]));
}

function pendingCard(pending, threadId) {
  const confirm = el("button", { type: "button", class: "primary confirm", "data-i18n": "confirm" }, t("confirm"));
  const keep = el("button", { type: "button", class: "keep", "data-i18n": "keep" }, t("keep"));
  const card = el("section", { class: "card pending", "data-pending-id": pending.id, "data-tool": pending.tool,
    role: "group", "aria-label": t("pending"), "data-i18n-label": "pending" },
  el("h3", { "data-i18n": "pending" }, t("pending")),
  facts([["action", fact("tool", pending.tool)], ["target", pending.target], ["expires", date(pending.expires_at)]]),
  el("div", { class: "buttons" }, confirm, keep));
  const decide = async (decision) => {
    confirm.disabled = keep.disabled = true;
    card.classList.add("decided");
    card.dataset.decision = decision;
    await resume(threadId, pending, decision);
  };
  confirm.addEventListener("click", () => decide("confirm"));
  keep.addEventListener("click", () => decide("cancel"));
  return card;
}

function citationList(citations) {
  return el("nav", { class: "citations", "aria-label": t("sources"), "data-i18n-label": "sources" },
    el("span", { "data-i18n": "sources" }, t("sources")), ": ",
    ...citations.map((c) => el("a", { href: `/kb/documents/${encodeURIComponent(c.doc_id)}`, class: "citation",
      "data-doc-id": c.doc_id, title: c.snippet || "", onclick: (e) => { e.preventDefault(); openArticle(c.doc_id); } },
    c.title || c.doc_id)));
}

async function openArticle(docId) {
  const dialog = $("article");
  $("article-title").textContent = t("loading");
  $("article-body").textContent = "";
  dialog.showModal();
  try {
    const doc = await api(`/kb/documents/${encodeURIComponent(docId)}`);
    $("article-title").textContent = doc.title;
    $("article-body").textContent = doc.body;
  } catch (err) {
    dialog.close();
    showError(err.message);
  }
}

/** The cards a result carries, under its reply. */
function renderResult(node, result) {
  node.querySelector(".text").textContent = result.reply;
  node.dataset.status = result.status;
  const cards = [];
  if (result.ticket) cards.push(ticketCard(result.ticket));
  if (result.draft) cards.push(draftCard(result.draft, result.missing_fields));
  if (result.pending_action && result.status === "NEED_CONFIRMATION") cards.push(pendingCard(result.pending_action, result.thread_id));
  if (result.citations && result.citations.length) cards.push(citationList(result.citations));
  node.append(...cards);
  scrollDown();
}

/** One streamed turn; a dropped stream is sent again with the same action_id (run once, replayed). */
async function streamTurn(path, body, node) {
  const steps = [];
  for (let attempt = 0; attempt < RETRIES; attempt++) {
    let result = null;
    let failed = null;
    let text = "";
    node.querySelector(".text").textContent = "";
    try {
      const complete = await stream(path, body, (name, data) => {
        if (name === "metadata" && !state.threadId) state.threadId = data.thread_id;
        else if (name === "step") {
          steps.push(data.node);
          node.dataset.steps = steps.length;
          progress(`${t("working")}: ${steps.map((step) => label("step", step)).join(" → ")}`);
        } else if (name === "token") {
          text += data.text;
          node.dataset.tokens = Number(node.dataset.tokens || 0) + 1;
          node.querySelector(".text").textContent = text;
          scrollDown();
        }
        else if (name === "result") result = data;
        else if (name === "error") failed = new ApiError(0, data.error);
      });
      if (result) { renderResult(node, result); return result; }
      if (failed) throw failed;
      if (complete) throw new ApiError(0, { message: "the turn ended without a result" });
    } catch (err) {
      if (!(err instanceof TypeError) && !(err instanceof ApiError && err.retryable)) throw err;
    }
    progress(t("reconnecting"));
    await sleep(Math.min(4000, 500 * 2 ** attempt));
  }
  throw new ApiError(0, { message: t("reconnecting") });
}

async function send(text) {
  if (state.busy) return;
  state.busy = true;
  showError("");
  $("send").disabled = true;
  bubble("user", text);
  const node = bubble("assistant");
  node.classList.add("streaming");
  const body = { message: text, action_id: newKey() };
  if (state.threadId) body.thread_id = state.threadId;
  try {
    await streamTurn("/agent/stream", body, node);
  } catch (err) {
    node.remove();
    showError(err.message);
  } finally {
    node.classList.remove("streaming");
    progress("");
    state.busy = false;
    $("send").disabled = false;
    $("message").focus();
    refreshThreads();
  }
}

async function resume(threadId, pending, decision) {
  showError("");
  try {
    const result = await api(`/threads/${encodeURIComponent(threadId)}/resume`, { method: "POST",
      body: { decision, confirm_token: pending.confirm_token, action_id: newKey() } });
    renderResult(bubble("assistant"), result);
  } catch (err) {
    showError(err.message);
  }
  refreshThreads();
}

let listing = 0; // only the latest listing is shown: an older answer may arrive last

async function refreshThreads() {
  const list = $("threads");
  const mine = ++listing;
  try {
    const threads = await api("/threads");
    if (mine !== listing) return;
    list.replaceChildren(...threads.map((th) => el("li", {},
      el("button", { type: "button", class: "thread-item" + (th.thread_id === state.threadId ? " current" : ""),
        "data-thread-id": th.thread_id, "data-status": th.status, onclick: () => openThread(th.thread_id),
        "aria-current": th.thread_id === state.threadId ? "true" : null },
      el("span", { class: "title" }, th.title || th.thread_id),
      th.status === "interrupted" ? el("span", { class: "badge interrupted" }, t("interrupted")) : null,
      th.status === "busy" ? el("span", { class: "badge busy" }, t("busy")) : null,
      date(th.updated_at)))));
    if (!threads.length) list.append(el("li", { class: "empty" }, t("noThreads")));
  } catch (err) {
    if (mine === listing) showError(err.message);
  }
}

async function openThread(threadId) {
  showError("");
  try {
    const thread = await api(`/threads/${encodeURIComponent(threadId)}`);
    state.threadId = thread.thread_id;
    $("messages").replaceChildren();
    for (const m of thread.messages) bubble(m.role === "user" ? "user" : "assistant", m.content);
    const last = $("messages").lastElementChild;
    if (thread.memory && thread.memory.ticket_id && last) {
      try { last.append(ticketCard(await api(`/tickets/${thread.memory.ticket_id}`))); } catch { /* gone */ }
    }
    if (thread.pending_action && last) last.append(pendingCard(thread.pending_action, thread.thread_id));
    scrollDown();
  } catch (err) {
    showError(err.message);
  }
  refreshThreads();
}

function newConversation() {
  state.threadId = null;
  $("messages").replaceChildren();
  showError("");
  refreshThreads();
  $("message").focus();
}

async function identityChanged(me) {
  state.me = me;
  if (me.error) showError(me.error.message);
  $("console-link").hidden = !(me && (me.role === "agent" || me.role === "admin"));
  newConversation();
}

function wireComposer() {
  const input = $("message");
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || state.busy || document.body.dataset.ready !== "true") return; // kept while identity switches
    input.value = "";
    send(text);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  $("new-thread").addEventListener("click", newConversation);
}

wireComposer();
startPage({ onIdentity: identityChanged, onLanguage: refreshThreads, showError });
