// Deliveries: one row per attempt to hand an outbound message to its provider. Status only moves
// forward (queued < sent < delivered < read; failed ends an attempt), so late or repeated provider
// callbacks change nothing; `retry` starts a new attempt with a new `deliver_message` job.
// The queue binding from the Worker's environment (importable anywhere): every path that moves a
// delivery — the deliver job, providers' status callbacks — goes through transitionDelivery, and
// the author hears of the outcome from this one place without each caller passing `env` along.
import { env as workerEnv } from "cloudflare:workers";
import { and, asc, desc, eq, isNull, lte, max, or, type SQL, sql } from "drizzle-orm";
import type { DeliveryUpdate } from "../../channels/channel-adapter";
import type { BatchItem, Db } from "../../db/client";
import { isUniqueViolation } from "../../db/constraints";
import { conversations, deliveries, type DeliveryStatus, jobs, type MessageChannel, messages } from "../../db/schema";
import type { Bindings, Caller } from "../../env";
import { enqueue, newJobMessage } from "../../jobs/outbox";
import { jobInsert } from "../../jobs/runner";
import { enqueueTask } from "../../jobs/tasks";
import { AppError, notFound } from "../../lib/errors";
import { iso } from "../../lib/time";
import { findIdentityOwner } from "../contacts/contacts.service";
import { setIdentityOptOut } from "../contacts/opt-out.service";
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
 * `deliver_message` job, whose input is `{deliveryId}`. Both rows come back (returning()). The
 * job's queue message is `deliveryJobMessage`: commit both through `enqueue` (jobs/outbox.ts).
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

/** The queue message of the job `queueDeliveryStatements` inserts, for the same batch. */
export const deliveryJobMessage = (workspaceId: number): SQL => newJobMessage("deliver_message", workspaceId, false);

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
 * A delivery's first outcome (taken by the provider, or not) and any failure are news for the
 * message's author: queue the delivery_outcome task. The status has committed by now, so a queue
 * that cannot take the task costs the author a chat line, never the status change.
 */
async function tellAuthor(delivery: DeliveryRow, before: DeliveryStatus): Promise<void> {
  if (delivery.statusKey !== "failed" && before !== "queued") return;
  try {
    await enqueueTask(workerEnv as Pick<Bindings, "JOBS" | "DB">, { task: "delivery_outcome", workspaceId: delivery.workspaceId, deliveryId: delivery.id });
  } catch (error) {
    console.error(JSON.stringify({ deliveryOutcome: { deliveryId: delivery.id }, error: error instanceof Error ? error.message : String(error) }));
  }
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
    if (updated) {
      await tellAuthor(updated, current.statusKey);
      return { changed: true, delivery: updated };
    }
    const [reread] = await db.select().from(deliveries).where(eq(deliveries.id, current.id));
    if (!reread) return { changed: false, delivery: current };
    current = reread;
  }
}

/** How long a claim on a delivery lasts without news from its sender (each sent part renews it). */
export const DELIVERY_LEASE_MS = 2 * 60_000;

export type Claim =
  | { claimed: true; delivery: DeliveryRow; leaseId: string }
  | { claimed: false; delivery: DeliveryRow; retryInMs: number | null };

/**
 * Claim a queued delivery for sending, in one conditional UPDATE … RETURNING: of two workers
 * holding the same job (a redelivered queue message), one gets it. A claim is a lease: when its
 * holder dies, it runs out and the next delivery of the job claims it. Not claimed: the delivery
 * is no longer queued (`retryInMs` null: nothing to do), or another worker holds it (retry then).
 */
export async function claimDelivery(db: Db, workspaceId: number, deliveryId: number, now = Date.now()): Promise<Claim | null> {
  const leaseId = crypto.randomUUID();
  const [claimed] = await db
    .update(deliveries)
    .set({ leaseId, leaseUntil: now + DELIVERY_LEASE_MS })
    .where(
      and(
        eq(deliveries.workspaceId, workspaceId),
        eq(deliveries.id, deliveryId),
        eq(deliveries.statusKey, "queued"),
        or(isNull(deliveries.leaseUntil), lte(deliveries.leaseUntil, now)),
      ),
    )
    .returning();
  if (claimed) return { claimed: true, delivery: claimed, leaseId };
  const [current] = await db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.workspaceId, workspaceId), eq(deliveries.id, deliveryId)));
  if (!current) return null;
  const held = current.statusKey === "queued" && current.leaseUntil !== null && current.leaseUntil > now;
  return { claimed: false, delivery: current, retryInMs: held ? current.leaseUntil! - now : null };
}

/** Provider ids of the parts a delivery has sent so far. */
export const sentPartsOf = (delivery: DeliveryRow): string[] =>
  delivery.sentPartsJson ? (JSON.parse(delivery.sentPartsJson) as string[]) : [];

/**
 * Record that one more part of a claimed delivery went out (and renew the lease). False when the
 * claim is gone — the lease ran out and another worker took over — so the sender must stop.
 */
export async function recordSentPart(db: Db, deliveryId: number, leaseId: string, providerMessageId: string): Promise<boolean> {
  const now = Date.now();
  const [row] = await db
    .update(deliveries)
    .set({
      sentPartsJson: sql`json_insert(coalesce(${deliveries.sentPartsJson}, '[]'), '$[#]', ${providerMessageId})`,
      leaseUntil: now + DELIVERY_LEASE_MS,
      updatedAt: now,
    })
    .where(and(eq(deliveries.id, deliveryId), eq(deliveries.leaseId, leaseId), eq(deliveries.statusKey, "queued")))
    .returning({ id: deliveries.id });
  return row !== undefined;
}

/** Give a claim back (the send failed and will be retried): the retry need not wait out the lease. */
export async function releaseDelivery(db: Db, deliveryId: number, leaseId: string): Promise<void> {
  await db
    .update(deliveries)
    .set({ leaseId: null, leaseUntil: null })
    .where(and(eq(deliveries.id, deliveryId), eq(deliveries.leaseId, leaseId)));
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
  if (update.optOut) await optOutRecipient(db, delivery, update.optOut);
  return { matched: true as const, ...result };
}

/**
 * The recipient of a delivery refused further messages: their identity opts out — only when it
 * is the identity of the delivery's own contact (a report naming another contact's address
 * changes nothing).
 */
async function optOutRecipient(db: Db, delivery: DeliveryRow, optOut: NonNullable<DeliveryUpdate["optOut"]>) {
  if (delivery.channelKey === "internal") return;
  const [row] = await db
    .select({ contactId: conversations.contactId })
    .from(messages)
    .innerJoin(conversations, and(eq(conversations.workspaceId, messages.workspaceId), eq(conversations.id, messages.conversationId)))
    .where(and(eq(messages.workspaceId, delivery.workspaceId), eq(messages.id, delivery.messageId)));
  if (!row?.contactId) return;
  if ((await findIdentityOwner(db, delivery.workspaceId, delivery.channelKey, optOut.externalId)) !== row.contactId) return;
  await setIdentityOptOut(db, {
    workspaceId: delivery.workspaceId,
    channel: delivery.channelKey,
    externalId: optOut.externalId,
    optedOut: true,
    reason: optOut.reason,
    connectionId: delivery.connectionId,
  });
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
    const [[delivery]] = (await enqueue(db, env, caller.workspaceId, [deliveryJobMessage(caller.workspaceId)], [
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
    ])) as [DeliveryRow[], ...unknown[]];
    return delivery!;
  } catch (error) {
    if (!isUniqueViolation(error, "deliveries.message_id, deliveries.attempt")) throw error;
    throw new AppError("conflict", "this delivery was retried already");
  }
}
