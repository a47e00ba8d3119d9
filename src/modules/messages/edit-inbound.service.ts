// `editInbound`: a contact changed a message they had sent (a provider's "edited message"). The
// stored message takes the new text; the old text is kept in a `message.edited` event; the reps'
// chat cards are redrawn. Idempotent and order-safe: an edit older than one already applied, or
// one that changes nothing, does nothing.
import { and, desc, eq, sql } from "drizzle-orm";
import type { IdentityChannel } from "../../channels/channel-adapter";
import type { Db } from "../../db/client";
import { conversations, events, messages } from "../../db/schema";
import type { Bindings } from "../../env";
import { enqueueTask } from "../../jobs/tasks";
import { appendIfChanged } from "../events/event-log";
import { byProviderId } from "./ingest.service";
import type { MessageRow } from "./message-access";

export interface EditInboundInput {
  workspaceId: number;
  channel: IdentityChannel;
  /** The provider's id of the message edited (as `ingestInbound` stored it). */
  externalId: string;
  /** The connection it came through: provider ids are unique per connection. */
  connectionId?: number | null;
  body: string;
  /** When the contact edited it, by the provider's clock. */
  editedAt: number;
}

export type EditInboundResult = { found: false } | { found: true; changed: boolean; message: MessageRow };

export async function editInbound(db: Db, env: Pick<Bindings, "JOBS" | "DB">, input: EditInboundInput): Promise<EditInboundResult> {
  const ws = input.workspaceId;
  const [message] = await db.select().from(messages).where(byProviderId(input));
  if (!message || message.authorKindKey !== "contact") return { found: false };
  const [newer] = await db
    .select({ id: events.id })
    .from(events)
    .where(
      and(
        eq(events.workspaceId, ws),
        eq(events.entityTypeKey, "message"),
        eq(events.entityId, message.id),
        eq(events.typeKey, "message.edited"),
        sql`json_extract(${events.payloadJson}, '$.editedAtMs') >= ${input.editedAt}`,
      ),
    )
    .orderBy(desc(events.id))
    .limit(1);
  if (newer || message.body === input.body) return { found: true, changed: false, message };

  const now = Date.now();
  const [[updated]] = await db.batch([
    // Conditional on the text read, so two edits racing each record the text they replaced.
    db
      .update(messages)
      .set({ body: input.body, updatedAt: now })
      .where(and(eq(messages.workspaceId, ws), eq(messages.id, message.id), eq(messages.body, message.body)))
      .returning(),
    appendIfChanged(db, {
      workspaceId: ws,
      typeKey: "message.edited",
      entityTypeKey: "message",
      entityId: message.id,
      actorUserId: null,
      payload: {
        conversationId: message.conversationId,
        channelKey: input.channel,
        before: { body: message.body },
        after: { body: input.body },
        editedAt: new Date(input.editedAt).toISOString(),
        editedAtMs: input.editedAt,
      },
      createdAt: now,
    }),
  ]);
  if (!updated) return { found: true, changed: false, message };
  const [conversation] = await db
    .select({ contactId: conversations.contactId })
    .from(conversations)
    .where(and(eq(conversations.workspaceId, ws), eq(conversations.id, message.conversationId)));
  if (conversation?.contactId != null) await enqueueTask(env, { task: "refresh_cards", workspaceId: ws, contactId: conversation.contactId });
  return { found: true, changed: true, message: updated };
}
