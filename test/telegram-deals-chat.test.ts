// Deals and contacts that make sense in a chat: stage buttons that fit any pipeline, Won confirmed,
// Lost with a reason (recent ones as buttons, or typed), Reopen, a new deal with its title, amount
// and pipeline; and a contact card to write from, pin and unpin.
import { describe, expect, it } from "vitest";
import { parseDealText } from "../bots/rep-actions";
import { newWorkspace } from "./helpers/api";
import { one } from "./helpers/db";
import { buttonRows, callbackUpdate, eventually, linkedRep, messageNow, messageUpdate, pressAnswers, sentIdTo, sentTo } from "./helpers/telegram";

const rita = { id: 680001, first_name: "Rita" };
const ada = { id: 680101, first_name: "Ada" };

async function dealOnCard(stages?: string[]) {
  const ws = await newWorkspace();
  const linked = await linkedRep(ws, rita);
  const contact = (await ws.owner.post("/v1/contacts", { name: "Cy" })).body;
  const pipeline = stages
    ? (await ws.owner.post("/v1/pipelines", { name: "Long", stages })).body
    : (await linked.rep.api.get("/v1/pipelines")).body.data[0];
  const deal = (await linked.rep.api.post("/v1/deals", { contactId: contact.id, pipelineId: pipeline.id, title: "Roof" })).body;
  await linked.send(messageUpdate(rita, "/deal"));
  const listId = await sentIdTo(linked.bot.botToken, rita.id, "💼 Your open deals");
  await linked.send(callbackUpdate(rita, `d:${deal.id}`, listId));
  return { ws, ...linked, contact, pipeline, deal, cardId: listId };
}

describe("deals in a chat", () => {
  it("lays stage buttons out two or three a row, within Telegram's limits, for a long pipeline", async () => {
    const stages = ["Lead", "Call", "Demo", "Trial", "Offer", "Legal review by the customer", "Signed", "Paid", "Live"];
    const { bot, deal, cardId } = await dealOnCard(stages);
    const rows = buttonRows((await messageNow(bot.botToken, rita.id, cardId))!);
    const stageRows = rows.filter((row) => row[0]!.startsWith("ds:"));
    expect(stageRows.flat()).toHaveLength(stages.length - 1);
    // A long stage name makes the rows two wide; none is wider than three.
    expect(stageRows.every((row) => row.length <= 2)).toBe(true);
    expect(rows.flat().every((data) => new TextEncoder().encode(data).length <= 64)).toBe(true);
    expect(rows.slice(-2)).toEqual([[`dw:${deal.id}`, `dl:${deal.id}`], [expect.stringMatching(/^c:\d+$/)]]);
  });

  it("Lost asks why: a recent reason is one tap, another is typed; a closed deal offers Reopen", async () => {
    const { ws, bot, rep, send, contact, pipeline, deal, cardId } = await dealOnCard();
    // An earlier deal lost for "budget" makes "budget" a button.
    const earlier = (await rep.api.post("/v1/deals", { contactId: contact.id, pipelineId: pipeline.id })).body;
    await rep.api.post(`/v1/deals/${earlier.id}/lost`, { reason: "budget" });

    await send(callbackUpdate(rita, `dl:${deal.id}`, cardId));
    const ask = (await messageNow(bot.botToken, rita.id, cardId))!;
    expect(ask.text).toBe("Why was “Roof” lost?");
    expect(buttonRows(ask)).toEqual([[`dll:${deal.id}:${earlier.id}`], [`dlo:${deal.id}`, `dl0:${deal.id}`], [`d:${deal.id}`]]);
    expect(ask.reply_markup!.inline_keyboard![0]![0]!.text).toBe("budget");
    await send(callbackUpdate(rita, `dll:${deal.id}:${earlier.id}`, cardId));
    expect((await rep.api.get(`/v1/deals/${deal.id}`)).body).toMatchObject({ statusKey: "lost", lostReason: "budget" });
    const lost = (await messageNow(bot.botToken, rita.id, cardId))!;
    expect(lost.text).toBe("💼 Roof\nCy · Sales: Lead\n❌ Lost — budget");
    expect(buttonRows(lost)).toEqual([[`dr:${deal.id}`], [`c:${contact.id}`]]);

    await send(callbackUpdate(rita, `dr:${deal.id}`, cardId));
    expect((await rep.api.get(`/v1/deals/${deal.id}`)).body).toMatchObject({ statusKey: "open", lostReason: null });
    expect((await pressAnswers(bot.botToken)).pop()!.text).toBe("↺ Reopened");

    // Another reason, typed.
    await send(callbackUpdate(rita, `dl:${deal.id}`, cardId));
    await send(callbackUpdate(rita, `dlo:${deal.id}`, cardId));
    expect((await sentTo(bot.botToken, rita.id)).pop()!.text).toBe("✍ Why was “Roof” lost? Type the reason (/cancel to stop).");
    await send(messageUpdate(rita, "went with a local roofer"));
    expect((await rep.api.get(`/v1/deals/${deal.id}`)).body).toMatchObject({ statusKey: "lost", lostReason: "went with a local roofer" });
    expect((await sentTo(bot.botToken, rita.id)).pop()!.text).toBe("💼 Roof\nCy · Sales: Lead\n❌ Lost — went with a local roofer");
    // An unknown command is not an answer either.
    await send(callbackUpdate(rita, `dl:${deal.id}`, cardId));
    await send(messageUpdate(rita, "/reason"));
    expect((await sentTo(bot.botToken, rita.id)).pop()!.text).toBe("I don't know /reason. /help lists what I can do.");
    await send(messageUpdate(rita, "/cancel"));
    // The question was answered: the next text is not a reason.
    await send(messageUpdate(rita, "thanks"));
    expect((await sentTo(bot.botToken, rita.id)).pop()!.text).toMatch(/^To answer a contact/);
    const events = await one<{ n: number }>("SELECT count(*) AS n FROM events WHERE workspace_id = ? AND type_key = 'deal.lost' AND entity_id = ?", ws.workspace.id, deal.id);
    expect(events.n).toBe(2);
  });

  it("➕ New deal asks which pipeline when there are several, then a title and amount", async () => {
    const ws = await newWorkspace();
    const { bot, rep, send } = await linkedRep(ws, rita);
    const contact = (await ws.owner.post("/v1/contacts", { name: "Dora" })).body;
    const second = (await ws.owner.post("/v1/pipelines", { name: "Renewals", stages: ["Due", "Renewed"] })).body;
    await send(messageUpdate(rita, "/contact dora"));
    const cardId = await sentIdTo(bot.botToken, rita.id, "🔎");
    await send(callbackUpdate(rita, `dn:${contact.id}`, cardId));
    const which = (await messageNow(bot.botToken, rita.id, cardId))!;
    expect(which.text).toBe("➕ New deal — in which pipeline?");
    expect(buttonRows(which).flat()).toContain(`dni:${contact.id}:${second.id}`);
    await send(callbackUpdate(rita, `dni:${contact.id}:${second.id}`, cardId));
    expect((await sentTo(bot.botToken, rita.id)).pop()!.text).toMatch(/^➕ New deal with Dora in Renewals\./);
    await send(messageUpdate(rita, "Support plan 4 500,50 eur"));
    const [deal] = (await rep.api.get(`/v1/deals?contactId=${contact.id}`)).body.data;
    expect(deal).toMatchObject({ pipelineId: second.id, title: "Support plan", amount: 4500.5, currency: "EUR", ownerUserId: rep.user.id });
    expect((await sentTo(bot.botToken, rita.id)).pop()!.text).toBe("💼 Support plan · 4,500.5 EUR\nDora · Renewals: Due\nOpen");
  });

  it("reads a title and an amount the way people type them", () => {
    expect(parseDealText("Website redesign 4500")).toEqual({ title: "Website redesign", amount: 4500 });
    expect(parseDealText("Support 1,200.50 usd")).toEqual({ title: "Support", amount: 1200.5, currency: "USD" });
    expect(parseDealText("Roof 12 000")).toEqual({ title: "Roof", amount: 12000 });
    expect(parseDealText("Phase 2 of the migration")).toEqual({ title: "Phase 2 of the migration" });
    expect(parseDealText("9000")).toEqual({ amount: 9000 });
  });
});

describe("a contact's card", () => {
  it("✍ Write sends the next text to the contact on their last channel, or one the rep picks", async () => {
    const ws = await newWorkspace();
    const { bot, rep, send } = await linkedRep(ws, rita);
    const contact = (
      await ws.owner.post("/v1/contacts", {
        name: "Ada",
        identities: [
          { channelKey: "telegram", externalId: String(ada.id) },
          { channelKey: "whatsapp", externalId: "4915112345678" },
        ],
      })
    ).body;
    await send(messageUpdate(rita, "/contact ada"));
    const cardId = await sentIdTo(bot.botToken, rita.id, "🔎");
    await send(callbackUpdate(rita, `c:${contact.id}`, cardId));
    await send(callbackUpdate(rita, `w:${contact.id}`, cardId));
    const prompt = (await sentTo(bot.botToken, rita.id)).pop()!;
    expect(prompt.text).toBe("✍ Your message to Ada on telegram — type it now (/cancel to stop).");
    expect(buttonRows(prompt)).toEqual([[`wo:${contact.id}:whatsapp`]]);

    await send(messageUpdate(rita, "Hi Ada, following up on your visit."));
    await eventually(() => sentTo(bot.botToken, ada.id), (sent) => sent.length === 1);
    expect((await sentTo(bot.botToken, ada.id))[0]!.text).toBe("Hi Ada, following up on your visit.");
    const message = await one<{ author_user_id: number; channel_key: string }>(
      "SELECT author_user_id, channel_key FROM messages WHERE workspace_id = ? AND author_kind_key = 'user'",
      ws.workspace.id,
    );
    expect(message).toEqual({ author_user_id: rep.user.id, channel_key: "telegram" });

    // Picking WhatsApp instead asks again, for that channel.
    await send(callbackUpdate(rita, `w:${contact.id}`, cardId));
    await send(callbackUpdate(rita, `wo:${contact.id}:whatsapp`, await sentIdTo(bot.botToken, rita.id, "✍")));
    expect((await sentTo(bot.botToken, rita.id)).pop()!.text).toBe("✍ Your message to Ada on whatsapp — type it now (/cancel to stop).");
    await send(messageUpdate(rita, "/cancel"));
    expect((await sentTo(bot.botToken, rita.id)).pop()!.text).toBe("OK, cancelled.");
  });

  it("a contact with no channel cannot be written to, and says why", async () => {
    const ws = await newWorkspace();
    const { bot, send } = await linkedRep(ws, rita);
    const contact = (await ws.owner.post("/v1/contacts", { name: "Quiet Person" })).body;
    await send(callbackUpdate(rita, `w:${contact.id}`));
    expect((await pressAnswers(bot.botToken)).pop()).toMatchObject({
      text: "Quiet Person has no channel to write to yet: no Telegram, WhatsApp, SMS or e-mail address is known.",
      show_alert: true,
    });
  });

  it("📌 Pin takes the first free slot, Unpin frees it, /pins is one message; with every slot taken it asks which to replace", async () => {
    const ws = await newWorkspace();
    const { bot, rep, send } = await linkedRep(ws, rita);
    const names = ["P1", "P2", "P3", "P4", "P5", "Sixth"];
    const ids: number[] = [];
    for (const name of names) ids.push((await ws.owner.post("/v1/contacts", { name })).body.id);
    await send(messageUpdate(rita, "/contact P1"));
    const cardId = await sentIdTo(bot.botToken, rita.id, "🔎");
    await send(callbackUpdate(rita, `p:${ids[0]}`, cardId));
    expect((await messageNow(bot.botToken, rita.id, cardId))!.text).toBe("👤 P1\n📌 pin 1");
    expect(buttonRows((await messageNow(bot.botToken, rita.id, cardId))!)[0]).toEqual([`w:${ids[0]}`, `up:${ids[0]}`]);
    await send(callbackUpdate(rita, `up:${ids[0]}`, cardId));
    expect((await rep.api.get("/v1/pins")).body).toEqual(expect.objectContaining({ data: [] }));

    for (const id of ids.slice(0, 5)) await send(callbackUpdate(rita, `p:${id}`, cardId));
    await send(messageUpdate(rita, "/pins"));
    const pins = (await sentTo(bot.botToken, rita.id)).pop()!;
    expect(pins.text).toBe(["📌 Your pinned contacts:", "1. P1", "2. P2", "3. P3", "4. P4", "5. P5"].join("\n"));
    expect(buttonRows(pins)).toEqual(ids.slice(0, 5).map((id) => [`c:${id}`]));

    await send(callbackUpdate(rita, `p:${ids[5]}`, cardId));
    const full = (await messageNow(bot.botToken, rita.id, cardId))!;
    expect(full.text).toBe("Your 5 pins are taken. Pin Sixth instead of:");
    await send(callbackUpdate(rita, `pa:${ids[5]}:3`, cardId));
    const after = (await rep.api.get("/v1/pins")).body.data as { slot: number; contact: { id: number } }[];
    expect(after.find((p) => p.slot === 3)!.contact.id).toBe(ids[5]);
  });
});
