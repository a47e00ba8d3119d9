// Bearer-token authentication (tokens stored as SHA-256; the token and its user checked on every
// request), the operator guard and the owner guard.
import { and, eq, isNull } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import type { Db } from "../db/client";
import { apiTokens, users, workspaces } from "../db/schema";
import type { AppEnv, Caller } from "../env";
import { sha256Hex, timingSafeEqual } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { adminToken } from "../lib/settings";
import { refuseKnownBadAddress, spendBadToken } from "./rate-limit";

/** A token's last-use time is refreshed at most this often, to keep reads free of writes. */
const LAST_USED_RESOLUTION_MS = 5 * 60_000;

function bearer(header: string | undefined): string | null {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1] ?? null;
}

export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearer(c.req.header("authorization"));
  if (!token) throw new AppError("unauthorized", "missing bearer token");
  const now = Date.now();
  // An address that has sent too many bad tokens is refused before any lookup.
  refuseKnownBadAddress(c, now);
  // Looked up on every request, with the user's state: a revoked token, or the token of a user
  // an owner deactivated (or whose role changed), counts at once in every isolate.
  const known = await lookupToken(c.var.db, await sha256Hex(token));
  if (!known) {
    await spendBadToken(c, now);
    throw new AppError("unauthorized", "invalid or revoked token, or a deactivated user");
  }
  c.set("caller", known.caller);
  c.set("idempotencyScope", `user:${known.caller.userId}`);

  if (known.lastUsedAt === null || now - known.lastUsedAt > LAST_USED_RESOLUTION_MS) {
    c.executionCtx.waitUntil(
      c.var.db
        .update(apiTokens)
        .set({ lastUsedAt: now })
        .where(eq(apiTokens.id, known.caller.tokenId))
        .then(() => undefined),
    );
  }
  await next();
});

async function lookupToken(db: Db, tokenHash: string): Promise<{ caller: Caller; lastUsedAt: number | null } | undefined> {
  const [row] = await db
    .select({
      tokenId: apiTokens.id,
      lastUsedAt: apiTokens.lastUsedAt,
      userId: users.id,
      role: users.role,
      workspaceId: workspaces.id,
      defaultCountry: workspaces.defaultCountry,
      timeZone: workspaces.timeZone,
    })
    .from(apiTokens)
    .innerJoin(users, and(eq(users.id, apiTokens.userId), eq(users.workspaceId, apiTokens.workspaceId), isNull(users.deactivatedAt)))
    .innerJoin(workspaces, eq(workspaces.id, apiTokens.workspaceId))
    .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt)))
    .limit(1);
  if (!row) return undefined;
  const { lastUsedAt, ...caller } = row;
  return { caller, lastUsedAt };
}

/** The operator secret (ADMIN_TOKEN) guards workspace creation. */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const expected = adminToken(c.env.ADMIN_TOKEN);
  const token = bearer(c.req.header("authorization"));
  if (!token || !timingSafeEqual(token, expected)) {
    throw new AppError("unauthorized", "operator token required");
  }
  c.set("idempotencyScope", "admin");
  await next();
});

export function assertOwner(caller: Caller): void {
  if (caller.role !== "owner") throw new AppError("forbidden", "only workspace owners may do this");
}
