// Messages: the conversation's history, sending, and per-user read state (receipts).
import { and, asc, eq, gt, inArray, lte, type SQL, sql } from "drizzle-orm";
import { getAdapter, needsDelivery } from "../../channels/registry";
import type { BatchItem, Db } from "../../db/client";
import {
  conversationParticipants,
  conversations,
  deliveries,
  messageAttachments,
  type MessageChannel,
  messageReceipts,
  messages,
} from "../../db/schema";
import type { Bindings, Caller } from "../../env";
import type { JobRow } from "../../jobs/runner";
import { chunks } from "../../lib/chunks";
import { invalidField } from "../../lib/errors";
import { decodeIntCursor, page } from "../../lib/pagination";
import { iso } from "../../lib/time";
import { assertAttachable, attachStatement, toAttachmentDto } from "../attachments/attachments.service";
import { findConversation } from "../conversations/conversations.service";
import { dispatchDeliveryJob, queueDeliveryStatements, type DeliveryRow, toDeliveryDto } from "../deliveries/deliveries.service";
import { append, appendIfChanged, newestId } from "../events/event-log";
import { findMessage, type MessageRow } from "./message-access";
import { receiptsStatement, unreadBy } from "./receipts";
import { assertNotOptedOut, isConnectionChannel, routeMessage } from "./routing";

function parsePayload(json: string | null): unknown {
  if (json === null) return null;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return json;
  }
}

/** Messages with their attachments, latest delivery and the reader's receipt. */
async function withDetails(db: Db, reader: Caller, rows: MessageRow[]) {
  const ws = reader.workspaceId;
  const attachments: (typeof messageAttachments.$inferSelect)[] = [];
  const latestDelivery = new Map<number, DeliveryRow>();
  const receipts = new Map<number, "read" | "unread">();
  for (const part of chunks(rows.map((m) => m.id))) {
    const [a, d, r] = await db.batch([
      db
        .select()
        .from(messageAttachments)
        .where(and(eq(messageAttachments.workspaceId, ws), inArray(messageAttachments.messageId, part)))
        .orderBy(asc(messageAttachments.id)),
      db
        .select()
        .from(deliveries)
        .where(and(eq(deliveries.workspaceId, ws), inArray(deliveries.messageId, part)))
        .orderBy(asc(deliveries.attempt)),
      db
        .select({ messageId: messageReceipts.messageId, statusKey: messageReceipts.statusKey })
        .from(messageReceipts)
        .where(
          and(eq(messageReceipts.workspaceId, ws), eq(messageReceipts.userId, reader.userId), inArray(messageReceipts.messageId, part)),
        ),
    ]);
    attachments.push(...a);
    for (const delivery of d) latestDelivery.set(delivery.messageId, delivery);
    for (const receipt of r) receipts.set(receipt.messageId, receipt.statusKey);
  }
  return rows.map((m) => {
    const delivery = latestDelivery.get(m.id);
    return {
      id: m.id,
      conversationId: m.conversationId,
      authorKindKey: m.authorKindKey,
      authorUserId: m.authorUserId,
      authorContactId: m.authorContactId,
      channelKey: m.channelKey,
      kindKey: m.kindKey,
      body: m.body,
      payload: parsePayload(m.payloadJson),
      externalId: m.externalId,
      attachments: attachments.filter((a) => a.messageId === m.id).map(toAttachmentDto),
      delivery: delivery ? toDeliveryDto(delivery) : null,
      receiptStatusKey: receipts.get(m.id) ?? null,
      createdAt: iso(m.createdAt),
      updatedAt: iso(m.updatedAt),
    };
  });
}

/** A conversation's messages, oldest first. */
export async function listMessages(db: Db, caller: Caller, conversationId: number, opts: { limit: number; cursor?: string }) {
  await findConversation(db, caller, conversationId);
  const after = opts.cursor ? decodeIntCursor(opts.cursor, 1)[0]! : 0;
  const rows = await db
    .select()
    .from(messages)
    .where(and(eq(messages.workspaceId, caller.workspaceId), eq(messages.conversationId, conversationId), gt(messages.id, after)))
    .orderBy(asc(messages.id))
    .limit(opts.limit + 1);
  const result = page(rows, opts.limit, (m) => [m.id]);
  return { data: await withDetails(db, caller, result.data), nextCursor: result.nextCursor };
}

export interface SendInput {
  body?: string;
  channelKey?: MessageChannel;
  attachmentIds?: number[];
}

/**
 * `send`: a user writes into a conversation. Default channel: the one the contact last wrote on
 * (`internal` for direct conversations and before the contact has written). The sender becomes a
 * participant. An external channel gets a queued Delivery and a `deliver_message` job in the same
 * batch as the message; internal messages are delivered by being stored (no Delivery).
 */
export async function sendMessage(db: Db, env: Bindings, caller: Caller, conversationId: number, input: SendInput) {
  const conversation = await findConversation(db, caller, conversationId);
  const ws = caller.workspaceId;
  const channelKey = input.channelKey ?? conversation.lastChannelKey ?? "internal";
  if (conversation.kindKey === "direct" && channelKey !== "internal") {
    throw invalidField("body.channelKey", "a direct conversation between users is internal");
  }
  const attachmentIds = input.attachmentIds ?? [];
  await assertAttachable(db, caller, attachmentIds);
  const queuesDelivery = needsDelivery(channelKey);
  // The account the message leaves through is chosen now, so a reply goes back the way the
  // contact wrote in; refusals the provider is sure of come before anything is stored.
  let connectionId: number | null = null;
  if (queuesDelivery && isConnectionChannel(channelKey)) {
    const route = await routeMessage(db, conversation, channelKey);
    assertNotOptedOut(route.recipient, channelKey);
    if (route.connection) {
      await getAdapter(channelKey)?.checkSend?.({ env, db, connection: route.connection }, { conversation, recipient: route.recipient, payload: null });
      connectionId = route.connection.id;
    }
  }
  const [participant] = await db
    .select({ id: conversationParticipants.id })
    .from(conversationParticipants)
    .where(and(eq(conversationParticipants.conversationId, conversationId), eq(conversationParticipants.userId, caller.userId)));

  const now = Date.now();
  const messageId = newestId(messages);
  const statements: [BatchItem, ...BatchItem[]] = [
    db
      .insert(messages)
      .values({
        workspaceId: ws,
        conversationId,
        authorKindKey: "user",
        authorUserId: caller.userId,
        channelKey,
        kindKey: attachmentIds.length > 0 ? "media" : "text",
        body: input.body ?? "",
        createdAt: now,
        updatedAt: now,
      })
      .returning(),
  ];
  if (!participant) {
    const actor = { actorKindKey: "user" as const, userId: caller.userId };
    statements.push(
      db.insert(conversationParticipants).values({ workspaceId: ws, conversationId, ...actor, createdAt: now, updatedAt: now }).onConflictDoNothing(),
      appendIfChanged(db, {
        workspaceId: ws,
        typeKey: "conversation.participant_added",
        entityTypeKey: "conversation",
        entityId: conversationId,
        actorUserId: caller.userId,
        payload: { ...actor, contactId: null, reason: "sent a message" },
        createdAt: now,
      }),
    );
  }
  statements.push(receiptsStatement(db, { workspaceId: ws, conversationId, messageId, authorUserId: caller.userId, now }));
  if (attachmentIds.length > 0) statements.push(attachStatement(db, caller, attachmentIds, messageId, now));
  statements.push(
    db
      .update(conversations)
      .set({ lastMessageAt: now, updatedAt: now })
      .where(and(eq(conversations.workspaceId, ws), eq(conversations.id, conversationId))),
    append(db, {
      workspaceId: ws,
      typeKey: "message.sent",
      entityTypeKey: "message",
      entityId: messageId,
      actorUserId: caller.userId,
      payload: { conversationId, channelKey, attachmentIds },
      createdAt: now,
    }),
  );
  const jobIndex = statements.length + 1;
  if (queuesDelivery) {
    statements.push(
      ...queueDeliveryStatements(db, { workspaceId: ws, messageId, channelKey, connectionId, attempt: 1, createdByUserId: caller.userId, now }),
    );
  }
  const results = (await db.batch(statements)) as unknown[];
  const [message] = results[0] as MessageRow[];
  if (queuesDelivery) await dispatchDeliveryJob(env, (results[jobIndex] as JobRow[])[0]!);
  const [dto] = await withDetails(db, caller, [message!]);
  return dto!;
}

/** Messages unread by the caller across conversations, grouped by conversation, oldest first. */
export async function listUnread(db: Db, caller: Caller, opts: { limit: number; cursor?: string }) {
  const conditions: SQL[] = [
    eq(messageReceipts.workspaceId, caller.workspaceId),
    eq(messageReceipts.userId, caller.userId),
    eq(messageReceipts.statusKey, "unread"),
  ];
  if (opts.cursor) {
    const [conversationId, messageId] = decodeIntCursor(opts.cursor, 2);
    // A row-value comparison walks message_receipts_unread_idx from the cursor on.
    conditions.push(sql`(${messageReceipts.conversationId}, ${messageReceipts.messageId}) > (${conversationId}, ${messageId})`);
  }
  const receipts = await db
    .select({ conversationId: messageReceipts.conversationId, messageId: messageReceipts.messageId })
    .from(messageReceipts)
    .where(and(...conditions))
    .orderBy(asc(messageReceipts.conversationId), asc(messageReceipts.messageId))
    .limit(opts.limit + 1);
  const result = page(receipts, opts.limit, (r) => [r.conversationId, r.messageId]);
  const rows: MessageRow[] = [];
  for (const part of chunks(result.data.map((r) => r.messageId))) {
    rows.push(...(await db.select().from(messages).where(and(eq(messages.workspaceId, caller.workspaceId), inArray(messages.id, part)))));
  }
  const byId = new Map(rows.map((m) => [m.id, m]));
  const ordered = result.data.flatMap((r) => byId.get(r.messageId) ?? []);
  return { data: await withDetails(db, caller, ordered), nextCursor: result.nextCursor };
}

/** `markRead`: the caller has read one message. Reading a read message changes nothing. */
export async function markRead(db: Db, caller: Caller, messageId: number) {
  const message = await findMessage(db, caller, messageId);
  const now = Date.now();
  const [updated] = await db.batch([
    db
      .update(messageReceipts)
      .set({ statusKey: "read", readAt: now, updatedAt: now })
      .where(and(unreadBy(caller), eq(messageReceipts.messageId, messageId)))
      .returning({ id: messageReceipts.id }),
    appendIfChanged(db, {
      workspaceId: caller.workspaceId,
      typeKey: "message.read",
      entityTypeKey: "message",
      entityId: messageId,
      actorUserId: caller.userId,
      payload: { conversationId: message.conversationId, messageIds: [messageId], count: 1 },
      createdAt: now,
    }),
  ]);
  return { markedRead: updated.length };
}

/**
 * `markReadBatch`: a list of message ids, or everything in a conversation up to a message. One
 * `message.read` event per call, naming what changed.
 */
export async function markReadBatch(
  db: Db,
  caller: Caller,
  input: { messageIds?: number[]; conversationId?: number; upToMessageId?: number },
) {
  const now = Date.now();
  const read = { statusKey: "read" as const, readAt: now, updatedAt: now };
  const event = { workspaceId: caller.workspaceId, typeKey: "message.read", actorUserId: caller.userId, createdAt: now };

  if (input.messageIds) {
    // Ids the caller has no unread receipt for (read already, someone else's, unknown) are skipped.
    const unread: number[] = [];
    for (const part of chunks(input.messageIds)) {
      const rows = await db
        .select({ messageId: messageReceipts.messageId })
        .from(messageReceipts)
        .where(and(unreadBy(caller), inArray(messageReceipts.messageId, part)));
      unread.push(...rows.map((r) => r.messageId));
    }
    if (unread.length === 0) return { markedRead: 0 };
    const statements: [BatchItem, ...BatchItem[]] = [
      append(db, { ...event, entityTypeKey: "user", entityId: caller.userId, payload: { messageIds: unread, count: unread.length } }),
    ];
    for (const part of chunks(unread)) {
      statements.push(db.update(messageReceipts).set(read).where(and(unreadBy(caller), inArray(messageReceipts.messageId, part))));
    }
    await db.batch(statements);
    return { markedRead: unread.length };
  }

  const conversationId = input.conversationId!;
  const upToMessageId = input.upToMessageId!;
  await findConversation(db, caller, conversationId);
  const [upTo] = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.workspaceId, caller.workspaceId), eq(messages.conversationId, conversationId), eq(messages.id, upToMessageId)));
  if (!upTo) throw invalidField("body.upToMessageId", `message ${upToMessageId} is not in conversation ${conversationId}`);
  const inRange = and(
    unreadBy(caller),
    eq(messageReceipts.conversationId, conversationId),
    lte(messageReceipts.messageId, upToMessageId),
  );
  const [count] = await db.select({ n: sql<number>`count(*)` }).from(messageReceipts).where(inRange);
  if (!count?.n) return { markedRead: 0 };
  const [updated] = await db.batch([
    db.update(messageReceipts).set(read).where(inRange).returning({ id: messageReceipts.id }),
    appendIfChanged(db, {
      ...event,
      entityTypeKey: "conversation",
      entityId: conversationId,
      payload: { conversationId, upToMessageId, count: count.n },
    }),
  ]);
  return { markedRead: updated.length };
}
