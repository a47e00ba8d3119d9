// Linking a Telegram or Discord account to a CRM user with a one-time code.
import { and, desc, eq, gt, isNull, or, type SQL } from "drizzle-orm";
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

/** The bot a chat account talks to: links are made, and found, through one bot. */
export interface ChatBot {
  platform: ChatPlatform;
  /** The bot's connection. */
  connectionId: number;
  workspaceId: number;
}

/**
 * The links made through `bot`. Links from before links were per bot carry no connection: they
 * stand for the workspace's bot.
 */
export const linkedThrough = (bot: ChatBot): SQL =>
  and(
    eq(chatLinks.platformKey, bot.platform),
    or(eq(chatLinks.connectionId, bot.connectionId), and(isNull(chatLinks.connectionId), eq(chatLinks.workspaceId, bot.workspaceId))),
  )!;

export type RedeemResult =
  | { ok: true; userId: number; workspaceId: number; userName: string }
  | { ok: false; reason: "unknown" | "expired" | "used" | "other_workspace" };

/**
 * Redeem a code for the chat account `externalUserId`, talking to `bot`. A code works once,
 * before it expires, and only with its own workspace's bot: another workspace's code changes
 * nothing (it stays usable with the right bot). The account keeps its links through other bots —
 * a person who is a rep in two workspaces is linked in both.
 */
export async function redeemLinkCode(
  db: Db,
  bot: ChatBot,
  code: string,
  externalUserId: string,
  externalChatId: string | null,
): Promise<RedeemResult> {
  const platform = bot.platform;
  const [row] = await db
    .select({ code: chatLinkCodes, userName: users.name })
    .from(chatLinkCodes)
    // A deactivated user's codes link nothing.
    .innerJoin(users, and(eq(users.id, chatLinkCodes.userId), isNull(users.deactivatedAt)))
    .where(and(eq(chatLinkCodes.codeHash, await sha256Hex(code)), eq(chatLinkCodes.platformKey, platform)));
  if (!row) return { ok: false, reason: "unknown" };
  if (row.code.workspaceId !== bot.workspaceId) return { ok: false, reason: "other_workspace" };
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
    // Through one bot, a chat account is one user; a user has one account per platform and workspace.
    db.delete(chatLinks).where(and(linkedThrough(bot), eq(chatLinks.externalUserId, externalUserId))),
    db.delete(chatLinks).where(and(eq(chatLinks.workspaceId, workspaceId), eq(chatLinks.userId, userId), eq(chatLinks.platformKey, platform))),
    db
      .insert(chatLinks)
      .values({ workspaceId, userId, platformKey: platform, connectionId: bot.connectionId, externalUserId, externalChatId, createdAt: now }),
    append(db, {
      workspaceId,
      typeKey: "user.chat_linked",
      entityTypeKey: "user",
      entityId: userId,
      actorUserId: userId,
      payload: { platform, externalUserId, connectionId: bot.connectionId },
      createdAt: now,
    }),
  ]);
  return { ok: true, userId, workspaceId, userName: row.userName };
}

export type ChatLinkRow = typeof chatLinks.$inferSelect;

/** The rep linked through `bot` as `externalUserId`, acting with their user's rights; null if none. */
export async function linkedRep(db: Db, bot: ChatBot, externalUserId: string): Promise<{ caller: Caller; link: ChatLinkRow } | null> {
  const [row] = await db
    .select({ link: chatLinks, role: users.role, defaultCountry: workspaces.defaultCountry, timeZone: workspaces.timeZone })
    .from(chatLinks)
    // A deactivated user's links act for nobody.
    .innerJoin(users, and(eq(users.workspaceId, chatLinks.workspaceId), eq(users.id, chatLinks.userId), isNull(users.deactivatedAt)))
    .innerJoin(workspaces, eq(workspaces.id, chatLinks.workspaceId))
    .where(and(linkedThrough(bot), eq(chatLinks.externalUserId, externalUserId)))
    .orderBy(desc(chatLinks.connectionId))
    .limit(1);
  if (!row) return null;
  const { link, ...rest } = row;
  return { caller: { userId: link.userId, workspaceId: link.workspaceId, tokenId: 0, ...rest }, link };
}

/** A user's rights as a Caller (for work done on their behalf off a request: cards, notices); null once deactivated. */
export async function callerOf(db: Db, workspaceId: number, userId: number): Promise<Caller | null> {
  const [row] = await db
    .select({ role: users.role, defaultCountry: workspaces.defaultCountry, timeZone: workspaces.timeZone })
    .from(users)
    .innerJoin(workspaces, eq(workspaces.id, users.workspaceId))
    .where(and(eq(users.workspaceId, workspaceId), eq(users.id, userId), isNull(users.deactivatedAt)));
  return row ? { userId, workspaceId, tokenId: 0, ...row } : null;
}

/** A rep's quiet settings on one link: muted until when, and whether only their conversations notify. */
export async function setQuiet(db: Db, linkId: number, change: { mutedUntil?: number | null; onlyMine?: boolean }): Promise<ChatLinkRow> {
  const [row] = await db.update(chatLinks).set(change).where(eq(chatLinks.id, linkId)).returning();
  if (!row) throw new Error(`chat link ${linkId} is gone`);
  return row;
}

/** The user of `workspaceId` linked to a chat account, acting with the rights their API token would have. */
export async function linkedUser(db: Db, workspaceId: number, platform: ChatPlatform, externalUserId: string): Promise<Caller | null> {
  const [row] = await db
    .select({ userId: users.id, role: users.role, defaultCountry: workspaces.defaultCountry, timeZone: workspaces.timeZone })
    .from(chatLinks)
    .innerJoin(users, and(eq(users.id, chatLinks.userId), isNull(users.deactivatedAt)))
    .innerJoin(workspaces, eq(workspaces.id, chatLinks.workspaceId))
    .where(and(eq(chatLinks.platformKey, platform), eq(chatLinks.externalUserId, externalUserId), eq(chatLinks.workspaceId, workspaceId)));
  if (!row) return null;
  return { ...row, workspaceId, tokenId: 0 };
}
