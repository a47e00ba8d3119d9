// Every inline button a rep presses: its payload decoded into a rep action, run as the rep, and
// the answer drawn in place — the card pressed is redrawn (a notification always as its own live
// card), a menu replaces its buttons, and only lists, parts and questions are new messages.
//
// A press runs at most once: it is claimed by its callback query id before the action, and once
// the action has committed nothing that follows may fail the update (Telegram would deliver it
// again). Every press is answered — an unknown, stale or refused one with words — so no button
// spins forever.
import { Composer } from "grammy";
import type { Message } from "grammy/types";
import { channelUpdates } from "../../../src/db/schema";
import { AppError } from "../../../src/lib/errors";
import { findNotificationCard } from "../../../src/modules/chat-links/chat-notifications.service";
import { type Answer, decodeButton, inWords, notificationCard, type RepContext, runButton, UnknownButton } from "../../rep-actions";
import type { BotContext } from "../context";
import { editMessage, overNotification, postAnswer } from "../render";
import { logFailure, repContext } from "./rep";

export const buttonsComposer = new Composer<BotContext>();

const NO_LONGER = "This button no longer works — send /help to see what you can do.";
const FAILED = "Something went wrong on our side. Please try again.";

/** Answer the press; a press too old to answer (Telegram's 15 minutes) is no reason to fail. */
async function answerPress(ctx: BotContext, text?: string, alert = false) {
  await ctx.answerCallbackQuery(text ? { text: text.slice(0, 200), show_alert: alert } : {}).catch((error: unknown) => logFailure("answerCallbackQuery", error));
}

/** Claim this press (by callback query id, per bot): false when it ran before. */
async function claimPress(ctx: BotContext): Promise<boolean> {
  const { db, connection } = ctx.parley;
  const [fresh] = await db
    .insert(channelUpdates)
    .values({ workspaceId: connection.workspaceId, connectionId: connection.id, updateId: `callback:${ctx.callbackQuery!.id}` })
    .onConflictDoNothing()
    .returning({ id: channelUpdates.id });
  return fresh !== undefined;
}

async function notificationOf(ctx: BotContext, rc: RepContext, message: Message | undefined) {
  if (!message) return null;
  return findNotificationCard(rc.db, rc.rep, {
    platform: "telegram",
    connectionId: ctx.parley.connection.id,
    chatId: String(message.chat.id),
    chatMessageId: String(message.message_id),
  });
}

/** Draw what the action answered, where the button was. */
async function draw(ctx: BotContext, rc: RepContext, answer: Answer, message: Message | undefined, notificationOfMessage: number | null) {
  await answerPress(ctx, answer.notice);
  if (answer.show === "new" || !message) return void (await postAnswer(ctx, answer));
  const { chat, message_id } = message;
  if (notificationOfMessage === null) return editMessage(ctx, chat.id, message_id, answer.text, answer.buttons);
  const card = await notificationCard(rc, notificationOfMessage);
  if (answer.show === "card") return editMessage(ctx, chat.id, message_id, card.text, card.buttons);
  // A menu over a notification: the card stays readable above the choice.
  await editMessage(ctx, chat.id, message_id, `${card.text}\n\n👉 ${answer.text}`, overNotification(answer.buttons, notificationOfMessage));
}

buttonsComposer.on("callback_query:data", async (ctx) => {
  const pressed = decodeButton(ctx.callbackQuery.data);
  if (!pressed) return answerPress(ctx, NO_LONGER, true);
  if (!(await claimPress(ctx))) return answerPress(ctx);
  const message = ctx.callbackQuery.message as Message | undefined;
  const rc: RepContext = {
    ...repContext(ctx),
    ...(message
      ? { origin: { platform: "telegram", connectionId: ctx.parley.connection.id, chatId: String(message.chat.id), chatMessageId: String(message.message_id) } }
      : {}),
  };
  const notification = await notificationOf(ctx, rc, message);

  let answer: Answer;
  try {
    answer = await runButton(rc, pressed.action, pressed.args);
  } catch (error) {
    if (error instanceof UnknownButton) return answerPress(ctx, NO_LONGER, true);
    if (!(error instanceof AppError)) {
      logFailure(`button ${pressed.action}`, error);
      return answerPress(ctx, FAILED, true);
    }
    await answerPress(ctx, inWords(error), true);
    // A stale card says why not, and shows how things stand now.
    if (notification && message) {
      await notificationCard(rc, notification.messageId)
        .then((card) => editMessage(ctx, message.chat.id, message.message_id, card.text, card.buttons))
        .catch((redraw: unknown) => logFailure("redraw stale card", redraw));
    }
    return;
  }
  // Committed: drawing is courtesy.
  try {
    await draw(ctx, rc, answer, message, notification?.messageId ?? null);
  } catch (error) {
    logFailure(`draw ${pressed.action}`, error);
  }
});
