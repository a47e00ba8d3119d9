// Pipelines and their ordered stages (owners shape them), and the board: a pipeline's open deals
// per stage with counts and amounts, aggregated in SQL.
import { and, asc, count, desc, eq, getTableColumns, gt, inArray, isNotNull, lte, sql, sum } from "drizzle-orm";
import type { BatchItem, Db } from "../../db/client";
import { deals, pipelines, stages } from "../../db/schema";
import type { Caller } from "../../env";
import { AppError, invalidField, notFound } from "../../lib/errors";
import { fromMinor } from "../../lib/money";
import { atVersion, guarded, idAtVersion, isConstraintFailure, nextVersion } from "../../lib/optimistic";
import { decodeCursor, encodeCursor, page } from "../../lib/pagination";
import { iso } from "../../lib/time";
import { toDealDto } from "../deals/deals.service";
import { append, newestId } from "../events/event-log";

type PipelineRow = typeof pipelines.$inferSelect;
type StageRow = typeof stages.$inferSelect;

const toStageDto = (s: StageRow) => ({ id: s.id, name: s.name, sortIndex: s.sortIndex });

const toPipelineDto = (p: PipelineRow, pipelineStages: StageRow[]) => ({
  id: p.id,
  name: p.name,
  stages: pipelineStages.map(toStageDto),
  createdAt: iso(p.createdAt),
  updatedAt: iso(p.updatedAt),
});

const stagesOf = (db: Db, caller: Caller, pipelineIds: number[]) =>
  db
    .select()
    .from(stages)
    .where(and(eq(stages.workspaceId, caller.workspaceId), inArray(stages.pipelineId, pipelineIds)))
    .orderBy(asc(stages.pipelineId), asc(stages.sortIndex), asc(stages.id));

const pipelineById = (db: Db, caller: Caller, pipelineId: number) =>
  db
    .select()
    .from(pipelines)
    .where(and(eq(pipelines.workspaceId, caller.workspaceId), eq(pipelines.id, pipelineId)));

async function findPipeline(db: Db, caller: Caller, pipelineId: number) {
  const [[pipeline], pipelineStages] = await db.batch([pipelineById(db, caller, pipelineId), stagesOf(db, caller, [pipelineId])]);
  if (!pipeline) throw notFound("pipeline");
  return { pipeline, stages: pipelineStages };
}

export async function getPipeline(db: Db, caller: Caller, pipelineId: number) {
  const found = await findPipeline(db, caller, pipelineId);
  return toPipelineDto(found.pipeline, found.stages);
}

export async function listPipelines(db: Db, caller: Caller, opts: { limit: number; cursor?: string }) {
  const after = opts.cursor ? Number(decodeCursor(opts.cursor, 1)[0]) : 0;
  const rows = await db
    .select()
    .from(pipelines)
    .where(and(eq(pipelines.workspaceId, caller.workspaceId), gt(pipelines.id, after)))
    .orderBy(asc(pipelines.id))
    .limit(opts.limit + 1);
  const result = page(rows, opts.limit, (p) => [p.id]);
  const allStages = result.data.length > 0 ? await stagesOf(db, caller, result.data.map((p) => p.id)) : [];
  return {
    data: result.data.map((p) => toPipelineDto(p, allStages.filter((s) => s.pipelineId === p.id))),
    nextCursor: result.nextCursor,
  };
}

export async function createPipeline(db: Db, caller: Caller, input: { name: string; stages: string[] }) {
  const now = Date.now();
  const workspaceId = caller.workspaceId;
  const [[pipeline], created] = await db.batch([
    db.insert(pipelines).values({ workspaceId, name: input.name, createdAt: now, updatedAt: now }).returning(),
    db
      .insert(stages)
      .values(
        input.stages.map((name, sortIndex) => ({
          workspaceId,
          pipelineId: newestId(pipelines),
          name,
          sortIndex,
          createdAt: now,
          updatedAt: now,
        })),
      )
      .returning(),
    append(db, {
      workspaceId,
      typeKey: "pipeline.created",
      entityTypeKey: "pipeline",
      entityId: newestId(pipelines),
      actorUserId: caller.userId,
      payload: { after: { name: input.name, stages: input.stages } },
      createdAt: now,
    }),
  ]);
  return toPipelineDto(pipeline!, created);
}

/**
 * Makes the pipeline's stages exactly `desired`, in that order: entries with an id rename or
 * move that stage, entries without one are added, and stages left out are removed — refused
 * (409) while any deal, open or closed, still sits in one of them.
 */
export async function replaceStages(
  db: Db,
  caller: Caller,
  pipelineId: number,
  desired: { id?: number; name: string }[],
) {
  const { pipeline, stages: current } = await findPipeline(db, caller, pipelineId);
  const currentById = new Map(current.map((s) => [s.id, s]));
  desired.forEach((entry, index) => {
    if (entry.id !== undefined && !currentById.has(entry.id)) {
      throw invalidField(`body.stages.${index}.id`, "not a stage of this pipeline");
    }
  });
  const kept = new Set(desired.map((s) => s.id));
  const removed = current.filter((s) => !kept.has(s.id));
  const removedIds = removed.map((s) => s.id);

  if (removed.length > 0) {
    const occupied = await db
      .select({ stageId: deals.stageId, deals: count() })
      .from(deals)
      .where(
        and(eq(deals.workspaceId, caller.workspaceId), eq(deals.pipelineId, pipelineId), inArray(deals.stageId, removedIds)),
      )
      .groupBy(deals.stageId);
    if (occupied.length > 0) {
      const details = occupied.map(({ stageId, deals: held }) => {
        const name = currentById.get(stageId)!.name;
        return { stageId, name, deals: held, message: `stage "${name}" still holds ${held} deal${held === 1 ? "" : "s"}` };
      });
      throw new AppError(
        "conflict",
        `cannot remove a stage that holds deals: ${details.map((d) => d.message).join("; ")}; move or close them first`,
        details,
      );
    }
  }

  const renamedOrMoved = desired.flatMap((entry, sortIndex) => {
    const existing = entry.id === undefined ? undefined : currentById.get(entry.id);
    return existing && (existing.name !== entry.name || existing.sortIndex !== sortIndex)
      ? [{ id: existing.id, name: entry.name, sortIndex }]
      : [];
  });
  const added = desired.flatMap((entry, sortIndex) => (entry.id === undefined ? [{ name: entry.name, sortIndex }] : []));
  if (removed.length === 0 && renamedOrMoved.length === 0 && added.length === 0) {
    return toPipelineDto(pipeline, current);
  }

  const now = nextVersion(pipeline.updatedAt);
  const workspaceId = caller.workspaceId;
  const statements: [BatchItem, ...BatchItem[]] = [
    db
      .update(pipelines)
      .set({ updatedAt: now })
      .where(and(eq(pipelines.workspaceId, workspaceId), atVersion(pipelines, pipelineId, pipeline.updatedAt))),
  ];
  if (removed.length > 0) {
    statements.push(
      db
        .delete(stages)
        .where(and(eq(stages.workspaceId, workspaceId), eq(stages.pipelineId, pipelineId), inArray(stages.id, removedIds))),
    );
  }
  for (const stage of renamedOrMoved) {
    statements.push(
      db
        .update(stages)
        .set({ name: stage.name, sortIndex: stage.sortIndex, updatedAt: now })
        .where(and(eq(stages.workspaceId, workspaceId), eq(stages.id, stage.id))),
    );
  }
  if (added.length > 0) {
    statements.push(
      db.insert(stages).values(added.map((s) => ({ workspaceId, pipelineId, ...s, createdAt: now, updatedAt: now }))),
    );
  }
  statements.push(
    append(db, {
      workspaceId,
      typeKey: "pipeline.stages_changed",
      entityTypeKey: "pipeline",
      entityId: idAtVersion(pipelines, pipelineId, now),
      actorUserId: caller.userId,
      payload: {
        before: current.map(toStageDto),
        // Added stages have no id until the batch runs; the response carries them.
        after: desired.map((entry, sortIndex) => ({ id: entry.id ?? null, name: entry.name, sortIndex })),
        removed: removed.map(toStageDto),
      },
      createdAt: now,
    }),
  );

  try {
    await guarded("the pipeline", () => db.batch(statements));
  } catch (error) {
    if (isConstraintFailure(error, "FOREIGN KEY constraint failed")) {
      throw new AppError("conflict", "a deal was put into a stage being removed meanwhile; retry");
    }
    throw error;
  }
  return getPipeline(db, caller, pipelineId);
}

export const BOARD_DEALS_PER_STAGE = 50;

/** The board of one pipeline; all counts and sums come from GROUP BY queries in one read batch. */
export async function getBoard(db: Db, caller: Caller, pipelineId: number, dealsPerStage = BOARD_DEALS_PER_STAGE) {
  const ofPipeline = and(eq(deals.workspaceId, caller.workspaceId), eq(deals.pipelineId, pipelineId));
  // Open deals count per stage; won and lost ones per pipeline (their stage is history).
  const bucket = sql<number | null>`CASE WHEN ${deals.statusKey} = 'open' THEN ${deals.stageId} END`;
  const ranked = db
    .select({
      id: deals.id,
      rank: sql<number>`row_number() OVER (PARTITION BY ${deals.stageId} ORDER BY ${deals.id} DESC)`.as("rank"),
    })
    .from(deals)
    .where(and(ofPipeline, eq(deals.statusKey, "open")))
    .as("ranked");

  // One batch: one snapshot, so the columns, counts and sums agree with each other.
  const [[pipeline], pipelineStages, counts, amounts, newest] = await db.batch([
    pipelineById(db, caller, pipelineId),
    stagesOf(db, caller, [pipelineId]),
    db
      .select({ status: deals.statusKey, stageId: bucket, deals: count() })
      .from(deals)
      .where(ofPipeline)
      .groupBy(deals.statusKey, bucket),
    db
      .select({
        status: deals.statusKey,
        stageId: bucket,
        currency: deals.currency,
        minor: sum(deals.amountMinor).mapWith(Number),
      })
      .from(deals)
      .where(and(ofPipeline, isNotNull(deals.amountMinor)))
      .groupBy(deals.statusKey, bucket, deals.currency)
      .orderBy(asc(deals.currency)),
    db
      .select(getTableColumns(deals))
      .from(deals)
      .innerJoin(ranked, eq(ranked.id, deals.id))
      .where(lte(ranked.rank, dealsPerStage))
      .orderBy(desc(deals.id)),
  ]);
  if (!pipeline) throw notFound("pipeline");

  const totals = (status: string, stageId: number | null) => ({
    count: counts.find((c) => c.status === status && c.stageId === stageId)?.deals ?? 0,
    amounts: amounts
      .filter((a) => a.status === status && a.stageId === stageId)
      .map((a) => ({ currency: a.currency, amount: fromMinor(a.minor) })),
  });

  return {
    pipeline: { id: pipeline.id, name: pipeline.name },
    stages: pipelineStages.map((stage) => {
      const open = totals("open", stage.id);
      const stageDeals = newest.filter((d) => d.stageId === stage.id);
      const last = stageDeals[stageDeals.length - 1];
      return {
        ...toStageDto(stage),
        open,
        deals: stageDeals.map(toDealDto),
        nextCursor: open.count > stageDeals.length && last ? encodeCursor([last.id]) : null,
      };
    }),
    won: totals("won", null),
    lost: totals("lost", null),
  };
}
