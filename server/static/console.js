// The agent console: the department's queue, one ticket's detail, and the actions on it.
import { ApiError, api, coded, date, el, newKey, startPage, t } from "/static/common.js";

const $ = (id) => document.getElementById(id);
const PAGE = 20;
const state = { me: null, offset: 0, total: 0, current: null };
// An audit result is a turn or action outcome, a tool, a route or a refusal reason: words for each.
const RESULT_KINDS = ["result", "tool", "reason", "pending", "draft"];

function showError(message) {
  $("error").textContent = message || "";
  $("error").hidden = !message;
}

function statusTag(status) {
  return coded("status", status, { class: `status ${status}`, "data-status": status });
}

function filters() {
  const query = { limit: PAGE, offset: state.offset };
  for (const name of ["status", "priority", "category", "department"]) query[name] = $(`f-${name}`).value.trim();
  return query;
}

function refuse(message) {
  $("queue").replaceChildren();
  $("page-info").textContent = "";
  $("ticket").replaceChildren();
  $("queue-panel").dataset.refused = "true";
  $("prev").disabled = $("next").disabled = true;
  showError(message);
  $("queue").append(el("tr", {}, el("td", { colspan: 7, class: "refused", id: "refused" }, t("staffOnly"))));
}

let loading = 0; // only the latest page is shown: an older answer may arrive last

async function loadQueue() {
  showError("");
  delete $("queue-panel").dataset.refused;
  const mine = ++loading;
  let page;
  try {
    page = await api("/tickets/queue", { query: filters() });
    if (mine !== loading) return;
  } catch (err) {
    if (mine !== loading) return;
    if (err instanceof ApiError && err.status === 403) return refuse(err.message);
    return showError(err.message);
  }
  state.total = page.total;
  const rows = page.items.map((tk) => el("tr", { class: "queue-row" + (tk.ticket_id === state.current ? " current" : ""),
    "data-ticket-id": tk.ticket_id, tabindex: 0, onclick: () => openTicket(tk.ticket_id),
    onkeydown: (e) => { if (e.key === "Enter") openTicket(tk.ticket_id); } },
  el("td", {}, el("a", { href: `#${tk.ticket_id}`, class: "id", onclick: (e) => e.preventDefault() }, tk.ticket_id)),
  el("td", {}, tk.title), el("td", {}, statusTag(tk.status)), el("td", {}, coded("priority", tk.priority)),
  el("td", { class: "hide-narrow" }, coded("category", tk.category)), el("td", { class: "hide-narrow" }, tk.requester_id),
  el("td", { class: "hide-narrow" }, date(tk.created_at))));
  $("queue").replaceChildren(...rows);
  if (!rows.length) $("queue").append(el("tr", {}, el("td", { colspan: 7, class: "empty" }, t("none"))));
  const last = Math.min(page.offset + page.items.length, page.total);
  $("page-info").textContent = page.total ? `${page.offset + 1}–${last} ${t("of")} ${page.total}` : "";
  $("prev").disabled = page.offset === 0;
  $("next").disabled = last >= page.total;
}

function section(titleKey, ...children) {
  return el("section", { "aria-label": t(titleKey) }, el("h3", {}, t(titleKey)), ...children);
}

function comments(ticket) {
  if (!ticket.comments.length) return el("p", { class: "empty" }, t("noComments"));
  return el("ul", { class: "comments" }, ticket.comments.map((c) => el("li", {},
    el("div", { class: "meta" }, `${c.author_id} · `, date(c.created_at)), el("div", { class: "line" }, c.body))));
}

function auditTable(events) {
  return el("div", { class: "audit" }, el("table", { id: "audit" },
    el("thead", {}, el("tr", {}, ["time", "actor", "event", "result"].map((k) => el("th", {}, t(k))))),
    el("tbody", {}, events.map((e) => el("tr", { "data-event": e.event_type },
      el("td", {}, date(e.created_at)), el("td", {}, e.actor), el("td", {}, coded("event", e.event_type)),
      el("td", {}, e.result ? coded(RESULT_KINDS, e.result) : ""))))));
}

function transcript(conversation) {
  if (!conversation.thread_id) return el("p", { class: "empty" }, t("noConversation"));
  return el("div", { class: "transcript", id: "transcript", "data-thread-id": conversation.thread_id },
    conversation.messages.map((m) => el("div", { class: `line ${m.role}` },
      el("span", { class: "meta" }, `${m.role === "user" ? t("requester") : t("assistant")} · `, date(m.created_at)),
      el("div", {}, m.content))));
}

/** POST an action; NEED_CONFIRMATION shows a confirm step, REJECTED shows the reply as an error. */
async function act(ticketId, path, body) {
  showError("");
  try {
    const result = await api(`/tickets/${ticketId}/${path}`, { method: "POST", body: { ...body, action_id: newKey() } });
    if (result.status === "NEED_CONFIRMATION") return askToConfirm(ticketId, result.pending_action);
    if (result.status === "REJECTED") showError(result.reply);
  } catch (err) {
    showError(err.message);
  }
  await openTicket(ticketId);
  await loadQueue();
}

function askToConfirm(ticketId, pending) {
  const decide = (decision) => act(ticketId, "confirm", { pending_action_id: pending.id, decision,
    confirm_token: pending.confirm_token });
  $("confirm-slot").replaceChildren(el("div", { class: "confirm-box", role: "alertdialog", id: "confirm-box",
    "aria-label": t("confirmEscalation"), "data-pending-id": pending.id },
  el("p", {}, t("confirmEscalate")),
  el("div", { class: "buttons ticket-actions" },
    el("button", { type: "button", class: "primary", id: "confirm-yes", onclick: () => decide("confirm") }, t("confirmEscalation")),
    el("button", { type: "button", id: "confirm-no", onclick: () => decide("cancel") }, t("keep")))));
  $("confirm-yes").focus();
}

function actions(ticket) {
  const button = (key, onclick, enabled) => el("button", { type: "button", id: `do-${key}`, onclick, disabled: !enabled }, t(key));
  const active = ["OPEN", "IN_PROGRESS"].includes(ticket.status);
  const text = el("textarea", { id: "comment-text", rows: 2, maxlength: 2000, "aria-label": t("comment"), required: true });
  const form = el("form", { class: "comment-form", id: "comment-form", onsubmit: (e) => {
    e.preventDefault();
    if (text.value.trim()) act(ticket.ticket_id, "comments", { comment: text.value.trim() });
  } }, text, el("button", { type: "submit" }, t("addComment")));
  return [el("div", { class: "ticket-actions", role: "group", "aria-label": t("actions") },
    button("resolve", () => act(ticket.ticket_id, "resolve", {}), active),
    button("reopen", () => act(ticket.ticket_id, "reopen", {}), ticket.status === "RESOLVED"),
    button("escalate", () => act(ticket.ticket_id, "escalate", {}), active)),
  el("div", { id: "confirm-slot" }), form];
}

async function openTicket(ticketId) {
  state.current = ticketId;
  for (const row of document.querySelectorAll(".queue-row")) row.classList.toggle("current", row.dataset.ticketId === ticketId);
  try {
    const [ticket, events, conversation] = await Promise.all([api(`/tickets/${ticketId}`),
      api(`/tickets/${ticketId}/audit`), api(`/tickets/${ticketId}/conversation`)]);
    $("ticket-title").textContent = `${ticket.ticket_id} · ${ticket.title}`;
    const facts = el("dl", { class: "facts" }, [["status", statusTag(ticket.status)], ["priority", coded("priority", ticket.priority)],
      ["category", coded("category", ticket.category)], ["escalation", String(ticket.escalation_level)], ["requester", ticket.requester_id],
      ["department", ticket.department], ["created", date(ticket.created_at)]]
      .flatMap(([k, v]) => [el("dt", {}, t(k)), el("dd", { "data-field": k }, v)]));
    $("ticket").replaceChildren(el("div", { id: "ticket-view", "data-ticket-id": ticket.ticket_id, "data-status": ticket.status },
      facts, section("description", el("p", { class: "description" }, ticket.description || "—")),
      ...actions(ticket), section("comments", comments(ticket)), section("conversation", transcript(conversation)),
      section("audit", auditTable(events))));
  } catch (err) {
    showError(err.message);
  }
}

async function identityChanged(me) {
  state.me = me;
  if (me.error) showError(me.error.message);
  state.offset = 0;
  state.current = null;
  $("ticket").replaceChildren();
  $("ticket-title").textContent = t("selectTicket");
  $("f-department-field").hidden = !(me && me.role === "admin");
  await loadQueue();
}

function wireQueue() {
  $("filters").addEventListener("submit", (e) => { e.preventDefault(); state.offset = 0; loadQueue(); });
  $("prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - PAGE); loadQueue(); });
  $("next").addEventListener("click", () => { state.offset += PAGE; loadQueue(); });
}

function relabel() {
  loadQueue();
  if (state.current) openTicket(state.current);
}

wireQueue();
startPage({ onIdentity: identityChanged, onLanguage: relabel, showError });
