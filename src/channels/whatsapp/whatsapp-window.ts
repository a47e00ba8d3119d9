// WhatsApp's 24-hour customer-service window: free-form messages (text, media) may only be sent
// within 24 hours of the contact's last message to the number; templates may be sent at any time.
// Our own messages do not reopen it. Per conversation and per number: a contact who wrote to
// another of the workspace's numbers opened that number's window, not this one's.
import { and, eq, max } from "drizzle-orm";
import type { Db } from "../../db/client";
import { messages } from "../../db/schema";
import { AppError } from "../../lib/errors";

export const WINDOW_MS = 24 * 60 * 60 * 1000;

/** When the contact last wrote in this conversation through this connection (their clock, as Meta reports it). */
async function lastInboundAt(db: Db, conversation: { workspaceId: number; id: number }, connectionId: number): Promise<number | null> {
  const [row] = await db
    .select({ at: max(messages.createdAt) })
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, conversation.workspaceId),
        eq(messages.conversationId, conversation.id),
        eq(messages.channelKey, "whatsapp"),
        eq(messages.connectionId, connectionId),
        eq(messages.authorKindKey, "contact"),
      ),
    );
  return row?.at ?? null;
}

/** The reason a free-form message cannot go out now, or null while the window is open. */
export async function windowClosedReason(
  db: Db,
  conversation: { workspaceId: number; id: number },
  connection: { id: number; name: string },
  now = Date.now(),
): Promise<string | null> {
  const last = await lastInboundAt(db, conversation, connection.id);
  if (last === null) {
    return `the contact has not written to ${connection.name} in this conversation, so WhatsApp's 24-hour customer-service window is not open: send an approved template instead`;
  }
  const closesAt = last + WINDOW_MS;
  if (now < closesAt) return null;
  return `WhatsApp's 24-hour customer-service window closed at ${new Date(closesAt).toISOString()} (24 h after the contact's last message, ${new Date(last).toISOString()}): send an approved template instead`;
}

/** 409 outside_customer_window for a free-form send the window forbids. */
export async function assertWindowOpen(db: Db, conversation: { workspaceId: number; id: number }, connection: { id: number; name: string }): Promise<void> {
  const reason = await windowClosedReason(db, conversation, connection);
  if (reason) throw new AppError("outside_customer_window", reason);
}
