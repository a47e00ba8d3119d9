// Linking a Telegram or Discord account to a CRM user with a one-time code.
import { and, eq, gt, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { chatLinkCodes, chatLinks, users, workspaces } from "../../db/schema";
import type { Caller } from "../../env";
import { randomToken, sha256Hex } from "../../lib/crypto";
import { append } from "../events/event-log";

export const LINK_CODE_TTL_MS = 15 * 60_000;

export type ChatPlatform = (typeof chatLinks.$inferSelect)["platformKey"];

export async function createLinkCode(db: Db, caller: Caller, platform: ChatPlatform) {
  // Telegram deep-link payloads allow [A-Za-z0-9_-], up to 64 characters.
  const code = randomToken("", 18);
  const now = Date.now();
  const expiresAt = now + LINK_CODE_TTL_MS;
  await db.insert(chatLinkCodes).values({
    workspaceId: caller.workspaceId,
    userId: caller.userId,
    platformKey: platform,
    codeHash: await sha256Hex(code),
    expiresAt,
    createdAt: now,
  });
  return { code, expiresAt };
}

export type RedeemResult =
  | { ok: true; userId: number; workspaceId: number; userName: string }
  | { ok: false; reason: "unknown" | "expired" | "used" };

/** Redeem a code for the chat account `externalUserId`; a code works once, before it expires. */
export async function redeemLinkCode(
  db: Db,
  platform: ChatPlatform,
  code: string,
  externalUserId: string,
  externalChatId: string | null,
): Promise<RedeemResult> {
  const [row] = await db
    .select({ code: chatLinkCodes, userName: users.name })
    .from(chatLinkCodes)
    .innerJoin(users, eq(users.id, chatLinkCodes.userId))
    .where(and(eq(chatLinkCodes.codeHash, await sha256Hex(code)), eq(chatLinkCodes.platformKey, platform)));
  if (!row) return { ok: false, reason: "unknown" };
  const now = Date.now();
  if (row.code.usedAt !== null) return { ok: false, reason: "used" };
  if (row.code.expiresAt <= now) return { ok: false, reason: "expired" };
  const { workspaceId, userId } = row.code;
  const [claimed] = await db.batch([
    // The claim is conditional so two redemptions racing for one code cannot both win.
    db
      .update(chatLinkCodes)
      .set({ usedAt: now })
      .where(and(eq(chatLinkCodes.id, row.code.id), isNull(chatLinkCodes.usedAt), gt(chatLinkCodes.expiresAt, now)))
      .returning({ id: chatLinkCodes.id }),
  ]);
  if (claimed.length === 0) return { ok: false, reason: "used" };
  await db.batch([
    // One chat account links to one user, and a user has one account per platform.
    db.delete(chatLinks).where(and(eq(chatLinks.platformKey, platform), eq(chatLinks.externalUserId, externalUserId))),
    db.delete(chatLinks).where(and(eq(chatLinks.workspaceId, workspaceId), eq(chatLinks.userId, userId), eq(chatLinks.platformKey, platform))),
    db.insert(chatLinks).values({ workspaceId, userId, platformKey: platform, externalUserId, externalChatId, createdAt: now }),
    append(db, {
      workspaceId,
      typeKey: "user.chat_linked",
      entityTypeKey: "user",
      entityId: userId,
      actorUserId: userId,
      payload: { platform, externalUserId },
      createdAt: now,
    }),
  ]);
  return { ok: true, userId, workspaceId, userName: row.userName };
}

export async function findChatLink(db: Db, platform: ChatPlatform, externalUserId: string) {
  const [link] = await db
    .select()
    .from(chatLinks)
    .where(and(eq(chatLinks.platformKey, platform), eq(chatLinks.externalUserId, externalUserId)));
  return link;
}

export async function chatLinksOfWorkspace(db: Db, workspaceId: number, platform: ChatPlatform) {
  return db
    .select()
    .from(chatLinks)
    .where(and(eq(chatLinks.workspaceId, workspaceId), eq(chatLinks.platformKey, platform)));
}

/** The user of `workspaceId` linked to a chat account, acting with the rights their API token would have. */
export async function linkedUser(db: Db, workspaceId: number, platform: ChatPlatform, externalUserId: string): Promise<Caller | null> {
  const [row] = await db
    .select({ userId: users.id, role: users.role, defaultCountry: workspaces.defaultCountry, timeZone: workspaces.timeZone })
    .from(chatLinks)
    .innerJoin(users, eq(users.id, chatLinks.userId))
    .innerJoin(workspaces, eq(workspaces.id, chatLinks.workspaceId))
    .where(and(eq(chatLinks.platformKey, platform), eq(chatLinks.externalUserId, externalUserId), eq(chatLinks.workspaceId, workspaceId)));
  if (!row) return null;
  return { ...row, workspaceId, tokenId: 0 };
}
