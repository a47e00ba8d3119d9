// Retention, run by the every-minute cron: idempotency keys after 24 h, Telegram update ids after
// 7 days, link codes once expired, import uploads in R2 after 7 days — in bounded batches.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newWorkspace } from "./helpers/api";
import { cron } from "./helpers/cron";
import { count } from "./helpers/db";
import { connectBot, messageUpdate, postUpdate } from "./helpers/telegram";

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;

describe("the cron's retention", () => {
  it("forgets Idempotency-Keys after 24 hours, in batches past D1's statement sizes", async () => {
    const ws = await newWorkspace();
    const key = `k-${crypto.randomUUID()}`;
    expect((await ws.owner.post("/v1/contacts", { name: "Kept" }, { "idempotency-key": key })).status).toBe(201);
    const mine = () => count("SELECT count(*) AS n FROM idempotency_keys WHERE key = ?", key);
    // 2,500 more keys a day old: more than one DELETE's worth.
    const old = Date.now() - 25 * HOUR;
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500)
       INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response_body, created_at)
       SELECT 'user:0', 'old-' || i, 'h', 201, '{}', ? FROM n`,
    )
      .bind(old)
      .run();

    await cron(Date.now() + 23 * HOUR);
    expect(await mine()).toBe(1);
    expect(await count("SELECT count(*) AS n FROM idempotency_keys WHERE key LIKE 'old-%'")).toBe(0);

    await cron(Date.now() + 25 * HOUR);
    expect(await mine()).toBe(0);
  });

  it("forgets Telegram update ids after 7 days", async () => {
    const ws = await newWorkspace();
    const bot = await connectBot(ws.owner);
    expect((await postUpdate(bot.connection, bot.secret, messageUpdate({ id: 770001, first_name: "Uma" }, "hi"))).status).toBe(200);
    const updates = () => count("SELECT count(*) AS n FROM channel_updates WHERE connection_id = ?", bot.connection.id);
    expect(await updates()).toBe(1);
    await cron(Date.now() + 6 * DAY);
    expect(await updates()).toBe(1);
    await cron(Date.now() + 7 * DAY + HOUR);
    expect(await updates()).toBe(0);
  });

  it("deletes link codes once they have expired", async () => {
    const ws = await newWorkspace();
    await connectBot(ws.owner);
    const link = await ws.owner.post("/v1/me/telegram-link");
    expect(link.status, JSON.stringify(link.body)).toBeLessThan(300);
    const codes = () => count("SELECT count(*) AS n FROM chat_link_codes WHERE workspace_id = ?", ws.workspace.id);
    expect(await codes()).toBe(1);
    await cron(Date.now());
    expect(await codes()).toBe(1);
    await cron(Date.now() + 16 * 60_000);
    expect(await codes()).toBe(0);
  });

  it("deletes import uploads and their working files from R2 after 7 days; the error report stays", async () => {
    const ws = await newWorkspace();
    const prefix = `imports/${ws.workspace.id}/`;
    const upload = `${prefix}${crypto.randomUUID()}/contacts.csv`;
    const rows = `${prefix}job-1/rows.csv`;
    const report = `${prefix}job-1/import-errors.csv`;
    for (const key of [upload, rows, report]) await env.FILES.put(key, "name\nA\n");
    const exportKey = `exports/${ws.workspace.id}/job-2/contacts.csv`;
    await env.FILES.put(exportKey, "name\nA\n");
    const stored = async () => (await env.FILES.list({ prefix })).objects.map((o) => o.key).sort();

    await cron(Date.now() + 6 * DAY);
    expect(await stored()).toEqual([report, rows, upload].sort());
    await cron(Date.now() + 7 * DAY + HOUR);
    expect(await stored()).toEqual([report]);
    expect(await env.FILES.head(exportKey)).not.toBeNull();
  });
});
