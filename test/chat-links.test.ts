import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../src/db/client";
import { redeemLinkCode } from "../src/modules/chat-links/chat-links.service";
import { newWorkspace } from "./helpers/api";
import { one } from "./helpers/db";
import { expectError, expectUnauthorized } from "./helpers/security";
import { newBotToken } from "./helpers/telegram";

describe("POST /v1/me/telegram-link", () => {
  it("needs a connected bot", async () => {
    const { owner } = await newWorkspace();
    expectError(await owner.post("/v1/me/telegram-link"), 409, "conflict");
  });

  it("hands out a one-time code and deep link; the code links once, before it expires", async () => {
    const ws = await newWorkspace();
    const botToken = newBotToken();
    const connection = (await ws.owner.post("/v1/channels", { channelKey: "telegram", botToken })).body;
    const bot = { platform: "telegram" as const, connectionId: connection.id as number, workspaceId: ws.workspace.id };
    const rep = await ws.member();
    const res = await rep.api.post("/v1/me/telegram-link");
    expect(res.status).toBe(201);
    expect(res.body.code).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(res.body.deepLink).toBe(`https://t.me/bot${botToken.split(":")[0]}_bot?start=${res.body.code}`);
    expect(Date.parse(res.body.expiresAt) - Date.now()).toBeGreaterThan(14 * 60_000);

    const db = createDb(env.DB);
    const linked = await redeemLinkCode(db, bot, res.body.code, "5550001", "5550001");
    expect(linked).toMatchObject({ ok: true, userId: rep.user.id, workspaceId: ws.workspace.id });
    expect(await redeemLinkCode(db, bot, res.body.code, "5550002", "5550002")).toEqual({ ok: false, reason: "used" });
    expect(await redeemLinkCode(db, bot, "no-such-code", "5550002", "5550002")).toEqual({ ok: false, reason: "unknown" });
    const link = await one<{ user_id: number }>("SELECT user_id FROM chat_links WHERE external_user_id = '5550001'");
    expect(link.user_id).toBe(rep.user.id);

    const stale = await rep.api.post("/v1/me/telegram-link");
    await env.DB.prepare("UPDATE chat_link_codes SET expires_at = 1 WHERE user_id = ? AND used_at IS NULL").bind(rep.user.id).run();
    expect(await redeemLinkCode(db, bot, stale.body.code, "5550003", "5550003")).toEqual({ ok: false, reason: "expired" });
  });

  it("needs a token", async () => {
    await expectUnauthorized("POST", "/v1/me/telegram-link");
  });
});
