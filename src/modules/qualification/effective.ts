// The effective score or qualification of a contact or conversation: the latest user-set row if
// there is one, else the latest AI row. A user row with a null kind is the user clearing their
// override, so the value falls back to the AI's.
import { inArray, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import {
  contactQualifications,
  contactScores,
  conversationQualifications,
  conversationScores,
} from "../../db/schema";

export interface History {
  table: SQLiteTable;
  id: SQLiteColumn;
  workspaceId: SQLiteColumn;
  subjectId: SQLiteColumn;
  sourceKey: SQLiteColumn;
  value: SQLiteColumn;
}

export const contactScoreHistory: History = { ...pick(contactScores, contactScores.contactId), value: contactScores.value };
export const contactQualificationHistory: History = {
  ...pick(contactQualifications, contactQualifications.contactId),
  value: contactQualifications.kindKey,
};
export const conversationScoreHistory: History = {
  ...pick(conversationScores, conversationScores.conversationId),
  value: conversationScores.value,
};
export const conversationQualificationHistory: History = {
  ...pick(conversationQualifications, conversationQualifications.conversationId),
  value: conversationQualifications.kindKey,
};

function pick(
  table: typeof contactScores | typeof contactQualifications | typeof conversationScores | typeof conversationQualifications,
  subjectId: SQLiteColumn,
) {
  return { table, id: table.id, workspaceId: table.workspaceId, subjectId, sourceKey: table.sourceKey };
}

type Subject = number | SQLiteColumn | number[];

const latest = (h: History, workspaceId: number, subject: Subject, source: "user" | "ai") => {
  const which = Array.isArray(subject) ? inArray(h.subjectId, subject) : sql`${h.subjectId} = ${subject}`;
  return sql`(SELECT ${h.value} FROM ${h.table} WHERE ${h.workspaceId} = ${workspaceId} AND ${which} AND ${h.sourceKey} = ${source} ORDER BY ${h.id} DESC LIMIT 1)`;
};

/**
 * SQL for the effective value of a subject: an id, a column of the row being updated, or
 * several ids taken as one history (a merge preview).
 */
export const effectiveValue = (h: History, workspaceId: number, subject: Subject): SQL =>
  sql`coalesce(${latest(h, workspaceId, subject, "user")}, ${latest(h, workspaceId, subject, "ai")})`;
