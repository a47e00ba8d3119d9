// Every inline button a rep presses: its payload decoded into a rep action, run as the rep, and
// the answer drawn — a toast for what was done, and a new message for what there is to see.
import { Composer } from "grammy";
import { claimChatMessage, recordChatMessageId } from "../../../src/modules/chat-links/chat-notifications.service";
import { type Answer, decodeButton, type ReplyTarget, runButton, UnknownButton } from "../../rep-actions";
import type { BotContext } from "../context";
import { inlineKeyboard } from "../render";
import { answerFailure, repContext } from "./rep";

export const buttonsComposer = new Composer<BotContext>();

/** ↩ Reply: a prompt the rep answers with Telegram's reply; recorded so the answer finds its conversation. */
async function showReplyPrompt(ctx: BotContext, prompt: Answer<ReplyTarget>) {
  const rep = repContext(ctx).rep;
  const claim = await claimChatMessage(ctx.parley.db, {
    workspaceId: rep.workspaceId,
    userId: rep.userId,
    platform: "telegram",
    connectionId: ctx.parley.connection.id,
    purpose: "reply_prompt",
    chatId: String(ctx.chat?.id ?? ctx.from!.id),
    conversationId: prompt.data.conversationId,
    messageId: prompt.data.messageId,
  });
  await ctx.answerCallbackQuery();
  const placeholder = `Your answer to ${prompt.data.name}`;
  const sent = await ctx.reply(prompt.text, {
    reply_markup: { force_reply: true, input_field_placeholder: placeholder.length > 60 ? `${placeholder.slice(0, 60)}…` : placeholder },
  });
  if (claim) await recordChatMessageId(ctx.parley.db, claim, String(sent.message_id));
}

buttonsComposer.on("callback_query:data", async (ctx) => {
  const pressed = decodeButton(ctx.callbackQuery.data);
  if (!pressed) return void (await ctx.answerCallbackQuery({ text: "This button no longer works.", show_alert: true }));
  await answerFailure(ctx, async () => {
    let answer: Answer;
    try {
      answer = await runButton(repContext(ctx), pressed.action, pressed.args);
    } catch (error) {
      if (!(error instanceof UnknownButton)) throw error;
      return void (await ctx.answerCallbackQuery({ text: "This button no longer works.", show_alert: true }));
    }
    if (pressed.action === "reply.prompt") return showReplyPrompt(ctx, answer as Answer<ReplyTarget>);
    await ctx.answerCallbackQuery(answer.notice ? { text: answer.notice } : {});
    if (answer.show !== "card" || answer.buttons.length > 0) {
      await ctx.reply(answer.text, answer.buttons.length ? { reply_markup: inlineKeyboard(answer.buttons) } : {});
    }
  });
});
