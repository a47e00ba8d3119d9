// Scores and qualifications of contacts and conversations: every set appends history; the
// contact or conversation row carries the effective value (see effective.ts) for filtering.
// Users and the AI qualifier both write here.
import { and, asc, desc, eq, type SQL, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { BatchItem, Db } from "../../db/client";
import { insertSelect } from "../../db/insert-select";
import {
  contactQualifications,
  contacts,
  contactScores,
  conversationQualifications,
  conversations,
  conversationScores,
  events,
  qualificationKinds,
} from "../../db/schema";
import type { Statement } from "../../lib/d1-batch";
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
    history: history.map((row) => ({ value: row.value, sourceKey: row.sourceKey, userId: row.userId, createdAt: iso(row.createdAt) })),
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
      sourceKey: row.sourceKey,
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

type ScoreInsert = { workspaceId: number; userId: number | null; sourceKey: "user" | "ai"; value: number; createdAt: number; updatedAt: number };
type QualificationInsert = Omit<ScoreInsert, "value"> & { kindKey: string | null; score: number | null };

/**
 * What scores and qualifications need to know of the thing rated: how to load it for the rater
 * (404 across workspaces, 409 for a merged contact), its history tables, and how to refresh its
 * effective values. Everything else — the history row, the refresh and the event in one batch —
 * is the same for contacts and conversations.
 */
interface RatedSubject {
  entity: "contact" | "conversation";
  load(db: Db, rater: Rater, id: number): Promise<{ score: number | null; qualification: string | null }>;
  scoreRows(db: Db, workspaceId: number, id: number): Promise<ScoreRow[]>;
  qualificationRows(db: Db, workspaceId: number, id: number): Promise<QualificationRow[]>;
  insertScore(db: Db, id: number, row: ScoreInsert): BatchItem;
  insertQualification(db: Db, id: number, row: QualificationInsert): BatchItem;
  refresh(db: Db, workspaceId: number, id: number, now: number): BatchItem;
}

const refreshContact = (db: Db, ws: number, id: number, now: number) =>
  db
    .update(contacts)
    .set({
      score: effectiveValue(contactScoreHistory, ws, id),
      qualification: effectiveValue(contactQualificationHistory, ws, id),
      updatedAt: now,
    })
    .where(and(eq(contacts.workspaceId, ws), eq(contacts.id, id)));

const refreshConversation = (db: Db, ws: number, id: number, now: number) =>
  db
    .update(conversations)
    .set({
      score: effectiveValue(conversationScoreHistory, ws, id),
      qualification: effectiveValue(conversationQualificationHistory, ws, id),
      updatedAt: now,
    })
    .where(and(eq(conversations.workspaceId, ws), eq(conversations.id, id)));

const contactSubject: RatedSubject = {
  entity: "contact",
  load: (db, rater, id) => getLiveContact(db, rater.workspaceId, id),
  scoreRows: (db, ws, id) =>
    db
      .select()
      .from(contactScores)
      .where(and(eq(contactScores.workspaceId, ws), eq(contactScores.contactId, id)))
      .orderBy(desc(contactScores.id))
      .limit(HISTORY_LIMIT),
  qualificationRows: (db, ws, id) =>
    db
      .select()
      .from(contactQualifications)
      .where(and(eq(contactQualifications.workspaceId, ws), eq(contactQualifications.contactId, id)))
      .orderBy(desc(contactQualifications.id))
      .limit(HISTORY_LIMIT),
  insertScore: (db, id, row) => db.insert(contactScores).values({ ...row, contactId: id }),
  insertQualification: (db, id, row) => db.insert(contactQualifications).values({ ...row, contactId: id }),
  refresh: (db, ws, id, now) => refreshContact(db, ws, id, now),
};

const conversationSubject: RatedSubject = {
  entity: "conversation",
  load: (db, rater, id) => findConversation(db, rater, id),
  scoreRows: (db, ws, id) =>
    db
      .select()
      .from(conversationScores)
      .where(and(eq(conversationScores.workspaceId, ws), eq(conversationScores.conversationId, id)))
      .orderBy(desc(conversationScores.id))
      .limit(HISTORY_LIMIT),
  qualificationRows: (db, ws, id) =>
    db
      .select()
      .from(conversationQualifications)
      .where(and(eq(conversationQualifications.workspaceId, ws), eq(conversationQualifications.conversationId, id)))
      .orderBy(desc(conversationQualifications.id))
      .limit(HISTORY_LIMIT),
  insertScore: (db, id, row) => db.insert(conversationScores).values({ ...row, conversationId: id }),
  insertQualification: (db, id, row) => db.insert(conversationQualifications).values({ ...row, conversationId: id }),
  refresh: (db, ws, id, now) => refreshConversation(db, ws, id, now),
};

async function getScore(db: Db, subject: RatedSubject, rater: Rater, id: number) {
  const current = await subject.load(db, rater, id);
  return scoreState(current.score, await subject.scoreRows(db, rater.workspaceId, id));
}

async function setScore(db: Db, subject: RatedSubject, rater: Rater, id: number, value: number) {
  const { workspaceId } = rater;
  const before = await subject.load(db, rater, id);
  const now = Date.now();
  const source = sourceOf(rater);
  await db.batch([
    subject.insertScore(db, id, { workspaceId, userId: rater.userId, sourceKey: source, value, createdAt: now, updatedAt: now }),
    subject.refresh(db, workspaceId, id, now),
    append(db, {
      workspaceId,
      typeKey: `${subject.entity}.score_set`,
      entityTypeKey: subject.entity,
      entityId: id,
      actorUserId: rater.userId,
      payload: { value, sourceKey: source, before: { score: before.score } },
      createdAt: now,
    }),
  ]);
  return getScore(db, subject, rater, id);
}

async function getQualification(db: Db, subject: RatedSubject, rater: Rater, id: number) {
  const current = await subject.load(db, rater, id);
  return qualificationState(current.qualification, await subject.qualificationRows(db, rater.workspaceId, id));
}

/**
 * Record a qualification. `kindKey: null` from a user clears their override (the AI's latest
 * classification shows through again); the AI's rows never replace a user's choice.
 */
async function setQualification(
  db: Db,
  subject: RatedSubject,
  rater: Rater,
  id: number,
  input: { kindKey: string | null; confidence?: number | null },
) {
  const { workspaceId } = rater;
  const before = await subject.load(db, rater, id);
  if (input.kindKey !== null) await assertKindExists(db, workspaceId, input.kindKey);
  const source = sourceOf(rater);
  const now = Date.now();
  await db.batch([
    subject.insertQualification(db, id, {
      workspaceId,
      userId: rater.userId,
      sourceKey: source,
      kindKey: input.kindKey,
      score: input.confidence ?? null,
      createdAt: now,
      updatedAt: now,
    }),
    subject.refresh(db, workspaceId, id, now),
    append(db, {
      workspaceId,
      typeKey: `${subject.entity}.${input.kindKey === null ? "qualification_cleared" : "qualification_set"}`,
      entityTypeKey: subject.entity,
      entityId: id,
      actorUserId: rater.userId,
      payload: { kindKey: input.kindKey, sourceKey: source, before: { qualification: before.qualification } },
      createdAt: now,
    }),
  ]);
  return getQualification(db, subject, rater, id);
}

type QualificationInput = { kindKey: string | null; confidence?: number | null };

export const getContactScore = (db: Db, rater: Rater, contactId: number) => getScore(db, contactSubject, rater, contactId);
export const setContactScore = (db: Db, rater: Rater, contactId: number, value: number) =>
  setScore(db, contactSubject, rater, contactId, value);
export const getContactQualification = (db: Db, rater: Rater, contactId: number) =>
  getQualification(db, contactSubject, rater, contactId);
export const setContactQualification = (db: Db, rater: Rater, contactId: number, input: QualificationInput) =>
  setQualification(db, contactSubject, rater, contactId, input);

export const getConversationScore = (db: Db, rater: Rater, conversationId: number) =>
  getScore(db, conversationSubject, rater, conversationId);
export const setConversationScore = (db: Db, rater: Rater, conversationId: number, value: number) =>
  setScore(db, conversationSubject, rater, conversationId, value);
export const getConversationQualification = (db: Db, rater: Rater, conversationId: number) =>
  getQualification(db, conversationSubject, rater, conversationId);
/** As `setContactQualification`, for a conversation: `kindKey: null` from a user clears their override. */
export const setConversationQualification = (db: Db, rater: Rater, conversationId: number, input: QualificationInput) =>
  setQualification(db, conversationSubject, rater, conversationId, input);

/** A classification by the Qualifier, to record on a conversation and its contact. */
export interface AiQualification {
  workspaceId: number;
  conversationId: number;
  /** Null for a conversation without a contact (nothing is recorded on a contact then). */
  contactId: number | null;
  kindKey: string;
  /** The confidence, 0–100. */
  score: number;
  /** What the events carry besides the kind (which classifier decided, the job…). */
  details: Record<string, unknown>;
  /** Every insert runs only while this holds: how a job writes once however often it runs. */
  guard: SQL;
  /** The effective values before, for the events. */
  before: { conversation: string | null; contact: string | null };
  now: number;
}

/**
 * The statements that record an AI classification, for one batch: a history row, the refreshed
 * effective value and an event, on the conversation and on its contact. A user's override stays
 * in force (the effective value is the latest user row while there is one); the AI row is history.
 */
export function aiQualificationStatements(db: Db, q: AiQualification): Statement[] {
  const { workspaceId: ws, now } = q;
  const row = { workspaceId: ws, userId: null, sourceKey: "ai", kindKey: q.kindKey, score: q.score, createdAt: now, updatedAt: now };
  const event = (entity: "contact" | "conversation", id: number, before: string | null) =>
    guardedInsert(db, events, {
      workspaceId: ws,
      typeKey: `${entity}.qualification_set`,
      entityTypeKey: entity,
      entityId: id,
      actorUserId: null,
      payloadJson: JSON.stringify({ kindKey: q.kindKey, sourceKey: "ai", confidence: q.score, ...q.details, before: { qualification: before } }),
      createdAt: now,
    }, q.guard);
  const statements: Statement[] = [
    guardedInsert(db, conversationQualifications, { ...row, conversationId: q.conversationId }, q.guard),
    refreshConversation(db, ws, q.conversationId, now),
    event("conversation", q.conversationId, q.before.conversation),
  ];
  if (q.contactId !== null) {
    statements.push(
      guardedInsert(db, contactQualifications, { ...row, contactId: q.contactId }, q.guard),
      refreshContact(db, ws, q.contactId, now),
      event("contact", q.contactId, q.before.contact),
    );
  }
  return statements;
}

const guardedInsert = <T extends SQLiteTable>(db: Db, table: T, row: { [K in keyof T["_"]["columns"]]?: unknown }, guard: SQL) =>
  insertSelect(db, table, row, sql`WHERE ${guard}`);

/** The latest AI classification in a history table, of the entity `target` names. */
async function latestAi(db: Db, table: typeof conversationQualifications | typeof contactQualifications, workspaceId: number, target: SQL) {
  const [row] = await db
    .select({ kindKey: table.kindKey, score: table.score, createdAt: table.createdAt })
    .from(table)
    .where(and(eq(table.workspaceId, workspaceId), target, eq(table.sourceKey, "ai")))
    .orderBy(desc(table.id))
    .limit(1);
  return row ?? null;
}

/** The latest AI classification of a conversation, whatever a user chose since. */
export const latestAiConversationQualification = (db: Db, workspaceId: number, conversationId: number) =>
  latestAi(db, conversationQualifications, workspaceId, eq(conversationQualifications.conversationId, conversationId));

/** The latest AI classification of a contact, whatever a user chose since. */
export const latestAiContactQualification = (db: Db, workspaceId: number, contactId: number) =>
  latestAi(db, contactQualifications, workspaceId, eq(contactQualifications.contactId, contactId));
