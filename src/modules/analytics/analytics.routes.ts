// Analytics: event counters, rep performance and pipeline conversion, all computed in SQL.
import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, commonErrors, IdParams, jsonResponse } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import {
  CountersQuery,
  CountersSchema,
  PerformanceQuery,
  PerformanceSchema,
  PipelineReportSchema,
  RangeQuery,
  rangeOf,
  typeKeysOf,
} from "./analytics.schemas";
import { counters } from "./counters.service";
import { performance } from "./performance.service";
import { pipelineReport } from "./pipeline-report.service";

const tags = ["Analytics"];
const rangeNote =
  "`from` is inclusive and `to` exclusive (default: the last 30 days; at most 366 days); `from` must be before `to`.";

const countersRoute = createRoute({
  method: "get",
  path: "/analytics/counters",
  tags,
  summary: "Count events by type in a time range, per day, per user or per type (EventLog.counters)",
  description: `${rangeNote} Days are calendar days in the workspace's time zone, daylight saving time included (a day may last 23 or 25 hours).`,
  security: bearerSecurity,
  request: { query: CountersQuery },
  responses: { 200: jsonResponse(CountersSchema, "The counts"), ...commonErrors },
});

const performanceRoute = createRoute({
  method: "get",
  path: "/analytics/performance",
  tags,
  summary: "Per rep: conversations, messages, first response and reply times, deals won/lost, calls",
  description: `${rangeNote} Computed from messages, calls and deal events. A reply is credited to the user who sent it. Only contact conversations count (direct conversations between users do not). Periods without data give zeros and nulls. A \`userId\` outside the workspace is 404.`,
  security: bearerSecurity,
  request: { query: PerformanceQuery },
  responses: { 200: jsonResponse(PerformanceSchema, "One row per rep"), ...commonErrors },
});

const pipelineRoute = createRoute({
  method: "get",
  path: "/analytics/pipeline/{id}",
  tags,
  summary: "Pipeline conversion per stage: entries, stage-to-stage conversion, wins and losses, days in stage",
  description: `${rangeNote} Replayed from deal events: deal.created, deal.stage_changed, deal.won, deal.lost, deal.reopened. When a deal is closed, reopened and closed again, its last close in the range counts.`,
  security: bearerSecurity,
  request: { params: IdParams, query: RangeQuery },
  responses: { 200: jsonResponse(PipelineReportSchema, "The pipeline's stages in order"), ...commonErrors },
});

export const analyticsRouter = createRouter()
  .openapi(countersRoute, async (c) => {
    const { groupBy, typeKey, ...range } = c.req.valid("query");
    const result = await counters(c.var.db, c.var.caller, { ...rangeOf(range), groupBy, typeKeys: typeKeysOf(typeKey) });
    return c.json(result, 200);
  })
  .openapi(performanceRoute, async (c) => {
    const { userId, ...range } = c.req.valid("query");
    return c.json(await performance(c.var.db, c.var.caller, { ...rangeOf(range), userId }), 200);
  })
  .openapi(pipelineRoute, async (c) =>
    c.json(await pipelineReport(c.var.db, c.var.caller, c.req.valid("param").id, rangeOf(c.req.valid("query"))), 200),
  );
