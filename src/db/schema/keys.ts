// The closed vocabularies of the domain model (seed/domain-model.md); CHECKed in the database and
// reused by the zod schemas, so a key exists in exactly one place.
import { sql, type SQL } from "drizzle-orm";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";

export const userRoles = ["owner", "member"] as const;
export const authorKinds = ["user", "contact", "system"] as const;
export const messageChannels = ["internal", "email", "sms", "whatsapp", "telegram", "discord"] as const;
export const messageKinds = ["text", "media"] as const;
export const deliveryStatuses = ["queued", "sent", "delivered", "read", "failed"] as const;
export const receiptStatuses = ["unread", "read"] as const;
export const callChannels = ["internal", "whatsapp", "telegram", "phone"] as const;
export const callKinds = ["voice", "video"] as const;
export const callStatuses = ["initiated", "ringing", "connected", "ended", "missed", "failed"] as const;
export const dealStatuses = ["open", "won", "lost"] as const;
export const conversationKinds = ["contact", "direct"] as const;
export const conversationStatuses = ["open", "pending", "closed"] as const;
export const actorKinds = ["user", "contact"] as const;
export const sourceKeys = ["user", "ai"] as const;
export const jobKinds = ["deliver_message", "classify_conversation", "import_contacts", "export_contacts"] as const;
export const jobStatuses = ["queued", "running", "succeeded", "failed"] as const;
export const attachmentKinds = ["image", "video", "audio", "document"] as const;
export const chatPlatforms = ["telegram", "discord"] as const;
/** Channels a contact can be reached on through an identity (a provider-side id). */
export const identityChannels = ["email", "sms", "whatsapp", "telegram", "discord"] as const;
/** Channels that can be connected to a provider account. */
export const connectionChannels = ["telegram", "whatsapp", "sms", "email", "discord"] as const;

export type MessageChannel = (typeof messageChannels)[number];
export type DeliveryStatus = (typeof deliveryStatuses)[number];
export type CallStatus = (typeof callStatuses)[number];
export type JobKind = (typeof jobKinds)[number];
export type UserRole = (typeof userRoles)[number];

/** `column IN ('a','b')` for a CHECK constraint; the values are our own constants, never input. */
export function oneOf(column: AnySQLiteColumn, values: readonly string[]): SQL {
  return sql`${column} IN (${sql.raw(values.map((v) => `'${v}'`).join(", "))})`;
}

/** Milliseconds since the epoch: every stored time in Parley. */
export const now = (): number => Date.now();
