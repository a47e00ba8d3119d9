// Contact files: the import template, imports (upload → job) and exports (filters → job). Mounted
// before the contacts router so `/contacts/import-template` is not taken for `/contacts/{id}`.
import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../env";
import { AppError } from "../../lib/errors";
import { csvLine, UTF8_BOM } from "../../lib/files/csv";
import { xlsxBytes } from "../../lib/files/xlsx-writer";
import { bearerSecurity, commonErrors, errorResponses, jsonResponse } from "../../lib/openapi";
import { createRouter, zodDetails } from "../../lib/router";
import { JobSchema } from "../jobs/jobs.schemas";
import { toJobDto } from "../jobs/jobs.service";
import { IMPORT_COLUMNS, TEMPLATE_EXAMPLE } from "./columns";
import { ExportBody, ExportQuery, ImportOptions, type ImportOptionsInput, TemplateQuery } from "./contact-io.schemas";
import { startExport } from "./export.service";
import { MAX_IMPORT_BYTES, SNIFF_BYTES, sniffFormat, XLSX_TYPE } from "./import-file";
import { startImport } from "./import.service";

const tags = ["Contacts"];

const binary = { schema: { type: "string" as const, format: "binary" } };

const templateRoute = createRoute({
  method: "get",
  path: "/contacts/import-template",
  tags,
  summary: "The import template: the exact headers the importer reads, with one example row",
  security: bearerSecurity,
  request: { query: TemplateQuery },
  responses: {
    200: { description: "The template", content: { [XLSX_TYPE]: binary, "text/csv": { schema: { type: "string" as const } } } },
    ...commonErrors,
  },
});

const importRoute = createRoute({
  method: "post",
  path: "/contacts/imports",
  tags,
  summary:
    "Upload a CSV (UTF-8, comma/semicolon/tab) or XLSX file of contacts: multipart `file` (options as form fields or query), or the raw file as the body. Answers 202 with the import job.",
  security: bearerSecurity,
  request: {
    query: ImportOptions,
    body: {
      required: true,
      content: {
        "multipart/form-data": {
          schema: {
            type: "object",
            required: ["file"],
            properties: {
              file: { type: "string", format: "binary" },
              mode: { type: "string", enum: ["upsert", "skip", "create"] },
              defaultCountry: { type: "string" },
            },
          },
        },
        "text/csv": { schema: { type: "string" } },
        [XLSX_TYPE]: binary,
      },
    },
  },
  responses: {
    202: jsonResponse(JobSchema, "The queued import job"),
    ...commonErrors,
    ...errorResponses(413, 415),
  },
});

const exportRoute = createRoute({
  method: "post",
  path: "/contacts/exports",
  tags,
  summary: "Export all or filtered contacts (with effective score and qualification) to XLSX or CSV; answers 202 with the job",
  security: bearerSecurity,
  request: {
    query: ExportQuery,
    body: { required: false, content: { "application/json": { schema: ExportBody } } },
  },
  responses: { 202: jsonResponse(JobSchema, "The queued export job"), ...commonErrors },
});

const tooLarge = () =>
  new AppError("payload_too_large", `file: larger than ${MAX_IMPORT_BYTES / (1024 * 1024)} MB`, [
    { path: "file", message: `larger than ${MAX_IMPORT_BYTES} bytes` },
  ]);

/** The request body as a Blob, refused as soon as it passes `limit` bytes. */
async function readBody(c: Context<AppEnv>, limit: number): Promise<Blob> {
  const declared = Number(c.req.header("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  // With a declared length (within the limit) the body is read once, whole; the idempotency
  // middleware may have read (and cached) it already.
  if (Number.isFinite(declared) || c.req.raw.bodyUsed || !c.req.raw.body) {
    const blob = await c.req.blob();
    if (blob.size > limit) throw tooLarge();
    return blob;
  }
  const reader = c.req.raw.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    parts.push(value);
  }
  return new Blob(parts);
}

interface Upload {
  file: Blob;
  contentType: string;
  fileName: string | null;
  fields: Record<string, string>;
}

async function readUpload(c: Context<AppEnv>): Promise<Upload> {
  const contentType = c.req.header("content-type") ?? "";
  if (!/^multipart\/form-data/i.test(contentType)) {
    return { file: await readBody(c, MAX_IMPORT_BYTES), contentType, fileName: null, fields: {} };
  }
  // Room for the multipart framing and the option fields around the file.
  const limit = MAX_IMPORT_BYTES + 64 * 1024;
  const declared = Number(c.req.header("content-length"));
  let form: FormData;
  try {
    if (Number.isFinite(declared)) {
      if (declared > limit) throw tooLarge();
      // Parsed straight from the body: the file is held once.
      form = await c.req.formData();
    } else {
      form = await new Response(await readBody(c, limit), { headers: { "content-type": contentType } }).formData();
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError("bad_request", "the multipart body could not be parsed");
  }
  const file = form.get("file");
  if (!file || typeof file === "string") {
    throw new AppError("validation_failed", "body.file: a file field is required", [{ path: "body.file", message: "required" }]);
  }
  if (file.size > MAX_IMPORT_BYTES) throw tooLarge();
  const fields: Record<string, string> = {};
  for (const [key, value] of form) if (typeof value === "string") fields[key] = value;
  return { file, contentType: file.type, fileName: file.name || null, fields };
}

/** Options from the form fields when any are given there, else from the query. */
function importOptions(query: ImportOptionsInput, fields: Record<string, string>): ImportOptionsInput {
  const given = Object.fromEntries(Object.entries(fields).filter(([key]) => key in ImportOptions.shape));
  if (Object.keys(given).length === 0) return query;
  const parsed = ImportOptions.safeParse({ ...query, ...given });
  if (!parsed.success) {
    const details = zodDetails(parsed.error, "body");
    throw new AppError("validation_failed", `${details[0]!.path}: ${details[0]!.message}`, details);
  }
  return parsed.data;
}

/** `filename*=UTF-8''<percent-encoded>` (RFC 6266) first, else the plain `filename`, taken as written. */
function fileNameFromDisposition(header: string | undefined): string | null {
  const extended = header?.match(/filename\*=UTF-8''([^;\s]+)/i);
  if (extended) {
    try {
      return decodeURIComponent(extended[1]!);
    } catch {
      // Not valid percent-encoding (a bare `%`): the name as sent.
      return extended[1]!;
    }
  }
  const plain = header?.match(/filename="?([^";]+)"?/i);
  return plain ? plain[1]! : null;
}

export const contactIoRouter = createRouter()
  .openapi(templateRoute, async (c) => {
    const { format } = c.req.valid("query");
    const example = IMPORT_COLUMNS.map((column) => TEMPLATE_EXAMPLE[column]);
    if (format === "csv") {
      const text = csvLine(IMPORT_COLUMNS) + csvLine(example);
      const body = new Uint8Array([...UTF8_BOM, ...new TextEncoder().encode(text)]);
      return new Response(body, {
        headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="contacts-import-template.csv"' },
      });
    }
    const bytes = await xlsxBytes([[...IMPORT_COLUMNS], example]);
    return new Response(bytes, {
      headers: { "content-type": XLSX_TYPE, "content-disposition": 'attachment; filename="contacts-import-template.xlsx"' },
    });
  })
  .openapi(importRoute, async (c) => {
    const upload = await readUpload(c);
    const options = importOptions(c.req.valid("query"), upload.fields);
    const head = new Uint8Array(await upload.file.slice(0, SNIFF_BYTES).arrayBuffer());
    const format = sniffFormat(head, upload.file.size, upload.contentType);
    const fileName =
      options.fileName ?? upload.fileName ?? fileNameFromDisposition(c.req.header("content-disposition")) ?? `upload.${format}`;
    const job = await startImport(
      c.var.db,
      c.env,
      c.var.caller,
      { file: upload.file, format, fileName, contentType: format === "xlsx" ? XLSX_TYPE : "text/csv" },
      options,
    );
    c.header("Location", `/v1/jobs/${job.id}`);
    return c.json(toJobDto(job), 202);
  })
  .openapi(exportRoute, async (c) => {
    const body = (c.req.valid("json") as Partial<typeof ExportBody._output> | undefined) ?? {};
    const format = body.format ?? c.req.valid("query").format ?? "xlsx";
    const job = await startExport(c.var.db, c.env, c.var.caller, { format, filters: body.filters ?? {} });
    c.header("Location", `/v1/jobs/${job.id}`);
    return c.json(toJobDto(job), 202);
  });
