// The one way anything goes onto the jobs queue (job messages and tasks alike): a transactional
// outbox. The message is written to `queue_outbox` in the same D1 batch as the work it starts,
// sent once the batch has committed, and its row deleted once the queue took it. A send that fails
// — or a Worker that dies between commit and send — leaves the row, and the cron (`scheduled()`)
// sends it after OUTBOX_GRACE_MS. A failed send therefore never fails the caller: the work is
// stored and will run. Consumers are idempotent, so a message sent twice does nothing twice.
import { asc, inArray, lt, SQL, sql } from "drizzle-orm";
import type { BatchItem, Db } from "../db/client";
import { insertSelect } from "../db/insert-select";
import { jobs, queueOutbox } from "../db/schema";
import type { Bindings } from "../env";
import type { JobMessage, QueueMessage } from "./job-message";

/** How long a message may sit in the outbox before the cron sends it in the producer's place. */
export const OUTBOX_GRACE_MS = 60_000;
/** The queue's `sendBatch` takes at most 100 messages. */
const SEND_BATCH = 100;

export type OutboxRow = typeof queueOutbox.$inferSelect;

/**
 * The first message of a job inserted earlier in the same batch, whose id only exists there:
 * `{kind, jobId, workspaceId[, chunk: 0]}` built in SQL.
 */
export function newJobMessage(kind: JobMessage["kind"], workspaceId: number, chunked: boolean): SQL {
  const newestJob = sql`(SELECT max(id) FROM ${jobs})`;
  return chunked
    ? sql`json_object('kind', ${kind}, 'jobId', ${newestJob}, 'workspaceId', ${workspaceId}, 'chunk', 0)`
    : sql`json_object('kind', ${kind}, 'jobId', ${newestJob}, 'workspaceId', ${workspaceId})`;
}

export type Outgoing = QueueMessage | SQL;

const isSql = (message: Outgoing): message is SQL => message instanceof SQL;

export interface EnqueueOptions {
  /** Deliver the messages this long after they were written (a debounced job). */
  delaySeconds?: number;
  /**
   * Write the messages only when the last statement changed a row (an INSERT … ON CONFLICT DO
   * NOTHING that may have found its row there already): a job that was not created gets no message.
   */
  onlyIfChanged?: boolean;
  /** Write the messages only when this SQL condition holds inside the batch. */
  when?: SQL;
}

/** The INSERT of one outbox message, to batch with the work it starts (then `sendOutboxRows`). */
export function outboxInsert(db: Db, workspaceId: number, message: Outgoing, now: number, options: EnqueueOptions = {}) {
  const bodyJson = isSql(message) ? message : JSON.stringify(message);
  const delaySeconds = options.delaySeconds ?? 0;
  const when = options.onlyIfChanged ? sql`changes() > 0` : options.when;
  if (!when) return db.insert(queueOutbox).values({ workspaceId, bodyJson, delaySeconds, createdAt: now }).returning();
  return insertSelect(db, queueOutbox, { workspaceId, bodyJson, attempts: 0, delaySeconds, createdAt: now }, sql`WHERE ${when}`).returning();
}

/** What is left of a message's delay at `now`, in whole seconds (none once it has passed). */
const remainingDelay = (row: Pick<OutboxRow, "createdAt" | "delaySeconds">, now: number) =>
  Math.max(0, Math.ceil((row.createdAt + row.delaySeconds * 1000 - now) / 1000));

/**
 * Commit `statements` as one batch together with `messages`, then put the messages on the queue.
 * Answers the statements' results, in order. A message may be SQL (`newJobMessage`) when it names
 * a row the batch inserts. Without statements, the messages are sent at once and only written to
 * the outbox if the queue refuses them.
 */
export async function enqueue(
  db: Db,
  env: Pick<Bindings, "JOBS">,
  workspaceId: number,
  messages: Outgoing[],
  statements: BatchItem[] = [],
  options: EnqueueOptions = {},
): Promise<unknown[]> {
  const now = Date.now();
  const delaySeconds = options.delaySeconds ?? 0;
  if (statements.length === 0 && messages.every((m) => !isSql(m))) {
    const bodies = messages as QueueMessage[];
    if (!(await send(env, bodies, delaySeconds))) {
      await db.insert(queueOutbox).values(bodies.map((body) => ({ workspaceId, bodyJson: JSON.stringify(body), delaySeconds, createdAt: now })));
    }
    return [];
  }
  const all = [...statements, ...messages.map((m) => outboxInsert(db, workspaceId, m, now, options))] as [BatchItem, ...BatchItem[]];
  const results = (await db.batch(all)) as unknown[];
  const rows = results.slice(statements.length).flatMap((r) => (r as OutboxRow[]).slice(0, 1));
  if (rows.length > 0) await sendOutboxRows(db, env, rows, now);
  return results.slice(0, statements.length);
}

/** Send, answering whether the queue took the messages; a refusal is logged, not thrown. */
async function send(env: Pick<Bindings, "JOBS">, bodies: QueueMessage[], delaySeconds: number | number[] = 0): Promise<boolean> {
  if (bodies.length === 0) return true;
  const delayOf = (i: number) => (Array.isArray(delaySeconds) ? delaySeconds[i]! : delaySeconds);
  try {
    await env.JOBS.sendBatch(bodies.map((body, i) => ({ body, contentType: "json" as const, ...(delayOf(i) > 0 ? { delaySeconds: delayOf(i) } : {}) })));
    return true;
  } catch (error) {
    console.warn(JSON.stringify({ outbox: "queue refused the messages; the cron will send them", count: bodies.length, error: String(error) }));
    return false;
  }
}

/** Send outbox rows (with what is left of their delays) and delete them once sent. */
export async function sendOutboxRows(db: Db, env: Pick<Bindings, "JOBS">, rows: OutboxRow[], now: number): Promise<boolean> {
  const bodies = rows.map((r) => JSON.parse(r.bodyJson) as QueueMessage);
  if (!(await send(env, bodies, rows.map((r) => remainingDelay(r, now))))) return false;
  try {
    await db.delete(queueOutbox).where(
      inArray(
        queueOutbox.id,
        rows.map((r) => r.id),
      ),
    );
  } catch (error) {
    // The messages went out; left in the outbox, the cron sends them once more (harmless).
    console.warn(JSON.stringify({ outbox: "sent but not cleared", ids: rows.map((r) => r.id), error: String(error) }));
  }
  return true;
}

/**
 * The cron's part: send what has waited in the outbox longer than the grace period (the producer
 * failed to send it, or died first). Answers how many messages went out.
 */
export async function sendStaleOutbox(db: Db, env: Pick<Bindings, "JOBS">, now: number, maxBatches = 10): Promise<number> {
  let sent = 0;
  for (let i = 0; i < maxBatches; i++) {
    const rows = await db
      .select()
      .from(queueOutbox)
      .where(lt(queueOutbox.createdAt, now - OUTBOX_GRACE_MS))
      .orderBy(asc(queueOutbox.id))
      .limit(SEND_BATCH);
    if (rows.length === 0) break;
    if (!(await sendOutboxRows(db, env, rows, now))) {
      await db
        .update(queueOutbox)
        .set({ attempts: sql`${queueOutbox.attempts} + 1` })
        .where(
          inArray(
            queueOutbox.id,
            rows.map((r) => r.id),
          ),
        );
      break;
    }
    sent += rows.length;
    if (rows.length < SEND_BATCH) break;
  }
  return sent;
}
