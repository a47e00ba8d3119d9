// The cards the Discord bot posts and redraws, each an embed with its buttons: a contact (score,
// qualify as a select of the workspace's kinds, deals), a contact's message (reply and mark read
// too), a deal (stage moves, won, lost), the inbox.
import type { Answer, MessageCardFacts, RepContext } from "../rep-actions";
import type { ContactDto } from "../rep-actions/format";
import { messageCard, qualifyMenu, showContact } from "../rep-actions";
import type { DealCardFacts, MessageBody } from "./render";
import { answerEmbed, componentsOf, contactEmbed, dealEmbed, message, messageEmbed } from "./render";

/** The qualification kinds, as the choice the card's Qualify button would open. */
async function qualifyChoice(ctx: RepContext, contactId: number) {
  return { "contact.qualifyMenu": (await qualifyMenu(ctx, contactId)).buttons.flat() };
}

export async function contactCardBody(ctx: RepContext, contactId: number, notice?: string): Promise<MessageBody> {
  const card = await showContact(ctx, contactId, notice);
  return contactAnswerBody(ctx, card);
}

export async function contactAnswerBody(ctx: RepContext, card: Answer<{ contact: ContactDto }>): Promise<MessageBody> {
  return message([contactEmbed(card.data.contact, card.notice)], componentsOf(card.buttons, await qualifyChoice(ctx, card.data.contact.id)));
}

export async function messageCardBody(ctx: RepContext, messageId: number, notice?: string): Promise<MessageBody> {
  return messageAnswerBody(ctx, await messageCard(ctx, messageId, notice));
}

export async function messageAnswerBody(ctx: RepContext, card: Answer<MessageCardFacts>): Promise<MessageBody> {
  return message([messageEmbed(card.data, card.notice)], componentsOf(card.buttons, await qualifyChoice(ctx, card.data.contact.id)));
}

export const dealCardBody = (card: Answer<DealCardFacts>): MessageBody => message([dealEmbed(card.data, card.notice)], componentsOf(card.buttons));

/** An answer drawn as text, with its buttons (inbox, menus, confirmations). */
export const plainBody = (answer: Answer): MessageBody => message([answerEmbed(answer)], componentsOf(answer.buttons));
