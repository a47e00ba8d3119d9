// The channel platform every provider shares: the one webhook road, connections that know their
// routes, calls from providers, opt-outs, and signed attachment links.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../src/db/client";
import { signedAttachmentUrl } from "../src/modules/attachments/signed-links";
import { applyCallUpdate, ingestInboundCall } from "../src/modules/calls/calls.service";
import { newWorkspace, request } from "./helpers/api";
import { all, count, one } from "./helpers/db";
import { arrangedConnection } from "./helpers/inbox";
import { expectError } from "./helpers/security";
import { connectBot, eventually, messageUpdate, postUpdate, sentTo } from "./helpers/telegram";

const ada = { id: 660101, first_name: "Ada", last_name: "Lovelace" };

describe("the webhook road", () => {
  it("answers 404 for a connection that does not exist, is of another channel, is disconnected, or a sub-path the provider does not call", async () => {
    const ws = await newWorkspace();
    const bot = await connectBot(ws.owner);
    const update = messageUpdate(ada, "hi");
    const post = (path: string) => request("POST", path, { body: update, headers: { "x-telegram-bot-api-secret-token": bot.secret } });
    expectError(await post("/webhooks/telegram/999999999"), 404, "not_found");
    expectError(await post(`/webhooks/whatsapp/${bot.connection.id}`), 404, "not_found");
    expectError(await post(`/webhooks/telegram/${bot.connection.id}/status`), 404, "not_found");
    expectError(await request("GET", `/webhooks/telegram/${bot.connection.id}`), 404, "not_found");
    expect((await ws.owner.delete(`/v1/channels/${bot.connection.id}`)).status).toBe(204);
    expectError(await post(`/webhooks/telegram/${bot.connection.id}`), 404, "not_found");
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ?", ws.workspace.id)).toBe(0);
  });

  it("verifies before parsing: a wrong secret is 401 and stores nothing, even for a body that is not JSON", async () => {
    const ws = await newWorkspace();
    const bot = await connectBot(ws.owner);
    expectError(await postUpdate(bot.connection, "wrong", messageUpdate(ada, "hi")), 401, "unauthorized");
    expectError(await postUpdate(bot.connection, null, messageUpdate(ada, "hi")), 401, "unauthorized");
    const notJson = await request("POST", `/webhooks/telegram/${bot.connection.id}`, { rawBody: "{nope", headers: { "x-telegram-bot-api-secret-token": "wrong" } });
    expectError(notJson, 401, "unauthorized");
    // Verified but unreadable: a 400, nothing stored.
    const verifiedGarbage = await request("POST", `/webhooks/telegram/${bot.connection.id}`, {
      rawBody: "{nope",
      headers: { "x-telegram-bot-api-secret-token": bot.secret },
    });
    expectError(verifiedGarbage, 400, "bad_request");
    const tooBig = await request("POST", `/webhooks/telegram/${bot.connection.id}`, {
      rawBody: "x".repeat(1024 * 1024 + 1),
      headers: { "x-telegram-bot-api-secret-token": bot.secret },
    });
    expectError(tooBig, 413, "payload_too_large");
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ?", ws.workspace.id)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM contacts WHERE workspace_id = ?", ws.workspace.id)).toBe(0);
  });

  it("lists the URLs to paste in the connection", async () => {
    const ws = await newWorkspace();
    const bot = await connectBot(ws.owner);
    const [listed] = (await ws.owner.get("/v1/channels")).body.data;
    expect(listed).toMatchObject({ id: bot.connection.id, webhookUrl: `https://parley.test/webhooks/telegram/${bot.connection.id}`, webhookUrls: {} });
  });
});

describe("connections know their routes", () => {
  it("two bots of one workspace reaching the same person: both messages are kept, and each answer leaves through the bot last written to", async () => {
    const ws = await newWorkspace();
    const first = await connectBot(ws.owner);
    const second = await connectBot(ws.owner);
    // Telegram numbers messages per chat: the same person's chats with two bots share message ids.
    const toFirst = messageUpdate(ada, "hello first bot");
    const toSecond = { ...messageUpdate(ada, "hello second bot"), message: { ...toFirst.message, text: "hello second bot" } };
    expect((await postUpdate(first.connection, first.secret, toFirst)).status).toBe(200);
    expect((await postUpdate(second.connection, second.secret, toSecond)).status).toBe(200);
    const stored = await all<{ body: string; connection_id: number; conversation_id: number }>(
      "SELECT body, connection_id, conversation_id FROM messages WHERE workspace_id = ? ORDER BY id",
      ws.workspace.id,
    );
    expect(stored.map((m) => [m.body, m.connection_id])).toEqual([
      ["hello first bot", first.connection.id],
      ["hello second bot", second.connection.id],
    ]);
    // One person, one contact, one conversation.
    expect(new Set(stored.map((m) => m.conversation_id)).size).toBe(1);
    const conversationId = stored[0]!.conversation_id;

    const reply = await ws.owner.post(`/v1/conversations/${conversationId}/messages`, { body: "answer via the second bot" });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    await eventually(() => sentTo(second.botToken, ada.id), (sent) => sent.some((m) => m.text === "answer via the second bot"));
    expect((await sentTo(first.botToken, ada.id)).map((m) => m.text)).not.toContain("answer via the second bot");
    expect(await one("SELECT connection_id FROM deliveries WHERE message_id = ?", reply.body.id)).toEqual({ connection_id: second.connection.id });

    // Ada writes to the first bot again: the next answer goes there.
    expect((await postUpdate(first.connection, first.secret, messageUpdate(ada, "back on the first"))).status).toBe(200);
    const again = await ws.owner.post(`/v1/conversations/${conversationId}/messages`, { body: "answer via the first bot" });
    await eventually(() => sentTo(first.botToken, ada.id), (sent) => sent.some((m) => m.text === "answer via the first bot"));
    expect(await one("SELECT connection_id FROM deliveries WHERE message_id = ?", again.body.id)).toEqual({ connection_id: first.connection.id });
  });

  it("sends through another live bot when the one the contact wrote to was disconnected", async () => {
    const ws = await newWorkspace();
    const first = await connectBot(ws.owner);
    const second = await connectBot(ws.owner);
    expect((await postUpdate(first.connection, first.secret, messageUpdate(ada, "hi"))).status).toBe(200);
    const { conversation_id } = await one<{ conversation_id: number }>("SELECT conversation_id FROM messages WHERE workspace_id = ?", ws.workspace.id);
    expect((await ws.owner.delete(`/v1/channels/${first.connection.id}`)).status).toBe(204);
    const reply = await ws.owner.post(`/v1/conversations/${conversation_id}/messages`, { body: "still here" });
    expect(reply.status).toBe(201);
    await eventually(() => sentTo(second.botToken, ada.id), (sent) => sent.some((m) => m.text === "still here"));
  });

  it("refuses at once to send to an identity that opted out, storing nothing", async () => {
    const ws = await newWorkspace();
    const bot = await connectBot(ws.owner);
    expect((await postUpdate(bot.connection, bot.secret, messageUpdate(ada, "hi"))).status).toBe(200);
    const { conversation_id } = await one<{ conversation_id: number }>("SELECT conversation_id FROM messages WHERE workspace_id = ?", ws.workspace.id);
    await env.DB.prepare("UPDATE contact_identities SET opted_out_at = ?, opt_out_reason = 'STOP' WHERE workspace_id = ?").bind(Date.now(), ws.workspace.id).run();
    const refused = await ws.owner.post(`/v1/conversations/${conversation_id}/messages`, { body: "are you there?" });
    expectError(refused, 409, "recipient_opted_out");
    expect(refused.body.error.message).toContain("STOP");
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ? AND author_kind_key = 'user'", ws.workspace.id)).toBe(0);
    // Internal notes are not sends to the contact.
    expect((await ws.owner.post(`/v1/conversations/${conversation_id}/messages`, { body: "note", channelKey: "internal" })).status).toBe(201);
  });
});

describe("calls from providers", () => {
  const db = () => createDb(env.DB);

  it("a contact's call lands in their conversation once, and reports only move it forward", async () => {
    const ws = await newWorkspace();
    const connection = await arrangedConnection(ws.workspace.id, "sms");
    const scope = { workspaceId: ws.workspace.id, connectionId: connection.id };
    const inbound = { channel: "phone" as const, externalId: "CA100", from: { externalId: "+14155550111" }, kind: "voice" as const, status: "ringing" as const };
    const first = await ingestInboundCall(db(), { ...inbound, ...scope });
    expect(first.created).toBe(true);
    expect(first.call).toMatchObject({ statusKey: "ringing", connectionId: connection.id, startedByUserId: null });
    const contact = await one<{ phone: string }>("SELECT phone FROM contacts WHERE id = ?", first.call.startedByContactId);
    expect(contact.phone).toBe("+14155550111");
    expect((await ingestInboundCall(db(), { ...inbound, ...scope })).created).toBe(false);
    expect(await count("SELECT count(*) AS n FROM calls WHERE workspace_id = ?", ws.workspace.id)).toBe(1);

    const at = Date.now();
    expect((await applyCallUpdate(db(), { ...scope, externalId: "CA100", status: "connected", at })).changed).toBe(true);
    expect((await applyCallUpdate(db(), { ...scope, externalId: "CA100", status: "ringing" })).changed).toBe(false);
    expect((await applyCallUpdate(db(), { ...scope, externalId: "CA100", status: "ended", at: at + 42_000 })).changed).toBe(true);
    expect((await applyCallUpdate(db(), { ...scope, externalId: "CA100", status: "connected" })).changed).toBe(false);
    const detail = (await ws.owner.get(`/v1/conversations/${first.call.conversationId}/calls`)).body.data[0];
    expect(detail).toMatchObject({ statusKey: "ended", durationSeconds: 42 });
    // Another workspace, or another connection, knows nothing of it.
    const other = await newWorkspace();
    const theirs = await arrangedConnection(other.workspace.id, "sms");
    expect(await applyCallUpdate(db(), { workspaceId: other.workspace.id, connectionId: theirs.id, externalId: "CA100", status: "ended" })).toEqual({ changed: false, call: null });
  });

  it("an end reported for a call that never connected is missed; with a duration, it connected", async () => {
    const ws = await newWorkspace();
    const connection = await arrangedConnection(ws.workspace.id, "sms");
    const scope = { workspaceId: ws.workspace.id, connectionId: connection.id };
    const call = (externalId: string) =>
      ingestInboundCall(db(), { ...scope, channel: "phone", externalId, from: { externalId: "+14155550112" }, kind: "voice", status: "ringing" });
    await call("CA200");
    await applyCallUpdate(db(), { ...scope, externalId: "CA200", status: "ended" });
    expect(await one("SELECT status_key FROM calls WHERE external_id = 'CA200'")).toEqual({ status_key: "missed" });
    // "completed" with a duration, before the "answered" report: it was connected that long.
    await call("CA201");
    const end = Date.now() + 100_000;
    await applyCallUpdate(db(), { ...scope, externalId: "CA201", status: "ended", durationSeconds: 30, at: end });
    await applyCallUpdate(db(), { ...scope, externalId: "CA201", status: "connected" });
    expect(await one("SELECT status_key, connected_at, ended_at FROM calls WHERE external_id = 'CA201'")).toEqual({
      status_key: "ended",
      connected_at: end - 30_000,
      ended_at: end,
    });
  });
});

describe("signed attachment links", () => {
  it("serve the file without a token until they expire, and only the file they were made for", async () => {
    const ws = await newWorkspace();
    const upload = await request("POST", "/v1/attachments?fileName=offer.pdf", {
      token: ws.owner.token,
      rawBody: "%PDF offer",
      headers: { "content-type": "application/pdf" },
    });
    expect(upload.status).toBe(201);
    const other = await request("POST", "/v1/attachments?fileName=secret.pdf", {
      token: ws.owner.token,
      rawBody: "%PDF secret",
      headers: { "content-type": "application/pdf" },
    });
    const url = new URL(await signedAttachmentUrl(env, upload.body.id));
    expect(url.origin).toBe("https://parley.test");
    const ok = await request("GET", `${url.pathname}${url.search}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("application/pdf");
    expect(ok.body).toBe("%PDF offer");

    // The same signature on another file, a tampered expiry, a missing signature.
    expectError(await request("GET", `/files/${other.body.id}${url.search}`), 401, "unauthorized");
    const later = url.search.replace(/expires=(\d+)/, (_, e: string) => `expires=${Number(e) + 3600}`);
    expectError(await request("GET", `${url.pathname}${later}`), 401, "unauthorized");
    expectError(await request("GET", url.pathname), 401, "unauthorized");
    const expired = new URL(await signedAttachmentUrl(env, upload.body.id, 60, Date.now() - 3_600_000));
    expectError(await request("GET", `${expired.pathname}${expired.search}`), 403, "forbidden");
  });
});
