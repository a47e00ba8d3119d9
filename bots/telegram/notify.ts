// The notify_reps task for Telegram: each linked rep with an unread receipt for a contact's message
// hears of it through the bot they linked with — what the contact sent (text, and files shown as
// such), then the message's live card with the buttons to act on it. Muted reps, and reps who
// asked for their own conversations only, are left out. Runs on the queue, never in a webhook.
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Api } from "grammy";
import { telegramApi } from "../../src/channels/telegram/telegram-api";
import { telegramJobError } from "../../src/channels/telegram/telegram-errors";
import type { Db } from "../../src/db/client";
import { chatLinks, conversationParticipants, messageReceipts, messages, users } from "../../src/db/schema";
import type { Bindings } from "../../src/env";
import { TransientJobError } from "../../src/jobs/errors";
import { callerOf } from "../../src/modules/chat-links/chat-links.service";
import { claimChatMessage, recordChatMessageId, releaseClaim } from "../../src/modules/chat-links/chat-notifications.service";
import { connectionForChannel, credentialsOf, findLiveConnection, type TelegramCredentials } from "../../src/modules/channels-config/channels.service";
import { notificationCard } from "../rep-actions";
import { filesPending, showMedia } from "./media";
import { inlineKeyboard } from "./render";

/** The workspace's Telegram bots, by connection id, each with its API (found once per task). */
export function botsOf(db: Db, env: Bindings, workspaceId: number) {
  const bots = new Map<number | null, Promise<{ connectionId: number; api: Api } | null>>();
  return (connectionId: number | null) => {
    let bot = bots.get(connectionId);
    if (!bot) {
      bot = (async () => {
        // A link from before links were per bot stands for the workspace's current bot.
        const connection = connectionId === null ? await connectionForChannel(db, workspaceId, "telegram") : await findLiveConnection(db, connectionId);
        if (!connection || connection.workspaceId !== workspaceId || connection.channelKey !== "telegram") return null;
        const { botToken } = await credentialsOf<TelegramCredentials>(env, connection);
        return { connectionId: connection.id, api: telegramApi(env, botToken) };
      })();
      bots.set(connectionId, bot);
    }
    return bot;
  };
}

export async function notifyTelegramReps(db: Db, env: Bindings, task: { workspaceId: number; messageId: number }): Promise<void> {
  const ws = task.workspaceId;
  const [message] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.workspaceId, ws), eq(messages.id, task.messageId)));
  // Only contacts' messages are news for reps.
  if (!message || message.authorKindKey !== "contact") return;
  // Files are shown with the news: give the fetch task a moment to store them.
  if (await filesPending(db, message)) throw new TransientJobError(`message ${message.id}'s files are not fetched yet`, "media_pending", 5);

  // Linked reps whose receipt is still unread: read elsewhere already means nothing to tell.
  const now = Date.now();
  const reps = await db
    .select({
      userId: chatLinks.userId,
      connectionId: chatLinks.connectionId,
      chatId: sql<string>`coalesce(${chatLinks.externalChatId}, ${chatLinks.externalUserId})`,
      mutedUntil: chatLinks.mutedUntil,
      onlyMine: chatLinks.onlyMine,
      takesPart: sql<number>`EXISTS (SELECT 1 FROM ${conversationParticipants} WHERE ${conversationParticipants.workspaceId} = ${ws}
        AND ${conversationParticipants.conversationId} = ${message.conversationId} AND ${conversationParticipants.userId} = ${chatLinks.userId})`,
    })
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
    // A deactivated user hears of nothing.
    .innerJoin(users, and(eq(users.id, chatLinks.userId), isNull(users.deactivatedAt)))
    .where(and(eq(chatLinks.workspaceId, ws), eq(chatLinks.platformKey, "telegram")))
    .orderBy(asc(chatLinks.userId));
  const bot = botsOf(db, env, ws);

  let retry: TransientJobError | null = null;
  for (const rep of reps) {
    if (rep.mutedUntil !== null && rep.mutedUntil > now) continue;
    if (rep.onlyMine && !rep.takesPart) continue;
    const through = await bot(rep.connectionId);
    const caller = through && (await callerOf(db, ws, rep.userId));
    if (!through || !caller) continue;
    const claim = await claimChatMessage(db, {
      workspaceId: ws,
      userId: rep.userId,
      platform: "telegram",
      connectionId: through.connectionId,
      purpose: "notification",
      chatId: rep.chatId,
      conversationId: message.conversationId,
      messageId: message.id,
    });
    if (!claim) continue; // notified before: a redelivered task
    let cardId: number;
    try {
      const shown = await showMedia(db, env, through.api, { chatId: rep.chatId, connectionId: through.connectionId, message }).catch((error: unknown) => {
        const mapped = telegramJobError(error);
        if (mapped instanceof TransientJobError) throw mapped;
        // A file Telegram will not take is no reason to keep the news from the rep: the card says 📎.
        console.warn(JSON.stringify({ task: "notify_reps", messageId: message.id, userId: rep.userId, media: "skipped", error: mapped.message }));
        return null;
      });
      const card = await notificationCard({ db, env, rep: caller }, message.id);
      const sent = await through.api.sendMessage(rep.chatId, card.text, {
        reply_markup: inlineKeyboard(card.buttons),
        link_preview_options: { is_disabled: true },
        ...(shown === null ? {} : { reply_parameters: { message_id: shown, allow_sending_without_reply: true } }),
      });
      cardId = sent.message_id;
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
    await recordChatMessageId(db, claim, String(cardId));
  }
  if (retry) throw retry;
}
