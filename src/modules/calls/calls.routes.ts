// Calls: list and start per conversation, status updates, end.
import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, commonErrors, errorResponses, errorSchema, IdParams, jsonBody, jsonResponse } from "../../lib/openapi";
import { cursorQuery, limitQuery, pageSchema } from "../../lib/pagination";
import { createRouter } from "../../lib/router";
import { CallSchema, CallStatusBody, StartCallBody } from "./calls.schemas";
import { endCall, listCalls, startCall, toCallDto, transitionCall } from "./calls.service";

const tags = ["Calls"];
const errors = { ...commonErrors, ...errorResponses(409) };

const listRoute = createRoute({
  method: "get",
  path: "/conversations/{id}/calls",
  tags,
  summary: "A conversation's calls, newest first, with durations",
  security: bearerSecurity,
  request: { params: IdParams, query: z.object({ limit: limitQuery, cursor: cursorQuery }) },
  responses: { 200: jsonResponse(pageSchema(CallSchema), "A page of calls"), ...commonErrors },
});

const startRoute = createRoute({
  method: "post",
  path: "/conversations/{id}/calls",
  tags,
  summary:
    "Start a call. With a provider connected that places calls on the channel (phone: Twilio), it rings your phone (PATCH /v1/me {phone}) and then the contact's, and its callbacks move the call; otherwise the call is logged as `initiated` and you report its progress with PUT status or end",
  security: bearerSecurity,
  request: { params: IdParams, ...jsonBody(StartCallBody) },
  responses: { 201: jsonResponse(CallSchema, "The call"), ...commonErrors, ...errorResponses(409), 502: jsonResponse(errorSchema, "The provider refused or could not be reached") },
});

const statusRoute = createRoute({
  method: "put",
  path: "/calls/{id}/status",
  tags,
  summary:
    "Move a call: initiated → ringing → connected → ended; missed or failed from initiated or ringing. Nothing leaves ended, missed or failed (409).",
  security: bearerSecurity,
  request: { params: IdParams, ...jsonBody(CallStatusBody) },
  responses: { 200: jsonResponse(CallSchema, "The call"), ...errors },
});

const endRoute = createRoute({
  method: "post",
  path: "/calls/{id}/end",
  tags,
  summary: "Hang up: a connected call becomes ended, one not yet answered becomes missed (409 when already over)",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: { 200: jsonResponse(CallSchema, "The call"), ...errors },
});

export const callsRouter = createRouter()
  .openapi(listRoute, async (c) =>
    c.json(await listCalls(c.var.db, c.var.caller, c.req.valid("param").id, c.req.valid("query")), 200),
  )
  .openapi(startRoute, async (c) =>
    c.json(toCallDto(await startCall(c.var.db, c.env, c.var.caller, c.req.valid("param").id, c.req.valid("json"))), 201),
  )
  .openapi(statusRoute, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(toCallDto(await transitionCall(c.var.db, c.var.caller, id, c.req.valid("json").statusKey)), 200);
  })
  .openapi(endRoute, async (c) => c.json(toCallDto(await endCall(c.var.db, c.var.caller, c.req.valid("param").id)), 200));
