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
    replyToMessageId: z.number().int().nullable().openapi({ description: "The message of the conversation this one answers" }),
    attachments: z.array(AttachmentSchema),
    delivery: DeliverySchema.nullable().openapi({ description: "Latest delivery attempt; null for internal messages and inbound ones" }),
    receiptStatusKey: z.enum(receiptStatuses).nullable().openapi({ description: "The caller's read state; null when the caller has no receipt" }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Message");

/** A template parameter or component as the provider spells it (`type` plus its own fields). */
const providerPart = z.looseObject({ type: z.string().regex(/^[a-z_]{1,40}$/, "a lower-case type such as text, body or button") });

export const TemplateSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1)
      .max(512)
      .regex(/^[a-z0-9_]+$/, "template names are lower-case letters, digits and underscores")
      .openapi({ description: "The approved template's name", example: "order_update" }),
    language: z
      .string()
      .trim()
      .regex(/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/, "a language code such as en, en_US or pt_BR")
      .openapi({ description: "The language of the approved template", example: "en_US" }),
    components: z
      .array(
        providerPart.extend({
          sub_type: z.string().max(40).optional(),
          index: z.union([z.number().int().min(0).max(9), z.string().regex(/^\d$/)]).optional(),
          parameters: z.array(providerPart).max(100).optional(),
        }),
      )
      .max(20)
      .optional()
      .openapi({ description: "The values of the template's placeholders, as WhatsApp spells them (header, body, button components with their parameters)" }),
  })
  .openapi("MessageTemplate");

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
    replyToMessageId: positiveId.optional().openapi({
      description: "A message of this conversation the answer replies to: providers that thread quote it (WhatsApp's contextual reply)",
    }),
    template: TemplateSchema.optional().openapi({
      description:
        "Send an approved template instead of free text (WhatsApp: allowed at any time, also outside the 24-hour customer-service window). `body`, when given, is what the inbox shows for it.",
    }),
  })
  .superRefine((b, ctx) => {
    if (!b.body?.trim() && !b.attachmentIds?.length && !b.template) {
      ctx.addIssue({ code: "custom", path: ["body"], message: "write something, attach a file or give a template" });
    }
    if (b.template && b.attachmentIds?.length) {
      ctx.addIssue({ code: "custom", path: ["attachmentIds"], message: "a template carries its own media: send files in a separate message" });
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
