// Channel connections: a workspace's provider accounts, credentials sealed with AES-GCM.
import { and, asc, eq, isNull } from "drizzle-orm";
import { GrammyError } from "grammy";
import type { Db } from "../../db/client";
import { channelConnections } from "../../db/schema";
import type { Bindings, Caller } from "../../env";
import { decryptJson, encryptJson, randomToken } from "../../lib/crypto";
import { AppError, invalidField, notFound } from "../../lib/errors";
import { iso } from "../../lib/time";
import { setContactCommands } from "../../../bots/telegram/commands";
import { telegramApi } from "../../channels/telegram/telegram-api";
import { append } from "../events/event-log";

export type ConnectionRow = typeof channelConnections.$inferSelect;

export interface TelegramCredentials {
  botToken: string;
  /** The `secret_token` Telegram sends back in X-Telegram-Bot-Api-Secret-Token. */
  webhookSecret: string;
}

export interface TelegramConfig {
  botId: number;
  username: string;
  firstName: string;
}

export const webhookUrl = (env: Pick<Bindings, "PUBLIC_BASE_URL">, connection: Pick<ConnectionRow, "id" | "channelKey">) =>
  `${env.PUBLIC_BASE_URL.replace(/\/+$/, "")}/webhooks/${connection.channelKey}/${connection.id}`;

/** The connection's public facts, without the provider's raw account payload. */
function publicConfig(row: ConnectionRow): Record<string, unknown> {
  const { botInfo: _botInfo, ...config } = JSON.parse(row.configJson) as Record<string, unknown>;
  return config;
}

/** Whether Telegram can reach this Worker: only HTTPS origins get a webhook. */
export const receivesWebhooks = (env: Pick<Bindings, "PUBLIC_BASE_URL">) => env.PUBLIC_BASE_URL.startsWith("https://");

export const toChannelDto = (env: Bindings, row: ConnectionRow) => ({
  id: row.id,
  channelKey: row.channelKey,
  name: row.name,
  externalAccountId: row.externalAccountId,
  config: publicConfig(row),
  webhookUrl: webhookUrl(env, row),
  createdAt: iso(row.createdAt),
});

export async function credentialsOf<T>(env: Bindings, row: ConnectionRow): Promise<T> {
  return decryptJson<T>(env.ENCRYPTION_KEY, { ciphertext: row.credentialsCiphertext, iv: row.credentialsIv });
}

const live = (workspaceId: number) => and(eq(channelConnections.workspaceId, workspaceId), isNull(channelConnections.disabledAt));

export async function listChannels(db: Db, workspaceId: number) {
  return db.select().from(channelConnections).where(live(workspaceId)).orderBy(asc(channelConnections.id));
}

/** A live connection by id, in any workspace: webhooks arrive without a user. */
export async function findLiveConnection(db: Db, id: number): Promise<ConnectionRow | undefined> {
  const [row] = await db
    .select()
    .from(channelConnections)
    .where(and(eq(channelConnections.id, id), isNull(channelConnections.disabledAt)));
  return row;
}

/** The workspace's live connection for a channel (the newest, if several). */
export async function connectionForChannel(db: Db, workspaceId: number, channelKey: ConnectionRow["channelKey"]) {
  const rows = await db
    .select()
    .from(channelConnections)
    .where(and(live(workspaceId), eq(channelConnections.channelKey, channelKey)))
    .orderBy(asc(channelConnections.id));
  return rows[rows.length - 1];
}

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

/** Check the token (getMe), store it sealed, and point the bot's webhook at this connection. */
export async function connectTelegram(db: Db, env: Bindings, caller: Caller, input: { botToken: string; name?: string }) {
  const api = telegramApi(env, input.botToken);
  const me = await api.getMe().catch((error: unknown) => {
    throw providerError(error, "body.botToken");
  });
  const [taken] = await db
    .select({ id: channelConnections.id })
    .from(channelConnections)
    .where(
      and(
        eq(channelConnections.channelKey, "telegram"),
        eq(channelConnections.externalAccountId, String(me.id)),
        isNull(channelConnections.disabledAt),
      ),
    );
  if (taken) throw new AppError("conflict", `bot @${me.username} is already connected`, [{ path: "body.botToken", message: "already connected" }]);

  const credentials: TelegramCredentials = { botToken: input.botToken, webhookSecret: randomToken("", 32) };
  const config: TelegramConfig = { botId: me.id, username: me.username, firstName: me.first_name };
  const sealed = await encryptJson(env.ENCRYPTION_KEY, credentials);
  const now = Date.now();
  // Inserted disabled (it needs its id for the webhook URL), and enabled together with its event
  // once Telegram has accepted the webhook.
  const [[row]] = await db.batch([
    db
      .insert(channelConnections)
      .values({
        workspaceId: caller.workspaceId,
        channelKey: "telegram",
        name: input.name ?? `@${me.username}`,
        credentialsCiphertext: sealed.ciphertext,
        credentialsIv: sealed.iv,
        configJson: JSON.stringify({ ...config, botInfo: me }),
        externalAccountId: String(me.id),
        disabledAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .returning(),
  ]);
  const pending = row!;
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
    // The command menu contacts see; a rep's own menu is set when they link. A menu is a courtesy:
    // a bot without one still works.
    await setContactCommands(api).catch((error: unknown) => {
      console.warn(JSON.stringify({ connectionId: pending.id, setMyCommands: "failed", error: error instanceof Error ? error.message : String(error) }));
    });
  } catch (error) {
    // Without a webhook the connection would silently receive nothing: undo it.
    await db.delete(channelConnections).where(eq(channelConnections.id, pending.id));
    throw providerError(error, "body.botToken");
  }
  const [[connection]] = await db.batch([
    db.update(channelConnections).set({ disabledAt: null }).where(eq(channelConnections.id, pending.id)).returning(),
    append(db, {
      workspaceId: caller.workspaceId,
      typeKey: "channel.connected",
      entityTypeKey: "channel_connection",
      entityId: pending.id,
      actorUserId: caller.userId,
      payload: { channelKey: "telegram", username: me.username },
      createdAt: now,
    }),
  ]);
  return connection!;
}

export async function disconnectChannel(db: Db, env: Bindings, caller: Caller, id: number): Promise<void> {
  const [row] = await db
    .select()
    .from(channelConnections)
    .where(and(live(caller.workspaceId), eq(channelConnections.id, id)));
  if (!row) throw notFound("channel connection");
  if (row.channelKey === "telegram") {
    const { botToken } = await credentialsOf<TelegramCredentials>(env, row);
    // Best effort: a bot whose token was revoked meanwhile must still be disconnectable.
    await telegramApi(env, botToken)
      .deleteWebhook()
      .catch(() => undefined);
  }
  const now = Date.now();
  await db.batch([
    db.update(channelConnections).set({ disabledAt: now, updatedAt: now }).where(eq(channelConnections.id, id)),
    append(db, {
      workspaceId: caller.workspaceId,
      typeKey: "channel.disconnected",
      entityTypeKey: "channel_connection",
      entityId: id,
      actorUserId: caller.userId,
      payload: { channelKey: row.channelKey },
      createdAt: now,
    }),
  ]);
}
