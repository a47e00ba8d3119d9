// Channel connections: a workspace's provider accounts, credentials sealed with AES-GCM. What is
// the same for every provider lives here (sealing, listing, the pending → live life cycle, the
// webhook URLs, routing a reply to an account); what a provider needs to connect lives in its
// adapter's `connect` (src/channels/<provider>/).
import { and, asc, desc, eq, isNull } from "drizzle-orm";
import type { ConnectionChannel, ConnectionRow } from "../../channels/channel-adapter";
import { connectableAdapters, getAdapter } from "../../channels/registry";
import type { Db } from "../../db/client";
import { channelConnections } from "../../db/schema";
import type { Bindings, Caller } from "../../env";
import { decryptJson, encryptJson } from "../../lib/crypto";
import { AppError, notFound } from "../../lib/errors";
import { iso } from "../../lib/time";
import { append } from "../events/event-log";

export type { ConnectionRow };
// Kept here while the bots import it from this module; the type lives with its provider.
export type { TelegramCredentials } from "../../channels/telegram/telegram-credentials";

/** The URL a provider calls for this connection; providers with several callbacks add sub-paths. */
export const webhookUrl = (env: Pick<Bindings, "PUBLIC_BASE_URL">, connection: Pick<ConnectionRow, "id" | "channelKey">) =>
  `${env.PUBLIC_BASE_URL.replace(/\/+$/, "")}/webhooks/${connection.channelKey}/${connection.id}`;

/** The connection's public facts, without the provider's raw account payload. */
function publicConfig(row: ConnectionRow): Record<string, unknown> {
  const { botInfo: _botInfo, ...config } = JSON.parse(row.configJson) as Record<string, unknown>;
  return config;
}

/** Every URL the owner pastes into the provider's console. */
export function webhookUrlsOf(env: Pick<Bindings, "PUBLIC_BASE_URL">, row: ConnectionRow): Record<string, string> {
  const base = webhookUrl(env, row);
  return getAdapter(row.channelKey)?.webhookUrls?.(base, row) ?? {};
}

export const toChannelDto = (env: Bindings, row: ConnectionRow, showOnce: Record<string, string> = {}) => ({
  id: row.id,
  channelKey: row.channelKey,
  name: row.name,
  externalAccountId: row.externalAccountId,
  config: { ...publicConfig(row), ...showOnce },
  webhookUrl: webhookUrl(env, row),
  webhookUrls: webhookUrlsOf(env, row),
  createdAt: iso(row.createdAt),
});

/**
 * Decrypted credentials, remembered per isolate by their ciphertext's IV (a fresh one each time
 * they are sealed): a sealed value never changes, so there is nothing to invalidate, and a busy
 * webhook does not decrypt the same secret on every request.
 */
const openedCredentials = new Map<string, unknown>();
const MAX_OPENED = 1_000;

export async function credentialsOf<T>(env: Bindings, row: ConnectionRow): Promise<T> {
  const key = `${row.id}:${row.credentialsIv}`;
  if (openedCredentials.has(key)) return openedCredentials.get(key) as T;
  const credentials = await decryptJson<T>(env.ENCRYPTION_KEY, { ciphertext: row.credentialsCiphertext, iv: row.credentialsIv });
  if (openedCredentials.size >= MAX_OPENED) openedCredentials.delete(openedCredentials.keys().next().value!);
  openedCredentials.set(key, credentials);
  return credentials;
}

const live = (workspaceId: number) => and(eq(channelConnections.workspaceId, workspaceId), isNull(channelConnections.disabledAt));

export async function listChannels(db: Db, workspaceId: number) {
  return db.select().from(channelConnections).where(live(workspaceId)).orderBy(asc(channelConnections.id));
}

/**
 * Live connections the webhook road looked up, per isolate, for a few seconds: a provider
 * posting many notifications a second does not read its connection each time. Disconnecting
 * forgets it at once in this isolate; another isolate may accept the account's webhooks for up to
 * this long after the owner disconnected it (they are stored as if they had come just before).
 */
const WEBHOOK_CONNECTION_TTL_MS = 5_000;
const webhookConnections = new Map<number, { row: ConnectionRow; until: number }>();

export async function findWebhookConnection(db: Db, id: number, now = Date.now()): Promise<ConnectionRow | undefined> {
  const cached = webhookConnections.get(id);
  if (cached && cached.until > now) return cached.row;
  const row = await findLiveConnection(db, id);
  if (webhookConnections.size >= MAX_OPENED) webhookConnections.delete(webhookConnections.keys().next().value!);
  if (row) webhookConnections.set(id, { row, until: now + WEBHOOK_CONNECTION_TTL_MS });
  else webhookConnections.delete(id);
  return row;
}

/** A live connection by id, in any workspace: webhooks arrive without a user. */
export async function findLiveConnection(db: Db, id: number): Promise<ConnectionRow | undefined> {
  const [row] = await db
    .select()
    .from(channelConnections)
    .where(and(eq(channelConnections.id, id), isNull(channelConnections.disabledAt)));
  return row;
}

/**
 * The live connection of a provider account, in any workspace: for providers that address an
 * account rather than a connection URL (an e-mail address receiving mail).
 */
export async function findLiveConnectionByAccount(db: Db, channelKey: ConnectionChannel, externalAccountId: string): Promise<ConnectionRow | undefined> {
  const [row] = await db
    .select()
    .from(channelConnections)
    .where(and(eq(channelConnections.channelKey, channelKey), eq(channelConnections.externalAccountId, externalAccountId), isNull(channelConnections.disabledAt)))
    .orderBy(desc(channelConnections.id))
    .limit(1);
  return row;
}

/** The workspace's live connection for a channel (the newest, if several). */
export async function connectionForChannel(db: Db, workspaceId: number, channelKey: ConnectionChannel): Promise<ConnectionRow | undefined> {
  const [row] = await db
    .select()
    .from(channelConnections)
    .where(and(live(workspaceId), eq(channelConnections.channelKey, channelKey)))
    .orderBy(desc(channelConnections.id))
    .limit(1);
  return row;
}

/**
 * The account a message to a contact leaves through: the first of `preferred` (the connection the
 * contact last wrote in through, then the one their identity was seen on) that is still live in
 * the workspace, else the channel's newest live connection.
 */
export async function routeConnection(
  db: Db,
  workspaceId: number,
  channelKey: ConnectionChannel,
  preferred: (number | null | undefined)[],
): Promise<ConnectionRow | undefined> {
  for (const id of preferred) {
    if (!id) continue;
    const [row] = await db
      .select()
      .from(channelConnections)
      .where(and(live(workspaceId), eq(channelConnections.channelKey, channelKey), eq(channelConnections.id, id)));
    if (row) return row;
  }
  return connectionForChannel(db, workspaceId, channelKey);
}

/** 409 when a provider account is already connected (in any workspace): its webhooks could not tell them apart. */
export async function assertAccountFree(db: Db, channelKey: ConnectionChannel, externalAccountId: string, field: string, what: string) {
  const [taken] = await db
    .select({ id: channelConnections.id })
    .from(channelConnections)
    .where(
      and(
        eq(channelConnections.channelKey, channelKey),
        eq(channelConnections.externalAccountId, externalAccountId),
        isNull(channelConnections.disabledAt),
      ),
    );
  if (taken) throw new AppError("conflict", `${what} is already connected`, [{ path: field, message: "already connected" }]);
}

export interface NewConnection {
  channelKey: ConnectionChannel;
  name: string;
  credentials: unknown;
  config: Record<string, unknown>;
  externalAccountId: string | null;
}

/**
 * Store a connection that is not live yet: it has its id (and so its webhook URL) for the
 * provider's set-up calls, and receives nothing until `enableConnection`.
 */
export async function insertPendingConnection(db: Db, env: Bindings, caller: Caller, input: NewConnection): Promise<ConnectionRow> {
  const sealed = await encryptJson(env.ENCRYPTION_KEY, input.credentials);
  const now = Date.now();
  const [row] = await db
    .insert(channelConnections)
    .values({
      workspaceId: caller.workspaceId,
      channelKey: input.channelKey,
      name: input.name,
      credentialsCiphertext: sealed.ciphertext,
      credentialsIv: sealed.iv,
      configJson: JSON.stringify(input.config),
      externalAccountId: input.externalAccountId,
      disabledAt: now,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return row!;
}

/** A pending connection whose provider set-up failed leaves no trace. */
export async function discardPendingConnection(db: Db, pending: ConnectionRow): Promise<void> {
  await db.delete(channelConnections).where(and(eq(channelConnections.id, pending.id), eq(channelConnections.disabledAt, pending.disabledAt ?? -1)));
}

/** Make a pending connection live, together with its `channel.connected` event. */
export async function enableConnection(db: Db, caller: Caller, pending: ConnectionRow, eventPayload: Record<string, unknown> = {}): Promise<ConnectionRow> {
  const now = Date.now();
  const [[connection]] = await db.batch([
    db.update(channelConnections).set({ disabledAt: null, updatedAt: now }).where(eq(channelConnections.id, pending.id)).returning(),
    append(db, {
      workspaceId: caller.workspaceId,
      typeKey: "channel.connected",
      entityTypeKey: "channel_connection",
      entityId: pending.id,
      actorUserId: caller.userId,
      payload: { channelKey: pending.channelKey, ...eventPayload },
      createdAt: now,
    }),
  ]);
  return connection!;
}

/** Connect an account through its channel's adapter (the body was validated by the adapter's schema). */
export async function connectChannel(db: Db, env: Bindings, caller: Caller, body: { channelKey: string }) {
  const adapter = connectableAdapters().find((a) => a.channel === body.channelKey);
  if (!adapter) throw new AppError("validation_failed", `${body.channelKey} cannot be connected`, [{ path: "body.channelKey", message: "not connectable" }]);
  return adapter.connect.connect({ db, env, caller }, body);
}

export async function disconnectChannel(db: Db, env: Bindings, caller: Caller, id: number): Promise<void> {
  const [row] = await db
    .select()
    .from(channelConnections)
    .where(and(live(caller.workspaceId), eq(channelConnections.id, id)));
  if (!row) throw notFound("channel connection");
  // Best effort: an account whose credentials were revoked meanwhile must still be disconnectable.
  await getAdapter(row.channelKey)
    ?.connect?.disconnect?.({ db, env, connection: row })
    .catch((error: unknown) => console.warn(JSON.stringify({ disconnect: row.id, error: String(error) })));
  const now = Date.now();
  webhookConnections.delete(id);
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
