// The read side of the EventLog: an entity's timeline (listByEntity) and filtered lists.
// Writing stays in event-log.ts (`append`), inside each change's own batch.
import { and, desc, eq, gte, inArray, lt, or, type SQL } from "drizzle-orm";
import type { AnySQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "../../db/client";
import { calls, contacts, conversations, deals, deliveries, events, jobs, messages, pipelines, users } from "../../db/schema";
import type { Caller } from "../../env";
import { notFound } from "../../lib/errors";
import { decodeCursor, keysetAfter, page } from "../../lib/pagination";
import { iso } from "../../lib/time";

type EventRow = typeof events.$inferSelect;

export const toEventDto = (e: EventRow) => ({
  id: e.id,
  typeKey: e.typeKey,
  entityType: e.entityTypeKey,
  entityId: e.entityId,
  actorUserId: e.actorUserId,
  payload: e.payloadJson === null ? null : (JSON.parse(e.payloadJson) as unknown),
  createdAt: iso(e.createdAt),
});

type WorkspaceScopedTable = SQLiteTable & { id: AnySQLiteColumn; workspaceId: AnySQLiteColumn };

/**
 * Entity types whose rows a timeline request is checked against, so that asking for another
 * workspace's contact is a 404 like every other route. Other types are still listed, scoped to
 * the caller's workspace.
 */
const entityTables: Record<string, WorkspaceScopedTable> = {
  user: users,
  contact: contacts,
  pipeline: pipelines,
  deal: deals,
  conversation: conversations,
  message: messages,
  delivery: deliveries,
  call: calls,
  job: jobs,
};

async function assertEntityVisible(db: Db, caller: Caller, entityType: string, entityId: number): Promise<void> {
  if (entityType === "workspace") {
    if (entityId !== caller.workspaceId) throw notFound("workspace");
    return;
  }
  const table = entityTables[entityType];
  if (!table) return;
  const [row] = await db
    .select({ id: table.id })
    .from(table)
    .where(and(eq(table.workspaceId, caller.workspaceId), eq(table.id, entityId)));
  if (!row) throw notFound(entityType);
}

/** The events of an entity; a contact's timeline also holds the events of the deals it owns. */
function entityCondition(db: Db, caller: Caller, entityType: string, entityId: number): SQL {
  const own = and(eq(events.entityTypeKey, entityType), eq(events.entityId, entityId))!;
  if (entityType !== "contact") return own;
  return or(
    own,
    and(
      eq(events.entityTypeKey, "deal"),
      inArray(
        events.entityId,
        // Deals follow their contact through a merge, so this is "deals this contact now owns".
        db
          .select({ id: deals.id })
          .from(deals)
          .where(and(eq(deals.workspaceId, caller.workspaceId), eq(deals.contactId, entityId))),
      ),
    ),
  )!;
}

export interface EventFilters {
  entity?: { type: string; id: number };
  typeKey?: string;
  actorUserId?: number;
  /** Inclusive, ms. */
  from?: number;
  /** Exclusive, ms. */
  to?: number;
}

/** Newest first (createdAt, then id); keyset cursor over both. */
export async function listEvents(db: Db, caller: Caller, filters: EventFilters & { limit: number; cursor?: string }) {
  if (filters.entity) await assertEntityVisible(db, caller, filters.entity.type, filters.entity.id);
  const conditions: SQL[] = [eq(events.workspaceId, caller.workspaceId)];
  if (filters.entity) conditions.push(entityCondition(db, caller, filters.entity.type, filters.entity.id));
  if (filters.typeKey !== undefined) conditions.push(eq(events.typeKey, filters.typeKey));
  if (filters.actorUserId !== undefined) conditions.push(eq(events.actorUserId, filters.actorUserId));
  if (filters.from !== undefined) conditions.push(gte(events.createdAt, filters.from));
  if (filters.to !== undefined) conditions.push(lt(events.createdAt, filters.to));
  if (filters.cursor) {
    const [createdAt, id] = decodeCursor(filters.cursor, 2);
    conditions.push(keysetAfter(events.createdAt, events.id, "desc", Number(createdAt), Number(id)));
  }
  const rows = await db
    .select()
    .from(events)
    .where(and(...conditions))
    .orderBy(desc(events.createdAt), desc(events.id))
    .limit(filters.limit + 1);
  const result = page(rows, filters.limit, (e) => [e.createdAt, e.id]);
  return { data: result.data.map(toEventDto), nextCursor: result.nextCursor };
}

/** EventLog.listByEntity: the timeline of one contact, deal, conversation, … */
export function listByEntity(
  db: Db,
  caller: Caller,
  entity: { type: string; id: number },
  opts: { limit: number; cursor?: string },
) {
  return listEvents(db, caller, { entity, ...opts });
}
