// What a rep types that is not a command: the answer to the bot's open question (a reply, a first
// message to a contact, a lost deal's reason, a new deal's title), or — swiped as a reply to a
// notification card — their answer to that contact. Installed last: anything else gets a hint.
//
// Sending is the side effect that must never happen twice: once a text has been sent on, what
// follows only logs, so Telegram never has a reason to deliver the rep's text again.
import { Composer } from "grammy";
import { AppError } from "../../../src/lib/errors";
import { findRepliedTo } from "../../../src/modules/chat-links/chat-notifications.service";
import { type ChatPromptRow, findOpenPrompt, reopenPrompt, takePrompt } from "../../../src/modules/chat-links/chat-prompts.service";
import { type Answer, inWords, isPromptAction, runPrompt, sendReply, type Sent } from "../../rep-actions";
import type { BotContext } from "../context";
import { followSentMessage } from "../outcome";
import { chatOf, postAnswer } from "../render";
import { logFailure, repContext } from "./rep";

export const textComposer = new Composer<BotContext>();

const HINT =
  "To answer a contact, tap ↩ Reply on their message (or swipe it) and type. To write to someone first, find them with /contact. /help shows the rest.";
const TEXT_ONLY = "Only text can be sent from Telegram for now; send files from the Parley app.";

/** Show the answer to a text; for a sent message, follow its delivery under the "⏳ Sending…" line. */
async function show(ctx: BotContext, answer: Answer) {
  const rc = repContext(ctx);
  try {
    const posted = await postAnswer(ctx, answer, { replyTo: ctx.msg!.message_id });
    const sent = (answer.data as { sent?: Sent | null } | null)?.sent;
    if (sent) {
      await followSentMessage(rc.db, rc.env, {
        rep: rc.rep,
        connectionId: ctx.parley.connection.id,
        chatId: String(ctx.chat!.id),
        noticeMessageId: posted.message_id,
        messageId: sent.id,
        deliveryId: sent.delivery?.id ?? null,
      });
    }
  } catch (error) {
    logFailure("after a rep's text", error);
  }
}

async function answerPrompt(ctx: BotContext, prompt: ChatPromptRow, text: string) {
  const rc = repContext(ctx);
  if (!isPromptAction(prompt.actionKey) || !(await takePrompt(rc.db, prompt))) return void (await ctx.reply(HINT));
  let answer: Answer;
  try {
    answer = await runPrompt(rc, prompt.actionKey, JSON.parse(prompt.argsJson) as unknown[], text);
  } catch (error) {
    if (error instanceof AppError) return void (await ctx.reply(inWords(error)).catch((e: unknown) => logFailure("refusal", e)));
    // Nothing was done: the question stays open for Telegram's retry of this text.
    await reopenPrompt(rc.db, prompt);
    throw error;
  }
  await show(ctx, answer);
}

textComposer.on("message", async (ctx) => {
  const rc = repContext(ctx);
  const repliedTo = ctx.msg.reply_to_message?.message_id;
  const text = ctx.msg.text;

  // A command the bot does not know is not an answer to anything.
  if (text?.startsWith("/")) return void (await ctx.reply(`I don't know ${text.split(/\s/)[0]}. /help lists what I can do.`));
  const prompt = await findOpenPrompt(rc.db, chatOf(ctx), repliedTo === undefined ? null : String(repliedTo));
  if (prompt) {
    if (text === undefined) return void (await ctx.reply(TEXT_ONLY));
    return answerPrompt(ctx, prompt, text);
  }
  if (repliedTo === undefined) return void (await ctx.reply(HINT));

  const found = await findRepliedTo(rc.db, rc.rep, {
    platform: "telegram",
    connectionId: ctx.parley.connection.id,
    chatId: String(ctx.chat.id),
    chatMessageId: String(repliedTo),
  });
  if (!found) return void (await ctx.reply(`That message is not one I can answer. ${HINT}`));
  if (text === undefined || !text.trim()) return void (await ctx.reply(TEXT_ONLY));
  const { conversationId, messageId } = found.notification;
  const answer = await sendReply(rc, { conversationId, upToMessageId: messageId, text, contactName: found.contactName });
  await show(ctx, answer);
});
