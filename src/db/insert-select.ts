// INSERT … SELECT as a batchable statement: set-based inserts (one row per matching user) and
// conditional ones (only if the previous statement changed something).
import { getTableColumns, type SQL, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";

/**
 * `INSERT INTO table SELECT <row, in the table's column order> <tail>`. Values may be SQL
 * (columns of the tail's FROM, expressions) or plain values (bound); omitted columns (the id)
 * are NULL. Drizzle's `db.run(sql)` cannot carry bound parameters inside a D1 batch; this can.
 */
export function insertSelect<T extends SQLiteTable>(
  db: Db,
  table: T,
  row: { [K in keyof T["_"]["columns"]]?: unknown },
  tail: SQL,
) {
  const values = Object.keys(getTableColumns(table)).map((key) =>
    key in row ? sql`${(row as Record<string, unknown>)[key]}` : sql`NULL`,
  );
  return db.insert(table).select(sql`SELECT ${sql.join(values, sql`, `)} ${tail}`);
}
