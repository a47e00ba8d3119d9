// The Worker's cron (`scheduled()`, every minute): send what waited too long in the queue outbox
// (and the messages of classification jobs that should have started), then purge what Parley keeps only for a while. Deletes run in bounded batches so one run stays
// far inside D1's limits (a short statement each, a few dozen statements per run); what a run
// leaves, the next minute's run takes.
import { lt, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { createDb, type Db } from "../db/client";
import { channelUpdates, chatLinkCodes, idempotencyKeys } from "../db/schema";
import type { Bindings } from "../env";
import { IDEMPOTENCY_TTL_MS } from "../middleware/idempotency";
import { requeueStalledClassifications } from "../modules/qualification/classification.service";
import { sendStaleOutbox } from "./outbox";

const DAY_MS = 24 * 60 * 60_000;
/** Telegram redelivers an update for at most 24 h; a week of update ids is plenty. */
export const CHANNEL_UPDATE_TTL_MS = 7 * DAY_MS;
/** Import uploads (and their working copies) in R2; the error report, the job's output, stays. */
export const IMPORT_UPLOAD_TTL_MS = 7 * DAY_MS;
const IMPORT_PREFIX = "imports/";
const IMPORT_OUTPUT = /\/import-errors\.csv$/;

/** Rows per DELETE and DELETEs per table per run. */
const DELETE_BATCH = 1_000;
const MAX_DELETES_PER_TABLE = 10;
/** R2 list pages (1,000 keys each) per run. */
const MAX_R2_PAGES = 10;

export interface MaintenanceReport {
  outboxSent: number;
  classificationsRequeued: number;
  idempotencyKeys: number;
  channelUpdates: number;
  linkCodes: number;
  importFiles: number;
}

/** Delete `table`'s rows where `column < before`, a batch at a time. */
async function purge(db: Db, table: SQLiteTable, column: SQLiteColumn, before: number): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < MAX_DELETES_PER_TABLE; i++) {
    const olderRows: SQL = sql`SELECT rowid FROM ${table} WHERE ${lt(column, before)} LIMIT ${DELETE_BATCH}`;
    const result = await db.run(sql`DELETE FROM ${table} WHERE rowid IN (${olderRows})`);
    const changes = result.meta.changes ?? 0;
    deleted += changes;
    if (changes < DELETE_BATCH) break;
  }
  return deleted;
}

/** Import uploads older than the TTL, from R2. */
async function purgeImportFiles(bucket: R2Bucket, before: number): Promise<number> {
  let deleted = 0;
  let cursor: string | undefined;
  for (let page = 0; page < MAX_R2_PAGES; page++) {
    const listing = await bucket.list({ prefix: IMPORT_PREFIX, cursor, limit: 1_000 });
    const old = listing.objects.filter((o) => o.uploaded.getTime() < before && !IMPORT_OUTPUT.test(o.key)).map((o) => o.key);
    if (old.length > 0) await bucket.delete(old);
    deleted += old.length;
    if (!listing.truncated) break;
    cursor = listing.cursor;
  }
  return deleted;
}

export async function runMaintenance(env: Bindings, now: number): Promise<MaintenanceReport> {
  const db = createDb(env.DB);
  const report: MaintenanceReport = {
    outboxSent: await sendStaleOutbox(db, env, now),
    classificationsRequeued: await requeueStalledClassifications(db, env, now),
    idempotencyKeys: await purge(db, idempotencyKeys, idempotencyKeys.createdAt, now - IDEMPOTENCY_TTL_MS),
    channelUpdates: await purge(db, channelUpdates, channelUpdates.receivedAt, now - CHANNEL_UPDATE_TTL_MS),
    linkCodes: await purge(db, chatLinkCodes, chatLinkCodes.expiresAt, now),
    importFiles: await purgeImportFiles(env.FILES, now - IMPORT_UPLOAD_TTL_MS),
  };
  if (Object.values(report).some((n) => n > 0)) console.log(JSON.stringify({ maintenance: report }));
  return report;
}
