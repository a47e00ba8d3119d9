// Deals: a contact's opportunity moving through one pipeline's stages until it is won or lost.
// Every change appends its event (with the contact's id, for the contact's timeline) in the same
// batch, guarded by the deal's version so the event describes exactly the change that landed.
import { and, asc, desc, eq, lt, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { contacts, deals, pipelines, stages } from "../../db/schema";
import type { Caller } from "../../env";
import { AppError, type ErrorDetail, invalidField, notFound } from "../../lib/errors";
import { fromMinorOrNull, toMinor } from "../../lib/money";
import { atVersion, guarded, idAtVersion, isConstraintFailure, nextVersion } from "../../lib/optimistic";
import { decodeCursor, page } from "../../lib/pagination";
import { iso, isoOrNull } from "../../lib/time";
import { append, newestId } from "../events/event-log";

export type DealRow = typeof deals.$inferSelect;
type DealStatus = DealRow["statusKey"];

export const toDealDto = (d: DealRow) => ({
  id: d.id,
  contactId: d.contactId,
  pipelineId: d.pipelineId,
  stageId: d.stageId,
  ownerUserId: d.ownerUserId,
  statusKey: d.statusKey,
  title: d.title,
  amount: fromMinorOrNull(d.amountMinor),
  currency: d.currency,
  lostReason: d.lostReason,
  closedAt: isoOrNull(d.closedAt),
  stageChangedAt: iso(d.stageChangedAt),
  createdAt: iso(d.createdAt),
  updatedAt: iso(d.updatedAt),
});

export type DealDto = ReturnType<typeof toDealDto>;

/** A deal's state as event payloads record it (API names and units). */
const snapshot = (d: Pick<DealRow, "pipelineId" | "stageId" | "statusKey" | "title" | "amountMinor" | "currency">) => ({
  pipelineId: d.pipelineId,
  stageId: d.stageId,
  statusKey: d.statusKey,
  title: d.title,
  amount: fromMinorOrNull(d.amountMinor),
  currency: d.currency,
});

/** A stage removed between our read and the write fails the deals → stages foreign key. */
async function intoLiveStage<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isConstraintFailure(error, "FOREIGN KEY constraint failed")) {
      throw new AppError("conflict", "the stage was removed from its pipeline meanwhile", [
        { path: "body.stageId", message: "stage removed" },
      ]);
    }
    throw error;
  }
}

const stageOfAnotherPipeline = (stageId: number): AppError =>
  new AppError("conflict", `stage ${stageId} belongs to another pipeline than the deal's`, [
    { path: "body.stageId", message: "stage of another pipeline" },
  ]);

async function findDeal(db: Db, caller: Caller, dealId: number): Promise<DealRow> {
  const [deal] = await db
    .select()
    .from(deals)
    .where(and(eq(deals.workspaceId, caller.workspaceId), eq(deals.id, dealId)));
  if (!deal) throw notFound("deal");
  return deal;
}

export async function getDeal(db: Db, caller: Caller, dealId: number): Promise<DealDto> {
  return toDealDto(await findDeal(db, caller, dealId));
}

export interface DealFilters {
  pipelineId?: number;
  stageId?: number;
  statusKey?: DealStatus;
  contactId?: number;
  ownerUserId?: number;
}

/** Newest first; the cursor is the last id, so a board column's `nextCursor` continues here. */
export async function listDeals(db: Db, caller: Caller, opts: DealFilters & { limit: number; cursor?: string }) {
  const conditions: SQL[] = [eq(deals.workspaceId, caller.workspaceId)];
  if (opts.pipelineId !== undefined) conditions.push(eq(deals.pipelineId, opts.pipelineId));
  if (opts.stageId !== undefined) conditions.push(eq(deals.stageId, opts.stageId));
  if (opts.statusKey !== undefined) conditions.push(eq(deals.statusKey, opts.statusKey));
  if (opts.contactId !== undefined) conditions.push(eq(deals.contactId, opts.contactId));
  if (opts.ownerUserId !== undefined) conditions.push(eq(deals.ownerUserId, opts.ownerUserId));
  if (opts.cursor) conditions.push(lt(deals.id, Number(decodeCursor(opts.cursor, 1)[0])));
  const rows = await db
    .select()
    .from(deals)
    .where(and(...conditions))
    .orderBy(desc(deals.id))
    .limit(opts.limit + 1);
  const result = page(rows, opts.limit, (d) => [d.id]);
  return { data: result.data.map(toDealDto), nextCursor: result.nextCursor };
}

export interface CreateDealInput {
  contactId: number;
  pipelineId: number;
  stageId?: number;
  title?: string;
  amount?: number;
  currency?: string;
}

export async function createDeal(db: Db, caller: Caller, input: CreateDealInput): Promise<DealDto> {
  const workspaceId = caller.workspaceId;
  const [[contact], [pipeline], [stage]] = await db.batch([
    db
      .select({ id: contacts.id, mergedIntoId: contacts.mergedIntoId })
      .from(contacts)
      .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, input.contactId))),
    db
      .select({ id: pipelines.id })
      .from(pipelines)
      .where(and(eq(pipelines.workspaceId, workspaceId), eq(pipelines.id, input.pipelineId))),
    db
      .select({ id: stages.id, pipelineId: stages.pipelineId })
      .from(stages)
      .where(
        and(
          eq(stages.workspaceId, workspaceId),
          input.stageId === undefined ? eq(stages.pipelineId, input.pipelineId) : eq(stages.id, input.stageId),
        ),
      )
      .orderBy(asc(stages.sortIndex), asc(stages.id))
      .limit(1),
  ]);

  const problems: ErrorDetail[] = [];
  if (!contact) problems.push({ path: "body.contactId", message: "no such contact in this workspace" });
  else if (contact.mergedIntoId !== null) {
    problems.push({ path: "body.contactId", message: `contact was merged into contact ${contact.mergedIntoId}` });
  }
  if (!pipeline) problems.push({ path: "body.pipelineId", message: "no such pipeline in this workspace" });
  else if (!stage && input.stageId !== undefined) {
    problems.push({ path: "body.stageId", message: "no such stage in this workspace" });
  }
  if (problems.length > 0) {
    throw new AppError("validation_failed", `${problems[0]!.path}: ${problems[0]!.message}`, problems);
  }
  if (!stage) throw new AppError("conflict", "the pipeline has no stages");
  if (stage.pipelineId !== input.pipelineId) throw stageOfAnotherPipeline(stage.id);

  const now = Date.now();
  const values = {
    workspaceId,
    contactId: input.contactId,
    pipelineId: input.pipelineId,
    stageId: stage.id,
    ownerUserId: caller.userId,
    statusKey: "open" as const,
    title: input.title ?? null,
    amountMinor: input.amount === undefined ? null : toMinor(input.amount),
    currency: input.currency ?? "USD",
    stageChangedAt: now,
    createdAt: now,
    updatedAt: now,
  };
  const [[deal]] = await intoLiveStage(() =>
    db.batch([
      db.insert(deals).values(values).returning(),
      append(db, {
        workspaceId,
        typeKey: "deal.created",
        entityTypeKey: "deal",
        entityId: newestId(deals),
        actorUserId: caller.userId,
        payload: { contactId: input.contactId, after: snapshot(values) },
        createdAt: now,
      }),
    ]),
  );
  return toDealDto(deal!);
}

/**
 * Writes `change` to a deal still at the version it was read at, with its event. `payload`
 * gets the contact's id added so the contact's timeline can show it.
 */
async function applyChange(
  db: Db,
  caller: Caller,
  deal: DealRow,
  now: number,
  change: Partial<typeof deals.$inferInsert>,
  event: { typeKey: string; payload: Record<string, unknown> },
): Promise<DealDto> {
  const [[updated]] = await guarded("the deal", () =>
    db.batch([
      db
        .update(deals)
        .set({ ...change, updatedAt: now })
        .where(and(eq(deals.workspaceId, caller.workspaceId), atVersion(deals, deal.id, deal.updatedAt)))
        .returning(),
      append(db, {
        workspaceId: caller.workspaceId,
        typeKey: event.typeKey,
        entityTypeKey: "deal",
        entityId: idAtVersion(deals, deal.id, now),
        actorUserId: caller.userId,
        payload: { contactId: deal.contactId, ...event.payload },
        createdAt: now,
      }),
    ]),
  );
  return toDealDto(updated!);
}

export interface UpdateDealInput {
  title?: string | null;
  amount?: number | null;
  currency?: string;
}

export async function updateDeal(db: Db, caller: Caller, dealId: number, input: UpdateDealInput): Promise<DealDto> {
  const deal = await findDeal(db, caller, dealId);
  const change: Partial<typeof deals.$inferInsert> = {};
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  if (input.title !== undefined && input.title !== deal.title) {
    change.title = input.title;
    before.title = deal.title;
    after.title = input.title;
  }
  if (input.amount !== undefined) {
    const amountMinor = input.amount === null ? null : toMinor(input.amount);
    if (amountMinor !== deal.amountMinor) {
      change.amountMinor = amountMinor;
      before.amount = fromMinorOrNull(deal.amountMinor);
      after.amount = fromMinorOrNull(amountMinor);
    }
  }
  if (input.currency !== undefined && input.currency !== deal.currency) {
    change.currency = input.currency;
    before.currency = deal.currency;
    after.currency = input.currency;
  }
  // Saving what is already there changes nothing and records nothing.
  if (Object.keys(change).length === 0) return toDealDto(deal);
  return applyChange(db, caller, deal, nextVersion(deal.updatedAt), change, {
    typeKey: "deal.updated",
    payload: { before, after },
  });
}

function assertOpen(deal: DealRow, doing: string): void {
  if (deal.statusKey !== "open") {
    throw new AppError("conflict", `deal is ${deal.statusKey}; reopen it before ${doing}`);
  }
}

export async function changeStage(db: Db, caller: Caller, dealId: number, stageId: number): Promise<DealDto> {
  const deal = await findDeal(db, caller, dealId);
  assertOpen(deal, "moving it");
  const [stage] = await db
    .select({ id: stages.id, pipelineId: stages.pipelineId })
    .from(stages)
    .where(and(eq(stages.workspaceId, caller.workspaceId), eq(stages.id, stageId)));
  if (!stage) throw invalidField("body.stageId", "no such stage in this workspace");
  if (stage.pipelineId !== deal.pipelineId) throw stageOfAnotherPipeline(stageId);
  if (stage.id === deal.stageId) return toDealDto(deal);
  const now = nextVersion(deal.updatedAt);
  return intoLiveStage(() =>
    applyChange(db, caller, deal, now, { stageId, stageChangedAt: now }, {
      typeKey: "deal.stage_changed",
      payload: {
        pipelineId: deal.pipelineId,
        fromStageId: deal.stageId,
        toStageId: stageId,
        before: { stageId: deal.stageId },
        after: { stageId },
      },
    }),
  );
}

export async function markWon(db: Db, caller: Caller, dealId: number): Promise<DealDto> {
  const deal = await findDeal(db, caller, dealId);
  if (deal.statusKey === "won") throw new AppError("conflict", "deal is already won");
  assertOpen(deal, "marking it won");
  const now = nextVersion(deal.updatedAt);
  return applyChange(db, caller, deal, now, { statusKey: "won", closedAt: now, lostReason: null }, {
    typeKey: "deal.won",
    payload: {
      stageId: deal.stageId,
      amount: fromMinorOrNull(deal.amountMinor),
      currency: deal.currency,
      before: { statusKey: deal.statusKey },
      after: { statusKey: "won" },
    },
  });
}

export async function markLost(db: Db, caller: Caller, dealId: number, reason: string | undefined): Promise<DealDto> {
  const deal = await findDeal(db, caller, dealId);
  if (deal.statusKey === "lost") throw new AppError("conflict", "deal is already lost");
  assertOpen(deal, "marking it lost");
  const now = nextVersion(deal.updatedAt);
  return applyChange(db, caller, deal, now, { statusKey: "lost", closedAt: now, lostReason: reason ?? null }, {
    typeKey: "deal.lost",
    payload: {
      stageId: deal.stageId,
      reason: reason ?? null,
      before: { statusKey: deal.statusKey },
      after: { statusKey: "lost", lostReason: reason ?? null },
    },
  });
}

export async function reopen(db: Db, caller: Caller, dealId: number): Promise<DealDto> {
  const deal = await findDeal(db, caller, dealId);
  if (deal.statusKey === "open") throw new AppError("conflict", "deal is already open");
  return applyChange(db, caller, deal, nextVersion(deal.updatedAt), { statusKey: "open", closedAt: null, lostReason: null }, {
    typeKey: "deal.reopened",
    payload: {
      stageId: deal.stageId,
      before: { statusKey: deal.statusKey, closedAt: isoOrNull(deal.closedAt), lostReason: deal.lostReason },
      after: { statusKey: "open" },
    },
  });
}
