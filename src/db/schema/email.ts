// E-mail threading: the Message-IDs of the mail Parley sent. A contact's reply names them in
// In-Reply-To / References, and that finds its conversation. Inbound Message-IDs are the
// messages' externalId; these are the outbound half.
import { foreignKey, index, integer, sqliteTable, text, unique } from "drizzle-orm/sqlite-core";
import { channelConnections } from "./channels";
import { deliveries, messages } from "./conversations";
import { now } from "./keys";

export const emailOutboundIds = sqliteTable(
  "email_outbound_ids",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull(),
    /** The e-mail connection the mail left through: replies are matched within it. */
    connectionId: integer("connection_id").notNull(),
    /** The Parley message the mail carried. */
    messageId: integer("message_id").notNull(),
    /** The attempt that sent it: a bounce for this Message-ID fails that delivery. */
    deliveryId: integer("delivery_id").references(() => deliveries.id),
    /** `<id@domain>` as Parley set it, or as the provider reported it when it chose its own. */
    headerId: text("header_id").notNull(),
    /** The address it was sent to: a bounce or complaint about it names this identity. */
    recipient: text("recipient").notNull(),
    /** The References header sent with it (space-separated), so the next reply extends the chain. */
    references: text("references").notNull().default(""),
    subject: text("subject").notNull(),
    createdAt: integer("created_at").notNull().$defaultFn(now),
  },
  (t) => [
    foreignKey({ columns: [t.workspaceId, t.connectionId], foreignColumns: [channelConnections.workspaceId, channelConnections.id] }),
    foreignKey({ columns: [t.workspaceId, t.messageId], foreignColumns: [messages.workspaceId, messages.id] }),
    unique("email_outbound_ids_connection_header_uq").on(t.connectionId, t.headerId),
    index("email_outbound_ids_message_idx").on(t.workspaceId, t.messageId),
  ],
);
