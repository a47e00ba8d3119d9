// Tenancy and identity: workspaces, their users, API tokens, chat-account links, idempotency keys.
import { sql } from "drizzle-orm";
import { check, foreignKey, index, integer, sqliteTable, text, unique, uniqueIndex } from "drizzle-orm/sqlite-core";
import { chatPlatforms, now, oneOf, userRoles } from "./keys";

export const workspaces = sqliteTable("workspaces", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  /** ISO 3166 alpha-2 country used to read phone numbers written without a country code. */
  defaultCountry: text("default_country").notNull().default("US"),
  /** IANA time zone for day buckets in analytics. */
  timeZone: text("time_zone").notNull().default("UTC"),
  createdAt: integer("created_at").notNull().$defaultFn(now),
  updatedAt: integer("updated_at").notNull().$defaultFn(now),
});

export const users = sqliteTable(
  "users",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull().references(() => workspaces.id),
    name: text("name").notNull(),
    email: text("email").notNull(),
    role: text("role", { enum: userRoles }).notNull().default("member"),
    /** Set when an owner deactivates the user: their tokens stop working, nothing reaches them. */
    deactivatedAt: integer("deactivated_at"),
    /** E.164; the number a phone channel rings for this rep (PATCH /v1/me). */
    phone: text("phone"),
    createdAt: integer("created_at").notNull().$defaultFn(now),
    updatedAt: integer("updated_at").notNull().$defaultFn(now),
  },
  (t) => [
    unique("users_ws_id_uq").on(t.workspaceId, t.id),
    unique("users_ws_email_uq").on(t.workspaceId, t.email),
    check("users_role_ck", oneOf(t.role, userRoles)),
  ],
);

export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull(),
    userId: integer("user_id").notNull(),
    name: text("name"),
    /** SHA-256 of the token, hex. The token itself is shown once and never stored. */
    tokenHash: text("token_hash").notNull().unique(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
    createdAt: integer("created_at").notNull().$defaultFn(now),
  },
  (t) => [
    foreignKey({ columns: [t.workspaceId, t.userId], foreignColumns: [users.workspaceId, users.id] }),
    index("api_tokens_user_idx").on(t.workspaceId, t.userId),
  ],
);

/**
 * A Telegram or Discord account linked to a CRM user, through one bot: a person who is a rep in two
 * workspaces talks to two bots and is linked once through each.
 */
export const chatLinks = sqliteTable(
  "chat_links",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull(),
    userId: integer("user_id").notNull(),
    platformKey: text("platform_key", { enum: chatPlatforms }).notNull(),
    /**
     * The bot's connection the account linked through. Null for links made before links were per
     * bot: those stand for the workspace's current bot. (No foreign key: a plain ADD COLUMN, and
     * connections are disabled, never deleted.)
     */
    connectionId: integer("connection_id"),
    externalUserId: text("external_user_id").notNull(),
    /** Where the bot reaches the user (Telegram chat id); defaults to the user id. */
    externalChatId: text("external_chat_id"),
    /** No notifications until then (`/mute`). */
    mutedUntil: integer("muted_until"),
    /** Notify only of conversations the user takes part in. */
    onlyMine: integer("only_mine", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at").notNull().$defaultFn(now),
  },
  (t) => [
    foreignKey({ columns: [t.workspaceId, t.userId], foreignColumns: [users.workspaceId, users.id] }),
    uniqueIndex("chat_links_connection_external_uq").on(t.platformKey, t.connectionId, t.externalUserId),
    index("chat_links_external_idx").on(t.platformKey, t.externalUserId),
    unique("chat_links_user_platform_uq").on(t.workspaceId, t.userId, t.platformKey),
    check("chat_links_platform_ck", oneOf(t.platformKey, chatPlatforms)),
  ],
);

/** One-time codes a user redeems in a chat app (`/start <code>`, `/link <code>`). */
export const chatLinkCodes = sqliteTable(
  "chat_link_codes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull(),
    userId: integer("user_id").notNull(),
    platformKey: text("platform_key", { enum: chatPlatforms }).notNull(),
    codeHash: text("code_hash").notNull().unique(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
    createdAt: integer("created_at").notNull().$defaultFn(now),
  },
  (t) => [
    foreignKey({ columns: [t.workspaceId, t.userId], foreignColumns: [users.workspaceId, users.id] }),
    index("chat_link_codes_expires_idx").on(t.expiresAt),
    check("chat_link_codes_platform_ck", oneOf(t.platformKey, chatPlatforms)),
  ],
);

/** A Discord guild bound to a workspace by `/setup`. */
export const discordGuilds = sqliteTable("discord_guilds", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  workspaceId: integer("workspace_id").notNull().references(() => workspaces.id),
  guildId: text("guild_id").notNull().unique(),
  createdAt: integer("created_at").notNull().$defaultFn(now),
});

/**
 * Replay store for `Idempotency-Key`. `scope` is `user:<id>` or `admin`, so a key is private to
 * whoever sent it; the request hash detects a key reused with a different body.
 */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    statusCode: integer("status_code"),
    /**
     * The response to replay: with `responseIv`, AES-GCM ciphertext (ENCRYPTION_KEY) of
     * `{headers, body}` — responses carry secrets (new tokens, link codes) and are never stored in clear.
     */
    responseBody: text("response_body"),
    responseIv: text("response_iv"),
    createdAt: integer("created_at").notNull().$defaultFn(now),
  },
  (t) => [
    unique("idempotency_scope_key_uq").on(t.scope, t.key),
    index("idempotency_created_idx").on(t.createdAt),
    check("idempotency_status_ck", sql`${t.statusCode} IS NULL OR ${t.statusCode} BETWEEN 100 AND 599`),
  ],
);
