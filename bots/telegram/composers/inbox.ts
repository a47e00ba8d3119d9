// Reps' inbox: the Reply and Mark read buttons of a notification, and /inbox (unread
// conversations, paged). Replying itself is composers/reply.ts.
import { Composer, InlineKeyboard } from "grammy";
import type { Caller } from "../../../src/env";
import type { Db } from "../../../src/db/client";
import { decodeCursor, encodeCursor } from "../../../src/lib/pagination";
import { claimChatMessage, recordChatMessageId } from "../../../src/modules/chat-links/chat-notifications.service";
import { findContact } from "../../../src/modules/contacts/contacts.service";
import { type ConversationRow, findConversation, listConversations } from "../../../src/modules/conversations/conversations.service";
import { findMessage } from "../../../src/modules/messages/message-access";
import { markRead, markReadBatch } from "../../../src/modules/messages/messages.service";
import { getUser } from "../../../src/modules/users/users.service";
import type { BotContext } from "../context";
import { answerFailure, repOf } from "./rep";

export const inboxComposer = new Composer<BotContext>();

const INBOX_PAGE = 5;
const snippet = (text: string, max = 80) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** Who a conversation is with, as the rep sees it: the contact, or the other user of a direct one. */
async function counterpartName(db: Db, rep: Caller, conversation: ConversationRow): Promise<string> {
  if (conversation.contactId !== null) return (await findContact(db, rep.workspaceId, conversation.contactId)).name;
  const peerId = (conversation.directKey ?? "").split(":").map(Number).find((id) => id !== rep.userId);
  return peerId ? (await getUser(db, rep, peerId)).name : `conversation ${conversation.id}`;
}

/** ↩ Reply: a prompt the rep answers with Telegram's reply; recorded so the answer finds its conversation. */
inboxComposer.callbackQuery(/^rp:(\d+)$/, async (ctx) =>
  answerFailure(ctx, async () => {
    const rep = repOf(ctx);
    const { db } = ctx.parley;
    const message = await findMessage(db, rep, Number(ctx.match[1]));
    const conversation = await findConversation(db, rep, message.conversationId);
    const name = await counterpartName(db, rep, conversation);
    const claim = await claimChatMessage(db, {
      workspaceId: rep.workspaceId,
      userId: rep.userId,
      platform: "telegram",
      connectionId: ctx.parley.connection.id,
      purpose: "reply_prompt",
      chatId: String(ctx.chat?.id ?? ctx.from.id),
      conversationId: conversation.id,
      messageId: message.id,
    });
    await ctx.answerCallbackQuery();
    const quoted = message.body ? `\n“${snippet(message.body, 200)}”` : "";
    const prompt = await ctx.reply(`↩ Reply to ${name}${quoted}`, {
      reply_markup: { force_reply: true, input_field_placeholder: snippet(`Your answer to ${name}`, 60) },
    });
    if (claim) await recordChatMessageId(db, claim, String(prompt.message_id));
  }),
);

/** ✓ Mark read: the rep's receipt of that one message. */
inboxComposer.callbackQuery(/^rd:(\d+)$/, async (ctx) =>
  answerFailure(ctx, async () => {
    const { markedRead } = await markRead(ctx.parley.db, repOf(ctx), Number(ctx.match[1]));
    await ctx.answerCallbackQuery({ text: markedRead ? "Marked read" : "Already read" });
  }),
);

/** ✓ Read in /inbox: everything of the conversation up to the message the list showed. */
inboxComposer.callbackQuery(/^ra:(\d+):(\d+)$/, async (ctx) =>
  answerFailure(ctx, async () => {
    const { markedRead } = await markReadBatch(ctx.parley.db, repOf(ctx), {
      conversationId: Number(ctx.match[1]),
      upToMessageId: Number(ctx.match[2]),
    });
    await ctx.answerCallbackQuery({ text: markedRead ? `Marked ${markedRead} read` : "Already read" });
  }),
);

/**
 * The "More" button carries the page position itself — the last row's (lastMessageAt, id) in
 * base 36 — rather than the API's base64 cursor, to stay well inside Telegram's 64-byte limit.
 */
const positionData = (cursor: string) => {
  const [lastMessageAt, id] = decodeCursor(cursor, 2);
  return `in:${lastMessageAt === null ? "" : Number(lastMessageAt).toString(36)}:${Number(id).toString(36)}`;
};

async function showInbox(ctx: BotContext, cursor?: string) {
  const rep = repOf(ctx);
  const { data, nextCursor } = await listConversations(ctx.parley.db, rep, { unread: true, limit: INBOX_PAGE, cursor });
  if (data.length === 0) {
    await ctx.reply(cursor ? "No more unread conversations." : "📭 Nothing unread.");
    return;
  }
  const lines = [cursor ? "📥 More unread conversations:" : "📥 Unread conversations:"];
  const keyboard = new InlineKeyboard();
  for (const conversation of data) {
    const name = conversation.contact?.name ?? conversation.peer?.name ?? `Conversation ${conversation.id}`;
    const last = conversation.lastMessage;
    lines.push("", `• ${name} — ${conversation.unreadCount} unread${last ? ` · ${last.channelKey}` : ""}`);
    if (!last) continue;
    if (last.body) lines.push(`  “${snippet(last.body)}”`);
    keyboard.text(`↩ ${snippet(name, 30)}`, `rp:${last.id}`).text("✓ Read", `ra:${conversation.id}:${last.id}`).row();
  }
  if (nextCursor) keyboard.text("More ›", positionData(nextCursor));
  await ctx.reply(lines.join("\n"), { reply_markup: keyboard });
}

inboxComposer.command("inbox", (ctx) => showInbox(ctx));

inboxComposer.callbackQuery(/^in:([0-9a-z]*):([0-9a-z]+)$/, async (ctx) =>
  answerFailure(ctx, async () => {
    const [, lastMessageAt, id] = ctx.match;
    await ctx.answerCallbackQuery();
    await showInbox(ctx, encodeCursor([lastMessageAt ? parseInt(lastMessageAt, 36) : null, parseInt(id!, 36)]));
  }),
);
