import { z } from "@hono/zod-openapi";
import { attachmentKinds } from "../../db/schema";

export const AttachmentSchema = z
  .object({
    id: z.number().int(),
    messageId: z.number().int().nullable().openapi({ description: "Null until a sent message carries it" }),
    kindKey: z.enum(attachmentKinds),
    fileName: z.string(),
    contentType: z.string(),
    sizeBytes: z.number().int(),
    url: z.string().openapi({ description: "Download path (needs the same bearer token)", example: "/v1/attachments/1" }),
    createdAt: z.string(),
  })
  .openapi("Attachment");

export const UploadQuery = z.object({
  fileName: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .optional()
    .openapi({ description: "The file's name, for a raw (non-multipart) upload" }),
});
