import { z } from "@hono/zod-openapi";
import { jobKinds, jobStatuses } from "../../db/schema";
import { cursorQuery, limitQuery } from "../../lib/pagination";

export const JobProgressSchema = z
  .object({
    processed: z.number().int().openapi({ description: "Rows (or items) handled so far: succeeded + failed" }),
    total: z.number().int().nullable().openapi({ description: "Rows to handle, once known" }),
    succeeded: z.number().int().openapi({ description: "Handled without error (imports: created + updated + skipped)" }),
    failed: z.number().int().openapi({ description: "Refused, with a reason in the error report" }),
    created: z.number().int().optional(),
    updated: z.number().int().optional(),
    skipped: z.number().int().optional(),
  })
  .openapi("JobProgress");

export const JobSchema = z
  .object({
    id: z.number().int(),
    kindKey: z.enum(jobKinds),
    statusKey: z.enum(jobStatuses),
    input: z.record(z.string(), z.unknown()),
    progress: JobProgressSchema.nullable(),
    result: z.unknown().nullable().openapi({ description: "The outcome; on failure `{error:{code,message}}`" }),
    fileUrl: z.string().nullable().openapi({ description: "Where to download the job's file (export, error report)" }),
    attempts: z.number().int(),
    createdByUserId: z.number().int().nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .openapi("Job");

export const ListJobsQuery = z.object({
  kindKey: z.enum(jobKinds).optional(),
  statusKey: z.enum(jobStatuses).optional(),
  limit: limitQuery,
  cursor: cursorQuery,
});
export type ListJobsInput = z.infer<typeof ListJobsQuery>;
