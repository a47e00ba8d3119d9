import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { InboundMessage } from "../src/channels/channel-adapter";
import { createDb } from "../src/db/client";
import type { Bindings } from "../src/env";
import type { ClassifyConversationJob } from "../src/jobs/job-message";
import { ingestInbound } from "../src/modules/messages/ingest.service";
import { aiSuggestion, CLASSIFICATION_STALL_MS, CLASSIFY_DEBOUNCE_SECONDS, contactAiSuggestion } from "../src/modules/qualification/classification.service";
import { OUTBOX_GRACE_MS } from "../src/jobs/outbox";
import { newWorkspace } from "./helpers/api";
import { cron } from "./helpers/cron";
import { all, count, one } from "./helpers/db";
import { contactConversation } from "./helpers/inbox";
import { deliver, envWithFakeQueue, type FakeQueue, waitForJob } from "./helpers/jobs";
import { expectError, expectInvisibleTo, expectUnauthorized } from "./helpers/security";

type Ws = Awaited<ReturnType<typeof newWorkspace>>;

let sequence = 0;

/** An inbound Telegram message from one sender, through the real ingest service and a FakeQueue. */
function inbound(bindings: Bindings, ws: Ws, body: string, from = "tg-sender-1", externalId?: string) {
  sequence += 1;
  const message: InboundMessage = {
    channel: "telegram",
    externalId: externalId ?? `cls-${sequence}-${crypto.randomUUID()}`,
    from: { externalId: from, name: "Lena Lead" },
    body,
    kind: "text",
  };
  return ingestInbound(createDb(env.DB), bindings, { workspaceId: ws.workspace.id, ...message });
}

const classifyMessages = (queue: FakeQueue) =>
  queue.sent.filter((m): m is ClassifyConversationJob => "kind" in m && m.kind === "classify_conversation");

const classifyJobs = (ws: Ws, conversationId: number) =>
  all<{ id: number; status_key: string; input_json: string; created_by_user_id: number | null; started_at: number | null; result_json: string | null }>(
    "SELECT * FROM jobs WHERE workspace_id = ? AND kind_key = 'classify_conversation' AND input_json ->> '$.conversationId' = ? ORDER BY id",
    ws.workspace.id,
    conversationId,
  );

const result = async (jobId: number) => JSON.parse((await one<{ result_json: string }>("SELECT result_json FROM jobs WHERE id = ?", jobId)).result_json);

describe("classification of inbound conversations (debounced)", () => {
  it("ten inbound messages, some at once, make one pending job, queued after the debounce window", async () => {
    const ws = await newWorkspace();
    const { env: fake, queue } = envWithFakeQueue();
    const first = await inbound(fake, ws, "Hi, can you send a quote?");
    await Promise.all(Array.from({ length: 9 }, (_, i) => inbound(fake, ws, `and another thing ${i}`)));
    const conversationId = first.message.conversationId;
    const jobs = await classifyJobs(ws, conversationId);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ status_key: "queued", created_by_user_id: null, started_at: null });
    expect(JSON.parse(jobs[0]!.input_json)).toEqual({ conversationId, triggerKey: "inbound" });
    const sent = classifyMessages(queue);
    expect(sent).toEqual([{ kind: "classify_conversation", jobId: jobs[0]!.id, workspaceId: ws.workspace.id }]);
    expect(queue.options[queue.sent.indexOf(sent[0]!)]).toMatchObject({ delaySeconds: CLASSIFY_DEBOUNCE_SECONDS });
    // A webhook delivered again (same externalId) schedules nothing new either.
    const again = await inbound(fake, ws, "Hi, can you send a quote?", "tg-sender-1", first.message.externalId!);
    expect(again.created).toBe(false);
    expect(await classifyJobs(ws, conversationId)).toHaveLength(1);
    expect(classifyMessages(queue)).toHaveLength(1);
    expect(await count("SELECT count(*) AS n FROM messages WHERE conversation_id = ?", conversationId)).toBe(10);
  });

  it("once the job has started, the next message schedules the next one; each conversation has its own", async () => {
    const ws = await newWorkspace();
    const { env: fake, queue } = envWithFakeQueue();
    const a = await inbound(fake, ws, "We'd like a quote for 25 seats, can you send it today?");
    const b = await inbound(fake, ws, "Hello", "tg-other-sender");
    expect(b.message.conversationId).not.toBe(a.message.conversationId);
    expect(classifyMessages(queue)).toHaveLength(2);

    await deliver(fake, [classifyMessages(queue)[0]!]);
    await inbound(fake, ws, "Also: we want to start on Monday");
    const jobs = await classifyJobs(ws, a.message.conversationId);
    expect(jobs.map((j) => j.status_key)).toEqual(["succeeded", "queued"]);
    expect(classifyMessages(queue)).toHaveLength(3);
  });

  it("a job whose message the queue refused is stored with the message, and the cron sends it with what is left of the window", async () => {
    const ws = await newWorkspace();
    const refusing = { ...env, JOBS: { send: () => Promise.reject(new Error("down")), sendBatch: () => Promise.reject(new Error("down")) } } as unknown as Bindings;
    const first = await inbound(refusing, ws, "hi");
    const [job] = await classifyJobs(ws, first.message.conversationId);
    expect(job).toMatchObject({ status_key: "queued", started_at: null });
    // The next message finds the pending job: no second job, no second message.
    await inbound(refusing, ws, "hello?");
    expect(await classifyJobs(ws, first.message.conversationId)).toHaveLength(1);
    const waiting = await all<{ body_json: string; delay_seconds: number; created_at: number }>(
      "SELECT body_json, delay_seconds, created_at FROM queue_outbox WHERE workspace_id = ? AND body_json ->> '$.kind' = 'classify_conversation'",
      ws.workspace.id,
    );
    expect(waiting.map((w) => JSON.parse(w.body_json))).toEqual([{ kind: "classify_conversation", jobId: job!.id, workspaceId: ws.workspace.id }]);
    expect(waiting[0]!.delay_seconds).toBe(CLASSIFY_DEBOUNCE_SECONDS);

    const { env: fake, queue } = envWithFakeQueue();
    await cron(waiting[0]!.created_at + OUTBOX_GRACE_MS + 1_000, fake);
    const sent = classifyMessages(queue);
    expect(sent.map((m) => m.jobId)).toEqual([job!.id]);
    expect(queue.options[queue.sent.indexOf(sent[0]!)]).toEqual({ delaySeconds: CLASSIFY_DEBOUNCE_SECONDS - 61 });
  });

  it("a job whose message was lost with the Worker is sent again by the cron once it has stalled, and only once a period", async () => {
    const ws = await newWorkspace();
    // The queue took nothing and said nothing: as if the Worker died between the batch and the send.
    const { env: lost } = envWithFakeQueue();
    const first = await inbound(lost, ws, "Can we get a quote for 12 seats?");
    const [job] = await classifyJobs(ws, first.message.conversationId);
    const { created_at: scheduledAt } = await one<{ created_at: number }>("SELECT created_at FROM jobs WHERE id = ?", job!.id);

    const { env: fake, queue } = envWithFakeQueue();
    // Other tests of this file left pending jobs too: this workspace's only.
    const resent = () => classifyMessages(queue).filter((m) => m.workspaceId === ws.workspace.id);
    await cron(scheduledAt + CLASSIFICATION_STALL_MS - 1_000, fake);
    expect(resent()).toEqual([]);
    await cron(scheduledAt + CLASSIFICATION_STALL_MS + 1_000, fake);
    expect(resent()).toEqual([{ kind: "classify_conversation", jobId: job!.id, workspaceId: ws.workspace.id }]);
    // Stamped: the next minutes' runs leave it to the queue.
    await cron(scheduledAt + CLASSIFICATION_STALL_MS + 61_000, fake);
    expect(resent()).toHaveLength(1);
    // Once it ran, it is not pending any more, however long ago it was scheduled.
    await deliver(fake, resent());
    await cron(scheduledAt + 3 * CLASSIFICATION_STALL_MS, fake);
    expect(resent()).toHaveLength(1);
  });
});

describe("the classify_conversation job", () => {
  async function classified(text: string[], ws?: Ws) {
    const w = ws ?? (await newWorkspace());
    const { env: fake, queue } = envWithFakeQueue();
    let conversationId = 0;
    for (const body of text) conversationId = (await inbound(fake, w, body)).message.conversationId;
    const message = classifyMessages(queue)[0]!;
    return { ws: w, fake, message, conversationId };
  }

  it("records the classification on the conversation and its contact, source ai, confidence in score, an event each", async () => {
    const { ws, fake, message, conversationId } = await classified([
      "Hello",
      "We compared vendors and want to go ahead: please send the contract for 30 seats, we'd like to sign this week.",
    ]);
    const outcome = await deliver(fake, [message]);
    expect(outcome.explicitAcks).toHaveLength(1);
    const res = await result(message.jobId);
    // No AI binding in this project: the offline classifier decides.
    expect((env as Bindings).AI).toBeUndefined();
    expect(res).toMatchObject({ conversationId, kindKey: "hot", classifierKey: "offline", recorded: true });
    expect(res.score).toBeGreaterThanOrEqual(40);
    expect(res.score).toBeLessThanOrEqual(100);
    expect(res.reasons).toEqual(expect.arrayContaining(["contract"]));
    expect(res).not.toHaveProperty("fallback");

    const conversationRows = await all<{ source_key: string; kind_key: string; score: number; user_id: number | null }>(
      "SELECT * FROM conversation_qualifications WHERE conversation_id = ?",
      conversationId,
    );
    expect(conversationRows).toEqual([expect.objectContaining({ source_key: "ai", kind_key: "hot", score: res.score, user_id: null })]);
    const contactId = res.contactId as number;
    const contactRows = await all<{ source_key: string; kind_key: string; score: number }>(
      "SELECT * FROM contact_qualifications WHERE contact_id = ?",
      contactId,
    );
    expect(contactRows).toEqual([expect.objectContaining({ source_key: "ai", kind_key: "hot", score: res.score })]);
    expect((await ws.owner.get(`/v1/contacts/${contactId}`)).body.qualification).toBe("hot");
    expect((await ws.owner.get(`/v1/conversations/${conversationId}/qualification`)).body).toMatchObject({
      kindKey: "hot",
      userOverride: false,
      history: [{ kindKey: "hot", sourceKey: "ai", userId: null, confidence: res.score }],
    });
    const events = await all<{ type_key: string; entity_id: number; actor_user_id: number | null; payload_json: string }>(
      "SELECT * FROM events WHERE workspace_id = ? AND type_key IN ('conversation.qualification_set', 'contact.qualification_set') ORDER BY id",
      ws.workspace.id,
    );
    expect(events.map((e) => [e.type_key, e.entity_id, e.actor_user_id])).toEqual([
      ["conversation.qualification_set", conversationId, null],
      ["contact.qualification_set", contactId, null],
    ]);
    expect(JSON.parse(events[0]!.payload_json)).toMatchObject({ kindKey: "hot", sourceKey: "ai", confidence: res.score, classifierKey: "offline", jobId: message.jobId });

    // The suggestion the bots show.
    const db = createDb(env.DB);
    expect(await aiSuggestion(db, ws.workspace.id, conversationId)).toMatchObject({ kindKey: "hot", confidence: res.score / 100 });
    expect(await contactAiSuggestion(db, ws.workspace.id, contactId)).toMatchObject({ kindKey: "hot" });
    const other = await newWorkspace();
    expect(await aiSuggestion(db, other.workspace.id, conversationId)).toBeNull();
  });

  it("writes once when its message is delivered twice, one after the other or at the same time", async () => {
    const { fake, message, conversationId } = await classified(["Not interested, please remove me from your list."]);
    await Promise.all([deliver(fake, [message]), deliver(fake, [message], { attempts: 2 })]);
    await deliver(fake, [message], { attempts: 3 });
    expect(await count("SELECT count(*) AS n FROM conversation_qualifications WHERE conversation_id = ?", conversationId)).toBe(1);
    expect(
      await count(
        "SELECT count(*) AS n FROM events WHERE type_key = 'conversation.qualification_set' AND entity_id = ?",
        conversationId,
      ),
    ).toBe(1);
    expect(await result(message.jobId)).toMatchObject({ kindKey: "not_a_fit", recorded: true });
  });

  it("keeps a user's override sticky: the AI row is history, the effective value stays until the user clears it", async () => {
    const ws = await newWorkspace();
    const { env: fake, queue } = envWithFakeQueue();
    const first = await inbound(fake, ws, "hello");
    const conversationId = first.message.conversationId;
    const contactId = first.message.authorContactId!;
    expect((await ws.owner.put(`/v1/contacts/${contactId}/qualification`, { kindKey: "customer" })).status).toBe(200);
    expect((await ws.owner.put(`/v1/conversations/${conversationId}/qualification`, { kindKey: "customer" })).status).toBe(200);

    await inbound(fake, ws, "Please send the invoice for 40 licenses, we pay before the 30th. Ready to sign today.");
    await deliver(fake, [classifyMessages(queue)[0]!]);
    const res = await result(classifyMessages(queue)[0]!.jobId);
    expect(res).toMatchObject({ kindKey: "hot", recorded: true });

    const contact = await ws.owner.get(`/v1/contacts/${contactId}/qualification`);
    expect(contact.body).toMatchObject({ kindKey: "customer", userOverride: true });
    expect(contact.body.history[0]).toMatchObject({ kindKey: "hot", sourceKey: "ai" });
    expect((await ws.owner.get(`/v1/contacts/${contactId}`)).body.qualification).toBe("customer");
    expect((await ws.owner.get(`/v1/conversations/${conversationId}/qualification`)).body).toMatchObject({ kindKey: "customer", userOverride: true });
    const event = await one<{ payload_json: string }>(
      "SELECT payload_json FROM events WHERE type_key = 'contact.qualification_set' AND entity_id = ? ORDER BY id DESC LIMIT 1",
      contactId,
    );
    expect(JSON.parse(event.payload_json)).toMatchObject({ kindKey: "hot", sourceKey: "ai", before: { qualification: "customer" } });

    // Cleared: the AI's answer shows through.
    expect((await ws.owner.delete(`/v1/contacts/${contactId}/qualification`)).body).toMatchObject({ kindKey: "hot", userOverride: false });
  });

  it("records nothing below the confidence floor, and nothing for a conversation the contact has not written in", async () => {
    const { fake, message, conversationId } = await classified(["hello"]);
    await deliver(fake, [message]);
    expect(await result(message.jobId)).toMatchObject({ kindKey: null, recorded: false, skipped: "below the confidence floor" });
    expect(await count("SELECT count(*) AS n FROM conversation_qualifications WHERE conversation_id = ?", conversationId)).toBe(0);

    const ws = await newWorkspace();
    const { conversation } = await contactConversation(ws.owner);
    const res = await ws.owner.post(`/v1/conversations/${conversation.id}/classify`);
    expect(res.status).toBe(202);
    const job = await waitForJob(ws.owner, res.body.id);
    expect(job.result).toMatchObject({ kindKey: null, recorded: false, skipped: "the contact has written nothing yet" });
  });

  it("never picks a workspace's own kind the cue lists do not name, nor a default kind the workspace lacks", async () => {
    const ws = await newWorkspace();
    await env.DB.prepare("INSERT INTO qualification_kinds (workspace_id, key, label, sort_index, created_at, updated_at) VALUES (?, 'vip', 'VIP', 0, 0, 0)")
      .bind(ws.workspace.id)
      .run();
    await env.DB.prepare("DELETE FROM qualification_kinds WHERE workspace_id = ? AND key = 'hot'").bind(ws.workspace.id).run();
    const { fake, message } = await classified(["VIP VIP VIP! Send the contract for 50 seats today, we sign this week, quote please"], ws);
    await deliver(fake, [message]);
    const res = await result(message.jobId);
    expect(res.kindKey === null || !["vip", "hot"].includes(res.kindKey)).toBe(true);
  });
});

describe("POST /v1/conversations/{id}/classify and /v1/contacts/{id}/classify", () => {
  it("answer 202 with the job, which the queue runs", async () => {
    const ws = await newWorkspace();
    const { env: fake } = envWithFakeQueue();
    const first = await inbound(fake, ws, "Unsubscribe. Wrong number, I don't know you.");
    const conversationId = first.message.conversationId;
    const contactId = first.message.authorContactId!;

    const res = await ws.owner.post(`/v1/conversations/${conversationId}/classify`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      kindKey: "classify_conversation",
      statusKey: "queued",
      input: { conversationId, triggerKey: "request" },
      createdByUserId: ws.user.id,
    });
    const done = await waitForJob(ws.owner, res.body.id);
    expect(done).toMatchObject({ statusKey: "succeeded", result: { kindKey: "not_a_fit", classifierKey: "offline", recorded: true } });

    const byContact = await ws.owner.post(`/v1/contacts/${contactId}/classify`);
    expect(byContact.status).toBe(202);
    expect(byContact.body.input).toEqual({ conversationId, contactId, triggerKey: "request" });
    expect((await waitForJob(ws.owner, byContact.body.id)).result).toMatchObject({ conversationId, contactId, kindKey: "not_a_fit" });
  });

  it("are 404 across workspaces, validate the id, need a token", async () => {
    const ws = await newWorkspace();
    const other = await newWorkspace();
    const { contact, conversation } = await contactConversation(ws.owner);
    await expectInvisibleTo(other.owner, "POST", `/v1/conversations/${conversation.id}/classify`);
    await expectInvisibleTo(other.owner, "POST", `/v1/contacts/${contact.id}/classify`);
    expectError(await ws.owner.post("/v1/conversations/abc/classify"), 422, "validation_failed", "param.id");
    expectError(await ws.owner.post("/v1/contacts/0/classify"), 422, "validation_failed", "param.id");
    expectError(await ws.owner.post("/v1/conversations/999999999/classify"), 404, "not_found");
    await expectUnauthorized("POST", `/v1/conversations/${conversation.id}/classify`);
    await expectUnauthorized("POST", `/v1/contacts/${contact.id}/classify`);
    expect(await count("SELECT count(*) AS n FROM jobs WHERE workspace_id IN (?, ?) AND kind_key = 'classify_conversation'", ws.workspace.id, other.workspace.id)).toBe(0);
  });

  it("refuse what has nothing to classify: a contact without a conversation, a direct conversation between users", async () => {
    const ws = await newWorkspace();
    const contact = (await ws.owner.post("/v1/contacts", { name: "Quiet" })).body;
    expectError(await ws.owner.post(`/v1/contacts/${contact.id}/classify`), 409, "conflict");
    const rep = await ws.member();
    const direct = await ws.owner.post("/v1/conversations/direct", { userId: rep.user.id });
    expect(direct.status).toBe(201);
    expectError(await ws.owner.post(`/v1/conversations/${direct.body.id}/classify`), 409, "conflict");
  });
});
