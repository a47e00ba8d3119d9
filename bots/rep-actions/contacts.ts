// Finding contacts and the rep's pinned ones, and a contact's card.
import { listContacts } from "../../src/modules/contacts/contacts.service";
import { listPins } from "../../src/modules/pins/pins.service";
import { type ContactDto, contactLines } from "./format";
import { ratingRows } from "./rating";
import type { Answer, RepContext } from "./types";

const FIND_LIMIT = 5;

/** A contact as a card: who they are and how to reach them, with the rating buttons. */
export function contactCard(contact: ContactDto, heading = ""): Answer<{ contact: ContactDto }> {
  return { data: { contact }, text: `${heading}${contactLines(contact)}`, buttons: ratingRows(contact.id), show: "card" };
}

/** Contacts matching a name, company, phone or e-mail, best first. */
export async function findContacts(ctx: RepContext, query: string): Promise<Answer<{ query: string; contacts: ContactDto[] }>> {
  const q = query.trim();
  if (!q) {
    return { data: { query: q, contacts: [] }, text: "Send /contact and a name, company, phone or e-mail, e.g. /contact acme", buttons: [], show: "new" };
  }
  const { data } = await listContacts(ctx.db, ctx.rep, { q, sort: "name", limit: FIND_LIMIT });
  const text = data.length === 0 ? `No contact matches “${q}”.` : `Contacts matching “${q}”:`;
  return { data: { query: q, contacts: data }, text, buttons: [], show: "new" };
}

export async function myPins(ctx: RepContext): Promise<Answer<{ pins: { slot: number; contact: ContactDto }[] }>> {
  const pins = await listPins(ctx.db, ctx.rep);
  const text = pins.length === 0 ? "You have no pinned contacts. Pin one with PUT /v1/pins/{slot}." : "Your pinned contacts:";
  return { data: { pins: pins.map(({ slot, contact }) => ({ slot, contact })) }, text, buttons: [], show: "new" };
}
