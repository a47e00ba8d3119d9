// A contact's consent on one channel identity: SMS STOP marks it opted out (sends to it are then
// refused with 409 recipient_opted_out), START clears it. Each change is an event on the contact;
// a repeated STOP, or a START from someone who never stopped, changes nothing and records nothing.
import { and, eq, isNotNull, isNull } from "drizzle-orm";
import type { IdentityChannel } from "../../channels/channel-adapter";
import type { Db } from "../../db/client";
import { contactIdentities } from "../../db/schema";
import { appendIfChanged } from "../events/event-log";

export interface OptOutChange {
  workspaceId: number;
  channel: IdentityChannel;
  /** The identity's provider id (an SMS identity's E.164 number). */
  externalId: string;
  optedOut: boolean;
  /** What the contact said or the provider reported ("STOP", "OptOutType=STOP"). */
  reason: string;
  /** The provider account it came through, recorded in the event. */
  connectionId?: number | null;
}

/** Mark or clear an identity's opt-out. True when it changed. */
export async function setIdentityOptOut(db: Db, change: OptOutChange): Promise<boolean> {
  const { workspaceId: ws, channel, externalId } = change;
  const [identity] = await db
    .select({ id: contactIdentities.id, contactId: contactIdentities.contactId })
    .from(contactIdentities)
    .where(and(eq(contactIdentities.workspaceId, ws), eq(contactIdentities.channelKey, channel), eq(contactIdentities.externalId, externalId)));
  if (!identity) return false;
  const now = Date.now();
  const [updated] = await db.batch([
    db
      .update(contactIdentities)
      .set(change.optedOut ? { optedOutAt: now, optOutReason: change.reason.slice(0, 200), updatedAt: now } : { optedOutAt: null, optOutReason: null, updatedAt: now })
      .where(
        and(
          eq(contactIdentities.workspaceId, ws),
          eq(contactIdentities.id, identity.id),
          change.optedOut ? isNull(contactIdentities.optedOutAt) : isNotNull(contactIdentities.optedOutAt),
        ),
      )
      .returning({ id: contactIdentities.id }),
    appendIfChanged(db, {
      workspaceId: ws,
      typeKey: change.optedOut ? "contact.opted_out" : "contact.opted_in",
      entityTypeKey: "contact",
      entityId: identity.contactId,
      actorUserId: null,
      payload: { channelKey: channel, externalId, reason: change.reason, connectionId: change.connectionId ?? null },
      createdAt: now,
    }),
  ]);
  return updated.length > 0;
}
