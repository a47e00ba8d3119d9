// Opt-outs: a contact's refusal of messages on one identity (an e-mail complaint, an SMS STOP).
// The send service refuses opted-out identities with 409 `recipient_opted_out`; this is where
// the refusal is recorded and lifted, each change with its event.
import { and, eq, isNotNull, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { contactIdentities } from "../../db/schema";
import { appendIfChanged } from "../events/event-log";

type IdentityChannel = (typeof contactIdentities.$inferSelect)["channelKey"];

export interface OptOutChange {
  workspaceId: number;
  contactId: number;
  channelKey: IdentityChannel;
  externalId: string;
  /** True to record the refusal, false to lift it. */
  optedOut: boolean;
  /** Why, as the provider or the user put it ("complaint", "STOP"). */
  reason?: string | null;
  /** When the contact refused (the provider's time), default now. */
  at?: number;
  actorUserId: number | null;
}

/**
 * Record or lift an identity's opt-out. Conditional on the current state, so a provider's
 * repeated report changes nothing and writes no second event. Only the identity of `contactId`
 * is touched: a report about an address never reaches another contact's identity.
 */
export async function setIdentityOptOut(db: Db, change: OptOutChange): Promise<{ changed: boolean }> {
  const now = Date.now();
  const at = change.at ?? now;
  const [updated] = await db.batch([
    db
      .update(contactIdentities)
      .set(change.optedOut ? { optedOutAt: at, optOutReason: change.reason ?? null, updatedAt: now } : { optedOutAt: null, optOutReason: null, updatedAt: now })
      .where(
        and(
          eq(contactIdentities.workspaceId, change.workspaceId),
          eq(contactIdentities.contactId, change.contactId),
          eq(contactIdentities.channelKey, change.channelKey),
          eq(contactIdentities.externalId, change.externalId),
          change.optedOut ? isNull(contactIdentities.optedOutAt) : isNotNull(contactIdentities.optedOutAt),
        ),
      )
      .returning({ id: contactIdentities.id }),
    appendIfChanged(db, {
      workspaceId: change.workspaceId,
      typeKey: change.optedOut ? "contact.identity_opted_out" : "contact.identity_opted_in",
      entityTypeKey: "contact",
      entityId: change.contactId,
      actorUserId: change.actorUserId,
      payload: { channelKey: change.channelKey, externalId: change.externalId, reason: change.reason ?? null, at: new Date(at).toISOString() },
      createdAt: now,
    }),
  ]);
  return { changed: updated.length > 0 };
}
