// `npm run bench -- analytics`: 1,000,000 events and 100,000 messages (plus calls) across 20
// reps over 90 days, then GET /v1/analytics/counters and /v1/analytics/performance against the
// same SQL statements run raw, as one D1 batch, in the same Worker.
import { comparisonRow, fmt, json, newWorkspace, percentile, sql, table, timeGets, timeInterleaved, tokenFor } from "./harness.mjs";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100_000);
const REPS = 20;
const MESSAGES_PER_CONVERSATION = 10;
const CALLS = 5_000;
const CHUNK = 20_000;
const DAY = 86_400_000;
const SPAN_DAYS = 90;

/** Event types in roughly the mix a busy inbox logs; `null` actor for provider-driven ones. */
const EVENT_MIX = [
  ["message.received", 30, false],
  ["message.sent", 28, true],
  ["conversation.opened", 5, false],
  ["contact.created", 3, true],
  ["contact.updated", 10, true],
  ["deal.created", 3, true],
  ["deal.stage_changed", 6, true],
  ["deal.won", 1, true],
  ["deal.lost", 1, true],
  ["call.started", 3, true],
  ["call.status_changed", 6, false],
  ["call.ended", 4, true],
];
const MIX_TOTAL = EVENT_MIX.reduce((sum, [, weight]) => sum + weight, 0);

/** A small deterministic generator, so every run seeds the same data. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function pickType(u) {
  let x = u * MIX_TOTAL;
  for (const entry of EVENT_MIX) {
    if ((x -= entry[1]) < 0) return entry;
  }
  return EVENT_MIX[0];
}

async function inChunks(base, total, rowAt, insertSql, params) {
  for (let start = 0; start < total; start += CHUNK) {
    const rows = [];
    for (let i = start; i < Math.min(total, start + CHUNK); i++) rows.push(rowAt(i));
    await sql(base, insertSql, [...params, JSON.stringify(rows)]);
  }
}

async function seed(base, workspaceId, reps, now) {
  const rand = random(42);
  const conversationsCount = Math.ceil(MESSAGES / MESSAGES_PER_CONVERSATION);

  // One contact and one open contact conversation per conversation.
  await inChunks(
    base,
    conversationsCount,
    (i) => [`Contact ${i}`],
    `INSERT INTO contacts (workspace_id, name, created_at, updated_at) SELECT ?, value->>0, ?, ? FROM json_each(?)`,
    [workspaceId, now, now],
  );
  const [{ firstContact }] = (
    await sql(base, "SELECT min(id) AS firstContact FROM contacts WHERE workspace_id = ?", [workspaceId])
  ).results;
  const starts = Array.from({ length: conversationsCount }, () => now - Math.floor(rand() * SPAN_DAYS * DAY));
  await inChunks(
    base,
    conversationsCount,
    (i) => [firstContact + i, starts[i]],
    `INSERT INTO conversations (workspace_id, kind_key, status_key, contact_id, created_at, updated_at)
     SELECT ?, 'contact', 'open', value->>0, value->>1, value->>1 FROM json_each(?)`,
    [workspaceId],
  );
  const [{ firstConversation }] = (
    await sql(base, "SELECT min(id) AS firstConversation FROM conversations WHERE workspace_id = ?", [workspaceId])
  ).results;

  // Ten messages a conversation: contacts asking, reps answering (sometimes twice), a system note.
  const pattern = ["contact", "contact", "user", "contact", "user", "system", "contact", "user", "user", "contact"];
  const times = new Array(conversationsCount).fill(0).map((_, c) => starts[c]);
  await inChunks(
    base,
    MESSAGES,
    (i) => {
      const c = Math.floor(i / MESSAGES_PER_CONVERSATION);
      const kind = pattern[i % MESSAGES_PER_CONVERSATION];
      times[c] += 60_000 + Math.floor(rand() * 90 * 60_000);
      const rep = reps[(c + (rand() < 0.1 ? 1 : 0)) % reps.length];
      return [
        firstConversation + c,
        kind,
        kind === "user" ? rep : null,
        kind === "contact" ? firstContact + c : null,
        Math.min(times[c], now - 1),
      ];
    },
    `INSERT INTO messages (workspace_id, conversation_id, author_kind_key, author_user_id, author_contact_id, channel_key, body, created_at, updated_at)
     SELECT ?, value->>0, value->>1, value->>2, value->>3, 'whatsapp', 'hello', value->>4, value->>4 FROM json_each(?)`,
    [workspaceId],
  );

  const outcomes = ["ended", "ended", "ended", "connected", "missed", "missed", "failed"];
  await inChunks(
    base,
    CALLS,
    (i) => {
      const startedAt = now - Math.floor(rand() * SPAN_DAYS * DAY);
      const status = outcomes[i % outcomes.length];
      const connectedAt = status === "ended" || status === "connected" ? startedAt + 15_000 : null;
      const endedAt = status === "ended" ? connectedAt + Math.floor(rand() * 1_800_000) : status === "connected" ? null : startedAt + 30_000;
      return [firstConversation + (i % conversationsCount), reps[i % reps.length], status, startedAt, connectedAt, endedAt];
    },
    `INSERT INTO calls (workspace_id, conversation_id, started_by_user_id, channel_key, kind_key, status_key, started_at, connected_at, ended_at, created_at, updated_at)
     SELECT ?, value->>0, value->>1, 'phone', 'voice', value->>2, value->>3, value->>4, value->>5, value->>3, value->>3 FROM json_each(?)`,
    [workspaceId],
  );

  await inChunks(
    base,
    EVENTS,
    () => {
      const [typeKey, , hasActor] = pickType(rand());
      return [typeKey, hasActor ? reps[Math.floor(rand() * reps.length)] : null, now - Math.floor(rand() * SPAN_DAYS * DAY), 1 + Math.floor(rand() * 50_000)];
    },
    `INSERT INTO events (workspace_id, type_key, entity_type_key, entity_id, actor_user_id, payload_json, created_at)
     SELECT ?, value->>0, substr(value->>0, 1, instr(value->>0, '.') - 1), value->>3, value->>1, NULL, value->>2 FROM json_each(?)`,
    [workspaceId],
  );
  await sql(base, "ANALYZE");
}

export async function run({ base }) {
  const ws = await newWorkspace(base, "US");
  const workspaceId = ws.workspace.id;
  const reps = [ws.user.id];
  for (let i = 1; i < REPS; i++) {
    const created = await json(base, "POST", "/v1/users", {
      token: ws.token,
      body: { name: `Rep ${i}`, email: `rep${i}@bench.test`, role: "member" },
    });
    reps.push(created.user.id);
  }
  const now = Date.now();
  const t0 = performance.now();
  await seed(base, workspaceId, reps, now);
  console.log(
    `seeded ${EVENTS} events, ${MESSAGES} messages, ${CALLS} calls across ${REPS} reps in ${((performance.now() - t0) / 1000).toFixed(1)}s`,
  );

  const to = new Date(now).toISOString();
  const from = (days) => new Date(now - days * DAY).toISOString();
  const month = `from=${from(30)}&to=${to}`;
  const raw = `workspaceId=${workspaceId}&userId=${ws.user.id}&timeZone=UTC`;
  const nonEmpty = (label) => (body) => {
    const rows = body.data;
    if (!Array.isArray(rows) || rows.length === 0) throw new Error(`${label}: no rows`);
  };
  const shapes = [
    // [label, app path, raw path, target p50 ms, runs]
    ["counters by day, 30 d", `/v1/analytics/counters?groupBy=day&${month}`, `/__bench/raw/counters?${raw}&groupBy=day&${month}`, 100, 200],
    ["counters by type, 30 d", `/v1/analytics/counters?groupBy=type&${month}`, `/__bench/raw/counters?${raw}&groupBy=type&${month}`, 100, 200],
    ["counters by user, 30 d", `/v1/analytics/counters?groupBy=user&${month}`, `/__bench/raw/counters?${raw}&groupBy=user&${month}`, 100, 200],
    [
      "counters deal.* by day, 30 d",
      `/v1/analytics/counters?groupBy=day&typeKey=deal.*&${month}`,
      `/__bench/raw/counters?${raw}&groupBy=day&typeKey=deal.*&${month}`,
      100,
      200,
    ],
    ["performance, 20 reps, 30 d", `/v1/analytics/performance?${month}`, `/__bench/raw/performance?${raw}&${month}`, 300, 100],
    [
      "performance, 1 rep, 30 d",
      `/v1/analytics/performance?userId=${reps[3]}&${month}`,
      `/__bench/raw/performance?${raw}&repId=${reps[3]}&${month}`,
      300,
      100,
    ],
  ];

  const rows = [];
  for (const [label, appPath, rawPath, target, runs] of shapes) {
    const token = await tokenFor(base, ws.token, label);
    const { app, raw } = await timeInterleaved(base, appPath, rawPath, { token, runs, warmup: 10, check: nonEmpty(label) });
    rows.push(comparisonRow(label, app, raw, target));
  }
  // What any authenticated GET costs before its own queries: token lookup, rate limit, routing.
  const token = await tokenFor(base, ws.token, "me");
  const me = await timeGets(base, "/v1/me", { token, runs: 200, warmup: 10 });
  console.log(`\nAnalytics over ${EVENTS} events and ${MESSAGES} messages (app and raw requests alternating, after 10 warm-up):`);
  table(rows);
  console.log(`\nGET /v1/me (auth and routing only): p50 ${fmt(percentile(me, 50))} ms, p99 ${fmt(percentile(me, 99))} ms`);
}
