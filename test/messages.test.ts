import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newWorkspace, request } from "./helpers/api";
import { all, count, one } from "./helpers/db";
import { contactConversation, ingest } from "./helpers/inbox";
import { expectError, expectInvisibleTo, expectUnauthorized } from "./helpers/security";

const receiptsOf = (messageId: number) =>
  all<{ user_id: number; status_key: string; read_at: number | null }>(
    "SELECT user_id, status_key, read_at FROM message_receipts WHERE message_id = ? ORDER BY user_id",
    messageId,
  );

const eventCount = (workspaceId: number, typeKey: string) =>
  count("SELECT count(*) AS n FROM events WHERE workspace_id = ? AND type_key = ?", workspaceId, typeKey);

describe("POST /v1/conversations/{id}/messages", () => {
  it("writes an internal note until the contact has written; a note does not make its author a participant", async () => {
    const ws = await newWorkspace();
    const { owner, user, workspace } = ws;
    const colleague = (await ws.member("Colleague")).user.id;
    const contact = (await owner.post("/v1/contacts", { name: "Noted", identities: [{ channelKey: "telegram", externalId: "note-1" }] })).body;
    const conversation = (await owner.post(`/v1/contacts/${contact.id}/conversations`)).body;
    const res = await owner.post(`/v1/conversations/${conversation.id}/messages`, { body: "  Call him Monday\n" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      conversationId: conversation.id,
      authorKindKey: "user",
      authorUserId: user.id,
      authorContactId: null,
      channelKey: "internal",
      kindKey: "text",
      body: "  Call him Monday\n",
      delivery: null,
      receiptStatusKey: "read",
      attachments: [],
    });
    expect(await receiptsOf(res.body.id)).toEqual(
      [
        { user_id: user.id, status_key: "read", read_at: expect.any(Number) },
        { user_id: colleague, status_key: "unread", read_at: null },
      ].sort((a, b) => a.user_id - b.user_id),
    );
    expect(await count("SELECT count(*) AS n FROM deliveries WHERE message_id = ?", res.body.id)).toBe(0);
    const detail = (await owner.get(`/v1/conversations/${conversation.id}`)).body;
    expect(detail.participants.map((p: { userId: number | null }) => p.userId)).toEqual([null]);
    expect(detail.lastMessageAt).not.toBeNull();
    expect(await eventCount(workspace.id, "message.sent")).toBe(1);
    expect(await eventCount(workspace.id, "conversation.participant_added")).toBe(0);
    // The contact writes: every user hears of it, not only the note's author.
    const inbound = await ingest(workspace.id, { channel: "telegram", from: { externalId: "note-1" } });
    expect(inbound.message.conversationId).toBe(conversation.id);
    expect((await receiptsOf(inbound.message.id)).map((r) => [r.user_id, r.status_key])).toEqual(
      [user.id, colleague].sort((a, b) => a - b).map((id) => [id, "unread"]),
    );
  });

  it("replies on the channel the contact last wrote on, with a queued delivery and its job", async () => {
    const { owner, workspace } = await newWorkspace();
    const inbound = await ingest(workspace.id, { channel: "whatsapp", from: { externalId: "4915112345678" } });
    const res = await owner.post(`/v1/conversations/${inbound.message.conversationId}/messages`, { body: "Hallo!" });
    expect(res.status).toBe(201);
    expect(res.body.channelKey).toBe("whatsapp");
    expect(res.body.delivery).toMatchObject({ statusKey: "queued", attempt: 1, channelKey: "whatsapp" });
    const job = await one<{ kind_key: string; input_json: string }>(
      "SELECT kind_key, input_json FROM jobs WHERE workspace_id = ? AND kind_key = 'deliver_message'",
      workspace.id,
    );
    expect(JSON.parse(job.input_json)).toEqual({ deliveryId: res.body.delivery.id });
    const explicit = await owner.post(`/v1/conversations/${inbound.message.conversationId}/messages`, { body: "note", channelKey: "internal" });
    expect(explicit.body).toMatchObject({ channelKey: "internal", delivery: null });
  });

  it("keeps direct conversations internal", async () => {
    const { owner, member } = await newWorkspace();
    const rep = await member();
    const direct = (await owner.post("/v1/conversations/direct", { userId: rep.user.id })).body;
    const res = await owner.post(`/v1/conversations/${direct.id}/messages`, { body: "lunch?" });
    expect(res.body).toMatchObject({ channelKey: "internal", delivery: null });
    expect(await receiptsOf(res.body.id)).toEqual(
      [
        { user_id: res.body.authorUserId, status_key: "read", read_at: expect.any(Number) },
        { user_id: rep.user.id, status_key: "unread", read_at: null },
      ].sort((a, b) => a.user_id - b.user_id),
    );
    expectError(await owner.post(`/v1/conversations/${direct.id}/messages`, { body: "x", channelKey: "sms" }), 422, "validation_failed", "body.channelKey");
  });

  it("names invalid fields", async () => {
    const { owner } = await newWorkspace();
    const { conversation } = await contactConversation(owner);
    const path = `/v1/conversations/${conversation.id}/messages`;
    expectError(await owner.post(path, { body: "   " }), 422, "validation_failed", "body.body");
    expectError(await owner.post(path, {}), 422, "validation_failed", "body.body");
    expectError(await owner.post(path, { body: "x".repeat(20_001) }), 422, "validation_failed", "body.body");
    expectError(await owner.post(path, { body: "x", channelKey: "fax" }), 422, "validation_failed", "body.channelKey");
    expectError(await owner.post(path, { body: "x", attachmentIds: "1" }), 422, "validation_failed", "body.attachmentIds");
    const notJson = await request("POST", path, { token: owner.token, rawBody: "{", headers: { "content-type": "application/json" } });
    expectError(notJson, 400, "invalid_json");
    expect(await count("SELECT count(*) AS n FROM messages WHERE conversation_id = ?", conversation.id)).toBe(0);
  });

  it("needs a token and stays in its workspace", async () => {
    const { owner } = await newWorkspace();
    const { conversation } = await contactConversation(owner);
    await expectUnauthorized("POST", `/v1/conversations/${conversation.id}/messages`, { body: "x" });
    const other = await newWorkspace();
    await expectInvisibleTo(other.owner, "POST", `/v1/conversations/${conversation.id}/messages`, { body: "x" });
    expect(await count("SELECT count(*) AS n FROM messages WHERE conversation_id = ?", conversation.id)).toBe(0);
  });
});

describe("GET /v1/conversations/{id}/messages", () => {
  it("lists oldest first with the caller's read state, page by page", async () => {
    const { owner, workspace } = await newWorkspace();
    const first = await ingest(workspace.id, { body: "one" });
    const conversationId = first.message.conversationId;
    await ingest(workspace.id, { body: "two" });
    await owner.post(`/v1/conversations/${conversationId}/messages`, { body: "three", channelKey: "internal" });
    const res = await owner.get(`/v1/conversations/${conversationId}/messages`);
    expect(res.status).toBe(200);
    expect(res.body.data.map((m: { body: string }) => m.body)).toEqual(["one", "two", "three"]);
    expect(res.body.data.map((m: { receiptStatusKey: string }) => m.receiptStatusKey)).toEqual(["unread", "unread", "read"]);
    expect(res.body.data[0]).toMatchObject({ authorKindKey: "contact", channelKey: "telegram", externalId: first.message.externalId, delivery: null });

    const page1 = await owner.get(`/v1/conversations/${conversationId}/messages?limit=2`);
    expect(page1.body.data.map((m: { body: string }) => m.body)).toEqual(["one", "two"]);
    const page2 = await owner.get(`/v1/conversations/${conversationId}/messages?limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.data.map((m: { body: string }) => m.body)).toEqual(["three"]);
    expect(page2.body.nextCursor).toBeNull();
  });

  it("validates, and guards tokens and workspaces", async () => {
    const { owner, workspace } = await newWorkspace();
    const { message } = await ingest(workspace.id);
    const path = `/v1/conversations/${message.conversationId}/messages`;
    expectError(await owner.get(`${path}?limit=0`), 422, "validation_failed", "query.limit");
    expectError(await owner.get(`${path}?cursor=%%%`), 400, "invalid_cursor");
    // A well-formed cursor that is not an id: refused, not turned into NaN.
    expectError(await owner.get(`${path}?cursor=WyJ4Il0`), 400, "invalid_cursor");
    await expectUnauthorized("GET", path);
    const other = await newWorkspace();
    await expectInvisibleTo(other.owner, "GET", path);
  });
});

describe("receipts", () => {
  it("go to every user while nobody is assigned, then to the participants only", async () => {
    const { owner, user, workspace, member } = await newWorkspace();
    const rep = await member();
    const first = await ingest(workspace.id, { body: "anyone?" });
    expect(await receiptsOf(first.message.id)).toEqual(
      [user.id, rep.user.id].sort((a, b) => a - b).map((id) => ({ user_id: id, status_key: "unread", read_at: null })),
    );
    const reply = await owner.post(`/v1/conversations/${first.message.conversationId}/messages`, { body: "me!" });
    expect(await receiptsOf(reply.body.id)).toEqual([{ user_id: user.id, status_key: "read", read_at: expect.any(Number) }]);
    const second = await ingest(workspace.id, { body: "great" });
    expect(await receiptsOf(second.message.id)).toEqual([{ user_id: user.id, status_key: "unread", read_at: null }]);
  });

  it("are counted per conversation for the caller, in the list and the detail", async () => {
    const { owner, workspace, member } = await newWorkspace();
    const rep = await member();
    const a = await ingest(workspace.id, { from: { externalId: "a" } });
    await ingest(workspace.id, { from: { externalId: "a" } });
    const b = await ingest(workspace.id, { from: { externalId: "b" } });
    const unreadOf = async (api: typeof owner) =>
      Object.fromEntries((await api.get("/v1/conversations")).body.data.map((c: { id: number; unreadCount: number }) => [c.id, c.unreadCount]));
    expect(await unreadOf(owner)).toEqual({ [a.message.conversationId]: 2, [b.message.conversationId]: 1 });
    await owner.post(`/v1/messages/${a.message.id}/read`);
    expect(await unreadOf(owner)).toEqual({ [a.message.conversationId]: 1, [b.message.conversationId]: 1 });
    expect(await unreadOf(rep.api)).toEqual({ [a.message.conversationId]: 2, [b.message.conversationId]: 1 });
    expect((await owner.get(`/v1/conversations/${a.message.conversationId}`)).body.counts.unread).toBe(1);
  });

  it("mark one read once, with one event", async () => {
    const { owner, workspace } = await newWorkspace();
    const { message } = await ingest(workspace.id);
    const res = await owner.post(`/v1/messages/${message.id}/read`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ markedRead: 1 });
    expect((await owner.post(`/v1/messages/${message.id}/read`)).body).toEqual({ markedRead: 0 });
    expect(await eventCount(workspace.id, "message.read")).toBe(1);
    expectError(await owner.post("/v1/messages/999999/read"), 404, "not_found");
    expectError(await owner.post("/v1/messages/x/read"), 422, "validation_failed", "param.id");
    await expectUnauthorized("POST", `/v1/messages/${message.id}/read`);
    const other = await newWorkspace();
    await expectInvisibleTo(other.owner, "POST", `/v1/messages/${message.id}/read`);
  });

  it("mark a batch read: by ids, or up to a message in a conversation, one event per call", async () => {
    const { owner, workspace } = await newWorkspace();
    const messages = [];
    for (let i = 0; i < 5; i++) messages.push((await ingest(workspace.id, { body: `m${i}` })).message);
    const conversationId = messages[0]!.conversationId;
    const other = await ingest(workspace.id, { from: { externalId: "someone-else" } });

    const byIds = await owner.post("/v1/messages/read", { messageIds: [messages[0]!.id, messages[1]!.id, 999999] });
    expect(byIds.body).toEqual({ markedRead: 2 });
    const upTo = await owner.post("/v1/messages/read", { conversationId, upToMessageId: messages[3]!.id });
    expect(upTo.body).toEqual({ markedRead: 2 });
    expect((await owner.get(`/v1/conversations/${conversationId}`)).body.counts.unread).toBe(1);
    expect((await owner.get(`/v1/conversations/${other.message.conversationId}`)).body.counts.unread).toBe(1);
    const reads = await all<{ entity_type_key: string; payload_json: string }>(
      "SELECT entity_type_key, payload_json FROM events WHERE workspace_id = ? AND type_key = 'message.read' ORDER BY id",
      workspace.id,
    );
    expect(reads.map((e) => [e.entity_type_key, JSON.parse(e.payload_json)])).toEqual([
      ["user", { messageIds: [messages[0]!.id, messages[1]!.id], count: 2 }],
      ["conversation", { conversationId, upToMessageId: messages[3]!.id, count: 2 }],
    ]);
    expect((await owner.post("/v1/messages/read", { conversationId, upToMessageId: messages[3]!.id })).body).toEqual({ markedRead: 0 });
    expect(await eventCount(workspace.id, "message.read")).toBe(2);
  });

  it("validate batch reads by field", async () => {
    const { owner, workspace } = await newWorkspace();
    const { message } = await ingest(workspace.id);
    const other = await ingest(workspace.id, { from: { externalId: "x" } });
    const ids = Array.from({ length: 201 }, (_, i) => i + 1);
    expectError(await owner.post("/v1/messages/read", { messageIds: ids }), 422, "validation_failed", "body.messageIds");
    expectError(await owner.post("/v1/messages/read", { messageIds: [] }), 422, "validation_failed", "body.messageIds");
    expectError(await owner.post("/v1/messages/read", {}), 422, "validation_failed", "body.conversationId");
    expectError(await owner.post("/v1/messages/read", { conversationId: message.conversationId }), 422, "validation_failed", "body.upToMessageId");
    expectError(
      await owner.post("/v1/messages/read", { messageIds: [message.id], conversationId: message.conversationId }),
      422,
      "validation_failed",
      "body.messageIds",
    );
    expectError(
      await owner.post("/v1/messages/read", { conversationId: message.conversationId, upToMessageId: other.message.id }),
      422,
      "validation_failed",
      "body.upToMessageId",
    );
    const outsider = await newWorkspace();
    expectError(
      await outsider.owner.post("/v1/messages/read", { conversationId: message.conversationId, upToMessageId: message.id }),
      404,
      "not_found",
    );
    await expectUnauthorized("POST", "/v1/messages/read", { messageIds: [1] });
    // 200 ids in one call are fine (chunked under D1's parameter limit).
    expect((await owner.post("/v1/messages/read", { messageIds: ids.slice(0, 200) })).status).toBe(200);
  });
});

describe("GET /v1/messages/unread", () => {
  it("lists the caller's unread messages across conversations, page by page", async () => {
    const { owner, workspace, member } = await newWorkspace();
    const rep = await member();
    const a1 = await ingest(workspace.id, { from: { externalId: "a" }, body: "a1" });
    const b1 = await ingest(workspace.id, { from: { externalId: "b" }, body: "b1" });
    const a2 = await ingest(workspace.id, { from: { externalId: "a" }, body: "a2" });
    const bodies = (res: { body: { data: { body: string }[] } }) => res.body.data.map((m) => m.body);

    expect(bodies(await owner.get("/v1/messages/unread"))).toEqual(["a1", "a2", "b1"]);
    const page1 = await owner.get("/v1/messages/unread?limit=2");
    expect(bodies(page1)).toEqual(["a1", "a2"]);
    const page2 = await owner.get(`/v1/messages/unread?limit=2&cursor=${page1.body.nextCursor}`);
    expect(bodies(page2)).toEqual(["b1"]);
    expect(page2.body.nextCursor).toBeNull();

    await owner.post("/v1/messages/read", { messageIds: [a1.message.id, b1.message.id] });
    expect(bodies(await owner.get("/v1/messages/unread"))).toEqual(["a2"]);
    expect((await owner.get("/v1/messages/unread")).body.data[0]).toMatchObject({ id: a2.message.id, receiptStatusKey: "unread" });
    expect(bodies(await rep.api.get("/v1/messages/unread"))).toEqual(["a1", "a2", "b1"]);
  });

  it("validates, needs a token, and shows nothing of another workspace", async () => {
    const { owner, workspace } = await newWorkspace();
    await ingest(workspace.id);
    expectError(await owner.get("/v1/messages/unread?limit=x"), 422, "validation_failed", "query.limit");
    expectError(await owner.get("/v1/messages/unread?cursor=bad"), 400, "invalid_cursor");
    await expectUnauthorized("GET", "/v1/messages/unread");
    const other = await newWorkspace();
    expect((await other.owner.get("/v1/messages/unread")).body.data).toEqual([]);
  });
});

describe("ingestInbound", () => {
  it("creates the contact with its identity, opens the conversation and stores the text verbatim", async () => {
    const { owner, workspace } = await newWorkspace();
    const body = "  <b>Hi</b> 👋\n\nPrice?  ";
    const result = await ingest(workspace.id, {
      channel: "telegram",
      externalId: "tg-1",
      from: { externalId: "555", name: "Ana", handle: "ana_b" },
      body,
      payload: { update_id: 7 },
    });
    expect(result.created).toBe(true);
    expect(result.message).toMatchObject({ authorKindKey: "contact", channelKey: "telegram", body, externalId: "tg-1" });
    const contact = (await owner.get(`/v1/contacts/${result.message.authorContactId}`)).body;
    expect(contact).toMatchObject({ name: "Ana", identities: [{ channelKey: "telegram", externalId: "555", handle: "ana_b" }] });
    const conversation = (await owner.get(`/v1/conversations/${result.message.conversationId}`)).body;
    expect(conversation).toMatchObject({ kindKey: "contact", statusKey: "open", contactId: contact.id, lastChannelKey: "telegram" });
    const [message] = (await owner.get(`/v1/conversations/${conversation.id}/messages`)).body.data;
    expect(message).toMatchObject({ body, payload: { update_id: 7 } });
    for (const type of ["contact.created", "conversation.opened", "message.received"]) {
      expect(await eventCount(workspace.id, type), type).toBe(1);
    }
  });

  it("is idempotent on the provider's message id: five deliveries, one message, one set of receipts", async () => {
    const { workspace, member } = await newWorkspace();
    await member();
    const message = { externalId: "wamid.ABC", channel: "whatsapp" as const, from: { externalId: "4915100000001" }, body: "hi" };
    const first = await ingest(workspace.id, message);
    const again = await Promise.all([1, 2].map(() => ingest(workspace.id, message)));
    again.push(await ingest(workspace.id, message), await ingest(workspace.id, message));
    expect(first.created).toBe(true);
    expect(again.map((r) => [r.created, r.message.id])).toEqual(again.map(() => [false, first.message.id]));
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ?", workspace.id)).toBe(1);
    expect(await count("SELECT count(*) AS n FROM message_receipts WHERE workspace_id = ?", workspace.id)).toBe(2);
    expect(await eventCount(workspace.id, "message.received")).toBe(1);
    expect(await count("SELECT count(*) AS n FROM contacts WHERE workspace_id = ?", workspace.id)).toBe(1);
  });

  it("stays one message when five deliveries race", async () => {
    const { workspace } = await newWorkspace();
    const message = { externalId: "race-1", from: { externalId: "racer" } };
    const results = await Promise.all(Array.from({ length: 5 }, () => ingest(workspace.id, message)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ?", workspace.id)).toBe(1);
    expect(await count("SELECT count(*) AS n FROM message_receipts WHERE workspace_id = ?", workspace.id)).toBe(1);
    expect(await count("SELECT count(*) AS n FROM conversations WHERE workspace_id = ?", workspace.id)).toBe(1);
    expect(await eventCount(workspace.id, "message.received")).toBe(1);
  });

  it("finds known senders by identity, or by phone on SMS (adding the identity)", async () => {
    const { owner, workspace } = await newWorkspace();
    const known = (await owner.post("/v1/contacts", { name: "Known", phone: "+1 415 555 0142" })).body;
    const sms = await ingest(workspace.id, { channel: "sms", from: { externalId: "+14155550142" }, body: "it's me" });
    expect(sms.message.authorContactId).toBe(known.id);
    const detail = (await owner.get(`/v1/contacts/${known.id}`)).body;
    expect(detail.identities).toEqual([expect.objectContaining({ channelKey: "sms", externalId: "+14155550142" })]);
    const again = await ingest(workspace.id, { channel: "sms", from: { externalId: "+14155550142" } });
    expect(again.message.authorContactId).toBe(known.id);
    expect(again.message.conversationId).toBe(sms.message.conversationId);
    expect(await count("SELECT count(*) AS n FROM contacts WHERE workspace_id = ?", workspace.id)).toBe(1);
  });

  it("reopens the contact's closed conversation", async () => {
    const { owner, workspace } = await newWorkspace();
    const first = await ingest(workspace.id);
    const conversationId = first.message.conversationId;
    await owner.put(`/v1/conversations/${conversationId}/status`, { statusKey: "closed" });
    const second = await ingest(workspace.id, { channel: "email", from: { externalId: "tg-user-1" } });
    // A different identity on another channel is another contact: a new conversation.
    expect(second.message.conversationId).not.toBe(conversationId);
    const third = await ingest(workspace.id);
    expect(third.message.conversationId).toBe(conversationId);
    const conversation = (await owner.get(`/v1/conversations/${conversationId}`)).body;
    expect(conversation.statusKey).toBe("open");
    const changes = await all<{ actor_user_id: number | null; payload_json: string }>(
      "SELECT actor_user_id, payload_json FROM events WHERE type_key = 'conversation.status_changed' AND entity_id = ? ORDER BY id",
      conversationId,
    );
    expect(changes.map((e) => JSON.parse(e.payload_json))).toEqual([
      { before: "open", after: "closed" },
      { before: "closed", after: "open", reason: "inbound message" },
    ]);
  });
});

describe("the message author invariant", () => {
  it("is enforced by the database", async () => {
    const { workspace, user } = await newWorkspace();
    const { message } = await ingest(workspace.id);
    const insert = (kind: string, userId: number | null, contactId: number | null) =>
      env.DB.prepare(
        "INSERT INTO messages (workspace_id, conversation_id, author_kind_key, author_user_id, author_contact_id, channel_key, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'internal', 'x', 1, 1)",
      )
        .bind(workspace.id, message.conversationId, kind, userId, contactId)
        .run();
    const contactId = message.authorContactId!;
    await expect(insert("user", user.id, contactId)).rejects.toThrow(/CHECK constraint failed/);
    await expect(insert("user", null, null)).rejects.toThrow(/CHECK constraint failed/);
    await expect(insert("contact", user.id, null)).rejects.toThrow(/CHECK constraint failed/);
    await expect(insert("system", null, contactId)).rejects.toThrow(/CHECK constraint failed/);
    await expect(insert("system", null, null)).resolves.toBeTruthy();
    await expect(insert("contact", null, contactId)).resolves.toBeTruthy();
  });
});
