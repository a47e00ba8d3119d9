// Contacts from a chat: finding them, the rep's pins, a contact's card, pinning, and writing to a
// contact first (on their last channel, or one the rep picks).
import { and, asc, desc, eq, ne } from "drizzle-orm";
import { contactIdentities, contactPins, conversations, deals, type MessageChannel } from "../../src/db/schema";
import { getLiveContact, listContacts, toContactDto } from "../../src/modules/contacts/contacts.service";
import { clearPin, listPins, PIN_SLOTS, setPin } from "../../src/modules/pins/pins.service";
import { type ContactDto, contactLines, ratingRows, snippet } from "./format";
import { type Answer, backButton, button, type Keyboard, type RepContext } from "./types";
import { refusal } from "./words";

const FIND_LIMIT = 8;

export interface ContactFacts {
  contact: ContactDto;
  pinnedSlot: number | null;
  openDeals: number;
  /** The channels the contact can be written to, their last one first. */
  channels: MessageChannel[];
  lastChannelKey: MessageChannel | null;
}

async function contactFacts(ctx: RepContext, contactId: number): Promise<ContactFacts> {
  const { db, rep } = ctx;
  const ws = rep.workspaceId;
  const contact = await getLiveContact(db, ws, contactId);
  const [pin, open, identities, active] = await db.batch([
    db
      .select({ slot: contactPins.slot })
      .from(contactPins)
      .where(and(eq(contactPins.workspaceId, ws), eq(contactPins.userId, rep.userId), eq(contactPins.contactId, contactId))),
    db
      .select({ id: deals.id })
      .from(deals)
      .where(and(eq(deals.workspaceId, ws), eq(deals.contactId, contactId), eq(deals.statusKey, "open"))),
    db
      .select({ channelKey: contactIdentities.channelKey })
      .from(contactIdentities)
      .where(and(eq(contactIdentities.workspaceId, ws), eq(contactIdentities.contactId, contactId)))
      .orderBy(asc(contactIdentities.id)),
    db
      .select({ lastChannelKey: conversations.lastChannelKey })
      .from(conversations)
      .where(and(eq(conversations.workspaceId, ws), eq(conversations.contactId, contactId), ne(conversations.statusKey, "closed")))
      .orderBy(desc(conversations.id))
      .limit(1),
  ]);
  const lastChannelKey = active[0]?.lastChannelKey ?? null;
  const known = [...new Set(identities.map((i) => i.channelKey as MessageChannel))];
  const channels = lastChannelKey && lastChannelKey !== "internal" ? [lastChannelKey, ...known.filter((c) => c !== lastChannelKey)] : known;
  return { contact: toContactDto(contact), pinnedSlot: pin[0]?.slot ?? null, openDeals: open.length, channels, lastChannelKey };
}

/** A contact as a card: who they are, how to reach them, and what the rep can do about them. */
export async function contactCard(ctx: RepContext, contactId: number, notice?: string): Promise<Answer<ContactFacts>> {
  const facts = await contactFacts(ctx, contactId);
  const lines = [`👤 ${contactLines(facts.contact)}`];
  const more = [
    facts.pinnedSlot !== null && `📌 pin ${facts.pinnedSlot}`,
    facts.openDeals > 0 && `💼 ${facts.openDeals} open deal${facts.openDeals === 1 ? "" : "s"}`,
    facts.lastChannelKey && facts.lastChannelKey !== "internal" && `last wrote on ${facts.lastChannelKey}`,
  ].filter(Boolean);
  if (more.length) lines.push(more.join(" · "));
  const pin = facts.pinnedSlot === null ? button("📌 Pin", "contact.pin", contactId) : button("📍 Unpin", "contact.unpin", contactId);
  const buttons: Keyboard = [[button("✍ Write", "contact.write", contactId), pin], ...ratingRows(contactId)];
  return { data: facts, text: lines.join("\n"), buttons, show: "card", ...(notice ? { notice } : {}) };
}

const listLine = (c: ContactDto) =>
  [c.company ? `${c.name} — ${c.company}` : c.name, c.score !== null && `⭐${c.score}`, c.qualification].filter(Boolean).join(" · ");

/** Contacts matching a name, company, phone or e-mail, as one list with a button per contact. */
export async function findContacts(ctx: RepContext, query: string): Promise<Answer<{ query: string; contacts: ContactDto[] }>> {
  const q = query.trim();
  if (!q) {
    return { data: { query: q, contacts: [] }, text: "Type a name, company, phone or e-mail after /contact, e.g. /contact acme", buttons: [], show: "new" };
  }
  const { data } = await listContacts(ctx.db, ctx.rep, { q, sort: "name", limit: FIND_LIMIT });
  if (data.length === 0) return { data: { query: q, contacts: [] }, text: `No contact matches “${q}”.`, buttons: [], show: "new" };
  const text = [`🔎 “${q}”:`, ...data.map((c, i) => `${i + 1}. ${listLine(c)}`)].join("\n");
  const buttons = data.map((c, i) => [button(`${i + 1}. ${snippet(c.name, 40)}`, "contact.show", c.id)]);
  return { data: { query: q, contacts: data }, text, buttons, show: "new" };
}

/** The rep's pinned contacts, as one list with a button per contact. */
export async function myPins(ctx: RepContext): Promise<Answer<{ pins: { slot: number; contact: ContactDto }[] }>> {
  const pins = (await listPins(ctx.db, ctx.rep)).map(({ slot, contact }) => ({ slot, contact }));
  if (pins.length === 0) {
    return { data: { pins }, text: "You have no pinned contacts yet. Open a contact (/contact and a name) and tap 📌 Pin.", buttons: [], show: "new" };
  }
  const text = ["📌 Your pinned contacts:", ...pins.map((p) => `${p.slot}. ${listLine(p.contact)}`)].join("\n");
  return { data: { pins }, text, buttons: pins.map((p) => [button(`${p.slot}. ${snippet(p.contact.name, 40)}`, "contact.show", p.contact.id)]), show: "new" };
}

/** 📌 Pin into the first free slot; with all slots taken, ask which pin to replace. */
export async function pinContact(ctx: RepContext, contactId: number): Promise<Answer> {
  const pins = await listPins(ctx.db, ctx.rep);
  if (pins.some((p) => p.contact.id === contactId)) return contactCard(ctx, contactId, "Already pinned");
  const taken = new Set(pins.map((p) => p.slot));
  const free = Array.from({ length: PIN_SLOTS }, (_, i) => i + 1).find((slot) => !taken.has(slot));
  if (free !== undefined) return pinContactAt(ctx, contactId, free);
  const contact = await getLiveContact(ctx.db, ctx.rep.workspaceId, contactId);
  const buttons: Keyboard = pins.map((p) => [button(`${p.slot}. ${snippet(p.contact.name, 40)}`, "contact.pinAt", contactId, p.slot)]);
  buttons.push([backButton("contact.show", contactId)]);
  return { data: { contactId, pins }, text: `Your ${PIN_SLOTS} pins are taken. Pin ${contact.name} instead of:`, buttons, show: "menu" };
}

export async function pinContactAt(ctx: RepContext, contactId: number, slot: number) {
  if (slot < 1 || slot > PIN_SLOTS) throw refusal(`Pins go from 1 to ${PIN_SLOTS}.`);
  await setPin(ctx.db, ctx.rep, slot, contactId);
  return contactCard(ctx, contactId, `📌 Pinned (${slot})`);
}

export async function unpinContact(ctx: RepContext, contactId: number) {
  const pin = (await listPins(ctx.db, ctx.rep)).find((p) => p.contact.id === contactId);
  if (pin) await clearPin(ctx.db, ctx.rep, pin.slot);
  return contactCard(ctx, contactId, pin ? "Unpinned" : "Not pinned");
}

/**
 * ✍ Write: a question whose answer goes to the contact — on `channelKey`, else their last channel,
 * else the first they can be reached on; buttons offer their other channels.
 */
export async function writePrompt(ctx: RepContext, contactId: number, channelKey?: MessageChannel): Promise<Answer<ContactFacts & { channelKey: MessageChannel }>> {
  const facts = await contactFacts(ctx, contactId);
  if (facts.channels.length === 0) {
    throw refusal(`${facts.contact.name} has no channel to write to yet: no Telegram, WhatsApp, SMS or e-mail address is known.`);
  }
  if (channelKey !== undefined && !facts.channels.includes(channelKey)) throw refusal(`${facts.contact.name} cannot be reached on ${channelKey}.`);
  const channel = channelKey ?? facts.channels[0]!;
  const others = facts.channels.filter((c) => c !== channel).map((c) => button(`on ${c} instead`, "contact.writeOn", contactId, c));
  return {
    data: { ...facts, channelKey: channel },
    text: `✍ Your message to ${facts.contact.name} on ${channel} — type it now (/cancel to stop).`,
    buttons: others.length ? [others] : [],
    show: "new",
    prompt: { action: "write", args: [contactId, channel], placeholder: `Message to ${snippet(facts.contact.name, 30)}` },
  };
}
