// JobRunner: enqueue a Job row plus its queue message; run a delivered message through the
// handler of its kind; retry with growing delays; record the final failure. Handlers must be
// idempotent: a message can arrive twice, and a job already finished is skipped here.
import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import { type BatchItem, createDb, type Db } from "../db/client";
import { events, jobs, type JobKind } from "../db/schema";
import type { Bindings } from "../env";
import { rawBatch, type Statement } from "../lib/d1-batch";
import { PermanentJobError, TransientJobError } from "./errors";
import { isTaskMessage, type JobMessage, type JobMessageOf, type QueueMessage } from "./job-message";
import { backoffSeconds, MAX_ATTEMPTS } from "./retry";
import { runTask, type TaskHandlers } from "./tasks";

export { backoffSeconds, MAX_ATTEMPTS };

export type JobRow = typeof jobs.$inferSelect;

export interface JobContext {
  db: Db;
  env: Bindings;
  /** Queue another message (the next chunk of the same job). */
  send(message: JobMessage): Promise<void>;
}

/** An event the runner appends when the job finishes, exactly once (in the finishing batch). */
export interface JobEvent {
  typeKey: string;
  entityTypeKey: string;
  entityId: number;
  payload?: unknown;
}

/**
 * What a handler answers: done (with a result), or not yet. A handler that commits its own
 * progress (chunked jobs do, in the batch that commits the chunk) leaves `progress` out; `next`
 * is the message that carries on, or null when another delivery already does.
 */
export type JobOutcome =
  | { done: true; result: unknown; fileUrl?: string | null; events?: JobEvent[] }
  | { done: false; progress?: unknown; next: JobMessage | null };

export type JobHandler<K extends JobKind> = (ctx: JobContext, job: JobRow, message: JobMessageOf<K>) => Promise<JobOutcome>;

export type JobHandlers = { [K in JobKind]?: JobHandler<K> };

export interface NewJob {
  workspaceId: number;
  createdByUserId: number | null;
  kind: JobKind;
  input?: unknown;
}

/** The INSERT of a job row, to batch with the change that needs it; `newestId(jobs)` is its id. */
export function jobInsert(db: Db, job: NewJob) {
  const now = Date.now();
  return db.insert(jobs).values({
    workspaceId: job.workspaceId,
    createdByUserId: job.createdByUserId,
    kindKey: job.kind,
    inputJson: JSON.stringify(job.input ?? {}),
    createdAt: now,
    updatedAt: now,
  });
}

/**
 * Create a job and queue its first message. Extra statements run in the same batch (the job
 * lands with the change that asked for it, or not at all).
 */
export async function enqueue(
  db: Db,
  queue: Queue<JobMessage>,
  job: NewJob,
  firstMessage: (jobId: number) => JobMessage,
  extra: BatchItem[] = [],
): Promise<JobRow> {
  const [inserted] = (await db.batch([jobInsert(db, job).returning(), ...extra])) as [JobRow[]];
  const row = inserted[0]!;
  await dispatch(db, queue, row, firstMessage(row.id));
  return row;
}

/**
 * Queue the first message of a job row already written (after `delaySeconds`, when given). If the
 * queue refuses it, the job is marked failed: a job nobody will ever run must not sit in `queued`.
 */
export async function dispatch(db: Db, queue: Queue<JobMessage>, row: JobRow, message: JobMessage, delaySeconds?: number): Promise<void> {
  try {
    await queue.send(message, { contentType: "json", ...(delaySeconds ? { delaySeconds } : {}) });
  } catch (error) {
    await finish(db, row, "failed", errorResult(new TransientJobError(`could not queue the job: ${String(error)}`, "enqueue_failed")));
    throw error;
  }
}

/** `… WHERE <job still unfinished>`: statements guarded by it run once, however many finish. */
const stillUnfinished = (jobId: number): SQL =>
  sql`EXISTS (SELECT 1 FROM ${jobs} WHERE ${jobs.id} = ${jobId} AND ${jobs.statusKey} IN ('queued', 'running'))`;

/** An event row inserted only when `condition` holds (the insert is a no-op otherwise). */
export function guardedEvent(job: Pick<JobRow, "workspaceId" | "createdByUserId">, event: JobEvent, condition: SQL, createdAt = Date.now()): SQL {
  return sql`INSERT INTO ${events} (workspace_id, type_key, entity_type_key, entity_id, actor_user_id, payload_json, created_at)
    SELECT ${job.workspaceId}, ${event.typeKey}, ${event.entityTypeKey}, ${event.entityId}, ${job.createdByUserId},
           ${event.payload === undefined ? null : JSON.stringify(event.payload)}, ${createdAt}
    WHERE ${condition}`;
}

/**
 * Mark the job finished. Its events go first in the same batch, guarded by "still unfinished",
 * so two deliveries finishing at once record them once.
 */
async function finish(
  db: Db,
  job: JobRow,
  status: "succeeded" | "failed",
  result: unknown,
  fileUrl?: string | null,
  jobEvents: JobEvent[] = [],
) {
  const now = Date.now();
  const all =
    status === "failed"
      ? [...jobEvents, { typeKey: "job.failed", entityTypeKey: "job", entityId: job.id, payload: { kind: job.kindKey, result } }]
      : jobEvents;
  const statements: Statement[] = all.map((event) => guardedEvent(job, event, stillUnfinished(job.id), now));
  statements.push(
    db
      .update(jobs)
      .set({ statusKey: status, resultJson: JSON.stringify(result), finishedAt: now, updatedAt: now, ...(fileUrl !== undefined ? { fileUrl } : {}) })
      .where(and(eq(jobs.id, job.id), inArray(jobs.statusKey, ["queued", "running"]))),
  );
  await rawBatch(db, statements);
}

const errorResult = (error: unknown) => ({
  error: {
    code: error instanceof TransientJobError || error instanceof PermanentJobError ? error.code : "internal_error",
    message: error instanceof Error ? error.message : String(error),
  },
});

/** Run one delivered message. Every outcome acks or retries the message explicitly. */
export async function runMessage(env: Bindings, handlers: JobHandlers, message: Message<JobMessage>): Promise<void> {
  const db = createDb(env.DB);
  const body = message.body;
  const [job] = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.id, body.jobId), eq(jobs.workspaceId, body.workspaceId)));
  if (!job || job.statusKey === "succeeded" || job.statusKey === "failed") {
    // Gone or already done: a redelivery does nothing twice.
    message.ack();
    return;
  }
  const handler = handlers[body.kind] as JobHandler<JobKind> | undefined;
  if (!handler || job.kindKey !== body.kind) {
    await finish(db, job, "failed", errorResult(new PermanentJobError(`no handler for job kind ${body.kind}`, "unknown_job_kind")));
    message.ack();
    return;
  }

  const now = Date.now();
  await db
    .update(jobs)
    .set({ statusKey: "running", startedAt: job.startedAt ?? now, attempts: job.attempts + 1, updatedAt: now })
    .where(eq(jobs.id, job.id));

  const ctx: JobContext = { db, env, send: async (next) => void (await env.JOBS.send(next, { contentType: "json" })) };
  try {
    const outcome = await handler(ctx, { ...job, statusKey: "running" }, body as never);
    if (outcome.done) {
      await finish(db, job, "succeeded", outcome.result, outcome.fileUrl, outcome.events);
    } else {
      if (outcome.progress !== undefined) {
        await db.update(jobs).set({ progressJson: JSON.stringify(outcome.progress), updatedAt: Date.now() }).where(eq(jobs.id, job.id));
      }
      if (outcome.next) {
        await ctx.send(outcome.next);
        if ("chunk" in outcome.next) await markDispatched(db, job.id, outcome.next.chunk);
      }
    }
    message.ack();
  } catch (error) {
    const permanent = error instanceof PermanentJobError;
    if (permanent || message.attempts >= MAX_ATTEMPTS) {
      await finish(db, job, "failed", { ...errorResult(error), attempts: message.attempts });
      message.ack();
      return;
    }
    const delaySeconds =
      error instanceof TransientJobError && error.retryAfterSeconds !== undefined
        ? error.retryAfterSeconds
        : backoffSeconds(message.attempts);
    await db
      .update(jobs)
      .set({ statusKey: "queued", resultJson: JSON.stringify({ ...errorResult(error), retryInSeconds: delaySeconds }), updatedAt: Date.now() })
      .where(eq(jobs.id, job.id));
    message.retry({ delaySeconds });
  }
}

/**
 * Remember that the message for `chunk` is on the queue, so a redelivery of the chunk before it
 * does not queue it a second time (see `alreadyDispatched`).
 */
async function markDispatched(db: Db, jobId: number, chunk: number): Promise<void> {
  await db
    .update(jobs)
    .set({ progressJson: sql`json_set(coalesce(${jobs.progressJson}, '{}'), '$.dispatchedChunk', ${chunk})` })
    .where(eq(jobs.id, jobId));
}

/** Has the message for `chunk` of this job been queued already? */
export function alreadyDispatched(job: JobRow, chunk: number): boolean {
  if (!job.progressJson) return false;
  const dispatched = (JSON.parse(job.progressJson) as { dispatchedChunk?: unknown }).dispatchedChunk;
  return typeof dispatched === "number" && dispatched >= chunk;
}

/** The dead-letter queue: messages the consumer could not handle at all end here; record them. */
export async function recordDeadLetter(env: Bindings, message: Message<QueueMessage>): Promise<void> {
  if (isTaskMessage(message)) {
    // A task has no row to mark failed: the log is its record.
    console.error(JSON.stringify({ deadLettered: message.body, attempts: message.attempts }));
    message.ack();
    return;
  }
  const body = message.body as JobMessage;
  const db = createDb(env.DB);
  const [job] = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.id, body.jobId), eq(jobs.workspaceId, body.workspaceId)));
  if (job && (job.statusKey === "queued" || job.statusKey === "running")) {
    await finish(db, job, "failed", {
      error: { code: "dead_lettered", message: "the job's message exhausted its deliveries" },
      previous: job.resultJson ? (JSON.parse(job.resultJson) as unknown) : null,
    });
  }
  message.ack();
}

/** The Worker's queue() handler body: job messages run by kind, task messages by task name. */
export async function consumeBatch(
  batch: MessageBatch<QueueMessage>,
  env: Bindings,
  handlers: JobHandlers,
  taskHandlers: TaskHandlers = {},
): Promise<void> {
  const deadLetters = batch.queue.endsWith("-dlq");
  for (const message of batch.messages) {
    try {
      if (deadLetters) await recordDeadLetter(env, message);
      else if (isTaskMessage(message)) await runTask(env, taskHandlers, message);
      else await runMessage(env, handlers, message as Message<JobMessage>);
    } catch (error) {
      // The runner itself failed (e.g. D1 unreachable while recording the outcome): retry this
      // message alone rather than failing the rest of the batch with it.
      console.error(JSON.stringify({ queue: batch.queue, body: message.body, error: String(error) }));
      message.retry({ delaySeconds: backoffSeconds(message.attempts) });
    }
  }
}
