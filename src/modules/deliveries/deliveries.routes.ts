// Deliveries: a message's delivery attempts, and retrying a failed one.
import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, commonErrors, errorResponses, IdParams, jsonResponse } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { DeliverySchema } from "./deliveries.schemas";
import { listDeliveries, retryDelivery, toDeliveryDto } from "./deliveries.service";

const tags = ["Deliveries"];

const listRoute = createRoute({
  method: "get",
  path: "/messages/{id}/deliveries",
  tags,
  summary: "A message's delivery attempts, first to last (none for internal and inbound messages)",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: { 200: jsonResponse(z.object({ data: z.array(DeliverySchema) }), "Attempts"), ...commonErrors },
});

const retryRoute = createRoute({
  method: "post",
  path: "/deliveries/{id}/retry",
  tags,
  summary: "Re-send a failed delivery: a new attempt of the same message, with a new job (409 unless this is the latest, failed attempt)",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: { 201: jsonResponse(DeliverySchema, "The new attempt"), ...commonErrors, ...errorResponses(409) },
});

export const deliveriesRouter = createRouter()
  .openapi(listRoute, async (c) => c.json({ data: await listDeliveries(c.var.db, c.var.caller, c.req.valid("param").id) }, 200))
  .openapi(retryRoute, async (c) =>
    c.json(toDeliveryDto(await retryDelivery(c.var.db, c.env, c.var.caller, c.req.valid("param").id)), 201),
  );
