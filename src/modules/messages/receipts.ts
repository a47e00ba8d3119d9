// Receipts: who gets one for a new message, and the unread ones of a user (the shape every
// unread query shares, so all of them walk message_receipts_unread_idx).
import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { insertSelect } from "../../db/insert-select";
import { conversationParticipants, messageReceipts, users } from "../../db/schema";

/** The receipts `reader` has not read yet (workspace, user, status: the index's prefix). */
export const unreadBy = (reader: { workspaceId: number; userId: number }): SQL =>
  and(
    eq(messageReceipts.workspaceId, reader.workspaceId),
    eq(messageReceipts.userId, reader.userId),
    eq(messageReceipts.statusKey, "unread"),
  )!;

/**
 * The receipts of a new message: one per user participant, or, while a contact conversation has
 * no user participant yet, one per user of the workspace. The author's own receipt is `read`.
 * Deactivated users get none, and do not count as participants: a conversation whose only
 * participant left goes back to the whole team.
 */
export function receiptsStatement(
  db: Db,
  opts: { workspaceId: number; conversationId: number | SQL; messageId: number | SQL; authorUserId: number | null; now: number },
) {
  const { workspaceId: ws, conversationId, messageId, authorUserId, now } = opts;
  const activeUser = sql`SELECT 1 FROM ${users} AS active WHERE active.id = ${conversationParticipants.userId} AND active.deactivated_at IS NULL`;
  const userParticipants = sql`SELECT ${conversationParticipants.userId} FROM ${conversationParticipants}
    WHERE ${conversationParticipants.workspaceId} = ${ws} AND ${conversationParticipants.conversationId} = ${conversationId}
      AND ${conversationParticipants.actorKindKey} = 'user' AND EXISTS (${activeUser})`;
  const isAuthor = sql`${users.id} = ${authorUserId}`;
  return insertSelect(
    db,
    messageReceipts,
    {
      workspaceId: ws,
      userId: users.id,
      messageId,
      conversationId,
      statusKey: sql`CASE WHEN ${isAuthor} THEN 'read' ELSE 'unread' END`,
      readAt: sql`CASE WHEN ${isAuthor} THEN ${now} END`,
      createdAt: now,
      updatedAt: now,
    },
    sql`FROM ${users} WHERE ${users.workspaceId} = ${ws} AND ${users.deactivatedAt} IS NULL
      AND (${users.id} IN (${userParticipants}) OR NOT EXISTS (${userParticipants}))`,
  );
}
