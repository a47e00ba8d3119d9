import { z } from "@hono/zod-openapi";
import { isCountryCode } from "../../lib/phone";
import { ContactFilters } from "../contacts/contacts.schemas";
import { exportFormats } from "./export.service";
import { importModes, MAX_CHUNK_SIZE } from "./import.service";

export const TemplateQuery = z.object({
  format: z.enum(["xlsx", "csv"]).default("xlsx"),
});

/** Import options: query parameters, or form fields beside the file. */
export const ImportOptions = z.object({
  mode: z.enum(importModes).default("upsert").openapi({
    description: "upsert: update the matching contact's given fields; skip: leave it and count the row skipped; create: always create",
  }),
  defaultCountry: z
    .string()
    .trim()
    .toUpperCase()
    .refine(isCountryCode, "not a supported ISO 3166 country code")
    .optional()
    .openapi({ description: "Country for phones written without +; default: the workspace's", example: "US" }),
  chunkSize: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_CHUNK_SIZE)
    .optional()
    .openapi({ description: "Rows per queue message (tuning; default 2000)" }),
  fileName: z.string().trim().min(1).max(200).optional().openapi({ description: "Name of a raw-body upload" }),
});
export type ImportOptionsInput = z.infer<typeof ImportOptions>;

const pinnedFilter = z
  .union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")])
  .optional()
  .openapi({ description: "Pinned by the caller" });

export const ExportBody = z
  .object({
    format: z.enum(exportFormats).optional().openapi({ description: "Default xlsx" }),
    filters: ContactFilters.extend({ pinned: pinnedFilter }).optional().openapi({ description: "The contact list's filters" }),
  })
  .openapi("ExportContacts");

export const ExportQuery = z.object({ format: z.enum(exportFormats).optional() });
