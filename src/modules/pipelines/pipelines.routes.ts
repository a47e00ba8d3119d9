// Pipelines with their ordered stages, stage editing (owners) and the board view.
import { createRoute, z } from "@hono/zod-openapi";
import { assertOwner } from "../../middleware/auth";
import { bearerSecurity, commonErrors, errorResponses, IdParams, jsonBody, jsonResponse } from "../../lib/openapi";
import { cursorQuery, limitQuery, MAX_LIMIT, pageSchema } from "../../lib/pagination";
import { createRouter } from "../../lib/router";
import { BoardSchema, CreatePipelineBody, PipelineSchema, ReplaceStagesBody } from "./pipelines.schemas";
import {
  BOARD_DEALS_PER_STAGE,
  createPipeline,
  getBoard,
  getPipeline,
  listPipelines,
  replaceStages,
} from "./pipelines.service";

const tags = ["Pipelines"];

const listPipelinesRoute = createRoute({
  method: "get",
  path: "/pipelines",
  tags,
  summary: "List pipelines, each with its stages in order",
  security: bearerSecurity,
  request: { query: z.object({ limit: limitQuery, cursor: cursorQuery }) },
  responses: { 200: jsonResponse(pageSchema(PipelineSchema), "A page of pipelines"), ...commonErrors },
});

const createPipelineRoute = createRoute({
  method: "post",
  path: "/pipelines",
  tags,
  summary: "Create a pipeline with its stages (owners only)",
  security: bearerSecurity,
  request: jsonBody(CreatePipelineBody),
  responses: { 201: jsonResponse(PipelineSchema, "The pipeline"), ...commonErrors, ...errorResponses(403) },
});

const getPipelineRoute = createRoute({
  method: "get",
  path: "/pipelines/{id}",
  tags,
  summary: "Get a pipeline with its stages in order",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: { 200: jsonResponse(PipelineSchema, "The pipeline"), ...commonErrors },
});

const replaceStagesRoute = createRoute({
  method: "put",
  path: "/pipelines/{id}/stages",
  tags,
  summary: "Rename, add, reorder and remove stages (owners only)",
  description:
    "The body is the full ordered list. A stage left out is removed, unless it still holds deals (open or closed): then 409 says how many.",
  security: bearerSecurity,
  request: { params: IdParams, ...jsonBody(ReplaceStagesBody) },
  responses: {
    200: jsonResponse(PipelineSchema, "The pipeline with its new stages"),
    ...commonErrors,
    ...errorResponses(403, 409),
  },
});

const boardRoute = createRoute({
  method: "get",
  path: "/pipelines/{id}/board",
  tags,
  summary: "Board view: open deals per stage with counts and amounts, and won/lost totals",
  security: bearerSecurity,
  request: {
    params: IdParams,
    query: z.object({
      limit: z.coerce
        .number()
        .int()
        .min(0)
        .max(MAX_LIMIT)
        .default(BOARD_DEALS_PER_STAGE)
        .openapi({ description: "Deals listed per stage (newest first)", example: BOARD_DEALS_PER_STAGE }),
    }),
  },
  responses: { 200: jsonResponse(BoardSchema, "The board"), ...commonErrors },
});

export const pipelinesRouter = createRouter()
  .openapi(listPipelinesRoute, async (c) =>
    c.json(await listPipelines(c.var.db, c.var.caller, c.req.valid("query")), 200),
  )
  .openapi(createPipelineRoute, async (c) => {
    assertOwner(c.var.caller);
    return c.json(await createPipeline(c.var.db, c.var.caller, c.req.valid("json")), 201);
  })
  .openapi(getPipelineRoute, async (c) =>
    c.json(await getPipeline(c.var.db, c.var.caller, c.req.valid("param").id), 200),
  )
  .openapi(replaceStagesRoute, async (c) => {
    assertOwner(c.var.caller);
    const pipeline = await replaceStages(c.var.db, c.var.caller, c.req.valid("param").id, c.req.valid("json").stages);
    return c.json(pipeline, 200);
  })
  .openapi(boardRoute, async (c) =>
    c.json(await getBoard(c.var.db, c.var.caller, c.req.valid("param").id, c.req.valid("query").limit), 200),
  );
