// Queue messages are a typed union by job kind, and carry ids only (never payloads): the
// consumer re-reads the Job row, so a message is tiny and a redelivery sees the current state.
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
