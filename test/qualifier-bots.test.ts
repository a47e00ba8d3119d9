// The Qualifier where reps work: a notification shows the AI's suggestion with its confidence,
// and the Qualify menu offers it first — in Telegram, and on the shared card Discord draws.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { messageEmbed } from "../bots/discord/render";
import { messageCard, qualifyMenu } from "../bots/rep-actions";
import { createDb } from "../src/db/client";
import { newWorkspace } from "./helpers/api";
import { one } from "./helpers/db";
import { ingest } from "./helpers/inbox";
import { callerOf, waitForJob } from "./helpers/jobs";
import { callbackUpdate, eventually, linkedRep, messageNow, messageUpdate, sentIdTo, sentTo } from "./helpers/telegram";

const rita = { id: 660001, first_name: "Rita", username: "rita" };
const ada = { id: 660101, first_name: "Ada", last_name: "Lovelace", username: "ada" };

const notificationsTo = async (botToken: string, chatId: number) => (await sentTo(botToken, chatId)).filter((m) => m.text.startsWith("💬"));

describe("the AI suggestion in Telegram", () => {
  it("shows on the notification once there is one, and leads the Qualify menu", async () => {
    const ws = await newWorkspace();
    const { bot, send } = await linkedRep(ws, rita);

    const first = messageUpdate(ada, "Hi! Please send the contract for 30 seats, we want to sign this week.");
    expect((await send(first)).status).toBe(200);
    const [before] = await eventually(() => notificationsTo(bot.botToken, rita.id), (sent) => sent.length >= 1);
    // Nothing classified yet: the notification reads as always.
    expect(before!.text).toBe("💬 Ada Lovelace · telegram\n\nHi! Please send the contract for 30 seats, we want to sign this week.");

    const message = await one<{ conversation_id: number; author_contact_id: number }>(
      "SELECT conversation_id, author_contact_id FROM messages WHERE workspace_id = ? AND external_id = ?",
      ws.workspace.id,
      `${ada.id}:${first.message.message_id}`,
    );
    const job = await ws.owner.post(`/v1/conversations/${message.conversation_id}/classify`);
    expect(job.status).toBe(202);
    const done = await waitForJob(ws.owner, job.body.id);
    expect(done.result).toMatchObject({ kindKey: "hot", recorded: true });
    const percent = done.result.score as number;

    expect((await send(messageUpdate(ada, "Any news?"))).status).toBe(200);
    const sent = await eventually(() => notificationsTo(bot.botToken, rita.id), (all) => all.length >= 2);
    // The live card: the suggestion under the header; the contact's qualification (the AI's, until
    // a rep chooses) where things stand.
    expect(sent[1]!.text).toBe(`💬 Ada Lovelace · telegram\n🤖 AI suggests hot · ${percent}%\n\nAny news?\n\n🏷 Hot`);

    // The rep's own choice is what the contact shows; the suggestion still leads the menu.
    const contactId = message.author_contact_id;
    await ws.owner.put(`/v1/contacts/${contactId}/qualification`, { kindKey: "warm" });
    const card = await sentIdTo(bot.botToken, rita.id, "💬 Ada Lovelace · telegram\n🤖");
    await send(callbackUpdate(rita, `q:${contactId}`, card));
    const menu = (await messageNow(bot.botToken, rita.id, card))!;
    expect(menu.text.endsWith("\n\n👉 Qualify as:")).toBe(true);
    expect(menu.reply_markup!.inline_keyboard![0]).toEqual([{ text: `🤖 hot · ${percent}%`, callback_data: `k:${contactId}:hot` }]);
    expect(menu.reply_markup!.inline_keyboard!.slice(1).flat().map((b) => b.callback_data)).toContain(`k:${contactId}:warm`);
  });

  it("offers no suggestion for a contact the AI has not classified", async () => {
    const ws = await newWorkspace();
    const { bot, send } = await linkedRep(ws, rita);
    const contact = (await ws.owner.post("/v1/contacts", { name: "Bo" })).body;
    await send(messageUpdate(rita, "/contact bo"));
    const card = await sentIdTo(bot.botToken, rita.id, "🔎");
    await send(callbackUpdate(rita, `q:${contact.id}`, card));
    const menu = (await messageNow(bot.botToken, rita.id, card))!;
    expect(menu.text).toBe("Qualify as:");
    expect(menu.reply_markup!.inline_keyboard!.flat().some((b) => b.text.startsWith("🤖"))).toBe(false);
    expect(menu.reply_markup!.inline_keyboard![0]![0]!.callback_data).toBe(`k:${contact.id}:hot`);
  });
});

describe("the AI suggestion on the shared cards (what Discord draws)", () => {
  it("is in the message card's data and text, in the Discord embed, and leads the qualify menu", async () => {
    const ws = await newWorkspace();
    const ctx = { db: createDb(env.DB), env, rep: callerOf(ws) };
    const { message } = await ingest(ws.workspace.id, { body: "Not interested. Please remove me from your list." });
    const before = await messageCard(ctx, message.id);
    expect(before.data.suggestion).toBeNull();
    expect(messageEmbed(before.data).fields!.map((f) => f.name)).not.toContain("AI suggests");

    const job = await ws.owner.post(`/v1/conversations/${message.conversationId}/classify`);
    const done = await waitForJob(ws.owner, job.body.id);
    expect(done.result).toMatchObject({ kindKey: "not_a_fit", recorded: true });
    const percent = done.result.score as number;

    const card = await messageCard(ctx, message.id);
    expect(card.data.suggestion).toMatchObject({ kindKey: "not_a_fit", confidence: percent / 100 });
    expect(card.text.split("\n")[1]).toBe(`🤖 AI suggests not_a_fit · ${percent}%`);
    expect(messageEmbed(card.data).fields).toContainEqual({ name: "AI suggests", value: `🤖 not_a_fit · ${percent}%`, inline: true });

    const menu = await qualifyMenu(ctx, message.authorContactId!);
    expect(menu.data.suggestion).toMatchObject({ kindKey: "not_a_fit" });
    expect(menu.buttons[0]).toEqual([{ label: `🤖 not_a_fit · ${percent}%`, action: "contact.qualify", args: [message.authorContactId, "not_a_fit"] }]);
  });
});
