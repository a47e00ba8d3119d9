// Workspace creation: the tenant, its first owner and token, and its defaults, in one batch.
import type { Db, BatchItem } from "../../db/client";
import { apiTokens, pipelines, qualificationKinds, stages, users, workspaces } from "../../db/schema";
import { iso } from "../../lib/time";
import { append, newestId } from "../events/event-log";
import { mintToken, toUserDto } from "../users/users.service";

export const DEFAULT_PIPELINE = { name: "Sales", stages: ["Lead", "Qualified", "Proposal", "Negotiation"] };

export const DEFAULT_QUALIFICATION_KINDS = [
  { key: "hot", label: "Hot" },
  { key: "warm", label: "Warm" },
  { key: "cold", label: "Cold" },
  { key: "customer", label: "Customer" },
  { key: "not_a_fit", label: "Not a fit" },
  { key: "spam", label: "Spam" },
] as const;

export type WorkspaceRow = typeof workspaces.$inferSelect;

export const toWorkspaceDto = (w: WorkspaceRow) => ({
  id: w.id,
  name: w.name,
  defaultCountry: w.defaultCountry,
  timeZone: w.timeZone,
  createdAt: iso(w.createdAt),
  updatedAt: iso(w.updatedAt),
});

export async function createWorkspace(
  db: Db,
  input: { name: string; defaultCountry: string; timeZone: string; user: { name: string; email: string } },
) {
  const { token, tokenHash } = await mintToken();
  const now = Date.now();
  const email = input.user.email.trim().toLowerCase();
  const workspaceId = newestId(workspaces);
  const statements: [BatchItem, BatchItem, ...BatchItem[]] = [
    db
      .insert(workspaces)
      .values({ name: input.name, defaultCountry: input.defaultCountry, timeZone: input.timeZone, createdAt: now, updatedAt: now })
      .returning(),
    db
      .insert(users)
      .values({ workspaceId, name: input.user.name, email, role: "owner", createdAt: now, updatedAt: now })
      .returning(),
    db.insert(apiTokens).values({ workspaceId, userId: newestId(users), tokenHash, name: "default", createdAt: now }),
    db.insert(pipelines).values({ workspaceId, name: DEFAULT_PIPELINE.name, createdAt: now, updatedAt: now }),
    db.insert(stages).values(
      DEFAULT_PIPELINE.stages.map((name, sortIndex) => ({
        workspaceId,
        pipelineId: newestId(pipelines),
        name,
        sortIndex,
        createdAt: now,
        updatedAt: now,
      })),
    ),
    db.insert(qualificationKinds).values(
      DEFAULT_QUALIFICATION_KINDS.map((kind, sortIndex) => ({ workspaceId, ...kind, sortIndex, createdAt: now, updatedAt: now })),
    ),
    append(db, {
      workspaceId,
      typeKey: "workspace.created",
      entityTypeKey: "workspace",
      entityId: workspaceId,
      actorUserId: null,
      payload: { after: { name: input.name } },
      createdAt: now,
    }),
  ];
  const [[workspace], [user]] = (await db.batch(statements)) as [WorkspaceRow[], (typeof users.$inferSelect)[]];
  return { workspace: toWorkspaceDto(workspace!), user: toUserDto(user!), token };
}
