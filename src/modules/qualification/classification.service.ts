// Classification of conversations by the Qualifier: scheduling it (debounced on inbound messages,
// at once on request), running it as the `classify_conversation` job, and reading its latest
// suggestion for the reps' chat apps.
//
// The debounce: an inbound message inserts a pending job for its conversation, in the batch that
// stores the message, and queues its message with a delay of CLASSIFY_DEBOUNCE_SECONDS once the
// batch committed (the pending row is the outbox: the cron re-sends a lost message) — unless a pending one (queued, not started, triggered by an
// inbound message) is already there, which a partial unique index on `jobs` enforces, so
// concurrent ingests and redelivered webhooks add nothing. The job reads the
// conversation when it starts; a message stored after that finds no pending job and queues the
// next one. So every message is read by a job that starts after it was stored, and a
// conversation is classified at most once per window, the window's last message included.
import { and, desc, eq, inArray, isNull, lt, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { conversations, jobs, messages } from "../../db/schema";
import type { Bindings, Caller } from "../../env";
import { PermanentJobError } from "../../jobs/errors";
import type { JobMessage } from "../../jobs/job-message";
import { enqueue } from "../../jobs/outbox";
import { createJob, type JobContext, type JobOutcome, type JobRow } from "../../jobs/runner";
import { rawBatch } from "../../lib/d1-batch";
import { AppError } from "../../lib/errors";
import { qualifierFor, QualifierSettingError, RECENT_MESSAGES } from "../../qualifier";
import { getLiveContact } from "../contacts/contacts.service";
import { findConversation } from "../conversations/conversations.service";
import {
  aiQualificationStatements,
  latestAiContactQualification,
  latestAiConversationQualification,
  listQualificationKinds,
} from "./qualification.service";

/** The debounce window: an inbound message is classified within this, with whatever follows it. */
export const CLASSIFY_DEBOUNCE_SECONDS = 180;
export type ClassifyTrigger = "inbound" | "request";

interface ClassifyInput {
  conversationId: number;
  /** Set when a contact's classification was asked for (its latest conversation is read). */
  contactId?: number;
  triggerKey: ClassifyTrigger;
}

/**
 * After an inbound contact message: the statement that schedules its conversation's
 * classification within the debounce window, for the batch that stores the message. It inserts
 * the pending job — or nothing, when a pending one already holds the conversation's slot (the
 * partial unique index) — and answers the new job's id, whose delayed message
 * `queueInboundClassifications` sends once the batch committed. The pending job row is its own
 * outbox: a message the queue refuses is kept in `queue_outbox`, and one lost with a Worker that
 * died before sending is sent by the cron (`requeueStalledClassifications`).
 * `conversationId` may be the SQL of a conversation the same batch opens.
 */
export function inboundClassificationStatement(db: Db, workspaceId: number, conversationId: number | SQL, now: number) {
  return db
    .insert(jobs)
    .values({
      workspaceId,
      createdByUserId: null,
      kindKey: "classify_conversation",
      inputJson: sql`json_object('conversationId', ${conversationId}, 'triggerKey', 'inbound')`,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning({ jobId: jobs.id });
}

const classifyMessage = (jobId: number, workspaceId: number): JobMessage => ({ kind: "classify_conversation", jobId, workspaceId });

/** Queue new pending jobs' messages, delayed by the debounce window. */
export async function queueInboundClassifications(db: Db, env: Pick<Bindings, "JOBS">, workspaceId: number, jobIds: number[]): Promise<void> {
  if (jobIds.length === 0) return;
  await enqueue(db, env, workspaceId, jobIds.map((jobId) => classifyMessage(jobId, workspaceId)), [], { delaySeconds: CLASSIFY_DEBOUNCE_SECONDS });
}

/** A pending inbound job not started this long after it was scheduled (or last re-sent) lost its message. */
export const CLASSIFICATION_STALL_MS = CLASSIFY_DEBOUNCE_SECONDS * 1000 + 10 * 60_000;
const REQUEUE_BATCH = 100;

/**
 * The cron's part: send again the messages of pending inbound jobs that should have started long
 * ago (the Worker died between the batch and the send). The query walks the partial unique index
 * (pending inbound jobs only). A job re-sent is stamped, so the next run leaves it alone for
 * another stall period; a message that arrives twice runs the job once.
 */
export async function requeueStalledClassifications(db: Db, env: Pick<Bindings, "JOBS">, now: number): Promise<number> {
  const stalled = await db
    .select({ id: jobs.id, workspaceId: jobs.workspaceId })
    .from(jobs)
    .where(and(pendingInbound, lt(jobs.updatedAt, now - CLASSIFICATION_STALL_MS)))
    .orderBy(jobs.id)
    .limit(REQUEUE_BATCH);
  if (stalled.length === 0) return 0;
  await db.batch([
    db
      .update(jobs)
      .set({ updatedAt: now })
      .where(
        and(
          pendingInbound,
          inArray(
            jobs.id,
            stalled.map((j) => j.id),
          ),
        ),
      ),
  ]);
  for (const workspaceId of new Set(stalled.map((j) => j.workspaceId))) {
    const messages = stalled.filter((j) => j.workspaceId === workspaceId).map((j) => classifyMessage(j.id, workspaceId));
    await enqueue(db, env, workspaceId, messages);
  }
  return stalled.length;
}

/** The partial unique index's own condition: a pending job an inbound message scheduled. */
const pendingInbound = and(
  eq(jobs.kindKey, "classify_conversation"),
  eq(jobs.statusKey, "queued"),
  isNull(jobs.startedAt),
  sql`${jobs.inputJson} ->> '$.triggerKey' = 'inbound'`,
);

/** Classify a conversation now (a rep asked): 404 for one the caller cannot see. */
export async function requestConversationClassification(db: Db, env: Pick<Bindings, "JOBS">, caller: Caller, conversationId: number) {
  const conversation = await findConversation(db, caller, conversationId);
  if (conversation.kindKey !== "contact") {
    throw new AppError("conflict", `conversation ${conversationId} is a direct conversation between users: only conversations with a contact are classified`);
  }
  return startNow(db, env, caller, { conversationId, triggerKey: "request" });
}

/** Classify a contact now, from its latest conversation: 404 across workspaces, 409 when it has none. */
export async function requestContactClassification(db: Db, env: Pick<Bindings, "JOBS">, caller: Caller, contactId: number) {
  await getLiveContact(db, caller.workspaceId, contactId);
  const [latest] = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.workspaceId, caller.workspaceId), eq(conversations.contactId, contactId)))
    .orderBy(desc(sql`coalesce(${conversations.lastMessageAt}, ${conversations.createdAt})`), desc(conversations.id))
    .limit(1);
  if (!latest) throw new AppError("conflict", `contact ${contactId} has no conversation to classify`);
  return startNow(db, env, caller, { conversationId: latest.id, contactId, triggerKey: "request" });
}

function startNow(db: Db, env: Pick<Bindings, "JOBS">, caller: Caller, input: ClassifyInput) {
  return createJob(db, env, { workspaceId: caller.workspaceId, createdByUserId: caller.userId, kind: "classify_conversation", input });
}

function inputOf(job: JobRow): ClassifyInput {
  const input = JSON.parse(job.inputJson) as Partial<ClassifyInput>;
  if (typeof input.conversationId !== "number") throw new PermanentJobError("job input has no conversationId", "invalid_input");
  return { conversationId: input.conversationId, contactId: input.contactId, triggerKey: input.triggerKey ?? "request" };
}

/** What a run recorded, kept on the job so that a second run of the same job answers the same. */
function recordedOf(job: JobRow): unknown {
  if (!job.progressJson) return undefined;
  return (JSON.parse(job.progressJson) as { recorded?: unknown }).recorded;
}

/**
 * The `classify_conversation` job: read the conversation's latest messages and the workspace's
 * kinds, ask the Qualifier, and record its answer (source `ai`, confidence 0–100 in `score`) on
 * the conversation and its contact with an event each — in one batch guarded by the job's
 * `recorded` mark, which the same batch sets, so two deliveries running at once write once. A
 * user's override stays in force; the AI row is history until the user clears theirs.
 */
export async function runClassification(ctx: JobContext, job: JobRow): Promise<JobOutcome> {
  const { db, env } = ctx;
  const previous = recordedOf(job);
  if (previous !== undefined) return { done: true, result: previous };
  const input = inputOf(job);
  const ws = job.workspaceId;

  const [conversation] = await db
    .select()
    .from(conversations)
    .where(and(eq(conversations.workspaceId, ws), eq(conversations.id, input.conversationId)));
  if (!conversation) throw new PermanentJobError(`conversation ${input.conversationId} not found`, "conversation_not_found");
  const contactId = conversation.contactId;
  const recent = await db
    .select({ authorKind: messages.authorKindKey, body: messages.body })
    .from(messages)
    .where(and(eq(messages.workspaceId, ws), eq(messages.conversationId, conversation.id)))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(RECENT_MESSAGES);
  recent.reverse();
  const base = { conversationId: conversation.id, contactId };
  if (!recent.some((m) => m.authorKind === "contact")) {
    return { done: true, result: { ...base, kindKey: null, recorded: false, skipped: "the contact has written nothing yet" } };
  }

  const qualifier = configuredQualifier(env);
  const kinds = await listQualificationKinds(db, ws);
  const classification = await qualifier.classify({ messages: recent, kinds });
  const score = Math.round(classification.confidence * 100);
  const summary = {
    ...base,
    kindKey: classification.kindKey,
    score,
    classifierKey: classification.classifier,
    ...(classification.fallback ? { fallback: classification.fallback } : {}),
    reasons: classification.reasons,
  };
  if (classification.kindKey === null) {
    return { done: true, result: { ...summary, recorded: false, skipped: "below the confidence floor" } };
  }

  const contact = contactId === null ? null : await getLiveContactOrNull(db, ws, contactId);
  const now = Date.now();
  const result = { ...summary, recorded: true };
  const notYet = sql`NOT EXISTS (SELECT 1 FROM ${jobs} WHERE ${jobs.id} = ${job.id} AND ${jobs.progressJson} ->> '$.recorded' IS NOT NULL)`;
  await rawBatch(db, [
    ...aiQualificationStatements(db, {
      workspaceId: ws,
      conversationId: conversation.id,
      contactId: contact?.id ?? null,
      kindKey: classification.kindKey,
      score,
      details: { classifierKey: classification.classifier, jobId: job.id },
      guard: notYet,
      before: { conversation: conversation.qualification, contact: contact?.qualification ?? null },
      now,
    }),
    sql`UPDATE ${jobs} SET progress_json = json_set(coalesce(${jobs.progressJson}, '{}'), '$.recorded', json(${JSON.stringify(result)}))
        WHERE ${jobs.id} = ${job.id} AND ${jobs.progressJson} ->> '$.recorded' IS NULL`,
  ]);
  const [after] = await db
    .select({ recorded: sql<string>`${jobs.progressJson} ->> '$.recorded'` })
    .from(jobs)
    .where(eq(jobs.id, job.id));
  // Another delivery of this job may have recorded first: answer what was recorded.
  return { done: true, result: after?.recorded ? (JSON.parse(after.recorded) as unknown) : result };
}

/** The classifier the settings ask for; a malformed setting fails the job, naming the setting. */
function configuredQualifier(env: Bindings) {
  try {
    return qualifierFor(env);
  } catch (error) {
    if (error instanceof QualifierSettingError) throw new PermanentJobError(error.message, "invalid_setting");
    throw error;
  }
}

/** The contact to qualify with its conversation: a merged-away contact is not written to. */
async function getLiveContactOrNull(db: Db, workspaceId: number, contactId: number) {
  try {
    return await getLiveContact(db, workspaceId, contactId);
  } catch (error) {
    if (error instanceof AppError) return null;
    throw error;
  }
}

export interface AiSuggestion {
  kindKey: string;
  /** 0–1. */
  confidence: number;
  createdAt: number;
}

const suggestion = (row: { kindKey: string | null; score: number | null; createdAt: number } | null): AiSuggestion | null =>
  row && row.kindKey ? { kindKey: row.kindKey, confidence: (row.score ?? 0) / 100, createdAt: row.createdAt } : null;

/** What the AI last said of a conversation (shown to reps beside their own choice), or null. */
export async function aiSuggestion(db: Db, workspaceId: number, conversationId: number): Promise<AiSuggestion | null> {
  return suggestion(await latestAiConversationQualification(db, workspaceId, conversationId));
}

/** What the AI last said of a contact, or null. */
export async function contactAiSuggestion(db: Db, workspaceId: number, contactId: number): Promise<AiSuggestion | null> {
  return suggestion(await latestAiContactQualification(db, workspaceId, contactId));
}
