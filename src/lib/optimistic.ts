// Optimistic concurrency for read-then-write changes whose event must describe exactly what
// changed: a row's `updated_at` is its version, and the event in the same batch only lands if
// the guarded UPDATE did.
import { and, eq, type SQL, sql } from "drizzle-orm";
import type { AnySQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { AppError } from "./errors";

type VersionedTable = SQLiteTable & { id: AnySQLiteColumn; updatedAt: AnySQLiteColumn };

/** A version strictly after `previous`: workerd's clock stands still within a request. */
export const nextVersion = (previous: number): number => Math.max(Date.now(), previous + 1);

/** WHERE clause of the guarded UPDATE: the row as it was read. */
export const atVersion = (table: VersionedTable, id: number, version: number): SQL =>
  and(eq(table.id, id), eq(table.updatedAt, version))!;

/**
 * `id` if the guarded UPDATE just before changed the row to `version`, else NULL. Used as the
 * entityId of the event that follows it in the same batch: when the UPDATE matched nothing
 * (someone else changed the row since it was read), events.entity_id NOT NULL fails and the batch
 * rolls back. `changes()` is checked as well as the version: two requests that read the same row
 * in the same millisecond compute the same version, and the loser must not find the winner's.
 */
export const idAtVersion = (table: VersionedTable, id: number, version: number): SQL =>
  sql`(SELECT ${table.id} FROM ${table} WHERE ${table.id} = ${id} AND ${table.updatedAt} = ${version} AND changes() > 0)`;

/** True when `error` (or its cause) is the SQLite constraint failure whose message contains `text`. */
export function isConstraintFailure(error: unknown, text: string): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e.message.includes(text)) return true;
  }
  return false;
}

/** Runs a guarded batch; a lost race becomes a 409 instead of a 500. */
export async function guarded<T>(what: string, batch: () => Promise<T>): Promise<T> {
  try {
    return await batch();
  } catch (error) {
    if (isConstraintFailure(error, "NOT NULL constraint failed: events.entity_id")) {
      throw new AppError("conflict", `${what} was changed by another request meanwhile; read it again and retry`);
    }
    throw error;
  }
}
