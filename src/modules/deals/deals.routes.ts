// Deals: list, create, get, edit, and the moves of its life (stage, won, lost, reopen).
import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, commonErrors, errorResponses, IdParams, jsonBody, jsonResponse } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { createRouter } from "../../lib/router";
import { ChangeStageBody, CreateDealBody, DealSchema, ListDealsQuery, LoseDealBody, UpdateDealBody } from "./deals.schemas";
import { changeStage, createDeal, getDeal, listDeals, markLost, markWon, reopen, updateDeal } from "./deals.service";

const tags = ["Deals"];
const dealResponse = (description: string) => ({
  200: jsonResponse(DealSchema, description),
  ...commonErrors,
  ...errorResponses(409),
});

const listDealsRoute = createRoute({
  method: "get",
  path: "/deals",
  tags,
  summary: "List deals, newest first, filtered by pipeline, stage, status or contact",
  security: bearerSecurity,
  request: { query: ListDealsQuery },
  responses: { 200: jsonResponse(pageSchema(DealSchema), "A page of deals"), ...commonErrors },
});

const createDealRoute = createRoute({
  method: "post",
  path: "/deals",
  tags,
  summary: "Create a deal for a contact in a pipeline (first stage unless one is given)",
  description:
    "A contact, pipeline or stage that does not exist in the workspace (or a merged contact) is 422 naming the field; a stage of another pipeline is 409.",
  security: bearerSecurity,
  request: jsonBody(CreateDealBody),
  responses: { 201: jsonResponse(DealSchema, "The deal"), ...commonErrors, ...errorResponses(409) },
});

const getDealRoute = createRoute({
  method: "get",
  path: "/deals/{id}",
  tags,
  summary: "Get a deal",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: { 200: jsonResponse(DealSchema, "The deal"), ...commonErrors },
});

const updateDealRoute = createRoute({
  method: "patch",
  path: "/deals/{id}",
  tags,
  summary: "Edit a deal's title, amount or currency",
  security: bearerSecurity,
  request: { params: IdParams, ...jsonBody(UpdateDealBody) },
  responses: dealResponse("The deal"),
});

const changeStageRoute = createRoute({
  method: "post",
  path: "/deals/{id}/stage",
  tags,
  summary: "Move an open deal to another stage of its pipeline (Deal.changeStage)",
  description: "A stage of another pipeline is 409; so is moving a won or lost deal.",
  security: bearerSecurity,
  request: { params: IdParams, ...jsonBody(ChangeStageBody) },
  responses: dealResponse("The moved deal"),
});

const wonRoute = createRoute({
  method: "post",
  path: "/deals/{id}/won",
  tags,
  summary: "Mark an open deal won (Deal.markWon)",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: dealResponse("The won deal"),
});

const lostRoute = createRoute({
  method: "post",
  path: "/deals/{id}/lost",
  tags,
  summary: "Mark an open deal lost, with an optional reason (Deal.markLost)",
  security: bearerSecurity,
  request: { params: IdParams, body: { required: false, content: { "application/json": { schema: LoseDealBody } } } },
  responses: dealResponse("The lost deal"),
});

const reopenRoute = createRoute({
  method: "post",
  path: "/deals/{id}/reopen",
  tags,
  summary: "Reopen a won or lost deal in the stage it was closed in",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: dealResponse("The reopened deal"),
});

export const dealsRouter = createRouter()
  .openapi(listDealsRoute, async (c) => c.json(await listDeals(c.var.db, c.var.caller, c.req.valid("query")), 200))
  .openapi(createDealRoute, async (c) => c.json(await createDeal(c.var.db, c.var.caller, c.req.valid("json")), 201))
  .openapi(getDealRoute, async (c) => c.json(await getDeal(c.var.db, c.var.caller, c.req.valid("param").id), 200))
  .openapi(updateDealRoute, async (c) =>
    c.json(await updateDeal(c.var.db, c.var.caller, c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(changeStageRoute, async (c) =>
    c.json(await changeStage(c.var.db, c.var.caller, c.req.valid("param").id, c.req.valid("json").stageId), 200),
  )
  .openapi(wonRoute, async (c) => c.json(await markWon(c.var.db, c.var.caller, c.req.valid("param").id), 200))
  .openapi(lostRoute, async (c) => {
    // The body is optional: without one (or without JSON) the deal is lost with no reason.
    const body = (c.req.valid("json") as z.infer<typeof LoseDealBody> | undefined) ?? {};
    return c.json(await markLost(c.var.db, c.var.caller, c.req.valid("param").id, body.reason), 200);
  })
  .openapi(reopenRoute, async (c) => c.json(await reopen(c.var.db, c.var.caller, c.req.valid("param").id), 200));
