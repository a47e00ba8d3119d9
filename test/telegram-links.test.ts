// Links are per bot: a rep in two workspaces links Telegram in both, each bot shows its own
// workspace and notifies through itself; a code of another workspace changes nothing. And the
// bot's menus: contacts see /start, a linked rep their commands.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newWorkspace } from "./helpers/api";
import { all, one } from "./helpers/db";
import { connectBot, eventually, messageUpdate, postUpdate, sentTo, telegramCalls } from "./helpers/telegram";

const rita = { id: 670001, first_name: "Rita" };
const ada = { id: 670101, first_name: "Ada" };

async function workspaceWithBot(name: string) {
  const ws = await newWorkspace({ name });
  const bot = await connectBot(ws.owner);
  const member = await ws.member("Rita");
  const send = (update: unknown) => postUpdate(bot.connection, bot.secret, update);
  const code = async () => (await member.api.post("/v1/me/telegram-link")).body.code as string;
  return { ws, bot, member, send, code };
}

describe("a rep in two workspaces", () => {
  it("links through both bots; each bot shows its own workspace and notifies through itself", async () => {
    const a = await workspaceWithBot("Alpha");
    const b = await workspaceWithBot("Beta");
    await a.ws.owner.post("/v1/contacts", { name: "Alpha Client" });
    await b.ws.owner.post("/v1/contacts", { name: "Beta Client" });
    expect((await a.send(messageUpdate(rita, `/start ${await a.code()}`))).status).toBe(200);
    expect((await b.send(messageUpdate(rita, `/start ${await b.code()}`))).status).toBe(200);

    const links = await all<{ workspace_id: number; user_id: number; connection_id: number }>(
      "SELECT workspace_id, user_id, connection_id FROM chat_links WHERE external_user_id = ? AND workspace_id IN (?, ?) ORDER BY id",
      String(rita.id),
      a.ws.workspace.id,
      b.ws.workspace.id,
    );
    expect(links).toEqual([
      { workspace_id: a.ws.workspace.id, user_id: a.member.user.id, connection_id: a.bot.connection.id },
      { workspace_id: b.ws.workspace.id, user_id: b.member.user.id, connection_id: b.bot.connection.id },
    ]);

    await a.send(messageUpdate(rita, "/contact client"));
    await b.send(messageUpdate(rita, "/contact client"));
    expect((await sentTo(a.bot.botToken, rita.id)).pop()!.text).toBe("🔎 “client”:\n1. Alpha Client");
    expect((await sentTo(b.bot.botToken, rita.id)).pop()!.text).toBe("🔎 “client”:\n1. Beta Client");

    // A contact of Beta writes: Rita hears of it through Beta's bot only.
    await b.send(messageUpdate(ada, "hello Beta"));
    await eventually(() => sentTo(b.bot.botToken, rita.id), (sent) => sent.some((m) => m.text.startsWith("💬 Ada · telegram")));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await sentTo(a.bot.botToken, rita.id)).filter((m) => m.text.startsWith("💬"))).toEqual([]);
  });

  it("a code of another workspace changes nothing, and still works with its own bot", async () => {
    const a = await workspaceWithBot("Alpha");
    const b = await workspaceWithBot("Beta");
    await a.send(messageUpdate(rita, `/start ${await a.code()}`));
    const codeB = await b.code();
    await a.send(messageUpdate(rita, `/start ${codeB}`));
    expect((await sentTo(a.bot.botToken, rita.id)).pop()!.text).toMatch(/^That link belongs to another Parley workspace/);
    expect(await one("SELECT used_at FROM chat_link_codes WHERE user_id = ? AND used_at IS NULL", b.member.user.id)).toEqual({ used_at: null });
    const ours = "SELECT user_id FROM chat_links WHERE external_user_id = ? AND workspace_id IN (?, ?) ORDER BY id";
    expect(await all(ours, String(rita.id), a.ws.workspace.id, b.ws.workspace.id)).toEqual([{ user_id: a.member.user.id }]);
    expect(await all("SELECT id FROM events WHERE type_key = 'user.chat_linked' AND workspace_id = ?", b.ws.workspace.id)).toEqual([]);

    await b.send(messageUpdate(rita, `/start ${codeB}`));
    expect((await sentTo(b.bot.botToken, rita.id)).pop()!.text).toMatch(/^✅ Linked: you are Rita in Parley\./);
    expect(await all(ours, String(rita.id), a.ws.workspace.id, b.ws.workspace.id)).toEqual([
      { user_id: a.member.user.id },
      { user_id: b.member.user.id },
    ]);
  });

  it("a link from before links were per bot stands for the workspace's bot", async () => {
    const a = await workspaceWithBot("Alpha");
    await a.send(messageUpdate(rita, `/start ${await a.code()}`));
    await env.DB.prepare("UPDATE chat_links SET connection_id = NULL WHERE workspace_id = ?").bind(a.ws.workspace.id).run();
    await a.send(messageUpdate(rita, "/inbox"));
    expect((await sentTo(a.bot.botToken, rita.id)).pop()!.text).toBe("📭 Nothing unread.");
    await a.send(messageUpdate(ada, "still there?"));
    await eventually(() => sentTo(a.bot.botToken, rita.id), (sent) => sent.some((m) => m.text.startsWith("💬 Ada")));
  });
});

describe("the bot's menus", () => {
  it("contacts get /start when the bot connects; a rep gets the rep commands in their chat when they link", async () => {
    const a = await workspaceWithBot("Alpha");
    const [forContacts] = await telegramCalls(a.bot.botToken, "setMyCommands");
    expect(forContacts!.params).toEqual({ commands: [{ command: "start", description: "Start a conversation with us" }] });
    await a.send(messageUpdate(rita, `/start ${await a.code()}`));
    const [, forRita] = await telegramCalls(a.bot.botToken, "setMyCommands");
    expect(forRita!.params.scope).toEqual({ type: "chat", chat_id: rita.id });
    expect((forRita!.params.commands as { command: string }[]).map((c) => c.command)).toEqual([
      "inbox",
      "contact",
      "pins",
      "deal",
      "stats",
      "mute",
      "settings",
      "cancel",
      "help",
    ]);
  });
});
