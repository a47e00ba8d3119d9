import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../src/db/client";
import type { JobMessage } from "../src/jobs/job-message";
import { updateFromProvider } from "../src/modules/deliveries/deliveries.service";
import worker from "../src/index";
import { type Client, newWorkspace } from "./helpers/api";
import { all, count, one } from "./helpers/db";
import { arrangedConnection, ingest } from "./helpers/inbox";
import { expectError, expectInvisibleTo, expectUnauthorized } from "./helpers/security";

/** Poll until `check` passes: the queue consumer runs on its own schedule. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A message the owner sent on WhatsApp, with its queued delivery and job on the real queue. */
async function sentOnWhatsApp(owner: Client, workspaceId: number) {
  const inbound = await ingest(workspaceId, { channel: "whatsapp", from: { externalId: "4915100000002" } });
  const sent = await owner.post(`/v1/conversations/${inbound.message.conversationId}/messages`, { body: "Angebot anbei" });
  expect(sent.status).toBe(201);
  return sent.body as { id: number; delivery: { id: number } };
}

/** A message with a delivery through a connection, arranged in the database (no job: nothing else will touch it). */
async function arrangedDelivery(workspaceId: number, status: string, providerMessageId: string | null = null) {
  const connection = await arrangedConnection(workspaceId);
  const { message } = await ingest(workspaceId, { channel: "whatsapp", connectionId: connection.id, from: { externalId: "4915100000003" } });
  const owner = await one<{ id: number }>("SELECT id FROM users WHERE workspace_id = ? ORDER BY id LIMIT 1", workspaceId);
  const sent = await one<{ id: number }>(
    "INSERT INTO messages (workspace_id, conversation_id, author_kind_key, author_user_id, channel_key, body, created_at, updated_at) VALUES (?, ?, 'user', ?, 'whatsapp', 'hi', 1, 1) RETURNING id",
    workspaceId,
    message.conversationId,
    owner.id,
  );
  const delivery = await one<{ id: number }>(
    "INSERT INTO deliveries (workspace_id, message_id, channel_key, connection_id, status_key, attempt, provider_message_id, created_at, updated_at) VALUES (?, ?, 'whatsapp', ?, ?, 1, ?, 1, 1) RETURNING id",
    workspaceId,
    sent.id,
    connection.id,
    status,
    providerMessageId,
  );
  return { messageId: sent.id, deliveryId: delivery.id, connectionId: connection.id };
}

const statusOf = async (deliveryId: number) =>
  one<{ status_key: string; error_code: string | null; error_message: string | null }>(
    "SELECT status_key, error_code, error_message FROM deliveries WHERE id = ?",
    deliveryId,
  );

describe("the deliver_message job", () => {
  it("runs through the queue consumer and fails the delivery when the channel is not connected", async () => {
    const { owner, workspace } = await newWorkspace();
    const sent = await sentOnWhatsApp(owner, workspace.id);
    const [delivery] = (
      await eventually(
        () => owner.get(`/v1/messages/${sent.id}/deliveries`),
        (res) => res.body.data[0]?.statusKey === "failed",
      )
    ).body.data;
    expect(delivery).toMatchObject({ attempt: 1, statusKey: "failed", errorCode: "channel_not_connected" });
    expect(delivery.errorMessage).toMatch(/no whatsapp connection/);

    const job = await eventually(
      () => one<{ status_key: string; result_json: string | null; attempts: number }>("SELECT status_key, result_json, attempts FROM jobs WHERE workspace_id = ? AND kind_key = 'deliver_message'", workspace.id),
      (row) => row.status_key === "failed",
    );
    expect(job.attempts).toBe(1);
    expect(JSON.parse(job.result_json!).error).toMatchObject({ code: "channel_not_connected" });
    const changes = await all<{ payload_json: string }>(
      "SELECT payload_json FROM events WHERE workspace_id = ? AND type_key = 'delivery.status_changed'",
      workspace.id,
    );
    expect(changes.map((e) => JSON.parse(e.payload_json))).toEqual([
      expect.objectContaining({ before: "queued", after: "failed", errorCode: "channel_not_connected", attempt: 1 }),
    ]);
    // The message list shows the latest attempt.
    const [listed] = (await owner.get(`/v1/conversations/${(await one<{ conversation_id: number }>("SELECT conversation_id FROM messages WHERE id = ?", sent.id)).conversation_id}/messages?limit=200`)).body.data.filter(
      (m: { id: number }) => m.id === sent.id,
    );
    expect(listed.delivery).toMatchObject({ statusKey: "failed", errorCode: "channel_not_connected" });
  });

  it("does nothing twice when the queue delivers the message again", async () => {
    const { owner, workspace } = await newWorkspace();
    const sent = await sentOnWhatsApp(owner, workspace.id);
    const job = await eventually(
      () => one<{ id: number; status_key: string; updated_at: number }>("SELECT id, status_key, updated_at FROM jobs WHERE workspace_id = ? AND kind_key = 'deliver_message'", workspace.id),
      (row) => row.status_key === "failed",
    );
    const eventsBefore = await count("SELECT count(*) AS n FROM events WHERE workspace_id = ?", workspace.id);

    const body: JobMessage = { kind: "deliver_message", jobId: job.id, workspaceId: workspace.id };
    const batch = createMessageBatch<JobMessage>("parley-jobs", [{ id: "redelivered", timestamp: new Date(), attempts: 2, body }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(["redelivered"]);
    expect(result.retryMessages).toEqual([]);
    expect(await count("SELECT count(*) AS n FROM events WHERE workspace_id = ?", workspace.id)).toBe(eventsBefore);
    expect((await statusOf(sent.delivery.id)).status_key).toBe("failed");
    expect((await one<{ updated_at: number }>("SELECT updated_at FROM jobs WHERE id = ?", job.id)).updated_at).toBe(job.updated_at);
  });

  it("exits without sending when its delivery is no longer queued", async () => {
    const { workspace } = await newWorkspace();
    const { deliveryId } = await arrangedDelivery(workspace.id, "sent", "wamid.sent-already");
    const job = await one<{ id: number }>(
      "INSERT INTO jobs (workspace_id, kind_key, input_json, created_at, updated_at) VALUES (?, 'deliver_message', ?, 1, 1) RETURNING id",
      workspace.id,
      JSON.stringify({ deliveryId }),
    );
    const batch = createMessageBatch<JobMessage>("parley-jobs", [
      { id: "late", timestamp: new Date(), attempts: 1, body: { kind: "deliver_message", jobId: job.id, workspaceId: workspace.id } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["late"]);
    const row = await one<{ status_key: string; result_json: string }>("SELECT status_key, result_json FROM jobs WHERE id = ?", job.id);
    expect(row.status_key).toBe("succeeded");
    expect(JSON.parse(row.result_json)).toMatchObject({ deliveryId, status: "sent" });
    expect((await statusOf(deliveryId)).status_key).toBe("sent");
  });
});

describe("updateFromProvider", () => {
  const db = () => createDb(env.DB);
  /** Deliveries by provider id, with the connection each one went out through. */
  const sentThrough = new Map<string, { workspaceId: number; connectionId: number }>();
  const arranged = async (workspaceId: number, status: string, providerMessageId: string) => {
    const result = await arrangedDelivery(workspaceId, status, providerMessageId);
    sentThrough.set(providerMessageId, { workspaceId, connectionId: result.connectionId });
    return result;
  };
  const update = (status: "queued" | "sent" | "delivered" | "read" | "failed", providerMessageId: string, extra = {}) =>
    updateFromProvider(db(), { ...sentThrough.get(providerMessageId)!, providerMessageId, status, ...extra });
  const transitions = (workspaceId: number) =>
    all<{ payload_json: string }>(
      "SELECT payload_json FROM events WHERE workspace_id = ? AND type_key = 'delivery.status_changed' ORDER BY id",
      workspaceId,
    ).then((rows) => rows.map((r) => JSON.parse(r.payload_json) as { before: string; after: string }).map((p) => `${p.before}>${p.after}`));

  it("only moves forward: late and repeated statuses change nothing", async () => {
    const { workspace } = await newWorkspace();
    const { deliveryId } = await arranged(workspace.id, "queued", "wamid.fwd");
    const outcomes = [];
    for (const status of ["sent", "delivered", "sent", "read", "delivered", "read", "failed", "queued"] as const) {
      outcomes.push((await update(status, "wamid.fwd")).changed);
    }
    expect(outcomes).toEqual([true, true, false, true, false, false, false, false]);
    expect((await statusOf(deliveryId)).status_key).toBe("read");
    expect(await transitions(workspace.id)).toEqual(["queued>sent", "sent>delivered", "delivered>read"]);
  });

  it("takes a status that arrives before the ones it implies, and ignores those afterwards", async () => {
    const { workspace } = await newWorkspace();
    const { deliveryId } = await arranged(workspace.id, "queued", "wamid.ooo");
    expect((await update("read", "wamid.ooo")).changed).toBe(true);
    expect((await update("delivered", "wamid.ooo")).changed).toBe(false);
    expect((await update("sent", "wamid.ooo")).changed).toBe(false);
    expect((await statusOf(deliveryId)).status_key).toBe("read");
    expect(await transitions(workspace.id)).toEqual(["queued>read"]);
  });

  it("keeps failed final for the attempt, with the provider's error", async () => {
    const { workspace } = await newWorkspace();
    const { deliveryId } = await arranged(workspace.id, "sent", "wamid.fail");
    const failed = await update("failed", "wamid.fail", { errorCode: "131026", errorMessage: "Message undeliverable" });
    expect(failed).toMatchObject({ matched: true, changed: true });
    for (const status of ["delivered", "read", "failed"] as const) expect((await update(status, "wamid.fail")).changed).toBe(false);
    expect(await statusOf(deliveryId)).toEqual({ status_key: "failed", error_code: "131026", error_message: "Message undeliverable" });
    expect(await transitions(workspace.id)).toEqual(["sent>failed"]);
  });

  it("does not believe a failure after the provider said delivered", async () => {
    const { workspace } = await newWorkspace();
    const { deliveryId } = await arranged(workspace.id, "delivered", "wamid.late-fail");
    expect((await update("failed", "wamid.late-fail", { errorCode: "x" })).changed).toBe(false);
    expect((await statusOf(deliveryId)).status_key).toBe("delivered");
  });

  it("applies concurrent callbacks one at a time", async () => {
    const { workspace } = await newWorkspace();
    const { deliveryId } = await arranged(workspace.id, "queued", "wamid.race");
    await Promise.all((["sent", "delivered", "read", "sent", "delivered"] as const).map((s) => update(s, "wamid.race")));
    expect((await statusOf(deliveryId)).status_key).toBe("read");
    const seen = await transitions(workspace.id);
    // Whatever order they landed in, each event is a real forward step ending at read.
    expect(seen.at(-1)).toMatch(/>read$/);
    const order = ["queued", "sent", "delivered", "read"];
    for (const step of seen) {
      const [from, to] = step.split(">");
      expect(order.indexOf(to!)).toBeGreaterThan(order.indexOf(from!));
    }
    expect(seen.map((s) => s.split(">")[0])).toEqual(["queued", ...seen.slice(0, -1).map((s) => s.split(">")[1])]);
  });

  it("matches only deliveries that went out through the connection the callback came in on", async () => {
    const { workspace } = await newWorkspace();
    const other = await newWorkspace();
    const { deliveryId, connectionId } = await arranged(workspace.id, "queued", "wamid.scoped");
    const theirs = await arrangedConnection(other.workspace.id);
    const mine2 = await arrangedConnection(workspace.id);
    const unmatched = { matched: false, changed: false };
    // Another workspace's connection, another connection of the same workspace, another workspace with this connection id.
    expect(await updateFromProvider(db(), { workspaceId: other.workspace.id, connectionId: theirs.id, providerMessageId: "wamid.scoped", status: "sent" })).toEqual(unmatched);
    expect(await updateFromProvider(db(), { workspaceId: workspace.id, connectionId: mine2.id, providerMessageId: "wamid.scoped", status: "sent" })).toEqual(unmatched);
    expect(await updateFromProvider(db(), { workspaceId: other.workspace.id, connectionId, providerMessageId: "wamid.scoped", status: "sent" })).toEqual(unmatched);
    expect(await updateFromProvider(db(), { workspaceId: workspace.id, connectionId, providerMessageId: "wamid.unknown", status: "sent" })).toEqual(unmatched);
    expect((await statusOf(deliveryId)).status_key).toBe("queued");
    expect(await update("sent", "wamid.scoped")).toMatchObject({ matched: true, changed: true });
  });
});

describe("GET /v1/messages/{id}/deliveries and POST /v1/deliveries/{id}/retry", () => {
  it("retries the latest failed attempt as attempt n+1 with a new job", async () => {
    const { owner, workspace, user } = await newWorkspace();
    const { messageId, deliveryId } = await arrangedDelivery(workspace.id, "failed");
    const res = await owner.post(`/v1/deliveries/${deliveryId}/retry`);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ messageId, attempt: 2, statusKey: "queued", channelKey: "whatsapp" });
    const job = await one<{ input_json: string; created_by_user_id: number }>(
      "SELECT input_json, created_by_user_id FROM jobs WHERE workspace_id = ? AND kind_key = 'deliver_message'",
      workspace.id,
    );
    expect(JSON.parse(job.input_json)).toEqual({ deliveryId: res.body.id });
    expect(job.created_by_user_id).toBe(user.id);
    const retried = await one<{ entity_id: number; payload_json: string }>(
      "SELECT entity_id, payload_json FROM events WHERE workspace_id = ? AND type_key = 'delivery.retried'",
      workspace.id,
    );
    expect(retried.entity_id).toBe(res.body.id);
    expect(JSON.parse(retried.payload_json)).toEqual({ messageId, attempt: 2, previousDeliveryId: deliveryId });

    // The superseded attempt cannot be retried again; the new one is not failed (yet).
    expectError(await owner.post(`/v1/deliveries/${deliveryId}/retry`), 409, "conflict");
    const attempts = await eventually(
      () => owner.get(`/v1/messages/${messageId}/deliveries`),
      (r) => r.body.data[1]?.statusKey === "failed",
    );
    expect(attempts.body.data.map((d: { attempt: number; statusKey: string }) => [d.attempt, d.statusKey])).toEqual([
      [1, "failed"],
      [2, "failed"],
    ]);
    expect((await owner.post(`/v1/deliveries/${res.body.id}/retry`)).body.attempt).toBe(3);
  });

  it("refuses to retry a delivery that has not failed", async () => {
    const { owner, workspace } = await newWorkspace();
    for (const status of ["queued", "sent", "delivered", "read"]) {
      const { deliveryId } = await arrangedDelivery(workspace.id, status);
      const res = await owner.post(`/v1/deliveries/${deliveryId}/retry`);
      expectError(res, 409, "conflict");
      expect(res.body.error.message).toContain(status);
    }
    expect(await count("SELECT count(*) AS n FROM jobs WHERE workspace_id = ? AND kind_key = 'deliver_message'", workspace.id)).toBe(0);
  });

  it("lists no deliveries for internal messages", async () => {
    const { owner, workspace } = await newWorkspace();
    const { message } = await ingest(workspace.id);
    const note = await owner.post(`/v1/conversations/${message.conversationId}/messages`, { body: "note", channelKey: "internal" });
    expect((await owner.get(`/v1/messages/${note.body.id}/deliveries`)).body).toEqual({ data: [] });
  });

  it("validates ids, needs a token and stays in its workspace", async () => {
    const { owner, workspace } = await newWorkspace();
    const { messageId, deliveryId } = await arrangedDelivery(workspace.id, "failed");
    expectError(await owner.get("/v1/messages/x/deliveries"), 422, "validation_failed", "param.id");
    expectError(await owner.post("/v1/deliveries/0/retry"), 422, "validation_failed", "param.id");
    expectError(await owner.post("/v1/deliveries/999999/retry"), 404, "not_found");
    await expectUnauthorized("GET", `/v1/messages/${messageId}/deliveries`);
    await expectUnauthorized("POST", `/v1/deliveries/${deliveryId}/retry`);
    const other = await newWorkspace();
    await expectInvisibleTo(other.owner, "GET", `/v1/messages/${messageId}/deliveries`);
    await expectInvisibleTo(other.owner, "POST", `/v1/deliveries/${deliveryId}/retry`);
    expect(await count("SELECT count(*) AS n FROM deliveries WHERE message_id = ?", messageId)).toBe(1);
  });
});
