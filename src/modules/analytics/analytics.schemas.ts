import { z } from "@hono/zod-openapi";
import { DAY_MS } from "../../lib/time-zone";

export const DEFAULT_RANGE_DAYS = 30;
export const MAX_RANGE_DAYS = 366;
export const MAX_TYPE_KEYS = 10;

const isoTime = (description: string) =>
  z.iso.datetime({ offset: true }).optional().openapi({ description, example: "2026-01-31T00:00:00Z" });

const rangeFields = {
  from: isoTime(`Start of the range, inclusive. Default: ${DEFAULT_RANGE_DAYS} days before \`to\``),
  to: isoTime("End of the range, exclusive. Default: now"),
};

export interface TimeRange {
  /** Inclusive, ms. */
  from: number;
  /** Exclusive, ms. */
  to: number;
}

/** The range a query asks for, with the defaults filled in (the last 30 days). */
export function rangeOf(query: { from?: string; to?: string }, now = Date.now()): TimeRange {
  const to = query.to === undefined ? now : Date.parse(query.to);
  const from = query.from === undefined ? to - DEFAULT_RANGE_DAYS * DAY_MS : Date.parse(query.from);
  return { from, to };
}

function checkRange(query: { from?: string; to?: string }, ctx: z.RefinementCtx) {
  // Malformed times are reported by their own fields' checks.
  if ([query.from, query.to].some((t) => t !== undefined && Number.isNaN(Date.parse(t)))) return;
  const { from, to } = rangeOf(query);
  if (from >= to) {
    ctx.addIssue({
      code: "custom",
      path: query.to === undefined ? ["from"] : ["to"],
      message: query.to === undefined ? "must be before now (the default `to`)" : "must be after from",
    });
  } else if (to - from > MAX_RANGE_DAYS * DAY_MS) {
    ctx.addIssue({ code: "custom", path: ["from"], message: `the range may span at most ${MAX_RANGE_DAYS} days` });
  }
}

const typeKeyPattern = /^(\*|[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?)$/;

/** `typeKey` as sent: once (maybe comma-separated) or repeated. */
type TypeKeyParam = string | string[] | undefined;

export const typeKeysOf = (param: TypeKeyParam): string[] =>
  [param ?? []]
    .flat()
    .flatMap((value) => value.split(","))
    .map((key) => key.trim())
    .filter((key) => key.length > 0);

export const CountersQuery = z
  .object({
    ...rangeFields,
    groupBy: z
      .enum(["day", "user", "type"])
      .default("day")
      .openapi({ description: "`day` (in the workspace's time zone), `user` (the actor) or `type`" }),
    typeKey: z
      .union([z.string().max(500), z.array(z.string().max(500)).max(MAX_TYPE_KEYS)])
      .optional()
      .openapi({
        description: `Only these event types: repeat the parameter or separate with commas (at most ${MAX_TYPE_KEYS}). A key ending in \`.*\` is a prefix: \`deal.*\` is every deal event.`,
        example: "deal.won,deal.lost",
      }),
  })
  .superRefine((query, ctx) => {
    checkRange(query, ctx);
    const keys = typeKeysOf(query.typeKey);
    if (keys.length > MAX_TYPE_KEYS) {
      ctx.addIssue({ code: "custom", path: ["typeKey"], message: `at most ${MAX_TYPE_KEYS} type keys` });
    }
    for (const key of keys) {
      if (key.length > 100 || !typeKeyPattern.test(key)) {
        ctx.addIssue({
          code: "custom",
          path: ["typeKey"],
          message: `"${key.slice(0, 100)}" is not an event type such as deal.won or a prefix such as deal.*`,
        });
      }
    }
  });

const rangeEcho = {
  from: z.string().openapi({ description: "The range used, inclusive", example: "2026-01-01T00:00:00.000Z" }),
  to: z.string().openapi({ description: "The range used, exclusive", example: "2026-01-31T00:00:00.000Z" }),
};

const countersBase = {
  ...rangeEcho,
  timeZone: z.string().openapi({ description: "The workspace's time zone, in which days are counted", example: "Europe/Berlin" }),
  total: z.number().int().openapi({ description: "Events counted in the range" }),
};

const byType = z
  .record(z.string(), z.number().int())
  .openapi({ description: "Count per event type (types with no events are left out)", example: { "deal.won": 3 } });

export const CountersSchema = z
  .discriminatedUnion("groupBy", [
    z.object({
      groupBy: z.literal("day"),
      ...countersBase,
      data: z
        .array(z.object({ day: z.string().openapi({ example: "2026-01-30" }), count: z.number().int(), byType }))
        .openapi({ description: "Every local day the range touches, oldest first; days without events count 0" }),
    }),
    z.object({
      groupBy: z.literal("user"),
      ...countersBase,
      data: z
        .array(
          z.object({
            userId: z.number().int().nullable().openapi({ description: "The actor; null for system and provider events" }),
            count: z.number().int(),
            byType,
          }),
        )
        .openapi({
          description:
            "Every user of the workspace (0 when idle), by id, then `userId: null` for events without an actor if there are any",
        }),
    }),
    z.object({
      groupBy: z.literal("type"),
      ...countersBase,
      data: z
        .array(z.object({ typeKey: z.string(), count: z.number().int() }))
        .openapi({ description: "By type key; exact keys asked for are listed even at 0" }),
    }),
  ])
  .openapi("Counters");

export const RangeQuery = z.object(rangeFields).superRefine(checkRange);

export const PerformanceQuery = z
  .object({
    ...rangeFields,
    userId: z.coerce.number().int().positive().optional().openapi({ description: "Only this rep; default: every user" }),
  })
  .superRefine(checkRange);

const durationStats = (what: string) =>
  z
    .object({
      count: z.number().int().openapi({ description: `${what} measured in the range` }),
      medianSeconds: z.number().nullable().openapi({ description: "Median (null without samples)" }),
      p90Seconds: z.number().nullable().openapi({ description: "90th percentile (null without samples)" }),
    })
    .openapi({
      description: `${what}. Percentiles interpolate linearly between the closest ranks (PostgreSQL percentile_cont).`,
    });

export const RepPerformanceSchema = z
  .object({
    userId: z.number().int(),
    name: z.string(),
    conversationsHandled: z
      .number()
      .int()
      .openapi({ description: "Contact conversations in which the rep sent at least one message in the range" }),
    messagesSent: z.number().int().openapi({ description: "Messages the rep sent into contact conversations in the range" }),
    firstResponseTime: durationStats(
      "First response time: from the first contact message of a conversation no user had answered yet to the first user reply; counted once per conversation, for the rep who replied, when the reply is in the range",
    ),
    replyTime: durationStats(
      "Reply time: for each user reply in the range, the time since the oldest contact message not yet answered by any user. System and bot messages neither start nor stop the clock; a user message with no unanswered contact message before it is not a reply",
    ),
    dealsWon: z.number().int().openapi({
      description: "Deals whose last close in the range (won, lost or reopened) was a win by this rep",
    }),
    dealsLost: z.number().int().openapi({ description: "Likewise, losses" }),
    winRate: z.number().nullable().openapi({ description: "won / (won + lost); null when neither" }),
    callsStarted: z.number().int().openapi({ description: "Calls the rep started in the range" }),
    callsConnected: z.number().int().openapi({ description: "Of those, calls that connected (whatever their status now)" }),
    callsMissed: z.number().int().openapi({ description: "Of those, calls with status missed" }),
    averageCallDurationSeconds: z
      .number()
      .nullable()
      .openapi({ description: "Mean of ended − connected over those calls that connected and ended; null without any" }),
  })
  .openapi("RepPerformance");

export const PerformanceSchema = z
  .object({ ...rangeEcho, data: z.array(RepPerformanceSchema).openapi({ description: "One row per rep, by user id" }) })
  .openapi("Performance");

export const StageReportSchema = z
  .object({
    stageId: z.number().int(),
    name: z.string(),
    sortIndex: z.number().int(),
    entered: z.number().int().openapi({
      description: "Deals that entered the stage in the range (created in it, or moved into it)",
    }),
    converted: z.number().int().openapi({
      description: "Of those, deals that afterwards (before `to`) reached a stage with a higher sortIndex or were won",
    }),
    conversionRate: z.number().nullable().openapi({ description: "converted / entered; null when none entered" }),
    won: z.number().int().openapi({ description: "Deals closed won in the range while in this stage" }),
    lost: z.number().int().openapi({ description: "Deals closed lost in the range while in this stage" }),
    winRate: z.number().nullable().openapi({ description: "won / (won + lost); null when neither" }),
    averageDaysInStage: z.number().nullable().openapi({
      description:
        "Mean length of the stays that began in the range (entry, or reopening in the stage) until the deal left the stage, was closed, or — still there — until `to` or now, whichever is earlier",
    }),
  })
  .openapi("StageReport");

export const PipelineReportSchema = z
  .object({
    pipelineId: z.number().int(),
    ...rangeEcho,
    stages: z.array(StageReportSchema).openapi({ description: "In board order" }),
    won: z.number().int().openapi({ description: "Deals of the pipeline closed won in the range" }),
    lost: z.number().int().openapi({ description: "Deals of the pipeline closed lost in the range" }),
    winRate: z.number().nullable(),
  })
  .openapi("PipelineReport");
