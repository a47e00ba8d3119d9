// Calls in a conversation: start (a logged call until a channel's adapter can place one), calls
// contacts place (`ingestInbound`, from a provider's webhook), the status state machine fed by
// users and by providers' progress reports, end, list with durations.
import { and, desc, eq, isNull, lt, or } from "drizzle-orm";
import type { CallChannel, CallUpdate, IdentityChannel, InboundCall } from "../../channels/channel-adapter";
import type { BatchItem, Db } from "../../db/client";
import { isUniqueViolation } from "../../db/constraints";
import { callKinds, calls, type CallStatus, conversations } from "../../db/schema";
import type { Caller } from "../../env";
import { AppError, invalidField, notFound } from "../../lib/errors";
import { decodeIntCursor, page } from "../../lib/pagination";
import { iso, isoOrNull } from "../../lib/time";
import { canSee, findConversation, type Viewer } from "../conversations/conversations.service";
import { append, appendIfChanged, newestId } from "../events/event-log";
import { contactConversation, resolveContact } from "../messages/ingest.service";

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

/** The times a move to `status` sets: when it connected, when it ended. */
function timesAfter(call: CallRow, status: CallStatus, reportedAt: number, durationSeconds?: number | null) {
  // A provider's clock may run behind ours: nothing happens to a call before it started.
  const at = Math.max(reportedAt, call.startedAt);
  let connectedAt = status === "connected" ? at : call.connectedAt;
  const endedAt = isFinal(status) ? at : call.endedAt;
  // A provider that reports the end with a duration says how long it was connected, even when its
  // "answered" report was lost or is still on its way.
  if (status === "ended" && durationSeconds) connectedAt = connectedAt ?? Math.max(call.startedAt, at - durationSeconds * 1000);
  return { statusKey: status, connectedAt, endedAt };
}

/**
 * One move of the state machine, conditional on the status it was judged from, with its event:
 * `call.ended` on reaching a final status, `call.status_changed` otherwise. Null when a concurrent
 * move got there first.
 */
async function moveCall(db: Db, call: CallRow, status: CallStatus, opts: { actorUserId: number | null; at: number; durationSeconds?: number | null }) {
  const after = timesAfter(call, status, opts.at, opts.durationSeconds);
  const now = Date.now();
  const [[updated]] = await db.batch([
    db
      .update(calls)
      .set({ ...after, updatedAt: now })
      .where(and(eq(calls.workspaceId, call.workspaceId), eq(calls.id, call.id), eq(calls.statusKey, call.statusKey)))
      .returning(),
    appendIfChanged(db, {
      workspaceId: call.workspaceId,
      typeKey: isFinal(status) ? "call.ended" : "call.status_changed",
      entityTypeKey: "call",
      entityId: call.id,
      actorUserId: opts.actorUserId,
      payload: { before: call.statusKey, after: status, ...(isFinal(status) ? { durationSeconds: durationSeconds(after) } : {}) },
      createdAt: now,
    }),
  ]);
  return updated ?? null;
}

/**
 * Move a call to `status` (setting connectedAt/endedAt). The same status again is a no-op; an
 * illegal move is a 409. One event per transition.
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
    // Nothing changed: a concurrent update got there first; judge the move again.
    const updated = await moveCall(db, call, status, { actorUserId: viewer.userId, at: Date.now() });
    if (updated) return updated;
  }
}

/** The identity channel a call's caller is known by: a phone number is the SMS identity. */
const callerIdentityChannel: Record<CallChannel, IdentityChannel | null> = { phone: "sms", whatsapp: "whatsapp", telegram: "telegram", internal: null };

/** A call of the connection by the provider's id (or of the workspace, for calls no connection placed). */
async function findProviderCall(db: Db, scope: { workspaceId: number; connectionId: number }, externalId: string) {
  const [row] = await db
    .select()
    .from(calls)
    .where(
      and(
        eq(calls.workspaceId, scope.workspaceId),
        eq(calls.externalId, externalId),
        or(eq(calls.connectionId, scope.connectionId), isNull(calls.connectionId)),
      ),
    )
    .orderBy(desc(calls.id))
    .limit(1);
  return row;
}

/**
 * A provider's progress report on a call it knows. Calls only move forward: a report the state
 * machine does not allow from where the call is (late, repeated, out of order) changes nothing.
 * An end reported for a call that never connected is a missed call, unless a duration says it did.
 */
export async function applyCallUpdate(db: Db, update: CallUpdate & { workspaceId: number; connectionId: number }): Promise<{ changed: boolean; call: CallRow | null }> {
  for (;;) {
    const call = await findProviderCall(db, update, update.externalId);
    if (!call) return { changed: false, call: null };
    const neverConnected = call.connectedAt === null && !update.durationSeconds;
    const status: CallStatus = update.status === "ended" && neverConnected ? "missed" : update.status;
    const allowed = NEXT[call.statusKey].includes(status) || (status === "ended" && !isFinal(call.statusKey) && !neverConnected);
    if (!allowed) return { changed: false, call };
    const moved = await moveCall(db, call, status, { actorUserId: null, at: update.at ?? Date.now(), durationSeconds: update.durationSeconds });
    if (moved) return { changed: true, call: moved };
  }
}

/**
 * `ingestInbound`: a contact calls in. The caller is found or created by their number (or
 * provider id), the call lands in their conversation. A provider's retry of the same call — or
 * a later report about it — moves it forward instead of making a second call.
 */
export async function ingestInboundCall(db: Db, input: InboundCall & { workspaceId: number; connectionId: number }): Promise<{ created: boolean; call: CallRow }> {
  const known = await findProviderCall(db, input, input.externalId);
  if (known) {
    const { call } = await applyCallUpdate(db, { ...input, externalId: input.externalId });
    return { created: false, call: call ?? known };
  }
  const identityChannel = callerIdentityChannel[input.channel];
  if (!identityChannel) throw new Error(`${input.channel} calls have no caller identity`);
  const ws = input.workspaceId;
  const contactId = await resolveContact(db, { workspaceId: ws, channel: identityChannel, from: input.from });
  const now = Date.now();
  const at = input.at ?? now;
  const { conversationId, statements } = await contactConversation(db, ws, contactId, undefined, now, "inbound call");
  const callIndex = statements.length;
  statements.push(
    db
      .insert(calls)
      .values({
        workspaceId: ws,
        conversationId,
        startedByContactId: contactId,
        channelKey: input.channel,
        kindKey: input.kind,
        statusKey: input.status,
        connectionId: input.connectionId,
        externalId: input.externalId,
        startedAt: at,
        connectedAt: input.status === "connected" ? at : null,
        endedAt: isFinal(input.status) ? at : null,
        payloadJson: input.payload === undefined ? null : JSON.stringify(input.payload),
        createdAt: now,
        updatedAt: now,
      })
      .returning(),
    append(db, {
      workspaceId: ws,
      typeKey: "call.received",
      entityTypeKey: "call",
      entityId: newestId(calls),
      actorUserId: null,
      payload: { contactId, channelKey: input.channel, kindKey: input.kind, connectionId: input.connectionId, externalId: input.externalId },
      createdAt: now,
    }),
  );
  try {
    const results = (await db.batch(statements as [BatchItem, ...BatchItem[]])) as unknown[];
    return { created: true, call: (results[callIndex] as CallRow[])[0]! };
  } catch (error) {
    // A concurrent delivery of the same webhook stored it first (the unique index): that one counts.
    if (!isUniqueViolation(error)) throw error;
    const stored = await findProviderCall(db, input, input.externalId);
    if (!stored) throw error;
    return { created: false, call: stored };
  }
}

/** `end`: hang up. A connected call is ended; one never answered (initiated, ringing) is missed. */
export async function endCall(db: Db, viewer: Viewer, id: number): Promise<CallRow> {
  const call = await findCall(db, viewer, id);
  if (isFinal(call.statusKey)) throw new AppError("conflict", `the call is already ${call.statusKey}`);
  return transitionCall(db, viewer, id, call.statusKey === "connected" ? "ended" : "missed");
}
