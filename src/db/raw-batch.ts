// Several `db.all(sql…)` statements in one D1 batch: one round trip, one consistent read.
// Drizzle's own `db.batch` cannot take raw statements on D1 (it looks for a prepared statement
// that `db.all` never makes), so the batch is built from their SQL and parameters here.
import type { SQLiteRaw } from "drizzle-orm/sqlite-core/query-builders/raw";
import type { Db } from "./client";

type Rows<Q> = Q extends SQLiteRaw<infer R> ? R : never;

export async function batchAll<const Q extends readonly SQLiteRaw<unknown[]>[]>(
  db: Db,
  queries: Q,
): Promise<{ -readonly [K in keyof Q]: Rows<Q[K]> }> {
  const d1 = db.$client;
  const results = await d1.batch(
    queries.map((query) => {
      const { sql, params } = query.getQuery();
      return d1.prepare(sql).bind(...params);
    }),
  );
  // The mapped tuple type cannot be built up element by element; each entry is that statement's rows.
  return results.map((result) => result.results) as { -readonly [K in keyof Q]: Rows<Q[K]> };
}
