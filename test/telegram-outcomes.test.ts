// What became of the rep's answer: "⏳ Sending…" turns into ✓ Sent, or into why not — with a new
// message naming the contact and the reason, and Retry. And chat retries: once a rep's action has
// committed, the update succeeds, so Telegram never runs it twice.
import { describe, expect, it } from "vitest";
import { failureInWords, parseTemplate } from "../bots/rep-actions";
import type { QueueMessage } from "../src/jobs/job-message";
import { newWorkspace } from "./helpers/api";
import { all, count, one } from "./helpers/db";
import { ingest } from "./helpers/inbox";
import { consume } from "./helpers/queue";
import {
  buttonRows,
  callbackUpdate,
  eventually,
  failNext,
  linkedRep,
  messageNow,
  messageUpdate,
  pressAnswers,
  replyingTo,
  sentIdTo,
  sentTo,
} from "./helpers/telegram";
import { connectNumber, inbound, postNotification, seconds, sentMessages, text } from "./helpers/whatsapp";

const rita = { id: 700001, first_name: "Rita" };
const ada = { id: 700101, first_name: "Ada" };

const warningsTo = async (botToken: string, chatId: number) => (await sentTo(botToken, chatId)).filter((m) => m.text.startsWith("⚠️"));

describe("the delivery's outcome, told to the rep", () => {
  it("a reply that cannot be delivered: the notice says why, a new message names the contact and the reason, Retry tries again", async () => {
    const ws = await newWorkspace();
    const { bot, send } = await linkedRep(ws, rita);
    await ingest(ws.workspace.id, { channel: "whatsapp", from: { externalId: "4915112345678", name: "Wanda" }, body: "price?" });
    await eventually(() => sentTo(bot.botToken, rita.id), (sent) => sent.some((m) => m.text.startsWith("💬 Wanda")));
    const card = await sentIdTo(bot.botToken, rita.id, "💬");
    await send(messageUpdate(rita, "12 EUR", replyingTo(card, rita.id)));
    const notice = await sentIdTo(bot.botToken, rita.id, "⏳ Sending to Wanda on whatsapp…");
    // No WhatsApp number is connected: the delivery fails, and Rita hears why.
    const [warning] = await eventually(() => warningsTo(bot.botToken, rita.id), (w) => w.length === 1);
    const answer = await one<{ id: number }>("SELECT id FROM messages WHERE workspace_id = ? AND author_kind_key = 'user'", ws.workspace.id);
    const delivery = await one<{ id: number }>("SELECT id FROM deliveries WHERE message_id = ?", answer.id);
    expect(warning!.text).toBe("⚠️ Your message to Wanda on whatsapp was not delivered: this channel is not connected to Parley.\n“12 EUR”");
    expect(buttonRows(warning!)).toEqual([[`dy:${delivery.id}`]]);
    await eventually(
      () => messageNow(bot.botToken, rita.id, notice),
      (m) => m!.text === "✗ Not delivered to Wanda on whatsapp: this channel is not connected to Parley",
    );

    // A redelivered task tells her once.
    const task: QueueMessage = { task: "delivery_outcome", workspaceId: ws.workspace.id, deliveryId: delivery.id };
    expect(await consume(task)).toEqual({ acked: true, retriedAfter: null });
    expect(await warningsTo(bot.botToken, rita.id)).toHaveLength(1);

    // Retry: a second attempt, the warning redrawn in place; it fails again and says so again.
    const warningId = await sentIdTo(bot.botToken, rita.id, "⚠️");
    await send(callbackUpdate(rita, `dy:${delivery.id}`, warningId));
    expect((await pressAnswers(bot.botToken)).pop()!.text).toBe("Sending again");
    expect((await messageNow(bot.botToken, rita.id, warningId))!.text).toBe("🔁 Sending again to Wanda on whatsapp…");
    expect(await all("SELECT attempt FROM deliveries WHERE message_id = ? ORDER BY attempt", answer.id)).toEqual([{ attempt: 1 }, { attempt: 2 }]);
    await eventually(() => warningsTo(bot.botToken, rita.id), (w) => w.length === 2);
  });

  it("a contact who blocked the bot: the rep who wrote from the app hears of it in Telegram", async () => {
    const ws = await newWorkspace();
    const { bot, rep } = await linkedRep(ws, rita);
    const contact = (await ws.owner.post("/v1/contacts", { name: "Ada", identities: [{ channelKey: "telegram", externalId: String(ada.id) }] })).body;
    const conversation = (await rep.api.post(`/v1/contacts/${contact.id}/conversations`)).body;
    await failNext(bot.botToken, "sendMessage", 403, "Forbidden: bot was blocked by the user");
    await rep.api.post(`/v1/conversations/${conversation.id}/messages`, { body: "Your order shipped", channelKey: "telegram" });
    const [warning] = await eventually(() => warningsTo(bot.botToken, rita.id), (w) => w.length === 1);
    expect(warning!.text).toBe("⚠️ Your message to Ada on telegram was not delivered: they have blocked the bot.\n“Your order shipped”");
  });
});

describe("WhatsApp's closed window, from Telegram", () => {
  it("an answer the window refuses offers 📝 Send template; the template typed goes out", async () => {
    const ws = await newWorkspace();
    const { bot, send } = await linkedRep(ws, rita);
    const wa = await connectNumber(ws.owner);
    const ana = { waId: "5511987654321", name: "Ana" };
    const old = text(ana, "is it still available?", { timestamp: seconds(Date.now() - 25 * 3600_000) });
    expect((await postNotification(wa.connection, wa.appSecret, inbound(wa.phoneNumberId, ana, old))).status).toBe(200);
    await eventually(() => sentTo(bot.botToken, rita.id), (sent) => sent.some((m) => m.text.startsWith("💬 Ana")));
    const conversation = await one<{ conversation_id: number }>("SELECT conversation_id FROM messages WHERE workspace_id = ? AND author_kind_key = 'contact'", ws.workspace.id);

    await send(messageUpdate(rita, "Yes it is!", replyingTo(await sentIdTo(bot.botToken, rita.id, "💬 Ana"), rita.id)));
    const refused = (await sentTo(bot.botToken, rita.id)).pop()!;
    expect(refused.text).toBe(
      "Not sent: More than 24 hours have passed since they last wrote on WhatsApp (or they never have): only an approved template can go out now.",
    );
    expect(buttonRows(refused)).toEqual([[`tp:${conversation.conversation_id}:whatsapp`]]);
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ? AND author_kind_key = 'user'", ws.workspace.id)).toBe(0);

    await send(callbackUpdate(rita, `tp:${conversation.conversation_id}:whatsapp`, await sentIdTo(bot.botToken, rita.id, "Not sent")));
    expect((await sentTo(bot.botToken, rita.id)).pop()!.text).toMatch(/^📝 Template to Ana on whatsapp: type the approved template's name and language/);
    await send(messageUpdate(rita, "order_update en_US Ana | #1042"));
    const [sent] = await eventually(() => sentMessages(wa.phoneNumberId), (m) => m.length === 1);
    expect(sent).toMatchObject({
      type: "template",
      template: { name: "order_update", language: { code: "en_US" }, components: [{ type: "body", parameters: [{ type: "text", text: "Ana" }, { type: "text", text: "#1042" }] }] },
    });
    await eventually(
      () => sentIdTo(bot.botToken, rita.id, "✓ Sent to Ana on whatsapp.").catch(() => null),
      (id) => id !== null,
    );
  });

  it("reads a template, its language and its values as typed", () => {
    expect(parseTemplate("hello_world en_US")).toEqual({ name: "hello_world", language: "en_US" });
    expect(parseTemplate("order_update pt_BR Ana | 12 | amanhã")).toEqual({
      name: "order_update",
      language: "pt_BR",
      components: [{ type: "body", parameters: ["Ana", "12", "amanhã"].map((t) => ({ type: "text", text: t })) }],
    });
    expect(parseTemplate("Order Update en_US")).toBeNull();
    expect(parseTemplate("order_update")).toBeNull();
    // A delivery that failed on the window offers the template, not a retry.
    expect(failureInWords("131047", "Re-engagement message")).toMatchObject({ windowClosed: true });
    expect(failureInWords("outside_customer_window", null)).toMatchObject({ windowClosed: true });
    expect(failureInWords("telegram_forbidden", "Forbidden: bot was blocked by the user")).toEqual({ reason: "they have blocked the bot", windowClosed: false });
  });
});

describe("chat retries", () => {
  it("once a typed answer has committed, the update succeeds even if the bot's reply fails; a redelivery changes nothing", async () => {
    const ws = await newWorkspace();
    const { bot, rep, send } = await linkedRep(ws, rita);
    const contact = (await ws.owner.post("/v1/contacts", { name: "Cy" })).body;
    await send(callbackUpdate(rita, `dn:${contact.id}`));
    await failNext(bot.botToken, "sendMessage", 502, "Bad Gateway");
    const typed = messageUpdate(rita, "Roof 100");
    expect((await send(typed)).status).toBe(200);
    expect((await send(typed)).status).toBe(200);
    expect(await count("SELECT count(*) AS n FROM deals WHERE workspace_id = ?", ws.workspace.id)).toBe(1);
    expect((await rep.api.get(`/v1/deals?contactId=${contact.id}`)).body.data[0]).toMatchObject({ title: "Roof", amount: 100 });
  });

  it("a press whose redraw fails still succeeds, once", async () => {
    const ws = await newWorkspace();
    const { bot, send } = await linkedRep(ws, rita);
    const contact = (await ws.owner.post("/v1/contacts", { name: "Dee" })).body;
    await failNext(bot.botToken, "answerCallbackQuery", 502, "Bad Gateway");
    const press = callbackUpdate(rita, `s:${contact.id}:2`);
    expect((await send(press)).status).toBe(200);
    expect((await send({ ...press, update_id: press.update_id + 700_000 })).status).toBe(200);
    expect(await count("SELECT count(*) AS n FROM contact_scores WHERE contact_id = ?", contact.id)).toBe(1);
  });
});
