// One agent-chat-ui conversation through the JS SDK: create a thread, stream a turn, pause on an
// interrupt, resume it with a HumanInTheLoop decision. Prints a JSON summary for the Python test.
import { Client } from "@langchain/langgraph-sdk";

const [url, user] = process.argv.slice(2);
const client = new Client({ apiUrl: url, defaultHeaders: { "X-User-Id": user } });
const modes = ["values", "messages-tuple", "custom"];

async function turn(threadId, payload) {
  const events = [];
  let values = null;
  for await (const part of client.runs.stream(threadId, "helpdesk", {
    ...payload, streamMode: modes, streamResumable: true, onDisconnect: "continue",
  })) {
    events.push(part.event);
    if (part.event === "values") values = part.data;
  }
  return { events, values };
}

const human = (text) => ({ messages: [{ type: "human", content: [{ type: "text", text }] }] });
const thread = await client.threads.create({ metadata: { graph_id: "helpdesk" } });
const first = await turn(thread.thread_id, { input: human("我的VPN连不上了，帮我提个工单") });
const ticketId = first.values.result.ticket.ticket_id;
const paused = await turn(thread.thread_id, { input: human(`取消 ${ticketId}`) });
const state = await client.threads.getState(thread.thread_id);
const resumed = await turn(thread.thread_id, { command: { resume: { decisions: [{ type: "approve" }] } } });
const listed = await client.threads.search({ metadata: { graph_id: "helpdesk" }, limit: 100 });
const history = await client.threads.getHistory(thread.thread_id, { limit: 10 });
console.log(JSON.stringify({
  thread_id: thread.thread_id,
  first_events: first.events,
  first_messages: first.values.messages.map((m) => [m.type, m.content]),
  interrupt: paused.values.__interrupt__?.[0]?.value ?? null,
  state_interrupts: state.interrupts.length,
  resumed: resumed.values.result,
  listed: listed.map((t) => t.thread_id),
  history: history.length,
}));
