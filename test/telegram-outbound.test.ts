// Answers reaching contacts on Telegram: the adapter behind deliver_message (texts, photos,
// documents, and Telegram's errors mapped to retries or failures), and a rep's Telegram reply to
// a notification travelling all the way to the contact's chat.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type Client, newWorkspace, request } from "./helpers/api";
import { all, count, one } from "./helpers/db";
import { consume } from "./helpers/queue";
import {
  callbackUpdate,
  connectBot,
  eventually,
  failNext,
  linkedRep,
  messageNow,
  messageUpdate,
  postUpdate,
  replyingTo,
  sentIdTo,
  sentTo,
  telegramCalls,
} from "./helpers/telegram";

const rita = { id: 650001, first_name: "Rita", username: "rita" };
const ada = { id: 650101, first_name: "Ada", last_name: "Lovelace" };

/**
 * A contact who wrote to the bot, and the owner's answer with its queued Delivery and
 * deliver_message job — arranged in the database and NOT put on the queue, so the test runs it.
 */
async function queuedAnswer(body = "Here is our offer") {
  const ws = await newWorkspace();
  const bot = await connectBot(ws.owner);
  expect((await postUpdate(bot.connection, bot.secret, messageUpdate(ada, "hi"))).status).toBe(200);
  const inbound = await one<{ conversation_id: number }>("SELECT conversation_id FROM messages WHERE workspace_id = ?", ws.workspace.id);
  const answer = await answerRows(ws.workspace.id, inbound.conversation_id, body);
  return { ws, bot, ...answer };
}

async function answerRows(workspaceId: number, conversationId: number, body: string) {
  const message = await one<{ id: number }>(
    "INSERT INTO messages (workspace_id, conversation_id, author_kind_key, author_user_id, channel_key, body, created_at, updated_at) VALUES (?, ?, 'user', ?, 'telegram', ?, 1, 1) RETURNING id",
    workspaceId,
    conversationId,
    (await one<{ id: number }>("SELECT id FROM users WHERE workspace_id = ? ORDER BY id LIMIT 1", workspaceId)).id,
    body,
  );
  const delivery = await one<{ id: number }>(
    "INSERT INTO deliveries (workspace_id, message_id, channel_key, status_key, attempt, created_at, updated_at) VALUES (?, ?, 'telegram', 'queued', 1, 1, 1) RETURNING id",
    workspaceId,
    message.id,
  );
  const job = await one<{ id: number }>(
    "INSERT INTO jobs (workspace_id, kind_key, input_json, created_at, updated_at) VALUES (?, 'deliver_message', ?, 1, 1) RETURNING id",
    workspaceId,
    JSON.stringify({ deliveryId: delivery.id }),
  );
  return { messageId: message.id, deliveryId: delivery.id, jobId: job.id };
}

/** Deliver the job's queue message to the consumer, as delivery number `attempts`. */
const runJob = (workspaceId: number, jobId: number, attempts = 1) => consume({ kind: "deliver_message", jobId, workspaceId }, attempts);

const deliveryRow = (id: number) =>
  one<{ status_key: string; provider_message_id: string | null; error_code: string | null; error_message: string | null }>(
    "SELECT status_key, provider_message_id, error_code, error_message FROM deliveries WHERE id = ?",
    id,
  );
const jobRow = async (id: number) => {
  const row = await one<{ status_key: string; attempts: number; result_json: string | null }>(
    "SELECT status_key, attempts, result_json FROM jobs WHERE id = ?",
    id,
  );
  return { ...row, result: row.result_json ? JSON.parse(row.result_json) : null };
};

describe("the Telegram adapter (deliver_message)", () => {
  it("sends the text to the contact's private chat; the delivery is sent with Telegram's message id", async () => {
    const { ws, bot, deliveryId, jobId } = await queuedAnswer("Here is our offer: 20% off");
    expect(await runJob(ws.workspace.id, jobId)).toEqual({ acked: true, retriedAfter: null });
    const [sent] = await sentTo(bot.botToken, ada.id);
    expect(sent).toMatchObject({ chat_id: ada.id, text: "Here is our offer: 20% off" });
    const delivery = await deliveryRow(deliveryId);
    expect(delivery).toMatchObject({ status_key: "sent", error_code: null });
    expect(delivery.provider_message_id).toMatch(/^\d+$/);
    expect(await jobRow(jobId)).toMatchObject({ status_key: "succeeded", attempts: 1 });
  });

  it("403 (bot blocked by the user): the delivery fails at once and is not retried", async () => {
    const { ws, bot, deliveryId, jobId } = await queuedAnswer();
    await failNext(bot.botToken, "sendMessage", 403, "Forbidden: bot was blocked by the user");
    expect(await runJob(ws.workspace.id, jobId)).toEqual({ acked: true, retriedAfter: null });
    expect(await deliveryRow(deliveryId)).toMatchObject({
      status_key: "failed",
      error_code: "telegram_forbidden",
      error_message: "Telegram sendMessage: 403 Forbidden: bot was blocked by the user",
    });
    const job = await jobRow(jobId);
    expect(job).toMatchObject({ status_key: "failed", attempts: 1 });
    expect(job.result.error.code).toBe("telegram_forbidden");
  });

  it("400 chat not found fails for good too", async () => {
    const { ws, bot, deliveryId, jobId } = await queuedAnswer();
    await failNext(bot.botToken, "sendMessage", 400, "Bad Request: chat not found");
    expect(await runJob(ws.workspace.id, jobId)).toEqual({ acked: true, retriedAfter: null });
    expect(await deliveryRow(deliveryId)).toMatchObject({ status_key: "failed", error_code: "telegram_chat_not_found" });
  });

  it("429: retried after Telegram's retry_after, then sent", async () => {
    const { ws, bot, deliveryId, jobId } = await queuedAnswer();
    await failNext(bot.botToken, "sendMessage", 429, "Too Many Requests: retry after 7", 7);
    expect(await runJob(ws.workspace.id, jobId)).toEqual({ acked: false, retriedAfter: 7 });
    expect((await deliveryRow(deliveryId)).status_key).toBe("queued");
    const waiting = await jobRow(jobId);
    expect(waiting).toMatchObject({ status_key: "queued", attempts: 1 });
    expect(waiting.result).toMatchObject({ error: { code: "telegram_rate_limited" }, retryInSeconds: 7 });

    expect(await runJob(ws.workspace.id, jobId, 2)).toEqual({ acked: true, retriedAfter: null });
    expect(await deliveryRow(deliveryId)).toMatchObject({ status_key: "sent", error_code: null });
    // The refused call and the one that went through.
    expect(await sentTo(bot.botToken, ada.id)).toHaveLength(2);
  });

  it("5xx: retried with the runner's backoff; after the last attempt the delivery fails with Telegram's error", async () => {
    const { ws, bot, deliveryId, jobId } = await queuedAnswer();
    await failNext(bot.botToken, "sendMessage", 500, "Internal Server Error");
    expect(await runJob(ws.workspace.id, jobId)).toEqual({ acked: false, retriedAfter: 10 });
    expect((await deliveryRow(deliveryId)).status_key).toBe("queued");
    expect((await jobRow(jobId)).result).toMatchObject({ error: { code: "telegram_unavailable" }, retryInSeconds: 10 });

    await failNext(bot.botToken, "sendMessage", 502, "Bad Gateway");
    expect(await runJob(ws.workspace.id, jobId, 2)).toEqual({ acked: false, retriedAfter: 30 });

    // The fifth and last attempt.
    await env.DB.prepare("UPDATE jobs SET attempts = 4 WHERE id = ?").bind(jobId).run();
    await failNext(bot.botToken, "sendMessage", 500, "Internal Server Error");
    expect(await runJob(ws.workspace.id, jobId, 5)).toEqual({ acked: true, retriedAfter: null });
    expect(await deliveryRow(deliveryId)).toMatchObject({ status_key: "failed", error_code: "telegram_unavailable" });
    expect((await jobRow(jobId)).status_key).toBe("failed");
  });

  it("a contact without a Telegram account cannot be written to on Telegram", async () => {
    const ws = await newWorkspace();
    await connectBot(ws.owner);
    const contact = (await ws.owner.post("/v1/contacts", { name: "No Telegram" })).body;
    const conversation = (await ws.owner.post(`/v1/contacts/${contact.id}/conversations`)).body;
    const { deliveryId, jobId } = await answerRows(ws.workspace.id, conversation.id, "hello?");
    expect(await runJob(ws.workspace.id, jobId)).toEqual({ acked: true, retriedAfter: null });
    expect(await deliveryRow(deliveryId)).toMatchObject({ status_key: "failed", error_code: "no_recipient" });
  });

  it("sends attachments as a photo (with the text as its caption) and a document, from R2", async () => {
    const ws = await newWorkspace();
    const bot = await connectBot(ws.owner);
    await postUpdate(bot.connection, bot.secret, messageUpdate(ada, "send me the brochure"));
    const inbound = await one<{ conversation_id: number }>("SELECT conversation_id FROM messages WHERE workspace_id = ?", ws.workspace.id);
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 9, 9, 9]);
    const pdf = new TextEncoder().encode("%PDF-1.7 brochure");
    const upload = async (api: Client, bytes: Uint8Array, type: string, name: string) => {
      const form = new FormData();
      form.append("file", new Blob([bytes], { type }), name);
      return (await request("POST", "/v1/attachments", { token: api.token, rawBody: form })).body as { id: number };
    };
    const image = await upload(ws.owner, png, "image/png", "shop.png");
    const doc = await upload(ws.owner, pdf, "application/pdf", "brochure 2026.pdf");
    const sent = await ws.owner.post(`/v1/conversations/${inbound.conversation_id}/messages`, { body: "Here you go", attachmentIds: [image.id, doc.id] });
    expect(sent.status).toBe(201);
    expect(sent.body.delivery).toMatchObject({ channelKey: "telegram", statusKey: "queued" });

    // The worker's own queue runs the job.
    const delivery = await eventually(() => deliveryRow(sent.body.delivery.id), (d) => d.status_key !== "queued");
    expect(delivery).toMatchObject({ status_key: "sent" });
    const [photo] = await telegramCalls(bot.botToken, "sendPhoto");
    expect(photo!.params).toMatchObject({ chat_id: String(ada.id), caption: "Here you go" });
    // The fake resolves `attach://<part>` to the file part it names, as Telegram does.
    const photoFile = photo!.params.photo as { fileName: string; base64: string };
    expect(photoFile.fileName).toBe("shop.png");
    expect(atob(photoFile.base64)).toBe(String.fromCharCode(...png));
    const [document] = await telegramCalls(bot.botToken, "sendDocument");
    expect(document!.params.caption).toBeUndefined();
    const docFile = document!.params.document as { fileName: string; base64: string };
    expect(docFile.fileName).toBe("brochure 2026.pdf");
    expect(atob(docFile.base64)).toBe("%PDF-1.7 brochure");
    expect(await sentTo(bot.botToken, ada.id)).toEqual([]);
  });
});

describe("claiming a delivery and resuming a send in parts", () => {
  it("two deliveries of the job's queue message at once: one claims the delivery and sends, once", async () => {
    const { ws, bot, deliveryId, jobId } = await queuedAnswer("Only once, please");
    const outcomes = await Promise.all([runJob(ws.workspace.id, jobId), runJob(ws.workspace.id, jobId, 2), runJob(ws.workspace.id, jobId, 2)]);
    expect(outcomes.every((o) => o.acked || o.retriedAfter !== null)).toBe(true);
    expect(await sentTo(bot.botToken, ada.id)).toHaveLength(1);
    expect((await deliveryRow(deliveryId)).status_key).toBe("sent");
    // A late redelivery finds it sent and sends nothing.
    expect(await runJob(ws.workspace.id, jobId, 3)).toEqual({ acked: true, retriedAfter: null });
    expect(await sentTo(bot.botToken, ada.id)).toHaveLength(1);
  });

  it("a retry after a failed part resumes after the parts already sent (long text in two pieces, then a file)", async () => {
    const long = `${"a".repeat(4096)}${"b".repeat(100)}`;
    const { ws, bot, deliveryId, jobId, messageId } = await queuedAnswer(long);
    const key = `ws/${ws.workspace.id}/attachments/${crypto.randomUUID()}`;
    await env.FILES.put(key, "%PDF-1.7 price list");
    await env.DB.prepare(
      "INSERT INTO message_attachments (workspace_id, message_id, kind_key, url, file_name, content_type, size_bytes, created_at, updated_at) VALUES (?, ?, 'document', ?, 'prices.pdf', 'application/pdf', 19, 1, 1)",
    )
      .bind(ws.workspace.id, messageId, key)
      .run();
    await failNext(bot.botToken, "sendDocument", 502, "Bad Gateway");
    expect(await runJob(ws.workspace.id, jobId)).toEqual({ acked: false, retriedAfter: 10 });
    expect((await sentTo(bot.botToken, ada.id)).map((m) => m.text.slice(0, 1))).toEqual(["a", "b"]);
    const parts = await one<{ sent_parts_json: string }>("SELECT sent_parts_json FROM deliveries WHERE id = ?", deliveryId);
    expect(JSON.parse(parts.sent_parts_json)).toHaveLength(2);

    expect(await runJob(ws.workspace.id, jobId, 2)).toEqual({ acked: true, retriedAfter: null });
    // The text went out once; the file twice (the refused call and the one that went through).
    expect(await sentTo(bot.botToken, ada.id)).toHaveLength(2);
    expect(await telegramCalls(bot.botToken, "sendDocument")).toHaveLength(2);
    const delivery = await deliveryRow(deliveryId);
    expect(delivery.status_key).toBe("sent");
    expect(delivery.provider_message_id).toBe(JSON.parse(parts.sent_parts_json)[0]);
  });

  it("a claim held by a live worker makes the job wait; the claim of a worker that died runs out", async () => {
    const { ws, bot, deliveryId, jobId } = await queuedAnswer();
    await env.DB.prepare("UPDATE deliveries SET lease_id = 'other', lease_until = ? WHERE id = ?").bind(Date.now() + 30_000, deliveryId).run();
    const waiting = await runJob(ws.workspace.id, jobId);
    expect(waiting.acked).toBe(false);
    expect(waiting.retriedAfter).toBeGreaterThan(20);
    expect(waiting.retriedAfter).toBeLessThanOrEqual(31);
    expect(await sentTo(bot.botToken, ada.id)).toHaveLength(0);

    await env.DB.prepare("UPDATE deliveries SET lease_until = ? WHERE id = ?").bind(Date.now() - 1, deliveryId).run();
    expect(await runJob(ws.workspace.id, jobId, 2)).toEqual({ acked: true, retriedAfter: null });
    expect(await sentTo(bot.botToken, ada.id)).toHaveLength(1);
    expect((await deliveryRow(deliveryId)).status_key).toBe("sent");
  });
});

describe("replying from Telegram", () => {
  /** A linked rep, a contact's message, and the rep's notification of it. */
  async function notified() {
    const ws = await newWorkspace();
    const linked = await linkedRep(ws, rita);
    await linked.send(messageUpdate(ada, "Do you have it in blue?"));
    const inbound = await one<{ id: number; conversation_id: number }>(
      "SELECT id, conversation_id FROM messages WHERE workspace_id = ? AND author_kind_key = 'contact'",
      ws.workspace.id,
    );
    const notification = await eventually(
      () => all<{ chat_message_id: string | null }>("SELECT chat_message_id FROM chat_notifications WHERE message_id = ?", inbound.id),
      (rows) => rows[0]?.chat_message_id != null,
    );
    return { ws, ...linked, inbound, chatMessageId: Number(notification[0]!.chat_message_id) };
  }

  it("a reply to a notification goes to the contact as the rep, is delivered, and reads the rep's receipt", async () => {
    const { ws, bot, rep, send, inbound, chatMessageId } = await notified();
    expect((await send(messageUpdate(rita, "Yes — blue and red.", replyingTo(chatMessageId, rita.id)))).status).toBe(200);

    const answer = await one<{ id: number; author_user_id: number; channel_key: string; body: string; conversation_id: number }>(
      "SELECT id, author_user_id, channel_key, body, conversation_id FROM messages WHERE workspace_id = ? AND author_kind_key = 'user'",
      ws.workspace.id,
    );
    expect(answer).toMatchObject({ author_user_id: rep.user.id, channel_key: "telegram", body: "Yes — blue and red.", conversation_id: inbound.conversation_id });
    const delivery = await eventually(
      () => one<{ status_key: string; provider_message_id: string | null }>("SELECT status_key, provider_message_id FROM deliveries WHERE message_id = ?", answer.id),
      (d) => d.status_key !== "queued",
    );
    expect(delivery.status_key).toBe("sent");
    expect(delivery.provider_message_id).toMatch(/^\d+$/);
    expect((await sentTo(bot.botToken, ada.id)).map((m) => m.text)).toEqual(["Yes — blue and red."]);

    const receipt = await one<{ status_key: string }>("SELECT status_key FROM message_receipts WHERE user_id = ? AND message_id = ?", rep.user.id, inbound.id);
    expect(receipt.status_key).toBe("read");
    // "⏳ Sending…" under the rep's text, edited to "✓ Sent" once Telegram took the answer.
    const toRita = await sentTo(bot.botToken, rita.id);
    expect(toRita[toRita.length - 1]!.text).toBe("⏳ Sending to Ada Lovelace on telegram…");
    const noticeId = await sentIdTo(bot.botToken, rita.id);
    const notice = await eventually(() => messageNow(bot.botToken, rita.id, noticeId), (m) => m?.text === "✓ Sent to Ada Lovelace on telegram.");
    expect(notice!.reply_to_message).toMatchObject({ message_id: expect.any(Number) });
    expect(await one("SELECT message_id, chat_message_id FROM chat_sent_notices WHERE user_id = ?", rep.user.id)).toEqual({ message_id: answer.id, chat_message_id: String(noticeId) });
    expect(await count("SELECT count(*) AS n FROM events WHERE workspace_id = ? AND type_key = 'message.sent' AND actor_user_id = ?", ws.workspace.id, rep.user.id)).toBe(1);
  });

  it("the Reply button opens a prompt whose reply is sent the same way", async () => {
    const { ws, bot, send, inbound } = await notified();
    await send(callbackUpdate(rita, `rp:${inbound.id}`));
    const prompt = (await sentTo(bot.botToken, rita.id)).pop()!;
    expect(prompt.text).toBe("↩ Reply to Ada Lovelace\n“Do you have it in blue?”");
    expect(prompt.reply_markup).toMatchObject({ force_reply: true });
    const row = await one<{ action_key: string; args_json: string; chat_message_id: string }>(
      "SELECT action_key, args_json, chat_message_id FROM chat_prompts WHERE workspace_id = ? AND closed_at IS NULL",
      ws.workspace.id,
    );
    expect(row).toMatchObject({ action_key: "reply", args_json: JSON.stringify([inbound.conversation_id, inbound.id]) });
    await send(messageUpdate(rita, "Only in blue, sorry.", replyingTo(Number(row.chat_message_id), rita.id)));
    await eventually(() => sentTo(bot.botToken, ada.id), (sent) => sent.length === 1);
    expect((await sentTo(bot.botToken, ada.id))[0]!.text).toBe("Only in blue, sorry.");
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ? AND author_kind_key = 'user'", ws.workspace.id)).toBe(1);
  });

  it("a reply to anything else, or a reply without text, gets a hint and sends nothing", async () => {
    const { ws, bot, send, chatMessageId } = await notified();
    await send(messageUpdate(rita, "to whom?", replyingTo(chatMessageId + 1000, rita.id)));
    await send(messageUpdate(rita, "just chatting"));
    const { text: _text, ...sticker } = messageUpdate(rita, "").message;
    await send({ update_id: 9_000_000 + chatMessageId, message: { ...sticker, sticker: { file_id: "s" }, ...replyingTo(chatMessageId, rita.id) } });
    const hints = (await sentTo(bot.botToken, rita.id)).slice(-3).map((m) => m.text);
    expect(hints[0]).toMatch(/^That message is not one I can answer\. To answer a contact, tap ↩ Reply/);
    expect(hints[1]).toMatch(/^To answer a contact, tap ↩ Reply on their message/);
    expect(hints[2]).toBe("Only text can be sent from Telegram for now; send files from the Parley app.");
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ? AND author_kind_key = 'user'", ws.workspace.id)).toBe(0);
  });

  it("replies find their conversation by bot: a rep who moved to another workspace's bot answers there", async () => {
    const first = await notified();
    // Rita moves to workspace B (a new link replaces the old one); B's bot numbers its messages afresh.
    const b = await newWorkspace();
    const linkedB = await linkedRep(b, rita);
    await linkedB.send(messageUpdate(ada, "Ada again, writing to B"));
    const inboundB = await one<{ id: number; conversation_id: number }>(
      "SELECT id, conversation_id FROM messages WHERE workspace_id = ? AND author_kind_key = 'contact'",
      b.workspace.id,
    );
    const rowB = await eventually(
      () => all<{ chat_message_id: string | null; connection_id: number }>("SELECT chat_message_id, connection_id FROM chat_notifications WHERE message_id = ?", inboundB.id),
      (rows) => rows[0]?.chat_message_id != null,
    );
    // Same chat, same message id, different bots.
    expect(Number(rowB[0]!.chat_message_id)).toBe(first.chatMessageId);
    expect(rowB[0]!.connection_id).toBe(linkedB.bot.connection.id);

    await linkedB.send(messageUpdate(rita, "Hello from B", replyingTo(first.chatMessageId, rita.id)));
    const answer = await one<{ conversation_id: number }>("SELECT conversation_id FROM messages WHERE workspace_id = ? AND author_kind_key = 'user'", b.workspace.id);
    expect(answer.conversation_id).toBe(inboundB.conversation_id);
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ? AND author_kind_key = 'user'", first.ws.workspace.id)).toBe(0);
  });
});
