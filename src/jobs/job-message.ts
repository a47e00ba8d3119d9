// Queue messages are a typed union and carry ids only (never payloads): a job message names its
// Job row, a task message the rows its handler re-reads, so a message is tiny and a redelivery
// sees the current state.
import type { JobKind } from "../db/schema";

interface BaseMessage<K extends JobKind> {
  kind: K;
  jobId: number;
  workspaceId: number;
}

export type DeliverMessageJob = BaseMessage<"deliver_message">;
export type ClassifyConversationJob = BaseMessage<"classify_conversation">;
/** Big imports and exports run as a chain of messages, one chunk each. */
export type ImportContactsJob = BaseMessage<"import_contacts"> & { chunk: number };
export type ExportContactsJob = BaseMessage<"export_contacts"> & { chunk: number };

export type JobMessage = DeliverMessageJob | ClassifyConversationJob | ImportContactsJob | ExportContactsJob;

export type JobMessageOf<K extends JobKind> = Extract<JobMessage, { kind: K }>;

/**
 * Background work that is not a Job of the domain model (whose kinds are fixed): no Job row, no
 * status to show, just idempotent handlers retried with the same backoff.
 */
export type TaskMessage =
  /** Download the files of an inbound message from its provider into R2 as its attachments. */
  | { task: "channel.fetch_media"; workspaceId: number; messageId: number }
  /** Tell the reps with a receipt for an inbound message about it, in their linked chat apps. */
  | { task: "notify_reps"; workspaceId: number; messageId: number };

export type TaskName = TaskMessage["task"];
export type TaskMessageOf<T extends TaskName> = Extract<TaskMessage, { task: T }>;

/** Everything the jobs queue carries. */
export type QueueMessage = JobMessage | TaskMessage;

export const isTaskMessage = (message: Message<QueueMessage>): message is Message<TaskMessage> => "task" in message.body;
