// The append-only event stream: audit trail, timelines, counters and performance metrics.
// UPDATE and DELETE are refused by triggers (migrations/0001_*.sql).
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { now } from "./keys";
import { workspaces } from "./workspaces";

export const events = sqliteTable(
  "events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull().references(() => workspaces.id),
    /** `<entity>.<verb>`, e.g. `contact.created`, `deal.stage_changed`. */
    typeKey: text("type_key").notNull(),
    entityTypeKey: text("entity_type_key").notNull(),
    entityId: integer("entity_id").notNull(),
    /** Null for system and provider-driven events. No FK: the log must outlive anything it names. */
    actorUserId: integer("actor_user_id"),
    payloadJson: text("payload_json"),
    createdAt: integer("created_at").notNull().$defaultFn(now),
  },
  (t) => [
    index("events_entity_idx").on(t.workspaceId, t.entityTypeKey, t.entityId, t.id),
    index("events_type_time_idx").on(t.workspaceId, t.typeKey, t.createdAt),
    index("events_time_idx").on(t.workspaceId, t.createdAt),
    index("events_actor_time_idx").on(t.workspaceId, t.actorUserId, t.createdAt),
    // Counters per user and type (analytics): one covering range per (actor, type) cell.
    index("events_actor_type_time_idx").on(t.workspaceId, t.actorUserId, t.typeKey, t.createdAt),
  ],
);
