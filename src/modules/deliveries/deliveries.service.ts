// Deliveries: one row per attempt to hand an outbound message to its provider. Status only moves
// forward (queued < sent < delivered < read; failed ends an attempt), so late or repeated provider
// callbacks change nothing; `retry` starts a new attempt with a new `deliver_message` job.
import { and, asc, desc, eq, max, type SQL, sql } from "drizzle-orm";
import type { DeliveryUpdate } from "../../channels/channel-adapter";
import type { BatchItem, Db } from "../../db/client";
import { isUniqueViolation } from "../../db/constraints";
import { deliveries, type DeliveryStatus, jobs, type MessageChannel } from "../../db/schema";
import type { Bindings, Caller } from "../../env";
import type { JobMessage } from "../../jobs/job-message";
import { jobInsert, type JobRow } from "../../jobs/runner";
import { AppError, notFound } from "../../lib/errors";
import { iso } from "../../lib/time";
import type { Viewer } from "../conversations/conversations.service";
import { append, appendIfChanged, newestId } from "../events/event-log";
import { findMessage } from "../messages/message-access";

export type DeliveryRow = typeof deliveries.$inferSelect;

export const toDeliveryDto = (d: DeliveryRow) => ({
  id: d.id,
  messageId: d.messageId,
  channelKey: d.channelKey,
  statusKey: d.statusKey,
  attempt: d.attempt,
  providerMessageId: d.providerMessageId,
  errorCode: d.errorCode,
  errorMessage: d.errorMessage,
  createdAt: iso(d.createdAt),
  updatedAt: iso(d.updatedAt),
});

const PROGRESS: Record<Exclude<DeliveryStatus, "failed">, number> = { queued: 0, sent: 1, delivered: 2, read: 3 };

/**
 * The monotonic rule: forward only; `failed` ends the attempt and is only believed before the
 * provider reported the message delivered; a status equal to the current one is a duplicate.
 */
export function canMove(from: DeliveryStatus, to: DeliveryStatus): boolean {
  if (from === "failed" || from === to) return false;
  if (to === "failed") return from === "queued" || from === "sent";
  return PROGRESS[to] > PROGRESS[from];
}

/**
 * The statements that queue attempt `attempt` of a message: the Delivery and its
 * `deliver_message` job, whose input is `{deliveryId}`. Both rows come back (returning()).
 */
export function queueDeliveryStatements(
  db: Db,
  opts: {
    workspaceId: number;
    messageId: number | SQL;
    channelKey: MessageChannel;
    /** The provider account the attempt goes out through (null: none yet; the job looks again). */
    connectionId: number | null;
    attempt: number;
    createdByUserId: number | null;
    now: number;
  },
): [BatchItem, BatchItem, BatchItem] {
  return [
    db
      .insert(deliveries)
      .values({
        workspaceId: opts.workspaceId,
        messageId: opts.messageId,
        channelKey: opts.channelKey,
        connectionId: opts.connectionId,
        statusKey: "queued",
        attempt: opts.attempt,
        createdAt: opts.now,
        updatedAt: opts.now,
      })
      .returning(),
    jobInsert(db, { workspaceId: opts.workspaceId, createdByUserId: opts.createdByUserId, kind: "deliver_message" }).returning(),
    // The delivery's id only exists inside the batch: write it into the job's input there.
    db
      .update(jobs)
      .set({ inputJson: sql`json_object('deliveryId', ${newestId(deliveries)})` })
      .where(eq(jobs.id, newestId(jobs))),
  ];
}

/** Put a queued delivery's job on the queue (after its batch has committed). */
export async function dispatchDeliveryJob(env: Bindings, job: JobRow): Promise<void> {
  const message: JobMessage = { kind: "deliver_message", jobId: job.id, workspaceId: job.workspaceId };
  await env.JOBS.send(message, { contentType: "json" });
}

async function findDelivery(db: Db, viewer: Viewer, id: number): Promise<DeliveryRow> {
  const [row] = await db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.workspaceId, viewer.workspaceId), eq(deliveries.id, id)));
  if (!row) throw notFound("delivery");
  await findMessage(db, viewer, row.messageId).catch(() => {
    throw notFound("delivery");
  });
  return row;
}

/** Every attempt for a message, first to last. */
export async function listDeliveries(db: Db, viewer: Viewer, messageId: number) {
  await findMessage(db, viewer, messageId);
  const rows = await db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.workspaceId, viewer.workspaceId), eq(deliveries.messageId, messageId)))
    .orderBy(asc(deliveries.attempt));
  return rows.map(toDeliveryDto);
}

export interface StatusChange {
  status: DeliveryStatus;
  providerMessageId?: string | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  /** When the provider says it happened. */
  at?: number;
}

/**
 * Apply a status to a delivery under the monotonic rule; anything else is a no-op. The write is
 * conditional on the status it was read with, so two callbacks racing each apply in turn.
 */
export async function transitionDelivery(
  db: Db,
  delivery: DeliveryRow,
  change: StatusChange,
  actorUserId: number | null = null,
): Promise<{ changed: boolean; delivery: DeliveryRow }> {
  let current = delivery;
  for (;;) {
    if (!canMove(current.statusKey, change.status)) return { changed: false, delivery: current };
    const now = Date.now();
    const [[updated]] = await db.batch([
      db
        .update(deliveries)
        .set({
          statusKey: change.status,
          providerMessageId: change.providerMessageId ?? current.providerMessageId,
          errorCode: change.errorCode ?? current.errorCode,
          errorMessage: change.errorMessage ?? current.errorMessage,
          updatedAt: now,
        })
        .where(and(eq(deliveries.id, current.id), eq(deliveries.statusKey, current.statusKey)))
        .returning(),
      appendIfChanged(db, {
        workspaceId: current.workspaceId,
        typeKey: "delivery.status_changed",
        entityTypeKey: "delivery",
        entityId: current.id,
        actorUserId,
        payload: {
          messageId: current.messageId,
          attempt: current.attempt,
          before: current.statusKey,
          after: change.status,
          ...(change.errorCode ? { errorCode: change.errorCode, errorMessage: change.errorMessage ?? null } : {}),
          ...(change.at !== undefined ? { at: iso(change.at) } : {}),
        },
        createdAt: now,
      }),
    ]);
    if (updated) return { changed: true, delivery: updated };
    const [reread] = await db.select().from(deliveries).where(eq(deliveries.id, current.id));
    if (!reread) return { changed: false, delivery: current };
    current = reread;
  }
}

/**
 * `updateFromProvider`: a provider's status callback, matched by its message id among the
 * attempts that went out through the connection it arrived on — never another connection's, never
 * another workspace's. Unknown ids are answered `matched: false`, not an error: providers report
 * on messages sent before a connection was moved, and must not be retried forever.
 */
export async function updateFromProvider(db: Db, update: DeliveryUpdate & { workspaceId: number; connectionId: number }) {
  const [delivery] = await db
    .select()
    .from(deliveries)
    .where(
      and(
        eq(deliveries.connectionId, update.connectionId),
        eq(deliveries.workspaceId, update.workspaceId),
        eq(deliveries.providerMessageId, update.providerMessageId),
      ),
    )
    .orderBy(desc(deliveries.id))
    .limit(1);
  if (!delivery) return { matched: false as const, changed: false };
  const result = await transitionDelivery(db, delivery, {
    status: update.status,
    errorCode: update.errorCode,
    errorMessage: update.errorMessage,
    at: update.at,
  });
  return { matched: true as const, ...result };
}

/** `retry`: a failed attempt (the latest one) gets a successor, attempt n+1, and a new job. */
export async function retryDelivery(db: Db, env: Bindings, caller: Caller, id: number): Promise<DeliveryRow> {
  const failed = await findDelivery(db, caller, id);
  if (failed.statusKey !== "failed") {
    throw new AppError("conflict", `only a failed delivery can be retried; this one is ${failed.statusKey}`);
  }
  const [latest] = await db
    .select({ attempt: max(deliveries.attempt) })
    .from(deliveries)
    .where(and(eq(deliveries.workspaceId, caller.workspaceId), eq(deliveries.messageId, failed.messageId)));
  if ((latest?.attempt ?? failed.attempt) !== failed.attempt) {
    throw new AppError("conflict", `attempt ${latest?.attempt} supersedes this one; retry that attempt if it failed`);
  }
  const now = Date.now();
  const attempt = failed.attempt + 1;
  try {
    const [[delivery], [job]] = (await db.batch([
      ...queueDeliveryStatements(db, {
        workspaceId: caller.workspaceId,
        messageId: failed.messageId,
        channelKey: failed.channelKey,
        // The job re-routes when this account is gone by then.
        connectionId: failed.connectionId,
        attempt,
        createdByUserId: caller.userId,
        now,
      }),
      append(db, {
        workspaceId: caller.workspaceId,
        typeKey: "delivery.retried",
        entityTypeKey: "delivery",
        entityId: newestId(deliveries),
        actorUserId: caller.userId,
        payload: { messageId: failed.messageId, attempt, previousDeliveryId: failed.id },
        createdAt: now,
      }),
    ])) as [DeliveryRow[], JobRow[], ...unknown[]];
    await dispatchDeliveryJob(env, job!);
    return delivery!;
  } catch (error) {
    if (!isUniqueViolation(error, "deliveries.message_id, deliveries.attempt")) throw error;
    throw new AppError("conflict", "this delivery was retried already");
  }
}
