import { z } from "@hono/zod-openapi";
import { createInsertSchema } from "drizzle-zod";
import { contacts, conversationStatuses, identityChannels } from "../../db/schema";

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => text(max).nullable().optional();

/** The writable columns, derived from the table; server-owned columns are left out. */
const contactColumns = createInsertSchema(contacts, {
  name: () => text(200),
  company: () => optionalText(200),
  segment: () => optionalText(100),
  role: () => optionalText(100),
  city: () => optionalText(100),
  state: () => optionalText(100),
}).pick({ name: true, company: true, segment: true, role: true, city: true, state: true });

export const IdentityInput = z.object({
  channelKey: z.enum(identityChannels),
  externalId: text(200),
  handle: optionalText(200),
});

export const CreateContactBody = contactColumns
  .extend({
    phone: z.string().trim().min(3).max(40).nullable().optional().openapi({
      description: "Any common spelling; stored as E.164 using the workspace's default country",
      example: "+1 (415) 555-0100",
    }),
    email: z.string().trim().pipe(z.email().max(320)).nullable().optional(),
    identities: z.array(IdentityInput).max(20).optional(),
  })
  .openapi("CreateContact");

export const UpdateContactBody = CreateContactBody.omit({ identities: true })
  .partial()
  .refine((body) => Object.keys(body).length > 0, "give at least one field to change")
  .openapi("UpdateContact");

export const ContactSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    company: z.string().nullable(),
    segment: z.string().nullable(),
    role: z.string().nullable(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
    city: z.string().nullable(),
    state: z.string().nullable(),
    score: z.number().int().nullable().openapi({ description: "Effective score: latest user-set, else latest AI" }),
    qualification: z.string().nullable().openapi({ description: "Effective qualification kind key" }),
    mergedIntoId: z.number().int().nullable().openapi({ description: "Set on a tombstone: where the contact went" }),
    mergedAt: z.string().nullable(),
    unverifiedReason: z.string().nullable().openapi({
      description: "Set when the contact was opened for a sender the provider could not authenticate (e-mail failing DMARC); never matched to others by address",
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Contact");

export const IdentitySchema = z.object({
  id: z.number().int(),
  channelKey: z.enum(identityChannels),
  externalId: z.string(),
  handle: z.string().nullable(),
});

export const ContactDetailSchema = ContactSchema.extend({
  identities: z.array(IdentitySchema),
  pinSlot: z.number().int().nullable().openapi({ description: "The caller's pin slot for this contact" }),
  openDeals: z.array(
    z.object({
      id: z.number().int(),
      title: z.string().nullable(),
      pipelineId: z.number().int(),
      stageId: z.number().int(),
      amount: z.number().nullable(),
      currency: z.string(),
    }),
  ),
  lastConversation: z
    .object({ id: z.number().int(), statusKey: z.enum(conversationStatuses), lastMessageAt: z.string().nullable() })
    .nullable(),
}).openapi("ContactDetail");

export const contactSorts = ["name", "-name", "createdAt", "-createdAt", "updatedAt", "-updatedAt", "score", "-score"] as const;
export type ContactSort = (typeof contactSorts)[number];

const booleanQuery = z.enum(["true", "false"]).transform((v) => v === "true");

/** The contact filters, shared by the list and the export. */
export const ContactFilters = z.object({
  q: z.string().trim().max(200).optional().openapi({ description: "Word-prefix search over name, company, e-mail and phone" }),
  segment: z.string().max(100).optional(),
  role: z.string().max(100).optional(),
  company: z.string().max(200).optional(),
  city: z.string().max(100).optional(),
  state: z.string().max(100).optional(),
  minScore: z.coerce.number().int().min(1).max(5).optional(),
  qualification: z.string().max(50).optional(),
  pinned: booleanQuery.optional().openapi({ type: "string", enum: ["true", "false"], description: "Pinned by the caller" }),
});
export type ContactFilterInput = z.infer<typeof ContactFilters>;

export const MergeBody = z
  .object({ sourceIds: z.array(z.number().int().positive()).min(1).max(20) })
  .openapi("MergeContacts");

export const MergeResultSchema = z
  .object({
    dryRun: z.boolean(),
    target: ContactSchema,
    sourceIds: z.array(z.number().int()),
    moved: z.object({
      deals: z.number().int(),
      conversations: z.number().int(),
      participations: z.number().int(),
      messages: z.number().int(),
      calls: z.number().int(),
      identities: z.number().int(),
      scores: z.number().int(),
      qualifications: z.number().int(),
      pins: z.number().int(),
    }),
  })
  .openapi("MergeResult");

export const DuplicateGroupSchema = z
  .object({
    matchOn: z.enum(["phone", "email"]),
    value: z.string(),
    contacts: z.array(ContactSchema),
  })
  .openapi("DuplicateGroup");
