// `npm run bench -- inbox`: 10,000 conversations, 200,000 messages, 5 users; then
// GET /v1/messages/unread and GET /v1/conversations?unread=true, each against the same SQL
// statements replayed raw on the D1 binding (recorded from one real request).
import { comparisonRow, json, newWorkspace, sql, table, timeInterleaved } from "./harness.mjs";

const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 10_000);
const PER_CONVERSATION = 20;
const CHUNK = 1_000;

export async function run({ base }) {
  const ws = await newWorkspace(base);
  const wsId = ws.workspace.id;
  for (let i = 1; i < 5; i++) {
    await json(base, "POST", "/v1/users", { token: ws.token, body: { name: `Rep ${i}`, email: `rep${i}@bench.test`, role: "member" } });
  }
  const t0 = performance.now();
  const start = Math.floor((Date.now() - 30 * 24 * 3600_000) / 60_000) * 60_000;
  await sql(
    base,
    `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
     INSERT INTO contacts (workspace_id, name, created_at, updated_at) SELECT ?, 'Contact ' || n, ?, ? FROM seq`,
    [CONVERSATIONS, wsId, start, start],
  );
  await sql(
    base,
    `INSERT INTO conversations (workspace_id, kind_key, status_key, contact_id, last_channel_key, last_message_at, created_at, updated_at)
     SELECT workspace_id, 'contact', 'open', id, 'telegram', ? + id * 60000 + ${PER_CONVERSATION - 1}, ?, ? FROM contacts WHERE workspace_id = ?`,
    [start, start, start, wsId],
  );
  const { results: range } = await sql(base, "SELECT min(id) AS lo, max(id) AS hi FROM conversations WHERE workspace_id = ?", [wsId]);
  const { lo, hi } = range[0];
  for (let from = lo; from <= hi; from += CHUNK) {
    const to = Math.min(hi, from + CHUNK - 1);
    // Even k: the contact writes; odd k: a rep answers (round robin over the workspace's users).
    await sql(
      base,
      `WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n < ${PER_CONVERSATION - 1}),
            u AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i FROM users WHERE workspace_id = ?1)
       INSERT INTO messages (workspace_id, conversation_id, author_kind_key, author_user_id, author_contact_id, channel_key, body, external_id, created_at, updated_at)
       SELECT c.workspace_id, c.id,
              CASE WHEN k.n % 2 = 0 THEN 'contact' ELSE 'user' END,
              CASE WHEN k.n % 2 = 0 THEN NULL ELSE (SELECT id FROM u WHERE i = (c.id + k.n) % 5) END,
              CASE WHEN k.n % 2 = 0 THEN c.contact_id ELSE NULL END,
              'telegram', 'message ' || k.n || ' in conversation ' || c.id,
              CASE WHEN k.n % 2 = 0 THEN 'tg-' || c.id || '-' || k.n ELSE NULL END,
              ?2 + c.id * 60000 + k.n, ?2 + c.id * 60000 + k.n
       FROM conversations c CROSS JOIN k WHERE c.workspace_id = ?1 AND c.id BETWEEN ?3 AND ?4`,
      [wsId, start, from, to],
    );
    // Every user but the author gets a receipt; one conversation in ten has its last two unread.
    await sql(
      base,
      `INSERT INTO message_receipts (workspace_id, user_id, message_id, conversation_id, status_key, read_at, created_at, updated_at)
       SELECT m.workspace_id, u.id, m.id, m.conversation_id,
              CASE WHEN m.conversation_id % 10 = 0 AND m.created_at % 60000 >= ${PER_CONVERSATION - 2} THEN 'unread' ELSE 'read' END,
              NULL, m.created_at, m.created_at
       FROM messages m JOIN users u ON u.workspace_id = m.workspace_id
       WHERE m.workspace_id = ?1 AND m.conversation_id BETWEEN ?2 AND ?3 AND (m.author_user_id IS NULL OR m.author_user_id <> u.id)`,
      [wsId, from, to],
    );
  }
  await sql(base, "ANALYZE");
  const counts = (
    await sql(
      base,
      `SELECT (SELECT count(*) FROM messages WHERE workspace_id = ?1) AS messages,
              (SELECT count(*) FROM message_receipts WHERE workspace_id = ?1) AS receipts,
              (SELECT count(*) FROM message_receipts WHERE workspace_id = ?1 AND user_id = ?2 AND status_key = 'unread') AS unread`,
      [wsId, ws.user.id],
    )
  ).results[0];
  console.log(
    `seeded ${CONVERSATIONS} conversations, ${counts.messages} messages, ${counts.receipts} receipts (${counts.unread} unread for the measured user) in ${((performance.now() - t0) / 1000).toFixed(1)}s`,
  );

  const shapes = [
    ["GET /v1/messages/unread", "/v1/messages/unread?limit=50"],
    ["GET /v1/conversations?unread=true", "/v1/conversations?unread=true&limit=50"],
  ];
  const rows = [];
  for (const [label, path] of shapes) {
    // The measured user's own unread messages: a token of that user (both shapes together stay
    // under the user's 600 requests a minute).
    const { token } = await json(base, "POST", "/v1/me/tokens", { token: ws.token, body: { name: label.slice(0, 100) } });
    await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const key = `inbox:${label}`;
    const recorded = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}`, "x-bench-record": key } });
    const page = await recorded.json();
    if (!Array.isArray(page.data) || page.data.length === 0) throw new Error(`${label}: empty page`);
    const { app, raw } = await timeInterleaved(base, path, `/__bench/replay?key=${encodeURIComponent(key)}`, { token });
    rows.push(comparisonRow(label, app, raw, 20));
  }
  console.log("\nInbox reads, 50 a page (app and raw requests alternating, 200 each after 20 warm-up); raw = the same statements replayed on D1:");
  table(rows);
}
