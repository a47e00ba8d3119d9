// A linked rep's tools in their private chat with the bot: finding contacts and their cards,
// scoring and qualifying, deals, the inbox, their numbers — each button redrawing the message it
// is on — and what nobody else (another workspace, a group, a stranger) ever sees.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { startOfDay } from "../bots/rep-actions";
import { newWorkspace } from "./helpers/api";
import { all, one } from "./helpers/db";
import { ingest } from "./helpers/inbox";
import { buttonRows, callbackUpdate, linkedRep, messageNow, messageUpdate, pressAnswers, sentIdTo, sentTo, telegramCalls } from "./helpers/telegram";

const rita = { id: 610001, first_name: "Rita", username: "rita" };

async function lastReply(botToken: string) {
  const sent = await telegramCalls(botToken, "sendMessage");
  return sent[sent.length - 1]!.params as { chat_id: number; text: string; reply_markup?: { inline_keyboard: { text: string; callback_data: string }[][] } };
}

const lastAnswer = async (botToken: string) => (await pressAnswers(botToken)).pop()!;

describe("Telegram rep tools", () => {
  it("/contact lists the matches in one message; a contact's button opens its card in place", async () => {
    const ws = await newWorkspace();
    const { bot, send } = await linkedRep(ws, rita);
    const ada = (await ws.owner.post("/v1/contacts", { name: "Ada Lovelace", company: "Engines", phone: "+1 415 555 0100" })).body;
    const adam = (await ws.owner.post("/v1/contacts", { name: "Adam Smith" })).body;
    expect((await send(messageUpdate(rita, "/contact ada"))).status).toBe(200);
    const list = await lastReply(bot.botToken);
    expect(list.text).toBe("🔎 “ada”:\n1. Ada Lovelace — Engines\n2. Adam Smith");
    expect(buttonRows(list as never)).toEqual([[`c:${ada.id}`], [`c:${adam.id}`]]);

    const listId = await sentIdTo(bot.botToken, rita.id);
    await send(callbackUpdate(rita, `c:${ada.id}`, listId));
    const card = (await messageNow(bot.botToken, rita.id, listId))!;
    expect(card.text).toBe("👤 Ada Lovelace — Engines\n☎ +14155550100");
    expect(buttonRows(card)).toEqual([
      [`w:${ada.id}`, `p:${ada.id}`],
      [1, 2, 3, 4, 5].map((v) => `s:${ada.id}:${v}`),
      [`q:${ada.id}`, `dc:${ada.id}`],
    ]);
    // Nothing new was posted: the list became the card.
    expect(await sentTo(bot.botToken, rita.id)).toHaveLength(2);
  });

  it("score and qualify write the same rows and events as the API, as the rep, and redraw the card", async () => {
    const ws = await newWorkspace();
    const { bot, rep, send } = await linkedRep(ws, rita);
    const contact = (await ws.owner.post("/v1/contacts", { name: "Bo" })).body;
    await send(messageUpdate(rita, "/contact bo"));
    const cardId = await sentIdTo(bot.botToken, rita.id);
    await send(callbackUpdate(rita, `c:${contact.id}`, cardId));

    await send(callbackUpdate(rita, `s:${contact.id}:4`, cardId));
    const score = await one<{ user_id: number; value: number; source_key: string }>(
      "SELECT user_id, value, source_key FROM contact_scores WHERE contact_id = ?",
      contact.id,
    );
    expect(score).toEqual({ user_id: rep.user.id, value: 4, source_key: "user" });
    expect((await lastAnswer(bot.botToken)).text).toBe("Scored ⭐4");
    expect((await messageNow(bot.botToken, rita.id, cardId))!.text).toBe("👤 Bo\n⭐ 4");

    await send(callbackUpdate(rita, `q:${contact.id}`, cardId));
    const menu = (await messageNow(bot.botToken, rita.id, cardId))!;
    expect(menu.text).toBe("Qualify as:");
    expect(buttonRows(menu).flat()).toContain(`k:${contact.id}:hot`);
    expect(buttonRows(menu).pop()).toEqual([`c:${contact.id}`]);
    await send(callbackUpdate(rita, `k:${contact.id}:hot`, cardId));
    expect((await lastAnswer(bot.botToken)).text).toBe("Qualified: Hot");
    expect((await messageNow(bot.botToken, rita.id, cardId))!.text).toBe("👤 Bo\n⭐ 4  🏷 hot");
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

  it("opens a deal, moves it and wins it (after a confirmation) from buttons; /deal lists the rep's open deals", async () => {
    const ws = await newWorkspace();
    const { bot, rep, send } = await linkedRep(ws, rita);
    const contact = (await ws.owner.post("/v1/contacts", { name: "Cy" })).body;
    await send(messageUpdate(rita, "/contact cy"));
    const cardId = await sentIdTo(bot.botToken, rita.id);
    await send(callbackUpdate(rita, `dc:${contact.id}`, cardId));
    expect((await messageNow(bot.botToken, rita.id, cardId))!.text).toBe("Cy has no open deal yet.");
    await send(callbackUpdate(rita, `dn:${contact.id}`, cardId));
    const [pipeline] = (await rep.api.get("/v1/pipelines")).body.data;
    const prompt = await lastReply(bot.botToken);
    expect(prompt.text).toMatch(/^➕ New deal with Cy in Sales\. Type its title/);
    expect(buttonRows(prompt as never)).toEqual([[`dnn:${contact.id}:${pipeline.id}`]]);
    await send(callbackUpdate(rita, `dnn:${contact.id}:${pipeline.id}`, await sentIdTo(bot.botToken, rita.id)));
    const [deal] = (await rep.api.get(`/v1/deals?ownerUserId=${rep.user.id}`)).body.data;
    expect(deal).toMatchObject({ contactId: contact.id, statusKey: "open", title: null });

    const dealCardId = await sentIdTo(bot.botToken, rita.id);
    const card = (await messageNow(bot.botToken, rita.id, dealCardId))!;
    expect(card.text).toBe(`💼 Deal #${deal.id}\nCy · Sales: Lead\nOpen`);
    const moves = buttonRows(card);
    // Three stages to move to, three a row; then Won · Lost; then the contact.
    expect(moves[0]!.map((d) => d.split(":")[0])).toEqual(["ds", "ds", "ds"]);
    expect(moves.slice(1)).toEqual([[`dw:${deal.id}`, `dl:${deal.id}`], [`c:${contact.id}`]]);
    const next = moves[0]![0]!;
    await send(callbackUpdate(rita, next, dealCardId));
    expect((await rep.api.get(`/v1/deals/${deal.id}`)).body.stageId).toBe(Number(next.split(":")[2]));
    expect((await lastAnswer(bot.botToken)).text).toBe("Moved to Qualified");
    expect((await messageNow(bot.botToken, rita.id, dealCardId))!.text).toBe(`💼 Deal #${deal.id}\nCy · Sales: Qualified\nOpen`);

    await send(messageUpdate(rita, "/deal"));
    expect(buttonRows((await lastReply(bot.botToken)) as never)).toEqual([[`d:${deal.id}`]]);

    await send(callbackUpdate(rita, `dw:${deal.id}`, dealCardId));
    expect((await rep.api.get(`/v1/deals/${deal.id}`)).body.statusKey).toBe("open");
    const confirm = (await messageNow(bot.botToken, rita.id, dealCardId))!;
    expect(confirm.text).toBe(`Mark “Deal #${deal.id}” as won?`);
    expect(buttonRows(confirm)).toEqual([[`dwc:${deal.id}`, `d:${deal.id}`]]);
    await send(callbackUpdate(rita, `dwc:${deal.id}`, dealCardId));
    expect((await rep.api.get(`/v1/deals/${deal.id}`)).body.statusKey).toBe("won");
    const won = (await messageNow(bot.botToken, rita.id, dealCardId))!;
    expect(won.text).toBe(`💼 Deal #${deal.id}\nCy · Sales: Qualified\n✅ Won`);
    expect(buttonRows(won)).toEqual([[`dr:${deal.id}`], [`c:${contact.id}`]]);
    await send(messageUpdate(rita, "/deal"));
    expect((await lastReply(bot.botToken)).text).toBe("You have no open deals.");
  });

  it("never acts on another workspace's data, says why in words, and shows nothing to unlinked users", async () => {
    const ws = await newWorkspace();
    const { bot, send } = await linkedRep(ws, rita);
    const other = await newWorkspace();
    const foreign = (await other.owner.post("/v1/contacts", { name: "Foreign Secret" })).body;

    await send(callbackUpdate(rita, `s:${foreign.id}:5`));
    expect(await lastAnswer(bot.botToken)).toMatchObject({ text: "This contact no longer exists, or is not in your workspace.", show_alert: true });
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

  it("answers every press: an unknown payload, a malformed one, and a press Telegram delivers twice (which runs once)", async () => {
    const ws = await newWorkspace();
    const { bot, send } = await linkedRep(ws, rita);
    const contact = (await ws.owner.post("/v1/contacts", { name: "Dee" })).body;
    await send(callbackUpdate(rita, "zz:1"));
    await send(callbackUpdate(rita, "s:abc:9"));
    const press = callbackUpdate(rita, `s:${contact.id}:3`);
    await send(press);
    // The same callback under a new update_id (the update's dedupe row lost): claimed by its id.
    await send({ ...press, update_id: press.update_id + 500_000 });
    const answers = await pressAnswers(bot.botToken);
    expect(answers.map((a) => a.text)).toEqual([
      "This button no longer works — send /help to see what you can do.",
      "This button no longer works — send /help to see what you can do.",
      "Scored ⭐3",
      // The repeat is only answered (in case the first run never could), and Telegram refuses that.
      undefined,
    ]);
    expect((await all("SELECT id FROM contact_scores WHERE contact_id = ?", contact.id)).length).toBe(1);
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

describe("Telegram rep inbox", () => {
  it("/inbox lists unread conversations five at a time; More › and ✓ Read redraw the same message", async () => {
    const ws = await newWorkspace();
    const { bot, rep, send } = await linkedRep(ws, rita);
    const inbound: { id: number; conversationId: number }[] = [];
    for (let i = 1; i <= 7; i++) {
      inbound.push((await ingest(ws.workspace.id, { from: { externalId: `61100${i}`, name: `Lead ${i}` }, body: `question ${i}`, sentAt: Date.now() - (7 - i) * 1000 })).message);
    }
    await send(messageUpdate(rita, "/inbox"));
    const inboxId = await sentIdTo(bot.botToken, rita.id, "📥");
    const first = (await messageNow(bot.botToken, rita.id, inboxId))!;
    expect(first.text.split("\n").filter((l) => l.startsWith("• "))).toEqual([7, 6, 5, 4, 3].map((i) => `• Lead ${i} — 1 unread · telegram`));
    expect(first.text).toContain("“question 7”");
    const rows = buttonRows(first);
    expect(rows.slice(0, 5)).toEqual([7, 6, 5, 4, 3].map((i) => [`rp:${inbound[i - 1]!.id}`, `ra:${inbound[i - 1]!.conversationId}:${inbound[i - 1]!.id}`]));
    const [readAll, more] = rows[5]!;
    expect(readAll).toBe("ia");
    expect(more).toMatch(/^in:[0-9a-z]+:[0-9a-z]+$/);
    expect(rows.flat().every((data) => new TextEncoder().encode(data).length <= 64)).toBe(true);

    await send(callbackUpdate(rita, more!, inboxId));
    const second = (await messageNow(bot.botToken, rita.id, inboxId))!;
    expect(second.text.split("\n").filter((l) => l.startsWith("• "))).toEqual(["• Lead 2 — 1 unread · telegram", "• Lead 1 — 1 unread · telegram"]);
    expect(buttonRows(second).flat().some((data) => data.startsWith("in:"))).toBe(false);

    await send(messageUpdate(rita, "/inbox"));
    const againId = await sentIdTo(bot.botToken, rita.id, "📥");
    const [, read] = rows[0]!;
    await send(callbackUpdate(rita, read!, againId));
    expect((await lastAnswer(bot.botToken)).text).toBe("Marked 1 read");
    expect((await one<{ status_key: string }>("SELECT status_key FROM message_receipts WHERE user_id = ? AND message_id = ?", rep.user.id, inbound[6]!.id)).status_key).toBe("read");
    const redrawn = (await messageNow(bot.botToken, rita.id, againId))!;
    expect(redrawn.text).not.toContain("Lead 7");
    expect(redrawn.text).toContain("Lead 6");

    // ✓ Mark all read empties the inbox, in place.
    await send(callbackUpdate(rita, "ia", againId));
    expect((await lastAnswer(bot.botToken)).text).toBe("Marked 6 read");
    expect((await messageNow(bot.botToken, rita.id, againId))!.text).toBe("📭 Nothing unread.");
    expect(await all("SELECT id FROM message_receipts WHERE user_id = ? AND status_key = 'unread'", rep.user.id)).toEqual([]);
    expect(await one("SELECT count(*) AS n FROM events WHERE workspace_id = ? AND type_key = 'message.read' AND json_extract(payload_json, '$.all') = 1", ws.workspace.id)).toEqual({ n: 1 });
  });

  it("a notification's Mark read reads the rep's receipt, once; an empty inbox says so", async () => {
    const ws = await newWorkspace();
    const { bot, rep, send } = await linkedRep(ws, rita);
    const { message } = await ingest(ws.workspace.id, { from: { externalId: "611100", name: "Lead" } });
    await send(callbackUpdate(rita, `rd:${message.id}`));
    await send(callbackUpdate(rita, `rd:${message.id}`));
    expect((await pressAnswers(bot.botToken)).map((c) => c.text)).toEqual(["Marked read", "Already read"]);
    expect((await one<{ status_key: string }>("SELECT status_key FROM message_receipts WHERE user_id = ? AND message_id = ?", rep.user.id, message.id)).status_key).toBe("read");
    await send(messageUpdate(rita, "/inbox"));
    expect((await lastReply(bot.botToken)).text).toBe("📭 Nothing unread.");
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

  it("a bare /start or /help shows a linked rep what the bot does, in words", async () => {
    const ws = await newWorkspace();
    const { bot, send } = await linkedRep(ws, rita);
    await send(messageUpdate(rita, "/start"));
    await send(messageUpdate(rita, "/help"));
    const [linked, start, help] = (await sentTo(bot.botToken, rita.id)).map((m) => m.text);
    expect(linked).toMatch(/^✅ Linked: you are Rita in Parley\./);
    expect(start).toMatch(/^Parley brings your inbox here\./);
    for (const command of ["/inbox", "/contact", "/pins", "/deal", "/stats", "/mute", "/settings", "/cancel"]) expect(start).toContain(command);
    expect(start).not.toMatch(/\/v1\/|PUT |POST |body\./);
    expect(help).toBe(start);
  });
});

void env;
