// Raw SQL statements in one D1 batch (D1's only transaction). drizzle's db.batch() cannot run a
// db.run(sql`…`) item that has parameters (its SQLiteRaw has no prepared statement to bind), so
// statements written as SQL — INSERT … SELECT, UPDATE … FROM — go through D1's own batch.
import type { SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client";

const dialect = new SQLiteSyncDialect();

/** A drizzle query builder, or a `sql` template. */
export type Statement = SQL | { toSQL(): { sql: string; params: unknown[] } };

function toQuery(statement: Statement): { sql: string; params: unknown[] } {
  return "toSQL" in statement ? statement.toSQL() : dialect.sqlToQuery(statement);
}

/** Run the statements in order as one transaction; each answers its D1 result (rows and changes). */
export async function rawBatch(db: Db, statements: Statement[]): Promise<D1Result<Record<string, unknown>>[]> {
  const d1 = db.$client;
  return d1.batch<Record<string, unknown>>(
    statements.map((statement) => {
      const query = toQuery(statement);
      return d1.prepare(query.sql).bind(...query.params);
    }),
  );
}
