import { drizzle } from "drizzle-orm/d1";

export const createDb = (d1: D1Database) => drizzle(d1);
export type Db = ReturnType<typeof createDb>;
/** One statement of a `db.batch()`: D1's only transaction. */
export type BatchItem = Parameters<Db["batch"]>[0][number];
