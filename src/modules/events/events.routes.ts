// GET /v1/events: timelines (entityType + entityId) and filtered lists of the event log.
import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, commonErrors, jsonResponse } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { createRouter } from "../../lib/router";
import { EventSchema, ListEventsQuery } from "./events.schemas";
import { listEvents } from "./events.service";

const listEventsRoute = createRoute({
  method: "get",
  path: "/events",
  tags: ["Events"],
  summary: "The event log, newest first: one entity's timeline, or filtered by type, actor and time",
  description:
    "With `entityType` and `entityId` this is the entity's timeline; a contact's timeline includes the events of its deals.",
  security: bearerSecurity,
  request: { query: ListEventsQuery },
  responses: { 200: jsonResponse(pageSchema(EventSchema), "A page of events"), ...commonErrors },
});

export const eventsRouter = createRouter().openapi(listEventsRoute, async (c) => {
  const { entityType, entityId, from, to, ...rest } = c.req.valid("query");
  const page = await listEvents(c.var.db, c.var.caller, {
    ...rest,
    entity: entityType !== undefined && entityId !== undefined ? { type: entityType, id: entityId } : undefined,
    from: from === undefined ? undefined : Date.parse(from),
    to: to === undefined ? undefined : Date.parse(to),
  });
  return c.json(page, 200);
});
