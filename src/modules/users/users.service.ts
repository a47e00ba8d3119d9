// Users of a workspace and their API tokens.
import { and, asc, eq, gt, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { apiTokens, users, type UserRole } from "../../db/schema";
import type { Caller } from "../../env";
import { randomToken, sha256Hex } from "../../lib/crypto";
import { AppError, invalidField, notFound } from "../../lib/errors";
import { normalizePhone } from "../../lib/phone";
import { decodeCursor, page } from "../../lib/pagination";
import { iso, isoOrNull } from "../../lib/time";
import { forgetToken } from "../../lib/token-cache";
import { append, newestId } from "../events/event-log";

export type UserRow = typeof users.$inferSelect;

export const toUserDto = (u: UserRow) => ({
  id: u.id,
  workspaceId: u.workspaceId,
  name: u.name,
  email: u.email,
  role: u.role,
  phone: u.phone,
  createdAt: iso(u.createdAt),
  updatedAt: iso(u.updatedAt),
});

/** A fresh API token: the secret to show once, and the hash to store. */
export async function mintToken(): Promise<{ token: string; tokenHash: string }> {
  const token = randomToken("prl_");
  return { token, tokenHash: await sha256Hex(token) };
}

export async function createUser(db: Db, caller: Caller, input: { name: string; email: string; role: UserRole }) {
  const email = input.email.trim().toLowerCase();
  const [taken] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.workspaceId, caller.workspaceId), eq(users.email, email)));
  if (taken) throw new AppError("conflict", `a user with e-mail ${email} already exists`, [{ path: "body.email", message: "taken" }]);

  const { token, tokenHash } = await mintToken();
  const now = Date.now();
  const [[user]] = await db.batch([
    db
      .insert(users)
      .values({ workspaceId: caller.workspaceId, name: input.name, email, role: input.role, createdAt: now, updatedAt: now })
      .returning(),
    db.insert(apiTokens).values({ workspaceId: caller.workspaceId, userId: newestId(users), tokenHash, name: "default", createdAt: now }),
    append(db, {
      workspaceId: caller.workspaceId,
      typeKey: "user.created",
      entityTypeKey: "user",
      entityId: newestId(users),
      actorUserId: caller.userId,
      payload: { after: { name: input.name, email, role: input.role } },
      createdAt: now,
    }),
  ]);
  return { user: toUserDto(user!), token };
}

export async function listUsers(db: Db, caller: Caller, opts: { limit: number; cursor?: string }) {
  const after = opts.cursor ? Number(decodeCursor(opts.cursor, 1)[0]) : 0;
  const rows = await db
    .select()
    .from(users)
    .where(and(eq(users.workspaceId, caller.workspaceId), gt(users.id, after)))
    .orderBy(asc(users.id))
    .limit(opts.limit + 1);
  const result = page(rows, opts.limit, (u) => [u.id]);
  return { data: result.data.map(toUserDto), nextCursor: result.nextCursor };
}

export async function getUser(db: Db, caller: Pick<Caller, "workspaceId">, userId: number): Promise<UserRow> {
  const [user] = await db
    .select()
    .from(users)
    .where(and(eq(users.workspaceId, caller.workspaceId), eq(users.id, userId)));
  if (!user) throw notFound("user");
  return user;
}

export async function createToken(db: Db, caller: Caller, name: string | undefined) {
  const { token, tokenHash } = await mintToken();
  const now = Date.now();
  const [[row]] = await db.batch([
    db
      .insert(apiTokens)
      .values({ workspaceId: caller.workspaceId, userId: caller.userId, name: name ?? null, tokenHash, createdAt: now })
      .returning(),
    append(db, {
      workspaceId: caller.workspaceId,
      typeKey: "token.created",
      entityTypeKey: "user",
      entityId: caller.userId,
      actorUserId: caller.userId,
      payload: { name: name ?? null },
      createdAt: now,
    }),
  ]);
  return { id: row!.id, name: row!.name, token, createdAt: iso(row!.createdAt) };
}

export async function listTokens(db: Db, caller: Caller) {
  const rows = await db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.workspaceId, caller.workspaceId), eq(apiTokens.userId, caller.userId), isNull(apiTokens.revokedAt)))
    .orderBy(asc(apiTokens.id));
  return rows.map((t) => ({ id: t.id, name: t.name, createdAt: iso(t.createdAt), lastUsedAt: isoOrNull(t.lastUsedAt) }));
}

/** Revoke one of the caller's own tokens; anyone else's is 404. */
export async function revokeToken(db: Db, caller: Caller, tokenId: number): Promise<void> {
  const ownToken = and(
    eq(apiTokens.id, tokenId),
    eq(apiTokens.workspaceId, caller.workspaceId),
    eq(apiTokens.userId, caller.userId),
    isNull(apiTokens.revokedAt),
  );
  const [live] = await db.select({ id: apiTokens.id }).from(apiTokens).where(ownToken);
  if (!live) throw notFound("token");
  const now = Date.now();
  forgetToken(tokenId);
  await db.batch([
    db.update(apiTokens).set({ revokedAt: now }).where(ownToken),
    append(db, {
      workspaceId: caller.workspaceId,
      typeKey: "token.revoked",
      entityTypeKey: "user",
      entityId: caller.userId,
      actorUserId: caller.userId,
      payload: { tokenId },
      createdAt: now,
    }),
  ]);
}

/**
 * The caller's own settings: `phone` (E.164, read in the workspace's default country; null clears
 * it) is the number a phone channel rings when a contact calls or when they place a call.
 */
export async function updateMe(db: Db, caller: Caller, input: { phone: string | null }): Promise<UserRow> {
  const before = await getUser(db, caller, caller.userId);
  let phone: string | null = null;
  if (input.phone !== null) {
    phone = normalizePhone(input.phone, caller.defaultCountry);
    if (!phone) throw invalidField("body.phone", `"${input.phone}" is not a valid phone number for ${caller.defaultCountry}`);
  }
  if (phone === before.phone) return before;
  const now = Date.now();
  const [[user]] = await db.batch([
    db
      .update(users)
      .set({ phone, updatedAt: now })
      .where(and(eq(users.workspaceId, caller.workspaceId), eq(users.id, caller.userId)))
      .returning(),
    append(db, {
      workspaceId: caller.workspaceId,
      typeKey: "user.updated",
      entityTypeKey: "user",
      entityId: caller.userId,
      actorUserId: caller.userId,
      payload: { before: { phone: before.phone }, after: { phone } },
      createdAt: now,
    }),
  ]);
  return user!;
}
