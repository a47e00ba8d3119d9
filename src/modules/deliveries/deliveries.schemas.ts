import { z } from "@hono/zod-openapi";
import { deliveryStatuses, messageChannels } from "../../db/schema";

export const DeliverySchema = z
  .object({
    id: z.number().int(),
    messageId: z.number().int(),
    channelKey: z.enum(messageChannels),
    statusKey: z.enum(deliveryStatuses),
    attempt: z.number().int().openapi({ description: "1 for the first send; each retry is a new attempt" }),
    providerMessageId: z.string().nullable(),
    errorCode: z.string().nullable(),
    errorMessage: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Delivery");
