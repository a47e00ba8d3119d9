import { z } from "@hono/zod-openapi";
import { createInsertSchema } from "drizzle-zod";
import { authorKinds, messageChannels, messageKinds, messages, receiptStatuses } from "../../db/schema";
import { cursorQuery, limitQuery } from "../../lib/pagination";
import { AttachmentSchema } from "../attachments/attachments.schemas";
import { MAX_ATTACHMENTS_PER_MESSAGE } from "../attachments/attachments.service";
import { DeliverySchema } from "../deliveries/deliveries.schemas";

const positiveId = z.number().int().positive();

/** Mark-read batches are capped so one call stays a handful of statements. */
export const MAX_READ_BATCH = 200;

export const MessageSchema = z
  .object({
    id: z.number().int(),
    conversationId: z.number().int(),
    authorKindKey: z.enum(authorKinds),
    authorUserId: z.number().int().nullable(),
    authorContactId: z.number().int().nullable(),
    channelKey: z.enum(messageChannels),
    kindKey: z.enum(messageKinds),
    body: z.string().openapi({ description: "Stored verbatim" }),
    payload: z.unknown().nullable().openapi({ description: "Provider payload of an inbound message" }),
    externalId: z.string().nullable(),
    attachments: z.array(AttachmentSchema),
    delivery: DeliverySchema.nullable().openapi({ description: "Latest delivery attempt; null for internal messages and inbound ones" }),
    receiptStatusKey: z.enum(receiptStatuses).nullable().openapi({ description: "The caller's read state; null when the caller has no receipt" }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Message");

export const SendMessageBody = createInsertSchema(messages, {
  body: () => z.string().max(20_000).optional().openapi({ description: "Text as written; may be empty when attachments are given" }),
})
  .pick({ body: true, channelKey: true })
  .partial({ channelKey: true })
  .extend({
    attachmentIds: z
      .array(positiveId)
      .max(MAX_ATTACHMENTS_PER_MESSAGE)
      .optional()
      .openapi({ description: "Uploads of the caller (`POST /v1/attachments`) not yet attached" }),
  })
  .superRefine((b, ctx) => {
    if (!b.body?.trim() && !b.attachmentIds?.length) {
      ctx.addIssue({ code: "custom", path: ["body"], message: "write something or attach a file" });
    }
  })
  .openapi("SendMessage");

export const MarkReadBatchBody = z
  .object({
    messageIds: z.array(positiveId).min(1).max(MAX_READ_BATCH).optional(),
    conversationId: positiveId.optional(),
    upToMessageId: positiveId.optional(),
  })
  .superRefine((b, ctx) => {
    if (b.messageIds !== undefined) {
      if (b.conversationId !== undefined || b.upToMessageId !== undefined) {
        ctx.addIssue({ code: "custom", path: ["messageIds"], message: "give messageIds, or conversationId with upToMessageId, not both" });
      }
      return;
    }
    if (b.conversationId === undefined) ctx.addIssue({ code: "custom", path: ["conversationId"], message: "required without messageIds" });
    if (b.upToMessageId === undefined) ctx.addIssue({ code: "custom", path: ["upToMessageId"], message: "required without messageIds" });
  })
  .openapi("MarkReadBatch");

export const MarkedReadSchema = z
  .object({ markedRead: z.number().int().openapi({ description: "Receipts that changed from unread to read" }) })
  .openapi("MarkedRead");

export const PageQuery = z.object({ limit: limitQuery, cursor: cursorQuery });
