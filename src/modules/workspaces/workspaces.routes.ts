// POST /v1/workspaces — operator only (ADMIN_TOKEN).
import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, errorSchema, jsonBody, jsonResponse } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { CreatedWorkspaceSchema, CreateWorkspaceBody } from "./workspaces.schemas";
import { createWorkspace } from "./workspaces.service";

const createWorkspaceRoute = createRoute({
  method: "post",
  path: "/workspaces",
  tags: ["Workspaces"],
  summary: "Create a workspace with its first owner and token (operator secret)",
  security: bearerSecurity,
  request: jsonBody(CreateWorkspaceBody),
  responses: {
    201: jsonResponse(CreatedWorkspaceSchema, "The workspace, its owner and the owner's token (shown once)"),
    401: jsonResponse(errorSchema, "Operator secret missing or wrong"),
    422: jsonResponse(errorSchema, "Validation failed"),
  },
});

export const workspacesRouter = createRouter().openapi(createWorkspaceRoute, async (c) => {
  const created = await createWorkspace(c.var.db, c.req.valid("json"));
  return c.json(created, 201);
});
