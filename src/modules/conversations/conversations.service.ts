// Conversations: open one for a contact or between two users, the inbox list, detail, status and
// participants. A `direct` conversation is private to its two users; everyone else gets a 404.
import { and, asc, count, desc, eq, inArray, ne, notInArray, type SQL, sql } from "drizzle-orm";
import type { BatchItem, Db } from "../../db/client";
import { isUniqueViolation } from "../../db/constraints";
import {
  calls,
  contacts,
  conversationParticipants,
  conversations,
  conversationStatuses,
  messageReceipts,
  messages,
  users,
} from "../../db/schema";
import type { Caller } from "../../env";
import { chunks } from "../../lib/chunks";
import { AppError, invalidField, notFound } from "../../lib/errors";
import { type CursorValue, decodeCursor, keysetAfter, page } from "../../lib/pagination";
import { iso, isoOrNull } from "../../lib/time";
import { getLiveContact, toContactDto } from "../contacts/contacts.service";
import { append, appendIfChanged, newestId, payloadWithId } from "../events/event-log";
import { unreadBy } from "../messages/receipts";
import { getUser } from "../users/users.service";
import type { ConversationFilterInput } from "./conversations.schemas";

export type ConversationRow = typeof conversations.$inferSelect;
export type ConversationStatus = (typeof conversationStatuses)[number];

/** Who looks: a user, or the system (`userId: null`: webhooks, jobs, the AI), which sees everything. */
export interface Viewer {
  workspaceId: number;
  userId: number | null;
}

export const toConversationDto = (c: ConversationRow) => ({
  id: c.id,
  kindKey: c.kindKey,
  statusKey: c.statusKey,
  contactId: c.contactId,
  lastChannelKey: c.lastChannelKey,
  lastMessageAt: isoOrNull(c.lastMessageAt),
  score: c.score,
  qualification: c.qualification,
  createdAt: iso(c.createdAt),
  updatedAt: iso(c.updatedAt),
});

/** `<low id>:<high id>`: the one key of the direct conversation between two users. */
export const directKeyOf = (a: number, b: number): string => (a < b ? `${a}:${b}` : `${b}:${a}`);

/** The two users of a direct conversation (participants of a direct conversation never change). */
const directUserIds = (c: ConversationRow): number[] => (c.directKey ?? "").split(":").map(Number);

export const canSee = (viewer: Viewer, c: ConversationRow): boolean =>
  viewer.userId === null || c.kindKey === "contact" || directUserIds(c).includes(viewer.userId);

const sameWorkspace = (workspaceId: number, id: number) =>
  and(eq(conversations.workspaceId, workspaceId), eq(conversations.id, id));

/** A conversation the viewer may see; another workspace's, or someone else's direct one, is 404. */
export async function findConversation(db: Db, viewer: Viewer, id: number): Promise<ConversationRow> {
  const [row] = await db.select().from(conversations).where(sameWorkspace(viewer.workspaceId, id));
  if (!row || !canSee(viewer, row)) throw notFound("conversation");
  return row;
}

/** A contact's conversation (its id may be `newestId(contacts)`: created in the same batch), or two users' direct one. */
type Opening = { kind: "contact"; contactId: number | SQL } | { kind: "direct"; userIds: [number, number] };

/**
 * The statements that open a conversation: the row (returned), its participants and
 * `conversation.opened`. Later statements of the batch name it as `newestId(conversations)`.
 */
export function openingStatements(
  db: Db,
  workspaceId: number,
  actorUserId: number | null,
  opening: Opening,
  now: number,
): [BatchItem, ...BatchItem[]] {
  const conversationId = newestId(conversations);
  const participant = { workspaceId, conversationId, createdAt: now, updatedAt: now };
  return [
    db
      .insert(conversations)
      .values({
        workspaceId,
        kindKey: opening.kind,
        statusKey: "open",
        contactId: opening.kind === "contact" ? opening.contactId : null,
        directKey: opening.kind === "direct" ? directKeyOf(...opening.userIds) : null,
        createdAt: now,
        updatedAt: now,
      })
      .returning(),
    db
      .insert(conversationParticipants)
      .values(
        opening.kind === "contact"
          ? [{ ...participant, actorKindKey: "contact" as const, contactId: opening.contactId }]
          : opening.userIds.map((userId) => ({ ...participant, actorKindKey: "user" as const, userId })),
      ),
    append(db, {
      workspaceId,
      typeKey: "conversation.opened",
      entityTypeKey: "conversation",
      entityId: conversationId,
      actorUserId,
      payload: opening.kind === "contact" ? payloadWithId({ kindKey: "contact" }, "contactId", opening.contactId) : { kindKey: "direct", userIds: opening.userIds },
      createdAt: now,
    }),
  ];
}

/** The contact's conversation that is not closed (the database allows at most one). */
export async function findActiveForContact(db: Db, workspaceId: number, contactId: number): Promise<ConversationRow | undefined> {
  const [row] = await db
    .select()
    .from(conversations)
    .where(and(eq(conversations.workspaceId, workspaceId), eq(conversations.contactId, contactId), ne(conversations.statusKey, "closed")));
  return row;
}

const CONTACT_ACTIVE_INDEX = "conversations.workspace_id, conversations.contact_id";
const DIRECT_INDEX = "conversations.workspace_id, conversations.direct_key";

/**
 * `openForContact`: the contact's open (or pending) conversation, else a new one. Two callers
 * racing to open are arbitrated by the unique index: the loser reads the winner's.
 */
export async function openForContact(db: Db, caller: Caller, contactId: number) {
  await getLiveContact(db, caller.workspaceId, contactId);
  for (let attempt = 0; ; attempt++) {
    const existing = await findActiveForContact(db, caller.workspaceId, contactId);
    if (existing) return { conversation: existing, created: false };
    try {
      const opening = openingStatements(db, caller.workspaceId, caller.userId, { kind: "contact", contactId }, Date.now());
      const [[row]] = (await db.batch(opening)) as [ConversationRow[]];
      return { conversation: row!, created: true };
    } catch (error) {
      if (attempt > 0 || !isUniqueViolation(error, CONTACT_ACTIVE_INDEX)) throw error;
    }
  }
}

/** `openDirect`: the one direct conversation between the caller and `userId`. */
export async function openDirect(db: Db, caller: Caller, userId: number) {
  if (userId === caller.userId) throw invalidField("body.userId", "a direct conversation needs another user");
  await getUser(db, caller, userId);
  const directKey = directKeyOf(caller.userId, userId);
  for (let attempt = 0; ; attempt++) {
    const [existing] = await db
      .select()
      .from(conversations)
      .where(and(eq(conversations.workspaceId, caller.workspaceId), eq(conversations.directKey, directKey)));
    if (existing) return { conversation: existing, created: false };
    try {
      const opening = openingStatements(db, caller.workspaceId, caller.userId, { kind: "direct", userIds: [caller.userId, userId] }, Date.now());
      const [[row]] = (await db.batch(opening)) as [ConversationRow[]];
      return { conversation: row!, created: true };
    } catch (error) {
      if (attempt > 0 || !isUniqueViolation(error, DIRECT_INDEX)) throw error;
    }
  }
}

/** SQL: the conversations `userId` may see (every contact conversation, their own direct ones). */
function visibleTo(db: Db, workspaceId: number, userId: number): SQL {
  const mine = db
    .select({ id: conversationParticipants.conversationId })
    .from(conversationParticipants)
    .where(and(eq(conversationParticipants.workspaceId, workspaceId), eq(conversationParticipants.userId, userId)));
  return sql`(${conversations.kindKey} = 'contact' OR ${inArray(conversations.id, mine)})`;
}

/** The inbox: newest activity first (conversations without messages yet come last, newest first). */
export async function listConversations(db: Db, caller: Caller, opts: ConversationFilterInput) {
  const ws = caller.workspaceId;
  const conditions: SQL[] = [eq(conversations.workspaceId, ws), visibleTo(db, ws, caller.userId)];
  if (opts.statusKey) conditions.push(eq(conversations.statusKey, opts.statusKey));
  if (opts.kindKey) conditions.push(eq(conversations.kindKey, opts.kindKey));
  if (opts.contactId) conditions.push(eq(conversations.contactId, opts.contactId));
  if (opts.unread !== undefined) {
    const unread = db.select({ id: messageReceipts.conversationId }).from(messageReceipts).where(unreadBy(caller));
    conditions.push(opts.unread ? inArray(conversations.id, unread) : notInArray(conversations.id, unread));
  }
  if (opts.cursor) {
    const [lastMessageAt, id] = decodeCursor(opts.cursor, 2);
    if (typeof id !== "number") throw new AppError("invalid_cursor", "cursor is not one this list handed out");
    conditions.push(keysetAfter(conversations.lastMessageAt, conversations.id, "desc", lastMessageAt as CursorValue, id));
  }
  const rows = await db
    .select()
    .from(conversations)
    .where(and(...conditions))
    .orderBy(desc(conversations.lastMessageAt), desc(conversations.id))
    .limit(opts.limit + 1);
  const result = page(rows, opts.limit, (row) => [row.lastMessageAt, row.id]);
  return { data: await summarize(db, caller, result.data), nextCursor: result.nextCursor };
}

/** A page of conversations with each one's contact or peer, last message and the caller's unread count. */
async function summarize(db: Db, caller: Caller, rows: ConversationRow[]) {
  const ws = caller.workspaceId;
  const lastMessages: (typeof messages.$inferSelect)[] = [];
  const unread = new Map<number, number>();
  for (const part of chunks(rows.map((r) => r.id))) {
    // One index seek per conversation. Spelled out because drizzle leaves the columns of a
    // one-table select unqualified, and the correlation needs `conversations.id`.
    const lastIds = db
      .select({
        id: sql<number>`(SELECT max(m.id) FROM messages AS m WHERE m.workspace_id = ${ws} AND m.conversation_id = conversations.id)`,
      })
      .from(conversations)
      .where(and(eq(conversations.workspaceId, ws), inArray(conversations.id, part)));
    const [last, counts] = await db.batch([
      db.select().from(messages).where(and(eq(messages.workspaceId, ws), inArray(messages.id, lastIds))),
      db
        .select({ conversationId: messageReceipts.conversationId, n: count() })
        .from(messageReceipts)
        .where(and(unreadBy(caller), inArray(messageReceipts.conversationId, part)))
        .groupBy(messageReceipts.conversationId),
    ]);
    lastMessages.push(...last);
    for (const c of counts) unread.set(c.conversationId, c.n);
  }
  const contactIds = [...new Set(rows.flatMap((r) => (r.contactId === null ? [] : [r.contactId])))];
  const peerOf = (r: ConversationRow) => directUserIds(r).find((id) => id !== caller.userId) ?? null;
  const peerIds = [...new Set(rows.flatMap((r) => (r.kindKey === "direct" ? [peerOf(r)!] : [])))];
  const names = new Map<string, string>();
  for (const part of chunks(contactIds)) {
    const found = await db.select({ id: contacts.id, name: contacts.name }).from(contacts).where(and(eq(contacts.workspaceId, ws), inArray(contacts.id, part)));
    for (const c of found) names.set(`contact:${c.id}`, c.name);
  }
  for (const part of chunks(peerIds)) {
    const found = await db.select({ id: users.id, name: users.name }).from(users).where(and(eq(users.workspaceId, ws), inArray(users.id, part)));
    for (const u of found) names.set(`user:${u.id}`, u.name);
  }
  const byConversation = new Map(lastMessages.map((m) => [m.conversationId, m]));
  const ref = (kind: string, id: number | null) => (id === null ? null : { id, name: names.get(`${kind}:${id}`) ?? "" });
  return rows.map((row) => {
    const last = byConversation.get(row.id);
    return {
      ...toConversationDto(row),
      contact: ref("contact", row.contactId),
      peer: row.kindKey === "direct" ? ref("user", peerOf(row)) : null,
      lastMessage: last
        ? {
            id: last.id,
            authorKindKey: last.authorKindKey,
            authorUserId: last.authorUserId,
            authorContactId: last.authorContactId,
            channelKey: last.channelKey,
            kindKey: last.kindKey,
            body: last.body,
            createdAt: iso(last.createdAt),
          }
        : null,
      unreadCount: unread.get(row.id) ?? 0,
    };
  });
}

function participantsQuery(db: Db, workspaceId: number, conversationId: number) {
  return db
    .select({
      participant: conversationParticipants,
      name: sql<string>`coalesce(${users.name}, ${contacts.name}, '')`,
    })
    .from(conversationParticipants)
    .leftJoin(users, eq(users.id, conversationParticipants.userId))
    .leftJoin(contacts, eq(contacts.id, conversationParticipants.contactId))
    .where(and(eq(conversationParticipants.workspaceId, workspaceId), eq(conversationParticipants.conversationId, conversationId)))
    .orderBy(asc(conversationParticipants.id));
}

const toParticipantDto = ({ participant: p, name }: { participant: typeof conversationParticipants.$inferSelect; name: string }) => ({
  id: p.id,
  actorKindKey: p.actorKindKey,
  userId: p.userId,
  contactId: p.contactId,
  name,
  createdAt: iso(p.createdAt),
});

export async function getConversationDetail(db: Db, caller: Caller, id: number) {
  const conversation = await findConversation(db, caller, id);
  const ws = caller.workspaceId;
  const [participants, contact, messageCount, unreadCount, callCount] = await db.batch([
    participantsQuery(db, ws, id),
    db
      .select()
      .from(contacts)
      .where(and(eq(contacts.workspaceId, ws), eq(contacts.id, conversation.contactId ?? 0))),
    db.select({ n: count() }).from(messages).where(and(eq(messages.workspaceId, ws), eq(messages.conversationId, id))),
    db
      .select({ n: count() })
      .from(messageReceipts)
      .where(and(unreadBy(caller), eq(messageReceipts.conversationId, id))),
    db.select({ n: count() }).from(calls).where(and(eq(calls.workspaceId, ws), eq(calls.conversationId, id))),
  ]);
  return {
    ...toConversationDto(conversation),
    participants: participants.map(toParticipantDto),
    contact: contact[0] ? toContactDto(contact[0]) : null,
    counts: { messages: messageCount[0]?.n ?? 0, unread: unreadCount[0]?.n ?? 0, calls: callCount[0]?.n ?? 0 },
  };
}

/**
 * `setStatus`. Reopening a contact's closed conversation while the contact has another one open
 * is a 409 (one active conversation per contact).
 */
export async function setConversationStatus(db: Db, viewer: Viewer, id: number, status: ConversationStatus): Promise<ConversationRow> {
  for (;;) {
    const before = await findConversation(db, viewer, id);
    if (before.statusKey === status) return before;
    const now = Date.now();
    try {
      const [[after]] = await db.batch([
        db
          .update(conversations)
          .set({ statusKey: status, updatedAt: now })
          .where(and(sameWorkspace(viewer.workspaceId, id), eq(conversations.statusKey, before.statusKey)))
          .returning(),
        appendIfChanged(db, {
          workspaceId: viewer.workspaceId,
          typeKey: "conversation.status_changed",
          entityTypeKey: "conversation",
          entityId: id,
          actorUserId: viewer.userId,
          payload: { before: before.statusKey, after: status },
          createdAt: now,
        }),
      ]);
      // Nothing changed: someone else moved it first; look again.
      if (after) return after;
    } catch (error) {
      if (!isUniqueViolation(error, CONTACT_ACTIVE_INDEX)) throw error;
      const active = await findActiveForContact(db, viewer.workspaceId, before.contactId!);
      throw new AppError("conflict", `contact ${before.contactId} already has conversation ${active?.id} open`, [
        { path: "body.statusKey", message: "another conversation of this contact is open", conversationId: active?.id },
      ]);
    }
  }
}

/** Add a user or a contact; adding one already there answers the existing participant. */
export async function addParticipant(db: Db, caller: Caller, id: number, who: { userId?: number; contactId?: number }) {
  const conversation = await findConversation(db, caller, id);
  if (conversation.kindKey === "direct") {
    throw new AppError("conflict", "a direct conversation is between its two users; open a contact conversation instead");
  }
  const ws = caller.workspaceId;
  if (who.userId !== undefined) await getUser(db, caller, who.userId);
  if (who.contactId !== undefined) await getLiveContact(db, ws, who.contactId);
  const actor =
    who.userId !== undefined
      ? { actorKindKey: "user" as const, userId: who.userId, contactId: null }
      : { actorKindKey: "contact" as const, userId: null, contactId: who.contactId! };
  const now = Date.now();
  const [inserted] = await db.batch([
    db
      .insert(conversationParticipants)
      .values({ workspaceId: ws, conversationId: id, ...actor, createdAt: now, updatedAt: now })
      .onConflictDoNothing()
      .returning(),
    appendIfChanged(db, {
      workspaceId: ws,
      typeKey: "conversation.participant_added",
      entityTypeKey: "conversation",
      entityId: id,
      actorUserId: caller.userId,
      payload: actor,
      createdAt: now,
    }),
  ]);
  const created = inserted.length > 0;
  const [row] = (await participantsQuery(db, ws, id)).filter(({ participant: p }) =>
    actor.userId !== null ? p.userId === actor.userId : p.contactId === actor.contactId,
  );
  return { participant: toParticipantDto(row!), created };
}

export async function removeParticipant(db: Db, caller: Caller, id: number, participantId: number): Promise<void> {
  const conversation = await findConversation(db, caller, id);
  const ws = caller.workspaceId;
  const where = and(
    eq(conversationParticipants.workspaceId, ws),
    eq(conversationParticipants.conversationId, id),
    eq(conversationParticipants.id, participantId),
  );
  const [participant] = await db.select().from(conversationParticipants).where(where);
  if (!participant) throw notFound("participant");
  if (conversation.kindKey === "direct") throw new AppError("conflict", "a direct conversation keeps its two users");
  if (participant.contactId !== null && participant.contactId === conversation.contactId) {
    throw new AppError("conflict", "the conversation's own contact cannot be removed");
  }
  const now = Date.now();
  await db.batch([
    db.delete(conversationParticipants).where(where),
    appendIfChanged(db, {
      workspaceId: ws,
      typeKey: "conversation.participant_removed",
      entityTypeKey: "conversation",
      entityId: id,
      actorUserId: caller.userId,
      payload: { participantId, actorKindKey: participant.actorKindKey, userId: participant.userId, contactId: participant.contactId },
      createdAt: now,
    }),
  ]);
}
