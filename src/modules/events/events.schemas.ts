import { z } from "@hono/zod-openapi";
import { cursorQuery, limitQuery } from "../../lib/pagination";

export const EventSchema = z
  .object({
    id: z.number().int(),
    typeKey: z.string().openapi({ example: "deal.stage_changed" }),
    entityType: z.string().openapi({ example: "deal" }),
    entityId: z.number().int(),
    actorUserId: z.number().int().nullable(),
    payload: z.unknown().openapi({ description: "What changed, usually with before/after" }),
    createdAt: z.string(),
  })
  .openapi("Event");

const isoTime = (description: string) =>
  z.iso.datetime({ offset: true }).optional().openapi({ description, example: "2026-01-31T00:00:00Z" });

export const ListEventsQuery = z
  .object({
    entityType: z
      .string()
      .regex(/^[a-z][a-z_]*$/, "an entity type such as contact or deal")
      .max(50)
      .optional()
      .openapi({ description: "With entityId: that entity's timeline (a contact's includes its deals)" }),
    entityId: z.coerce.number().int().positive().optional(),
    typeKey: z.string().min(1).max(100).optional().openapi({ example: "deal.won" }),
    actorUserId: z.coerce.number().int().positive().optional(),
    from: isoTime("Events at or after this time"),
    to: isoTime("Events before this time"),
    limit: limitQuery,
    cursor: cursorQuery,
  })
  .superRefine((q, ctx) => {
    if ((q.entityType === undefined) !== (q.entityId === undefined)) {
      const missing = q.entityType === undefined ? "entityType" : "entityId";
      ctx.addIssue({ code: "custom", path: [missing], message: "entityType and entityId go together" });
    }
    if (q.from !== undefined && q.to !== undefined && Date.parse(q.from) >= Date.parse(q.to)) {
      ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from" });
    }
  });
