// Reading one message the way every module must: inside the workspace, and only where the
// viewer may see its conversation.
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { conversations, messages } from "../../db/schema";
import { notFound } from "../../lib/errors";
import { canSee, type Viewer } from "../conversations/conversations.service";

export type MessageRow = typeof messages.$inferSelect;

export async function findMessage(db: Db, viewer: Viewer, id: number): Promise<MessageRow> {
  const [row] = await db
    .select({ message: messages, conversation: conversations })
    .from(messages)
    .innerJoin(conversations, and(eq(conversations.workspaceId, messages.workspaceId), eq(conversations.id, messages.conversationId)))
    .where(and(eq(messages.workspaceId, viewer.workspaceId), eq(messages.id, id)));
  if (!row || !canSee(viewer, row.conversation)) throw notFound("message");
  return row.message;
}
