// Attachments: upload a file (multipart `file`, or the raw bytes) to R2; download it back.
import { createRoute } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { AppError, invalidField } from "../../lib/errors";
import { bearerSecurity, commonErrors, errorResponses, IdParams, jsonResponse } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { AttachmentSchema, UploadQuery } from "./attachments.schemas";
import { MAX_ATTACHMENT_BYTES, openAttachment, storeAttachment, toAttachmentDto, type Upload } from "./attachments.service";

const tags = ["Attachments"];
const binary = { type: "string", format: "binary" } as const;
/** Room for the multipart envelope around a file of the maximum size. */
const MULTIPART_OVERHEAD = 64 * 1024;

const tooLarge = () => {
  throw new AppError("payload_too_large", `files are limited to ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB`);
};

const uploadRoute = createRoute({
  method: "post",
  path: "/attachments",
  tags,
  summary: "Upload a file (≤ 25 MB): multipart with a `file` field, or the raw bytes with their Content-Type and `?fileName=`",
  security: bearerSecurity,
  middleware: [bodyLimit({ maxSize: MAX_ATTACHMENT_BYTES + MULTIPART_OVERHEAD, onError: tooLarge })] as const,
  request: {
    query: UploadQuery,
    body: {
      required: true,
      content: {
        "multipart/form-data": { schema: { type: "object", properties: { file: binary }, required: ["file"] } },
        "*/*": { schema: binary },
      },
    },
  },
  responses: { 201: jsonResponse(AttachmentSchema, "The stored attachment"), ...commonErrors, ...errorResponses(413, 415) },
});

const downloadRoute = createRoute({
  method: "get",
  path: "/attachments/{id}",
  tags,
  summary: "Download an attachment (users of its workspace who may see its conversation)",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: { 200: { description: "The file", content: { "application/octet-stream": { schema: binary } } }, ...commonErrors },
});

/** `filename*` carries any name; the plain `filename` is an ASCII fallback for old clients. */
function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export const attachmentsRouter = createRouter()
  .openapi(uploadRoute, async (c) => {
    const contentType = c.req.header("content-type") ?? "";
    let upload: Upload;
    if (/^multipart\/form-data/i.test(contentType)) {
      const form = await c.req.formData().catch(() => {
        throw new AppError("bad_request", "the multipart body could not be parsed (check its boundary and framing)");
      });
      const file = form.get("file");
      if (!(file instanceof File)) throw invalidField("body.file", "send the file in a multipart field named `file`");
      upload = { data: await file.arrayBuffer(), fileName: file.name, contentType: file.type || "application/octet-stream", field: "body.file" };
    } else {
      if (!contentType) {
        throw new AppError("unsupported_media_type", "send multipart/form-data with a `file` field, or the raw file with its Content-Type");
      }
      const { fileName } = c.req.valid("query");
      if (!fileName) throw invalidField("query.fileName", "a raw upload needs ?fileName=");
      upload = { data: await c.req.arrayBuffer(), fileName, contentType, field: "body" };
    }
    return c.json(toAttachmentDto(await storeAttachment(c.var.db, c.env.FILES, c.var.caller, upload)), 201);
  })
  .openapi(downloadRoute, async (c) => {
    const { row, object } = await openAttachment(c.var.db, c.env.FILES, c.var.caller, c.req.valid("param").id);
    return c.body(object.body, 200, {
      "Content-Type": row.contentType,
      "Content-Length": String(object.size),
      "Content-Disposition": contentDisposition(row.fileName),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
    });
  });
