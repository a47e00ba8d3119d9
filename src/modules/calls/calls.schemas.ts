import { z } from "@hono/zod-openapi";
import { createInsertSchema } from "drizzle-zod";
import { callChannels, callKinds, calls, callStatuses } from "../../db/schema";

export const CallSchema = z
  .object({
    id: z.number().int(),
    conversationId: z.number().int(),
    startedByUserId: z.number().int().nullable(),
    startedByContactId: z.number().int().nullable(),
    channelKey: z.enum(callChannels),
    kindKey: z.enum(callKinds),
    statusKey: z.enum(callStatuses),
    externalId: z.string().nullable(),
    startedAt: z.string(),
    connectedAt: z.string().nullable(),
    endedAt: z.string().nullable(),
    durationSeconds: z.number().int().nullable().openapi({ description: "From connected to ended; null until both happened" }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Call");

export const StartCallBody = createInsertSchema(calls).pick({ channelKey: true, kindKey: true }).required().openapi("StartCall");

export const CallStatusBody = createInsertSchema(calls).pick({ statusKey: true }).required().openapi("SetCallStatus");
