// Contact exports: queue a job; the job pages through the filtered contacts by id (keyset, never
// all rows at once) and streams them into an XLSX or CSV file in R2.
import { and, asc, count, eq, gt } from "drizzle-orm";
import type { Db } from "../../db/client";
import { contacts, jobs, users, workspaces } from "../../db/schema";
import type { Bindings, Caller } from "../../env";
import type { ExportContactsJob } from "../../jobs/job-message";
import { createJob, type JobContext, type JobOutcome, type JobRow } from "../../jobs/runner";
import { PermanentJobError } from "../../jobs/errors";
import { spreadsheetCsvLine, UTF8_BOM } from "../../lib/files/csv";
import { R2FileWriter } from "../../lib/files/r2-writer";
import { type CellValue, XlsxStreamWriter } from "../../lib/files/xlsx-writer";
import { iso } from "../../lib/time";
import type { ContactFilterInput } from "../contacts/contacts.schemas";
import { contactFilterConditions, type ContactRow } from "../contacts/contacts.service";
import { XLSX_TYPE } from "./import-file";

export const exportFormats = ["xlsx", "csv"] as const;
export type ExportFormat = (typeof exportFormats)[number];

export interface ExportInput {
  format: ExportFormat;
  filters: ContactFilterInput;
}

/** Contacts read per query; each page is written out before the next is read. */
const PAGE_SIZE = 1_000;
/** Progress is recorded every this many pages. */
const PROGRESS_EVERY_PAGES = 5;

/** The importer reads the first eight columns back; the rest are for people. */
export const EXPORT_HEADERS = [
  "name",
  "company",
  "segment",
  "role",
  "phone",
  "email",
  "city",
  "state",
  "score",
  "qualification",
  "id",
  "createdAt",
  "updatedAt",
] as const;

const exportRow = (c: ContactRow): CellValue[] => [
  c.name,
  c.company,
  c.segment,
  c.role,
  c.phone,
  c.email,
  c.city,
  c.state,
  c.score,
  c.qualification,
  c.id,
  iso(c.createdAt),
  iso(c.updatedAt),
];

export async function startExport(db: Db, env: Bindings, caller: Caller, input: ExportInput): Promise<JobRow> {
  return createJob(db, env, { workspaceId: caller.workspaceId, createdByUserId: caller.userId, kind: "export_contacts", input });
}

/** The filters act for the user who asked for the export ("pinned" means their pins). */
async function callerOf(db: Db, job: JobRow): Promise<Caller> {
  const [row] = await db
    .select({ userId: users.id, role: users.role, defaultCountry: workspaces.defaultCountry, timeZone: workspaces.timeZone })
    .from(users)
    .innerJoin(workspaces, eq(workspaces.id, users.workspaceId))
    .where(and(eq(users.workspaceId, job.workspaceId), eq(users.id, job.createdByUserId ?? -1)));
  if (!row) throw new PermanentJobError("the user who asked for this export no longer exists", "user_missing");
  // No token: a job acts for its creator, outside any request.
  return { workspaceId: job.workspaceId, tokenId: 0, ...row };
}

interface RowSink {
  write(values: CellValue[], header?: boolean): Promise<void>;
  finish(): Promise<void>;
}

function sinkFor(format: ExportFormat, writer: R2FileWriter): RowSink {
  if (format === "xlsx") {
    const xlsx = new XlsxStreamWriter((bytes) => writer.write(bytes), { sheetName: "Contacts" });
    return { write: (values, header) => xlsx.addRow(values, { header }), finish: () => xlsx.finish() };
  }
  let pending = "";
  const flush = async () => {
    await writer.write(pending);
    pending = "";
  };
  return {
    write: async (values) => {
      pending += spreadsheetCsvLine(values);
      if (pending.length >= 64 * 1024) await flush();
    },
    finish: flush,
  };
}

/** The job handler: the whole file in one run (a deflate stream cannot be resumed elsewhere). */
export async function runExport(ctx: JobContext, job: JobRow, _msg: ExportContactsJob): Promise<JobOutcome> {
  const input = JSON.parse(job.inputJson) as ExportInput;
  const caller = await callerOf(ctx.db, job);
  const conditions = contactFilterConditions(caller, input.filters);
  const [{ total }] = (await ctx.db.select({ total: count() }).from(contacts).where(and(...conditions))) as [{ total: number }];

  const day = new Date().toISOString().slice(0, 10);
  const fileName = `contacts-${day}.${input.format}`;
  const key = `exports/${job.workspaceId}/job-${job.id}/${fileName}`;
  const writer = new R2FileWriter(ctx.env.FILES, key, {
    contentType: input.format === "xlsx" ? XLSX_TYPE : "text/csv; charset=utf-8",
    fileName,
  });
  let written = 0;
  try {
    // A BOM tells Excel the CSV is UTF-8; the importer skips it.
    if (input.format === "csv") await writer.write(UTF8_BOM);
    const sink = sinkFor(input.format, writer);
    await sink.write([...EXPORT_HEADERS], true);
    let lastId = 0;
    for (let pageNumber = 1; ; pageNumber++) {
      const rows = await ctx.db
        .select()
        .from(contacts)
        .where(and(...conditions, gt(contacts.id, lastId)))
        .orderBy(asc(contacts.id))
        .limit(PAGE_SIZE);
      for (const row of rows) await sink.write(exportRow(row));
      written += rows.length;
      if (rows.length < PAGE_SIZE) break;
      lastId = rows[rows.length - 1]!.id;
      if (pageNumber % PROGRESS_EVERY_PAGES === 0) {
        await ctx.db
          .update(jobs)
          .set({ progressJson: JSON.stringify({ processed: written, total, succeeded: written, failed: 0 }), updatedAt: Date.now() })
          .where(eq(jobs.id, job.id));
      }
    }
    await sink.finish();
    await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  await ctx.db
    .update(jobs)
    .set({ progressJson: JSON.stringify({ processed: written, total: written, succeeded: written, failed: 0 }), updatedAt: Date.now() })
    .where(eq(jobs.id, job.id));
  const result = { format: input.format, count: written, fileName, size: writer.bytesWritten };
  return {
    done: true,
    result,
    fileUrl: key,
    events: [{ typeKey: "contacts.exported", entityTypeKey: "job", entityId: job.id, payload: { ...result, filters: input.filters } }],
  };
}
