// How Parley things read in a chat, whatever the chat app: plain text only (no markup), so that
// text a contact wrote can never break what the rep sees.
import type { toContactDto } from "../../src/modules/contacts/contacts.service";
import type { DealDto } from "../../src/modules/deals/deals.service";
import type { AiSuggestion } from "../../src/modules/qualification/classification.service";
import { button, type Keyboard } from "./types";

export type ContactDto = ReturnType<typeof toContactDto>;

export function contactLines(contact: ContactDto): string {
  const lines = [contact.company ? `${contact.name} — ${contact.company}` : contact.name];
  const reach = [contact.phone && `☎ ${contact.phone}`, contact.email && `✉ ${contact.email}`].filter(Boolean);
  if (reach.length) lines.push(reach.join("  "));
  const rating = [contact.score !== null && `⭐ ${contact.score}`, contact.qualification && `🏷 ${contact.qualification}`].filter(Boolean);
  if (rating.length) lines.push(rating.join("  "));
  return lines.join("\n");
}

export const money = (deal: Pick<DealDto, "amount" | "currency">) =>
  deal.amount === null ? "" : ` · ${deal.amount.toLocaleString("en-US")} ${deal.currency}`;

export const dealTitle = (deal: Pick<DealDto, "id" | "title">) => deal.title ?? `Deal #${deal.id}`;

export const snippet = (text: string, max = 80) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** ⭐1–5, then Qualify · Deal: the buttons every contact card and notification carries. */
export function ratingRows(contactId: number): Keyboard {
  return [
    [1, 2, 3, 4, 5].map((value) => button(`⭐${value}`, "contact.score", contactId, value)),
    [button("🏷 Qualify", "contact.qualifyMenu", contactId), button("💼 Deal", "contact.deals", contactId)],
  ];
}

/** The Qualifier's suggestion: "hot · 82%". */
export const suggestionText = (s: AiSuggestion) => `${s.kindKey} · ${Math.round(s.confidence * 100)}%`;
