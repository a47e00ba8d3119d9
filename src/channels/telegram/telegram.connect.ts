// Connecting a Telegram bot: check the token (getMe), store it sealed, point the bot's webhook at
// the connection (or, on a local plain-HTTP origin, clear it for the polling bridge).
import { z } from "@hono/zod-openapi";
import { GrammyError } from "grammy";
import { AppError, invalidField } from "../../lib/errors";
import {
  assertAccountFree,
  credentialsOf,
  discardPendingConnection,
  enableConnection,
  insertPendingConnection,
  webhookUrl,
} from "../../modules/channels-config/channels.service";
import { randomToken } from "../../lib/crypto";
import type { ConnectHandlers } from "../channel-adapter";
import { telegramApi } from "./telegram-api";
import type { TelegramConfig, TelegramCredentials } from "./telegram-credentials";

export const ConnectTelegramBody = z
  .object({
    channelKey: z.literal("telegram"),
    botToken: z
      .string()
      .trim()
      .regex(/^\d+:[A-Za-z0-9_-]{5,}$/, "a bot token looks like 123456:ABC-DEF…")
      .openapi({ description: "From @BotFather" }),
    name: z.string().trim().min(1).max(100).optional(),
  })
  .openapi("ConnectTelegram");

/** Whether Telegram can reach this Worker: only HTTPS origins get a webhook. */
export const receivesWebhooks = (env: { PUBLIC_BASE_URL: string }) => env.PUBLIC_BASE_URL.startsWith("https://");

function providerError(error: unknown, field: string): AppError {
  if (error instanceof GrammyError && (error.error_code === 401 || error.error_code === 404)) {
    return invalidField(field, `Telegram refused the bot token (${error.description})`);
  }
  if (error instanceof GrammyError) {
    return new AppError("upstream_error", `Telegram refused the request (${error.error_code}: ${error.description})`);
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new AppError("upstream_error", `Telegram could not be reached: ${reason}`);
}

export const telegramConnect: ConnectHandlers<typeof ConnectTelegramBody> = {
  body: ConnectTelegramBody,
  async connect({ db, env, caller }, input) {
    const api = telegramApi(env, input.botToken);
    const me = await api.getMe().catch((error: unknown) => {
      throw providerError(error, "body.botToken");
    });
    await assertAccountFree(db, "telegram", String(me.id), "body.botToken", `bot @${me.username}`);
    const credentials: TelegramCredentials = { botToken: input.botToken, webhookSecret: randomToken("", 32) };
    const config: TelegramConfig = { botId: me.id, username: me.username, firstName: me.first_name, botInfo: me };
    const pending = await insertPendingConnection(db, env, caller, {
      channelKey: "telegram",
      name: input.name ?? `@${me.username}`,
      credentials,
      config: { ...config },
      externalAccountId: String(me.id),
    });
    try {
      if (receivesWebhooks(env)) {
        await api.setWebhook(webhookUrl(env, pending), {
          secret_token: credentials.webhookSecret,
          allowed_updates: ["message", "edited_message", "callback_query"],
          drop_pending_updates: false,
        });
      } else {
        // Telegram only calls HTTPS webhooks. A local Worker gets its updates from the polling
        // bridge (npm run telegram:poll), and getUpdates refuses to run while a webhook is set.
        await api.deleteWebhook();
      }
    } catch (error) {
      // Without a webhook the connection would silently receive nothing: undo it.
      await discardPendingConnection(db, pending);
      throw providerError(error, "body.botToken");
    }
    return { connection: await enableConnection(db, caller, pending, { username: me.username }) };
  },
  async disconnect({ env, connection }) {
    const { botToken } = await credentialsOf<TelegramCredentials>(env, connection);
    await telegramApi(env, botToken).deleteWebhook();
  },
};
