// POST /v1/me/telegram-link: a one-time code and deep link to link the caller's Telegram account.
import { createRoute, z } from "@hono/zod-openapi";
import { AppError } from "../../lib/errors";
import { bearerSecurity, commonErrors, errorResponses, jsonResponse } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { iso } from "../../lib/time";
import { connectionForChannel } from "../channels-config/channels.service";
import { createLinkCode } from "./chat-links.service";

const LinkSchema = z
  .object({
    code: z.string(),
    expiresAt: z.string(),
    deepLink: z.string().openapi({ example: "https://t.me/parley_bot?start=abc" }),
  })
  .openapi("TelegramLink");

const telegramLinkRoute = createRoute({
  method: "post",
  path: "/me/telegram-link",
  tags: ["Users"],
  summary: "A one-time code (15 min) to link the caller's Telegram account: open the deep link, or send `/start <code>` to the bot",
  security: bearerSecurity,
  responses: { 201: jsonResponse(LinkSchema, "The code"), ...commonErrors, ...errorResponses(409) },
});

const DiscordLinkSchema = z
  .object({
    code: z.string(),
    expiresAt: z.string(),
    command: z.string().openapi({ example: "/link code:abc" }),
  })
  .openapi("DiscordLink");

const discordLinkRoute = createRoute({
  method: "post",
  path: "/me/discord-link",
  tags: ["Users"],
  summary: "A one-time code (15 min) to link the caller's Discord account: run `/link code:<code>` with the workspace's Discord bot",
  security: bearerSecurity,
  responses: { 201: jsonResponse(DiscordLinkSchema, "The code"), ...commonErrors, ...errorResponses(409) },
});

export const chatLinksRouter = createRouter().openapi(telegramLinkRoute, async (c) => {
  const { db, caller } = c.var;
  const connection = await connectionForChannel(db, caller.workspaceId, "telegram");
  if (!connection) throw new AppError("conflict", "this workspace has no Telegram bot connected; an owner connects one with POST /v1/channels");
  const { username } = JSON.parse(connection.configJson) as { username: string };
  const { code, expiresAt } = await createLinkCode(db, caller, "telegram");
  return c.json({ code, expiresAt: iso(expiresAt), deepLink: `https://t.me/${username}?start=${code}` }, 201);
})
  .openapi(discordLinkRoute, async (c) => {
    const { db, caller } = c.var;
    const connection = await connectionForChannel(db, caller.workspaceId, "discord");
    if (!connection) throw new AppError("conflict", "this workspace has no Discord application connected; an owner connects one with POST /v1/channels");
    const { code, expiresAt } = await createLinkCode(db, caller, "discord");
    return c.json({ code, expiresAt: iso(expiresAt), command: `/link code:${code}` }, 201);
  });
