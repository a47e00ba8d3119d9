import { createRoute, z } from "@hono/zod-openapi";
import { asc, eq } from "drizzle-orm";
import { qualificationKinds } from "../../db/schema";
import { bearerSecurity, commonErrors, jsonResponse } from "../../lib/openapi";
import { createRouter } from "../../lib/router";

const KindSchema = z.object({ key: z.string(), label: z.string(), sortIndex: z.number().int() }).openapi("QualificationKind");

const listKindsRoute = createRoute({
  method: "get",
  path: "/qualification-kinds",
  tags: ["Qualification"],
  summary: "The workspace's qualification kinds, in display order",
  security: bearerSecurity,
  responses: { 200: jsonResponse(z.object({ data: z.array(KindSchema) }), "Kinds"), ...commonErrors },
});

export const qualificationRouter = createRouter().openapi(listKindsRoute, async (c) => {
  const rows = await c.var.db
    .select({ key: qualificationKinds.key, label: qualificationKinds.label, sortIndex: qualificationKinds.sortIndex })
    .from(qualificationKinds)
    .where(eq(qualificationKinds.workspaceId, c.var.caller.workspaceId))
    .orderBy(asc(qualificationKinds.sortIndex), asc(qualificationKinds.id));
  return c.json({ data: rows }, 200);
});
