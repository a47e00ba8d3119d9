import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { startOfDay } from "../bots/telegram/stats";
import { newWorkspace } from "./helpers/api";
import { all, one } from "./helpers/db";
import { ingest } from "./helpers/inbox";
import { buttonRows, callbackUpdate, linkedRep, messageUpdate, sentTo, telegramCalls } from "./helpers/telegram";

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
    expect(deal).toMatchObject({ contactId: contact.id, statusKey: "open" });
    const card = await lastReply(bot.botToken);
    const moves = card.reply_markup!.inline_keyboard.flat().map((b) => b.callback_data);
    const next = moves.find((d) => d.startsWith(`ds:${deal.id}:`))!;
    await send(callbackUpdate(rita, next));
    expect((await rep.api.get(`/v1/deals/${deal.id}`)).body.stageId).toBe(Number(next.split(":")[2]));

    await send(messageUpdate(rita, "/deal"));
    expect((await lastReply(bot.botToken)).reply_markup!.inline_keyboard.flat().map((b) => b.callback_data)).toEqual([`d:${deal.id}`]);

    await send(callbackUpdate(rita, `dw:${deal.id}`));
    expect((await rep.api.get(`/v1/deals/${deal.id}`)).body.statusKey).toBe("won");
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

describe("Telegram groups", () => {
  it("shows no workspace data in a group the bot is in, even to a linked rep, and files nothing from it", async () => {
    const ws = await newWorkspace();
    const { bot, send } = await linkedRep(ws, rita);
    await ws.owner.post("/v1/contacts", { name: "Ada Lovelace" });
    const group = { id: -1001234567, type: "supergroup", title: "Sales floor" };
    const inGroup = (update: ReturnType<typeof messageUpdate>) => ({ ...update, message: { ...update.message, chat: group } });
    for (const text of ["/contact ada", "/inbox", "/stats", "/help", "hello team"]) {
      expect((await send(inGroup(messageUpdate(rita, text)))).status).toBe(200);
    }
    expect((await send(inGroup(messageUpdate({ id: 610099, first_name: "Guest" }, "hi all")))).status).toBe(200);
    expect(await sentTo(bot.botToken, group.id)).toEqual([]);
    expect(await all("SELECT id FROM messages WHERE workspace_id = ?", ws.workspace.id)).toEqual([]);
  });
});

describe("Telegram rep inbox and numbers", () => {
  const inboxReplies = async (botToken: string) => (await sentTo(botToken, rita.id)).filter((m) => m.text.startsWith("📥") || m.text.startsWith("📭"));

  it("/inbox lists unread conversations five at a time with a compact More button; ✓ Read marks one read", async () => {
    const ws = await newWorkspace();
    const { bot, rep, send } = await linkedRep(ws, rita);
    const inbound: { id: number; conversationId: number }[] = [];
    for (let i = 1; i <= 7; i++) {
      inbound.push((await ingest(ws.workspace.id, { from: { externalId: `61100${i}`, name: `Lead ${i}` }, body: `question ${i}`, sentAt: Date.now() - (7 - i) * 1000 })).message);
    }
    await send(messageUpdate(rita, "/inbox"));
    const [first] = await inboxReplies(bot.botToken);
    expect(first!.text.split("\n").filter((l) => l.startsWith("• "))).toEqual(
      [7, 6, 5, 4, 3].map((i) => `• Lead ${i} — 1 unread · telegram`),
    );
    expect(first!.text).toContain("“question 7”");
    const rows = buttonRows(first!);
    expect(rows.slice(0, 5)).toEqual([7, 6, 5, 4, 3].map((i) => [`rp:${inbound[i - 1]!.id}`, `ra:${inbound[i - 1]!.conversationId}:${inbound[i - 1]!.id}`]));
    const more = rows[5]![0]!;
    expect(more).toMatch(/^in:[0-9a-z]+:[0-9a-z]+$/);
    expect(rows.flat().every((data) => new TextEncoder().encode(data).length <= 64)).toBe(true);

    await send(callbackUpdate(rita, more));
    const [, second] = await inboxReplies(bot.botToken);
    expect(second!.text.split("\n").filter((l) => l.startsWith("• "))).toEqual(["• Lead 2 — 1 unread · telegram", "• Lead 1 — 1 unread · telegram"]);
    expect(buttonRows(second!).flat().some((data) => data.startsWith("in:"))).toBe(false);

    const [, read] = buttonRows(first!)[0]!;
    await send(callbackUpdate(rita, read!));
    const answered = await telegramCalls(bot.botToken, "answerCallbackQuery");
    expect(answered[answered.length - 1]!.params.text).toBe("Marked 1 read");
    expect((await one<{ status_key: string }>("SELECT status_key FROM message_receipts WHERE user_id = ? AND message_id = ?", rep.user.id, inbound[6]!.id)).status_key).toBe("read");
    await send(messageUpdate(rita, "/inbox"));
    const third = (await inboxReplies(bot.botToken)).pop()!;
    expect(third.text).not.toContain("Lead 7");
    expect(third.text).toContain("Lead 6");
  });

  it("a notification's Mark read reads the rep's receipt, once; an empty inbox says so", async () => {
    const ws = await newWorkspace();
    const { bot, rep, send } = await linkedRep(ws, rita);
    const { message } = await ingest(ws.workspace.id, { from: { externalId: "611100", name: "Lead" } });
    await send(callbackUpdate(rita, `rd:${message.id}`));
    await send(callbackUpdate(rita, `rd:${message.id}`));
    const answers = (await telegramCalls(bot.botToken, "answerCallbackQuery")).map((c) => c.params.text);
    expect(answers).toEqual(["Marked read", "Already read"]);
    expect((await one<{ status_key: string }>("SELECT status_key FROM message_receipts WHERE user_id = ? AND message_id = ?", rep.user.id, message.id)).status_key).toBe("read");
    await send(messageUpdate(rita, "/inbox"));
    expect((await inboxReplies(bot.botToken)).pop()!.text).toBe("📭 Nothing unread.");
  });

  it("/stats counts the rep's messages, conversations and closed deals for today and the last 7 days", async () => {
    const ws = await newWorkspace();
    const { bot, rep, send } = await linkedRep(ws, rita);
    const a = (await ingest(ws.workspace.id, { from: { externalId: "612001", name: "A" } })).message;
    const b = (await ingest(ws.workspace.id, { from: { externalId: "612002", name: "B" } })).message;
    const c = (await ingest(ws.workspace.id, { from: { externalId: "612003", name: "C" } })).message;
    for (const [conversationId, body] of [[a.conversationId, "one"], [a.conversationId, "two"], [b.conversationId, "three"], [c.conversationId, "old"], [c.conversationId, "older"]] as const) {
      expect((await rep.api.post(`/v1/conversations/${conversationId}/messages`, { body, channelKey: "internal" })).status).toBe(201);
    }
    const DAY = 86_400_000;
    await env.DB.prepare("UPDATE messages SET created_at = ? WHERE workspace_id = ? AND body = 'old'").bind(Date.now() - 3 * DAY, ws.workspace.id).run();
    await env.DB.prepare("UPDATE messages SET created_at = ? WHERE workspace_id = ? AND body = 'older'").bind(Date.now() - 10 * DAY, ws.workspace.id).run();
    // Someone else's message does not count.
    await ws.owner.post(`/v1/conversations/${a.conversationId}/messages`, { body: "owner's", channelKey: "internal" });

    const [pipeline] = (await rep.api.get("/v1/pipelines")).body.data;
    const deal = async () => (await rep.api.post("/v1/deals", { contactId: a.authorContactId, pipelineId: pipeline.id })).body.id as number;
    const won = await deal();
    const lost = await deal();
    const wonEarlier = await deal();
    await deal(); // still open
    expect((await rep.api.post(`/v1/deals/${won}/won`)).status).toBe(200);
    expect((await rep.api.post(`/v1/deals/${lost}/lost`, { reason: "budget" })).status).toBe(200);
    expect((await rep.api.post(`/v1/deals/${wonEarlier}/won`)).status).toBe(200);
    await env.DB.prepare("UPDATE deals SET closed_at = ? WHERE id = ?").bind(Date.now() - 2 * DAY, wonEarlier).run();

    await send(messageUpdate(rita, "/stats"));
    const stats = (await sentTo(bot.botToken, rita.id)).filter((m) => m.text.startsWith("📊")).pop()!;
    expect(stats.text).toBe(
      [
        "📊 Today",
        "✉ 3 messages sent",
        "💬 2 conversations handled",
        "✅ 1 won · ❌ 1 lost",
        "",
        "📅 Last 7 days",
        "✉ 4 messages sent",
        "💬 3 conversations handled",
        "✅ 2 won · ❌ 1 lost",
      ].join("\n"),
    );
  });

  it("days start at midnight in the workspace's time zone, across a DST change", () => {
    // Berlin moved to summer time on 29 March 2026 at 02:00.
    const noonBerlin = Date.UTC(2026, 2, 29, 10);
    expect(new Date(startOfDay(noonBerlin, "Europe/Berlin")).toISOString()).toBe("2026-03-28T23:00:00.000Z");
    expect(new Date(startOfDay(noonBerlin, "Europe/Berlin", 6)).toISOString()).toBe("2026-03-22T23:00:00.000Z");
    expect(new Date(startOfDay(Date.UTC(2026, 0, 15, 5), "America/Los_Angeles")).toISOString()).toBe("2026-01-14T08:00:00.000Z");
    expect(new Date(startOfDay(Date.UTC(2026, 0, 15, 5), "UTC")).toISOString()).toBe("2026-01-15T00:00:00.000Z");
    expect(new Date(startOfDay(Date.UTC(2026, 0, 15, 5), "Not/AZone")).toISOString()).toBe("2026-01-15T00:00:00.000Z");
  });

  it("a bare /start or /help shows a linked rep what the bot does", async () => {
    const ws = await newWorkspace();
    const { bot, send } = await linkedRep(ws, rita);
    await send(messageUpdate(rita, "/start"));
    await send(messageUpdate(rita, "/help"));
    const [, start, help] = (await sentTo(bot.botToken, rita.id)).map((m) => m.text);
    expect(start).toMatch(/^Parley keeps your inbox here:/);
    expect(start).toContain("/stats");
    expect(help).toBe(start);
  });
});
