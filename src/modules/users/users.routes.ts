// Users (owners add them), `me`, and the caller's own API tokens.
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { workspaces } from "../../db/schema";
import { assertOwner } from "../../middleware/auth";
import { bearerSecurity, commonErrors, errorResponses, IdParams, jsonBody, jsonResponse } from "../../lib/openapi";
import { cursorQuery, limitQuery, pageSchema } from "../../lib/pagination";
import { createRouter } from "../../lib/router";
import { toWorkspaceDto } from "../workspaces/workspaces.service";
import { WorkspaceSchema } from "../workspaces/workspaces.schemas";
import {
  CreatedTokenSchema,
  CreatedUserSchema,
  CreateTokenBody,
  CreateUserBody,
  TokenSchema,
  UpdateMeBody,
  UpdateUserBody,
  UserSchema,
  UserTokenParams,
} from "./users.schemas";
import {
  createToken,
  createUser,
  getUser,
  listTokens,
  listUsers,
  listUserTokens,
  revokeToken,
  revokeUserToken,
  toUserDto,
  updateMe,
  updateUser,
} from "./users.service";

const tags = ["Users"];

const createUserRoute = createRoute({
  method: "post",
  path: "/users",
  tags,
  summary: "Add a user to the workspace (owners only); returns the user's first token",
  security: bearerSecurity,
  request: jsonBody(CreateUserBody),
  responses: {
    201: jsonResponse(CreatedUserSchema, "The user and a token (shown once)"),
    ...commonErrors,
    ...errorResponses(403, 409),
  },
});

const listUsersRoute = createRoute({
  method: "get",
  path: "/users",
  tags,
  summary: "List the workspace's users",
  security: bearerSecurity,
  request: { query: z.object({ limit: limitQuery, cursor: cursorQuery }) },
  responses: { 200: jsonResponse(pageSchema(UserSchema), "A page of users"), ...commonErrors },
});

const getUserRoute = createRoute({
  method: "get",
  path: "/users/{id}",
  tags,
  summary: "Get a user",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: { 200: jsonResponse(UserSchema, "The user"), ...commonErrors },
});

const meRoute = createRoute({
  method: "get",
  path: "/me",
  tags,
  summary: "The calling user and their workspace (User.me)",
  security: bearerSecurity,
  responses: {
    200: jsonResponse(z.object({ user: UserSchema, workspace: WorkspaceSchema }), "The caller"),
    ...commonErrors,
  },
});

const updateMeRoute = createRoute({
  method: "patch",
  path: "/me",
  tags,
  summary: "Change the caller's own settings: the phone number calls ring",
  security: bearerSecurity,
  request: jsonBody(UpdateMeBody),
  responses: { 200: jsonResponse(UserSchema, "The caller"), ...commonErrors },
});

const listTokensRoute = createRoute({
  method: "get",
  path: "/me/tokens",
  tags,
  summary: "The caller's live API tokens (never the secrets)",
  security: bearerSecurity,
  responses: { 200: jsonResponse(z.object({ data: z.array(TokenSchema) }), "Tokens"), ...commonErrors },
});

const createTokenRoute = createRoute({
  method: "post",
  path: "/me/tokens",
  tags,
  summary: "Create an extra API token for the caller",
  security: bearerSecurity,
  request: { body: { required: false, content: { "application/json": { schema: CreateTokenBody } } } },
  responses: { 201: jsonResponse(CreatedTokenSchema, "The token (shown once)"), ...commonErrors },
});

const revokeTokenRoute = createRoute({
  method: "delete",
  path: "/me/tokens/{id}",
  tags,
  summary: "Revoke one of the caller's tokens",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: { 204: { description: "Revoked" }, ...commonErrors },
});

const updateUserRoute = createRoute({
  method: "patch",
  path: "/users/{id}",
  tags,
  summary: "Change a user's role, or deactivate (offboard) or reactivate them (owners only)",
  description:
    "A deactivated user's tokens stop working at once, they get no receipts or notifications, and their chat links are removed. The last active owner cannot be demoted or deactivated (409).",
  security: bearerSecurity,
  request: { params: IdParams, ...jsonBody(UpdateUserBody) },
  responses: { 200: jsonResponse(UserSchema, "The user"), ...commonErrors, ...errorResponses(403, 409) },
});

const listUserTokensRoute = createRoute({
  method: "get",
  path: "/users/{id}/tokens",
  tags,
  summary: "A user's live API tokens (owners only; never the secrets)",
  security: bearerSecurity,
  request: { params: IdParams },
  responses: { 200: jsonResponse(z.object({ data: z.array(TokenSchema) }), "Tokens"), ...commonErrors, ...errorResponses(403) },
});

const revokeUserTokenRoute = createRoute({
  method: "delete",
  path: "/users/{id}/tokens/{tokenId}",
  tags,
  summary: "Revoke any user's token (owners only)",
  security: bearerSecurity,
  request: { params: UserTokenParams },
  responses: { 204: { description: "Revoked" }, ...commonErrors, ...errorResponses(403) },
});

export const usersRouter = createRouter()
  .openapi(createUserRoute, async (c) => {
    assertOwner(c.var.caller);
    return c.json(await createUser(c.var.db, c.var.caller, c.req.valid("json")), 201);
  })
  .openapi(listUsersRoute, async (c) => c.json(await listUsers(c.var.db, c.var.caller, c.req.valid("query")), 200))
  .openapi(getUserRoute, async (c) =>
    c.json(toUserDto(await getUser(c.var.db, c.var.caller, c.req.valid("param").id)), 200),
  )
  .openapi(meRoute, async (c) => {
    const { db, caller } = c.var;
    const [user, [workspace]] = await Promise.all([
      getUser(db, caller, caller.userId),
      db.select().from(workspaces).where(and(eq(workspaces.id, caller.workspaceId))),
    ]);
    return c.json({ user: toUserDto(user), workspace: toWorkspaceDto(workspace!) }, 200);
  })
  .openapi(updateMeRoute, async (c) => c.json(toUserDto(await updateMe(c.var.db, c.var.caller, c.req.valid("json"))), 200))
  .openapi(listTokensRoute, async (c) => c.json({ data: await listTokens(c.var.db, c.var.caller) }, 200))
  .openapi(createTokenRoute, async (c) => {
    const body = (c.req.valid("json") as z.infer<typeof CreateTokenBody> | undefined) ?? {};
    return c.json(await createToken(c.var.db, c.var.caller, body.name), 201);
  })
  .openapi(revokeTokenRoute, async (c) => {
    await revokeToken(c.var.db, c.var.caller, c.req.valid("param").id);
    return c.body(null, 204);
  })
  .openapi(updateUserRoute, async (c) => {
    assertOwner(c.var.caller);
    return c.json(toUserDto(await updateUser(c.var.db, c.var.caller, c.req.valid("param").id, c.req.valid("json"))), 200);
  })
  .openapi(listUserTokensRoute, async (c) => {
    assertOwner(c.var.caller);
    return c.json({ data: await listUserTokens(c.var.db, c.var.caller, c.req.valid("param").id) }, 200);
  })
  .openapi(revokeUserTokenRoute, async (c) => {
    assertOwner(c.var.caller);
    const { id, tokenId } = c.req.valid("param");
    await revokeUserToken(c.var.db, c.var.caller, id, tokenId);
    return c.body(null, 204);
  });
