// A rep's Telegram reply to a notification or a reply prompt is their answer to the contact:
// sent through the same `sendMessage` as the API (on the conversation's channel, as the rep),
// and what they answered counts as read. Installed last: any other rep message gets a hint.
import { Composer } from "grammy";
import { AppError } from "../../../src/lib/errors";
import { findRepliedTo } from "../../../src/modules/chat-links/chat-notifications.service";
import { markReadBatch, sendMessage } from "../../../src/modules/messages/messages.service";
import type { BotContext } from "../context";
import { repOf } from "./rep";

export const replyComposer = new Composer<BotContext>();

const HINT = "To answer a contact, reply to their notification (swipe it, or tap ↩ Reply). /inbox lists what is unread, /help the rest.";

replyComposer.on("message", async (ctx) => {
  const rep = repOf(ctx);
  const { db, env } = ctx.parley;
  const repliedTo = ctx.msg.reply_to_message;
  if (!repliedTo) return void (await ctx.reply(HINT));
  const found = await findRepliedTo(db, rep, {
    platform: "telegram",
    connectionId: ctx.parley.connection.id,
    chatId: String(ctx.chat.id),
    chatMessageId: String(repliedTo.message_id),
  });
  if (!found) {
    await ctx.reply(`That message is not a notification I can answer. ${HINT}`);
    return;
  }
  const text = ctx.msg.text;
  if (text === undefined || !text.trim()) {
    await ctx.reply("Only text answers can be sent from Telegram; send files from the Parley app.");
    return;
  }
  const { conversationId, messageId } = found.notification;
  let sent: Awaited<ReturnType<typeof sendMessage>>;
  try {
    sent = await sendMessage(db, env, rep, conversationId, { body: text });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    await ctx.reply(`Not sent: ${error.message}`);
    return;
  }
  // The answer is stored and queued. Nothing after this may fail the update: Telegram would
  // deliver it again and the contact would get the answer twice.
  try {
    await markReadBatch(db, rep, { conversationId, upToMessageId: messageId });
    await ctx.reply(`✓ Sent to ${found.contactName ?? "the conversation"} on ${sent.channelKey}.`, {
      reply_parameters: { message_id: ctx.msg.message_id, allow_sending_without_reply: true },
    });
  } catch (error) {
    console.error(JSON.stringify({ telegramReply: { messageId: sent.id }, error: error instanceof Error ? error.message : String(error) }));
  }
});
