// /v1/channels: connect, list and disconnect provider accounts (owners manage them).
import { createRoute, z } from "@hono/zod-openapi";
import { assertOwner } from "../../middleware/auth";
import { bearerSecurity, commonErrors, errorResponses, IdParams, jsonBody, jsonResponse } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { ChannelSchema, ConnectChannelBody } from "./channels.schemas";
import { connectChannel, disconnectChannel, listChannels, toChannelDto } from "./channels.service";

const tags = ["Channels"];

const listRoute = createRoute({
  method: "get",
  path: "/channels",
  tags,
  summary: "The workspace's connected channels (never their credentials)",
  security: bearerSecurity,
  responses: { 200: jsonResponse(z.object({ data: z.array(ChannelSchema) }), "Channels"), ...commonErrors },
});

const connectRoute = createRoute({
  method: "post",
  path: "/channels",
  tags,
  summary:
    "Connect a provider account (owners): the provider checks the credentials, they are stored encrypted, and the answer lists the URLs to paste into the provider's console.",
  security: bearerSecurity,
  request: jsonBody(ConnectChannelBody),
  responses: {
    201: jsonResponse(ChannelSchema, "The connection"),
    ...commonErrors,
    ...errorResponses(403, 409),
    502: jsonResponse(z.object({ error: z.unknown() }), "The provider could not be reached"),
  },
});

const disconnectRoute = createRoute({
  method: "delete",
  path: "/channels/{id}",
  tags,
  summary: "Disconnect a channel (owners); what the provider can undo (Telegram's webhook) is undone",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: { 204: { description: "Disconnected" }, ...commonErrors, ...errorResponses(403) },
});

export const channelsRouter = createRouter()
  .openapi(listRoute, async (c) => {
    const rows = await listChannels(c.var.db, c.var.caller.workspaceId);
    return c.json({ data: rows.map((row) => toChannelDto(c.env, row)) }, 200);
  })
  .openapi(connectRoute, async (c) => {
    assertOwner(c.var.caller);
    const body = c.req.valid("json");
    const { connection, showOnce } = await connectChannel(c.var.db, c.env, c.var.caller, body);
    return c.json(toChannelDto(c.env, connection, showOnce), 201);
  })
  .openapi(disconnectRoute, async (c) => {
    assertOwner(c.var.caller);
    await disconnectChannel(c.var.db, c.env, c.var.caller, c.req.valid("param").id);
    return c.body(null, 204);
  });
