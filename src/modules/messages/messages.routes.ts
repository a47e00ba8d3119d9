// Messages: a conversation's history, sending, the caller's unread messages, marking read.
import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, commonErrors, errorResponses, IdParams, jsonBody, jsonResponse } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { createRouter } from "../../lib/router";
import { MarkedReadSchema, MarkReadBatchBody, MessageSchema, PageQuery, SendMessageBody } from "./messages.schemas";
import { listMessages, listUnread, markRead, markReadBatch, sendMessage } from "./messages.service";

const tags = ["Messages"];

const listRoute = createRoute({
  method: "get",
  path: "/conversations/{id}/messages",
  tags,
  summary: "A conversation's messages, oldest first, with attachments, delivery status and the caller's read state",
  security: bearerSecurity,
  request: { params: IdParams, query: PageQuery },
  responses: { 200: jsonResponse(pageSchema(MessageSchema), "A page of messages"), ...commonErrors },
});

const sendRoute = createRoute({
  method: "post",
  path: "/conversations/{id}/messages",
  tags,
  summary:
    "Send a message. Default channel: the one the contact last wrote on (`internal` for direct conversations). External channels queue a delivery.",
  security: bearerSecurity,
  request: { params: IdParams, ...jsonBody(SendMessageBody) },
  responses: { 201: jsonResponse(MessageSchema, "The message"), ...commonErrors, ...errorResponses(415) },
});

const unreadRoute = createRoute({
  method: "get",
  path: "/messages/unread",
  tags,
  summary: "Messages the caller has not read, across conversations (by conversation, oldest first)",
  security: bearerSecurity,
  request: { query: PageQuery },
  responses: { 200: jsonResponse(pageSchema(MessageSchema), "A page of unread messages"), ...commonErrors },
});

const markReadRoute = createRoute({
  method: "post",
  path: "/messages/{id}/read",
  tags,
  summary: "Mark one message read for the caller",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: { 200: jsonResponse(MarkedReadSchema, "How many receipts changed"), ...commonErrors },
});

const markReadBatchRoute = createRoute({
  method: "post",
  path: "/messages/read",
  tags,
  summary: "Mark read: a list of message ids (≤ 200), or everything in a conversation up to a message",
  security: bearerSecurity,
  request: jsonBody(MarkReadBatchBody),
  responses: { 200: jsonResponse(MarkedReadSchema, "How many receipts changed"), ...commonErrors },
});

export const messagesRouter = createRouter()
  .openapi(listRoute, async (c) =>
    c.json(await listMessages(c.var.db, c.var.caller, c.req.valid("param").id, c.req.valid("query")), 200),
  )
  .openapi(sendRoute, async (c) =>
    c.json(await sendMessage(c.var.db, c.env, c.var.caller, c.req.valid("param").id, c.req.valid("json")), 201),
  )
  .openapi(unreadRoute, async (c) => c.json(await listUnread(c.var.db, c.var.caller, c.req.valid("query")), 200))
  .openapi(markReadRoute, async (c) => c.json(await markRead(c.var.db, c.var.caller, c.req.valid("param").id), 200))
  .openapi(markReadBatchRoute, async (c) =>
    c.json(await markReadBatch(c.var.db, c.var.caller, c.req.valid("json")), 200),
  );
