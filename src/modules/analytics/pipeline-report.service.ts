// Pipeline conversion per stage over a time range, replayed in SQL from each deal's own events
// (deal.created, deal.stage_changed, deal.won, deal.lost, deal.reopened).
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { batchAll } from "../../db/raw-batch";
import { deals, events, pipelines, stages } from "../../db/schema";
import type { Caller } from "../../env";
import { notFound } from "../../lib/errors";
import { iso } from "../../lib/time";
import { DAY_MS } from "../../lib/time-zone";
import type { TimeRange } from "./analytics.schemas";

const dealMoves = sql`('deal.created', 'deal.stage_changed', 'deal.won', 'deal.lost', 'deal.reopened')`;

/**
 * One row per stage of the pipeline, in board order. `end` is when a stay still running is
 * measured to: `to`, or now if that is earlier.
 *
 * The deals are those of the pipeline with a move in the range (index events_type_time_idx);
 * each one's moves before `to` are read from its timeline (index events_entity_idx) and put in
 * order, so that every move knows the next one (LEAD: when a stay ended), the stage it happened
 * in (a reopening happens in the stage of the close before it: LAG), and what came later (a
 * win, the highest stage reached).
 */
export function pipelineReportQuery(db: Db, caller: Caller, pipelineId: number, range: TimeRange, end: number) {
  const ws = caller.workspaceId;
  return db.all<{
    stageId: number;
    name: string;
    sortIndex: number;
    entered: number | null;
    converted: number | null;
    won: number | null;
    lost: number | null;
    averageMs: number | null;
  }>(sql`
    WITH st AS (
      SELECT ${stages.id} AS id, ${stages.name} AS name, ${stages.sortIndex} AS sortIndex
      FROM ${stages} WHERE ${stages.workspaceId} = ${ws} AND ${stages.pipelineId} = ${pipelineId}
    ),
    active(dealId) AS (
      SELECT DISTINCT ${events.entityId} FROM ${events}
      WHERE ${events.workspaceId} = ${ws} AND ${events.typeKey} IN ${dealMoves}
        AND ${events.createdAt} >= ${range.from} AND ${events.createdAt} < ${range.to}
        AND ${events.entityTypeKey} = 'deal'
    ),
    moves AS (
      SELECT ${events.entityId} AS dealId, ${events.id} AS id, ${events.typeKey} AS type, ${events.createdAt} AS at,
             CASE ${events.typeKey}
               WHEN 'deal.created' THEN json_extract(${events.payloadJson}, '$.after.stageId')
               WHEN 'deal.stage_changed' THEN json_extract(${events.payloadJson}, '$.toStageId')
               WHEN 'deal.reopened' THEN NULL
               ELSE json_extract(${events.payloadJson}, '$.stageId')
             END AS stageId
      FROM active
      CROSS JOIN ${deals}
        ON ${deals.id} = active.dealId AND ${deals.workspaceId} = ${ws} AND ${deals.pipelineId} = ${pipelineId}
      CROSS JOIN ${events}
        ON ${events.workspaceId} = ${ws} AND ${events.entityTypeKey} = 'deal' AND ${events.entityId} = active.dealId
      -- Unary + keeps the planner on the deal's timeline (events_entity_idx): without statistics
      -- it would rather range over every move of the workspace by type, once per deal.
      WHERE +${events.typeKey} IN ${dealMoves} AND +${events.createdAt} < ${range.to}
    ),
    seq AS (
      SELECT moves.dealId, moves.id, moves.type, moves.at,
             coalesce(moves.stageId, lag(moves.stageId) OVER deal) AS stageId,
             lead(moves.at) OVER deal AS nextAt,
             max(moves.type = 'deal.won') OVER later AS wonLater,
             max(CASE WHEN moves.type = 'deal.stage_changed' THEN st.sortIndex END) OVER later AS laterSort
      FROM moves LEFT JOIN st ON st.id = moves.stageId
      WINDOW deal AS (PARTITION BY moves.dealId ORDER BY moves.at, moves.id),
             later AS (deal ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)
    ),
    entries AS (
      SELECT seq.stageId, seq.dealId, (seq.wonLater = 1 OR seq.laterSort > st.sortIndex) AS converted
      FROM seq JOIN st ON st.id = seq.stageId
      WHERE seq.type IN ('deal.created', 'deal.stage_changed') AND seq.at >= ${range.from}
    ),
    stays AS (
      SELECT seq.stageId, coalesce(seq.nextAt, ${end}) - seq.at AS ms
      FROM seq
      WHERE seq.type IN ('deal.created', 'deal.stage_changed', 'deal.reopened') AND seq.at >= ${range.from}
    ),
    closes AS (
      SELECT seq.stageId, seq.type, row_number() OVER (PARTITION BY seq.dealId ORDER BY seq.at DESC, seq.id DESC) AS latest
      FROM seq WHERE seq.type IN ('deal.won', 'deal.lost', 'deal.reopened') AND seq.at >= ${range.from}
    )
    SELECT st.id AS stageId, st.name, st.sortIndex, e.entered, e.converted, c.won, c.lost, s.averageMs
    FROM st
    LEFT JOIN (
      SELECT stageId, count(DISTINCT dealId) AS entered, count(DISTINCT CASE WHEN converted THEN dealId END) AS converted
      FROM entries GROUP BY stageId
    ) e ON e.stageId = st.id
    LEFT JOIN (
      SELECT stageId, sum(type = 'deal.won') AS won, sum(type = 'deal.lost') AS lost
      FROM closes WHERE latest = 1 GROUP BY stageId
    ) c ON c.stageId = st.id
    LEFT JOIN (SELECT stageId, avg(ms) AS averageMs FROM stays GROUP BY stageId) s ON s.stageId = st.id
    ORDER BY st.sortIndex, st.id`);
}

const ratio = (part: number, whole: number): number | null =>
  whole === 0 ? null : Number((part / whole).toFixed(4));

export async function pipelineReport(db: Db, caller: Caller, pipelineId: number, range: TimeRange) {
  const end = Math.min(range.to, Date.now());
  const [[pipeline], rows] = await batchAll(db, [
    db.all<{ id: number }>(
      sql`SELECT ${pipelines.id} AS id FROM ${pipelines} WHERE ${pipelines.workspaceId} = ${caller.workspaceId} AND ${pipelines.id} = ${pipelineId}`,
    ),
    pipelineReportQuery(db, caller, pipelineId, range, end),
  ]);
  if (!pipeline) throw notFound("pipeline");

  const stageRows = rows.map((row) => {
    const entered = row.entered ?? 0;
    const converted = row.converted ?? 0;
    const won = row.won ?? 0;
    const lost = row.lost ?? 0;
    return {
      stageId: row.stageId,
      name: row.name,
      sortIndex: row.sortIndex,
      entered,
      converted,
      conversionRate: ratio(converted, entered),
      won,
      lost,
      winRate: ratio(won, won + lost),
      averageDaysInStage: row.averageMs === null ? null : Number((row.averageMs / DAY_MS).toFixed(3)),
    };
  });
  const won = stageRows.reduce((sum, s) => sum + s.won, 0);
  const lost = stageRows.reduce((sum, s) => sum + s.lost, 0);
  return {
    pipelineId,
    from: iso(range.from),
    to: iso(range.to),
    stages: stageRows,
    won,
    lost,
    winRate: ratio(won, won + lost),
  };
}
