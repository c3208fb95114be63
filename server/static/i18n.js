// Language: the page's own strings, words for the API's codes (labels.js), and re-labelling on a switch.
import { LABELS } from "/static/labels.js";

const STRINGS = {
  en: {
    title: "IT helpdesk", console: "Agent console", chat: "Chat", language: "Language",
    user: "User", department: "Department", role: "Role", token: "Bearer token",
    tokenHint: "Paste a JWT (or let your reverse proxy send Authorization)", apply: "Apply",
    signedInAs: "Signed in as", devMode: "dev mode",
    newChat: "New conversation", threads: "Your conversations", noThreads: "No conversations yet.",
    interrupted: "awaiting confirmation", busy: "running",
    message: "Message", send: "Send", sendHint: "Enter sends, Shift+Enter adds a line",
    you: "You", assistant: "Helpdesk", working: "Working", reconnecting: "Connection lost; reconnecting…",
    ticket: "Ticket", draft: "Draft", status: "Status", priority: "Priority", category: "Category",
    missing: "Missing", escalation: "Escalation", sources: "Sources",
    pending: "Waiting for your confirmation", action: "Action", target: "Target", expires: "Expires",
    confirm: "Confirm", keep: "Keep it", decided: "Decision sent",
    close: "Close", article: "Article", loading: "Loading…",
    queue: "Ticket queue", all: "All", filter: "Filter", prev: "Previous", next: "Next",
    of: "of", none: "No tickets match.", requester: "Requester", created: "Created",
    open: "Open", title_: "Title", description: "Description", comments: "Comments",
    noComments: "No comments yet.", addComment: "Add a comment", comment: "Comment",
    resolve: "Resolve", reopen: "Reopen", escalate: "Escalate", actions: "Actions",
    confirmEscalate: "Escalate this ticket one level? This needs your confirmation.",
    confirmEscalation: "Confirm escalation", audit: "Audit trail", conversation: "Conversation that created it",
    noConversation: "No conversation is linked to this ticket.", actor: "Actor", event: "Event",
    result: "Result", time: "Time", staffOnly: "The console is for agents and admins.",
    back: "Back to the queue", selectTicket: "Select a ticket to see it here.",
  },
  zh: {
    title: "IT 服务台", console: "坐席控制台", chat: "对话", language: "语言",
    user: "用户", department: "部门", role: "角色", token: "Bearer 令牌",
    tokenHint: "粘贴 JWT（或由反向代理发送 Authorization）", apply: "应用",
    signedInAs: "当前身份", devMode: "开发模式",
    newChat: "新对话", threads: "你的对话", noThreads: "还没有对话。",
    interrupted: "待确认", busy: "处理中",
    message: "消息", send: "发送", sendHint: "Enter 发送，Shift+Enter 换行",
    you: "你", assistant: "服务台", working: "处理中", reconnecting: "连接中断，正在重连…",
    ticket: "工单", draft: "草稿", status: "状态", priority: "优先级", category: "类别",
    missing: "待补充", escalation: "升级级别", sources: "参考文章",
    pending: "等待你的确认", action: "操作", target: "对象", expires: "有效期至",
    confirm: "确认", keep: "保持不变", decided: "已提交",
    close: "关闭", article: "文章", loading: "加载中…",
    queue: "工单队列", all: "全部", filter: "筛选", prev: "上一页", next: "下一页",
    of: "共", none: "没有符合条件的工单。", requester: "提交人", created: "创建时间",
    open: "打开", title_: "标题", description: "描述", comments: "评论",
    noComments: "暂无评论。", addComment: "添加评论", comment: "评论",
    resolve: "标记已解决", reopen: "重新打开", escalate: "升级", actions: "操作",
    confirmEscalate: "确定将该工单升级一级吗？此操作需要确认。",
    confirmEscalation: "确认升级", audit: "审计记录", conversation: "创建该工单的对话",
    noConversation: "该工单没有关联的对话。", actor: "操作人", event: "事件",
    result: "结果", time: "时间", staffOnly: "控制台仅供坐席和管理员使用。",
    back: "返回队列", selectTicket: "选择一张工单在此查看。",
  },
};

const LANG_KEY = "helpdesk.lang";

export function lang() {
  const chosen = localStorage.getItem(LANG_KEY);
  if (chosen === "zh" || chosen === "en") return chosen;
  return (navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en";
}

export function setLang(value) {
  localStorage.setItem(LANG_KEY, value);
}

export function t(key) {
  return STRINGS[lang()][key] ?? STRINGS.en[key] ?? key;
}

/**
 * The words for an API code in the page's language: `kinds` is one kind of labels.js ("status",
 * "tool"…) or several tried in order; anything unknown is shown as the code itself.
 */
export function label(kinds, code) {
  if (code == null || code === "") return "";
  for (const kind of [kinds].flat()) {
    const words = LABELS[lang()][kind]?.[code];
    if (words) return words;
  }
  return String(code);
}

/** Several codes of one kind as one line ("Title, Description"). */
export function labels(kinds, codes) {
  return codes.map((code) => label(kinds, code)).join(lang() === "zh" ? "、" : ", ");
}

export function when(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return date.toLocaleString(lang() === "zh" ? "zh-CN" : "en", { dateStyle: "short", timeStyle: "short" });
}

/**
 * Fill the page in the current language: [data-i18n] texts, [data-i18n-label] aria-labels (plus
 * data-label-suffix) and placeholders, [data-label] codes (data-code, or data-codes "a,b"), [data-when] dates.
 */
export function translate(root = document) {
  document.documentElement.lang = lang() === "zh" ? "zh-CN" : "en";
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("[data-i18n-label]")) {
    const text = [t(node.dataset.i18nLabel), node.dataset.labelSuffix].filter(Boolean).join(" ");
    node.setAttribute("aria-label", text);
    if ("placeholder" in node) node.placeholder = text;
  }
  for (const node of root.querySelectorAll("[data-label]")) {
    const kinds = node.dataset.label.split(" ");
    node.textContent = node.dataset.codes !== undefined
      ? labels(kinds, node.dataset.codes.split(",").filter(Boolean)) : label(kinds, node.dataset.code);
  }
  for (const node of root.querySelectorAll("[data-when]")) node.textContent = when(node.dataset.when);
}
