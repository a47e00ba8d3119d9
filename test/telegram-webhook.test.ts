import { describe, expect, it } from "vitest";
import { newWorkspace } from "./helpers/api";
import { count, one } from "./helpers/db";
import { connectBot, messageUpdate, postUpdate, telegramCalls } from "./helpers/telegram";

const rita = { id: 424242, first_name: "Rita", username: "rita_rep" };

describe("Telegram webhook", () => {
  it("refuses a wrong or missing secret token and stores nothing", async () => {
    const { owner } = await newWorkspace();
    const bot = await connectBot(owner);
    const update = messageUpdate(rita, "hello");
    expect((await postUpdate(bot.connection, null, update)).status).toBe(401);
    expect((await postUpdate(bot.connection, "wrong", update)).status).toBe(401);
    expect(await count("SELECT count(*) AS n FROM channel_updates WHERE connection_id = ?", bot.connection.id)).toBe(0);
    expect((await postUpdate({ id: 999999 }, bot.secret, update)).status).toBe(404);
  });

  it("links a rep with /start <code>, once", async () => {
    const ws = await newWorkspace();
    const bot = await connectBot(ws.owner);
    const rep = await ws.member("Rita");
    const { code } = (await rep.api.post("/v1/me/telegram-link")).body;

    const res = await postUpdate(bot.connection, bot.secret, messageUpdate(rita, `/start ${code}`));
    expect(res.status).toBe(200);
    const link = await one<{ user_id: number; external_chat_id: string }>(
      "SELECT user_id, external_chat_id FROM chat_links WHERE external_user_id = ?",
      String(rita.id),
    );
    expect(link).toEqual({ user_id: rep.user.id, external_chat_id: String(rita.id) });
    const replies = await telegramCalls(bot.botToken, "sendMessage");
    expect(replies[0]!.params).toMatchObject({ chat_id: rita.id });
    expect(String(replies[0]!.params.text)).toContain("Linked: you are Rita");

    const other = { id: 515151, first_name: "Mallory" };
    await postUpdate(bot.connection, bot.secret, messageUpdate(other, `/start ${code}`));
    const again = await telegramCalls(bot.botToken, "sendMessage");
    expect(String(again[1]!.params.text)).toContain("already used");
    expect(await count("SELECT count(*) AS n FROM chat_links WHERE external_user_id = ?", String(other.id))).toBe(0);
  });

  it("does nothing for an update_id it has seen", async () => {
    const ws = await newWorkspace();
    const bot = await connectBot(ws.owner);
    const rep = await ws.member("Rita");
    const { code } = (await rep.api.post("/v1/me/telegram-link")).body;
    const update = messageUpdate(rita, `/start ${code}`);
    expect((await postUpdate(bot.connection, bot.secret, update)).status).toBe(200);
    expect((await postUpdate(bot.connection, bot.secret, update)).status).toBe(200);
    expect(await telegramCalls(bot.botToken, "sendMessage")).toHaveLength(1);
    expect(await count("SELECT count(*) AS n FROM channel_updates WHERE connection_id = ?", bot.connection.id)).toBe(1);
  });
});
