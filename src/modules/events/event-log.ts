// EventLog: the one way any module records a state change. `append` returns a statement to put
// in the same D1 batch as the change itself, so a change and its event land together or not at all.
import { SQL, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "../../db/client";
import { insertSelect } from "../../db/insert-select";
import { events } from "../../db/schema";

export interface EventInput {
  /** A known id, or `newestId(workspaces)` while the workspace itself is being created. */
  workspaceId: number | SQL;
  typeKey: string;
  entityTypeKey: string;
  /** A known id, or `newestId(table)` for a row inserted earlier in the same batch. */
  entityId: number | SQL;
  actorUserId: number | null;
  /** Stored as JSON; SQL when part of it is only known inside the batch (`json_set(…)`). */
  payload?: unknown;
  createdAt?: number;
}

/**
 * The id of the row a batch has just inserted into `table`. A D1 batch is one transaction and
 * D1 runs one writer at a time, so inside it the newest AUTOINCREMENT id is the batch's own.
 */
export const newestId = (table: SQLiteTable): SQL => sql`(SELECT max(id) FROM ${table})`;

/**
 * A payload naming one id that may be known only inside the batch (`newestId(…)`, a subquery):
 * the object itself when the id is a number, else the SQL that sets it into the JSON.
 */
export function payloadWithId(payload: Record<string, unknown>, key: string, id: number | SQL): Record<string, unknown> | SQL {
  return typeof id === "number" ? { ...payload, [key]: id } : sql`json_set(${JSON.stringify(payload)}, ${`$.${key}`}, ${id})`;
}

/** The row of an event; `append` and `appendIfChanged` write the same one. */
const eventRow = (event: EventInput) => ({
  workspaceId: event.workspaceId,
  typeKey: event.typeKey,
  entityTypeKey: event.entityTypeKey,
  entityId: event.entityId,
  actorUserId: event.actorUserId,
  payloadJson: event.payload === undefined ? null : event.payload instanceof SQL ? event.payload : JSON.stringify(event.payload),
  createdAt: event.createdAt ?? Date.now(),
});

export function append(db: Db, event: EventInput) {
  return db.insert(events).values(eventRow(event));
}

/**
 * Like `append`, but the event is written only when the statement just before it in the batch
 * changed a row (SQLite's `changes()`). For conditional updates (`… WHERE status_key = ?`) whose
 * event must not be recorded when a concurrent change got there first.
 */
export function appendIfChanged(db: Db, event: EventInput) {
  return insertSelect(db, events, eventRow(event), sql`WHERE changes() > 0`);
}
