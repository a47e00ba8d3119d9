// Contact merge: everything that hangs off the sources moves to the target; sources stay as
// tombstones pointing at it. One batch, one `contact.merged` event. `dryRun` computes the same
// result without writing.
import { and, count, eq, inArray, ne, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { BatchItem, Db } from "../../db/client";
import {
  calls,
  contactIdentities,
  contactPins,
  contactQualifications,
  contacts,
  contactScores,
  conversationParticipants,
  conversations,
  deals,
  messages,
} from "../../db/schema";
import type { Caller } from "../../env";
import { AppError, invalidField, notFound } from "../../lib/errors";
import { append } from "../events/event-log";
import { contactQualificationHistory, contactScoreHistory, effectiveValue } from "../qualification/effective";
import { type ContactRow, findContact, getLiveContact, toContactDto } from "./contacts.service";

const FILLABLE = ["company", "segment", "role", "phone", "email", "city", "state"] as const;

export async function mergeContacts(db: Db, caller: Caller, targetId: number, sourceIds: number[], dryRun: boolean) {
  const ws = caller.workspaceId;
  const target = await getLiveContact(db, ws, targetId);
  if (new Set(sourceIds).size !== sourceIds.length) throw invalidField("body.sourceIds", "lists a contact twice");
  if (sourceIds.includes(targetId)) throw invalidField("body.sourceIds", "cannot merge a contact into itself");
  const sources: ContactRow[] = [];
  for (const id of sourceIds) {
    const source = await findContact(db, ws, id).catch(() => {
      throw notFound(`contact ${id}`);
    });
    if (source.mergedIntoId !== null) {
      throw new AppError("conflict", `contact ${id} was already merged into contact ${source.mergedIntoId}`);
    }
    sources.push(source);
  }

  const inSources = (column: SQLiteColumn) => inArray(column, sourceIds);
  const [dealCount, conversationCount, participationCount, messageCount, callCount, identityCount, scoreCount, qualificationCount, pinCount, activeConversations] =
    await db.batch([
      db.select({ n: count() }).from(deals).where(and(eq(deals.workspaceId, ws), inSources(deals.contactId))),
      db.select({ n: count() }).from(conversations).where(and(eq(conversations.workspaceId, ws), inSources(conversations.contactId))),
      db
        .select({ n: count() })
        .from(conversationParticipants)
        .where(and(eq(conversationParticipants.workspaceId, ws), inSources(conversationParticipants.contactId))),
      db.select({ n: count() }).from(messages).where(and(eq(messages.workspaceId, ws), inSources(messages.authorContactId))),
      db.select({ n: count() }).from(calls).where(and(eq(calls.workspaceId, ws), inSources(calls.startedByContactId))),
      db
        .select({ n: count() })
        .from(contactIdentities)
        .where(and(eq(contactIdentities.workspaceId, ws), inSources(contactIdentities.contactId))),
      db.select({ n: count() }).from(contactScores).where(and(eq(contactScores.workspaceId, ws), inSources(contactScores.contactId))),
      db
        .select({ n: count() })
        .from(contactQualifications)
        .where(and(eq(contactQualifications.workspaceId, ws), inSources(contactQualifications.contactId))),
      db.select({ n: count() }).from(contactPins).where(and(eq(contactPins.workspaceId, ws), inSources(contactPins.contactId))),
      db
        .select({ id: conversations.id, contactId: conversations.contactId, lastMessageAt: conversations.lastMessageAt })
        .from(conversations)
        .where(
          and(
            eq(conversations.workspaceId, ws),
            inArray(conversations.contactId, [targetId, ...sourceIds]),
            ne(conversations.statusKey, "closed"),
          ),
        ),
    ]);

  // One contact may have only one conversation that is not closed: the target's survives, or
  // else the sources' most recently active one; the others are closed.
  const keep =
    activeConversations.find((c) => c.contactId === targetId) ??
    [...activeConversations].sort((a, b) => (b.lastMessageAt ?? 0) - (a.lastMessageAt ?? 0))[0];
  const toClose = activeConversations.filter((c) => c.id !== keep?.id).map((c) => c.id);

  const filled: Partial<Pick<ContactRow, (typeof FILLABLE)[number]>> = {};
  for (const field of FILLABLE) {
    if (target[field] !== null) continue;
    const donor = sources.find((s) => s[field] !== null);
    if (donor) filled[field] = donor[field];
  }

  const moved = {
    deals: dealCount[0]!.n,
    conversations: conversationCount[0]!.n,
    participations: participationCount[0]!.n,
    messages: messageCount[0]!.n,
    calls: callCount[0]!.n,
    identities: identityCount[0]!.n,
    scores: scoreCount[0]!.n,
    qualifications: qualificationCount[0]!.n,
    pins: pinCount[0]!.n,
  };

  if (dryRun) {
    const effective = await previewEffective(db, ws, [targetId, ...sourceIds]);
    return { dryRun: true, target: toContactDto({ ...target, ...filled, ...effective }), sourceIds, moved };
  }

  const now = Date.now();
  const statements: [BatchItem, ...BatchItem[]] = [
    db.update(deals).set({ contactId: targetId, updatedAt: now }).where(and(eq(deals.workspaceId, ws), inSources(deals.contactId))),
  ];
  if (toClose.length > 0) {
    statements.push(
      db.update(conversations).set({ statusKey: "closed", updatedAt: now }).where(and(eq(conversations.workspaceId, ws), inArray(conversations.id, toClose))),
      ...toClose.map((id) =>
        append(db, {
          workspaceId: ws,
          typeKey: "conversation.status_changed",
          entityTypeKey: "conversation",
          entityId: id,
          actorUserId: caller.userId,
          payload: { before: { statusKey: "open" }, after: { statusKey: "closed" }, reason: "contact_merged" },
          createdAt: now,
        }),
      ),
    );
  }
  const cp = conversationParticipants;
  statements.push(
    db.update(conversations).set({ contactId: targetId, updatedAt: now }).where(and(eq(conversations.workspaceId, ws), inSources(conversations.contactId))),
    // A conversation keeps one participant row per contact: drop the sources' rows where the
    // target (or an earlier source) already takes part, then move the rest.
    db
      .delete(cp)
      .where(
        and(
          eq(cp.workspaceId, ws),
          inSources(cp.contactId),
          sql`(${cp.conversationId} IN (SELECT ${cp.conversationId} FROM ${cp} WHERE ${cp.contactId} = ${targetId})
            OR ${cp.id} NOT IN (SELECT min(${cp.id}) FROM ${cp} WHERE ${inSources(cp.contactId)} GROUP BY ${cp.conversationId}))`,
        ),
      ),
    db.update(cp).set({ contactId: targetId, updatedAt: now }).where(and(eq(cp.workspaceId, ws), inSources(cp.contactId))),
    db.update(messages).set({ authorContactId: targetId }).where(and(eq(messages.workspaceId, ws), inSources(messages.authorContactId))),
    db.update(calls).set({ startedByContactId: targetId }).where(and(eq(calls.workspaceId, ws), inSources(calls.startedByContactId))),
    db
      .update(contactIdentities)
      .set({ contactId: targetId, updatedAt: now })
      .where(and(eq(contactIdentities.workspaceId, ws), inSources(contactIdentities.contactId))),
    db.update(contactScores).set({ contactId: targetId }).where(and(eq(contactScores.workspaceId, ws), inSources(contactScores.contactId))),
    db
      .update(contactQualifications)
      .set({ contactId: targetId })
      .where(and(eq(contactQualifications.workspaceId, ws), inSources(contactQualifications.contactId))),
    // A user pins a contact once: keep their existing pin of the target, else their first pin
    // of a source.
    db
      .delete(contactPins)
      .where(
        and(
          eq(contactPins.workspaceId, ws),
          inSources(contactPins.contactId),
          sql`(${contactPins.userId} IN (SELECT ${contactPins.userId} FROM ${contactPins} WHERE ${contactPins.contactId} = ${targetId})
            OR ${contactPins.id} NOT IN (SELECT min(${contactPins.id}) FROM ${contactPins} WHERE ${inSources(contactPins.contactId)} GROUP BY ${contactPins.userId}))`,
        ),
      ),
    db.update(contactPins).set({ contactId: targetId, updatedAt: now }).where(and(eq(contactPins.workspaceId, ws), inSources(contactPins.contactId))),
    db
      .update(contacts)
      .set({ mergedIntoId: targetId, mergedAt: now, updatedAt: now })
      .where(and(eq(contacts.workspaceId, ws), inSources(contacts.id))),
    // Earlier tombstones of the sources now point straight at the survivor.
    db
      .update(contacts)
      .set({ mergedIntoId: targetId })
      .where(and(eq(contacts.workspaceId, ws), inSources(contacts.mergedIntoId))),
    db
      .update(contacts)
      .set({
        ...filled,
        score: effectiveValue(contactScoreHistory, ws, targetId),
        qualification: effectiveValue(contactQualificationHistory, ws, targetId),
        updatedAt: now,
      })
      .where(and(eq(contacts.workspaceId, ws), eq(contacts.id, targetId))),
  );
  const targetAfter = db.select().from(contacts).where(eq(contacts.id, targetId));
  statements.push(
    append(db, {
      workspaceId: ws,
      typeKey: "contact.merged",
      entityTypeKey: "contact",
      entityId: targetId,
      actorUserId: caller.userId,
      payload: { sourceIds, moved, filled, closedConversationIds: toClose },
      createdAt: now,
    }),
    targetAfter,
  );
  const results = await db.batch(statements);
  const after = (results[results.length - 1] as ContactRow[])[0]!;
  return { dryRun: false, target: toContactDto(after), sourceIds, moved };
}

/** Effective score and qualification over the target's and the sources' histories together. */
async function previewEffective(db: Db, ws: number, ids: number[]) {
  const [row] = await db
    .select({
      score: sql<number | null>`${effectiveValue(contactScoreHistory, ws, ids)}`,
      qualification: sql<string | null>`${effectiveValue(contactQualificationHistory, ws, ids)}`,
    })
    .from(contacts)
    .where(eq(contacts.id, ids[0]!));
  return row!;
}
