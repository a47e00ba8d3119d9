// EventLog.counters(): how many events of each type a workspace logged in a time range, per
// local day, per actor or per type, counted in SQL over covering index ranges.
import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { batchAll } from "../../db/raw-batch";
import { events, users } from "../../db/schema";
import type { Caller } from "../../env";
import { iso } from "../../lib/time";
import { type LocalDay, localDays } from "../../lib/time-zone";
import type { TimeRange } from "./analytics.schemas";

export type CountersGrouping = "day" | "user" | "type";

/** `bucket` is the day's index, the actor's user id (null: no actor), or 0 for the whole range. */
type CountRow = { typeKey: string; bucket: number | null; n: number };

export interface CountersOptions extends TimeRange {
  groupBy: CountersGrouping;
  /** Exact type keys and `prefix.*` patterns; empty (or `*`) is every type. */
  typeKeys: string[];
}

/** The smallest string above every string that starts with `prefix` ("" → above every string). */
const prefixEnd = (prefix: string): string =>
  prefix === "" ? "\u{10FFFF}" : prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);

/**
 * `types(k)`: the distinct type keys the count covers. Exact keys are taken as given; each
 * prefix (every type is the prefix "") is walked as a loose index scan — one index seek per
 * distinct key, the skip scan SQLite does not do on its own — so that the count can then seek
 * (workspace, type, time range) per key instead of reading all events of the workspace, or
 * all events of the range and then each one's type from the table.
 */
function typeKeysCte(workspaceId: number, typeKeys: string[]): SQL {
  const all = typeKeys.length === 0 || typeKeys.includes("*");
  const exact = all ? [] : typeKeys.filter((key) => !key.endsWith(".*"));
  const prefixes = all ? [""] : typeKeys.filter((key) => key.endsWith(".*")).map((key) => key.slice(0, -1));
  const seeds: SQL[] = [
    ...exact.map((key) => sql`SELECT ${key}, NULL`),
    ...prefixes.map(
      (prefix) =>
        sql`SELECT (SELECT min(${events.typeKey}) FROM ${events} WHERE ${events.workspaceId} = ${workspaceId} AND ${events.typeKey} >= ${prefix} AND ${events.typeKey} < ${prefixEnd(prefix)}), ${prefixEnd(prefix)}`,
    ),
  ];
  return sql`WITH RECURSIVE kinds(k, hi) AS (
    ${sql.join(seeds, sql` UNION ALL `)}
    UNION ALL
    SELECT (SELECT min(${events.typeKey}) FROM ${events}
            WHERE ${events.workspaceId} = ${workspaceId} AND ${events.typeKey} > kinds.k AND ${events.typeKey} < kinds.hi),
           kinds.hi
    FROM kinds WHERE kinds.k IS NOT NULL AND kinds.hi IS NOT NULL
  ),
  types(k) AS (SELECT DISTINCT k FROM kinds WHERE k IS NOT NULL)`;
}

/**
 * The one statement counters() runs: a (type, bucket, count) row per cell with events. Each
 * cell is one count over a covering index range — (workspace, type, time) for a day or the
 * whole range, (workspace, actor, type, time) for a user — so nothing is sorted, and no event
 * row is read. Exported for EXPLAIN and the benchmark.
 */
export function countersQuery(db: Db, caller: Caller, opts: CountersOptions, days: LocalDay[]) {
  const ws = caller.workspaceId;
  const types = typeKeysCte(ws, opts.typeKeys);
  if (opts.groupBy === "user") {
    return db.all<CountRow>(sql`
      ${types},
      actorScan(a) AS (
        SELECT (SELECT min(${events.actorUserId}) FROM ${events} WHERE ${events.workspaceId} = ${ws})
        UNION ALL
        SELECT (SELECT min(${events.actorUserId}) FROM ${events}
                WHERE ${events.workspaceId} = ${ws} AND ${events.actorUserId} > actorScan.a)
        FROM actorScan WHERE actorScan.a IS NOT NULL
      ),
      actors(a) AS (SELECT a FROM actorScan WHERE a IS NOT NULL UNION ALL SELECT NULL),
      cells AS MATERIALIZED (
        SELECT types.k AS typeKey, actors.a AS bucket,
               (SELECT count(*) FROM ${events}
                WHERE ${events.workspaceId} = ${ws} AND ${events.actorUserId} IS actors.a AND ${events.typeKey} = types.k
                  AND ${events.createdAt} >= ${opts.from} AND ${events.createdAt} < ${opts.to}) AS n
        FROM actors CROSS JOIN types
      )
      SELECT typeKey, bucket, n FROM cells WHERE n > 0`);
  }
  // [start, end) per bucket: each local day, or the whole range.
  const ranges = opts.groupBy === "day" ? days.map((d) => [d.start, d.end]) : [[opts.from, opts.to]];
  return db.all<CountRow>(sql`
    ${types},
    cells AS MATERIALIZED (
      SELECT types.k AS typeKey, buckets.key AS bucket,
             (SELECT count(*) FROM ${events}
              WHERE ${events.workspaceId} = ${ws} AND ${events.typeKey} = types.k
                AND ${events.createdAt} >= buckets.value ->> 0 AND ${events.createdAt} < buckets.value ->> 1) AS n
      FROM types CROSS JOIN json_each(${JSON.stringify(ranges)}) AS buckets
    )
    SELECT typeKey, bucket, n FROM cells WHERE n > 0`);
}

const usersOf = (db: Db, caller: Caller) =>
  db.all<{ id: number }>(sql`SELECT ${users.id} AS id FROM ${users} WHERE ${users.workspaceId} = ${caller.workspaceId} ORDER BY 1`);

function tally(rows: CountRow[]) {
  const byBucket = new Map<number | null, { count: number; byType: Record<string, number> }>();
  for (const row of rows) {
    const entry = byBucket.get(row.bucket) ?? { count: 0, byType: {} };
    entry.count += row.n;
    entry.byType[row.typeKey] = (entry.byType[row.typeKey] ?? 0) + row.n;
    byBucket.set(row.bucket, entry);
  }
  return byBucket;
}

/** Every statement counters() runs, in order, for EXPLAIN and the benchmark. */
export const countersStatements = (
  db: Db,
  caller: Caller,
  opts: CountersOptions,
  days = localDays(caller.timeZone, opts.from, opts.to),
) => [countersQuery(db, caller, opts, days), usersOf(db, caller)] as const;

export async function counters(db: Db, caller: Caller, opts: CountersOptions) {
  const days = localDays(caller.timeZone, opts.from, opts.to);
  const [rows, workspaceUsers] = await batchAll(db, countersStatements(db, caller, opts, days));
  const base = {
    from: iso(opts.from),
    to: iso(opts.to),
    timeZone: caller.timeZone,
    total: rows.reduce((sum, row) => sum + row.n, 0),
  };
  const empty = { count: 0, byType: {} };

  if (opts.groupBy === "day") {
    const byDay = tally(rows);
    const data = days.map((d, i) => ({ day: d.day, ...(byDay.get(i) ?? empty) }));
    return { groupBy: "day" as const, ...base, data };
  }

  if (opts.groupBy === "user") {
    const byUser = tally(rows);
    const data: { userId: number | null; count: number; byType: Record<string, number> }[] = workspaceUsers.map((u) => ({
      userId: u.id,
      ...(byUser.get(u.id) ?? empty),
    }));
    const known = new Set(workspaceUsers.map((u) => u.id));
    // Actors no longer among the users (the log outlives them), then events without an actor.
    const others = [...byUser.keys()].filter((id): id is number => id !== null && !known.has(id)).sort((a, b) => a - b);
    for (const id of others) data.push({ userId: id, ...byUser.get(id)! });
    const system = byUser.get(null);
    if (system) data.push({ userId: null, ...system });
    return { groupBy: "user" as const, ...base, data };
  }

  const byType = new Map(rows.map((row) => [row.typeKey, row.n]));
  for (const key of opts.typeKeys) if (!key.endsWith("*") && !byType.has(key)) byType.set(key, 0);
  const data = [...byType.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([typeKey, count]) => ({ typeKey, count }));
  return { groupBy: "type" as const, ...base, data };
}
