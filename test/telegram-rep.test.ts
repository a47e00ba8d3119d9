import { describe, expect, it } from "vitest";
import { newWorkspace } from "./helpers/api";
import { all, one } from "./helpers/db";
import { callbackUpdate, linkedRep, messageUpdate, telegramCalls } from "./helpers/telegram";

const rita = { id: 610001, first_name: "Rita", username: "rita" };

async function lastReply(botToken: string) {
  const sent = await telegramCalls(botToken, "sendMessage");
  return sent[sent.length - 1]!.params as { chat_id: number; text: string; reply_markup?: { inline_keyboard: { text: string; callback_data: string }[][] } };
}

describe("Telegram rep tools", () => {
  it("/contact searches and shows score/qualify/deal buttons", async () => {
    const ws = await newWorkspace();
    const { bot, send } = await linkedRep(ws, rita);
    const contact = (await ws.owner.post("/v1/contacts", { name: "Ada Lovelace", company: "Engines", phone: "+1 415 555 0100" })).body;
    expect((await send(messageUpdate(rita, "/contact ada"))).status).toBe(200);
    const reply = await lastReply(bot.botToken);
    expect(reply.text).toContain("Ada Lovelace — Engines");
    expect(reply.text).toContain("+14155550100");
    const buttons = reply.reply_markup!.inline_keyboard.flat().map((b) => b.callback_data);
    expect(buttons).toEqual([...[1, 2, 3, 4, 5].map((v) => `s:${contact.id}:${v}`), `q:${contact.id}`, `dc:${contact.id}`]);
  });

  it("the score and qualify buttons write the same rows and events as the API, as the rep", async () => {
    const ws = await newWorkspace();
    const { bot, rep, send } = await linkedRep(ws, rita);
    const contact = (await ws.owner.post("/v1/contacts", { name: "Bo" })).body;

    await send(callbackUpdate(rita, `s:${contact.id}:4`));
    const score = await one<{ user_id: number; value: number; source_key: string }>(
      "SELECT user_id, value, source_key FROM contact_scores WHERE contact_id = ?",
      contact.id,
    );
    expect(score).toEqual({ user_id: rep.user.id, value: 4, source_key: "user" });
    const answered = await telegramCalls(bot.botToken, "answerCallbackQuery");
    expect(answered[answered.length - 1]!.params.text).toBe("Scored ⭐4");

    await send(callbackUpdate(rita, `q:${contact.id}`));
    const menu = await lastReply(bot.botToken);
    expect(menu.reply_markup!.inline_keyboard.flat().map((b) => b.callback_data)).toContain(`k:${contact.id}:hot`);
    await send(callbackUpdate(rita, `k:${contact.id}:hot`));
    const detail = (await ws.owner.get(`/v1/contacts/${contact.id}`)).body;
    expect(detail).toMatchObject({ score: 4, qualification: "hot" });
    const events = await all<{ type_key: string; actor_user_id: number }>(
      "SELECT type_key, actor_user_id FROM events WHERE entity_type_key = 'contact' AND entity_id = ? AND type_key LIKE 'contact.%_set' ORDER BY id",
      contact.id,
    );
    expect(events).toEqual([
      { type_key: "contact.score_set", actor_user_id: rep.user.id },
      { type_key: "contact.qualification_set", actor_user_id: rep.user.id },
    ]);
  });

  it("opens, moves and wins a deal from buttons; /deal lists the rep's open deals", async () => {
    const ws = await newWorkspace();
    const { bot, rep, send } = await linkedRep(ws, rita);
    const contact = (await ws.owner.post("/v1/contacts", { name: "Cy" })).body;
    await send(callbackUpdate(rita, `dn:${contact.id}`));
    const [deal] = (await rep.api.get(`/v1/deals?ownerUserId=${rep.user.id}`)).body.data;
    expect(deal).toMatchObject({ contactId: contact.id, status: "open" });
    const card = await lastReply(bot.botToken);
    const moves = card.reply_markup!.inline_keyboard.flat().map((b) => b.callback_data);
    const next = moves.find((d) => d.startsWith(`ds:${deal.id}:`))!;
    await send(callbackUpdate(rita, next));
    expect((await rep.api.get(`/v1/deals/${deal.id}`)).body.stageId).toBe(Number(next.split(":")[2]));

    await send(messageUpdate(rita, "/deal"));
    expect((await lastReply(bot.botToken)).reply_markup!.inline_keyboard.flat().map((b) => b.callback_data)).toEqual([`d:${deal.id}`]);

    await send(callbackUpdate(rita, `dw:${deal.id}`));
    expect((await rep.api.get(`/v1/deals/${deal.id}`)).body.status).toBe("won");
    await send(messageUpdate(rita, "/deal"));
    expect((await lastReply(bot.botToken)).text).toBe("You have no open deals.");
  });

  it("never acts on another workspace's data, and shows nothing to unlinked users", async () => {
    const ws = await newWorkspace();
    const { bot, send } = await linkedRep(ws, rita);
    const other = await newWorkspace();
    const foreign = (await other.owner.post("/v1/contacts", { name: "Foreign Secret" })).body;

    await send(callbackUpdate(rita, `s:${foreign.id}:5`));
    const answered = await telegramCalls(bot.botToken, "answerCallbackQuery");
    expect(answered[answered.length - 1]!.params).toMatchObject({ text: "contact not found", show_alert: true });
    expect((await other.owner.get(`/v1/contacts/${foreign.id}`)).body.score).toBeNull();

    await send(messageUpdate(rita, "/contact foreign"));
    expect((await lastReply(bot.botToken)).text).toBe("No contact matches “foreign”.");

    const stranger = { id: 620002, first_name: "Stranger" };
    await ws.owner.post("/v1/contacts", { name: "Visible Only To Reps" });
    const before = (await telegramCalls(bot.botToken, "sendMessage")).length;
    await send(messageUpdate(stranger, "/contact visible"));
    await send(callbackUpdate(stranger, `s:1:5`));
    const after = await telegramCalls(bot.botToken, "sendMessage");
    expect(after.slice(before).map((c) => String(c.params.text))).not.toContainEqual(expect.stringContaining("Visible Only To Reps"));
  });
});
