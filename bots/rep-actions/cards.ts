// Cards a chat app draws from ids alone: a contact's card (what /contact show answers, and what a
// score or qualify redraws) and a contact's message as the notification card (what a new-message
// DM shows, and what marking it read redraws). Both check, through the services, that the rep may
// see the contact or message.
import { and, asc, eq } from "drizzle-orm";
import { messageAttachments } from "../../src/db/schema";
import { mediaRefsOf } from "../../src/channels/media";
import { notFound } from "../../src/lib/errors";
import { attachmentKindOf } from "../../src/modules/attachments/attachments.service";
import { findContact, toContactDto } from "../../src/modules/contacts/contacts.service";
import { findConversation } from "../../src/modules/conversations/conversations.service";
import { findMessage, type MessageRow } from "../../src/modules/messages/message-access";
import { type AiSuggestion, aiSuggestion } from "../../src/modules/qualification/classification.service";
import { contactCard } from "./contacts";
import { type ContactDto } from "./format";
import { notificationButtons, notificationText } from "./notifications";
import type { Answer, RepContext } from "./types";

/** A contact of the rep's workspace as a card (rating buttons included). */
export async function showContact(ctx: RepContext, contactId: number, notice?: string): Promise<Answer<{ contact: ContactDto }>> {
  const contact = toContactDto(await findContact(ctx.db, ctx.rep.workspaceId, contactId));
  return { ...contactCard(contact), ...(notice ? { notice } : {}) };
}

export interface MessageCardFacts {
  message: MessageRow;
  contact: ContactDto;
  /** The kinds of the files it carries (image, document…), or will once they are fetched. */
  files: string[];
  /** What the Qualifier last said of the conversation, if anything. */
  suggestion: AiSuggestion | null;
}

/** The kinds of files a message carries: stored ones, else the provider's refs not fetched yet. */
async function filesOf(ctx: RepContext, message: MessageRow): Promise<string[]> {
  if (message.kindKey !== "media") return [];
  const stored = await ctx.db
    .select({ kind: messageAttachments.kindKey })
    .from(messageAttachments)
    .where(and(eq(messageAttachments.workspaceId, message.workspaceId), eq(messageAttachments.messageId, message.id)))
    .orderBy(asc(messageAttachments.id));
  if (stored.length > 0) return stored.map((a) => a.kind);
  const refs = mediaRefsOf(message.payloadJson);
  return refs.length > 0 ? refs.map((ref) => attachmentKindOf(ref.contentType)) : ["media"];
}

/**
 * A contact's message as its notification card: who wrote, on which channel, what they said, and
 * the buttons to reply, mark read, score, qualify and open a deal. 404 for a message the rep may
 * not see, or one that is not a contact's.
 */
export async function messageCard(ctx: RepContext, messageId: number, notice?: string): Promise<Answer<MessageCardFacts>> {
  const message = await findMessage(ctx.db, ctx.rep, messageId);
  const conversation = await findConversation(ctx.db, ctx.rep, message.conversationId);
  // A note between users is not something a contact said.
  if (conversation.contactId === null) throw notFound("message");
  const contact = toContactDto(await findContact(ctx.db, ctx.rep.workspaceId, conversation.contactId));
  const files = await filesOf(ctx, message);
  const suggestion = await aiSuggestion(ctx.db, ctx.rep.workspaceId, conversation.id);
  return {
    data: { message, contact, files, suggestion },
    text: notificationText({ contactName: contact.name, company: contact.company, channel: message.channelKey, body: message.body, files, suggestion }),
    buttons: notificationButtons(message.id, contact.id),
    show: "card",
    ...(notice ? { notice } : {}),
  };
}
