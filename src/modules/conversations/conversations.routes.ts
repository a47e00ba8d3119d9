// Conversations: open (for a contact, direct), the inbox list, detail, status, participants.
import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, commonErrors, errorResponses, IdParams, jsonBody, jsonResponse } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { createRouter } from "../../lib/router";
import {
  AddParticipantBody,
  ConversationDetailSchema,
  ConversationFilters,
  ConversationListItemSchema,
  ConversationSchema,
  OpenDirectBody,
  ParticipantParams,
  ParticipantSchema,
  StatusBody,
} from "./conversations.schemas";
import {
  addParticipant,
  getConversationDetail,
  listConversations,
  openDirect,
  openForContact,
  removeParticipant,
  setConversationStatus,
  toConversationDto,
} from "./conversations.service";

const tags = ["Conversations"];
const errors = { ...commonErrors, ...errorResponses(409) };

const openForContactRoute = createRoute({
  method: "post",
  path: "/contacts/{id}/conversations",
  tags,
  summary: "The contact's open (or pending) conversation, or a new one (201)",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: {
    200: jsonResponse(ConversationSchema, "The conversation the contact already had open"),
    201: jsonResponse(ConversationSchema, "A new conversation"),
    ...errors,
  },
});

const openDirectRoute = createRoute({
  method: "post",
  path: "/conversations/direct",
  tags,
  summary: "The one direct conversation between the caller and another user (201 when new)",
  security: bearerSecurity,
  request: jsonBody(OpenDirectBody),
  responses: {
    200: jsonResponse(ConversationSchema, "The existing direct conversation"),
    201: jsonResponse(ConversationSchema, "A new direct conversation"),
    ...commonErrors,
  },
});

const listRoute = createRoute({
  method: "get",
  path: "/conversations",
  tags,
  summary: "The inbox: latest activity first, each with its last message and the caller's unread count",
  security: bearerSecurity,
  request: { query: ConversationFilters },
  responses: { 200: jsonResponse(pageSchema(ConversationListItemSchema), "A page of conversations"), ...commonErrors },
});

const getRoute = createRoute({
  method: "get",
  path: "/conversations/{id}",
  tags,
  summary: "A conversation with participants, contact and counts",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: { 200: jsonResponse(ConversationDetailSchema, "The conversation"), ...commonErrors },
});

const statusRoute = createRoute({
  method: "put",
  path: "/conversations/{id}/status",
  tags,
  summary: "Set the status: open, pending or closed",
  security: bearerSecurity,
  request: { params: IdParams, ...jsonBody(StatusBody) },
  responses: { 200: jsonResponse(ConversationSchema, "The conversation"), ...errors },
});

const addParticipantRoute = createRoute({
  method: "post",
  path: "/conversations/{id}/participants",
  tags,
  summary: "Add a user or a contact (201; 200 when already a participant)",
  security: bearerSecurity,
  request: { params: IdParams, ...jsonBody(AddParticipantBody) },
  responses: {
    200: jsonResponse(ParticipantSchema, "Already a participant"),
    201: jsonResponse(ParticipantSchema, "Added"),
    ...errors,
  },
});

const removeParticipantRoute = createRoute({
  method: "delete",
  path: "/conversations/{id}/participants/{participantId}",
  tags,
  summary: "Remove a participant (not the conversation's own contact, not from a direct conversation)",
  security: bearerSecurity,
  request: { params: ParticipantParams },
  responses: { 204: { description: "Removed" }, ...errors },
});

export const conversationsRouter = createRouter()
  .openapi(openForContactRoute, async (c) => {
    const { conversation, created } = await openForContact(c.var.db, c.var.caller, c.req.valid("param").id);
    return created ? c.json(toConversationDto(conversation), 201) : c.json(toConversationDto(conversation), 200);
  })
  .openapi(openDirectRoute, async (c) => {
    const { conversation, created } = await openDirect(c.var.db, c.var.caller, c.req.valid("json").userId);
    return created ? c.json(toConversationDto(conversation), 201) : c.json(toConversationDto(conversation), 200);
  })
  .openapi(listRoute, async (c) => c.json(await listConversations(c.var.db, c.var.caller, c.req.valid("query")), 200))
  .openapi(getRoute, async (c) => c.json(await getConversationDetail(c.var.db, c.var.caller, c.req.valid("param").id), 200))
  .openapi(statusRoute, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(toConversationDto(await setConversationStatus(c.var.db, c.var.caller, id, c.req.valid("json").statusKey)), 200);
  })
  .openapi(addParticipantRoute, async (c) => {
    const { participant, created } = await addParticipant(c.var.db, c.var.caller, c.req.valid("param").id, c.req.valid("json"));
    return created ? c.json(participant, 201) : c.json(participant, 200);
  })
  .openapi(removeParticipantRoute, async (c) => {
    const { id, participantId } = c.req.valid("param");
    await removeParticipant(c.var.db, c.var.caller, id, participantId);
    return c.body(null, 204);
  });
