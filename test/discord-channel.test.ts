// Discord as a contact channel: DMs forwarded by the gateway bridge (HMAC-signed, fresh) stored
// once as contacts' messages with their files fetched into R2; answers delivered by DM (create DM +
// create message, files as multipart), 50007 failing at once and 429 retried after Discord's wait;
// and notify_reps reaching linked members by DM with the message card and its buttons.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newWorkspace } from "./helpers/api";
import { all, count, one } from "./helpers/db";
import {
  blockDms,
  cdnFile,
  connectDiscord,
  discordCalls,
  discordUser,
  dmMessage,
  failNextDiscord,
  forwardDm,
  linkedDiscordRep,
  newDiscordApp,
} from "./helpers/discord";
import { consume } from "./helpers/queue";
import { eventually } from "./helpers/telegram";

async function connected() {
  const ws = await newWorkspace();
  const app = await newDiscordApp();
  const connection = await connectDiscord(ws.owner, app);
  return { ws, app, connection };
}

const contactMessages = (workspaceId: number) =>
  all<{ id: number; body: string; channel_key: string; external_id: string; connection_id: number; kind_key: string; conversation_id: number }>(
    "SELECT id, body, channel_key, external_id, connection_id, kind_key, conversation_id FROM messages WHERE workspace_id = ? AND author_kind_key = 'contact' ORDER BY id",
    workspaceId,
  );

describe("DMs forwarded by the gateway bridge", () => {
  it("stores a contact's DM once (a replay is a no-op), with the contact found by their Discord user id", async () => {
    const { ws, app, connection } = await connected();
    const tom = discordUser("tom");
    const dm = dmMessage(tom, "Hi, do you have the XL in stock?");
    const res = await forwardDm(connection, app.botToken, dm);
    expect(res.status).toBe(200);
    expect((await forwardDm(connection, app.botToken, dm)).status).toBe(200);

    const stored = await contactMessages(ws.workspace.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ body: "Hi, do you have the XL in stock?", channel_key: "discord", external_id: dm.id, connection_id: connection.id, kind_key: "text" });
    const identity = await one<{ contact_id: number; channel_key: string; external_id: string }>(
      "SELECT contact_id, channel_key, external_id FROM contact_identities WHERE workspace_id = ? AND channel_key = 'discord'",
      ws.workspace.id,
    );
    expect(identity.external_id).toBe(tom.id);
    expect((await one<{ name: string }>("SELECT name FROM contacts WHERE id = ?", identity.contact_id)).name).toBe("tom (display)");

    // Their next DM joins the same contact and conversation.
    await forwardDm(connection, app.botToken, dmMessage(tom, "Also in blue?"));
    const both = await contactMessages(ws.workspace.id);
    expect(both).toHaveLength(2);
    expect(both[1]!.conversation_id).toBe(both[0]!.conversation_id);
  });

  it("401s a forged, unsigned or stale forward and stores nothing", async () => {
    const { ws, app, connection } = await connected();
    const dm = dmMessage(discordUser("eve"), "forged");
    expect((await forwardDm(connection, "another-bot-token", dm)).status).toBe(401);
    expect((await forwardDm(connection, app.botToken, dm, { signature: "sha256=00" })).status).toBe(401);
    const stale = await forwardDm(connection, app.botToken, dm, { timestamp: String(Math.floor(Date.now() / 1000) - 301) });
    expect(stale.status).toBe(401);
    expect(stale.body.error.message).toMatch(/5 minutes/);
    const unsigned = await (await import("./helpers/api")).request("POST", `/webhooks/discord/${connection.id}/gateway`, { body: dm });
    expect(unsigned.status).toBe(401);
    // An interaction signature does not open the gateway path, nor the other way round.
    expect(await contactMessages(ws.workspace.id)).toHaveLength(0);
  });

  it("ignores server messages, bots and linked members; a malformed payload is a 400", async () => {
    const { ws, app, connection } = await connected();
    const { user } = await linkedDiscordRep(ws, { app, connection });
    await forwardDm(connection, app.botToken, dmMessage(discordUser("guildy"), "in a server", { guild_id: "900000000000000009" }));
    await forwardDm(connection, app.botToken, dmMessage({ id: "1200000000000000001", username: "somebot" }, "beep", { author: { id: "1200000000000000001", username: "somebot", bot: true } }));
    await forwardDm(connection, app.botToken, dmMessage(user, "I'm a rep"));
    await forwardDm(connection, app.botToken, dmMessage(discordUser("joiner"), "", { type: 7 }));
    expect(await contactMessages(ws.workspace.id)).toHaveLength(0);
    const body = JSON.stringify({ hello: "world" });
    const { hmac, toHex } = await import("../src/lib/crypto");
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await (await import("./helpers/api")).request("POST", `/webhooks/discord/${connection.id}/gateway`, {
      rawBody: body,
      headers: { "x-parley-timestamp": ts, "x-parley-signature": `sha256=${toHex(await hmac("SHA-256", app.botToken, `${ts}.${body}`))}` },
    });
    expect(res.status).toBe(400);
  });

  it("fetches attachments from the CDN URL into R2 (queued), never from another host", async () => {
    const { ws, app, connection } = await connected();
    const bytes = new TextEncoder().encode("%PDF-1.4 fake brochure");
    const url = await cdnFile(`attachments/1/${crypto.randomUUID()}/brochure.pdf`, bytes, "application/pdf");
    const dm = dmMessage(discordUser("ana"), "Here is the spec", {
      attachments: [
        { id: "1300000000000000101", filename: "brochure.pdf", content_type: "application/pdf", size: bytes.length, url },
        { id: "1300000000000000102", filename: "evil.bin", content_type: "application/octet-stream", size: 3, url: "https://attacker.example/evil.bin" },
      ],
    });
    expect((await forwardDm(connection, app.botToken, dm)).status).toBe(200);
    const [message] = await contactMessages(ws.workspace.id);
    expect(message).toMatchObject({ kind_key: "media", body: "Here is the spec" });
    // The queued media task: run it by hand, as the consumer would.
    await consume({ task: "channel.fetch_media", workspaceId: ws.workspace.id, messageId: message!.id });
    const files = await all<{ file_name: string; content_type: string; url: string }>("SELECT file_name, content_type, url FROM message_attachments WHERE message_id = ?", message!.id);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ file_name: "brochure.pdf", content_type: "application/pdf" });
    expect(await (await env.FILES.get(files[0]!.url))!.text()).toBe("%PDF-1.4 fake brochure");
  });
});

/** A contact who DMed the bot, and a rep's answer queued (Delivery + job) but not yet run. */
async function queuedAnswer(body: string) {
  const { ws, app, connection } = await connected();
  const contactUser = discordUser("ada");
  await forwardDm(connection, app.botToken, dmMessage(contactUser, "hi"));
  const [inbound] = await contactMessages(ws.workspace.id);
  const message = await one<{ id: number }>(
    "INSERT INTO messages (workspace_id, conversation_id, author_kind_key, author_user_id, channel_key, body, created_at, updated_at) VALUES (?, ?, 'user', ?, 'discord', ?, 1, 1) RETURNING id",
    ws.workspace.id,
    inbound!.conversation_id,
    ws.user.id,
    body,
  );
  const delivery = await one<{ id: number }>(
    "INSERT INTO deliveries (workspace_id, message_id, channel_key, status_key, attempt, created_at, updated_at) VALUES (?, ?, 'discord', 'queued', 1, 1, 1) RETURNING id",
    ws.workspace.id,
    message.id,
  );
  const job = await one<{ id: number }>(
    "INSERT INTO jobs (workspace_id, kind_key, input_json, created_at, updated_at) VALUES (?, 'deliver_message', ?, 1, 1) RETURNING id",
    ws.workspace.id,
    JSON.stringify({ deliveryId: delivery.id }),
  );
  const run = (attempts = 1) => consume({ kind: "deliver_message", jobId: job.id, workspaceId: ws.workspace.id }, attempts);
  const deliveryRow = () => one<{ status_key: string; provider_message_id: string | null; error_code: string | null }>("SELECT status_key, provider_message_id, error_code FROM deliveries WHERE id = ?", delivery.id);
  return { ws, app, connection, contactUser, messageId: message.id, run, deliveryRow };
}

describe("outbound (deliver_message)", () => {
  it("opens the DM channel and posts the text, mentions disabled; long text goes in 2000-character parts", async () => {
    const long = "x".repeat(2500);
    const { app, contactUser, run, deliveryRow } = await queuedAnswer(long);
    expect(await run()).toEqual({ acked: true, retriedAfter: null });
    const calls = await discordCalls(app.applicationId, { method: "POST" });
    expect(calls[0]).toMatchObject({ path: "/users/@me/channels", body: { recipient_id: contactUser.id } });
    const posts = calls.filter((c) => /^\/channels\/\d+\/messages$/.test(c.path));
    expect(posts.map((p) => p.body.content.length)).toEqual([2000, 500]);
    expect(posts[0]!.body.allowed_mentions).toEqual({ parse: [] });
    const delivery = await deliveryRow();
    expect(delivery.status_key).toBe("sent");
    expect(delivery.provider_message_id).toMatch(/^\d+$/);
  });

  it("uploads attachments as multipart files with the text", async () => {
    const { ws, app, messageId, run } = await queuedAnswer("The brochure");
    const key = `ws/${ws.workspace.id}/brochure-${crypto.randomUUID()}.pdf`;
    await env.FILES.put(key, "PDFDATA");
    await env.DB.prepare(
      "INSERT INTO message_attachments (workspace_id, message_id, kind_key, file_name, content_type, size_bytes, url, created_at, updated_at) VALUES (?, ?, 'document', 'brochure.pdf', 'application/pdf', 7, ?, 1, 1)",
    )
      .bind(ws.workspace.id, messageId, key)
      .run();
    expect(await run()).toEqual({ acked: true, retriedAfter: null });
    const [post] = await discordCalls(app.applicationId, { method: "POST", path: /\/messages$/ });
    expect(post!.body.content).toBe("The brochure");
    expect(post!.files).toEqual([expect.objectContaining({ fileName: "brochure.pdf", size: 7, type: "application/pdf" })]);
    expect(atob(post!.files[0]!.base64)).toBe("PDFDATA");
  });

  it("50007 (the user does not accept DMs): failed at once with the reason, no retry", async () => {
    const { app, contactUser, run, deliveryRow } = await queuedAnswer("hello");
    await blockDms(app.applicationId, contactUser.id);
    expect(await run()).toEqual({ acked: true, retriedAfter: null });
    expect(await deliveryRow()).toMatchObject({ status_key: "failed", error_code: "discord_cannot_message_user" });
  });

  it("429: retried after Discord's retry_after, then sent", async () => {
    const { app, run, deliveryRow } = await queuedAnswer("hello");
    await failNextDiscord(app.applicationId, { method: "POST", path: "/messages$", status: 429, retryAfter: 6.2 });
    expect(await run()).toEqual({ acked: false, retriedAfter: 7 });
    expect((await deliveryRow()).status_key).toBe("queued");
    expect(await run(2)).toEqual({ acked: true, retriedAfter: null });
    expect((await deliveryRow()).status_key).toBe("sent");
  });
});

/**
 * A contact's message with unread receipts for every user, written straight to D1: no
 * notify_reps is queued, so the one the test runs is the only one.
 */
async function quietInbound(workspaceId: number, body: string): Promise<{ id: number }> {
  const contact = await one<{ id: number }>("INSERT INTO contacts (workspace_id, name, created_at, updated_at) VALUES (?, 'Quiet Quinn', 1, 1) RETURNING id", workspaceId);
  const conversation = await one<{ id: number }>(
    "INSERT INTO conversations (workspace_id, kind_key, status_key, contact_id, created_at, updated_at) VALUES (?, 'contact', 'open', ?, 1, 1) RETURNING id",
    workspaceId,
    contact.id,
  );
  const message = await one<{ id: number }>(
    "INSERT INTO messages (workspace_id, conversation_id, author_kind_key, author_contact_id, channel_key, body, created_at, updated_at) VALUES (?, ?, 'contact', ?, 'telegram', ?, 1, 1) RETURNING id",
    workspaceId,
    conversation.id,
    contact.id,
    body,
  );
  await env.DB.prepare(
    "INSERT INTO message_receipts (workspace_id, user_id, message_id, conversation_id, status_key, created_at, updated_at) SELECT ?, id, ?, ?, 'unread', 1, 1 FROM users WHERE workspace_id = ?",
  )
    .bind(workspaceId, message.id, conversation.id, workspaceId)
    .run();
  return message;
}

describe("notify_reps by DM", () => {
  it("DMs each linked member with unread the message card and its buttons, once", async () => {
    const { ws, app, connection } = await connected();
    const mia = await linkedDiscordRep(ws, { app, connection, name: "Mia" });
    const tom = discordUser("tom");
    await forwardDm(connection, app.botToken, dmMessage(tom, "Can I get a quote?"));
    const [message] = await contactMessages(ws.workspace.id);
    const dms = () => discordCalls(app.applicationId, { method: "POST", path: /^\/channels\/\d+\/messages$/ });
    const [dm] = await eventually(dms, (calls) => calls.length > 0);
    expect(dm!.body.embeds[0]).toMatchObject({ description: "Can I get a quote?" });
    expect(dm!.body.embeds[0].author.name).toContain("· discord");
    const ids = dm!.body.components.flatMap((r: { components: { custom_id: string }[] }) => r.components.map((c) => c.custom_id));
    expect(ids).toEqual(expect.arrayContaining([`rp:${message!.id}`, `rd:${message!.id}`]));
    const opened = await discordCalls(app.applicationId, { method: "POST", path: /^\/users\/@me\/channels$/ });
    expect(opened.map((c) => c.body.recipient_id)).toContain(mia.user.id);

    // The task delivered again: nobody is DMed twice.
    await consume({ task: "notify_reps", workspaceId: ws.workspace.id, messageId: message!.id });
    expect(await dms()).toHaveLength(1);
    expect(await count("SELECT count(*) AS n FROM chat_notifications WHERE message_id = ? AND platform_key = 'discord'", message!.id)).toBe(1);
  });

  it("skips a member who blocks DMs (50007) with the reason logged, and does not retry", async () => {
    const { ws, app, connection } = await connected();
    const mia = await linkedDiscordRep(ws, { app, connection, name: "Mia" });
    const bea = await linkedDiscordRep(ws, { app, connection, name: "Bea" });
    await blockDms(app.applicationId, mia.user.id);
    const message = await quietInbound(ws.workspace.id, "ping");
    const outcome = await consume({ task: "notify_reps", workspaceId: ws.workspace.id, messageId: message.id });
    expect(outcome).toEqual({ acked: true, retriedAfter: null });
    const posts = await discordCalls(app.applicationId, { method: "POST", path: /^\/channels\/\d+\/messages$/ });
    expect(posts.map((p) => p.status)).toEqual([403, 200]);
    const notified = await all<{ chat_id: string }>("SELECT chat_id FROM chat_notifications WHERE message_id = ? AND platform_key = 'discord' AND chat_message_id IS NOT NULL", message.id);
    expect(notified).toEqual([{ chat_id: bea.user.id }]);
  });

  it("a 429 retries the task after Discord's wait; the retry DMs only who was missed", async () => {
    const { ws, app, connection } = await connected();
    await linkedDiscordRep(ws, { app, connection, name: "Mia" });
    await failNextDiscord(app.applicationId, { method: "POST", path: "^/channels/\\d+/messages$", status: 429, retryAfter: 3 });
    const message = await quietInbound(ws.workspace.id, "ping");
    expect(await consume({ task: "notify_reps", workspaceId: ws.workspace.id, messageId: message.id })).toEqual({ acked: false, retriedAfter: 3 });
    expect(await count("SELECT count(*) AS n FROM chat_notifications WHERE message_id = ? AND platform_key = 'discord'", message.id)).toBe(0);
    expect(await consume({ task: "notify_reps", workspaceId: ws.workspace.id, messageId: message.id }, 2)).toEqual({ acked: true, retriedAfter: null });
    expect(await count("SELECT count(*) AS n FROM chat_notifications WHERE message_id = ? AND platform_key = 'discord' AND chat_message_id IS NOT NULL", message.id)).toBe(1);
    expect(await consume({ task: "notify_reps", workspaceId: ws.workspace.id, messageId: message.id }, 3)).toEqual({ acked: true, retriedAfter: null });
    expect((await discordCalls(app.applicationId, { method: "POST", path: /\/messages$/ })).map((c) => c.status ?? c.failed)).toEqual([429, 200]);
  });
});
