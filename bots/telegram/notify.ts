// The notify_reps task for Telegram: each linked rep with an unread receipt for an inbound
// message hears of it through the workspace's bot, with the buttons to act on it. Runs on the
// queue, never in a webhook.
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { telegramApi } from "../../src/channels/telegram/telegram-api";
import { telegramJobError } from "../../src/channels/telegram/telegram-errors";
import type { Db } from "../../src/db/client";
import { chatLinks, contacts, conversations, messageAttachments, messageReceipts, messages, users } from "../../src/db/schema";
import type { Bindings } from "../../src/env";
import { TransientJobError } from "../../src/jobs/errors";
import { connectionForChannel, credentialsOf, type TelegramCredentials } from "../../src/modules/channels-config/channels.service";
import { claimChatMessage, recordChatMessageId, releaseClaim } from "../../src/modules/chat-links/chat-notifications.service";
import { mediaRefsOf } from "../../src/channels/media";
import { attachmentKindOf } from "../../src/modules/attachments/attachments.service";
import { aiSuggestion } from "../../src/modules/qualification/classification.service";
import { notificationButtons, notificationText } from "../rep-actions";
import { inlineKeyboard } from "./render";

/** The kinds of files a message carries, or will once its media task has run. */
async function filesOf(db: Db, message: typeof messages.$inferSelect): Promise<string[]> {
  if (message.kindKey !== "media") return [];
  const stored = await db
    .select({ kind: messageAttachments.kindKey })
    .from(messageAttachments)
    .where(and(eq(messageAttachments.workspaceId, message.workspaceId), eq(messageAttachments.messageId, message.id)))
    .orderBy(asc(messageAttachments.id));
  if (stored.length > 0) return stored.map((a) => a.kind);
  // Not fetched yet: the refs the provider gave.
  const refs = mediaRefsOf(message.payloadJson);
  return refs.length > 0 ? refs.map((ref) => attachmentKindOf(ref.contentType)) : ["media"];
}

export async function notifyTelegramReps(db: Db, env: Bindings, task: { workspaceId: number; messageId: number }): Promise<void> {
  const ws = task.workspaceId;
  const [row] = await db
    .select({ message: messages, contact: contacts })
    .from(messages)
    .innerJoin(conversations, and(eq(conversations.workspaceId, messages.workspaceId), eq(conversations.id, messages.conversationId)))
    .innerJoin(contacts, and(eq(contacts.workspaceId, conversations.workspaceId), eq(contacts.id, conversations.contactId)))
    .where(and(eq(messages.workspaceId, ws), eq(messages.id, task.messageId)));
  // Only contacts' messages are news for reps.
  if (!row || row.message.authorKindKey !== "contact") return;
  const { message, contact } = row;

  // Linked reps whose receipt is still unread: read elsewhere already means nothing to tell.
  const reps = await db
    .select({ userId: chatLinks.userId, chatId: sql<string>`coalesce(${chatLinks.externalChatId}, ${chatLinks.externalUserId})` })
    .from(chatLinks)
    .innerJoin(
      messageReceipts,
      and(
        eq(messageReceipts.workspaceId, chatLinks.workspaceId),
        eq(messageReceipts.userId, chatLinks.userId),
        eq(messageReceipts.messageId, message.id),
        eq(messageReceipts.statusKey, "unread"),
      ),
    )
    .innerJoin(users, and(eq(users.id, chatLinks.userId), isNull(users.deactivatedAt)))
    .where(and(eq(chatLinks.workspaceId, ws), eq(chatLinks.platformKey, "telegram")))
    .orderBy(asc(chatLinks.userId));
  if (reps.length === 0) return;
  const connection = await connectionForChannel(db, ws, "telegram");
  if (!connection) return;

  const { botToken } = await credentialsOf<TelegramCredentials>(env, connection);
  const api = telegramApi(env, botToken);
  const text = notificationText({
    contactName: contact.name,
    company: contact.company,
    channel: message.channelKey,
    body: message.body,
    files: await filesOf(db, message),
    suggestion: await aiSuggestion(db, ws, message.conversationId),
  });

  let retry: TransientJobError | null = null;
  for (const rep of reps) {
    const claim = await claimChatMessage(db, {
      workspaceId: ws,
      userId: rep.userId,
      platform: "telegram",
      connectionId: connection.id,
      purpose: "notification",
      chatId: rep.chatId,
      conversationId: message.conversationId,
      messageId: message.id,
    });
    if (!claim) continue; // notified before: a redelivered task
    let sent: { message_id: number };
    try {
      sent = await api.sendMessage(rep.chatId, text, {
        reply_markup: inlineKeyboard(notificationButtons(message.id, contact.id)),
        link_preview_options: { is_disabled: true },
      });
    } catch (error) {
      await releaseClaim(db, claim);
      const mapped = telegramJobError(error);
      if (mapped instanceof TransientJobError) {
        // The other reps still get theirs now; this one on the retry.
        if (!retry || (mapped.retryAfterSeconds ?? 0) > (retry.retryAfterSeconds ?? 0)) retry = mapped;
      } else {
        // The rep blocked the bot or left: nothing a retry could change.
        console.warn(JSON.stringify({ task: "notify_reps", messageId: message.id, userId: rep.userId, skipped: mapped.message }));
      }
      continue;
    }
    await recordChatMessageId(db, claim, String(sent.message_id));
  }
  if (retry) throw retry;
}
