// Rep-action answers drawn for Telegram: neutral buttons become inline keyboards whose callback
// data is the button's `code:args` payload (well inside Telegram's 64 bytes); questions become
// force-reply prompts remembered in chat_prompts; long answers go out in parts.
import { GrammyError, InlineKeyboard } from "grammy";
import { openPrompt, recordPromptMessageId, type ChatWhere } from "../../src/modules/chat-links/chat-prompts.service";
import { type Answer, type Button, encodeButton, type Keyboard } from "../rep-actions";
import type { BotContext } from "./context";

export function inlineKeyboard(rows: Keyboard): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  rows.forEach((row, i) => {
    if (i > 0) keyboard.row();
    for (const b of row) keyboard.text(b.label, encodeButton(b));
  });
  return keyboard;
}

const markup = (rows: Keyboard) => (rows.length > 0 ? { reply_markup: inlineKeyboard(rows) } : {});

/** Where the rep's chat with this bot is, for questions the bot asks there. */
export function chatOf(ctx: BotContext): ChatWhere {
  const rep = ctx.parley.rep;
  const chatId = ctx.chat?.id ?? ctx.from?.id;
  if (!rep || chatId === undefined) throw new Error("a rep's chat was expected");
  return { workspaceId: rep.workspaceId, userId: rep.userId, platform: "telegram", connectionId: ctx.parley.connection.id, chatId: String(chatId) };
}

/**
 * Post an answer as new messages. A question is remembered first, then asked: with its buttons
 * when it has some, else as a force-reply (Telegram opens the reply box); either way the rep's
 * next text answers it.
 */
export async function postAnswer(ctx: BotContext, answer: Answer, extra: { replyTo?: number } = {}): Promise<{ message_id: number }> {
  const replyParameters = extra.replyTo ? { reply_parameters: { message_id: extra.replyTo, allow_sending_without_reply: true } } : {};
  let sent: { message_id: number };
  if (answer.prompt) {
    const prompt = await openPrompt(ctx.parley.db, chatOf(ctx), answer.prompt);
    sent = await ctx.reply(answer.text, {
      ...replyParameters,
      ...(answer.buttons.length > 0
        ? markup(answer.buttons)
        : { reply_markup: { force_reply: true, input_field_placeholder: answer.prompt.placeholder.slice(0, 64) } }),
    });
    await recordPromptMessageId(ctx.parley.db, prompt, String(sent.message_id));
  } else {
    sent = await ctx.reply(answer.text, { ...replyParameters, ...markup(answer.buttons), link_preview_options: { is_disabled: true } });
  }
  for (const part of answer.continued ?? []) await ctx.reply(part, { link_preview_options: { is_disabled: true } });
  return sent;
}

/** Telegram refuses an edit that changes nothing; for a redraw that is success. */
export const unchanged = (error: unknown) => error instanceof GrammyError && /message is not modified/i.test(error.description);

/** Replace a message's text and buttons (a card redrawn in place). */
export async function editMessage(ctx: BotContext, chatId: number, messageId: number, text: string, rows: Keyboard): Promise<void> {
  try {
    await ctx.api.editMessageText(chatId, messageId, text, { ...markup(rows), link_preview_options: { is_disabled: true } });
  } catch (error) {
    if (!unchanged(error)) throw error;
  }
}

/** A menu shown over a notification: its "‹ Back" buttons (or an added one) lead back to the card. */
export function overNotification(rows: Keyboard, messageId: number): Keyboard {
  const back: Button = { label: "‹ Back", action: "notification.show", args: [messageId], back: true };
  let hasBack = false;
  const retargeted = rows.map((row) =>
    row.map((b) => {
      if (!b.back) return b;
      hasBack = true;
      return back;
    }),
  );
  return hasBack ? retargeted : [...retargeted, [back]];
}
