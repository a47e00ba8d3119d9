// Contacts: create, read, list with search/filters/sort, update, duplicate suggestions.
import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, ne, notInArray, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { BatchItem, Db } from "../../db/client";
import { contactIdentities, contactPins, contacts, conversations, deals } from "../../db/schema";
import type { Caller } from "../../env";
import { chunks } from "../../lib/chunks";
import { AppError, invalidField, notFound } from "../../lib/errors";
import { type CursorValue, decodeCursor, keysetAfter, page } from "../../lib/pagination";
import { normalizeEmail, normalizePhone } from "../../lib/phone";
import { iso, isoOrNull } from "../../lib/time";
import { append, newestId } from "../events/event-log";
import { contactMatchExpression } from "./contact-search";
import type { ContactFilterInput, ContactSort } from "./contacts.schemas";

export type ContactRow = typeof contacts.$inferSelect;

export const toContactDto = (c: ContactRow) => ({
  id: c.id,
  name: c.name,
  company: c.company,
  segment: c.segment,
  role: c.role,
  phone: c.phone,
  email: c.email,
  city: c.city,
  state: c.state,
  score: c.score,
  qualification: c.qualification,
  mergedIntoId: c.mergedIntoId,
  mergedAt: isoOrNull(c.mergedAt),
  unverifiedReason: c.unverifiedReason,
  createdAt: iso(c.createdAt),
  updatedAt: iso(c.updatedAt),
});

type ContactFields = Partial<Pick<ContactRow, "name" | "company" | "segment" | "role" | "phone" | "email" | "city" | "state">>;

/** Normalise phone (E.164) and e-mail (lower case); an unreadable phone is a 422 on `field`. */
export function normalizeContactFields<T extends ContactFields>(input: T, defaultCountry: string, pathPrefix = "body"): T {
  const out = { ...input };
  if (typeof input.phone === "string") {
    const phone = normalizePhone(input.phone, defaultCountry);
    if (!phone) throw invalidField(`${pathPrefix}.phone`, `"${input.phone}" is not a valid phone number for ${defaultCountry}`);
    out.phone = phone;
  }
  if (typeof input.email === "string") out.email = normalizeEmail(input.email);
  return out;
}

const active = (workspaceId: number) => and(eq(contacts.workspaceId, workspaceId), isNull(contacts.mergedIntoId));

/** Refuse a phone or e-mail that another live contact of the workspace already has. */
async function assertUnique(db: Db, workspaceId: number, fields: ContactFields, exceptId?: number): Promise<void> {
  const checks: [keyof ContactFields & ("phone" | "email"), string][] = [];
  if (fields.phone) checks.push(["phone", fields.phone]);
  if (fields.email) checks.push(["email", fields.email]);
  for (const [field, value] of checks) {
    const [clash] = await db
      .select({ id: contacts.id })
      .from(contacts)
      .where(and(active(workspaceId), eq(contacts[field], value), exceptId ? ne(contacts.id, exceptId) : undefined))
      .limit(1);
    if (clash) {
      throw new AppError("conflict", `contact ${clash.id} already has this ${field}`, [
        { path: `body.${field}`, message: `already used by contact ${clash.id}`, contactId: clash.id },
      ]);
    }
  }
}

type IdentityChannel = (typeof contactIdentities.$inferSelect)["channelKey"];

/** The contact a channel identity belongs to, if any. */
export async function findIdentityOwner(db: Db, workspaceId: number, channel: IdentityChannel, externalId: string): Promise<number | null> {
  const [row] = await db
    .select({ contactId: contactIdentities.contactId })
    .from(contactIdentities)
    .where(
      and(
        eq(contactIdentities.workspaceId, workspaceId),
        eq(contactIdentities.channelKey, channel),
        eq(contactIdentities.externalId, externalId),
      ),
    );
  return row?.contactId ?? null;
}

async function assertIdentitiesFree(db: Db, workspaceId: number, identities: { channelKey: IdentityChannel; externalId: string }[]) {
  const seen = new Set<string>();
  for (const [i, identity] of identities.entries()) {
    const key = `${identity.channelKey}\n${identity.externalId}`;
    if (seen.has(key)) throw invalidField(`body.identities.${i}.externalId`, `this ${identity.channelKey} identity is listed twice`);
    seen.add(key);
  }
  for (const [i, identity] of identities.entries()) {
    const owner = await findIdentityOwner(db, workspaceId, identity.channelKey, identity.externalId);
    if (owner !== null) {
      throw new AppError("conflict", `this ${identity.channelKey} identity belongs to contact ${owner}`, [
        { path: `body.identities.${i}.externalId`, message: `already used by contact ${owner}` },
      ]);
    }
  }
}

export interface CreateContactInput extends ContactFields {
  name: string;
  /** Set only by inbound mail whose sender could not be authenticated (see InboundSender.unverified). */
  unverifiedReason?: string | null;
  identities?: { channelKey: IdentityChannel; externalId: string; handle?: string | null }[];
}

/** Who creates a contact: a user, or the system (`userId: null`) when a stranger writes in. */
export type ContactAuthor = Pick<Caller, "workspaceId" | "defaultCountry"> & { userId: number | null };

export async function createContact(db: Db, caller: ContactAuthor, input: CreateContactInput): Promise<ContactRow> {
  const { identities = [], unverifiedReason = null, ...raw } = input;
  const fields = normalizeContactFields(raw, caller.defaultCountry);
  await assertUnique(db, caller.workspaceId, fields);
  await assertIdentitiesFree(db, caller.workspaceId, identities);
  const [inserted] = (await db.batch(newContactStatements(db, caller, { ...fields, identities, unverifiedReason }, Date.now()))) as [ContactRow[]];
  return inserted[0]!;
}

/**
 * The statements that create a contact whose fields are normalized and checked: the row
 * (returned), `contact.created` and its identities. Later statements of the batch name it
 * `newestId(contacts)`.
 */
export function newContactStatements(db: Db, caller: ContactAuthor, input: CreateContactInput, now: number): [BatchItem, ...BatchItem[]] {
  const { identities = [], unverifiedReason = null, ...fields } = input;
  const contactId = newestId(contacts);
  const statements: [BatchItem, ...BatchItem[]] = [
    db.insert(contacts).values({ ...fields, unverifiedReason, workspaceId: caller.workspaceId, createdAt: now, updatedAt: now }).returning(),
    append(db, {
      workspaceId: caller.workspaceId,
      typeKey: "contact.created",
      entityTypeKey: "contact",
      entityId: contactId,
      actorUserId: caller.userId,
      payload: { after: fields, ...(unverifiedReason ? { unverifiedReason } : {}) },
      createdAt: now,
    }),
  ];
  if (identities.length > 0) {
    statements.push(
      db.insert(contactIdentities).values(
        identities.map((identity) => ({
          workspaceId: caller.workspaceId,
          contactId,
          channelKey: identity.channelKey,
          externalId: identity.externalId,
          handle: identity.handle ?? null,
          createdAt: now,
          updatedAt: now,
        })),
      ),
    );
  }
  return statements;
}

/** Any contact of the workspace, tombstones included; another workspace's is 404. */
export async function findContact(db: Db, workspaceId: number, id: number): Promise<ContactRow> {
  const [row] = await db
    .select()
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, id)));
  if (!row) throw notFound("contact");
  return row;
}

/** A live contact: a merged one answers 409 naming where it went. */
export async function getLiveContact(db: Db, workspaceId: number, id: number): Promise<ContactRow> {
  const row = await findContact(db, workspaceId, id);
  if (row.mergedIntoId !== null) {
    throw new AppError("conflict", `contact ${id} was merged into contact ${row.mergedIntoId}`, [
      { path: "id", message: "merged", mergedIntoId: row.mergedIntoId },
    ]);
  }
  return row;
}

export async function getContactDetail(db: Db, caller: Caller, id: number) {
  const contact = await findContact(db, caller.workspaceId, id);
  const [identities, pins, openDeals, lastConversation] = await db.batch([
    db
      .select()
      .from(contactIdentities)
      .where(and(eq(contactIdentities.workspaceId, caller.workspaceId), eq(contactIdentities.contactId, id)))
      .orderBy(asc(contactIdentities.id)),
    db
      .select({ slot: contactPins.slot })
      .from(contactPins)
      .where(and(eq(contactPins.userId, caller.userId), eq(contactPins.contactId, id))),
    db
      .select()
      .from(deals)
      .where(and(eq(deals.workspaceId, caller.workspaceId), eq(deals.contactId, id), eq(deals.statusKey, "open")))
      .orderBy(desc(deals.id))
      .limit(50),
    db
      .select()
      .from(conversations)
      .where(and(eq(conversations.workspaceId, caller.workspaceId), eq(conversations.contactId, id)))
      .orderBy(desc(sql`coalesce(${conversations.lastMessageAt}, ${conversations.createdAt})`), desc(conversations.id))
      .limit(1),
  ]);
  const conversation = lastConversation[0];
  return {
    ...toContactDto(contact),
    identities: identities.map((i) => ({ id: i.id, channelKey: i.channelKey, externalId: i.externalId, handle: i.handle })),
    pinSlot: pins[0]?.slot ?? null,
    openDeals: openDeals.map((d) => ({
      id: d.id,
      title: d.title,
      pipelineId: d.pipelineId,
      stageId: d.stageId,
      amount: d.amountMinor === null ? null : d.amountMinor / 100,
      currency: d.currency,
    })),
    lastConversation: conversation
      ? { id: conversation.id, statusKey: conversation.statusKey, lastMessageAt: isoOrNull(conversation.lastMessageAt) }
      : null,
  };
}

const sortColumns: Record<string, SQLiteColumn> = {
  name: contacts.name,
  createdAt: contacts.createdAt,
  updatedAt: contacts.updatedAt,
  score: contacts.score,
};

const pinnedBy = (userId: number) =>
  sql`(SELECT ${contactPins.contactId} FROM ${contactPins} WHERE ${contactPins.userId} = ${userId})`;

/** The WHERE conditions of the contact filters (list and export share them). */
export function contactFilterConditions(caller: Caller, filters: ContactFilterInput): SQL[] {
  const conditions: SQL[] = [active(caller.workspaceId)!];
  if (filters.q) {
    const match = contactMatchExpression(filters.q, caller.defaultCountry);
    // A query of punctuation only matches nothing rather than everything.
    conditions.push(
      match ? sql`${contacts.id} IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ${match})` : sql`0`,
    );
  }
  for (const field of ["segment", "role", "company", "city", "state"] as const) {
    const value = filters[field];
    // Case-insensitive, through the NOCASE indexes.
    if (value !== undefined) conditions.push(sql`${contacts[field]} = ${value} COLLATE NOCASE`);
  }
  if (filters.minScore !== undefined) conditions.push(sql`${contacts.score} >= ${filters.minScore}`);
  if (filters.qualification !== undefined) conditions.push(eq(contacts.qualification, filters.qualification));
  if (filters.pinned !== undefined) {
    const mine = pinnedBy(caller.userId);
    conditions.push(filters.pinned ? inArray(contacts.id, mine) : notInArray(contacts.id, mine));
  }
  return conditions;
}

export type ContactListOptions = ContactFilterInput & { sort: ContactSort; limit: number; cursor?: string };

/** The list query itself (one page plus one row), exposed so benchmarks can time the same SQL raw. */
export function contactListQuery(db: Db, caller: Caller, opts: ContactListOptions) {
  const direction = opts.sort.startsWith("-") ? "desc" : "asc";
  const column = sortColumns[opts.sort.replace(/^-/, "")]!;
  const conditions = contactFilterConditions(caller, opts);
  if (opts.cursor) {
    const [value, id] = decodeCursor(opts.cursor, 2);
    if (typeof id !== "number") throw new AppError("invalid_cursor", "cursor is not one this list handed out");
    conditions.push(keysetAfter(column, contacts.id, direction, value as CursorValue, id, column === contacts.name));
  }
  const order = direction === "asc" ? asc : desc;
  // Names sort as people read them, regardless of case.
  const sortKey = column === contacts.name ? sql`${contacts.name} COLLATE NOCASE` : column;
  return db
    .select()
    .from(contacts)
    .where(and(...conditions))
    .orderBy(order(sortKey), order(contacts.id))
    .limit(opts.limit + 1);
}

export async function listContacts(db: Db, caller: Caller, opts: ContactListOptions) {
  const rows = await contactListQuery(db, caller, opts);
  const sortKey = opts.sort.replace(/^-/, "") as keyof ContactRow;
  const result = page(rows, opts.limit, (row) => [row[sortKey] as CursorValue, row.id]);
  return { data: result.data.map(toContactDto), nextCursor: result.nextCursor };
}

/** Update fields; `caller.userId` null is the system (a contact sharing their own phone number). */
export async function updateContact(db: Db, caller: ContactAuthor, id: number, input: ContactFields): Promise<ContactRow> {
  const before = await getLiveContact(db, caller.workspaceId, id);
  const fields = normalizeContactFields(input, caller.defaultCountry);
  await assertUnique(db, caller.workspaceId, fields, id);
  const changed = Object.fromEntries(
    Object.entries(fields).filter(([key, value]) => before[key as keyof ContactRow] !== value),
  ) as ContactFields;
  if (Object.keys(changed).length === 0) return before;
  const now = Date.now();
  const [updated] = await db.batch([
    db
      .update(contacts)
      .set({ ...changed, updatedAt: now })
      .where(and(eq(contacts.workspaceId, caller.workspaceId), eq(contacts.id, id)))
      .returning(),
    append(db, {
      workspaceId: caller.workspaceId,
      typeKey: "contact.updated",
      entityTypeKey: "contact",
      entityId: id,
      actorUserId: caller.userId,
      payload: {
        before: Object.fromEntries(Object.keys(changed).map((key) => [key, before[key as keyof ContactRow]])),
        after: changed,
      },
      createdAt: now,
    }),
  ]);
  return updated[0]!;
}

/**
 * Groups of live contacts sharing a normalised phone or e-mail: merge suggestions. Paged by
 * (matchOn, value).
 */
export async function listDuplicates(db: Db, caller: Caller, opts: { limit: number; cursor?: string }) {
  const [afterKind, afterValue] = opts.cursor ? decodeCursor(opts.cursor, 2) : ["", ""];
  const groupsFor = (field: "phone" | "email") =>
    db
      .select({ value: sql<string>`${contacts[field]}`.as("value"), ids: sql<string>`group_concat(${contacts.id})`.as("ids") })
      .from(contacts)
      .where(
        and(
          active(caller.workspaceId),
          isNotNull(contacts[field]),
          field === afterKind ? gt(contacts[field], String(afterValue)) : field < String(afterKind) ? sql`0` : undefined,
        ),
      )
      .groupBy(contacts[field])
      .having(sql`count(*) > 1`)
      .orderBy(asc(contacts[field]))
      .limit(opts.limit + 1);

  const groups: { matchOn: "phone" | "email"; value: string; ids: number[] }[] = [];
  for (const field of ["email", "phone"] as const) {
    if (groups.length > opts.limit) break;
    const rows = await groupsFor(field);
    for (const row of rows) groups.push({ matchOn: field, value: row.value, ids: row.ids.split(",").map(Number) });
  }
  const result = page(groups, opts.limit, (g) => [g.matchOn, g.value]);
  const ids = result.data.flatMap((g) => g.ids);
  const members: ContactRow[] = [];
  for (const part of chunks(ids)) {
    members.push(
      ...(await db
        .select()
        .from(contacts)
        .where(and(eq(contacts.workspaceId, caller.workspaceId), inArray(contacts.id, part)))),
    );
  }
  const byId = new Map(members.map((m) => [m.id, m]));
  return {
    data: result.data.map((g) => ({
      matchOn: g.matchOn,
      value: g.value,
      contacts: g.ids.sort((a, b) => a - b).map((id) => toContactDto(byId.get(id)!)),
    })),
    nextCursor: result.nextCursor,
  };
}

/** The phone number of the contact a conversation is with (for channels that reach contacts by number). */
export async function conversationContactPhone(db: Db, workspaceId: number, conversationId: number): Promise<string | null> {
  const [row] = await db
    .select({ phone: contacts.phone })
    .from(conversations)
    .innerJoin(contacts, and(eq(contacts.workspaceId, conversations.workspaceId), eq(contacts.id, conversations.contactId)))
    .where(and(eq(conversations.workspaceId, workspaceId), eq(conversations.id, conversationId)));
  return row?.phone ?? null;
}
