// Scores and qualifications of contacts and conversations: every set appends history; the
// contact or conversation row carries the effective value (see effective.ts) for filtering.
// Users and the AI qualifier both write here.
import { and, asc, desc, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import {
  contactQualifications,
  contacts,
  contactScores,
  conversationQualifications,
  conversations,
  conversationScores,
  qualificationKinds,
} from "../../db/schema";
import { invalidField } from "../../lib/errors";
import { iso } from "../../lib/time";
import { append } from "../events/event-log";
import { getLiveContact } from "../contacts/contacts.service";
import { findConversation } from "../conversations/conversations.service";
import {
  contactQualificationHistory,
  contactScoreHistory,
  conversationQualificationHistory,
  conversationScoreHistory,
  effectiveValue,
} from "./effective";

/** Who is writing: a user, or the AI qualifier (userId null). */
export interface Rater {
  workspaceId: number;
  userId: number | null;
}

const sourceOf = (rater: Rater) => (rater.userId === null ? "ai" : "user");

/** Recent history rows shown beside an effective value. */
const HISTORY_LIMIT = 20;

type ScoreRow = { value: number; sourceKey: "user" | "ai"; userId: number | null; createdAt: number };
type QualificationRow = { kindKey: string | null; sourceKey: "user" | "ai"; userId: number | null; score: number | null; createdAt: number };

function scoreState(value: number | null, history: ScoreRow[]) {
  return {
    value,
    history: history.map((row) => ({ value: row.value, source: row.sourceKey, userId: row.userId, createdAt: iso(row.createdAt) })),
  };
}

function qualificationState(kindKey: string | null, history: QualificationRow[]) {
  const latestUser = history.find((row) => row.sourceKey === "user");
  return {
    kindKey,
    /** True while a user's choice masks what the AI says. */
    userOverride: latestUser !== undefined && latestUser.kindKey !== null,
    history: history.map((row) => ({
      kindKey: row.kindKey,
      source: row.sourceKey,
      userId: row.userId,
      confidence: row.score,
      createdAt: iso(row.createdAt),
    })),
  };
}

export async function listQualificationKinds(db: Db, workspaceId: number) {
  return db
    .select({ key: qualificationKinds.key, label: qualificationKinds.label, sortIndex: qualificationKinds.sortIndex })
    .from(qualificationKinds)
    .where(eq(qualificationKinds.workspaceId, workspaceId))
    .orderBy(asc(qualificationKinds.sortIndex), asc(qualificationKinds.id));
}

export async function assertKindExists(db: Db, workspaceId: number, kindKey: string, path = "body.kindKey") {
  const [kind] = await db
    .select({ key: qualificationKinds.key })
    .from(qualificationKinds)
    .where(and(eq(qualificationKinds.workspaceId, workspaceId), eq(qualificationKinds.key, kindKey)));
  if (!kind) throw invalidField(path, `"${kindKey}" is not a qualification kind of this workspace`);
}

export async function getContactScore(db: Db, workspaceId: number, contactId: number) {
  const contact = await getLiveContact(db, workspaceId, contactId);
  const history = await db
    .select()
    .from(contactScores)
    .where(and(eq(contactScores.workspaceId, workspaceId), eq(contactScores.contactId, contactId)))
    .orderBy(desc(contactScores.id))
    .limit(HISTORY_LIMIT);
  return scoreState(contact.score, history);
}

export async function setContactScore(db: Db, rater: Rater, contactId: number, value: number) {
  const { workspaceId } = rater;
  const before = await getLiveContact(db, workspaceId, contactId);
  const now = Date.now();
  const source = sourceOf(rater);
  await db.batch([
    db.insert(contactScores).values({ workspaceId, contactId, userId: rater.userId, sourceKey: source, value, createdAt: now, updatedAt: now }),
    db
      .update(contacts)
      .set({ score: effectiveValue(contactScoreHistory, workspaceId, contactId), updatedAt: now })
      .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId))),
    append(db, {
      workspaceId,
      typeKey: "contact.score_set",
      entityTypeKey: "contact",
      entityId: contactId,
      actorUserId: rater.userId,
      payload: { value, source, before: { score: before.score } },
      createdAt: now,
    }),
  ]);
  return getContactScore(db, workspaceId, contactId);
}

export async function getContactQualification(db: Db, workspaceId: number, contactId: number) {
  const contact = await getLiveContact(db, workspaceId, contactId);
  const history = await db
    .select()
    .from(contactQualifications)
    .where(and(eq(contactQualifications.workspaceId, workspaceId), eq(contactQualifications.contactId, contactId)))
    .orderBy(desc(contactQualifications.id))
    .limit(HISTORY_LIMIT);
  return qualificationState(contact.qualification, history);
}

/**
 * Record a qualification. `kindKey: null` from a user clears their override (the AI's latest
 * classification shows through again); the AI's rows never replace a user's choice.
 */
export async function setContactQualification(
  db: Db,
  rater: Rater,
  contactId: number,
  input: { kindKey: string | null; confidence?: number | null },
) {
  const { workspaceId } = rater;
  const before = await getLiveContact(db, workspaceId, contactId);
  if (input.kindKey !== null) await assertKindExists(db, workspaceId, input.kindKey);
  const source = sourceOf(rater);
  const now = Date.now();
  await db.batch([
    db.insert(contactQualifications).values({
      workspaceId,
      contactId,
      userId: rater.userId,
      sourceKey: source,
      kindKey: input.kindKey,
      score: input.confidence ?? null,
      createdAt: now,
      updatedAt: now,
    }),
    db
      .update(contacts)
      .set({ qualification: effectiveValue(contactQualificationHistory, workspaceId, contactId), updatedAt: now })
      .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId))),
    append(db, {
      workspaceId,
      typeKey: input.kindKey === null ? "contact.qualification_cleared" : "contact.qualification_set",
      entityTypeKey: "contact",
      entityId: contactId,
      actorUserId: rater.userId,
      payload: { kindKey: input.kindKey, source, before: { qualification: before.qualification } },
      createdAt: now,
    }),
  ]);
  return getContactQualification(db, workspaceId, contactId);
}

export async function getConversationScore(db: Db, rater: Rater, conversationId: number) {
  const { workspaceId } = rater;
  const conversation = await findConversation(db, rater, conversationId);
  const history = await db
    .select()
    .from(conversationScores)
    .where(and(eq(conversationScores.workspaceId, workspaceId), eq(conversationScores.conversationId, conversationId)))
    .orderBy(desc(conversationScores.id))
    .limit(HISTORY_LIMIT);
  return scoreState(conversation.score, history);
}

export async function setConversationScore(db: Db, rater: Rater, conversationId: number, value: number) {
  const { workspaceId } = rater;
  const before = await findConversation(db, rater, conversationId);
  const now = Date.now();
  const source = sourceOf(rater);
  await db.batch([
    db
      .insert(conversationScores)
      .values({ workspaceId, conversationId, userId: rater.userId, sourceKey: source, value, createdAt: now, updatedAt: now }),
    db
      .update(conversations)
      .set({ score: effectiveValue(conversationScoreHistory, workspaceId, conversationId), updatedAt: now })
      .where(and(eq(conversations.workspaceId, workspaceId), eq(conversations.id, conversationId))),
    append(db, {
      workspaceId,
      typeKey: "conversation.score_set",
      entityTypeKey: "conversation",
      entityId: conversationId,
      actorUserId: rater.userId,
      payload: { value, source, before: { score: before.score } },
      createdAt: now,
    }),
  ]);
  return getConversationScore(db, rater, conversationId);
}

export async function getConversationQualification(db: Db, rater: Rater, conversationId: number) {
  const { workspaceId } = rater;
  const conversation = await findConversation(db, rater, conversationId);
  const history = await db
    .select()
    .from(conversationQualifications)
    .where(and(eq(conversationQualifications.workspaceId, workspaceId), eq(conversationQualifications.conversationId, conversationId)))
    .orderBy(desc(conversationQualifications.id))
    .limit(HISTORY_LIMIT);
  return qualificationState(conversation.qualification, history);
}

/** As `setContactQualification`, for a conversation: `kindKey: null` from a user clears their override. */
export async function setConversationQualification(
  db: Db,
  rater: Rater,
  conversationId: number,
  input: { kindKey: string | null; confidence?: number | null },
) {
  const { workspaceId } = rater;
  const before = await findConversation(db, rater, conversationId);
  if (input.kindKey !== null) await assertKindExists(db, workspaceId, input.kindKey);
  const source = sourceOf(rater);
  const now = Date.now();
  await db.batch([
    db.insert(conversationQualifications).values({
      workspaceId,
      conversationId,
      userId: rater.userId,
      sourceKey: source,
      kindKey: input.kindKey,
      score: input.confidence ?? null,
      createdAt: now,
      updatedAt: now,
    }),
    db
      .update(conversations)
      .set({ qualification: effectiveValue(conversationQualificationHistory, workspaceId, conversationId), updatedAt: now })
      .where(and(eq(conversations.workspaceId, workspaceId), eq(conversations.id, conversationId))),
    append(db, {
      workspaceId,
      typeKey: input.kindKey === null ? "conversation.qualification_cleared" : "conversation.qualification_set",
      entityTypeKey: "conversation",
      entityId: conversationId,
      actorUserId: rater.userId,
      payload: { kindKey: input.kindKey, source, before: { qualification: before.qualification } },
      createdAt: now,
    }),
  ]);
  return getConversationQualification(db, rater, conversationId);
}
