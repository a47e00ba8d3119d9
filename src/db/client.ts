import { drizzle } from "drizzle-orm/d1";

/**
 * One Drizzle client per D1 binding and isolate: the client holds no per-request state, and
 * building one for every request cost measurable CPU on the webhook road (`npm run bench -- webhooks`).
 */
const clients = new WeakMap<D1Database, ReturnType<typeof drizzle>>();

export function createDb(d1: D1Database) {
  let db = clients.get(d1);
  if (!db) {
    db = drizzle(d1);
    clients.set(d1, db);
  }
  return db;
}
export type Db = ReturnType<typeof createDb>;
/** One statement of a `db.batch()`: D1's only transaction. */
export type BatchItem = Parameters<Db["batch"]>[0][number];
