// Quiet when needed (/mute, only my conversations, Mark all read is in telegram-rep), and /stats:
// the numbers GET /v1/analytics/performance reports for the rep — internal notes are not replies
// there either — with a bar per day.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { duration, sparkline, startOfDay } from "../bots/rep-actions";
import { newWorkspace } from "./helpers/api";
import { one } from "./helpers/db";
import { ingest } from "./helpers/inbox";
import { buttonRows, callbackUpdate, eventually, linkedRep, messageNow, messageUpdate, sentIdTo, sentTo } from "./helpers/telegram";

const rita = { id: 690001, first_name: "Rita" };
const rob = { id: 690002, first_name: "Rob" };
const ada = { id: 690101, first_name: "Ada" };
const SECOND = 1000;
const DAY = 86_400_000;

const cardsTo = async (botToken: string, chatId: number) => (await sentTo(botToken, chatId)).filter((m) => m.text.startsWith("💬"));

async function twoReps() {
  const ws = await newWorkspace();
  const linked = await linkedRep(ws, rita);
  const robUser = await ws.member("Rob");
  const { code } = (await robUser.api.post("/v1/me/telegram-link")).body;
  await linked.send(messageUpdate(rob, `/start ${code}`));
  return { ws, ...linked, robUser };
}

/** Ada writes; Rob (never muted) is notified: once he has his card, Rita's would be there too. */
async function adaWrites(ctx: Awaited<ReturnType<typeof twoReps>>, text: string) {
  const before = (await cardsTo(ctx.bot.botToken, rob.id)).length;
  await ctx.send(messageUpdate(ada, text));
  await eventually(() => cardsTo(ctx.bot.botToken, rob.id), (cards) => cards.length === before + 1);
  await new Promise((resolve) => setTimeout(resolve, 300));
  return (await cardsTo(ctx.bot.botToken, rita.id)).map((c) => c.text.split("\n")[2]);
}

describe("quiet when needed", () => {
  it("/mute 1h and /mute tomorrow pause the rep's notifications on this bot; /unmute resumes them", async () => {
    const ctx = await twoReps();
    const { bot, send, ws } = ctx;
    await send(messageUpdate(rita, "/mute 1h"));
    const muted = (await sentTo(bot.botToken, rita.id)).pop()!;
    expect(muted.text).toMatch(/^🔕 Muted\.\n\n🔔 Notifications\n🔕 Muted until /);
    expect(buttonRows(muted)[0]).toEqual(["mu:off"]);
    const link = () => one<{ muted_until: number | null; only_mine: number }>("SELECT muted_until, only_mine FROM chat_links WHERE workspace_id = ? AND external_user_id = ?", ws.workspace.id, String(rita.id));
    expect(Math.abs((await link()).muted_until! - (Date.now() + 3600 * SECOND))).toBeLessThan(10 * SECOND);
    expect(await adaWrites(ctx, "first")).toEqual([]);

    await send(messageUpdate(rita, "/mute until tomorrow"));
    const tomorrow = startOfDay(Date.now(), "UTC") + DAY + 8 * 3600 * SECOND;
    expect((await link()).muted_until).toBe(tomorrow);

    await send(messageUpdate(rita, "/unmute"));
    expect((await sentTo(bot.botToken, rita.id)).pop()!.text).toMatch(/^🔔 Notifications are on again\./);
    expect((await link()).muted_until).toBeNull();
    expect(await adaWrites(ctx, "second")).toEqual(["second"]);
  });

  it("“only conversations I take part in” leaves out the others until the rep joins in", async () => {
    const ctx = await twoReps();
    const { bot, send, ws, rep } = ctx;
    await send(messageUpdate(rita, "/settings"));
    const settingsId = await sentIdTo(bot.botToken, rita.id, "🔔 Notifications");
    await send(callbackUpdate(rita, "om:on", settingsId));
    const settings = (await messageNow(bot.botToken, rita.id, settingsId))!;
    expect(settings.text).toBe("🔔 Notifications\nOn\nOnly conversations you take part in");
    expect(buttonRows(settings)[1]).toEqual(["om:off"]);

    expect(await adaWrites(ctx, "hello")).toEqual([]);
    // Rita answers (an answer, not a note): now she takes part.
    const conversation = await one<{ conversation_id: number }>("SELECT conversation_id FROM messages WHERE workspace_id = ? AND author_kind_key = 'contact'", ws.workspace.id);
    await rep.api.post(`/v1/conversations/${conversation.conversation_id}/messages`, { body: "Hi Ada!" });
    // (Now the conversation's only participant, she is the only one with a receipt to notify.)
    await send(messageUpdate(ada, "thanks"));
    await eventually(() => cardsTo(bot.botToken, rita.id), (cards) => cards.length === 1);
    expect((await cardsTo(bot.botToken, rita.id))[0]!.text.split("\n")[2]).toBe("thanks");
  });
});

describe("/stats", () => {
  it("shows the numbers GET /v1/analytics/performance reports for the rep, notes left out, with a bar per day", async () => {
    const ws = await newWorkspace();
    const { bot, rep, send } = await linkedRep(ws, rita);
    const now = Date.now();
    const at = (ms: number) => new Date(now - ms).getTime();
    const setTime = (id: number, ms: number) => env.DB.prepare("UPDATE messages SET created_at = ? WHERE id = ?").bind(at(ms), id).run();
    const post = async (conversationId: number, body: string, channelKey?: string) =>
      (await rep.api.post(`/v1/conversations/${conversationId}/messages`, { body, ...(channelKey ? { channelKey } : {}) })).body.id as number;

    // Today: Ada asks; Rita writes a note after 100 s (not an answer), and answers after 300 s.
    const a = (await ingest(ws.workspace.id, { channel: "whatsapp", from: { externalId: "4915100000001", name: "Ada" }, sentAt: at(600 * SECOND) })).message;
    await setTime(await post(a.conversationId, "check stock first", "internal"), 500 * SECOND);
    await setTime(await post(a.conversationId, "In stock!"), 300 * SECOND);
    // Two days ago: Bo asks, Rita answers after a minute.
    const b = (await ingest(ws.workspace.id, { channel: "whatsapp", from: { externalId: "4915100000002", name: "Bo" }, sentAt: at(2 * DAY) })).message;
    await setTime(await post(b.conversationId, "Yes"), 2 * DAY - 60 * SECOND);
    // Ten days ago: only in the 30 days.
    const c = (await ingest(ws.workspace.id, { channel: "whatsapp", from: { externalId: "4915100000003", name: "Cy" }, sentAt: at(10 * DAY) })).message;
    await setTime(await post(c.conversationId, "Sure"), 10 * DAY - 30 * SECOND);

    const api = async (days: number) => {
      const from = new Date(startOfDay(now, "UTC", days - 1)).toISOString();
      const res = await ws.owner.get(`/v1/analytics/performance?userId=${rep.user.id}&from=${from}&to=${new Date(now + 60_000).toISOString()}`);
      return res.body.data[0];
    };
    const week = await api(7);
    expect(week).toMatchObject({ messagesSent: 2, conversationsHandled: 2, replyTime: { count: 2 }, firstResponseTime: { count: 2, medianSeconds: 180 } });

    await send(messageUpdate(rita, "/stats"));
    const statsId = await sentIdTo(bot.botToken, rita.id, "📊");
    const shown = (await messageNow(bot.botToken, rita.id, statsId))!;
    const lines = shown.text.split("\n");
    expect(lines.slice(0, 5)).toEqual([
      "📊 Rita — last 7 days",
      `✉ ${week.messagesSent} sent in ${week.conversationsHandled} conversations`,
      `↩ ${week.replyTime.count} answered · median wait ${duration(week.replyTime.medianSeconds)}`,
      `⏱ first response: median ${duration(week.firstResponseTime.medianSeconds)} · p90 ${duration(week.firstResponseTime.p90Seconds)}`,
      "✅ 0 won · ❌ 0 lost",
    ]);
    // One block per day, oldest first: two days ago and today answered, the other days nothing.
    const bars = lines[lines.indexOf(lines.find((l) => l.startsWith("↩ answered per day"))!) + 1]!;
    expect(bars).toBe(sparkline([0, 0, 0, 0, 1, 0, 1]));
    expect(bars).toBe("····█·█");
    const waits = lines[lines.indexOf(lines.find((l) => l.startsWith("⏱ first response per day"))!) + 1]!;
    expect(waits).toBe(sparkline([null, null, null, null, 60, null, 300]));
    expect(buttonRows(shown)).toEqual([["st:today", "st:7d", "st:30d"]]);

    await send(callbackUpdate(rita, "st:30d", statsId));
    const month = await api(30);
    const monthly = (await messageNow(bot.botToken, rita.id, statsId))!.text.split("\n");
    expect(monthly[0]).toBe("📊 Rita — last 30 days");
    expect(monthly[1]).toBe(`✉ ${month.messagesSent} sent in ${month.conversationsHandled} conversations`);
    expect(month.messagesSent).toBe(3);
    expect(monthly[monthly.indexOf(monthly.find((l) => l.startsWith("↩ answered per day"))!) + 1]).toHaveLength(30);

    await send(callbackUpdate(rita, "st:today", statsId));
    const today = (await messageNow(bot.botToken, rita.id, statsId))!.text;
    expect(today.split("\n").slice(0, 3)).toEqual(["📊 Rita — today", "✉ 1 sent in 1 conversation", "↩ 1 answered · median wait 5m"]);
    expect(today).not.toContain("per day");
  });
});
