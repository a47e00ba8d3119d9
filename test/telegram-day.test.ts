// A rep's day without leaving the chat, as one story: link, three leads arrive (one with a photo),
// answer one, score and qualify it, open a deal, move it, lose it with a reason, reopen it, and
// see the day's numbers — checking at each step what Telegram received and which rows changed.
import { describe, expect, it } from "vitest";
import { newWorkspace } from "./helpers/api";
import { all, one } from "./helpers/db";
import {
  buttonRows,
  callbackUpdate,
  connectBot,
  contentUpdate,
  eventually,
  messageNow,
  messageUpdate,
  postUpdate,
  pressAnswers,
  replyingTo,
  sentIdTo,
  sentTo,
  telegramCalls,
} from "./helpers/telegram";

const rita = { id: 710001, first_name: "Rita" };
const leads = [
  { id: 710101, first_name: "Ada", last_name: "Lovelace" },
  { id: 710102, first_name: "Bo", last_name: "Brandt" },
  { id: 710103, first_name: "Cy", last_name: "Chen" },
];

describe("a rep's day in Telegram", () => {
  it("link → three leads → reply → score → qualify → deal → move → lost with a reason → reopen → stats", async () => {
    const ws = await newWorkspace();
    const bot = await connectBot(ws.owner);
    const send = (update: unknown) => postUpdate(bot.connection, bot.secret, update);
    const me = await ws.member("Rita");

    // Link.
    const { code, deepLink } = (await me.api.post("/v1/me/telegram-link")).body;
    expect(deepLink).toContain(`?start=${code}`);
    expect((await send(messageUpdate(rita, `/start ${code}`))).status).toBe(200);
    expect((await sentTo(bot.botToken, rita.id))[0]!.text).toMatch(/^✅ Linked: you are Rita in Parley\./);
    expect(await one("SELECT user_id, connection_id FROM chat_links WHERE workspace_id = ?", ws.workspace.id)).toEqual({
      user_id: me.user.id,
      connection_id: bot.connection.id,
    });

    // Three leads write in; Bo sends a photo.
    await send(messageUpdate(leads[0]!, "Hi! Do you install solar roofs in Leipzig?"));
    await send(contentUpdate(leads[1]!, { photo: [{ file_id: "roof-1", file_unique_id: "AQroof1", width: 1200, height: 900 }], caption: "my roof" }));
    await send(messageUpdate(leads[2]!, "What does a 10 kW system cost?"));
    const cards = await eventually(
      async () => (await sentTo(bot.botToken, rita.id)).filter((m) => m.text.startsWith("💬")),
      (found) => found.length === 3,
    );
    expect(cards.map((c) => c.text.split("\n")[0]).sort()).toEqual(["💬 Ada Lovelace · telegram", "💬 Bo Brandt · telegram", "💬 Cy Chen · telegram"]);
    const [copy] = await telegramCalls(bot.botToken, "copyMessage");
    expect(copy!.params).toMatchObject({ chat_id: String(rita.id), from_chat_id: leads[1]!.id });
    expect(cards.find((c) => c.text.startsWith("💬 Bo"))!.text).toBe("💬 Bo Brandt · telegram\n\nmy roof\n📎 photo");

    // Reply to Ada: swipe her card and type.
    const adaCard = await sentIdTo(bot.botToken, rita.id, "💬 Ada");
    await send(messageUpdate(rita, "Yes, all of Saxony. May I call you tomorrow?", replyingTo(adaCard, rita.id)));
    await eventually(() => sentTo(bot.botToken, leads[0]!.id), (sent) => sent.length === 1);
    expect((await sentTo(bot.botToken, leads[0]!.id))[0]!.text).toBe("Yes, all of Saxony. May I call you tomorrow?");
    // "⏳ Sending…" first; edited into "✓ Sent" once Telegram took it.
    expect((await sentTo(bot.botToken, rita.id)).map((m) => m.text)).toContain("⏳ Sending to Ada Lovelace on telegram…");
    await eventually(
      () => sentIdTo(bot.botToken, rita.id, "✓ Sent to Ada Lovelace on telegram.").catch(() => null),
      (id) => id !== null,
    );
    // Her card: read (she answered it) and answered by her.
    await eventually(() => messageNow(bot.botToken, rita.id, adaCard), (m) => m!.text.endsWith("✓ Read · ↩ Answered by you"));

    // Score and qualify Ada from her card.
    const ada = await one<{ id: number }>("SELECT id FROM contacts WHERE workspace_id = ? AND name = 'Ada Lovelace'", ws.workspace.id);
    await send(callbackUpdate(rita, `s:${ada.id}:5`, adaCard));
    await send(callbackUpdate(rita, `q:${ada.id}`, adaCard));
    expect(buttonRows((await messageNow(bot.botToken, rita.id, adaCard))!).flat()).toContain(`k:${ada.id}:hot`);
    await send(callbackUpdate(rita, `k:${ada.id}:hot`, adaCard));
    expect(await one("SELECT score, qualification FROM contacts WHERE id = ?", ada.id)).toEqual({ score: 5, qualification: "hot" });
    expect((await messageNow(bot.botToken, rita.id, adaCard))!.text).toContain("\n\n⭐ 5 · 🏷 Hot\n");

    // A deal: from the card, with a title and an amount.
    await send(callbackUpdate(rita, `dc:${ada.id}`, adaCard));
    await send(callbackUpdate(rita, `dn:${ada.id}`, adaCard));
    await send(messageUpdate(rita, "Solar roof 18 500 EUR"));
    const deal = await one<{ id: number; title: string; amount_minor: number; currency: string; stage_id: number; owner_user_id: number }>(
      "SELECT id, title, amount_minor, currency, stage_id, owner_user_id FROM deals WHERE workspace_id = ?",
      ws.workspace.id,
    );
    expect(deal).toMatchObject({ title: "Solar roof", amount_minor: 1_850_000, currency: "EUR", owner_user_id: me.user.id });
    const dealCard = await sentIdTo(bot.botToken, rita.id, "💼 Solar roof");
    expect((await messageNow(bot.botToken, rita.id, dealCard))!.text).toBe("💼 Solar roof · 18,500 EUR\nAda Lovelace · Sales: Lead\nOpen");
    await eventually(() => messageNow(bot.botToken, rita.id, adaCard), (m) => m!.text.includes("💼 Solar roof — Lead"));

    // Move it.
    const toQualified = buttonRows((await messageNow(bot.botToken, rita.id, dealCard))!)[0]![0]!;
    await send(callbackUpdate(rita, toQualified, dealCard));
    expect((await messageNow(bot.botToken, rita.id, dealCard))!.text).toBe("💼 Solar roof · 18,500 EUR\nAda Lovelace · Sales: Qualified\nOpen");

    // Lose it, with a reason typed.
    await send(callbackUpdate(rita, `dl:${deal.id}`, dealCard));
    await send(callbackUpdate(rita, `dlo:${deal.id}`, dealCard));
    await send(messageUpdate(rita, "chose a cheaper installer"));
    expect(await one("SELECT status_key, lost_reason FROM deals WHERE id = ?", deal.id)).toEqual({ status_key: "lost", lost_reason: "chose a cheaper installer" });

    // Reopen it.
    await send(callbackUpdate(rita, `dr:${deal.id}`, dealCard));
    expect(await one("SELECT status_key, lost_reason FROM deals WHERE id = ?", deal.id)).toEqual({ status_key: "open", lost_reason: null });
    expect((await messageNow(bot.botToken, rita.id, dealCard))!.text).toBe("💼 Solar roof · 18,500 EUR\nAda Lovelace · Sales: Qualified\nOpen");
    expect(
      (await all<{ type_key: string }>("SELECT type_key FROM events WHERE workspace_id = ? AND entity_type_key = 'deal' ORDER BY id", ws.workspace.id)).map((e) => e.type_key),
    ).toEqual(["deal.created", "deal.stage_changed", "deal.lost", "deal.reopened"]);

    // The day's numbers.
    await send(messageUpdate(rita, "/stats today"));
    const stats = (await sentTo(bot.botToken, rita.id)).pop()!;
    expect(stats.text.split("\n").slice(0, 5)).toEqual([
      "📊 Rita — today",
      "✉ 1 sent in 1 conversation",
      expect.stringMatching(/^↩ 1 answered · median wait \d+s$/),
      expect.stringMatching(/^⏱ first response: median \d+s · p90 \d+s$/),
      "✅ 0 won · ❌ 0 lost",
    ]);
    // Every press was answered, none twice.
    const answers = await pressAnswers(bot.botToken);
    expect(new Set(answers.map((a) => a.callback_query_id)).size).toBe(answers.length);
  });
});
