// POST /webhooks/telegram/{connectionId}: verify Telegram's secret token (constant time, before
// the body is parsed), then hand the update to the connection's grammY bot.
import { Hono } from "hono";
import { webhookCallback } from "grammy";
import { createBot } from "../../../bots/telegram/create-bot";
import type { AppEnv } from "../../env";
import { timingSafeEqual } from "../../lib/crypto";
import { AppError, notFound } from "../../lib/errors";
import { credentialsOf, findLiveConnection, type TelegramCredentials } from "../../modules/channels-config/channels.service";

export const telegramWebhook = new Hono<AppEnv>().post("/webhooks/telegram/:connectionId{[0-9]+}", async (c) => {
  const connection = await findLiveConnection(c.var.db, Number(c.req.param("connectionId")));
  if (!connection || connection.channelKey !== "telegram") throw notFound("webhook");
  const credentials = await credentialsOf<TelegramCredentials>(c.env, connection);
  const presented = c.req.header("x-telegram-bot-api-secret-token") ?? "";
  if (!timingSafeEqual(presented, credentials.webhookSecret)) {
    throw new AppError("unauthorized", "wrong or missing X-Telegram-Bot-Api-Secret-Token");
  }
  const bot = createBot(c.env, c.var.db, connection, credentials.botToken);
  return webhookCallback(bot, "hono", { secretToken: credentials.webhookSecret })(c);
});
