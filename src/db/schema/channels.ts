// Provider accounts a workspace connects (a Telegram bot, a WhatsApp number, a Twilio account…).
import { sql } from "drizzle-orm";
import { check, foreignKey, index, integer, sqliteTable, text, unique, uniqueIndex } from "drizzle-orm/sqlite-core";
import { chatPlatforms, connectionChannels, now, oneOf } from "./keys";
import { users, workspaces } from "./workspaces";

export const channelConnections = sqliteTable(
  "channel_connections",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull().references(() => workspaces.id),
    channelKey: text("channel_key", { enum: connectionChannels }).notNull(),
    name: text("name").notNull(),
    /** AES-GCM ciphertext of the credentials JSON, base64; key from the ENCRYPTION_KEY secret. */
    credentialsCiphertext: text("credentials_ciphertext").notNull(),
    credentialsIv: text("credentials_iv").notNull(),
    /** Public, non-secret facts (bot username, phone number id). */
    configJson: text("config_json").notNull().default("{}"),
    /** Provider-side account id used to route webhooks (bot id, phone number id, account SID). */
    externalAccountId: text("external_account_id"),
    disabledAt: integer("disabled_at"),
    createdAt: integer("created_at").notNull().$defaultFn(now),
    updatedAt: integer("updated_at").notNull().$defaultFn(now),
  },
  (t) => [
    unique("channel_connections_ws_id_uq").on(t.workspaceId, t.id),
    index("channel_connections_ws_channel_idx").on(t.workspaceId, t.channelKey),
    index("channel_connections_external_idx").on(t.channelKey, t.externalAccountId),
    check("channel_connections_channel_ck", oneOf(t.channelKey, connectionChannels)),
  ],
);

/**
 * Provider updates already accepted, per connection (Telegram `update_id`): a provider's retry
 * of the same update does nothing twice.
 */
export const channelUpdates = sqliteTable(
  "channel_updates",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull().references(() => workspaces.id),
    connectionId: integer("connection_id").notNull(),
    updateId: text("update_id").notNull(),
    receivedAt: integer("received_at").notNull().$defaultFn(now),
  },
  (t) => [
    foreignKey({
      columns: [t.workspaceId, t.connectionId],
      foreignColumns: [channelConnections.workspaceId, channelConnections.id],
    }),
    unique("channel_updates_connection_update_uq").on(t.connectionId, t.updateId),
    index("channel_updates_received_idx").on(t.receivedAt),
  ],
);

export const notificationPurposes = ["notification", "reply_prompt"] as const;

/**
 * A message shown to a rep in a chat app: the notification of an inbound message, or the
 * "reply to …" prompt its Reply button opens. Maps the chat message back to the conversation for
 * replies, and makes notifying idempotent per (message, user).
 *
 * A chat message is identified by the bot that sent it as well: Telegram numbers messages per
 * chat, a chat is between one bot and one user, and its id is the user's id — so two bots
 * talking to the same person hand out the same message ids.
 */
export const chatNotifications = sqliteTable(
  "chat_notifications",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull().references(() => workspaces.id),
    userId: integer("user_id").notNull(),
    platformKey: text("platform_key", { enum: chatPlatforms }).notNull(),
    /** The bot's connection (Telegram); null where chat message ids are global (Discord). */
    connectionId: integer("connection_id"),
    purposeKey: text("purpose_key", { enum: notificationPurposes }).notNull().default("notification"),
    chatId: text("chat_id").notNull(),
    /** Null until the chat app has accepted the message. */
    chatMessageId: text("chat_message_id"),
    conversationId: integer("conversation_id").notNull(),
    messageId: integer("message_id").notNull(),
    createdAt: integer("created_at").notNull().$defaultFn(now),
  },
  (t) => [
    uniqueIndex("chat_notifications_once_uq")
      .on(t.messageId, t.userId, t.platformKey)
      .where(sql`${t.purposeKey} = 'notification'`),
    foreignKey({
      columns: [t.workspaceId, t.connectionId],
      foreignColumns: [channelConnections.workspaceId, channelConnections.id],
    }),
    uniqueIndex("chat_notifications_chat_message_uq").on(t.platformKey, t.connectionId, t.chatId, t.chatMessageId),
    check("chat_notifications_platform_ck", oneOf(t.platformKey, chatPlatforms)),
    check("chat_notifications_purpose_ck", oneOf(t.purposeKey, notificationPurposes)),
    check("chat_notifications_telegram_bot_ck", sql`${t.platformKey} <> 'telegram' OR ${t.connectionId} IS NOT NULL`),
  ],
);

/**
 * A question a bot asked a user in a chat, waiting for their typed answer: the text of a reply,
 * a lost deal's reason, a new deal's title. The next text the user sends in that chat (or their
 * reply to the question) answers the newest open one; `actionKey` and `argsJson` say what the
 * answer is for.
 */
export const chatPrompts = sqliteTable(
  "chat_prompts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull(),
    userId: integer("user_id").notNull(),
    platformKey: text("platform_key", { enum: chatPlatforms }).notNull(),
    /** The bot's connection; null where chat ids are global (Discord). */
    connectionId: integer("connection_id"),
    chatId: text("chat_id").notNull(),
    /** The question's message in the chat, once the chat app has accepted it. */
    chatMessageId: text("chat_message_id"),
    actionKey: text("action_key").notNull(),
    argsJson: text("args_json").notNull().default("[]"),
    expiresAt: integer("expires_at").notNull(),
    /** Answered or given up (`/cancel`, or a newer question). */
    closedAt: integer("closed_at"),
    createdAt: integer("created_at").notNull().$defaultFn(now),
  },
  (t) => [
    foreignKey({ columns: [t.workspaceId, t.userId], foreignColumns: [users.workspaceId, users.id] }),
    index("chat_prompts_chat_idx").on(t.platformKey, t.connectionId, t.chatId, t.userId, t.id),
    check("chat_prompts_platform_ck", oneOf(t.platformKey, chatPlatforms)),
  ],
);

/**
 * The line in a user's chat that follows a message they sent from the chat ("⏳ Sending…",
 * then "✓ Sent" or why not), edited as its delivery moves on.
 */
export const chatSentNotices = sqliteTable(
  "chat_sent_notices",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull(),
    userId: integer("user_id").notNull(),
    platformKey: text("platform_key", { enum: chatPlatforms }).notNull(),
    connectionId: integer("connection_id"),
    chatId: text("chat_id").notNull(),
    chatMessageId: text("chat_message_id").notNull(),
    /** The user's outbound message. */
    messageId: integer("message_id").notNull(),
    createdAt: integer("created_at").notNull().$defaultFn(now),
  },
  (t) => [
    foreignKey({ columns: [t.workspaceId, t.userId], foreignColumns: [users.workspaceId, users.id] }),
    uniqueIndex("chat_sent_notices_message_uq").on(t.messageId, t.userId, t.platformKey),
    check("chat_sent_notices_platform_ck", oneOf(t.platformKey, chatPlatforms)),
  ],
);
