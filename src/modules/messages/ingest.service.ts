// `ingestInbound`: a provider's message from a contact lands in the inbox. Idempotent on
// (connection, externalId): a webhook retried five times is one message with one set of
// receipts. The sender is found by channel identity (or phone/e-mail), else created; their open
// conversation is used, a closed one reopened, or a new one opened. The connection it came
// through is remembered on the message, the identity and the conversation: replies leave by it.
import { and, desc, eq, isNull, ne, or, type SQL, sql } from "drizzle-orm";
import type { IdentityChannel, InboundMessage } from "../../channels/channel-adapter";
import type { BatchItem, Db } from "../../db/client";
import { isNotNullViolation, isUniqueViolation } from "../../db/constraints";
import { chatLinks, contactIdentities, contacts, conversations, messages, workspaces } from "../../db/schema";
import type { Bindings } from "../../env";
import { type OutboxRow, outboxInsert, sendOutboxRows } from "../../jobs/outbox";
import { AppError } from "../../lib/errors";
import { normalizeEmail, normalizePhone } from "../../lib/phone";
import { createContact, type CreateContactInput, findContact, findIdentityOwner, newContactStatements } from "../contacts/contacts.service";
import { type ConversationRow, findActiveForContact, openingStatements } from "../conversations/conversations.service";
import { append, appendIfChanged, newestId, payloadWithId } from "../events/event-log";
import { inboundClassificationStatement, queueInboundClassifications } from "../qualification/classification.service";
import type { MessageRow } from "./message-access";
import { receiptsStatement } from "./receipts";

export interface IngestInput extends InboundMessage {
  workspaceId: number;
  /** The provider account it came through; null only for messages no connection received. */
  connectionId?: number | null;
}

export interface IngestResult {
  /** False when this (channel, externalId) was stored before: nothing was written. */
  created: boolean;
  message: MessageRow;
}

/** Concurrent deliveries of one webhook race on unique indexes; the loser looks again. */
const MAX_TRIES = 3;

/**
 * Store the message together with the queue work that follows it — its files' download,
 * `notify_reps` (reps hear of it in their chat apps; automatic mail and workspaces where nobody
 * linked a chat app notify nobody) and its conversation's debounced classification — as outbox
 * rows in the same batch, then send them. Work stored with the message is never lost: what the
 * queue refuses, or a Worker that dies before sending leaves, the cron sends. A provider's retry
 * finds the message stored and queues nothing again.
 */
export async function ingestInbound(
  db: Db,
  env: Bindings,
  input: IngestInput,
  /** A webhook answers before the queue is told (`ctx.waitUntil`): the outbox makes that safe. */
  defer?: (work: Promise<unknown>) => void,
): Promise<IngestResult> {
  const { result, outbox, classifyJobIds } = await storeOnce(db, input);
  if (outbox.length > 0 || classifyJobIds.length > 0) {
    const send = Promise.all([
      outbox.length > 0 ? sendOutboxRows(db, env, outbox, Date.now()) : undefined,
      queueInboundClassifications(db, env, input.workspaceId, classifyJobIds),
    ]);
    if (defer) defer(send);
    else await send;
  }
  return result;
}

/**
 * A provider's message, by the id it gave it on a connection: the unique index's own expression (a
 * missing connection is 0 there), so the lookup is one index probe, not a scan of every message
 * the workspace received on the channel.
 */
export const byProviderId = (m: { workspaceId: number; channel: IdentityChannel; connectionId?: number | null; externalId: string }) =>
  and(
    eq(messages.workspaceId, m.workspaceId),
    eq(messages.channelKey, m.channel),
    sql`(CASE WHEN ${sql.identifier("connection_id")} IS NULL THEN 0 ELSE ${sql.identifier("connection_id")} END) = ${m.connectionId ?? 0}`,
    eq(messages.externalId, m.externalId),
  );

/** The sender's identity on this channel. */
const identityOf = (input: IngestInput) =>
  and(eq(contactIdentities.workspaceId, input.workspaceId), eq(contactIdentities.channelKey, input.channel), eq(contactIdentities.externalId, input.from.externalId));

/**
 * What ingesting needs to know before it writes, read in one round trip: the message if it was
 * stored before, the sender's contact by identity and their open conversation (the usual case:
 * someone who wrote before), whether anybody in the workspace linked a chat app, and the
 * workspace's country.
 */
interface Probe {
  existing: MessageRow | undefined;
  /** The live contact of the sender's identity (a merged one's survivor), if the identity is known. */
  knownContactId: number | undefined;
  /** The connection the sender's identity was last seen on (undefined: the identity is new). */
  identityConnectionId: number | null | undefined;
  /** That contact's conversation that is not closed; undefined when there is none. */
  active: ConversationRow | undefined;
  anyoneLinked: boolean;
  /** The workspace's country, for a stranger's phone number. */
  defaultCountry: string;
}

async function probe(db: Db, input: IngestInput): Promise<Probe> {
  const ws = input.workspaceId;
  const identity = identityOf(input);
  const ownerId = sql<number>`coalesce(${contacts.mergedIntoId}, ${contacts.id})`;
  const owner = db
    .select({ contactId: ownerId.as("owner_id") })
    .from(contactIdentities)
    .innerJoin(contacts, and(eq(contacts.workspaceId, contactIdentities.workspaceId), eq(contacts.id, contactIdentities.contactId)))
    .where(identity);
  const [existing, owners, active, linked, workspace] = await db.batch([
    db.select().from(messages).where(byProviderId(input)),
    db
      .select({ contactId: ownerId, connectionId: contactIdentities.connectionId })
      .from(contactIdentities)
      .innerJoin(contacts, and(eq(contacts.workspaceId, contactIdentities.workspaceId), eq(contacts.id, contactIdentities.contactId)))
      .where(identity),
    db
      .select()
      .from(conversations)
      .where(and(eq(conversations.workspaceId, ws), ne(conversations.statusKey, "closed"), sql`${conversations.contactId} = (${owner})`)),
    db.select({ id: chatLinks.id }).from(chatLinks).where(eq(chatLinks.workspaceId, ws)).limit(1),
    db.select({ defaultCountry: workspaces.defaultCountry }).from(workspaces).where(eq(workspaces.id, ws)),
  ]);
  if (!workspace[0]) throw new Error(`workspace ${ws} does not exist`);
  // An unverified sender is never matched by identity (see unverifiedContact).
  const known = input.from.unverified ? undefined : owners[0];
  return {
    existing: existing[0],
    knownContactId: known?.contactId,
    identityConnectionId: known?.connectionId,
    active: known === undefined ? undefined : active[0],
    anyoneLinked: linked.length > 0,
    defaultCountry: workspace[0].defaultCountry,
  };
}

async function storeOnce(db: Db, input: IngestInput): Promise<{ result: IngestResult } & Omit<Stored, "message">> {
  const stored = await storeFromKnownSender(db, input);
  if (stored) {
    const { message, ...queued } = stored;
    return { result: { created: true, message }, ...queued };
  }
  for (let attempt = 1; ; attempt++) {
    const known = await probe(db, input);
    if (known.existing) return { result: { created: false, message: known.existing }, outbox: [], classifyJobIds: [] };
    try {
      const { message, ...queued } = await storeInbound(db, input, known);
      return { result: { created: true, message }, ...queued };
    } catch (error) {
      const lostRace = isUniqueViolation(error) || (error instanceof AppError && error.code === "conflict");
      if (!lostRace || attempt >= MAX_TRIES) throw error;
    }
  }
}

/** The stored payload: the provider's, with the refs of the files still to fetch. */
function payloadJsonOf(input: IngestInput): string | null {
  if (!input.media?.length) return input.payload === undefined ? null : JSON.stringify(input.payload);
  const base = input.payload !== null && typeof input.payload === "object" && !Array.isArray(input.payload) ? input.payload : { provider: input.payload };
  return JSON.stringify({ ...base, media: input.media });
}

/** The conversation a provider's threading names, when it is this contact's. */
async function threadOf(db: Db, ws: number, contactId: number, conversationId: number | undefined) {
  if (conversationId === undefined) return undefined;
  const [thread] = await db
    .select()
    .from(conversations)
    .where(and(eq(conversations.workspaceId, ws), eq(conversations.id, conversationId), eq(conversations.contactId, contactId)));
  return thread;
}

/**
 * Where a contact's inbound activity lands: the conversation the provider's threading names (when
 * it is the contact's and not closed), else their open one, else their last one reopened, else a
 * new one. The statements (reopen or open, with events) go into the caller's batch;
 * `conversationId` is a SQL reference to the new row when one is opened.
 */
export async function contactConversation(
  db: Db,
  ws: number,
  contactId: number,
  threadId: number | undefined,
  now: number,
  reason: string,
  /** The contact's open conversation when the caller read it already (null: it has none). */
  knownActive?: ConversationRow | null,
): Promise<{ conversationId: number | SQL; statements: BatchItem[] }> {
  const statements: BatchItem[] = [];
  let conversationId: number | SQL;
  const active = knownActive === undefined ? await findActiveForContact(db, ws, contactId) : (knownActive ?? undefined);
  const thread = await threadOf(db, ws, contactId, threadId);
  if (thread && thread.statusKey !== "closed") {
    conversationId = thread.id;
  } else if (active) {
    conversationId = active.id;
  } else {
    const [closed] = thread
      ? [thread]
      : await db
          .select()
          .from(conversations)
          .where(and(eq(conversations.workspaceId, ws), eq(conversations.contactId, contactId)))
          .orderBy(desc(conversations.id))
          .limit(1);
    if (closed) {
      conversationId = closed.id;
      statements.push(
        db
          .update(conversations)
          .set({ statusKey: "open", updatedAt: now })
          .where(and(eq(conversations.workspaceId, ws), eq(conversations.id, closed.id), eq(conversations.statusKey, "closed"))),
        appendIfChanged(db, {
          workspaceId: ws,
          typeKey: "conversation.status_changed",
          entityTypeKey: "conversation",
          entityId: closed.id,
          actorUserId: null,
          payload: { before: "closed", after: "open", reason },
          createdAt: now,
        }),
      );
    } else {
      statements.push(...openingStatements(db, ws, null, { kind: "contact", contactId }, now));
      conversationId = newestId(conversations);
    }
  }

  return { conversationId, statements };
}

/**
 * The usual case in one round trip: someone who wrote before through this connection, with a
 * conversation that is not closed. The sender's contact and that conversation are read by the
 * batch itself (subqueries on the identity), so nothing is read first. When the sender is unknown or has no open conversation
 * the message's conversation is NULL and the NOT NULL constraint aborts the batch; a duplicate
 * aborts it on the unique index. Either way nothing was written and `probe` takes over (null).
 * Senders the provider could not authenticate and messages the provider threads (e-mail) always
 * take the probing road.
 */
async function storeFromKnownSender(db: Db, input: IngestInput): Promise<Stored | null> {
  if (input.from.unverified || input.conversationId !== undefined) return null;
  const ws = input.workspaceId;
  const owner = db
    .select({ contactId: sql<number>`coalesce(${contacts.mergedIntoId}, ${contacts.id})` })
    .from(contactIdentities)
    .innerJoin(contacts, and(eq(contacts.workspaceId, contactIdentities.workspaceId), eq(contacts.id, contactIdentities.contactId)))
    // Only while the identity was last seen on this connection: then it has nothing to remember.
    .where(and(identityOf(input), sql`${contactIdentities.connectionId} IS ${input.connectionId ?? null}`));
  const active = db
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.workspaceId, ws), ne(conversations.statusKey, "closed"), sql`${conversations.contactId} = (${owner})`));
  const newest = newestId(messages);
  try {
    return await storeMessage(db, input, {
      contactId: sql`(${owner})`,
      conversationId: sql`(${active})`,
      // Inside the batch, the new message's own conversation.
      storedConversationId: sql`(SELECT ${sql.identifier("conversation_id")} FROM ${messages} WHERE ${sql.identifier("id")} = ${newest})`,
      statements: [],
      // Drizzle parenthesises an embedded query itself.
      anyoneLinked: sql`EXISTS ${db.select({ id: chatLinks.id }).from(chatLinks).where(eq(chatLinks.workspaceId, ws))}`,
      identityConnectionId: input.connectionId ?? null,
    });
  } catch (error) {
    if (isUniqueViolation(error) || isNotNullViolation(error, "messages.conversation_id")) return null;
    throw error;
  }
}

/**
 * After probing: the sender's contact (by identity, else by phone or e-mail) and its conversation
 * found, reopened or opened; a stranger's new contact and first conversation are written in the
 * message's own batch.
 */
async function storeInbound(db: Db, input: IngestInput, known: Probe): Promise<Stored> {
  const ws = input.workspaceId;
  const now = Date.now();
  const placement = { anyoneLinked: known.anyoneLinked, identityConnectionId: known.identityConnectionId };
  const sender =
    known.knownContactId ??
    (input.from.unverified ? await unverifiedContact(db, input, input.from.unverified) : await contactByAddress(db, input, known.defaultCountry));
  if (typeof sender !== "number") {
    const contactId = newestId(contacts);
    const conversationId = newestId(conversations);
    const statements = [
      ...newContactStatements(db, { workspaceId: ws, userId: null, defaultCountry: known.defaultCountry }, sender, now),
      ...openingStatements(db, ws, null, { kind: "contact", contactId }, now),
    ];
    return storeMessage(db, input, { ...placement, contactId, conversationId, storedConversationId: conversationId, statements });
  }
  const knownActive = known.knownContactId === undefined ? undefined : (known.active ?? null);
  const { conversationId, statements } = await contactConversation(db, ws, sender, input.conversationId, now, "inbound message", knownActive);
  return storeMessage(db, input, { ...placement, contactId: sender, conversationId, storedConversationId: conversationId, statements });
}

interface Stored {
  message: MessageRow;
  /** What the batch wrote to the outbox, to send now. */
  outbox: OutboxRow[];
  /** The pending classification job the batch scheduled, if the slot was free: its message to send. */
  classifyJobIds: number[];
}

interface Placement {
  contactId: number | SQL;
  /** The conversation the message goes into (what the INSERT writes). */
  conversationId: number | SQL;
  /** The same conversation for the statements after the INSERT (it may be read from the message). */
  storedConversationId: number | SQL;
  /** What must run before the message: reopening or opening its conversation. */
  statements: BatchItem[];
  /** Whether anybody linked a chat app (known, or SQL the batch evaluates). */
  anyoneLinked: boolean | SQL;
  /** The connection the identity was last seen on, when read (undefined: unknown or new). */
  identityConnectionId: number | null | undefined;
}

/**
 * One batch: (re)open the conversation, the message and its receipts, the conversation's last
 * channel, connection and activity, the identity's connection, and the events. The message is a
 * plain INSERT, so a duplicate externalId makes the unique index abort the whole batch: no
 * second message, no second set of receipts, no reopened conversation, no event.
 */
async function storeMessage(db: Db, input: IngestInput, placement: Placement): Promise<Stored> {
  const ws = input.workspaceId;
  const connectionId = input.connectionId ?? null;
  const { contactId, storedConversationId: conversationId } = placement;
  const now = Date.now();
  const sentAt = input.sentAt ?? now;
  const statements = [...placement.statements];

  const messageIndex = statements.length;
  const messageId = newestId(messages);
  statements.push(
    db
      .insert(messages)
      .values({
        workspaceId: ws,
        conversationId: placement.conversationId,
        authorKindKey: "contact",
        authorContactId: contactId,
        channelKey: input.channel,
        kindKey: input.kind,
        body: input.body,
        payloadJson: payloadJsonOf(input),
        connectionId,
        externalId: input.externalId,
        createdAt: sentAt,
        updatedAt: now,
      })
      .returning(),
  );
  statements.push(
    receiptsStatement(db, { workspaceId: ws, conversationId, messageId, authorUserId: null, now }),
    db
      .update(conversations)
      .set({
        lastChannelKey: input.channel,
        lastConnectionId: connectionId,
        lastMessageAt: sql`max(coalesce(${conversations.lastMessageAt}, 0), ${sentAt})`,
        updatedAt: now,
      })
      .where(and(eq(conversations.workspaceId, ws), eq(conversations.id, conversationId))),
  );
  // The identity remembers the connection it was last seen on (for a new identity, the first).
  if (placement.identityConnectionId === undefined || placement.identityConnectionId !== connectionId) {
    statements.push(
      db
        .update(contactIdentities)
        .set({ connectionId, updatedAt: now })
        .where(and(identityOf(input), sql`${contactIdentities.connectionId} IS NOT ${connectionId}`)),
    );
  }
  const payload = { channelKey: input.channel, connectionId, externalId: input.externalId, ...(input.automatic ? { automatic: true } : {}) };
  statements.push(
    append(db, {
      workspaceId: ws,
      typeKey: "message.received",
      entityTypeKey: "message",
      entityId: messageId,
      actorUserId: null,
      payload: payloadWithId(payload, "contactId", contactId),
      createdAt: now,
    }),
  );
  // What follows the message, queued through the outbox in the same batch (and the classification job).
  const outboxFrom = statements.length;
  const task = (name: "channel.fetch_media" | "notify_reps", when?: SQL) =>
    outboxInsert(db, ws, sql`json_object('task', ${name}, 'workspaceId', ${ws}, 'messageId', ${messageId})`, now, { when });
  if (input.media?.length) statements.push(task("channel.fetch_media"));
  if (!input.automatic && placement.anyoneLinked !== false) {
    statements.push(task("notify_reps", placement.anyoneLinked === true ? undefined : placement.anyoneLinked));
  }
  const outboxTo = statements.length;
  if (!input.automatic) statements.push(inboundClassificationStatement(db, ws, conversationId, now));
  const results = (await db.batch(statements as [BatchItem, ...BatchItem[]])) as unknown[];
  return {
    message: (results[messageIndex] as MessageRow[])[0]!,
    outbox: results.slice(outboxFrom, outboxTo).flat() as OutboxRow[],
    classifyJobIds: results.slice(outboxTo).flatMap((rows) => (rows as { jobId: number }[]).map((r) => r.jobId)),
  };
}

/** The phone number a provider's sender id is, on channels whose ids are numbers. */
function senderPhone(channel: IdentityChannel, from: InboundMessage["from"], defaultCountry: string): string | null {
  const raw = from.phone ?? (channel === "sms" ? from.externalId : channel === "whatsapp" ? `+${from.externalId.replace(/^\+/, "")}` : null);
  return raw ? normalizePhone(raw, defaultCountry) : null;
}

function senderEmail(channel: IdentityChannel, from: InboundMessage["from"]): string | null {
  const raw = from.email ?? (channel === "email" ? from.externalId : null);
  return raw && raw.includes("@") ? normalizeEmail(raw) : null;
}

/**
 * The contact behind a sender: by channel identity; else a live contact with the same phone or
 * e-mail, which gains the identity; else a new contact carrying it.
 */
export async function resolveContact(db: Db, input: Pick<IngestInput, "workspaceId" | "channel" | "from">): Promise<number> {
  const ws = input.workspaceId;
  const { channel, from } = input;
  if (from.unverified) return unverifiedContact(db, input, from.unverified);
  const owner = await findIdentityOwner(db, ws, channel, from.externalId);
  if (owner !== null) {
    const contact = await findContact(db, ws, owner);
    return contact.mergedIntoId ?? contact.id;
  }
  const [workspace] = await db.select({ defaultCountry: workspaces.defaultCountry }).from(workspaces).where(eq(workspaces.id, ws));
  if (!workspace) throw new Error(`workspace ${ws} does not exist`);
  const sender = await contactByAddress(db, input, workspace.defaultCountry);
  if (typeof sender === "number") return sender;
  const [created] = (await db.batch(newContactStatements(db, { workspaceId: ws, userId: null, defaultCountry: workspace.defaultCountry }, sender, Date.now()))) as [
    { id: number }[],
  ];
  return created[0]!.id;
}

/**
 * A sender whose identity is new: the live contact with the same phone or e-mail gains the
 * identity (its id); when there is none, the new contact to create (normalized, carrying it).
 */
async function contactByAddress(db: Db, input: Pick<IngestInput, "workspaceId" | "channel" | "from">, defaultCountry: string): Promise<number | CreateContactInput> {
  const ws = input.workspaceId;
  const { channel, from } = input;
  const phone = senderPhone(channel, from, defaultCountry);
  const email = senderEmail(channel, from);
  const now = Date.now();

  if (phone || email) {
    const [known] = await db
      .select({ id: contacts.id })
      .from(contacts)
      .where(
        and(
          eq(contacts.workspaceId, ws),
          isNull(contacts.mergedIntoId),
          or(phone ? eq(contacts.phone, phone) : undefined, email ? eq(contacts.email, email) : undefined),
        ),
      )
      .orderBy(contacts.id)
      .limit(1);
    if (known) {
      await db.batch([
        db
          .insert(contactIdentities)
          .values({ workspaceId: ws, contactId: known.id, channelKey: channel, externalId: from.externalId, handle: from.handle ?? null, createdAt: now, updatedAt: now })
          .onConflictDoNothing(),
        appendIfChanged(db, {
          workspaceId: ws,
          typeKey: "contact.identity_added",
          entityTypeKey: "contact",
          entityId: known.id,
          actorUserId: null,
          payload: { channel, externalId: from.externalId, reason: "inbound message" },
          createdAt: now,
        }),
      ]);
      return known.id;
    }
  }

  const name = from.name?.trim() || from.handle?.trim() || phone || email || `${channel} ${from.externalId}`;
  return { name: name.slice(0, 200), phone, email, identities: [{ channelKey: channel, externalId: from.externalId, handle: from.handle ?? null }] };
}

/**
 * The contact of a sender the provider could not authenticate: the unverified contact kept for
 * this sender (by its `unverified:` identity), else a new one. Never a contact found by address —
 * and when that identity was merged into a contact a rep vouched for, still a new unverified one:
 * the merge vouched for the mail merged, not for whatever claims the address later.
 */
async function unverifiedContact(db: Db, input: Pick<IngestInput, "workspaceId" | "channel" | "from">, reason: string): Promise<number> {
  const ws = input.workspaceId;
  const { channel, from } = input;
  const externalId = `unverified:${from.externalId}`;
  const owner = await findIdentityOwner(db, ws, channel, externalId);
  if (owner !== null) {
    const contact = await findContact(db, ws, owner);
    const live = contact.mergedIntoId === null ? contact : await findContact(db, ws, contact.mergedIntoId);
    if (live.unverifiedReason) return live.id;
  }
  const [workspace] = await db.select({ defaultCountry: workspaces.defaultCountry }).from(workspaces).where(eq(workspaces.id, ws));
  if (!workspace) throw new Error(`workspace ${ws} does not exist`);
  const name = from.name?.trim() || from.handle?.trim() || from.email || from.externalId;
  const contact = await createContact(
    db,
    { workspaceId: ws, userId: null, defaultCountry: workspace.defaultCountry },
    {
      name: name.slice(0, 200),
      unverifiedReason: reason.slice(0, 500),
      identities: owner === null ? [{ channelKey: channel, externalId, handle: from.handle ?? from.externalId }] : [],
    },
  );
  return contact.id;
}
