// What became of a message a rep sent, told in their Telegram chat: the "⏳ Sending…" line under
// a message they sent from Telegram becomes "✓ Sent" (or why not), and a message that could not
// be delivered — however it was sent — brings a new message naming the contact and the reason,
// with Retry. Runs as the delivery_outcome task, queued when a delivery's status changes.
import { and, eq } from "drizzle-orm";
import { telegramJobError } from "../../src/channels/telegram/telegram-errors";
import type { Db } from "../../src/db/client";
import { channelUpdates, chatLinks, deliveries, messages } from "../../src/db/schema";
import type { Bindings, Caller } from "../../src/env";
import { TransientJobError } from "../../src/jobs/errors";
import { callerOf } from "../../src/modules/chat-links/chat-links.service";
import { recordSentNotice, sentNoticesOf } from "../../src/modules/chat-links/chat-notifications.service";
import { deliveryOutcome, refreshCardsLater } from "../rep-actions";
import { botsOf } from "./notify";
import { inlineKeyboard, unchanged } from "./render";

async function authorOf(db: Db, workspaceId: number, deliveryId: number): Promise<{ caller: Caller; messageId: number } | null> {
  const [row] = await db
    .select({ authorUserId: messages.authorUserId, messageId: messages.id })
    .from(deliveries)
    .innerJoin(messages, and(eq(messages.workspaceId, deliveries.workspaceId), eq(messages.id, deliveries.messageId)))
    .where(and(eq(deliveries.workspaceId, workspaceId), eq(deliveries.id, deliveryId)));
  if (!row || row.authorUserId === null) return null;
  const caller = await callerOf(db, workspaceId, row.authorUserId);
  return caller ? { caller, messageId: row.messageId } : null;
}

/** Rewrite the author's notices of the message to say where its delivery stands. */
async function editNotices(db: Db, env: Bindings, workspaceId: number, messageId: number, text: string) {
  const bot = botsOf(db, env, workspaceId);
  for (const notice of await sentNoticesOf(db, workspaceId, messageId, "telegram")) {
    const through = await bot(notice.connectionId);
    if (!through) continue;
    try {
      await through.api.editMessageText(notice.chatId, Number(notice.chatMessageId), text);
    } catch (error) {
      if (unchanged(error)) continue;
      const mapped = telegramJobError(error);
      if (mapped instanceof TransientJobError) throw mapped;
      console.warn(JSON.stringify({ task: "delivery_outcome", messageId, notice: "not edited", error: mapped.message }));
    }
  }
}

export async function tellTelegramOutcome(db: Db, env: Bindings, task: { workspaceId: number; deliveryId: number }): Promise<void> {
  const ws = task.workspaceId;
  const author = await authorOf(db, ws, task.deliveryId);
  if (!author) return;
  const ctx = { db, env, rep: author.caller };
  const outcome = await deliveryOutcome(ctx, task.deliveryId);
  if (outcome.data.statusKey === "queued") return;
  await editNotices(db, env, ws, author.messageId, outcome.data.noticeText);
  if (outcome.data.statusKey !== "failed") {
    // Answered: every rep's card of the conversation says so.
    await refreshCardsLater(ctx, outcome.data.contactId);
    return;
  }
  // Not delivered: the author hears of it through each bot they are linked with, once per delivery.
  const links = await db
    .select()
    .from(chatLinks)
    .where(and(eq(chatLinks.workspaceId, ws), eq(chatLinks.userId, author.caller.userId), eq(chatLinks.platformKey, "telegram")));
  const bot = botsOf(db, env, ws);
  for (const link of links) {
    const through = await bot(link.connectionId);
    if (!through) continue;
    const [claim] = await db
      .insert(channelUpdates)
      .values({ workspaceId: ws, connectionId: through.connectionId, updateId: `delivery-failed:${task.deliveryId}:${link.userId}` })
      .onConflictDoNothing()
      .returning({ id: channelUpdates.id });
    if (!claim) continue;
    try {
      await through.api.sendMessage(link.externalChatId ?? link.externalUserId, outcome.text, {
        reply_markup: inlineKeyboard(outcome.buttons),
        link_preview_options: { is_disabled: true },
      });
    } catch (error) {
      await db.delete(channelUpdates).where(eq(channelUpdates.id, claim.id));
      const mapped = telegramJobError(error);
      if (mapped instanceof TransientJobError) throw mapped;
      console.warn(JSON.stringify({ task: "delivery_outcome", deliveryId: task.deliveryId, userId: link.userId, skipped: mapped.message }));
    }
  }
}

/**
 * The rep sent a message from Telegram and was shown `noticeMessageId` ("⏳ Sending…"): remember
 * it, and if the delivery moved on before it was remembered, say so now.
 */
export async function followSentMessage(
  db: Db,
  env: Bindings,
  opts: { rep: Caller; connectionId: number; chatId: string; noticeMessageId: number; messageId: number; deliveryId: number | null },
): Promise<void> {
  await recordSentNotice(db, {
    workspaceId: opts.rep.workspaceId,
    userId: opts.rep.userId,
    platform: "telegram",
    connectionId: opts.connectionId,
    chatId: opts.chatId,
    chatMessageId: String(opts.noticeMessageId),
    messageId: opts.messageId,
  });
  if (opts.deliveryId === null) return;
  const outcome = await deliveryOutcome({ db, env, rep: opts.rep }, opts.deliveryId);
  if (outcome.data.statusKey !== "queued") await editNotices(db, env, opts.rep.workspaceId, opts.messageId, outcome.data.noticeText);
}
