// Messages Parley shows reps in chat apps (a notification of an inbound message, a "reply to…"
// prompt), mapped back to the conversation and message they are about. A notification is
// claimed before it is sent, so a redelivered task never notifies a rep twice.
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { chatNotifications, chatSentNotices, contacts, conversations, notificationPurposes } from "../../db/schema";
import type { ChatPlatform } from "./chat-links.service";

export type ChatNotificationRow = typeof chatNotifications.$inferSelect;
export type NotificationPurpose = (typeof notificationPurposes)[number];

export interface ChatMessageClaim {
  workspaceId: number;
  userId: number;
  platform: ChatPlatform;
  /** The bot's connection (Telegram). */
  connectionId: number | null;
  purpose: NotificationPurpose;
  chatId: string;
  conversationId: number;
  messageId: number;
}

/**
 * Claim the right to show `messageId` to the user. Null when a notification of it was claimed
 * already (at most one per message, user and platform); prompts are never refused.
 */
export async function claimChatMessage(db: Db, claim: ChatMessageClaim): Promise<ChatNotificationRow | null> {
  const [row] = await db
    .insert(chatNotifications)
    .values({
      workspaceId: claim.workspaceId,
      userId: claim.userId,
      platformKey: claim.platform,
      connectionId: claim.connectionId,
      purposeKey: claim.purpose,
      chatId: claim.chatId,
      conversationId: claim.conversationId,
      messageId: claim.messageId,
      createdAt: Date.now(),
    })
    .onConflictDoNothing()
    .returning();
  return row ?? null;
}

/** The chat app accepted the message: remember its id there, so replies to it find their way. */
export async function recordChatMessageId(db: Db, claim: ChatNotificationRow, chatMessageId: string): Promise<void> {
  await db.update(chatNotifications).set({ chatMessageId }).where(eq(chatNotifications.id, claim.id));
}

/** Sending failed: give the claim back so a retry may send it. */
export async function releaseClaim(db: Db, claim: ChatNotificationRow): Promise<void> {
  await db.delete(chatNotifications).where(eq(chatNotifications.id, claim.id));
}

/** The notification or prompt a user's chat message replies to, with the conversation's contact. */
export async function findRepliedTo(
  db: Db,
  who: { workspaceId: number; userId: number },
  where: { platform: ChatPlatform; connectionId: number | null; chatId: string; chatMessageId: string },
) {
  const [row] = await db
    .select({ notification: chatNotifications, contactName: contacts.name })
    .from(chatNotifications)
    .innerJoin(
      conversations,
      and(eq(conversations.workspaceId, chatNotifications.workspaceId), eq(conversations.id, chatNotifications.conversationId)),
    )
    .leftJoin(contacts, and(eq(contacts.workspaceId, conversations.workspaceId), eq(contacts.id, conversations.contactId)))
    .where(
      and(
        eq(chatNotifications.platformKey, where.platform),
        where.connectionId === null ? isNull(chatNotifications.connectionId) : eq(chatNotifications.connectionId, where.connectionId),
        eq(chatNotifications.chatId, where.chatId),
        eq(chatNotifications.chatMessageId, where.chatMessageId),
        eq(chatNotifications.workspaceId, who.workspaceId),
        eq(chatNotifications.userId, who.userId),
      ),
    );
  return row ?? null;
}

/** The notification card a chat message is, for this user (null for any other message). */
export async function findNotificationCard(
  db: Db,
  who: { workspaceId: number; userId: number },
  where: { platform: ChatPlatform; connectionId: number | null; chatId: string; chatMessageId: string },
): Promise<ChatNotificationRow | null> {
  const [row] = await db
    .select()
    .from(chatNotifications)
    .where(
      and(
        eq(chatNotifications.platformKey, where.platform),
        where.connectionId === null ? isNull(chatNotifications.connectionId) : eq(chatNotifications.connectionId, where.connectionId),
        eq(chatNotifications.chatId, where.chatId),
        eq(chatNotifications.chatMessageId, where.chatMessageId),
        eq(chatNotifications.workspaceId, who.workspaceId),
        eq(chatNotifications.userId, who.userId),
        eq(chatNotifications.purposeKey, "notification"),
      ),
    );
  return row ?? null;
}

export type SentNoticeRow = typeof chatSentNotices.$inferSelect;

/** Remember the line that follows a message the user sent from a chat, to edit it as the delivery moves on. */
export async function recordSentNotice(
  db: Db,
  notice: { workspaceId: number; userId: number; platform: ChatPlatform; connectionId: number | null; chatId: string; chatMessageId: string; messageId: number },
): Promise<void> {
  const { platform, ...where } = notice;
  await db
    .insert(chatSentNotices)
    .values({ ...where, platformKey: platform, createdAt: Date.now() })
    .onConflictDoNothing();
}

/** The notices of a message on one platform (one per user who sent it from a chat: its author). */
export async function sentNoticesOf(db: Db, workspaceId: number, messageId: number, platform: ChatPlatform): Promise<SentNoticeRow[]> {
  return db
    .select()
    .from(chatSentNotices)
    .where(and(eq(chatSentNotices.workspaceId, workspaceId), eq(chatSentNotices.messageId, messageId), eq(chatSentNotices.platformKey, platform)));
}
