import { z } from "@hono/zod-openapi";
import { createInsertSchema } from "drizzle-zod";
import { actorKinds, conversationKinds, conversations, conversationStatuses, messageChannels } from "../../db/schema";
import { cursorQuery, limitQuery } from "../../lib/pagination";
import { ContactSchema } from "../contacts/contacts.schemas";
import { MessageSchema } from "../messages/messages.schemas";

const positiveId = z.number().int().positive();

export const ConversationSchema = z
  .object({
    id: z.number().int(),
    kindKey: z.enum(conversationKinds),
    statusKey: z.enum(conversationStatuses),
    contactId: z.number().int().nullable().openapi({ description: "The contact of a `contact` conversation" }),
    lastChannelKey: z.enum(messageChannels).nullable().openapi({ description: "Channel the contact last wrote on: where replies go by default" }),
    lastMessageAt: z.string().nullable(),
    score: z.number().int().nullable().openapi({ description: "Effective score: latest user-set, else latest AI" }),
    qualification: z.string().nullable().openapi({ description: "Effective qualification kind key" }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Conversation");

const NamedRef = z.object({ id: z.number().int(), name: z.string() });

export const ConversationListItemSchema = ConversationSchema.extend({
  contact: NamedRef.nullable(),
  peer: NamedRef.nullable().openapi({ description: "The other user of a `direct` conversation" }),
  lastMessage: MessageSchema.pick({
    id: true,
    authorKindKey: true,
    authorUserId: true,
    authorContactId: true,
    channelKey: true,
    kindKey: true,
    body: true,
    createdAt: true,
  }).nullable(),
  unreadCount: z.number().int().openapi({ description: "Messages unread by the caller" }),
}).openapi("ConversationListItem");

export const ParticipantSchema = z
  .object({
    id: z.number().int(),
    actorKindKey: z.enum(actorKinds),
    userId: z.number().int().nullable(),
    contactId: z.number().int().nullable(),
    name: z.string(),
    createdAt: z.string(),
  })
  .openapi("ConversationParticipant");

export const ConversationDetailSchema = ConversationSchema.extend({
  participants: z.array(ParticipantSchema),
  contact: ContactSchema.nullable(),
  counts: z.object({
    messages: z.number().int(),
    unread: z.number().int().openapi({ description: "Messages unread by the caller" }),
    calls: z.number().int(),
  }),
}).openapi("ConversationDetail");

export const ConversationFilters = z.object({
  statusKey: z.enum(conversationStatuses).optional(),
  kindKey: z.enum(conversationKinds).optional(),
  contactId: z.coerce.number().int().positive().optional(),
  unread: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional()
    .openapi({ type: "string", enum: ["true", "false"], description: "Only conversations with (or without) messages unread by the caller" }),
  limit: limitQuery,
  cursor: cursorQuery,
});
export type ConversationFilterInput = z.infer<typeof ConversationFilters>;

export const OpenDirectBody = z.object({ userId: positiveId }).openapi("OpenDirectConversation");

export const StatusBody = createInsertSchema(conversations)
  .pick({ statusKey: true })
  .required()
  .openapi("SetConversationStatus");

export const AddParticipantBody = z
  .object({ userId: positiveId.optional(), contactId: positiveId.optional() })
  .refine((b) => (b.userId === undefined) !== (b.contactId === undefined), {
    message: "give exactly one of userId and contactId",
    path: ["userId"],
  })
  .openapi("AddParticipant");

export const ParticipantParams = z.object({
  id: z.coerce.number().int().positive().openapi({ param: { name: "id", in: "path" }, example: 1 }),
  participantId: z.coerce.number().int().positive().openapi({ param: { name: "participantId", in: "path" }, example: 1 }),
});
