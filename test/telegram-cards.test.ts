// One live card per message and rep: what a contact sent reaches the rep as what it is (files
// shown as files, long texts whole on request), and the card is redrawn in place — for every rep
// who got it — as scores, deals, reads and answers change, or as the contact edits the message.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newWorkspace } from "./helpers/api";
import { all, one } from "./helpers/db";
import { ingest } from "./helpers/inbox";
import { consume } from "./helpers/queue";
import {
  buttonRows,
  callbackUpdate,
  contentUpdate,
  eventually,
  linkedRep,
  messageNow,
  messageUpdate,
  pressAnswers,
  sentIdTo,
  sentTo,
  telegramCalls,
} from "./helpers/telegram";

const rita = { id: 660001, first_name: "Rita" };
const rob = { id: 660002, first_name: "Rob" };
const ada = { id: 660101, first_name: "Ada", last_name: "Lovelace" };

const cardsTo = async (botToken: string, chatId: number) => (await sentTo(botToken, chatId)).filter((m) => m.text.startsWith("💬"));

/** A workspace with Rita and Rob linked to the same bot. */
async function twoReps() {
  const ws = await newWorkspace();
  const linked = await linkedRep(ws, rita);
  const robUser = await ws.member("Rob");
  const { code } = (await robUser.api.post("/v1/me/telegram-link")).body;
  await linked.send(messageUpdate(rob, `/start ${code}`));
  return { ws, ...linked, robUser };
}

describe("what the contact sent", () => {
  it("a Telegram contact's photo is copied from their chat, and the card answers the copy", async () => {
    const ws = await newWorkspace();
    const { bot, send } = await linkedRep(ws, rita);
    const photo = contentUpdate(ada, {
      photo: [{ file_id: "ph-1", file_unique_id: "AQph1", width: 800, height: 600, file_size: 10 }],
      caption: "this one, in blue",
    });
    await send(photo);
    const [card] = await eventually(() => cardsTo(bot.botToken, rita.id), (cards) => cards.length === 1);
    const [copy] = await telegramCalls(bot.botToken, "copyMessage");
    expect(copy!.params).toMatchObject({ chat_id: String(rita.id), from_chat_id: ada.id, message_id: photo.message.message_id });
    const copyId = await sentIdTo(bot.botToken, rita.id);
    const cardNow = (await messageNow(bot.botToken, rita.id, copyId))!;
    expect(cardNow.text).toMatch(/^💬 Ada Lovelace · telegram\n\nthis one, in blue\n📎 photo/);
    expect(cardNow.reply_to_message?.message_id).toBe(copyId - 1);
    expect(card!.text).toContain("this one, in blue");
  });

  it("files of other channels are sent from R2 as a photo, a voice note and a document, once fetched", async () => {
    const ws = await newWorkspace();
    const { bot } = await linkedRep(ws, rita);
    const files = [
      { ref: "wa-1", fileName: "shelf.jpg", contentType: "image/jpeg", kind: "image", bytes: new Uint8Array([0xff, 0xd8, 0xff, 1]) },
      { ref: "wa-2", fileName: "voice.ogg", contentType: "audio/ogg; codecs=opus", kind: "audio", bytes: new Uint8Array([0x4f, 0x67, 0x67, 0x53]) },
      { ref: "wa-3", fileName: "quote.pdf", contentType: "application/pdf", kind: "document", bytes: new TextEncoder().encode("%PDF-1.4") },
    ];
    const { message } = await ingest(ws.workspace.id, {
      channel: "whatsapp",
      from: { externalId: "4915112345678", name: "Wanda" },
      body: "see attached",
      kind: "media",
      media: files.map((f) => ({ ref: f.ref, key: f.ref, fileName: f.fileName, contentType: f.contentType, sizeBytes: f.bytes.byteLength })),
    });
    // The notification waits for the files; here they are stored as the fetch task would.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await cardsTo(bot.botToken, rita.id)).toEqual([]);
    for (const f of files) {
      const key = `ws/${ws.workspace.id}/attachments/whatsapp-${message.id}-${f.ref}`;
      await env.FILES.put(key, f.bytes);
      await env.DB.prepare(
        "INSERT INTO message_attachments (workspace_id, message_id, kind_key, url, file_name, content_type, size_bytes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, 1)",
      )
        .bind(ws.workspace.id, message.id, f.kind, key, f.fileName, f.contentType, f.bytes.byteLength)
        .run();
    }
    expect(await consume({ task: "notify_reps", workspaceId: ws.workspace.id, messageId: message.id })).toEqual({ acked: true, retriedAfter: null });
    const [card] = await cardsTo(bot.botToken, rita.id);
    expect(card!.text).toBe("💬 Wanda · whatsapp\n\nsee attached\n📎 photo, audio, document");
    const sent = await telegramCalls(bot.botToken);
    const media = sent.filter((c) => ["sendPhoto", "sendVoice", "sendDocument", "copyMessage"].includes(c.method));
    expect(media.map((c) => [c.method, (c.params.photo ?? c.params.voice ?? c.params.document) as { fileName: string }])).toEqual([
      ["sendPhoto", expect.objectContaining({ fileName: "shelf.jpg", size: 4 })],
      ["sendVoice", expect.objectContaining({ fileName: "voice.ogg", size: 4 })],
      ["sendDocument", expect.objectContaining({ fileName: "quote.pdf", size: 8 })],
    ]);
    // The card answers the first file; the queued retry finds Rita notified already.
    const cardId = await sentIdTo(bot.botToken, rita.id, "💬");
    expect((await messageNow(bot.botToken, rita.id, cardId))!.reply_to_message!.message_id).toBe(cardId - 3);
    await new Promise((resolve) => setTimeout(resolve, 6000));
    expect(await cardsTo(bot.botToken, rita.id)).toHaveLength(1);
  });

  it("a long message shows its start, and Show all posts the rest in parts", async () => {
    const ws = await newWorkspace();
    const { bot, send } = await linkedRep(ws, rita);
    const words = Array.from({ length: 1200 }, (_, i) => `word${i}`).join(" ");
    const { message } = await ingest(ws.workspace.id, { from: { externalId: "66-long", name: "Lena" }, body: words });
    const [card] = await eventually(() => cardsTo(bot.botToken, rita.id), (cards) => cards.length === 1);
    expect(card!.text).toContain(`${words.slice(0, 1000)}…`);
    expect(card!.text).not.toContain(words.slice(1000, 1010));
    expect(buttonRows(card!).pop()).toEqual([`sa:${message.id}`]);
    await send(callbackUpdate(rita, `sa:${message.id}`, await sentIdTo(bot.botToken, rita.id, "💬")));
    const toRita = (await sentTo(bot.botToken, rita.id)).map((m) => m.text);
    const parts = toRita.slice(toRita.findIndex((t) => t.startsWith("💬")) + 1);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts[0]!.startsWith(`…${words.slice(1000, 1020)}`)).toBe(true);
    expect(parts.every((p) => p.length <= 4096)).toBe(true);
    expect(parts.join("")).toBe(`…${words.slice(1000)}`);
  });
});

describe("live cards", () => {
  it("a score, a read, a deal and a colleague's answer redraw the card in place for every rep who got it; a note answers nobody", async () => {
    const { ws, bot, rep, robUser, send } = await twoReps();
    await send(messageUpdate(ada, "Can you send an offer?"));
    const message = await one<{ id: number; author_contact_id: number; conversation_id: number }>(
      "SELECT id, author_contact_id, conversation_id FROM messages WHERE workspace_id = ? AND author_kind_key = 'contact'",
      ws.workspace.id,
    );
    await eventually(() => all("SELECT id FROM chat_notifications WHERE message_id = ? AND chat_message_id IS NOT NULL", message.id), (rows) => rows.length === 2);
    const ritaCard = await sentIdTo(bot.botToken, rita.id, "💬");
    const robCard = await sentIdTo(bot.botToken, rob.id, "💬");
    const c = message.author_contact_id;

    // Rita scores on her card: hers is redrawn at once, Rob's by the refresh task.
    await send(callbackUpdate(rita, `s:${c}:4`, ritaCard));
    expect((await pressAnswers(bot.botToken)).pop()!.text).toBe("Scored ⭐4");
    expect((await messageNow(bot.botToken, rita.id, ritaCard))!.text).toContain("\n\n⭐ 4");
    await eventually(() => messageNow(bot.botToken, rob.id, robCard), (m) => m!.text.includes("⭐ 4"));

    // Read is per rep: Rita's card says so and loses its button; Rob's keeps his.
    await send(callbackUpdate(rita, `rd:${message.id}`, ritaCard));
    const ritaNow = (await messageNow(bot.botToken, rita.id, ritaCard))!;
    expect(ritaNow.text.split("\n").pop()).toBe("✓ Read");
    expect(buttonRows(ritaNow)[0]).toEqual([`rp:${message.id}`]);
    expect(buttonRows((await messageNow(bot.botToken, rob.id, robCard))!)[0]).toEqual([`rp:${message.id}`, `rd:${message.id}`]);

    // A deal opened from the card's menu shows on both cards.
    await send(callbackUpdate(rita, `dc:${c}`, ritaCard));
    const menu = (await messageNow(bot.botToken, rita.id, ritaCard))!;
    expect(menu.text).toMatch(/^💬 Ada Lovelace · telegram\n\nCan you send an offer\?[\s\S]*\n\n👉 Ada Lovelace has no open deal yet\.$/);
    expect(buttonRows(menu)).toEqual([[`dn:${c}`, `n:${message.id}`]]);
    const [pipeline] = (await rep.api.get("/v1/pipelines")).body.data;
    await send(callbackUpdate(rita, `dnn:${c}:${pipeline.id}`, ritaCard));
    await eventually(() => messageNow(bot.botToken, rob.id, robCard), (m) => m!.text.includes("💼 Deal #"));

    // Rob writes an internal note: nobody has answered yet. Then Olga answers: both cards say so.
    await robUser.api.post(`/v1/conversations/${message.conversation_id}/messages`, { body: "I know her", channelKey: "internal" });
    const olga = await ws.member("Olga");
    await olga.api.post(`/v1/conversations/${message.conversation_id}/messages`, { body: "Offer attached." });
    await eventually(() => messageNow(bot.botToken, rob.id, robCard), (m) => m!.text.includes("↩ Answered by Olga"));
    await eventually(() => messageNow(bot.botToken, rita.id, ritaCard), (m) => m!.text.includes("✓ Read · ↩ Answered by Olga"));
    expect((await messageNow(bot.botToken, rob.id, robCard))!.text).not.toContain("Rob");
  });

  it("a stale card's button says why not, and the card shows how things stand", async () => {
    const ws = await newWorkspace();
    const { bot, rep, send } = await linkedRep(ws, rita);
    await send(messageUpdate(ada, "Deal?"));
    const message = await one<{ id: number; author_contact_id: number }>(
      "SELECT id, author_contact_id FROM messages WHERE workspace_id = ? AND author_kind_key = 'contact'",
      ws.workspace.id,
    );
    await eventually(() => cardsTo(bot.botToken, rita.id), (cards) => cards.length === 1);
    const card = await sentIdTo(bot.botToken, rita.id, "💬");
    const [pipeline] = (await rep.api.get("/v1/pipelines")).body.data;
    const deal = (await rep.api.post("/v1/deals", { contactId: message.author_contact_id, pipelineId: pipeline.id, title: "Offer" })).body;
    await send(callbackUpdate(rita, `d:${deal.id}`, card));
    expect((await messageNow(bot.botToken, rita.id, card))!.text).toContain("👉 💼 Offer\nAda Lovelace · Sales: Lead\nOpen");
    // Won elsewhere meanwhile.
    await ws.owner.post(`/v1/deals/${deal.id}/won`);
    await send(callbackUpdate(rita, `dw:${deal.id}`, card));
    expect((await pressAnswers(bot.botToken)).pop()).toMatchObject({ text: "This deal is already won; reopen it before marking it won.", show_alert: true });
    const redrawn = (await messageNow(bot.botToken, rita.id, card))!;
    expect(redrawn.text.startsWith("💬 Ada Lovelace · telegram\n\nDeal?")).toBe(true);
    expect(buttonRows(redrawn)[0]).toEqual([`rp:${message.id}`, `rd:${message.id}`]);
  });
});

describe("a contact editing a message", () => {
  it("updates the stored message, keeps the old text in an event, and redraws the card; an older edit changes nothing", async () => {
    const ws = await newWorkspace();
    const { bot, send } = await linkedRep(ws, rita);
    const original = messageUpdate(ada, "price for 5?");
    await send(original);
    await eventually(() => cardsTo(bot.botToken, rita.id), (cards) => cards.length === 1);
    const card = await sentIdTo(bot.botToken, rita.id, "💬");
    const edited = (text: string, editDate: number, updateId: number) => ({
      update_id: updateId,
      edited_message: { ...original.message, text, edit_date: editDate },
    });
    const now = Math.floor(Date.now() / 1000);
    expect((await send(edited("price for 10?", now + 5, original.update_id + 900_001))).status).toBe(200);
    const stored = await one<{ id: number; body: string }>("SELECT id, body FROM messages WHERE workspace_id = ? AND external_id = ?", ws.workspace.id, `${ada.id}:${original.message.message_id}`);
    expect(stored.body).toBe("price for 10?");
    const [event] = await all<{ payload_json: string }>("SELECT payload_json FROM events WHERE type_key = 'message.edited' AND entity_id = ?", stored.id);
    expect(JSON.parse(event!.payload_json)).toMatchObject({ before: { body: "price for 5?" }, after: { body: "price for 10?" } });
    await eventually(() => messageNow(bot.botToken, rita.id, card), (m) => m!.text === "💬 Ada Lovelace · telegram\n\nprice for 10?");

    // An edit Telegram delivers late (older edit_date) does not undo the newer one.
    await send(edited("price for 7?", now + 2, original.update_id + 900_002));
    expect((await one<{ body: string }>("SELECT body FROM messages WHERE id = ?", stored.id)).body).toBe("price for 10?");
    expect(await all("SELECT id FROM events WHERE type_key = 'message.edited' AND entity_id = ?", stored.id)).toHaveLength(1);
  });
});
