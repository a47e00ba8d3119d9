// Nothing lost: every producer of queue work (send, retry, imports, exports, tasks) goes through
// the outbox, so a queue that refuses a message after the work was stored is no error for the
// client, and the cron (the Worker's scheduled() handler) sends what waited past the grace period.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../src/env";
import worker from "../src/index";
import { createDb } from "../src/db/client";
import { ingestInbound } from "../src/modules/messages/ingest.service";
import { enqueue, OUTBOX_GRACE_MS } from "../src/jobs/outbox";
import { newWorkspace } from "./helpers/api";
import { cron } from "./helpers/cron";
import { count, one } from "./helpers/db";
import { ingest } from "./helpers/inbox";
import { FakeQueue, waitForJob } from "./helpers/jobs";
import { eventually } from "./helpers/telegram";

/** The JOBS binding of a queue that is down: every send is refused, as Queues does on an outage. */
const refusingQueue = {
  send: () => Promise.reject(new Error("Queue send failed: internal error")),
  sendBatch: () => Promise.reject(new Error("Queue send failed: internal error")),
} as unknown as Queue;

const withQueue = (queue: Queue): Bindings => ({ ...env, JOBS: queue }) as Bindings;

/** A request to the real Worker with the given bindings. */
async function call(bindings: Bindings, method: string, path: string, token: string, body?: BodyInit, headers: Record<string, string> = {}) {
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request(`https://parley.test${path}`, {
      method,
      body,
      headers: { authorization: `Bearer ${token}`, ...(typeof body === "string" ? { "content-type": "application/json" } : {}), ...headers },
    }),
    bindings,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: response.status, body: (await response.json()) as any };
}

const outboxOf = (workspaceId: number) => count("SELECT count(*) AS n FROM queue_outbox WHERE workspace_id = ?", workspaceId);

describe("a queue that refuses a message after the work was stored", () => {
  it("send: 201 with the message stored; the cron sends its delivery job after the grace period", async () => {
    const ws = await newWorkspace();
    const inbound = await ingest(ws.workspace.id, { channel: "whatsapp", from: { externalId: "4915100000009" } });
    const conversationId = inbound.message.conversationId;
    const res = await call(withQueue(refusingQueue), "POST", `/v1/conversations/${conversationId}/messages`, ws.owner.token, JSON.stringify({ body: "Angebot" }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.delivery).toMatchObject({ statusKey: "queued", attempt: 1 });
    expect(await count("SELECT count(*) AS n FROM messages WHERE conversation_id = ? AND author_kind_key = 'user'", conversationId)).toBe(1);
    expect(await outboxOf(ws.workspace.id)).toBe(1);

    // Within the grace period the cron leaves it to the producer.
    await cron(Date.now());
    expect(await outboxOf(ws.workspace.id)).toBe(1);

    // Past it, the cron sends the job's message; the real consumer runs it (no WhatsApp
    // connection here, so the delivery ends failed with that reason: the job did run).
    await cron(Date.now() + OUTBOX_GRACE_MS + 1_000);
    expect(await outboxOf(ws.workspace.id)).toBe(0);
    const delivery = await eventually(
      () => one<{ status_key: string; error_code: string | null }>("SELECT status_key, error_code FROM deliveries WHERE id = ?", res.body.delivery.id),
      (d) => d.status_key !== "queued",
    );
    expect(delivery).toEqual({ status_key: "failed", error_code: "channel_not_connected" });
    // The client's retry with the same key replays the 201, it does not make a second message.
  });

  it("the client's retry with its Idempotency-Key replays the stored 201: one message, not two", async () => {
    const ws = await newWorkspace();
    const inbound = await ingest(ws.workspace.id, { channel: "whatsapp", from: { externalId: "4915100000010" } });
    const path = `/v1/conversations/${inbound.message.conversationId}/messages`;
    const headers = { "idempotency-key": `send-${crypto.randomUUID()}` };
    const first = await call(withQueue(refusingQueue), "POST", path, ws.owner.token, JSON.stringify({ body: "once" }), headers);
    const again = await call(env as Bindings, "POST", path, ws.owner.token, JSON.stringify({ body: "once" }), headers);
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body.id).toBe(first.body.id);
    expect(await count("SELECT count(*) AS n FROM messages WHERE conversation_id = ? AND author_kind_key = 'user'", inbound.message.conversationId)).toBe(1);
  });

  it("retry, import and export: accepted, and run once the cron has sent their messages", async () => {
    const ws = await newWorkspace();
    const down = withQueue(refusingQueue);
    const inbound = await ingest(ws.workspace.id, { channel: "whatsapp", from: { externalId: "4915100000011" } });
    const sent = await ws.owner.post(`/v1/conversations/${inbound.message.conversationId}/messages`, { body: "hi" });
    await eventually(
      () => one<{ status_key: string }>("SELECT status_key FROM deliveries WHERE id = ?", sent.body.delivery.id),
      (d) => d.status_key === "failed",
    );

    const retried = await call(down, "POST", `/v1/deliveries/${sent.body.delivery.id}/retry`, ws.owner.token);
    expect(retried.status, JSON.stringify(retried.body)).toBe(201);
    const form = new FormData();
    form.append("file", new File(["name,phone\nAda,4155550100\n"], "c.csv", { type: "text/csv" }));
    const imported = await call(down, "POST", "/v1/contacts/imports?mode=create", ws.owner.token, form);
    expect(imported.status, JSON.stringify(imported.body)).toBe(202);
    const exported = await call(down, "POST", "/v1/contacts/exports", ws.owner.token, JSON.stringify({ format: "csv" }));
    expect(exported.status, JSON.stringify(exported.body)).toBe(202);
    expect(await outboxOf(ws.workspace.id)).toBe(3);

    await cron(Date.now() + OUTBOX_GRACE_MS + 1_000);
    expect(await outboxOf(ws.workspace.id)).toBe(0);
    expect((await waitForJob(ws.owner, imported.body.id)).statusKey).toBe("succeeded");
    expect((await waitForJob(ws.owner, exported.body.id)).statusKey).toBe("succeeded");
    await eventually(
      () => one<{ status_key: string }>("SELECT status_key FROM deliveries WHERE id = ?", retried.body.id),
      (d) => d.status_key === "failed",
    );
  });

  it("tasks: an inbound message is stored and its media task waits in the outbox for the cron", async () => {
    const ws = await newWorkspace();
    const down = withQueue(refusingQueue);
    const db = createDb(env.DB);
    const result = await ingestInbound(db, down, {
      workspaceId: ws.workspace.id,
      channel: "telegram",
      externalId: `tg-${crypto.randomUUID()}`,
      from: { externalId: "990001", name: "Nora" },
      body: "",
      kind: "media",
      media: [{ ref: "file-1", key: "AQADfile1", fileName: "photo.jpg", contentType: "image/jpeg" }],
    });
    expect(result.created).toBe(true);
    const row = await one<{ body_json: string }>("SELECT body_json FROM queue_outbox WHERE workspace_id = ?", ws.workspace.id);
    expect(JSON.parse(row.body_json)).toEqual({ task: "channel.fetch_media", workspaceId: ws.workspace.id, messageId: result.message.id });

    const queue = new FakeQueue();
    await cron(Date.now() + OUTBOX_GRACE_MS + 1_000, withQueue(queue as unknown as Queue));
    expect(queue.sent).toContainEqual({ task: "channel.fetch_media", workspaceId: ws.workspace.id, messageId: result.message.id });
    expect(await outboxOf(ws.workspace.id)).toBe(0);
  });

  it("a delayed message the queue refused keeps what is left of its delay when the cron sends it", async () => {
    const ws = await newWorkspace();
    const db = createDb(env.DB);
    const task = { task: "notify_reps" as const, workspaceId: ws.workspace.id, messageId: 1 };
    await enqueue(db, withQueue(refusingQueue), ws.workspace.id, [task], [], { delaySeconds: 180 });
    const row = await one<{ created_at: number; delay_seconds: number }>("SELECT created_at, delay_seconds FROM queue_outbox WHERE workspace_id = ?", ws.workspace.id);
    expect(row.delay_seconds).toBe(180);

    const queue = new FakeQueue();
    const at = row.created_at + OUTBOX_GRACE_MS + 1_000;
    await cron(at, withQueue(queue as unknown as Queue));
    const index = queue.sent.findIndex((m) => JSON.stringify(m) === JSON.stringify(task));
    expect(index).toBeGreaterThanOrEqual(0);
    expect(queue.options[index]).toEqual({ delaySeconds: 180 - 61 });
    expect(await outboxOf(ws.workspace.id)).toBe(0);
  });

  it("a queue that takes the message leaves nothing in the outbox", async () => {
    const ws = await newWorkspace();
    const inbound = await ingest(ws.workspace.id, { channel: "whatsapp", from: { externalId: "4915100000012" } });
    expect((await ws.owner.post(`/v1/conversations/${inbound.message.conversationId}/messages`, { body: "hi" })).status).toBe(201);
    expect(await outboxOf(ws.workspace.id)).toBe(0);
  });
});
