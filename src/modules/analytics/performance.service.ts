// EventLog.performance(): per rep, what they handled in a time range — conversations, messages,
// response times, deals closed, calls — computed in SQL from messages, calls and deal events.
import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { batchAll } from "../../db/raw-batch";
import { calls, conversations, events, messages, users } from "../../db/schema";
import type { Caller } from "../../env";
import { notFound } from "../../lib/errors";
import { iso } from "../../lib/time";
import type { TimeRange } from "./analytics.schemas";

export interface PerformanceOptions extends TimeRange {
  /** One rep; default every user of the workspace. */
  userId?: number;
  /**
   * Split the range into these [start, end) buckets (local days): rows then carry the bucket's
   * index. Without buckets every row is bucket 0, the whole range.
   */
  buckets?: { start: number; end: number }[];
}

/** The index of the bucket `at` falls in (see PerformanceOptions.buckets). */
const bucketOf = (at: SQL, opts: PerformanceOptions): SQL =>
  opts.buckets === undefined
    ? sql`0`
    : sql`(SELECT b.key FROM json_each(${JSON.stringify(opts.buckets.map((d) => [d.start, d.end]))}) AS b WHERE ${at} >= b.value ->> 0 AND ${at} < b.value ->> 1)`;

/**
 * A rep's message to a contact: internal notes (the `internal` channel) are for colleagues, so
 * they are neither messages sent nor answers, and do not stop a response clock.
 */
const toContact = sql`${messages.channelKey} <> 'internal'`;

/** The reps reported on, as the driving side of the joins: each seeks its own index range. */
const repsWhere = (caller: Caller, opts: PerformanceOptions): SQL =>
  opts.userId === undefined
    ? sql`${users.workspaceId} = ${caller.workspaceId}`
    : sql`${users.workspaceId} = ${caller.workspaceId} AND ${users.id} = ${opts.userId}`;

/** Messages sent and contact conversations handled, per rep (index messages_ws_author_user_idx). */
export function messagesSentQuery(db: Db, caller: Caller, opts: PerformanceOptions) {
  return db.all<{ userId: number; bucket: number; sent: number; conversations: number }>(sql`
    SELECT ${messages.authorUserId} AS userId, ${bucketOf(sql`${messages.createdAt}`, opts)} AS bucket,
           count(*) AS sent, count(DISTINCT ${messages.conversationId}) AS conversations
    FROM ${users}
    CROSS JOIN ${messages}
      ON ${messages.workspaceId} = ${caller.workspaceId} AND ${messages.authorUserId} = ${users.id}
     AND ${messages.createdAt} >= ${opts.from} AND ${messages.createdAt} < ${opts.to} AND ${toContact}
    CROSS JOIN ${conversations}
      ON ${conversations.id} = ${messages.conversationId} AND ${conversations.kindKey} = 'contact'
    WHERE ${repsWhere(caller, opts)}
    GROUP BY 1, 2`);
}

/**
 * `value` at percentile `p` of the rows ranked `rn` (1…n) in each group: linear interpolation
 * between the closest ranks, as PostgreSQL's percentile_cont. Integer arithmetic for the
 * position keeps it exact; `p` is one of our constants, never input.
 */
function percentileSql(p: 50 | 90): SQL {
  const pos = sql.raw(`((n - 1) * ${p} / 100)`);
  const rem = sql.raw(`((n - 1) * ${p} % 100)`);
  return sql`round(sum(CASE WHEN rn = 1 + ${pos} THEN wait * (100 - ${rem}) WHEN rn = 2 + ${pos} THEN wait * ${rem} ELSE 0 END) / 100.0, 3)`;
}

/**
 * First response and reply times, per rep: (userId, metric 'first'|'reply', count, median, p90).
 *
 * Each conversation in which a rep wrote in the range is read in order (index
 * messages_conversation_idx), system messages and internal notes left out. Numbering every message by the user
 * messages before it splits the conversation into blocks that each end with one user message:
 * block k holds the contact messages written after the k-th user message and the (k+1)-th user
 * message itself. A block with contact messages is answered by that user message, and its wait
 * runs from the block's oldest contact message. The first such block of a conversation is its
 * first response.
 */
export function responseTimesQuery(db: Db, caller: Caller, opts: PerformanceOptions) {
  const onlyRep = opts.userId === undefined ? sql`` : sql`AND replier = ${opts.userId}`;
  const inRange = sql`repliedAt >= ${opts.from} AND repliedAt < ${opts.to} ${onlyRep}`;
  return db.all<{ userId: number; metric: "first" | "reply"; bucket: number; count: number; median: number; p90: number }>(sql`
    WITH convs(id) AS (
      SELECT DISTINCT ${messages.conversationId}
      FROM ${users}
      CROSS JOIN ${messages}
        ON ${messages.workspaceId} = ${caller.workspaceId} AND ${messages.authorUserId} = ${users.id}
       AND ${messages.createdAt} >= ${opts.from} AND ${messages.createdAt} < ${opts.to} AND ${toContact}
      WHERE ${repsWhere(caller, opts)}
    ),
    seq AS (
      SELECT ${messages.conversationId} AS conv, ${messages.authorKindKey} AS kind,
             ${messages.authorUserId} AS userId, ${messages.createdAt} AS at,
             coalesce(sum(${messages.authorKindKey} = 'user') OVER (
               PARTITION BY ${messages.conversationId} ORDER BY ${messages.createdAt}, ${messages.id}
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS block
      FROM convs
      CROSS JOIN ${messages}
        ON ${messages.workspaceId} = ${caller.workspaceId} AND ${messages.conversationId} = convs.id
      WHERE ${messages.authorKindKey} <> 'system' AND NOT (${messages.authorKindKey} = 'user' AND ${messages.channelKey} = 'internal')
        -- Unary + keeps the planner on the conversation's index: without statistics it would
        -- rather range over the whole workspace's messages by time, once per conversation.
        AND +${messages.createdAt} < ${opts.to}
    ),
    blocks AS (
      SELECT conv, block,
             min(CASE WHEN kind = 'contact' THEN at END) AS askedAt,
             max(CASE WHEN kind = 'user' THEN at END) AS repliedAt,
             max(CASE WHEN kind = 'user' THEN userId END) AS replier
      FROM seq GROUP BY conv, block
    ),
    answered AS (
      SELECT replier, repliedAt, (repliedAt - askedAt) / 1000.0 AS wait,
             row_number() OVER (PARTITION BY conv ORDER BY block) AS nth
      FROM blocks WHERE askedAt IS NOT NULL
    ),
    samples AS (
      SELECT replier AS userId, 'reply' AS metric, ${bucketOf(sql`repliedAt`, opts)} AS bucket, wait FROM answered WHERE ${inRange}
      UNION ALL
      SELECT replier AS userId, 'first' AS metric, ${bucketOf(sql`repliedAt`, opts)} AS bucket, wait FROM answered WHERE nth = 1 AND ${inRange}
    ),
    ranked AS (
      SELECT userId, metric, bucket, wait,
             row_number() OVER (PARTITION BY userId, metric, bucket ORDER BY wait) AS rn,
             count(*) OVER (PARTITION BY userId, metric, bucket) AS n
      FROM samples
    )
    SELECT userId, metric, bucket, max(n) AS count, ${percentileSql(50)} AS median, ${percentileSql(90)} AS p90
    FROM ranked GROUP BY userId, metric, bucket`);
}

/**
 * Deals won and lost per rep: per deal, the last of its won/lost/reopened events in the range
 * decides, credited to that event's actor (index events_type_time_idx).
 */
export function dealsClosedQuery(db: Db, caller: Caller, opts: PerformanceOptions) {
  const onlyRep = opts.userId === undefined ? sql`` : sql`AND userId = ${opts.userId}`;
  return db.all<{ userId: number; won: number; lost: number }>(sql`
    WITH closes AS (
      SELECT ${events.actorUserId} AS userId, ${events.typeKey} AS typeKey,
             row_number() OVER (PARTITION BY ${events.entityId} ORDER BY ${events.createdAt} DESC, ${events.id} DESC) AS latest
      FROM ${events}
      WHERE ${events.workspaceId} = ${caller.workspaceId}
        AND ${events.typeKey} IN ('deal.won', 'deal.lost', 'deal.reopened')
        AND ${events.createdAt} >= ${opts.from} AND ${events.createdAt} < ${opts.to}
        AND ${events.entityTypeKey} = 'deal'
    )
    SELECT userId, sum(typeKey = 'deal.won') AS won, sum(typeKey = 'deal.lost') AS lost
    FROM closes WHERE latest = 1 AND userId IS NOT NULL ${onlyRep}
    GROUP BY userId`);
}

/** Calls each rep started in the range, by outcome (index calls_ws_user_idx). */
export function callsQuery(db: Db, caller: Caller, opts: PerformanceOptions) {
  return db.all<{ userId: number; started: number; connected: number; missed: number; averageSeconds: number | null }>(sql`
    SELECT ${calls.startedByUserId} AS userId, count(*) AS started, count(${calls.connectedAt}) AS connected,
           sum(${calls.statusKey} = 'missed') AS missed,
           avg(CASE WHEN ${calls.endedAt} IS NOT NULL THEN ${calls.endedAt} - ${calls.connectedAt} END) / 1000.0 AS averageSeconds
    FROM ${users}
    CROSS JOIN ${calls}
      ON ${calls.workspaceId} = ${caller.workspaceId} AND ${calls.startedByUserId} = ${users.id}
     AND ${calls.startedAt} >= ${opts.from} AND ${calls.startedAt} < ${opts.to}
    WHERE ${repsWhere(caller, opts)}
    GROUP BY 1`);
}

const repsQuery = (db: Db, caller: Caller, opts: PerformanceOptions) =>
  db.all<{ id: number; name: string }>(
    sql`SELECT ${users.id} AS id, ${users.name} AS name FROM ${users} WHERE ${repsWhere(caller, opts)} ORDER BY 1`,
  );

/** Every statement performance() runs, in order, for EXPLAIN and the benchmark. */
export const performanceQueries = (db: Db, caller: Caller, opts: PerformanceOptions) =>
  [
    repsQuery(db, caller, opts),
    messagesSentQuery(db, caller, opts),
    responseTimesQuery(db, caller, opts),
    dealsClosedQuery(db, caller, opts),
    callsQuery(db, caller, opts),
  ] as const;

const rate = (won: number, lost: number): number | null => (won + lost === 0 ? null : won / (won + lost));

const roundTo = (value: number | null | undefined, digits: number): number | null =>
  value == null ? null : Number(value.toFixed(digits));

export async function performance(db: Db, caller: Caller, opts: PerformanceOptions) {
  const [reps, sent, times, deals, callRows] = await batchAll(db, performanceQueries(db, caller, opts));
  if (opts.userId !== undefined && reps.length === 0) throw notFound("user");

  const sentBy = new Map(sent.map((row) => [row.userId, row]));
  const dealsBy = new Map(deals.map((row) => [row.userId, row]));
  const callsBy = new Map(callRows.map((row) => [row.userId, row]));
  const timesOf = (userId: number, metric: "first" | "reply") => {
    const row = times.find((t) => t.userId === userId && t.metric === metric);
    return row
      ? { count: row.count, medianSeconds: row.median, p90Seconds: row.p90 }
      : { count: 0, medianSeconds: null, p90Seconds: null };
  };

  return {
    from: iso(opts.from),
    to: iso(opts.to),
    data: reps.map((rep) => {
      const won = dealsBy.get(rep.id)?.won ?? 0;
      const lost = dealsBy.get(rep.id)?.lost ?? 0;
      const repCalls = callsBy.get(rep.id);
      return {
        userId: rep.id,
        name: rep.name,
        conversationsHandled: sentBy.get(rep.id)?.conversations ?? 0,
        messagesSent: sentBy.get(rep.id)?.sent ?? 0,
        firstResponseTime: timesOf(rep.id, "first"),
        replyTime: timesOf(rep.id, "reply"),
        dealsWon: won,
        dealsLost: lost,
        winRate: roundTo(rate(won, lost), 4),
        callsStarted: repCalls?.started ?? 0,
        callsConnected: repCalls?.connected ?? 0,
        callsMissed: repCalls?.missed ?? 0,
        averageCallDurationSeconds: roundTo(repCalls?.averageSeconds, 3),
      };
    }),
  };
}

/**
 * One rep's numbers per local day — messages sent, answers and first responses with their median
 * wait — from the same queries as performance(), so a day's bars add up to what the API reports.
 */
export async function dailyNumbers(db: Db, caller: Caller, opts: { userId: number; days: { start: number; end: number }[] }) {
  const range = { from: opts.days[0]!.start, to: opts.days[opts.days.length - 1]!.end, userId: opts.userId, buckets: opts.days };
  const [sent, times] = await batchAll(db, [messagesSentQuery(db, caller, range), responseTimesQuery(db, caller, range)] as const);
  return opts.days.map((_, day) => {
    const time = (metric: "first" | "reply") => times.find((t) => t.bucket === day && t.metric === metric);
    return {
      messagesSent: sent.find((s) => s.bucket === day)?.sent ?? 0,
      answered: time("reply")?.count ?? 0,
      firstResponses: time("first")?.count ?? 0,
      firstResponseMedianSeconds: time("first")?.median ?? null,
    };
  });
}
