// The refresh_cards task for Telegram: every notification card about a contact, in every rep's
// chat, redrawn from how things stand now (score, qualification, deal, read by that rep, answered
// by whom) — one live card per message and rep.
import { and, desc, eq, isNotNull } from "drizzle-orm";
import { GrammyError } from "grammy";
import { telegramJobError } from "../../src/channels/telegram/telegram-errors";
import type { Db } from "../../src/db/client";
import { chatLinks, chatNotifications, conversations } from "../../src/db/schema";
import type { Bindings, Caller } from "../../src/env";
import { TransientJobError } from "../../src/jobs/errors";
import type { TaskMessageOf } from "../../src/jobs/job-message";
import { callerOf, linkedThrough } from "../../src/modules/chat-links/chat-links.service";
import { notificationCard } from "../rep-actions";
import { botsOf } from "./notify";
import { inlineKeyboard, unchanged } from "./render";

/** The newest cards redrawn per task: older ones are history, and each edit is a Bot API call. */
const MAX_CARDS = 30;

export async function refreshTelegramCards(db: Db, env: Bindings, task: TaskMessageOf<"refresh_cards">): Promise<void> {
  const ws = task.workspaceId;
  const cards = await db
    .select({ card: chatNotifications })
    .from(chatNotifications)
    .innerJoin(conversations, and(eq(conversations.workspaceId, chatNotifications.workspaceId), eq(conversations.id, chatNotifications.conversationId)))
    .where(
      and(
        eq(chatNotifications.workspaceId, ws),
        eq(conversations.contactId, task.contactId),
        eq(chatNotifications.platformKey, "telegram"),
        eq(chatNotifications.purposeKey, "notification"),
        isNotNull(chatNotifications.chatMessageId),
      ),
    )
    .orderBy(desc(chatNotifications.id))
    .limit(MAX_CARDS);
  const bot = botsOf(db, env, ws);
  const callers = new Map<string, Promise<Caller | null>>();
  /** The rep, while still linked through that bot: an unlinked account sees nothing new. */
  const repOf = (userId: number, connectionId: number) => {
    const key = `${userId}:${connectionId}`;
    if (!callers.has(key)) {
      callers.set(
        key,
        (async () => {
          const [linked] = await db
            .select({ id: chatLinks.id })
            .from(chatLinks)
            .where(and(linkedThrough({ platform: "telegram", connectionId, workspaceId: ws }), eq(chatLinks.userId, userId)));
          return linked ? callerOf(db, ws, userId) : null;
        })(),
      );
    }
    return callers.get(key)!;
  };

  let retry: TransientJobError | null = null;
  const skip = task.except;
  const pressed = (card: typeof chatNotifications.$inferSelect) =>
    skip?.platform === "telegram" && skip.connectionId === card.connectionId && skip.chatId === card.chatId && skip.chatMessageId === card.chatMessageId;
  for (const { card } of cards) {
    if (card.connectionId === null || pressed(card)) continue;
    const [through, rep] = await Promise.all([bot(card.connectionId), repOf(card.userId, card.connectionId)]);
    if (!through || !rep) continue;
    try {
      const view = await notificationCard({ db, env, rep }, card.messageId);
      await through.api.editMessageText(card.chatId, Number(card.chatMessageId), view.text, {
        reply_markup: inlineKeyboard(view.buttons),
        link_preview_options: { is_disabled: true },
      });
    } catch (error) {
      if (unchanged(error)) continue;
      const mapped = telegramJobError(error);
      if (mapped instanceof TransientJobError) {
        if (!retry || (mapped.retryAfterSeconds ?? 0) > (retry.retryAfterSeconds ?? 0)) retry = mapped;
      } else if (!(error instanceof GrammyError)) {
        throw error;
      } else {
        // The rep deleted the card, or blocked the bot: nothing to redraw.
        console.warn(JSON.stringify({ task: "refresh_cards", messageId: card.messageId, userId: card.userId, skipped: mapped.message }));
      }
    }
  }
  if (retry) throw retry;
}
