// Opaque keyset cursors: `{data, nextCursor}` lists never use OFFSET, so page 500 costs what
// page 1 costs and rows inserted meanwhile are neither skipped nor repeated.
import { z } from "@hono/zod-openapi";
import { and, gt, isNotNull, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { AppError } from "./errors";
import { toBase64Url } from "./crypto";

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

export const limitQuery = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_LIMIT)
  .default(DEFAULT_LIMIT)
  .openapi({ description: `Page size, 1–${MAX_LIMIT}`, example: DEFAULT_LIMIT });

export const cursorQuery = z.string().max(500).optional().openapi({ description: "Opaque cursor from `nextCursor`" });

export type CursorValue = string | number | null;

export function encodeCursor(values: CursorValue[]): string {
  return toBase64Url(new TextEncoder().encode(JSON.stringify(values)));
}

export function decodeCursor(cursor: string, arity: number): CursorValue[] {
  try {
    const padded = cursor.replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(padded + "=".repeat((4 - (padded.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    const values: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (
      Array.isArray(values) &&
      values.length === arity &&
      values.every((v) => v === null || typeof v === "string" || typeof v === "number")
    ) {
      return values as CursorValue[];
    }
  } catch {
    // fall through to the error below
  }
  throw invalidCursor();
}

const invalidCursor = () =>
  new AppError("invalid_cursor", "cursor is not one this list handed out", [{ path: "query.cursor", message: "invalid cursor" }]);

/** A cursor of integers (ids): anything else is `invalid_cursor`, never a NaN in a query. */
export function decodeIntCursor(cursor: string, arity: number): number[] {
  const values = decodeCursor(cursor, arity);
  if (!values.every((v) => Number.isSafeInteger(v))) throw invalidCursor();
  return values as number[];
}

/**
 * The keyset condition "strictly after (value, id)" for an ORDER BY column, id. NULLs sort
 * first ascending and last descending, as SQLite does, so nullable columns page correctly.
 * `nocase` compares as an ORDER BY `column COLLATE NOCASE` sorts.
 */
export function keysetAfter(
  column: SQLiteColumn,
  idColumn: SQLiteColumn,
  direction: "asc" | "desc",
  value: CursorValue,
  id: number,
  nocase = false,
): SQL {
  const beyond = direction === "asc" ? gt : lt;
  if (value === null) {
    const sameNull = and(isNull(column), beyond(idColumn, id))!;
    return direction === "asc" ? or(sameNull, isNotNull(column))! : sameNull;
  }
  const collate = nocase ? sql` COLLATE NOCASE` : sql``;
  const after = or(
    sql`${column} ${sql.raw(direction === "asc" ? ">" : "<")} ${value}${collate}`,
    and(sql`${column} = ${value}${collate}`, beyond(idColumn, id)),
  )!;
  return direction === "asc" ? after : or(after, isNull(column))!;
}

/** Split a `limit + 1` fetch into the page and the cursor of its last row. */
export function page<T>(rows: T[], limit: number, cursorOf: (row: T) => CursorValue[]) {
  const hasMore = rows.length > limit;
  const data = hasMore ? rows.slice(0, limit) : rows;
  const last = data[data.length - 1];
  return { data, nextCursor: hasMore && last ? encodeCursor(cursorOf(last)) : null };
}

export const pageSchema = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable() });
