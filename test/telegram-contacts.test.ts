// Contacts writing in on Telegram: the inbox, the reps' notifications, files and shared numbers,
// and what strangers (contacts, other workspaces' reps) never get to see or do.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { QueueMessage } from "../src/jobs/job-message";
import { newWorkspace } from "./helpers/api";
import { all, count, one } from "./helpers/db";
import { consume } from "./helpers/queue";
import {
  buttonRows,
  callbackUpdate,
  contentUpdate,
  eventually,
  failNext,
  linkedRep,
  messageUpdate,
  registerFile,
  sentTo,
  telegramCalls,
} from "./helpers/telegram";

const rita = { id: 640001, first_name: "Rita", username: "rita" };
const ada = { id: 640101, first_name: "Ada", last_name: "Lovelace", username: "ada" };

const notificationsTo = async (botToken: string, chatId: number) => (await sentTo(botToken, chatId)).filter((m) => m.text.startsWith("💬"));

/** Wait for the rep's notifications to settle at `n` (and check none more arrive shortly after). */
async function notifiedExactly(botToken: string, chatId: number, n: number) {
  await eventually(() => notificationsTo(botToken, chatId), (sent) => sent.length >= n);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const sent = await notificationsTo(botToken, chatId);
  expect(sent).toHaveLength(n);
  return sent;
}

const messageOf = (workspaceId: number, chatId: number, messageId: number) =>
  one<{ id: number; body: string; kind_key: string; channel_key: string; author_kind_key: string; author_contact_id: number; conversation_id: number }>(
    "SELECT id, body, kind_key, channel_key, author_kind_key, author_contact_id, conversation_id FROM messages WHERE workspace_id = ? AND external_id = ?",
    workspaceId,
    `${chatId}:${messageId}`,
  );

describe("a contact writing to the bot", () => {
  it("lands in the inbox with receipts, and each linked rep is notified with the buttons", async () => {
    const ws = await newWorkspace();
    const { bot, rep, send } = await linkedRep(ws, rita);
    await ws.member("Olga"); // no Telegram: a receipt, no notification
    const known = await ws.owner.post("/v1/contacts", {
      name: "Ada Lovelace",
      company: "Analytical Engines",
      identities: [{ channelKey: "telegram", externalId: String(ada.id), handle: "ada" }],
    });
    expect(known.status).toBe(201);

    const update = messageUpdate(ada, "  Do you ship to Berlin?\n<b>asap</b>  ");
    expect((await send(update)).status).toBe(200);
    const message = await messageOf(ws.workspace.id, ada.id, update.message.message_id);
    expect(message).toMatchObject({
      body: "  Do you ship to Berlin?\n<b>asap</b>  ",
      kind_key: "text",
      channel_key: "telegram",
      author_kind_key: "contact",
      author_contact_id: known.body.id,
    });
    const receipts = await all<{ user_id: number; status_key: string }>(
      "SELECT user_id, status_key FROM message_receipts WHERE message_id = ? ORDER BY user_id",
      message.id,
    );
    expect(receipts).toHaveLength(3);
    expect(receipts.every((r) => r.status_key === "unread")).toBe(true);

    const [notification] = await notifiedExactly(bot.botToken, rita.id, 1);
    expect(notification!.text).toBe("💬 Ada Lovelace — Analytical Engines · telegram\n\n  Do you ship to Berlin?\n<b>asap</b>  ");
    const c = known.body.id;
    expect(buttonRows(notification!)).toEqual([
      [`rp:${message.id}`, `rd:${message.id}`],
      [1, 2, 3, 4, 5].map((v) => `s:${c}:${v}`),
      [`q:${c}`, `dc:${c}`],
    ]);
    expect(buttonRows(notification!).flat().every((data) => new TextEncoder().encode(data).length <= 64)).toBe(true);
    const recorded = await one<{ user_id: number; purpose_key: string; chat_id: string; chat_message_id: string | null; conversation_id: number }>(
      "SELECT user_id, purpose_key, chat_id, chat_message_id, conversation_id FROM chat_notifications WHERE message_id = ?",
      message.id,
    );
    expect(recorded).toMatchObject({ user_id: rep.user.id, purpose_key: "notification", chat_id: String(rita.id), conversation_id: message.conversation_id });
    expect(recorded.chat_message_id).toMatch(/^\d+$/);
    // The contact gets no automatic answer.
    expect(await sentTo(bot.botToken, ada.id)).toEqual([]);
  });

  it("creates the contact from the Telegram user, and a replayed update is one message and one notification", async () => {
    const ws = await newWorkspace();
    const { bot, send } = await linkedRep(ws, rita);
    const update = messageUpdate(ada, "hello");
    expect((await send(update)).status).toBe(200);
    expect((await send(update)).status).toBe(200);
    const message = await messageOf(ws.workspace.id, ada.id, update.message.message_id);
    const contact = await one<{ name: string; handle: string; external_id: string }>(
      "SELECT c.name, i.handle, i.external_id FROM contacts c JOIN contact_identities i ON i.contact_id = c.id WHERE c.id = ?",
      message.author_contact_id,
    );
    expect(contact).toEqual({ name: "Ada Lovelace", handle: "ada", external_id: String(ada.id) });

    // The same message under another update_id (a provider retry past the dedupe) changes nothing either.
    expect((await send({ ...update, update_id: update.update_id + 500_000 })).status).toBe(200);
    await notifiedExactly(bot.botToken, rita.id, 1);
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ? AND author_kind_key = 'contact'", ws.workspace.id)).toBe(1);
    expect(await count("SELECT count(*) AS n FROM chat_notifications WHERE message_id = ?", message.id)).toBe(1);
    expect(await count("SELECT count(*) AS n FROM message_receipts WHERE message_id = ?", message.id)).toBe(2);
  });

  it("downloads photos and documents through getFile into R2, on the queue", async () => {
    const ws = await newWorkspace();
    const { bot, send } = await linkedRep(ws, rita);
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5]);
    const pdf = new TextEncoder().encode("%PDF-1.4 price list");
    await registerFile(bot.botToken, "photo-big", "photos/file_7.jpg", jpeg);
    await registerFile(bot.botToken, "doc-1", "documents/file_8.pdf", pdf);

    const photo = contentUpdate(ada, {
      photo: [
        { file_id: "photo-small", file_unique_id: "AQADsmall", width: 90, height: 60, file_size: 3 },
        { file_id: "photo-big", file_unique_id: "AQADbig", width: 1280, height: 853, file_size: jpeg.byteLength },
      ],
      caption: "our storefront",
    });
    const doc = contentUpdate(ada, {
      document: { file_id: "doc-1", file_unique_id: "AgADdoc", file_name: "price list.pdf", mime_type: "application/pdf", file_size: pdf.byteLength },
    });
    expect((await send(photo)).status).toBe(200);
    expect((await send(doc)).status).toBe(200);

    const photoMessage = await messageOf(ws.workspace.id, ada.id, photo.message.message_id);
    expect(photoMessage).toMatchObject({ kind_key: "media", body: "our storefront" });
    const docMessage = await messageOf(ws.workspace.id, ada.id, doc.message.message_id);
    expect(docMessage).toMatchObject({ kind_key: "media", body: "" });

    type Row = { id: number; kind_key: string; url: string; file_name: string; content_type: string; size_bytes: number };
    const attachmentsOf = (messageId: number) =>
      all<Row>("SELECT id, kind_key, url, file_name, content_type, size_bytes FROM message_attachments WHERE message_id = ?", messageId);
    const [image] = await eventually(() => attachmentsOf(photoMessage.id), (rows) => rows.length > 0);
    expect(image).toMatchObject({ kind_key: "image", content_type: "image/jpeg", size_bytes: jpeg.byteLength, file_name: "photo-AQADbig.jpg" });
    expect(image!.url.startsWith(`ws/${ws.workspace.id}/`)).toBe(true);
    expect(new Uint8Array(await (await env.FILES.get(image!.url))!.arrayBuffer())).toEqual(jpeg);

    const [document] = await eventually(() => attachmentsOf(docMessage.id), (rows) => rows.length > 0);
    expect(document).toMatchObject({ kind_key: "document", content_type: "application/pdf", file_name: "price list.pdf", size_bytes: pdf.byteLength });
    expect(new Uint8Array(await (await env.FILES.get(document!.url))!.arrayBuffer())).toEqual(pdf);

    // Only the largest photo size is fetched; each file once.
    expect((await telegramCalls(bot.botToken, "getFile")).map((c) => c.params.file_id).sort()).toEqual(["doc-1", "photo-big"]);
    // The API serves it like any attachment.
    const listed = (await ws.owner.get(`/v1/conversations/${photoMessage.conversation_id}/messages`)).body.data;
    expect(listed.find((m: { id: number }) => m.id === photoMessage.id).attachments).toEqual([
      expect.objectContaining({ id: image!.id, kindKey: "image", url: `/v1/attachments/${image!.id}` }),
    ]);
    const notifications = await eventually(() => notificationsTo(bot.botToken, rita.id), (sent) => sent.length === 2);
    expect(notifications.map((n) => n.text.split("\n").pop())).toEqual(["📎 image", "📎 document"]);

    // A redelivered task finds the files stored and fetches nothing again.
    expect(await consume({ task: "channel.fetch_media", workspaceId: ws.workspace.id, messageId: photoMessage.id })).toEqual({ acked: true, retriedAfter: null });
    expect(await attachmentsOf(photoMessage.id)).toHaveLength(1);
    expect(await telegramCalls(bot.botToken, "getFile")).toHaveLength(2);
  });

  it("fills the contact's phone from their own shared contact, not from someone else's card", async () => {
    const ws = await newWorkspace();
    const { send } = await linkedRep(ws, rita);
    expect((await send(messageUpdate(ada, "hi"))).status).toBe(200);
    const first = await one<{ author_contact_id: number }>("SELECT author_contact_id FROM messages WHERE workspace_id = ?", ws.workspace.id);

    const someoneElse = contentUpdate(ada, { contact: { phone_number: "+14155550199", first_name: "Bob", user_id: 640999 } });
    expect((await send(someoneElse)).status).toBe(200);
    expect((await ws.owner.get(`/v1/contacts/${first.author_contact_id}`)).body.phone).toBeNull();

    const own = contentUpdate(ada, { contact: { phone_number: "14155550123", first_name: "Ada", last_name: "Lovelace", user_id: ada.id } });
    expect((await send(own)).status).toBe(200);
    const contact = (await ws.owner.get(`/v1/contacts/${first.author_contact_id}`)).body;
    expect(contact.phone).toBe("+14155550123");
    const message = await messageOf(ws.workspace.id, ada.id, own.message.message_id);
    expect(message.body).toBe("Ada Lovelace: 14155550123");
    const events = await all<{ type_key: string; actor_user_id: number | null }>(
      "SELECT type_key, actor_user_id FROM events WHERE entity_type_key = 'contact' AND entity_id = ? AND type_key = 'contact.updated'",
      first.author_contact_id,
    );
    expect(events).toEqual([{ type_key: "contact.updated", actor_user_id: null }]);
  });
});

describe("strangers", () => {
  it("a contact's /start is greeted, and nothing they send shows workspace data; their buttons are refused", async () => {
    const ws = await newWorkspace();
    const { bot, send } = await linkedRep(ws, rita);
    const secret = (await ws.owner.post("/v1/contacts", { name: "Visible Only To Reps", company: "Secret Co" })).body;
    const stranger = { id: 640201, first_name: "Sam" };

    await send(messageUpdate(stranger, "/start"));
    await send(messageUpdate(stranger, "/start promo-2024"));
    const greetings = await sentTo(bot.botToken, stranger.id);
    expect(greetings.map((m) => m.text)).toEqual([
      "Hi Sam! 👋 Write your message here and someone from the team will answer you in this chat.",
      "Hi Sam! 👋 Write your message here and someone from the team will answer you in this chat.",
    ]);
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ?", ws.workspace.id)).toBe(0);

    for (const text of ["/contact visible", "/inbox", "/pins", "/deal", "/stats"]) await send(messageUpdate(stranger, text));
    await send(callbackUpdate(stranger, `s:${secret.id}:5`));
    await send(callbackUpdate(stranger, `dc:${secret.id}`));
    // Their words are messages to the team, stored verbatim…
    const bodies = await all<{ body: string }>("SELECT body FROM messages WHERE workspace_id = ? ORDER BY id", ws.workspace.id);
    expect(bodies.map((b) => b.body)).toEqual(["/contact visible", "/inbox", "/pins", "/deal", "/stats"]);
    // …and nothing comes back to them but the greetings; the buttons are refused.
    expect(await sentTo(bot.botToken, stranger.id)).toHaveLength(2);
    const refusals = (await telegramCalls(bot.botToken, "answerCallbackQuery")).map((c) => c.params);
    expect(refusals).toEqual([
      expect.objectContaining({ text: "This button is only for the team's linked accounts.", show_alert: true }),
      expect.objectContaining({ text: "This button is only for the team's linked accounts.", show_alert: true }),
    ]);
    expect(await count("SELECT count(*) AS n FROM contact_scores WHERE contact_id = ?", secret.id)).toBe(0);
    expect(JSON.stringify(refusals)).not.toMatch(/Visible Only To Reps|Secret Co/);
  });

  it("a rep of another workspace gets no notification, and their buttons are refused", async () => {
    const a = await newWorkspace();
    const b = await newWorkspace();
    const bob = { id: 640301, first_name: "Bob" };
    const ritaA = await linkedRep(a, rita);
    const bobB = await linkedRep(b, bob);
    const bobChatsBefore = (await sentTo(bobB.bot.botToken, bob.id)).length;

    await ritaA.send(messageUpdate(ada, "a lead for workspace A"));
    await notifiedExactly(ritaA.bot.botToken, rita.id, 1);
    const adaContact = await one<{ author_contact_id: number }>("SELECT author_contact_id FROM messages WHERE workspace_id = ?", a.workspace.id);
    expect(await sentTo(ritaA.bot.botToken, bob.id)).toEqual([]);
    expect(await sentTo(bobB.bot.botToken, bob.id)).toHaveLength(bobChatsBefore);

    // Bob on A's bot is just somebody writing in; his buttons do nothing there…
    await ritaA.send(callbackUpdate(bob, `s:${adaContact.author_contact_id}:5`));
    expect((await telegramCalls(ritaA.bot.botToken, "answerCallbackQuery")).map((c) => c.params)).toEqual([
      expect.objectContaining({ text: "This button is only for the team's linked accounts.", show_alert: true }),
    ]);
    // …and on his own bot, A's contact does not exist.
    await bobB.send(callbackUpdate(bob, `s:${adaContact.author_contact_id}:5`));
    await bobB.send(callbackUpdate(bob, `rd:1`));
    expect((await telegramCalls(bobB.bot.botToken, "answerCallbackQuery")).map((c) => c.params)).toEqual([
      expect.objectContaining({ text: "contact not found", show_alert: true }),
      expect.objectContaining({ text: "message not found", show_alert: true }),
    ]);
    expect(await count("SELECT count(*) AS n FROM contact_scores WHERE contact_id = ?", adaContact.author_contact_id)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM chat_notifications WHERE workspace_id = ?", b.workspace.id)).toBe(0);
  });
});

describe("the notify_reps task", () => {
  it("notifies the other reps at once and retries the one Telegram throttled after retry_after; nobody twice", async () => {
    const ws = await newWorkspace();
    const rob = { id: 640002, first_name: "Rob" };
    const { bot, rep: ritaUser, send } = await linkedRep(ws, rita);
    const robUser = await ws.member("Rob");
    const { code } = (await robUser.api.post("/v1/me/telegram-link")).body;
    await send(messageUpdate(rob, `/start ${code}`));

    await send(messageUpdate(ada, "hello both"));
    const message = await one<{ id: number }>("SELECT id FROM messages WHERE workspace_id = ? AND author_kind_key = 'contact'", ws.workspace.id);
    // Let the worker's own queue notify both, then forget it did, to replay the task by hand.
    await eventually(() => count("SELECT count(*) AS n FROM chat_notifications WHERE message_id = ? AND chat_message_id IS NOT NULL", message.id), (n) => n === 2);
    await env.DB.prepare("DELETE FROM chat_notifications WHERE message_id = ?").bind(message.id).run();
    const task: QueueMessage = { task: "notify_reps", workspaceId: ws.workspace.id, messageId: message.id };

    await failNext(bot.botToken, "sendMessage", 429, "Too Many Requests: retry after 5", 5);
    expect(await consume(task)).toEqual({ acked: false, retriedAfter: 5 });
    const claimed = await all<{ user_id: number }>("SELECT user_id FROM chat_notifications WHERE message_id = ?", message.id);
    expect(claimed.map((r) => r.user_id)).toEqual([robUser.user.id]);

    expect(await consume(task, 2)).toEqual({ acked: true, retriedAfter: null });
    expect(await consume(task, 3)).toEqual({ acked: true, retriedAfter: null });
    const rows = await all<{ user_id: number }>("SELECT user_id FROM chat_notifications WHERE message_id = ? ORDER BY user_id", message.id);
    expect(rows.map((r) => r.user_id)).toEqual([ritaUser.user.id, robUser.user.id].sort((x, y) => x - y));
    // Calls to Telegram: each rep's before the replay; in it, Rita's refused one and her retry.
    expect(await notificationsTo(bot.botToken, rita.id)).toHaveLength(3);
    expect(await notificationsTo(bot.botToken, rob.id)).toHaveLength(2);
  });

  it("skips a rep who blocked the bot without retrying, and tells nobody about a message already read", async () => {
    const ws = await newWorkspace();
    const { bot, rep, send } = await linkedRep(ws, rita);
    await send(messageUpdate(ada, "are you there?"));
    const message = await one<{ id: number }>("SELECT id FROM messages WHERE workspace_id = ? AND author_kind_key = 'contact'", ws.workspace.id);
    await eventually(() => count("SELECT count(*) AS n FROM chat_notifications WHERE message_id = ? AND chat_message_id IS NOT NULL", message.id), (n) => n === 1);
    await env.DB.prepare("DELETE FROM chat_notifications WHERE message_id = ?").bind(message.id).run();
    const task: QueueMessage = { task: "notify_reps", workspaceId: ws.workspace.id, messageId: message.id };

    await failNext(bot.botToken, "sendMessage", 403, "Forbidden: bot was blocked by the user");
    expect(await consume(task)).toEqual({ acked: true, retriedAfter: null });
    expect(await count("SELECT count(*) AS n FROM chat_notifications WHERE message_id = ?", message.id)).toBe(0);

    await rep.api.post(`/v1/messages/${message.id}/read`);
    expect(await consume(task)).toEqual({ acked: true, retriedAfter: null });
    expect(await count("SELECT count(*) AS n FROM chat_notifications WHERE message_id = ?", message.id)).toBe(0);
    // Telegram unreachable until the last attempt: logged and acked, never a loop.
    await env.DB.prepare("UPDATE message_receipts SET status_key = 'unread', read_at = NULL WHERE message_id = ?").bind(message.id).run();
    await failNext(bot.botToken, "sendMessage", 502, "Bad Gateway");
    expect(await consume(task, 5)).toEqual({ acked: true, retriedAfter: null });
    // The dead-letter consumer takes task messages too.
    expect(await consume(task, 6, "parley-jobs-dlq")).toEqual({ acked: true, retriedAfter: null });
  });
});
