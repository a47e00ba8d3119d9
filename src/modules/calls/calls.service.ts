// Calls in a conversation: start (a logged call until a channel's adapter can place one), the
// status state machine, end, list with durations.
import { and, desc, eq, lt } from "drizzle-orm";
import type { CallChannel } from "../../channels/channel-adapter";
import type { Db } from "../../db/client";
import { callKinds, calls, type CallStatus, conversations } from "../../db/schema";
import type { Caller } from "../../env";
import { AppError, invalidField, notFound } from "../../lib/errors";
import { decodeIntCursor, page } from "../../lib/pagination";
import { iso, isoOrNull } from "../../lib/time";
import { canSee, findConversation, type Viewer } from "../conversations/conversations.service";
import { append, appendIfChanged, newestId } from "../events/event-log";

export type CallRow = typeof calls.$inferSelect;

/**
 * initiated → ringing → connected → ended; missed and failed from initiated or ringing. A
 * provider may skip `ringing`. Nothing leaves ended, missed or failed.
 */
const NEXT: Record<CallStatus, readonly CallStatus[]> = {
  initiated: ["ringing", "connected", "missed", "failed"],
  ringing: ["connected", "missed", "failed"],
  connected: ["ended"],
  ended: [],
  missed: [],
  failed: [],
};

export const isFinal = (status: CallStatus): boolean => NEXT[status].length === 0;

export const durationSeconds = (c: Pick<CallRow, "connectedAt" | "endedAt">): number | null =>
  c.connectedAt !== null && c.endedAt !== null ? Math.round((c.endedAt - c.connectedAt) / 1000) : null;

export const toCallDto = (c: CallRow) => ({
  id: c.id,
  conversationId: c.conversationId,
  startedByUserId: c.startedByUserId,
  startedByContactId: c.startedByContactId,
  channelKey: c.channelKey,
  kindKey: c.kindKey,
  statusKey: c.statusKey,
  externalId: c.externalId,
  startedAt: iso(c.startedAt),
  connectedAt: isoOrNull(c.connectedAt),
  endedAt: isoOrNull(c.endedAt),
  durationSeconds: durationSeconds(c),
  createdAt: iso(c.createdAt),
  updatedAt: iso(c.updatedAt),
});

/** A conversation's calls, newest first. */
export async function listCalls(db: Db, caller: Caller, conversationId: number, opts: { limit: number; cursor?: string }) {
  await findConversation(db, caller, conversationId);
  const before = opts.cursor ? decodeIntCursor(opts.cursor, 1)[0] : undefined;
  const rows = await db
    .select()
    .from(calls)
    .where(
      and(
        eq(calls.workspaceId, caller.workspaceId),
        eq(calls.conversationId, conversationId),
        before === undefined ? undefined : lt(calls.id, before),
      ),
    )
    .orderBy(desc(calls.id))
    .limit(opts.limit + 1);
  const result = page(rows, opts.limit, (c) => [c.id]);
  return { data: result.data.map(toCallDto), nextCursor: result.nextCursor };
}

/**
 * `start`: the caller starts a call. No channel has a calling provider yet, so the call is
 * logged (`initiated`) and its progress reported through `updateStatus`/`end`.
 */
export async function startCall(
  db: Db,
  caller: Caller,
  conversationId: number,
  input: { channelKey: CallChannel; kindKey: (typeof callKinds)[number] },
): Promise<CallRow> {
  const conversation = await findConversation(db, caller, conversationId);
  if (conversation.kindKey === "direct" && input.channelKey !== "internal") {
    throw invalidField("body.channelKey", "a direct conversation between users calls internally");
  }
  const now = Date.now();
  const [[call]] = await db.batch([
    db
      .insert(calls)
      .values({
        workspaceId: caller.workspaceId,
        conversationId,
        startedByUserId: caller.userId,
        channelKey: input.channelKey,
        kindKey: input.kindKey,
        statusKey: "initiated",
        startedAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .returning(),
    append(db, {
      workspaceId: caller.workspaceId,
      typeKey: "call.started",
      entityTypeKey: "call",
      entityId: newestId(calls),
      actorUserId: caller.userId,
      payload: { conversationId, channelKey: input.channelKey, kindKey: input.kindKey },
      createdAt: now,
    }),
  ]);
  return call!;
}

async function findCall(db: Db, viewer: Viewer, id: number): Promise<CallRow> {
  const [row] = await db
    .select({ call: calls, conversation: conversations })
    .from(calls)
    .innerJoin(conversations, and(eq(conversations.workspaceId, calls.workspaceId), eq(conversations.id, calls.conversationId)))
    .where(and(eq(calls.workspaceId, viewer.workspaceId), eq(calls.id, id)));
  if (!row || !canSee(viewer, row.conversation)) throw notFound("call");
  return row.call;
}

/**
 * Move a call to `status` (setting connectedAt/endedAt). The same status again is a no-op; an
 * illegal move is a 409. Reaching a final status records `call.ended`, any other move
 * `call.status_changed`: one event per transition.
 */
export async function transitionCall(db: Db, viewer: Viewer, id: number, status: CallStatus): Promise<CallRow> {
  for (;;) {
    const call = await findCall(db, viewer, id);
    if (call.statusKey === status) return call;
    if (!NEXT[call.statusKey].includes(status)) {
      throw new AppError("conflict", `a ${call.statusKey} call cannot become ${status}`, [
        { path: "body.statusKey", message: `allowed from ${call.statusKey}: ${NEXT[call.statusKey].join(", ") || "nothing"}` },
      ]);
    }
    const now = Date.now();
    const after = {
      statusKey: status,
      connectedAt: status === "connected" ? now : call.connectedAt,
      endedAt: isFinal(status) ? now : call.endedAt,
    };
    const [[updated]] = await db.batch([
      db
        .update(calls)
        .set({ ...after, updatedAt: now })
        .where(and(eq(calls.workspaceId, viewer.workspaceId), eq(calls.id, id), eq(calls.statusKey, call.statusKey)))
        .returning(),
      appendIfChanged(db, {
        workspaceId: viewer.workspaceId,
        typeKey: isFinal(status) ? "call.ended" : "call.status_changed",
        entityTypeKey: "call",
        entityId: id,
        actorUserId: viewer.userId,
        payload: { before: call.statusKey, after: status, ...(isFinal(status) ? { durationSeconds: durationSeconds(after) } : {}) },
        createdAt: now,
      }),
    ]);
    // Nothing changed: a concurrent update got there first; judge the move again.
    if (updated) return updated;
  }
}

/** `end`: hang up. A connected call is ended; one never answered (initiated, ringing) is missed. */
export async function endCall(db: Db, viewer: Viewer, id: number): Promise<CallRow> {
  const call = await findCall(db, viewer, id);
  if (isFinal(call.statusKey)) throw new AppError("conflict", `the call is already ${call.statusKey}`);
  return transitionCall(db, viewer, id, call.statusKey === "connected" ? "ended" : "missed");
}
