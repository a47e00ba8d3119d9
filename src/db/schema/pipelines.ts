// Pipelines, their ordered stages, and the deals that move through them.
import { sql } from "drizzle-orm";
import { check, foreignKey, index, integer, sqliteTable, text, unique } from "drizzle-orm/sqlite-core";
import { contacts } from "./contacts";
import { dealStatuses, now, oneOf } from "./keys";
import { workspaces } from "./workspaces";

export const pipelines = sqliteTable(
  "pipelines",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull().references(() => workspaces.id),
    name: text("name").notNull(),
    createdAt: integer("created_at").notNull().$defaultFn(now),
    updatedAt: integer("updated_at").notNull().$defaultFn(now),
  },
  (t) => [unique("pipelines_ws_id_uq").on(t.workspaceId, t.id)],
);

export const stages = sqliteTable(
  "stages",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull(),
    pipelineId: integer("pipeline_id").notNull(),
    name: text("name").notNull(),
    sortIndex: integer("sort_index").notNull(),
    createdAt: integer("created_at").notNull().$defaultFn(now),
    updatedAt: integer("updated_at").notNull().$defaultFn(now),
  },
  (t) => [
    foreignKey({ columns: [t.workspaceId, t.pipelineId], foreignColumns: [pipelines.workspaceId, pipelines.id] }),
    unique("stages_ws_id_uq").on(t.workspaceId, t.id),
    // Lets a deal's (pipeline, stage) pair be a foreign key: a deal can never sit in a stage of
    // another pipeline, whatever the code does.
    unique("stages_pipeline_id_uq").on(t.pipelineId, t.id),
    index("stages_pipeline_sort_idx").on(t.pipelineId, t.sortIndex),
  ],
);

export const deals = sqliteTable(
  "deals",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull(),
    contactId: integer("contact_id").notNull(),
    pipelineId: integer("pipeline_id").notNull(),
    stageId: integer("stage_id").notNull(),
    statusKey: text("status_key", { enum: dealStatuses }).notNull().default("open"),
    title: text("title"),
    /** Minor units (cents) of `currency`. */
    amountMinor: integer("amount_minor"),
    currency: text("currency").notNull().default("USD"),
    lostReason: text("lost_reason"),
    ownerUserId: integer("owner_user_id"),
    closedAt: integer("closed_at"),
    stageChangedAt: integer("stage_changed_at").notNull().$defaultFn(now),
    createdAt: integer("created_at").notNull().$defaultFn(now),
    updatedAt: integer("updated_at").notNull().$defaultFn(now),
  },
  (t) => [
    foreignKey({ columns: [t.workspaceId, t.contactId], foreignColumns: [contacts.workspaceId, contacts.id] }),
    foreignKey({ columns: [t.workspaceId, t.pipelineId], foreignColumns: [pipelines.workspaceId, pipelines.id] }),
    foreignKey({ columns: [t.pipelineId, t.stageId], foreignColumns: [stages.pipelineId, stages.id] }),
    index("deals_ws_pipeline_stage_idx").on(t.workspaceId, t.pipelineId, t.stageId, t.statusKey, t.id),
    index("deals_ws_contact_idx").on(t.workspaceId, t.contactId, t.statusKey),
    index("deals_ws_status_idx").on(t.workspaceId, t.statusKey, t.id),
    check("deals_status_ck", oneOf(t.statusKey, dealStatuses)),
    check("deals_amount_ck", sql`${t.amountMinor} IS NULL OR ${t.amountMinor} >= 0`),
    check("deals_closed_ck", sql`(${t.statusKey} = 'open') = (${t.closedAt} IS NULL)`),
  ],
);
