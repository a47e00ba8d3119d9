// Cards a chat app draws from ids alone: a contact's card (what /contact show answers, and what a
// score or qualify redraws) and a contact's message as the notification card (what a new-message
// DM shows, and what marking it read redraws). Both check, through the services, that the rep may
// see the contact or message.
import { notFound } from "../../src/lib/errors";
import { findContact, toContactDto } from "../../src/modules/contacts/contacts.service";
import { findConversation } from "../../src/modules/conversations/conversations.service";
import { findMessage, type MessageRow } from "../../src/modules/messages/message-access";
import { contactCard, type ContactFacts } from "./contacts";
import { type ContactDto } from "./format";
import { notificationCard, type NotificationFacts } from "./notifications";
import type { AiSuggestion } from "../../src/modules/qualification/classification.service";
import type { Answer, RepContext } from "./types";

/** A contact of the rep's workspace as a card (rating buttons included). */
export async function showContact(ctx: RepContext, contactId: number, notice?: string): Promise<Answer<ContactFacts>> {
  return contactCard(ctx, contactId, notice);
}

export interface MessageCardFacts {
  message: MessageRow;
  contact: ContactDto;
  /** The kinds of the files it carries (photo, document…), or will once they are fetched. */
  files: string[];
  /** Where things stand (score, qualification, deal, read, answered), as the card shows it. */
  card: NotificationFacts;
  /** What the Qualifier last said of the conversation, if anything. */
  suggestion: AiSuggestion | null;
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
  // The live card every chat shows: its text and buttons, with the facts an embed draws.
  const card = await notificationCard(ctx, messageId, notice);
  return { ...card, data: { message, contact, files: card.data.files, card: card.data, suggestion: card.data.suggestion } };
}
