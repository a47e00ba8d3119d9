// A user's pinned contacts: slots 1–5, one contact per slot, each contact pinned once per user.
import { and, asc, eq, or } from "drizzle-orm";
import type { Db } from "../../db/client";
import { contactPins, contacts } from "../../db/schema";
import type { Caller } from "../../env";
import { iso } from "../../lib/time";
import { getLiveContact, toContactDto } from "../contacts/contacts.service";
import { append } from "../events/event-log";

export const PIN_SLOTS = 5;

export async function listPins(db: Db, caller: Caller) {
  const rows = await db
    .select({ pin: contactPins, contact: contacts })
    .from(contactPins)
    .innerJoin(contacts, eq(contacts.id, contactPins.contactId))
    .where(and(eq(contactPins.workspaceId, caller.workspaceId), eq(contactPins.userId, caller.userId)))
    .orderBy(asc(contactPins.slot));
  return rows.map(({ pin, contact }) => ({ slot: pin.slot, pinnedAt: iso(pin.updatedAt), contact: toContactDto(contact) }));
}

/** Put `contactId` in `slot`: whatever was in the slot goes, and a pin of the contact elsewhere moves. */
export async function setPin(db: Db, caller: Caller, slot: number, contactId: number) {
  const contact = await getLiveContact(db, caller.workspaceId, contactId);
  const now = Date.now();
  const mine = and(eq(contactPins.workspaceId, caller.workspaceId), eq(contactPins.userId, caller.userId));
  const [previous] = await db
    .select()
    .from(contactPins)
    .where(and(mine, or(eq(contactPins.slot, slot), eq(contactPins.contactId, contactId))));
  await db.batch([
    db.delete(contactPins).where(and(mine, or(eq(contactPins.slot, slot), eq(contactPins.contactId, contactId)))),
    db.insert(contactPins).values({ workspaceId: caller.workspaceId, userId: caller.userId, contactId, slot, createdAt: now, updatedAt: now }),
    append(db, {
      workspaceId: caller.workspaceId,
      typeKey: "contact.pinned",
      entityTypeKey: "contact",
      entityId: contactId,
      actorUserId: caller.userId,
      payload: { slot, before: previous ? { slot: previous.slot, contactId: previous.contactId } : null },
      createdAt: now,
    }),
  ]);
  return { slot, pinnedAt: iso(now), contact: toContactDto(contact) };
}

/** Empty a slot; emptying an empty slot is a no-op. */
export async function clearPin(db: Db, caller: Caller, slot: number): Promise<void> {
  const where = and(
    eq(contactPins.workspaceId, caller.workspaceId),
    eq(contactPins.userId, caller.userId),
    eq(contactPins.slot, slot),
  );
  const [pin] = await db.select().from(contactPins).where(where);
  if (!pin) return;
  await db.batch([
    db.delete(contactPins).where(where),
    append(db, {
      workspaceId: caller.workspaceId,
      typeKey: "contact.unpinned",
      entityTypeKey: "contact",
      entityId: pin.contactId,
      actorUserId: caller.userId,
      payload: { slot },
    }),
  ]);
}
