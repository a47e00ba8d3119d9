// How Parley things read in a Telegram chat (plain text: no parse mode, so contact-supplied text
// can never break the markup).
import { InlineKeyboard } from "grammy";
import type { toContactDto } from "../../src/modules/contacts/contacts.service";
import type { DealDto } from "../../src/modules/deals/deals.service";

type ContactDto = ReturnType<typeof toContactDto>;

export function contactCard(contact: ContactDto): string {
  const lines = [contact.company ? `${contact.name} — ${contact.company}` : contact.name];
  const reach = [contact.phone && `☎ ${contact.phone}`, contact.email && `✉ ${contact.email}`].filter(Boolean);
  if (reach.length) lines.push(reach.join("  "));
  const rating = [contact.score !== null && `⭐ ${contact.score}`, contact.qualification && `🏷 ${contact.qualification}`].filter(Boolean);
  if (rating.length) lines.push(rating.join("  "));
  return lines.join("\n");
}

export const money = (deal: Pick<DealDto, "amount" | "currency">) =>
  deal.amount === null ? "" : ` · ${deal.amount.toLocaleString("en-US")} ${deal.currency}`;

/** ⭐1–5 and Qualify for a contact. */
export function ratingRows(keyboard: InlineKeyboard, contactId: number): InlineKeyboard {
  for (let value = 1; value <= 5; value++) keyboard.text(`⭐${value}`, `s:${contactId}:${value}`);
  return keyboard.row().text("🏷 Qualify", `q:${contactId}`).text("💼 Deal", `dc:${contactId}`);
}
