// The rep's inbox: unread conversations a page at a time, marking read, and what a reply answers.
import type { Db } from "../../src/db/client";
import type { Caller } from "../../src/env";
import { decodeCursor, encodeCursor } from "../../src/lib/pagination";
import { findContact } from "../../src/modules/contacts/contacts.service";
import { type ConversationRow, findConversation, listConversations } from "../../src/modules/conversations/conversations.service";
import { findMessage } from "../../src/modules/messages/message-access";
import { markRead, markReadBatch } from "../../src/modules/messages/messages.service";
import { getUser } from "../../src/modules/users/users.service";
import { snippet } from "./format";
import { type Answer, button, type Keyboard, type RepContext } from "./types";

const INBOX_PAGE = 5;

/**
 * Where the next inbox page starts, as button arguments: the last row's (lastMessageAt, id) in
 * base 36 rather than the API's base64 cursor, to stay well inside chat apps' payload limits.
 */
export type InboxPosition = readonly [lastMessageAt: string, id: string];

const positionOf = (cursor: string): InboxPosition => {
  const [lastMessageAt, id] = decodeCursor(cursor, 2);
  return [lastMessageAt === null ? "" : Number(lastMessageAt).toString(36), Number(id).toString(36)];
};

const cursorOf = ([lastMessageAt, id]: InboxPosition) => encodeCursor([lastMessageAt ? parseInt(lastMessageAt, 36) : null, parseInt(id, 36)]);

type InboxRow = Awaited<ReturnType<typeof listConversations>>["data"][number];

/** Unread conversations, newest activity first, each with Reply and Read buttons; More › pages on. */
export async function inbox(ctx: RepContext, after?: InboxPosition): Promise<Answer<{ conversations: InboxRow[]; more: boolean }>> {
  const { data, nextCursor } = await listConversations(ctx.db, ctx.rep, { unread: true, limit: INBOX_PAGE, cursor: after && cursorOf(after) });
  if (data.length === 0) {
    return { data: { conversations: [], more: false }, text: after ? "No more unread conversations." : "📭 Nothing unread.", buttons: [], show: "new" };
  }
  const lines = [after ? "📥 More unread conversations:" : "📥 Unread conversations:"];
  const buttons: Keyboard = [];
  for (const conversation of data) {
    const name = conversation.contact?.name ?? conversation.peer?.name ?? `Conversation ${conversation.id}`;
    const last = conversation.lastMessage;
    lines.push("", `• ${name} — ${conversation.unreadCount} unread${last ? ` · ${last.channelKey}` : ""}`);
    if (!last) continue;
    if (last.body) lines.push(`  “${snippet(last.body)}”`);
    buttons.push([button(`↩ ${snippet(name, 30)}`, "reply.prompt", last.id), button("✓ Read", "conversation.read", conversation.id, last.id)]);
  }
  if (nextCursor) buttons.push([button("More ›", "inbox.page", ...positionOf(nextCursor))]);
  return { data: { conversations: data, more: nextCursor !== null }, text: lines.join("\n"), buttons, show: "new" };
}

/** The rep has read one message. */
export async function readMessage(ctx: RepContext, messageId: number): Promise<Answer<{ markedRead: number }>> {
  const { markedRead } = await markRead(ctx.db, ctx.rep, messageId);
  const notice = markedRead ? "Marked read" : "Already read";
  return { data: { markedRead }, text: notice, buttons: [], show: "card", notice };
}

/** The rep has read a conversation up to a message. */
export async function readConversation(ctx: RepContext, conversationId: number, upToMessageId: number): Promise<Answer<{ markedRead: number }>> {
  const { markedRead } = await markReadBatch(ctx.db, ctx.rep, { conversationId, upToMessageId });
  const notice = markedRead ? `Marked ${markedRead} read` : "Already read";
  return { data: { markedRead }, text: notice, buttons: [], show: "card", notice };
}

/** Who a conversation is with, as the rep sees it: the contact, or the other user of a direct one. */
export async function counterpartName(db: Db, rep: Caller, conversation: ConversationRow): Promise<string> {
  if (conversation.contactId !== null) return (await findContact(db, rep.workspaceId, conversation.contactId)).name;
  const peerId = (conversation.directKey ?? "").split(":").map(Number).find((id) => id !== rep.userId);
  return peerId ? (await getUser(db, rep, peerId)).name : `conversation ${conversation.id}`;
}

export interface ReplyTarget {
  conversationId: number;
  messageId: number;
  name: string;
  body: string;
}

/** ↩ Reply to a message: which conversation an answer goes to, and a prompt quoting the message. */
export async function replyPrompt(ctx: RepContext, messageId: number): Promise<Answer<ReplyTarget>> {
  const message = await findMessage(ctx.db, ctx.rep, messageId);
  const conversation = await findConversation(ctx.db, ctx.rep, message.conversationId);
  const name = await counterpartName(ctx.db, ctx.rep, conversation);
  const quoted = message.body ? `\n“${snippet(message.body, 200)}”` : "";
  return {
    data: { conversationId: conversation.id, messageId: message.id, name, body: message.body },
    text: `↩ Reply to ${name}${quoted}`,
    buttons: [],
    show: "new",
  };
}
