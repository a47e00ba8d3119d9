// Provider accounts a workspace connects (a Telegram bot, a WhatsApp number, a Twilio account…).
import { check, index, integer, sqliteTable, text, unique } from "drizzle-orm/sqlite-core";
import { connectionChannels, now, oneOf } from "./keys";
import { workspaces } from "./workspaces";

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
