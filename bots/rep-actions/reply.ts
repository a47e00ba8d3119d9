// A rep's text to a contact, typed in a chat app: an answer to a conversation (↩ Reply) or a first
// message (✍ Write). Sent through the same `sendMessage` as the API — on the conversation's channel
// (or the one chosen), as the rep — and what they answered counts as read. What then becomes of
// it (sent, or not delivered and why) comes back through deliveries.ts.
import { AppError } from "../../src/lib/errors";
import type { MessageChannel } from "../../src/db/schema";
import { getLiveContact } from "../../src/modules/contacts/contacts.service";
import { findConversation, openForContact } from "../../src/modules/conversations/conversations.service";
import { markReadBatch, sendMessage } from "../../src/modules/messages/messages.service";
import { refreshCardsLater } from "./notifications";
import type { OutboundTemplate } from "../../src/channels/channel-adapter";
import { type Answer, button, type RepContext } from "./types";
import { inWords, refusal } from "./words";

export type Sent = Awaited<ReturnType<typeof sendMessage>>;

/** The line that follows a sent message, as its delivery moves on. */
export function sentNoticeText(to: string, channelKey: string, statusKey: string | null, reason?: string): string {
  if (channelKey === "internal") return `📝 Saved as an internal note for ${to}.`;
  if (statusKey === null || statusKey === "queued") return `⏳ Sending to ${to} on ${channelKey}…`;
  if (statusKey === "failed") return `✗ Not delivered to ${to} on ${channelKey}${reason ? `: ${reason}` : "."}`;
  return `✓ Sent to ${to} on ${channelKey}.`;
}

/**
 * Send `text` as the rep. A refusal (a conversation gone, a channel that cannot be used) is an
 * answer saying so, with nothing sent. Once the message is stored nothing may fail: the chat app
 * would deliver the rep's text again, and the contact would get it twice — so later steps only log.
 */
async function send(
  ctx: RepContext,
  conversationId: number,
  input: { text: string; channelKey?: MessageChannel; template?: OutboundTemplate; upToMessageId?: number; to: string; contactId: number | null },
): Promise<Answer<{ sent: Sent | null }>> {
  let sent: Sent;
  try {
    sent = await sendMessage(ctx.db, ctx.env, ctx.rep, conversationId, {
      body: input.text,
      channelKey: input.channelKey,
      ...(input.template ? { template: input.template } : {}),
    });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    // WhatsApp's window has closed: what can still go out is a template.
    const buttons = error.code === "outside_customer_window" ? [[templateButton(conversationId, input.channelKey ?? "whatsapp")]] : [];
    return { data: { sent: null }, text: `Not sent: ${inWords(error)}`, buttons, show: "new" };
  }
  try {
    if (input.upToMessageId !== undefined) await markReadBatch(ctx.db, ctx.rep, { conversationId, upToMessageId: input.upToMessageId });
  } catch (error) {
    console.error(JSON.stringify({ repReply: { messageId: sent.id }, error: error instanceof Error ? error.message : String(error) }));
  }
  await refreshCardsLater(ctx, input.contactId);
  return { data: { sent }, text: sentNoticeText(input.to, sent.channelKey, sent.delivery?.statusKey ?? null), buttons: [], show: "new" };
}

/** ↩ Reply: `text` into the conversation, reading it up to the message answered. */
export async function sendReply(
  ctx: RepContext,
  input: { conversationId: number; upToMessageId: number; text: string; contactName: string | null; contactId?: number | null },
) {
  return send(ctx, input.conversationId, {
    text: input.text,
    upToMessageId: input.upToMessageId,
    to: input.contactName ?? "the conversation",
    contactId: input.contactId ?? null,
  });
}

/** ✍ Write: `text` to the contact on `channelKey`, in their open conversation (opened if none). */
export async function writeToContact(ctx: RepContext, input: { contactId: number; channelKey: MessageChannel; text: string }) {
  const contact = await getLiveContact(ctx.db, ctx.rep.workspaceId, input.contactId);
  const { conversation } = await openForContact(ctx.db, ctx.rep, input.contactId);
  return send(ctx, conversation.id, { text: input.text, channelKey: input.channelKey, to: contact.name, contactId: contact.id });
}

/** 📝 Send template: offered where only a template may go out (WhatsApp's closed window). */
export const templateButton = (conversationId: number, channelKey: string) => button("📝 Send template", "conversation.template", conversationId, channelKey);

/** 📝 Send template: asks for the approved template's name, language and any values. */
export async function templatePrompt(ctx: RepContext, conversationId: number, channelKey: MessageChannel): Promise<Answer<{ conversationId: number; channelKey: MessageChannel }>> {
  const conversation = await findConversation(ctx.db, ctx.rep, conversationId);
  const to = conversation.contactId === null ? "the conversation" : (await getLiveContact(ctx.db, ctx.rep.workspaceId, conversation.contactId)).name;
  return {
    data: { conversationId, channelKey },
    text: `📝 Template to ${to} on ${channelKey}: type the approved template's name and language, then any values for its placeholders separated by | — e.g. “order_update en_US Ana | #1042” (/cancel to stop).`,
    buttons: [],
    show: "new",
    prompt: { action: "template", args: [conversationId, channelKey], placeholder: "name language values…" },
  };
}

/** “order_update en_US Ana | #1042” → the template, its body placeholders filled in order. */
export function parseTemplate(text: string): OutboundTemplate | null {
  const match = /^\s*([a-z0-9_]{1,512})\s+([a-z]{2,3}(?:_[A-Za-z]{2,4})?)(?:\s+(.+))?$/s.exec(text);
  if (!match) return null;
  const values = match[3]?.split("|").map((v) => v.trim()).filter(Boolean) ?? [];
  return {
    name: match[1]!,
    language: match[2]!,
    ...(values.length ? { components: [{ type: "body", parameters: values.map((value) => ({ type: "text", text: value })) }] } : {}),
  };
}

export async function sendTemplate(ctx: RepContext, conversationId: number, channelKey: MessageChannel, text: string) {
  const template = parseTemplate(text);
  if (!template) throw refusal("Type the template's name and language, e.g. “order_update en_US” (names are lower-case, with underscores).");
  const conversation = await findConversation(ctx.db, ctx.rep, conversationId);
  const to = conversation.contactId === null ? "the conversation" : (await getLiveContact(ctx.db, ctx.rep.workspaceId, conversation.contactId)).name;
  return send(ctx, conversationId, { text: "", channelKey, template, to, contactId: conversation.contactId });
}
