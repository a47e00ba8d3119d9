// Contacts and what hangs off them: identities, pins, scores, qualifications and the workspace's
// qualification kinds.
import { sql } from "drizzle-orm";
import {
  type AnySQLiteColumn,
  check,
  foreignKey,
  index,
  integer,
  sqliteTable,
  text,
  unique,
} from "drizzle-orm/sqlite-core";
import { channelConnections } from "./channels";
import { identityChannels, now, oneOf, sourceKeys } from "./keys";
import { users, workspaces } from "./workspaces";

/** An index column compared without regard to (ASCII) case. */
const nocase = (column: string) => sql`${sql.identifier(column)} COLLATE NOCASE`;

export const contacts = sqliteTable(
  "contacts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull().references(() => workspaces.id),
    name: text("name").notNull(),
    company: text("company"),
    segment: text("segment"),
    role: text("role"),
    /** E.164, normalised with the workspace's default country. */
    phone: text("phone"),
    /** Lower-cased. */
    email: text("email"),
    city: text("city"),
    state: text("state"),
    /**
     * Effective score and qualification (latest user-set row, else latest AI row), kept beside
     * the history tables so lists can filter and sort on them through an index.
     */
    score: integer("score"),
    qualification: text("qualification"),
    /** Set when this contact was merged away: the tombstone points at the survivor. */
    mergedIntoId: integer("merged_into_id").references((): AnySQLiteColumn => contacts.id),
    mergedAt: integer("merged_at"),
    createdAt: integer("created_at").notNull().$defaultFn(now),
    updatedAt: integer("updated_at").notNull().$defaultFn(now),
  },
  (t) => [
    unique("contacts_ws_id_uq").on(t.workspaceId, t.id),
    // Text filters and the name sort ignore case (ASCII), as people expect of a CRM list.
    index("contacts_ws_name_nocase_idx").on(t.workspaceId, nocase("name"), t.id),
    index("contacts_ws_created_idx").on(t.workspaceId, t.createdAt, t.id),
    index("contacts_ws_updated_idx").on(t.workspaceId, t.updatedAt, t.id),
    index("contacts_ws_phone_idx").on(t.workspaceId, t.phone),
    index("contacts_ws_email_idx").on(t.workspaceId, t.email),
    index("contacts_ws_segment_city_nocase_idx").on(t.workspaceId, nocase("segment"), nocase("city"), nocase("name")),
    index("contacts_ws_company_nocase_idx").on(t.workspaceId, nocase("company"), nocase("name")),
    index("contacts_ws_state_nocase_idx").on(t.workspaceId, nocase("state"), nocase("name")),
    index("contacts_ws_role_nocase_idx").on(t.workspaceId, nocase("role"), nocase("name")),
    index("contacts_ws_score_idx").on(t.workspaceId, t.score, t.id),
    index("contacts_ws_qualification_idx").on(t.workspaceId, t.qualification, t.name),
    check("contacts_score_ck", sql`${t.score} IS NULL OR ${t.score} BETWEEN 1 AND 5`),
    check("contacts_not_self_merged_ck", sql`${t.mergedIntoId} IS NULL OR ${t.mergedIntoId} <> ${t.id}`),
  ],
);

/** How a provider knows a contact: Telegram user id, WhatsApp id, e-mail address, … */
export const contactIdentities = sqliteTable(
  "contact_identities",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull(),
    contactId: integer("contact_id").notNull(),
    channelKey: text("channel_key", { enum: identityChannels }).notNull(),
    externalId: text("external_id").notNull(),
    /** Display handle where the provider has one (Telegram @username). */
    handle: text("handle"),
    /** The connection the contact last wrote in through: where replies on this channel go. */
    connectionId: integer("connection_id").references(() => channelConnections.id),
    /** Set while the contact refuses messages on this identity (SMS STOP, an e-mail complaint). */
    optedOutAt: integer("opted_out_at"),
    optOutReason: text("opt_out_reason"),
    createdAt: integer("created_at").notNull().$defaultFn(now),
    updatedAt: integer("updated_at").notNull().$defaultFn(now),
  },
  (t) => [
    foreignKey({ columns: [t.workspaceId, t.contactId], foreignColumns: [contacts.workspaceId, contacts.id] }),
    unique("contact_identities_ws_channel_external_uq").on(t.workspaceId, t.channelKey, t.externalId),
    index("contact_identities_contact_idx").on(t.workspaceId, t.contactId),
    check("contact_identities_channel_ck", oneOf(t.channelKey, identityChannels)),
  ],
);

export const qualificationKinds = sqliteTable(
  "qualification_kinds",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull().references(() => workspaces.id),
    key: text("key").notNull(),
    label: text("label").notNull(),
    sortIndex: integer("sort_index").notNull().default(0),
    createdAt: integer("created_at").notNull().$defaultFn(now),
    updatedAt: integer("updated_at").notNull().$defaultFn(now),
  },
  (t) => [
    unique("qualification_kinds_ws_key_uq").on(t.workspaceId, t.key),
    check("qualification_kinds_key_ck", sql`${t.key} GLOB '[a-z]*' AND ${t.key} NOT GLOB '*[^a-z0-9_]*'`),
  ],
);

export const contactPins = sqliteTable(
  "contact_pins",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull(),
    userId: integer("user_id").notNull(),
    contactId: integer("contact_id").notNull(),
    slot: integer("slot").notNull(),
    createdAt: integer("created_at").notNull().$defaultFn(now),
    updatedAt: integer("updated_at").notNull().$defaultFn(now),
  },
  (t) => [
    foreignKey({ columns: [t.workspaceId, t.userId], foreignColumns: [users.workspaceId, users.id] }),
    foreignKey({ columns: [t.workspaceId, t.contactId], foreignColumns: [contacts.workspaceId, contacts.id] }),
    unique("contact_pins_user_slot_uq").on(t.userId, t.slot),
    unique("contact_pins_user_contact_uq").on(t.userId, t.contactId),
    index("contact_pins_contact_idx").on(t.workspaceId, t.contactId),
    check("contact_pins_slot_ck", sql`${t.slot} BETWEEN 1 AND 5`),
  ],
);

export const contactScores = sqliteTable(
  "contact_scores",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull(),
    /** Null for scores set by the AI qualifier. */
    userId: integer("user_id"),
    contactId: integer("contact_id").notNull(),
    sourceKey: text("source_key", { enum: sourceKeys }).notNull(),
    value: integer("value").notNull(),
    createdAt: integer("created_at").notNull().$defaultFn(now),
    updatedAt: integer("updated_at").notNull().$defaultFn(now),
  },
  (t) => [
    foreignKey({ columns: [t.workspaceId, t.userId], foreignColumns: [users.workspaceId, users.id] }),
    foreignKey({ columns: [t.workspaceId, t.contactId], foreignColumns: [contacts.workspaceId, contacts.id] }),
    index("contact_scores_contact_idx").on(t.workspaceId, t.contactId, t.sourceKey, t.id),
    check("contact_scores_value_ck", sql`${t.value} BETWEEN 1 AND 5`),
    check("contact_scores_source_ck", oneOf(t.sourceKey, sourceKeys)),
    check("contact_scores_user_source_ck", sql`(${t.sourceKey} = 'user') = (${t.userId} IS NOT NULL)`),
  ],
);

export const contactQualifications = sqliteTable(
  "contact_qualifications",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: integer("workspace_id").notNull(),
    userId: integer("user_id"),
    contactId: integer("contact_id").notNull(),
    sourceKey: text("source_key", { enum: sourceKeys }).notNull(),
    /** Null only on a user row that clears the user's override. */
    kindKey: text("kind_key"),
    /** Confidence 0–100 of an AI classification; null for user rows. */
    score: integer("score"),
    createdAt: integer("created_at").notNull().$defaultFn(now),
    updatedAt: integer("updated_at").notNull().$defaultFn(now),
  },
  (t) => [
    foreignKey({ columns: [t.workspaceId, t.userId], foreignColumns: [users.workspaceId, users.id] }),
    foreignKey({ columns: [t.workspaceId, t.contactId], foreignColumns: [contacts.workspaceId, contacts.id] }),
    foreignKey({
      columns: [t.workspaceId, t.kindKey],
      foreignColumns: [qualificationKinds.workspaceId, qualificationKinds.key],
    }),
    index("contact_qualifications_contact_idx").on(t.workspaceId, t.contactId, t.sourceKey, t.id),
    check("contact_qualifications_source_ck", oneOf(t.sourceKey, sourceKeys)),
    check("contact_qualifications_user_source_ck", sql`(${t.sourceKey} = 'user') = (${t.userId} IS NOT NULL)`),
    check("contact_qualifications_clear_ck", sql`${t.kindKey} IS NOT NULL OR ${t.sourceKey} = 'user'`),
    check("contact_qualifications_score_ck", sql`${t.score} IS NULL OR ${t.score} BETWEEN 0 AND 100`),
  ],
);
