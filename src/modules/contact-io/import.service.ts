// Contact imports: accept an upload (stored in R2, a job queued), then run the job chunk by chunk.
// Chunk 0 prepares the file (header, row count, XLSX flattened); chunk k ≥ 1 reads the next rows
// from the byte offset the job row records, validates and dedupes them, and commits them in one
// D1 batch together with the new offset. Every statement of that batch is guarded by "the job's
// cursor is still at chunk k", so a redelivered or concurrent copy of a chunk writes nothing.
import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { contacts, jobs } from "../../db/schema";
import type { Bindings, Caller } from "../../env";
import type { ImportContactsJob } from "../../jobs/job-message";
import { alreadyDispatched, createJob, type JobContext, type JobOutcome, type JobRow } from "../../jobs/runner";
import { PermanentJobError } from "../../jobs/errors";
import { rawBatch } from "../../lib/d1-batch";
import { blobSource, r2Source } from "../../lib/files/byte-source";
import { spreadsheetCsvLine } from "../../lib/files/csv";
import { R2FileWriter } from "../../lib/files/r2-writer";
import { checkRow, type ColumnMap, type ContactFieldsInput } from "./columns";
import { checkUpload, type ImportFormat, ImportFileError, prepareRows, readRows, type RowSource, type SourceRow } from "./import-file";

export const importModes = ["upsert", "skip", "create"] as const;
export type ImportMode = (typeof importModes)[number];

/** Rows per queue message: a chunk's reads, checks and writes fit one invocation's CPU and memory. */
export const DEFAULT_CHUNK_SIZE = 2_000;
export const MAX_CHUNK_SIZE = 5_000;
/** Rows per INSERT statement (each is one JSON parameter, kept well under D1's value size limit). */
const ROWS_PER_STATEMENT = 500;

export interface ImportInput {
  fileKey: string;
  fileName: string;
  format: ImportFormat;
  size: number;
  mode: ImportMode;
  defaultCountry: string;
  chunkSize: number;
}

interface ImportCursor {
  /** The next chunk to commit; the guard of every chunk's batch. */
  chunk: number;
  offset: number;
  rowNumber: number;
  eof: boolean;
  rows: Omit<RowSource, "total" | "offset" | "headerRow"> | null;
  /** Error rows of each committed chunk, in order (R2 keys). */
  errorParts: string[];
}

interface ImportProgress {
  processed: number;
  total: number | null;
  succeeded: number;
  failed: number;
  created: number;
  updated: number;
  skipped: number;
  cursor: ImportCursor;
  dispatchedChunk?: number;
}

const safeFileName = (name: string) => name.replace(/[^\w.-]+/g, "_").slice(-100) || "upload";

export async function startImport(
  db: Db,
  env: Bindings,
  caller: Caller,
  upload: { file: Blob | Uint8Array; format: ImportFormat; fileName: string; contentType: string },
  options: { mode: ImportMode; defaultCountry?: string; chunkSize?: number },
): Promise<JobRow> {
  // A Blob is read in slices, so a 50 MB upload is held once, not copied.
  const file = upload.file instanceof Blob ? upload.file : new Blob([upload.file]);
  await checkUpload(blobSource(file), upload.format);
  const fileKey = `imports/${caller.workspaceId}/${crypto.randomUUID()}/${safeFileName(upload.fileName)}`;
  await env.FILES.put(fileKey, file, { httpMetadata: { contentType: upload.contentType } });
  const input: ImportInput = {
    fileKey,
    fileName: upload.fileName,
    format: upload.format,
    size: file.size,
    mode: options.mode,
    defaultCountry: options.defaultCountry ?? caller.defaultCountry,
    chunkSize: options.chunkSize ?? DEFAULT_CHUNK_SIZE,
  };
  return createJob(db, env, { workspaceId: caller.workspaceId, createdByUserId: caller.userId, kind: "import_contacts", input });
}

const message = (job: JobRow, chunk: number): ImportContactsJob => ({ kind: "import_contacts", jobId: job.id, workspaceId: job.workspaceId, chunk });

/** `the job's cursor is at chunk k`: true for exactly one commit of chunk k. */
const cursorAt = (jobId: number, chunk: number): SQL =>
  chunk === 0
    ? sql`EXISTS (SELECT 1 FROM ${jobs} WHERE ${jobs.id} = ${jobId} AND json_extract(coalesce(${jobs.progressJson}, '{}'), '$.cursor.chunk') IS NULL)`
    : sql`EXISTS (SELECT 1 FROM ${jobs} WHERE ${jobs.id} = ${jobId} AND json_extract(${jobs.progressJson}, '$.cursor.chunk') = ${chunk})`;

function commitProgress(db: Db, job: JobRow, chunk: number, progress: ImportProgress) {
  return db
    .update(jobs)
    .set({ progressJson: JSON.stringify(progress), updatedAt: Date.now() })
    .where(and(eq(jobs.id, job.id), cursorAt(job.id, chunk)))
    .returning({ id: jobs.id });
}

/** The job handler: one message, one chunk. */
export async function runImportChunk(ctx: JobContext, job: JobRow, msg: ImportContactsJob): Promise<JobOutcome> {
  const input = JSON.parse(job.inputJson) as ImportInput;
  const progress = job.progressJson ? (JSON.parse(job.progressJson) as Partial<ImportProgress>) : {};
  const cursor = progress.cursor;
  const next = cursor?.chunk ?? 0;
  if (msg.chunk !== next) {
    // Already committed (a redelivery) or not yet due. The delivery of the last committed
    // chunk carries on only if its successor was never queued (a crash between commit and send).
    if (cursor && msg.chunk === next - 1) {
      if (cursor.eof) return finishImport(ctx, job, input, progress as ImportProgress);
      if (!alreadyDispatched(job, next)) return { done: false, next: message(job, next) };
    }
    return { done: false, next: null };
  }
  const source = await r2Source(ctx.env.FILES, next === 0 ? input.fileKey : cursor!.rows!.key);
  if (!source) throw new PermanentJobError("the uploaded file is gone from storage", "file_missing");
  try {
    return next === 0 ? await prepare(ctx, job, input, source) : await importChunk(ctx, job, input, progress as ImportProgress, source);
  } catch (error) {
    if (error instanceof ImportFileError) throw new PermanentJobError(error.message, error.code);
    throw error;
  }
}

async function prepare(ctx: JobContext, job: JobRow, input: ImportInput, source: NonNullable<Awaited<ReturnType<typeof r2Source>>>): Promise<JobOutcome> {
  const flatKey = `imports/${job.workspaceId}/job-${job.id}/rows.csv`;
  const rows = await prepareRows(ctx.env.FILES, source, input, flatKey);
  const progress: ImportProgress = {
    processed: 0,
    total: rows.total,
    succeeded: 0,
    failed: 0,
    created: 0,
    updated: 0,
    skipped: 0,
    cursor: {
      chunk: 1,
      offset: rows.offset,
      rowNumber: rows.headerRow,
      eof: false,
      rows: { key: rows.key, delimiter: rows.delimiter, rowNumberColumn: rows.rowNumberColumn, headers: rows.headers, columns: rows.columns, temporary: rows.temporary },
      errorParts: [],
    },
  };
  const [committed] = await ctx.db.batch([commitProgress(ctx.db, job, 0, progress)]);
  return { done: false, next: committed.length > 0 ? message(job, 1) : null };
}

interface ExistingContact {
  id: number;
  phone: string | null;
  email: string | null;
}

export interface ChunkPlan {
  inserts: ContactFieldsInput[];
  updates: Map<number, ContactFieldsInput>;
  failures: { row: SourceRow; error: string }[];
  created: number;
  updated: number;
  skipped: number;
}

/**
 * Decide what each row of a chunk does, given the live contacts that share a phone or e-mail
 * with any of them. Rows are matched against those contacts and against earlier rows of the
 * chunk (earlier chunks are in the database by now) by normalised phone or e-mail.
 */
export function planChunk(rows: readonly SourceRow[], existing: readonly ExistingContact[], columns: ColumnMap, mode: ImportMode, defaultCountry: string): ChunkPlan {
  const plan: ChunkPlan = { inserts: [], updates: new Map(), failures: [], created: 0, updated: 0, skipped: 0 };
  // A target is an existing contact (`c<id>`) or a row created earlier in this chunk (`n<index>`).
  const byPhone = new Map<string, string>();
  const byEmail = new Map<string, string>();
  for (const contact of existing) {
    if (contact.phone && !byPhone.has(contact.phone)) byPhone.set(contact.phone, `c${contact.id}`);
    if (contact.email && !byEmail.has(contact.email)) byEmail.set(contact.email, `c${contact.id}`);
  }
  const describe = (target: string) => (target.startsWith("c") ? `contact ${target.slice(1)}` : "an earlier row of the file");
  const remember = (target: string, fields: ContactFieldsInput) => {
    if (fields.phone && !byPhone.has(fields.phone)) byPhone.set(fields.phone, target);
    if (fields.email && !byEmail.has(fields.email)) byEmail.set(fields.email, target);
  };

  for (const row of rows) {
    const check = checkRow(row.cells, columns, defaultCountry);
    if (!check.ok) {
      plan.failures.push({ row, error: check.error });
      continue;
    }
    const fields = check.fields;
    if (mode === "create") {
      plan.inserts.push(fields);
      plan.created += 1;
      continue;
    }
    const phoneMatch = fields.phone ? byPhone.get(fields.phone) : undefined;
    const emailMatch = fields.email ? byEmail.get(fields.email) : undefined;
    if (phoneMatch && emailMatch && phoneMatch !== emailMatch) {
      plan.failures.push({
        row,
        error: `the phone matches ${describe(phoneMatch)} but the e-mail matches ${describe(emailMatch)}`,
      });
      continue;
    }
    const target = phoneMatch ?? emailMatch;
    if (!target) {
      plan.inserts.push(fields);
      plan.created += 1;
      remember(`n${plan.inserts.length - 1}`, fields);
      continue;
    }
    if (mode === "skip") {
      plan.skipped += 1;
      continue;
    }
    if (target.startsWith("c")) {
      const id = Number(target.slice(1));
      plan.updates.set(id, { ...plan.updates.get(id), ...fields });
    } else {
      const index = Number(target.slice(1));
      plan.inserts[index] = { ...plan.inserts[index], ...fields };
    }
    plan.updated += 1;
    remember(target, fields);
  }
  return plan;
}

async function findExisting(db: Db, workspaceId: number, rows: readonly SourceRow[], columns: ColumnMap, defaultCountry: string): Promise<ExistingContact[]> {
  const phones = new Set<string>();
  const emails = new Set<string>();
  for (const row of rows) {
    const check = checkRow(row.cells, columns, defaultCountry);
    if (!check.ok) continue;
    if (check.fields.phone) phones.add(check.fields.phone);
    if (check.fields.email) emails.add(check.fields.email);
  }
  if (phones.size === 0 && emails.size === 0) return [];
  // One JSON parameter per list keeps each lookup a single statement whatever the chunk size;
  // phone and e-mail are looked up apart so that each uses its own index.
  const lookup = (field: "phone" | "email", values: Set<string>) =>
    db
      .select({ id: contacts.id, phone: contacts.phone, email: contacts.email })
      .from(contacts)
      .where(
        and(
          eq(contacts.workspaceId, workspaceId),
          isNull(contacts.mergedIntoId),
          sql`${contacts[field]} IN (SELECT value FROM json_each(${JSON.stringify([...values])}))`,
        ),
      );
  const [byPhone, byEmail] = await db.batch([lookup("phone", phones), lookup("email", emails)]);
  const found = new Map<number, ExistingContact>();
  for (const contact of [...byPhone, ...byEmail]) found.set(contact.id, contact);
  // Oldest first: when several contacts share a phone or e-mail, the oldest is the match.
  return [...found.values()].sort((a, b) => a.id - b.id);
}

const column = (field: string) => sql`json_extract(value, ${`$.${field}`})`;

function insertStatements(job: JobRow, chunk: number, inserts: ContactFieldsInput[], now: number): SQL[] {
  const statements: SQL[] = [];
  for (let i = 0; i < inserts.length; i += ROWS_PER_STATEMENT) {
    const json = JSON.stringify(inserts.slice(i, i + ROWS_PER_STATEMENT));
    statements.push(
      sql`INSERT INTO ${contacts} (workspace_id, name, company, segment, role, phone, email, city, state, created_at, updated_at)
        SELECT ${job.workspaceId}, ${column("name")}, ${column("company")}, ${column("segment")}, ${column("role")},
               ${column("phone")}, ${column("email")}, ${column("city")}, ${column("state")}, ${now}, ${now}
        FROM json_each(${json}) WHERE ${cursorAt(job.id, chunk)} ORDER BY key`,
    );
  }
  return statements;
}

/**
 * The matched rows of an upsert, 500 to a statement: an INSERT … ON CONFLICT(id) DO UPDATE whose
 * every row conflicts on the primary key, so SQLite updates each contact by id — one statement per
 * 500 contacts, where one UPDATE each would put 2,000 statements in a chunk's batch (D1 counts
 * every statement against its 1,000 queries per invocation). Only the fields the file gives
 * change (the others stay: coalesce); a merged contact is left alone.
 */
function updateStatements(job: JobRow, chunk: number, updates: Map<number, ContactFieldsInput>, now: number): SQL[] {
  const rows = [...updates].map(([id, fields]) => ({ ...fields, id }));
  const statements: SQL[] = [];
  const keep = (field: string) => sql.raw(`${field} = coalesce(excluded.${field}, ${field})`);
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const json = JSON.stringify(rows.slice(i, i + ROWS_PER_STATEMENT));
    statements.push(
      sql`INSERT INTO ${contacts} (id, workspace_id, name, company, segment, role, phone, email, city, state, created_at, updated_at)
        SELECT ${column("id")}, ${job.workspaceId}, coalesce(${column("name")}, ''), ${column("company")}, ${column("segment")}, ${column("role")},
               ${column("phone")}, ${column("email")}, ${column("city")}, ${column("state")}, ${now}, ${now}
        FROM json_each(${json}) WHERE ${cursorAt(job.id, chunk)} ORDER BY key
        ON CONFLICT(id) DO UPDATE SET
          name = CASE WHEN excluded.name = '' THEN name ELSE excluded.name END,
          ${keep("company")}, ${keep("segment")}, ${keep("role")}, ${keep("phone")}, ${keep("email")}, ${keep("city")}, ${keep("state")},
          updated_at = excluded.updated_at
        WHERE ${contacts.workspaceId} = excluded.workspace_id AND ${contacts.mergedIntoId} IS NULL`,
    );
  }
  return statements;
}

async function importChunk(ctx: JobContext, job: JobRow, input: ImportInput, progress: ImportProgress, source: NonNullable<Awaited<ReturnType<typeof r2Source>>>): Promise<JobOutcome> {
  const { cursor } = progress;
  const rowsInfo = cursor.rows!;
  const read = await readRows(source, rowsInfo, { offset: cursor.offset, rowNumber: cursor.rowNumber }, input.chunkSize);
  const existing = input.mode === "create" ? [] : await findExisting(ctx.db, job.workspaceId, read.rows, rowsInfo.columns, input.defaultCountry);
  const plan = planChunk(read.rows, existing, rowsInfo.columns, input.mode, input.defaultCountry);

  // The chunk's bad rows go to their own R2 object first; the commit below names it.
  let errorPart: string | null = null;
  if (plan.failures.length > 0) {
    errorPart = `imports/${job.workspaceId}/job-${job.id}/errors-${cursor.chunk}-${crypto.randomUUID()}.csv`;
    const width = rowsInfo.headers.length;
    const lines = plan.failures.map(({ row, error }) =>
      spreadsheetCsvLine([row.rowNumber, ...Array.from({ length: width }, (_, i) => row.cells[i] ?? ""), error]),
    );
    await ctx.env.FILES.put(errorPart, lines.join(""), { httpMetadata: { contentType: "text/csv" } });
  }

  const succeeded = plan.created + plan.updated + plan.skipped;
  const nextProgress: ImportProgress = {
    processed: progress.processed + succeeded + plan.failures.length,
    total: progress.total,
    succeeded: progress.succeeded + succeeded,
    failed: progress.failed + plan.failures.length,
    created: progress.created + plan.created,
    updated: progress.updated + plan.updated,
    skipped: progress.skipped + plan.skipped,
    cursor: {
      ...cursor,
      chunk: cursor.chunk + 1,
      offset: read.end,
      rowNumber: read.rowNumber,
      eof: read.eof,
      errorParts: errorPart ? [...cursor.errorParts, errorPart] : cursor.errorParts,
    },
    ...(progress.dispatchedChunk !== undefined ? { dispatchedChunk: progress.dispatchedChunk } : {}),
  };
  const now = Date.now();
  const results = await rawBatch(ctx.db, [
    ...insertStatements(job, cursor.chunk, plan.inserts, now),
    ...updateStatements(job, cursor.chunk, plan.updates, now),
    commitProgress(ctx.db, job, cursor.chunk, nextProgress),
  ]);
  const committed = results[results.length - 1]!.results.length > 0;
  if (!committed) {
    // Another delivery of this chunk committed first; this one wrote nothing.
    if (errorPart) await ctx.env.FILES.delete(errorPart);
    return { done: false, next: null };
  }
  if (read.eof) return finishImport(ctx, { ...job, progressJson: JSON.stringify(nextProgress) }, input, nextProgress);
  return { done: false, next: message(job, cursor.chunk + 1) };
}

/** Assemble the error report from the chunks' parts, clean up, and hand the result to the runner. */
async function finishImport(ctx: JobContext, job: JobRow, input: ImportInput, progress: ImportProgress): Promise<JobOutcome> {
  const { cursor } = progress;
  const bucket = ctx.env.FILES;
  let reportKey: string | null = null;
  if (progress.failed > 0) {
    reportKey = `imports/${job.workspaceId}/job-${job.id}/import-errors.csv`;
    // A redelivery after the report was written finds it and does not rebuild it.
    if (!(await bucket.head(reportKey))) {
      const writer = new R2FileWriter(bucket, reportKey, { contentType: "text/csv; charset=utf-8", fileName: "import-errors.csv" });
      try {
        await writer.write(spreadsheetCsvLine(["row", ...(cursor.rows?.headers ?? []), "error"]));
        for (const key of cursor.errorParts) {
          const part = await bucket.get(key);
          if (!part) throw new Error(`error report part ${key} is missing`);
          const reader = part.body.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            await writer.write(value);
          }
        }
        await writer.finish();
      } catch (error) {
        await writer.abort();
        throw error;
      }
    }
  }
  const leftovers = [...cursor.errorParts, ...(cursor.rows?.temporary ?? [])];
  if (leftovers.length > 0) await bucket.delete(leftovers);

  const counts = {
    total: progress.total,
    processed: progress.processed,
    created: progress.created,
    updated: progress.updated,
    skipped: progress.skipped,
    failed: progress.failed,
  };
  return {
    done: true,
    result: { ...counts, mode: input.mode, errorReport: reportKey !== null },
    fileUrl: reportKey,
    events: [{ typeKey: "contacts.imported", entityTypeKey: "job", entityId: job.id, payload: { fileName: input.fileName, mode: input.mode, ...counts } }],
  };
}
