// Users of a workspace and their API tokens; owners change roles, deactivate users (offboarding)
// and manage anyone's tokens.
import { and, asc, eq, gt, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { apiTokens, chatLinkCodes, chatLinks, users, type UserRole } from "../../db/schema";
import type { Caller } from "../../env";
import { randomToken, sha256Hex } from "../../lib/crypto";
import { AppError, invalidField, notFound } from "../../lib/errors";
import { normalizePhone } from "../../lib/phone";
import { decodeCursor, page } from "../../lib/pagination";
import { iso, isoOrNull } from "../../lib/time";
import { append, appendIfChanged, newestId } from "../events/event-log";

export type UserRow = typeof users.$inferSelect;

export const toUserDto = (u: UserRow) => ({
  id: u.id,
  workspaceId: u.workspaceId,
  name: u.name,
  email: u.email,
  role: u.role,
  active: u.deactivatedAt === null,
  deactivatedAt: isoOrNull(u.deactivatedAt),
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

const toTokenDto = (t: typeof apiTokens.$inferSelect) => ({ id: t.id, name: t.name, createdAt: iso(t.createdAt), lastUsedAt: isoOrNull(t.lastUsedAt) });

/** A user's live tokens (never the secrets). */
async function liveTokens(db: Db, workspaceId: number, userId: number) {
  const rows = await db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.workspaceId, workspaceId), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .orderBy(asc(apiTokens.id));
  return rows.map(toTokenDto);
}

export const listTokens = (db: Db, caller: Caller) => liveTokens(db, caller.workspaceId, caller.userId);

/** An owner's view of any user's live tokens. */
export async function listUserTokens(db: Db, caller: Caller, userId: number) {
  await getUser(db, caller, userId);
  return liveTokens(db, caller.workspaceId, userId);
}

/** Revoke one live token of `userId`; a token of anyone else (or already revoked) is 404. */
async function revoke(db: Db, caller: Caller, userId: number, tokenId: number): Promise<void> {
  const live = and(eq(apiTokens.id, tokenId), eq(apiTokens.workspaceId, caller.workspaceId), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt));
  const now = Date.now();
  const [[revoked]] = await db.batch([
    db.update(apiTokens).set({ revokedAt: now }).where(live).returning({ id: apiTokens.id }),
    appendIfChanged(db, {
      workspaceId: caller.workspaceId,
      typeKey: "token.revoked",
      entityTypeKey: "user",
      entityId: userId,
      actorUserId: caller.userId,
      payload: { tokenId },
      createdAt: now,
    }),
  ]);
  if (!revoked) throw notFound("token");
}

/** Revoke one of the caller's own tokens; anyone else's is 404. */
export const revokeToken = (db: Db, caller: Caller, tokenId: number) => revoke(db, caller, caller.userId, tokenId);

/** An owner revokes any user's token. */
export async function revokeUserToken(db: Db, caller: Caller, userId: number, tokenId: number): Promise<void> {
  await getUser(db, caller, userId);
  await revoke(db, caller, userId, tokenId);
}

/** Active owners of the workspace other than `userId`: the condition for that user to stop being one. */
const anotherActiveOwner = (workspaceId: number, userId: number) =>
  sql`EXISTS (SELECT 1 FROM ${users} AS other WHERE other.workspace_id = ${workspaceId} AND other.id <> ${userId}
    AND other.role = 'owner' AND other.deactivated_at IS NULL)`;

const nowDeactivated = (userId: number) => sql`EXISTS (SELECT 1 FROM ${users} AS gone WHERE gone.id = ${userId} AND gone.deactivated_at IS NOT NULL)`;

/**
 * `PATCH /v1/users/{id}`: an owner changes a user's role and/or deactivates (offboards) or
 * reactivates them. A deactivated user's tokens stop working at once (auth checks the user on
 * every request), they get no receipts and no notifications, and their chat links and unused
 * link codes are removed. The workspace keeps at least one active owner: demoting or deactivating
 * the last one is 409 — checked inside the UPDATE itself, so two owners demoting each other at
 * once cannot both succeed.
 */
export async function updateUser(db: Db, caller: Caller, userId: number, input: { role?: UserRole; active?: boolean }): Promise<UserRow> {
  const before = await getUser(db, caller, userId);
  const role = input.role ?? before.role;
  const active = input.active ?? before.deactivatedAt === null;
  if (role === before.role && active === (before.deactivatedAt === null)) return before;
  const now = Date.now();
  const stopsBeingOwner = before.role === "owner" && before.deactivatedAt === null && (role !== "owner" || !active);
  const target = and(eq(users.workspaceId, caller.workspaceId), eq(users.id, userId));
  const deactivating = !active && before.deactivatedAt === null;
  const [[updated]] = await db.batch([
    db
      .update(users)
      .set({ role, deactivatedAt: active ? null : (before.deactivatedAt ?? now), updatedAt: now })
      .where(stopsBeingOwner ? and(target, anotherActiveOwner(caller.workspaceId, userId)) : target)
      .returning(),
    appendIfChanged(db, {
      workspaceId: caller.workspaceId,
      typeKey: deactivating ? "user.deactivated" : active && before.deactivatedAt !== null ? "user.reactivated" : "user.updated",
      entityTypeKey: "user",
      entityId: userId,
      actorUserId: caller.userId,
      payload: { before: { role: before.role, active: before.deactivatedAt === null }, after: { role, active } },
      createdAt: now,
    }),
    // Offboarding: nothing reaches them through a chat app any more, and no code links one again
    // (only if the UPDATE above took: the user is deactivated now).
    ...(deactivating
      ? [
          db.delete(chatLinks).where(and(eq(chatLinks.workspaceId, caller.workspaceId), eq(chatLinks.userId, userId), nowDeactivated(userId))),
          db
            .delete(chatLinkCodes)
            .where(and(eq(chatLinkCodes.workspaceId, caller.workspaceId), eq(chatLinkCodes.userId, userId), nowDeactivated(userId))),
        ]
      : []),
  ]);
  if (!updated) {
    throw new AppError("conflict", "a workspace keeps at least one active owner: make another user an owner first", [
      { path: input.active === false ? "body.active" : "body.role", message: "last owner" },
    ]);
  }
  return updated;
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
