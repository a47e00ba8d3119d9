// A rep's Telegram reply to a notification or a reply prompt is their answer to the contact
// (rep-actions sendReply). Installed last: any other rep message gets a hint.
import { Composer } from "grammy";
import { findRepliedTo } from "../../../src/modules/chat-links/chat-notifications.service";
import { sendReply } from "../../rep-actions";
import type { BotContext } from "../context";
import { repContext } from "./rep";

export const replyComposer = new Composer<BotContext>();

const HINT = "To answer a contact, reply to their notification (swipe it, or tap ↩ Reply). /inbox lists what is unread, /help the rest.";

replyComposer.on("message", async (ctx) => {
  const rc = repContext(ctx);
  const repliedTo = ctx.msg.reply_to_message;
  if (!repliedTo) return void (await ctx.reply(HINT));
  const found = await findRepliedTo(rc.db, rc.rep, {
    platform: "telegram",
    connectionId: ctx.parley.connection.id,
    chatId: String(ctx.chat.id),
    chatMessageId: String(repliedTo.message_id),
  });
  if (!found) return void (await ctx.reply(`That message is not a notification I can answer. ${HINT}`));
  const text = ctx.msg.text;
  if (text === undefined || !text.trim()) {
    return void (await ctx.reply("Only text answers can be sent from Telegram; send files from the Parley app."));
  }
  const { conversationId, messageId } = found.notification;
  const answer = await sendReply(rc, { conversationId, upToMessageId: messageId, text, contactName: found.contactName });
  try {
    await ctx.reply(answer.text, answer.data.sent ? { reply_parameters: { message_id: ctx.msg.message_id, allow_sending_without_reply: true } } : {});
  } catch (error) {
    // The answer is stored and queued: a failed confirmation must not make Telegram deliver the
    // rep's text again.
    if (!answer.data.sent) throw error;
    console.error(JSON.stringify({ telegramReply: { messageId: answer.data.sent.id }, error: error instanceof Error ? error.message : String(error) }));
  }
});
