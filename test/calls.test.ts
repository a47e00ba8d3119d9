import { describe, expect, it } from "vitest";
import { type Client, newWorkspace } from "./helpers/api";
import { all, one } from "./helpers/db";
import { contactConversation } from "./helpers/inbox";
import { expectError, expectInvisibleTo, expectUnauthorized } from "./helpers/security";

async function startedCall(api: Client) {
  const { conversation } = await contactConversation(api);
  const res = await api.post(`/v1/conversations/${conversation.id}/calls`, { channelKey: "phone", kindKey: "voice" });
  expect(res.status).toBe(201);
  return { conversation, call: res.body as { id: number } };
}

const callEvents = (callId: number) =>
  all<{ type_key: string; payload_json: string }>(
    "SELECT type_key, payload_json FROM events WHERE entity_type_key = 'call' AND entity_id = ? ORDER BY id",
    callId,
  ).then((rows) => rows.map((r) => [r.type_key, JSON.parse(r.payload_json)]));

describe("POST /v1/conversations/{id}/calls", () => {
  it("logs a call as initiated by the caller", async () => {
    const { owner, user } = await newWorkspace();
    const { conversation, call } = await startedCall(owner);
    expect(call).toMatchObject({
      conversationId: conversation.id,
      startedByUserId: user.id,
      startedByContactId: null,
      channelKey: "phone",
      kindKey: "voice",
      statusKey: "initiated",
      connectedAt: null,
      endedAt: null,
      durationSeconds: null,
    });
    expect(await callEvents(call.id)).toEqual([["call.started", { conversationId: conversation.id, channelKey: "phone", kindKey: "voice" }]]);
  });

  it("names invalid fields and keeps direct conversations internal", async () => {
    const { owner, member } = await newWorkspace();
    const { conversation } = await contactConversation(owner);
    const path = `/v1/conversations/${conversation.id}/calls`;
    expectError(await owner.post(path, { channelKey: "sms", kindKey: "voice" }), 422, "validation_failed", "body.channelKey");
    expectError(await owner.post(path, { channelKey: "phone", kindKey: "hologram" }), 422, "validation_failed", "body.kindKey");
    expectError(await owner.post(path, {}), 422, "validation_failed", "body.channelKey");
    const rep = await member();
    const direct = (await owner.post("/v1/conversations/direct", { userId: rep.user.id })).body;
    expectError(await owner.post(`/v1/conversations/${direct.id}/calls`, { channelKey: "whatsapp", kindKey: "video" }), 422, "validation_failed", "body.channelKey");
    expect((await owner.post(`/v1/conversations/${direct.id}/calls`, { channelKey: "internal", kindKey: "video" })).status).toBe(201);
  });

  it("needs a token and stays in its workspace", async () => {
    const { owner } = await newWorkspace();
    const { conversation } = await contactConversation(owner);
    await expectUnauthorized("POST", `/v1/conversations/${conversation.id}/calls`, { channelKey: "phone", kindKey: "voice" });
    await expectUnauthorized("GET", `/v1/conversations/${conversation.id}/calls`);
    const other = await newWorkspace();
    await expectInvisibleTo(other.owner, "POST", `/v1/conversations/${conversation.id}/calls`, { channelKey: "phone", kindKey: "voice" });
    await expectInvisibleTo(other.owner, "GET", `/v1/conversations/${conversation.id}/calls`);
  });
});

describe("the call state machine", () => {
  it("goes initiated → ringing → connected → ended, with times, duration and one event per move", async () => {
    const { owner } = await newWorkspace();
    const { call } = await startedCall(owner);
    const put = (statusKey: string) => owner.put(`/v1/calls/${call.id}/status`, { statusKey });
    expect((await put("ringing")).body).toMatchObject({ statusKey: "ringing", connectedAt: null });
    const connected = await put("connected");
    expect(connected.body.connectedAt).not.toBeNull();
    // A call of 42 seconds: move its connection back in time.
    await one("UPDATE calls SET connected_at = connected_at - 42000, started_at = started_at - 50000 WHERE id = ? RETURNING id", call.id);
    const ended = await put("ended");
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ statusKey: "ended", durationSeconds: 42 });
    expect(ended.body.endedAt).not.toBeNull();
    expect(await callEvents(call.id)).toEqual([
      ["call.started", expect.any(Object)],
      ["call.status_changed", { before: "initiated", after: "ringing" }],
      ["call.status_changed", { before: "ringing", after: "connected" }],
      ["call.ended", { before: "connected", after: "ended", durationSeconds: 42 }],
    ]);
    const listed = (await owner.get(`/v1/conversations/${ended.body.conversationId}/calls`)).body.data;
    expect(listed).toEqual([expect.objectContaining({ id: call.id, durationSeconds: 42 })]);
  });

  it("ends unanswered calls as missed or failed, and lets nothing leave a final state", async () => {
    const { owner } = await newWorkspace();
    const { conversation } = await contactConversation(owner);
    const start = async () => (await owner.post(`/v1/conversations/${conversation.id}/calls`, { channelKey: "whatsapp", kindKey: "video" })).body;
    const put = (id: number, statusKey: string) => owner.put(`/v1/calls/${id}/status`, { statusKey });

    const missed = await start();
    await put(missed.id, "ringing");
    expect((await put(missed.id, "missed")).body).toMatchObject({ statusKey: "missed", durationSeconds: null });
    const failed = await start();
    expect((await put(failed.id, "failed")).body.statusKey).toBe("failed");
    const ended = await start();
    await put(ended.id, "connected");
    await put(ended.id, "ended");

    for (const [id, from] of [
      [missed.id, "missed"],
      [failed.id, "failed"],
      [ended.id, "ended"],
    ] as const) {
      for (const to of ["initiated", "ringing", "connected", "ended", "missed", "failed"].filter((s) => s !== from)) {
        const res = await put(id, to);
        expectError(res, 409, "conflict", "body.statusKey");
      }
      expect((await put(id, from)).status).toBe(200);
    }
  });

  it("refuses illegal moves from live states", async () => {
    const { owner } = await newWorkspace();
    const { call } = await startedCall(owner);
    const put = (statusKey: string) => owner.put(`/v1/calls/${call.id}/status`, { statusKey });
    expectError(await put("ended"), 409, "conflict");
    await put("ringing");
    expectError(await put("initiated"), 409, "conflict");
    expectError(await put("ended"), 409, "conflict");
    await put("connected");
    expectError(await put("ringing"), 409, "conflict");
    expectError(await put("missed"), 409, "conflict");
    expectError(await put("failed"), 409, "conflict");
    expect((await owner.get(`/v1/conversations/${(await one<{ conversation_id: number }>("SELECT conversation_id FROM calls WHERE id = ?", call.id)).conversation_id}/calls`)).body.data[0].statusKey).toBe("connected");
  });

  it("validates the status, needs a token and stays in its workspace", async () => {
    const { owner } = await newWorkspace();
    const { call } = await startedCall(owner);
    expectError(await owner.put(`/v1/calls/${call.id}/status`, { statusKey: "on_hold" }), 422, "validation_failed", "body.statusKey");
    expectError(await owner.put("/v1/calls/999999/status", { statusKey: "ringing" }), 404, "not_found");
    await expectUnauthorized("PUT", `/v1/calls/${call.id}/status`, { statusKey: "ringing" });
    const other = await newWorkspace();
    await expectInvisibleTo(other.owner, "PUT", `/v1/calls/${call.id}/status`, { statusKey: "ringing" });
  });
});

describe("POST /v1/calls/{id}/end", () => {
  it("ends a connected call and marks an unanswered one missed", async () => {
    const { owner } = await newWorkspace();
    const { call } = await startedCall(owner);
    await owner.put(`/v1/calls/${call.id}/status`, { statusKey: "connected" });
    const ended = await owner.post(`/v1/calls/${call.id}/end`);
    expect(ended.status).toBe(200);
    expect(ended.body.statusKey).toBe("ended");
    expect(ended.body.durationSeconds).toBeGreaterThanOrEqual(0);
    expectError(await owner.post(`/v1/calls/${call.id}/end`), 409, "conflict");

    const unanswered = await startedCall(owner);
    await owner.put(`/v1/calls/${unanswered.call.id}/status`, { statusKey: "ringing" });
    expect((await owner.post(`/v1/calls/${unanswered.call.id}/end`)).body).toMatchObject({ statusKey: "missed", durationSeconds: null });
    expect((await callEvents(unanswered.call.id)).at(-1)).toEqual(["call.ended", { before: "ringing", after: "missed", durationSeconds: null }]);
  });

  it("needs a token and stays in its workspace", async () => {
    const { owner } = await newWorkspace();
    const { call } = await startedCall(owner);
    await expectUnauthorized("POST", `/v1/calls/${call.id}/end`);
    const other = await newWorkspace();
    await expectInvisibleTo(other.owner, "POST", `/v1/calls/${call.id}/end`);
    expectError(await owner.post("/v1/calls/abc/end"), 422, "validation_failed", "param.id");
  });
});

describe("GET /v1/conversations/{id}/calls", () => {
  it("lists newest first, page by page", async () => {
    const { owner } = await newWorkspace();
    const { conversation } = await contactConversation(owner);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await owner.post(`/v1/conversations/${conversation.id}/calls`, { channelKey: "internal", kindKey: "voice" })).body.id);
    }
    const page1 = await owner.get(`/v1/conversations/${conversation.id}/calls?limit=2`);
    expect(page1.body.data.map((c: { id: number }) => c.id)).toEqual([ids[2], ids[1]]);
    const page2 = await owner.get(`/v1/conversations/${conversation.id}/calls?limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.data.map((c: { id: number }) => c.id)).toEqual([ids[0]]);
    expect(page2.body.nextCursor).toBeNull();
    expectError(await owner.get(`/v1/conversations/${conversation.id}/calls?limit=-1`), 422, "validation_failed", "query.limit");
  });
});
