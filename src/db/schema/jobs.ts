// Background work records: one row per task the queue consumer runs.
import { sql } from "drizzle-orm";
import { check, foreignKey, index, integer, sqliteTable, text, unique, uniqueIndex } from "drizzle-orm/sqlite-core";
import { jobKinds, jobStatuses, now, oneOf } from "./keys";
import { users, workspaces } from "./workspaces";

/** A bare column name: drizzle-kit writes index expressions verbatim, and `->>` keeps them free of commas. */
const col = (name: string) => sql.identifier(name);

export const jobs = sqliteTable(
  "jobs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull().references(() => workspaces.id),
    createdByUserId: integer("created_by_user_id"),
    kindKey: text("kind_key", { enum: jobKinds }).notNull(),
    statusKey: text("status_key", { enum: jobStatuses }).notNull().default("queued"),
    inputJson: text("input_json").notNull().default("{}"),
    resultJson: text("result_json"),
    /** `{processed, total, succeeded, failed}` while the job runs. */
    progressJson: text("progress_json"),
    /** R2 object key of the job's output (export file, import error report). */
    fileUrl: text("file_url"),
    attempts: integer("attempts").notNull().default(0),
    createdAt: integer("created_at").notNull().$defaultFn(now),
    startedAt: integer("started_at"),
    finishedAt: integer("finished_at"),
    updatedAt: integer("updated_at").notNull().$defaultFn(now),
  },
  (t) => [
    foreignKey({ columns: [t.workspaceId, t.createdByUserId], foreignColumns: [users.workspaceId, users.id] }),
    unique("jobs_ws_id_uq").on(t.workspaceId, t.id),
    index("jobs_ws_creator_idx").on(t.workspaceId, t.createdByUserId, t.id),
    index("jobs_ws_kind_status_idx").on(t.workspaceId, t.kindKey, t.statusKey, t.id),
    /**
     * The debounce of inbound-triggered classification: at most one such job per conversation
     * waits to start. Inbound messages meanwhile find it (INSERT … ON CONFLICT DO NOTHING) and
     * add nothing; once it starts, the next message queues the next one.
     */
    uniqueIndex("jobs_pending_inbound_classification_uq")
      .on(t.workspaceId, sql`${col("input_json")} ->> '$.conversationId'`)
      .where(
        sql`${col("kind_key")} = 'classify_conversation' AND ${col("status_key")} = 'queued' AND ${col("started_at")} IS NULL AND ${col("input_json")} ->> '$.triggerKey' = 'inbound'`,
      ),
    check("jobs_kind_ck", oneOf(t.kindKey, jobKinds)),
    check("jobs_status_ck", oneOf(t.statusKey, jobStatuses)),
    check("jobs_attempts_ck", sql`${t.attempts} >= 0`),
  ],
);

/**
 * The transactional outbox of the jobs queue: a queue message is written here in the same D1
 * batch as the work it starts, sent after the batch commits, and deleted once the queue took it.
 * A send that failed (or a Worker that died between commit and send) leaves the row, and the cron
 * (`scheduled()`) sends it after a grace period. Consumers are idempotent, so a message sent twice
 * (the row outlived a successful send) does nothing twice.
 */
export const queueOutbox = sqliteTable(
  "queue_outbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull().references(() => workspaces.id),
    /** The queue message (a JobMessage or TaskMessage), JSON. */
    bodyJson: text("body_json").notNull(),
    /** Sends tried by the cron so far (for the log: a message that never gets through). */
    attempts: integer("attempts").notNull().default(0),
    /** Wait this long after `created_at` before the message is delivered (a debounced job). */
    delaySeconds: integer("delay_seconds").notNull().default(0),
    createdAt: integer("created_at").notNull().$defaultFn(now),
  },
  (t) => [index("queue_outbox_created_idx").on(t.createdAt)],
);
