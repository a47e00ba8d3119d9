// GET /v1/pins, PUT/DELETE /v1/pins/{slot}: the caller's own pins.
import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, commonErrors, errorResponses, jsonBody, jsonResponse } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { ContactSchema } from "../contacts/contacts.schemas";
import { clearPin, listPins, PIN_SLOTS, setPin } from "./pins.service";

const tags = ["Pins"];

const PinSchema = z.object({ slot: z.number().int(), pinnedAt: z.string(), contact: ContactSchema }).openapi("Pin");
const SlotParams = z.object({
  slot: z.coerce.number().int().min(1).max(PIN_SLOTS).openapi({ param: { name: "slot", in: "path" }, example: 1 }),
});

const listRoute = createRoute({
  method: "get",
  path: "/pins",
  tags,
  summary: "The caller's pinned contacts, ordered by slot",
  security: bearerSecurity,
  responses: { 200: jsonResponse(z.object({ data: z.array(PinSchema) }), "Pins"), ...commonErrors },
});

const setRoute = createRoute({
  method: "put",
  path: "/pins/{slot}",
  tags,
  summary: "Pin a contact in a slot (1–5); replaces the slot, moves the contact's other pin",
  security: bearerSecurity,
  request: { params: SlotParams, ...jsonBody(z.object({ contactId: z.number().int().positive() }).openapi("SetPin")) },
  responses: { 200: jsonResponse(PinSchema, "The pin"), ...commonErrors, ...errorResponses(409) },
});

const clearRoute = createRoute({
  method: "delete",
  path: "/pins/{slot}",
  tags,
  summary: "Empty a slot",
  security: bearerSecurity,
  request: { params: SlotParams },
  responses: { 204: { description: "Empty" }, ...commonErrors },
});

export const pinsRouter = createRouter()
  .openapi(listRoute, async (c) => c.json({ data: await listPins(c.var.db, c.var.caller) }, 200))
  .openapi(setRoute, async (c) =>
    c.json(await setPin(c.var.db, c.var.caller, c.req.valid("param").slot, c.req.valid("json").contactId), 200),
  )
  .openapi(clearRoute, async (c) => {
    await clearPin(c.var.db, c.var.caller, c.req.valid("param").slot);
    return c.body(null, 204);
  });
