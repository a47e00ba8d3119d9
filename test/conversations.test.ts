import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../src/db/client";
import { setConversationQualification } from "../src/modules/qualification/qualification.service";
import { newWorkspace } from "./helpers/api";
import { all, count, one } from "./helpers/db";
import { contactConversation, ingest } from "./helpers/inbox";
import { expectError, expectInvisibleTo, expectUnauthorized } from "./helpers/security";

const events = (workspaceId: number, typeKey: string) =>
  all<{ entity_id: number; actor_user_id: number | null; payload_json: string }>(
    "SELECT entity_id, actor_user_id, payload_json FROM events WHERE workspace_id = ? AND type_key = ? ORDER BY id",
    workspaceId,
    typeKey,
  );

describe("POST /v1/contacts/{id}/conversations", () => {
  it("opens a contact conversation once, then answers the open one", async () => {
    const { owner, workspace, user } = await newWorkspace();
    const contact = (await owner.post("/v1/contacts", { name: "Olive" })).body;
    const first = await owner.post(`/v1/contacts/${contact.id}/conversations`);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ kindKey: "contact", statusKey: "open", contactId: contact.id, lastChannelKey: null, lastMessageAt: null });
    const again = await owner.post(`/v1/contacts/${contact.id}/conversations`);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const opened = await events(workspace.id, "conversation.opened");
    expect(opened).toEqual([expect.objectContaining({ entity_id: first.body.id, actor_user_id: user.id })]);
    const detail = await owner.get(`/v1/conversations/${first.body.id}`);
    expect(detail.body.participants).toEqual([expect.objectContaining({ actorKindKey: "contact", contactId: contact.id, name: "Olive" })]);
  });

  it("answers a pending conversation, and opens a new one once the old is closed", async () => {
    const { owner } = await newWorkspace();
    const { contact, conversation } = await contactConversation(owner);
    await owner.put(`/v1/conversations/${conversation.id}/status`, { statusKey: "pending" });
    expect((await owner.post(`/v1/contacts/${contact.id}/conversations`)).body.id).toBe(conversation.id);
    await owner.put(`/v1/conversations/${conversation.id}/status`, { statusKey: "closed" });
    const fresh = await owner.post(`/v1/contacts/${contact.id}/conversations`);
    expect(fresh.status).toBe(201);
    expect(fresh.body.id).not.toBe(conversation.id);
  });

  it("refuses bad ids, unknown and merged contacts", async () => {
    const { owner } = await newWorkspace();
    expectError(await owner.post("/v1/contacts/abc/conversations"), 422, "validation_failed", "param.id");
    expectError(await owner.post("/v1/contacts/999999/conversations"), 404, "not_found");
    const a = (await owner.post("/v1/contacts", { name: "A" })).body;
    const b = (await owner.post("/v1/contacts", { name: "B" })).body;
    await owner.post(`/v1/contacts/${a.id}/merge`, { sourceIds: [b.id] });
    expectError(await owner.post(`/v1/contacts/${b.id}/conversations`), 409, "conflict");
  });

  it("needs a token and stays in its workspace", async () => {
    await expectUnauthorized("POST", "/v1/contacts/1/conversations");
    const { owner } = await newWorkspace();
    const contact = (await owner.post("/v1/contacts", { name: "Mine" })).body;
    const other = await newWorkspace();
    await expectInvisibleTo(other.owner, "POST", `/v1/contacts/${contact.id}/conversations`);
  });
});

describe("POST /v1/conversations/direct", () => {
  it("opens the one direct conversation between two users, from either side", async () => {
    const { owner, user, member, workspace } = await newWorkspace();
    const rep = await member("Rita");
    const first = await owner.post("/v1/conversations/direct", { userId: rep.user.id });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ kindKey: "direct", statusKey: "open", contactId: null });
    const fromRep = await rep.api.post("/v1/conversations/direct", { userId: user.id });
    expect(fromRep.status).toBe(200);
    expect(fromRep.body.id).toBe(first.body.id);
    const row = await one<{ direct_key: string }>("SELECT direct_key FROM conversations WHERE id = ?", first.body.id);
    expect(row.direct_key).toBe(`${Math.min(user.id, rep.user.id)}:${Math.max(user.id, rep.user.id)}`);
    const detail = await rep.api.get(`/v1/conversations/${first.body.id}`);
    expect(detail.body.participants.map((p: { userId: number }) => p.userId).sort()).toEqual([user.id, rep.user.id].sort());
    expect(await events(workspace.id, "conversation.opened")).toHaveLength(1);
  });

  it("is private to its two users", async () => {
    const { owner, member } = await newWorkspace();
    const rep = await member("Rita");
    const third = await member("Theo");
    const direct = (await owner.post("/v1/conversations/direct", { userId: rep.user.id })).body;
    expectError(await third.api.get(`/v1/conversations/${direct.id}`), 404, "not_found");
    expectError(await third.api.get(`/v1/conversations/${direct.id}/messages`), 404, "not_found");
    expect((await third.api.get("/v1/conversations")).body.data).toEqual([]);
    expect((await rep.api.get("/v1/conversations")).body.data.map((c: { id: number }) => c.id)).toEqual([direct.id]);
  });

  it("validates the other user", async () => {
    const { owner, user } = await newWorkspace();
    expectError(await owner.post("/v1/conversations/direct", {}), 422, "validation_failed", "body.userId");
    expectError(await owner.post("/v1/conversations/direct", { userId: "x" }), 422, "validation_failed", "body.userId");
    expectError(await owner.post("/v1/conversations/direct", { userId: user.id }), 422, "validation_failed", "body.userId");
    const other = await newWorkspace();
    expectError(await owner.post("/v1/conversations/direct", { userId: other.user.id }), 404, "not_found");
    await expectUnauthorized("POST", "/v1/conversations/direct", { userId: 1 });
  });
});

describe("GET /v1/conversations", () => {
  it("lists by latest activity with the last message and the caller's unread count", async () => {
    const { owner, workspace } = await newWorkspace();
    const quiet = await contactConversation(owner, "Quiet");
    const first = await ingest(workspace.id, { from: { externalId: "u-1", name: "First" }, body: "one" });
    const second = await ingest(workspace.id, { from: { externalId: "u-2", name: "Second" }, body: "two" });
    await ingest(workspace.id, { from: { externalId: "u-1", name: "First" }, body: "one again" });

    const res = await owner.get("/v1/conversations");
    expect(res.status).toBe(200);
    const rows = res.body.data;
    expect(rows.map((c: { id: number }) => c.id)).toEqual([
      first.message.conversationId,
      second.message.conversationId,
      quiet.conversation.id,
    ]);
    expect(rows[0]).toMatchObject({
      contact: { name: "First" },
      peer: null,
      lastChannelKey: "telegram",
      lastMessage: { body: "one again", authorKindKey: "contact", channelKey: "telegram" },
      unreadCount: 2,
    });
    expect(rows[2]).toMatchObject({ lastMessage: null, unreadCount: 0, contact: { id: quiet.contact.id, name: "Quiet" } });
  });

  it("filters by status, contact, kind and unread", async () => {
    const { owner, workspace, member } = await newWorkspace();
    const rep = await member();
    const direct = (await owner.post("/v1/conversations/direct", { userId: rep.user.id })).body;
    const quiet = await contactConversation(owner, "Quiet");
    const noisy = await ingest(workspace.id, { body: "anyone there?" });
    await owner.put(`/v1/conversations/${quiet.conversation.id}/status`, { statusKey: "closed" });
    const ids = async (query: string) => (await owner.get(`/v1/conversations?${query}`)).body.data.map((c: { id: number }) => c.id);

    expect(await ids("statusKey=closed")).toEqual([quiet.conversation.id]);
    expect(await ids("statusKey=open")).toEqual([noisy.message.conversationId, direct.id]);
    expect(await ids(`contactId=${quiet.contact.id}`)).toEqual([quiet.conversation.id]);
    expect(await ids("kindKey=direct")).toEqual([direct.id]);
    expect(await ids("unread=true")).toEqual([noisy.message.conversationId]);
    // Neither has a message: newest first.
    expect(await ids("unread=false")).toEqual([quiet.conversation.id, direct.id]);
    // While nobody is assigned, every user of the workspace gets the contact's messages.
    expect((await rep.api.get("/v1/conversations?unread=true")).body.data.map((c: { id: number }) => c.id)).toEqual([
      noisy.message.conversationId,
    ]);
  });

  it("pages with a cursor without skipping or repeating", async () => {
    const { owner, workspace } = await newWorkspace();
    for (let i = 0; i < 3; i++) await contactConversation(owner, `Quiet ${i}`);
    for (let i = 0; i < 4; i++) await ingest(workspace.id, { from: { externalId: `sender-${i}` } });
    const everything = (await owner.get("/v1/conversations?limit=200")).body.data.map((c: { id: number }) => c.id);
    expect(everything).toHaveLength(7);
    const paged: number[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { data: { id: number }[]; nextCursor: string | null } } = await owner.get(
        `/v1/conversations?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      paged.push(...res.body.data.map((c) => c.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(paged).toEqual(everything);
  });

  it("rejects bad filters by name and shows nothing of another workspace", async () => {
    const { owner, workspace } = await newWorkspace();
    expectError(await owner.get("/v1/conversations?statusKey=archived"), 422, "validation_failed", "query.statusKey");
    expectError(await owner.get("/v1/conversations?unread=yes"), 422, "validation_failed", "query.unread");
    expectError(await owner.get("/v1/conversations?limit=500"), 422, "validation_failed", "query.limit");
    expectError(await owner.get("/v1/conversations?cursor=nope"), 400, "invalid_cursor");
    await ingest(workspace.id);
    const other = await newWorkspace();
    expect((await other.owner.get("/v1/conversations")).body.data).toEqual([]);
    await expectUnauthorized("GET", "/v1/conversations");
  });
});

describe("GET /v1/conversations/{id}", () => {
  it("shows participants, the contact and counts", async () => {
    const { owner, workspace, user } = await newWorkspace();
    const inbound = await ingest(workspace.id, { from: { externalId: "42", name: "Dora" } });
    const id = inbound.message.conversationId;
    await owner.post(`/v1/conversations/${id}/messages`, { body: "Hi Dora" });
    await one(
      "INSERT INTO calls (workspace_id, conversation_id, started_by_user_id, channel_key, kind_key, started_at, created_at, updated_at) VALUES (?, ?, ?, 'phone', 'voice', 1, 1, 1) RETURNING id",
      workspace.id,
      id,
      user.id,
    );
    const res = await owner.get(`/v1/conversations/${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id,
      kindKey: "contact",
      contact: { name: "Dora" },
      counts: { messages: 2, unread: 1, calls: 1 },
    });
    expect(res.body.participants).toEqual([
      expect.objectContaining({ actorKindKey: "contact", name: "Dora" }),
      expect.objectContaining({ actorKindKey: "user", userId: user.id }),
    ]);
  });

  it("is 404 elsewhere, 422 for a bad id, 401 without a token", async () => {
    const { workspace } = await newWorkspace();
    const { message } = await ingest(workspace.id);
    const other = await newWorkspace();
    await expectInvisibleTo(other.owner, "GET", `/v1/conversations/${message.conversationId}`);
    expectError(await other.owner.get("/v1/conversations/0"), 422, "validation_failed", "param.id");
    await expectUnauthorized("GET", `/v1/conversations/${message.conversationId}`);
  });
});

describe("PUT /v1/conversations/{id}/status", () => {
  it("changes the status and records before/after; the same status again records nothing", async () => {
    const { owner, workspace } = await newWorkspace();
    const { conversation } = await contactConversation(owner);
    const res = await owner.put(`/v1/conversations/${conversation.id}/status`, { statusKey: "closed" });
    expect(res.status).toBe(200);
    expect(res.body.statusKey).toBe("closed");
    expect((await owner.put(`/v1/conversations/${conversation.id}/status`, { statusKey: "closed" })).status).toBe(200);
    const changed = await events(workspace.id, "conversation.status_changed");
    expect(changed.map((e) => JSON.parse(e.payload_json))).toEqual([{ before: "open", after: "closed" }]);
  });

  it("refuses to reopen a closed conversation while the contact has another open", async () => {
    const { owner } = await newWorkspace();
    const { contact, conversation } = await contactConversation(owner);
    await owner.put(`/v1/conversations/${conversation.id}/status`, { statusKey: "closed" });
    const newer = (await owner.post(`/v1/contacts/${contact.id}/conversations`)).body;
    const res = await owner.put(`/v1/conversations/${conversation.id}/status`, { statusKey: "open" });
    expectError(res, 409, "conflict", "body.statusKey");
    expect(res.body.error.message).toContain(String(newer.id));
  });

  it("validates, and guards tokens and workspaces", async () => {
    const { owner } = await newWorkspace();
    const { conversation } = await contactConversation(owner);
    expectError(await owner.put(`/v1/conversations/${conversation.id}/status`, { statusKey: "archived" }), 422, "validation_failed", "body.statusKey");
    expectError(await owner.put(`/v1/conversations/${conversation.id}/status`, {}), 422, "validation_failed", "body.statusKey");
    await expectUnauthorized("PUT", `/v1/conversations/${conversation.id}/status`, { statusKey: "closed" });
    const other = await newWorkspace();
    await expectInvisibleTo(other.owner, "PUT", `/v1/conversations/${conversation.id}/status`, { statusKey: "closed" });
  });
});

describe("conversation score and qualification", () => {
  it("keeps score history and the effective value", async () => {
    const { owner, workspace } = await newWorkspace();
    const { conversation } = await contactConversation(owner);
    const res = await owner.put(`/v1/conversations/${conversation.id}/score`, { value: 4 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ value: 4, history: [{ value: 4, sourceKey: "user" }] });
    await owner.put(`/v1/conversations/${conversation.id}/score`, { value: 2 });
    expect((await owner.get(`/v1/conversations/${conversation.id}`)).body.score).toBe(2);
    expect((await owner.get(`/v1/conversations/${conversation.id}/score`)).body.history).toHaveLength(2);
    expect(await events(workspace.id, "conversation.score_set")).toHaveLength(2);
    expectError(await owner.put(`/v1/conversations/${conversation.id}/score`, { value: 6 }), 422, "validation_failed", "body.value");
  });

  it("lets a user override stick over the AI until cleared", async () => {
    const { owner, workspace } = await newWorkspace();
    const { conversation } = await contactConversation(owner);
    const ai = { workspaceId: workspace.id, userId: null };
    await setConversationQualification(createDb(env.DB), ai, conversation.id, { kindKey: "warm", confidence: 70 });
    expect((await owner.get(`/v1/conversations/${conversation.id}/qualification`)).body).toMatchObject({ kindKey: "warm", userOverride: false });

    const set = await owner.put(`/v1/conversations/${conversation.id}/qualification`, { kindKey: "hot" });
    expect(set.body).toMatchObject({ kindKey: "hot", userOverride: true });
    await setConversationQualification(createDb(env.DB), ai, conversation.id, { kindKey: "cold", confidence: 90 });
    expect((await owner.get(`/v1/conversations/${conversation.id}/qualification`)).body.kindKey).toBe("hot");

    const cleared = await owner.delete(`/v1/conversations/${conversation.id}/qualification`);
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ kindKey: "cold", userOverride: false });
    expect(cleared.body.history).toHaveLength(4);
    expect((await owner.get(`/v1/conversations/${conversation.id}`)).body.qualification).toBe("cold");
    expect(await events(workspace.id, "conversation.qualification_set")).toHaveLength(3);
    expect(await events(workspace.id, "conversation.qualification_cleared")).toHaveLength(1);
  });

  it("validates kinds, and guards tokens and workspaces", async () => {
    const { owner } = await newWorkspace();
    const { conversation } = await contactConversation(owner);
    expectError(await owner.put(`/v1/conversations/${conversation.id}/qualification`, { kindKey: "lukewarm" }), 422, "validation_failed", "body.kindKey");
    expectError(await owner.put(`/v1/conversations/${conversation.id}/qualification`, {}), 422, "validation_failed", "body.kindKey");
    const path = `/v1/conversations/${conversation.id}`;
    await expectUnauthorized("PUT", `${path}/score`, { value: 3 });
    await expectUnauthorized("GET", `${path}/qualification`);
    await expectUnauthorized("PUT", `${path}/qualification`, { kindKey: "hot" });
    await expectUnauthorized("DELETE", `${path}/qualification`);
    const other = await newWorkspace();
    await expectInvisibleTo(other.owner, "PUT", `${path}/score`, { value: 3 });
    await expectInvisibleTo(other.owner, "GET", `${path}/qualification`);
    await expectInvisibleTo(other.owner, "PUT", `${path}/qualification`, { kindKey: "hot" });
    await expectInvisibleTo(other.owner, "DELETE", `${path}/qualification`);
    expect(await count("SELECT count(*) AS n FROM conversation_scores WHERE conversation_id = ?", conversation.id)).toBe(0);
  });
});

describe("conversation participants", () => {
  it("adds users and contacts once, removes them, and records both", async () => {
    const { owner, workspace, member } = await newWorkspace();
    const rep = await member("Rita");
    const { conversation } = await contactConversation(owner);
    const colleague = (await owner.post("/v1/contacts", { name: "Colleague" })).body;

    const added = await owner.post(`/v1/conversations/${conversation.id}/participants`, { userId: rep.user.id });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ actorKindKey: "user", userId: rep.user.id, contactId: null, name: "Rita" });
    const again = await owner.post(`/v1/conversations/${conversation.id}/participants`, { userId: rep.user.id });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(added.body.id);
    const contactAdded = await owner.post(`/v1/conversations/${conversation.id}/participants`, { contactId: colleague.id });
    expect(contactAdded.status).toBe(201);

    expect((await owner.delete(`/v1/conversations/${conversation.id}/participants/${added.body.id}`)).status).toBe(204);
    const detail = await owner.get(`/v1/conversations/${conversation.id}`);
    expect(detail.body.participants.map((p: { name: string }) => p.name)).toEqual(["Carl Contact", "Colleague"]);
    expect(await events(workspace.id, "conversation.participant_added")).toHaveLength(2);
    expect(await events(workspace.id, "conversation.participant_removed")).toHaveLength(1);
  });

  it("keeps the conversation's contact and the two users of a direct conversation", async () => {
    const { owner, member } = await newWorkspace();
    const rep = await member();
    const { conversation } = await contactConversation(owner);
    const [contactParticipant] = (await owner.get(`/v1/conversations/${conversation.id}`)).body.participants;
    expectError(await owner.delete(`/v1/conversations/${conversation.id}/participants/${contactParticipant.id}`), 409, "conflict");
    const direct = (await owner.post("/v1/conversations/direct", { userId: rep.user.id })).body;
    const third = await member("Third");
    expectError(await owner.post(`/v1/conversations/${direct.id}/participants`, { userId: third.user.id }), 409, "conflict");
  });

  it("validates the body and ids, and guards tokens and workspaces", async () => {
    const { owner } = await newWorkspace();
    const { conversation } = await contactConversation(owner);
    const path = `/v1/conversations/${conversation.id}/participants`;
    expectError(await owner.post(path, {}), 422, "validation_failed", "body.userId");
    expectError(await owner.post(path, { userId: 1, contactId: 1 }), 422, "validation_failed", "body.userId");
    expectError(await owner.post(path, { contactId: -1 }), 422, "validation_failed", "body.contactId");
    expectError(await owner.post(path, { userId: 999999 }), 404, "not_found");
    expectError(await owner.delete(`${path}/999999`), 404, "not_found");
    expectError(await owner.delete(`${path}/x`), 422, "validation_failed", "param.participantId");
    await expectUnauthorized("POST", path, { userId: 1 });
    await expectUnauthorized("DELETE", `${path}/1`);
    const other = await newWorkspace();
    await expectInvisibleTo(other.owner, "POST", path, { userId: other.user.id });
    const [participant] = (await owner.get(`/v1/conversations/${conversation.id}`)).body.participants;
    await expectInvisibleTo(other.owner, "DELETE", `${path}/${participant.id}`);
  });
});
