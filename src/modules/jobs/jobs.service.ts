// Reading jobs: one job, the caller's jobs, a job's file. Jobs are written by the runner.
import { and, desc, eq, lt } from "drizzle-orm";
import type { Db } from "../../db/client";
import { jobs } from "../../db/schema";
import type { Caller } from "../../env";
import type { JobRow } from "../../jobs/runner";
import { AppError, notFound } from "../../lib/errors";
import { decodeCursor, page } from "../../lib/pagination";
import { iso, isoOrNull } from "../../lib/time";
import type { ListJobsInput } from "./jobs.schemas";

/** Input keys that are the server's own bookkeeping (R2 keys), not what the caller asked for. */
const INTERNAL_INPUT_KEYS = new Set(["fileKey"]);

const PROGRESS_KEYS = ["processed", "total", "succeeded", "failed", "created", "updated", "skipped"] as const;

function publicProgress(progressJson: string | null) {
  if (!progressJson) return null;
  const raw = JSON.parse(progressJson) as Record<string, unknown>;
  if (typeof raw.processed !== "number") return null;
  const out: Record<string, number | null> = { total: null };
  for (const key of PROGRESS_KEYS) if (typeof raw[key] === "number") out[key] = raw[key];
  return out as { processed: number; total: number | null; succeeded: number; failed: number };
}

export const jobFilePath = (id: number) => `/v1/jobs/${id}/file`;

export function toJobDto(job: JobRow) {
  const input = JSON.parse(job.inputJson) as Record<string, unknown>;
  return {
    id: job.id,
    kindKey: job.kindKey,
    statusKey: job.statusKey,
    input: Object.fromEntries(Object.entries(input).filter(([key]) => !INTERNAL_INPUT_KEYS.has(key))),
    progress: publicProgress(job.progressJson),
    result: job.resultJson === null ? null : (JSON.parse(job.resultJson) as unknown),
    fileUrl: job.fileUrl ? jobFilePath(job.id) : null,
    attempts: job.attempts,
    createdByUserId: job.createdByUserId,
    createdAt: iso(job.createdAt),
    startedAt: isoOrNull(job.startedAt),
    finishedAt: isoOrNull(job.finishedAt),
    updatedAt: iso(job.updatedAt),
  };
}

/** A job of the caller's workspace; another workspace's is 404. */
export async function getJob(db: Db, caller: Caller, id: number): Promise<JobRow> {
  const [job] = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.workspaceId, caller.workspaceId), eq(jobs.id, id)));
  if (!job) throw notFound("job");
  return job;
}

/** The caller's own jobs, newest first. */
export async function listJobs(db: Db, caller: Caller, opts: ListJobsInput) {
  const [before] = opts.cursor ? decodeCursor(opts.cursor, 1) : [null];
  if (before !== null && typeof before !== "number") throw new AppError("invalid_cursor", "cursor is not one this list handed out");
  const rows = await db
    .select()
    .from(jobs)
    .where(
      and(
        eq(jobs.workspaceId, caller.workspaceId),
        eq(jobs.createdByUserId, caller.userId),
        opts.kindKey ? eq(jobs.kindKey, opts.kindKey) : undefined,
        opts.statusKey ? eq(jobs.statusKey, opts.statusKey) : undefined,
        typeof before === "number" ? lt(jobs.id, before) : undefined,
      ),
    )
    .orderBy(desc(jobs.id))
    .limit(opts.limit + 1);
  const result = page(rows, opts.limit, (row) => [row.id]);
  return { data: result.data.map(toJobDto), nextCursor: result.nextCursor };
}

/** The job's file from R2 as a download, or 404 when it has none. */
export async function jobFileResponse(db: Db, files: R2Bucket, caller: Caller, id: number): Promise<Response> {
  const job = await getJob(db, caller, id);
  const object = job.fileUrl ? await files.get(job.fileUrl) : null;
  if (!object) throw notFound("job file");
  const headers = new Headers();
  object.writeHttpMetadata(headers);
  headers.set("content-length", String(object.size));
  headers.set("etag", object.httpEtag);
  if (!headers.has("content-disposition")) {
    headers.set("content-disposition", `attachment; filename="${job.fileUrl!.split("/").pop()}"`);
  }
  return new Response(object.body, { status: 200, headers });
}
