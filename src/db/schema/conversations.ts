// The inbox: conversations, participants, messages, receipts, attachments, deliveries and calls.
import { sql } from "drizzle-orm";
import { check, foreignKey, index, integer, sqliteTable, text, unique, uniqueIndex } from "drizzle-orm/sqlite-core";
import { channelConnections } from "./channels";
import { contacts, qualificationKinds } from "./contacts";
import {
  actorKinds,
  attachmentKinds,
  authorKinds,
  callChannels,
  callKinds,
  callStatuses,
  conversationKinds,
  conversationStatuses,
  deliveryStatuses,
  messageChannels,
  messageKinds,
  now,
  oneOf,
  receiptStatuses,
  sourceKeys,
} from "./keys";
import { users, workspaces } from "./workspaces";

export const conversations = sqliteTable(
  "conversations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull().references(() => workspaces.id),
    kindKey: text("kind_key", { enum: conversationKinds }).notNull(),
    statusKey: text("status_key", { enum: conversationStatuses }).notNull().default("open"),
    /** The contact of a `contact` conversation. */
    contactId: integer("contact_id"),
    /** `<low user id>:<high user id>` of a `direct` conversation: one per pair. */
    directKey: text("direct_key"),
    /** Channel the contact last wrote on: where replies go by default. */
    lastChannelKey: text("last_channel_key", { enum: messageChannels }),
    /** The connection the contact last wrote in through: replies on lastChannelKey leave by it. */
    lastConnectionId: integer("last_connection_id").references(() => channelConnections.id),
    lastMessageAt: integer("last_message_at"),
    score: integer("score"),
    qualification: text("qualification"),
    createdAt: integer("created_at").notNull().$defaultFn(now),
    updatedAt: integer("updated_at").notNull().$defaultFn(now),
  },
  (t) => [
    foreignKey({ columns: [t.workspaceId, t.contactId], foreignColumns: [contacts.workspaceId, contacts.id] }),
    unique("conversations_ws_id_uq").on(t.workspaceId, t.id),
    uniqueIndex("conversations_ws_direct_uq").on(t.workspaceId, t.directKey),
    // At most one conversation per contact that is not closed.
    uniqueIndex("conversations_contact_active_uq")
      .on(t.workspaceId, t.contactId)
      .where(sql`${t.contactId} IS NOT NULL AND ${t.statusKey} <> 'closed'`),
    index("conversations_ws_activity_idx").on(t.workspaceId, t.lastMessageAt, t.id),
    index("conversations_ws_contact_idx").on(t.workspaceId, t.contactId, t.id),
    check("conversations_kind_ck", oneOf(t.kindKey, conversationKinds)),
    check("conversations_status_ck", oneOf(t.statusKey, conversationStatuses)),
    check("conversations_last_channel_ck", sql`${t.lastChannelKey} IS NULL OR ${oneOf(t.lastChannelKey, messageChannels)}`),
    check(
      "conversations_kind_shape_ck",
      sql`(${t.kindKey} = 'contact' AND ${t.contactId} IS NOT NULL AND ${t.directKey} IS NULL) OR (${t.kindKey} = 'direct' AND ${t.contactId} IS NULL AND ${t.directKey} IS NOT NULL)`,
    ),
    check("conversations_score_ck", sql`${t.score} IS NULL OR ${t.score} BETWEEN 1 AND 5`),
  ],
);

export const conversationParticipants = sqliteTable(
  "conversation_participants",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull(),
    conversationId: integer("conversation_id").notNull(),
    actorKindKey: text("actor_kind_key", { enum: actorKinds }).notNull(),
    userId: integer("user_id"),
    contactId: integer("contact_id"),
    createdAt: integer("created_at").notNull().$defaultFn(now),
    updatedAt: integer("updated_at").notNull().$defaultFn(now),
  },
  (t) => [
    foreignKey({
      columns: [t.workspaceId, t.conversationId],
      foreignColumns: [conversations.workspaceId, conversations.id],
    }),
    foreignKey({ columns: [t.workspaceId, t.userId], foreignColumns: [users.workspaceId, users.id] }),
    foreignKey({ columns: [t.workspaceId, t.contactId], foreignColumns: [contacts.workspaceId, contacts.id] }),
    unique("conversation_participants_user_uq").on(t.conversationId, t.userId),
    unique("conversation_participants_contact_uq").on(t.conversationId, t.contactId),
    index("conversation_participants_user_idx").on(t.workspaceId, t.userId),
    index("conversation_participants_contact_idx").on(t.workspaceId, t.contactId),
    check("conversation_participants_kind_ck", oneOf(t.actorKindKey, actorKinds)),
    check(
      "conversation_participants_actor_ck",
      sql`(${t.actorKindKey} = 'user' AND ${t.userId} IS NOT NULL AND ${t.contactId} IS NULL) OR (${t.actorKindKey} = 'contact' AND ${t.contactId} IS NOT NULL AND ${t.userId} IS NULL)`,
    ),
  ],
);

export const conversationScores = sqliteTable(
  "conversation_scores",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull(),
    userId: integer("user_id"),
    conversationId: integer("conversation_id").notNull(),
    sourceKey: text("source_key", { enum: sourceKeys }).notNull(),
    value: integer("value").notNull(),
    createdAt: integer("created_at").notNull().$defaultFn(now),
    updatedAt: integer("updated_at").notNull().$defaultFn(now),
  },
  (t) => [
    foreignKey({ columns: [t.workspaceId, t.userId], foreignColumns: [users.workspaceId, users.id] }),
    foreignKey({
      columns: [t.workspaceId, t.conversationId],
      foreignColumns: [conversations.workspaceId, conversations.id],
    }),
    index("conversation_scores_conversation_idx").on(t.workspaceId, t.conversationId, t.sourceKey, t.id),
    check("conversation_scores_value_ck", sql`${t.value} BETWEEN 1 AND 5`),
    check("conversation_scores_source_ck", oneOf(t.sourceKey, sourceKeys)),
    check("conversation_scores_user_source_ck", sql`(${t.sourceKey} = 'user') = (${t.userId} IS NOT NULL)`),
  ],
);

export const conversationQualifications = sqliteTable(
  "conversation_qualifications",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull(),
    userId: integer("user_id"),
    conversationId: integer("conversation_id").notNull(),
    sourceKey: text("source_key", { enum: sourceKeys }).notNull(),
    kindKey: text("kind_key"),
    score: integer("score"),
    createdAt: integer("created_at").notNull().$defaultFn(now),
    updatedAt: integer("updated_at").notNull().$defaultFn(now),
  },
  (t) => [
    foreignKey({ columns: [t.workspaceId, t.userId], foreignColumns: [users.workspaceId, users.id] }),
    foreignKey({
      columns: [t.workspaceId, t.conversationId],
      foreignColumns: [conversations.workspaceId, conversations.id],
    }),
    foreignKey({
      columns: [t.workspaceId, t.kindKey],
      foreignColumns: [qualificationKinds.workspaceId, qualificationKinds.key],
    }),
    index("conversation_qualifications_conversation_idx").on(t.workspaceId, t.conversationId, t.sourceKey, t.id),
    check("conversation_qualifications_source_ck", oneOf(t.sourceKey, sourceKeys)),
    check("conversation_qualifications_user_source_ck", sql`(${t.sourceKey} = 'user') = (${t.userId} IS NOT NULL)`),
    check("conversation_qualifications_clear_ck", sql`${t.kindKey} IS NOT NULL OR ${t.sourceKey} = 'user'`),
    check("conversation_qualifications_score_ck", sql`${t.score} IS NULL OR ${t.score} BETWEEN 0 AND 100`),
  ],
);

export const messages = sqliteTable(
  "messages",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull(),
    conversationId: integer("conversation_id").notNull(),
    authorKindKey: text("author_kind_key", { enum: authorKinds }).notNull(),
    authorUserId: integer("author_user_id"),
    authorContactId: integer("author_contact_id"),
    channelKey: text("channel_key", { enum: messageChannels }).notNull(),
    kindKey: text("kind_key", { enum: messageKinds }).notNull().default("text"),
    body: text("body").notNull().default(""),
    payloadJson: text("payload_json"),
    /** The provider account an inbound message came through (null for internal and sent messages). */
    connectionId: integer("connection_id").references(() => channelConnections.id),
    /** Provider id of an inbound message; unique per connection (per channel where there is none). */
    externalId: text("external_id"),
    createdAt: integer("created_at").notNull().$defaultFn(now),
    updatedAt: integer("updated_at").notNull().$defaultFn(now),
  },
  (t) => [
    foreignKey({
      columns: [t.workspaceId, t.conversationId],
      foreignColumns: [conversations.workspaceId, conversations.id],
    }),
    foreignKey({ columns: [t.workspaceId, t.authorUserId], foreignColumns: [users.workspaceId, users.id] }),
    foreignKey({ columns: [t.workspaceId, t.authorContactId], foreignColumns: [contacts.workspaceId, contacts.id] }),
    unique("messages_ws_id_uq").on(t.workspaceId, t.id),
    // Providers number messages per account (Telegram per chat with one bot): two connections of
    // one channel may hand out the same id.
    uniqueIndex("messages_connection_external_uq").on(t.workspaceId, t.channelKey, sql`(CASE WHEN ${sql.identifier("connection_id")} IS NULL THEN 0 ELSE ${sql.identifier("connection_id")} END)`, t.externalId),
    index("messages_conversation_idx").on(t.workspaceId, t.conversationId, t.id),
    index("messages_ws_author_user_idx").on(t.workspaceId, t.authorUserId, t.createdAt),
    index("messages_ws_created_idx").on(t.workspaceId, t.createdAt),
    check("messages_author_kind_ck", oneOf(t.authorKindKey, authorKinds)),
    check("messages_channel_ck", oneOf(t.channelKey, messageChannels)),
    check("messages_kind_ck", oneOf(t.kindKey, messageKinds)),
    check(
      "messages_author_ck",
      sql`(${t.authorKindKey} = 'user' AND ${t.authorUserId} IS NOT NULL AND ${t.authorContactId} IS NULL) OR (${t.authorKindKey} = 'contact' AND ${t.authorContactId} IS NOT NULL AND ${t.authorUserId} IS NULL) OR (${t.authorKindKey} = 'system' AND ${t.authorUserId} IS NULL AND ${t.authorContactId} IS NULL)`,
    ),
  ],
);

export const messageAttachments = sqliteTable(
  "message_attachments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull(),
    /** Null between upload and the send that attaches it. */
    messageId: integer("message_id"),
    kindKey: text("kind_key", { enum: attachmentKinds }).notNull(),
    /** R2 object key. */
    url: text("url").notNull(),
    fileName: text("file_name").notNull(),
    contentType: text("content_type").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    uploadedByUserId: integer("uploaded_by_user_id"),
    createdAt: integer("created_at").notNull().$defaultFn(now),
    updatedAt: integer("updated_at").notNull().$defaultFn(now),
  },
  (t) => [
    foreignKey({ columns: [t.workspaceId, t.messageId], foreignColumns: [messages.workspaceId, messages.id] }),
    foreignKey({ columns: [t.workspaceId, t.uploadedByUserId], foreignColumns: [users.workspaceId, users.id] }),
    index("message_attachments_message_idx").on(t.workspaceId, t.messageId),
    check("message_attachments_kind_ck", oneOf(t.kindKey, attachmentKinds)),
    check("message_attachments_size_ck", sql`${t.sizeBytes} >= 0`),
  ],
);

export const messageReceipts = sqliteTable(
  "message_receipts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull(),
    userId: integer("user_id").notNull(),
    messageId: integer("message_id").notNull(),
    /** Copied from the message so unread counts per conversation need no join. */
    conversationId: integer("conversation_id").notNull(),
    statusKey: text("status_key", { enum: receiptStatuses }).notNull().default("unread"),
    readAt: integer("read_at"),
    createdAt: integer("created_at").notNull().$defaultFn(now),
    updatedAt: integer("updated_at").notNull().$defaultFn(now),
  },
  (t) => [
    foreignKey({ columns: [t.workspaceId, t.userId], foreignColumns: [users.workspaceId, users.id] }),
    foreignKey({ columns: [t.workspaceId, t.messageId], foreignColumns: [messages.workspaceId, messages.id] }),
    foreignKey({
      columns: [t.workspaceId, t.conversationId],
      foreignColumns: [conversations.workspaceId, conversations.id],
    }),
    unique("message_receipts_user_message_uq").on(t.userId, t.messageId),
    index("message_receipts_unread_idx").on(t.workspaceId, t.userId, t.statusKey, t.conversationId, t.messageId),
    check("message_receipts_status_ck", oneOf(t.statusKey, receiptStatuses)),
  ],
);

export const deliveries = sqliteTable(
  "deliveries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull(),
    messageId: integer("message_id").notNull(),
    channelKey: text("channel_key", { enum: messageChannels }).notNull(),
    statusKey: text("status_key", { enum: deliveryStatuses }).notNull().default("queued"),
    /** 1 for the first send; `retry` creates attempt n+1 for the same message. */
    attempt: integer("attempt").notNull().default(1),
    /** The provider account this attempt goes out through; status callbacks are matched on it. */
    connectionId: integer("connection_id").references(() => channelConnections.id),
    providerMessageId: text("provider_message_id"),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    createdAt: integer("created_at").notNull().$defaultFn(now),
    updatedAt: integer("updated_at").notNull().$defaultFn(now),
  },
  (t) => [
    foreignKey({ columns: [t.workspaceId, t.messageId], foreignColumns: [messages.workspaceId, messages.id] }),
    unique("deliveries_message_attempt_uq").on(t.messageId, t.attempt),
    index("deliveries_connection_provider_idx").on(t.connectionId, t.providerMessageId),
    check("deliveries_status_ck", oneOf(t.statusKey, deliveryStatuses)),
    check("deliveries_channel_ck", oneOf(t.channelKey, messageChannels)),
    check("deliveries_attempt_ck", sql`${t.attempt} >= 1`),
  ],
);

export const calls = sqliteTable(
  "calls",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull(),
    conversationId: integer("conversation_id").notNull(),
    startedByUserId: integer("started_by_user_id"),
    startedByContactId: integer("started_by_contact_id"),
    channelKey: text("channel_key", { enum: callChannels }).notNull(),
    kindKey: text("kind_key", { enum: callKinds }).notNull(),
    statusKey: text("status_key", { enum: callStatuses }).notNull().default("initiated"),
    /** The provider account that placed or received the call. */
    connectionId: integer("connection_id").references(() => channelConnections.id),
    externalId: text("external_id"),
    startedAt: integer("started_at").notNull().$defaultFn(now),
    connectedAt: integer("connected_at"),
    endedAt: integer("ended_at"),
    payloadJson: text("payload_json"),
    createdAt: integer("created_at").notNull().$defaultFn(now),
    updatedAt: integer("updated_at").notNull().$defaultFn(now),
  },
  (t) => [
    foreignKey({
      columns: [t.workspaceId, t.conversationId],
      foreignColumns: [conversations.workspaceId, conversations.id],
    }),
    foreignKey({ columns: [t.workspaceId, t.startedByUserId], foreignColumns: [users.workspaceId, users.id] }),
    foreignKey({
      columns: [t.workspaceId, t.startedByContactId],
      foreignColumns: [contacts.workspaceId, contacts.id],
    }),
    uniqueIndex("calls_ws_channel_external_uq").on(t.workspaceId, t.channelKey, t.externalId),
    index("calls_conversation_idx").on(t.workspaceId, t.conversationId, t.id),
    index("calls_ws_user_idx").on(t.workspaceId, t.startedByUserId, t.startedAt),
    check("calls_channel_ck", oneOf(t.channelKey, callChannels)),
    check("calls_kind_ck", oneOf(t.kindKey, callKinds)),
    check("calls_status_ck", oneOf(t.statusKey, callStatuses)),
    check("calls_starter_ck", sql`${t.startedByUserId} IS NULL OR ${t.startedByContactId} IS NULL`),
    check("calls_times_ck", sql`${t.endedAt} IS NULL OR ${t.endedAt} >= ${t.startedAt}`),
  ],
);
