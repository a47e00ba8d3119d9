// Discord servers (guilds) a workspace's bot may answer in: an owner allows one with `/setup`
// run there; commands from any other server are refused. (DMs with the bot need no set-up.)
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { discordGuilds } from "../../db/schema";
import type { Caller } from "../../env";
import { AppError } from "../../lib/errors";
import { appendIfChanged } from "../events/event-log";

export async function isGuildAllowed(db: Db, workspaceId: number, guildId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: discordGuilds.id })
    .from(discordGuilds)
    .where(and(eq(discordGuilds.workspaceId, workspaceId), eq(discordGuilds.guildId, guildId)));
  return row !== undefined;
}

/**
 * Allow `guildId` for the caller's workspace (owners). Idempotent: an allowed server stays allowed
 * (`created: false`). A server is bound to one workspace: another's is a 409.
 */
export async function allowGuild(db: Db, caller: Caller, guildId: string): Promise<{ created: boolean }> {
  if (caller.role !== "owner") throw new AppError("forbidden", "Only workspace owners can set up a server");
  const now = Date.now();
  // One batch: the event is written only when the row was.
  const [inserted] = await db.batch([
    db.insert(discordGuilds).values({ workspaceId: caller.workspaceId, guildId, createdAt: now }).onConflictDoNothing().returning({ id: discordGuilds.id }),
    appendIfChanged(db, {
      workspaceId: caller.workspaceId,
      typeKey: "workspace.discord_guild_allowed",
      entityTypeKey: "workspace",
      entityId: caller.workspaceId,
      actorUserId: caller.userId,
      payload: { guildId },
      createdAt: now,
    }),
  ]);
  if (inserted.length > 0) return { created: true };
  if (await isGuildAllowed(db, caller.workspaceId, guildId)) return { created: false };
  throw new AppError("conflict", "This server is already set up for another Parley workspace");
}
