// The rep's own numbers: today and the last 7 days (calendar days in the workspace's time zone).
import { and, eq, gte, isNotNull, sql } from "drizzle-orm";
import type { Db } from "../../src/db/client";
import { conversations, deals, messages } from "../../src/db/schema";
import type { Caller } from "../../src/env";
import { DAY_MS, localDays } from "../../src/lib/time-zone";
import type { Answer, RepContext } from "./types";

export interface RepNumbers {
  messagesSent: number;
  conversationsHandled: number;
  dealsWon: number;
  dealsLost: number;
}

export interface RepStats {
  today: RepNumbers;
  last7Days: RepNumbers;
}

/** The instant the local day began, `daysBack` calendar days before the day of `now` (DST-safe). */
export function startOfDay(now: number, timeZone: string, daysBack = 0): number {
  let zone = timeZone;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
  } catch {
    zone = "UTC";
  }
  // Two spare days before the one wanted, since the first day of the list is clipped to `from`.
  const days = localDays(zone, now - (daysBack + 2) * DAY_MS, now + 1);
  return days[days.length - 1 - daysBack]!.start;
}

export async function repStats(db: Db, rep: Caller, now = Date.now()): Promise<RepStats> {
  const today = startOfDay(now, rep.timeZone);
  const weekStart = startOfDay(now, rep.timeZone, 6);
  const since = (column: typeof messages.createdAt | typeof deals.closedAt, from: number) => sql`${column} >= ${from}`;
  const [[sent], [closed]] = await db.batch([
    // Messages the rep wrote to contacts (not notes between users), and the conversations they were in.
    db
      .select({
        todaySent: sql<number>`coalesce(sum(CASE WHEN ${since(messages.createdAt, today)} THEN 1 ELSE 0 END), 0)`,
        todayHandled: sql<number>`count(DISTINCT CASE WHEN ${since(messages.createdAt, today)} THEN ${messages.conversationId} END)`,
        weekSent: sql<number>`count(*)`,
        weekHandled: sql<number>`count(DISTINCT ${messages.conversationId})`,
      })
      .from(messages)
      .innerJoin(
        conversations,
        and(eq(conversations.workspaceId, messages.workspaceId), eq(conversations.id, messages.conversationId), eq(conversations.kindKey, "contact")),
      )
      .where(and(eq(messages.workspaceId, rep.workspaceId), eq(messages.authorUserId, rep.userId), gte(messages.createdAt, weekStart))),
    // Deals the rep owns that closed in the period (a reopened deal no longer counts).
    db
      .select({
        todayWon: sql<number>`coalesce(sum(CASE WHEN ${deals.statusKey} = 'won' AND ${since(deals.closedAt, today)} THEN 1 ELSE 0 END), 0)`,
        todayLost: sql<number>`coalesce(sum(CASE WHEN ${deals.statusKey} = 'lost' AND ${since(deals.closedAt, today)} THEN 1 ELSE 0 END), 0)`,
        weekWon: sql<number>`coalesce(sum(CASE WHEN ${deals.statusKey} = 'won' THEN 1 ELSE 0 END), 0)`,
        weekLost: sql<number>`coalesce(sum(CASE WHEN ${deals.statusKey} = 'lost' THEN 1 ELSE 0 END), 0)`,
      })
      .from(deals)
      .where(and(eq(deals.workspaceId, rep.workspaceId), eq(deals.ownerUserId, rep.userId), isNotNull(deals.closedAt), gte(deals.closedAt, weekStart))),
  ]);
  return {
    today: { messagesSent: sent?.todaySent ?? 0, conversationsHandled: sent?.todayHandled ?? 0, dealsWon: closed?.todayWon ?? 0, dealsLost: closed?.todayLost ?? 0 },
    last7Days: { messagesSent: sent?.weekSent ?? 0, conversationsHandled: sent?.weekHandled ?? 0, dealsWon: closed?.weekWon ?? 0, dealsLost: closed?.weekLost ?? 0 },
  };
}

const block = (title: string, n: RepNumbers) =>
  [
    title,
    `✉ ${n.messagesSent} messages sent`,
    `💬 ${n.conversationsHandled} conversations handled`,
    `✅ ${n.dealsWon} won · ❌ ${n.dealsLost} lost`,
  ].join("\n");

export async function myStats(ctx: RepContext): Promise<Answer<RepStats>> {
  const stats = await repStats(ctx.db, ctx.rep);
  return { data: stats, text: `${block("📊 Today", stats.today)}\n\n${block("📅 Last 7 days", stats.last7Days)}`, buttons: [], show: "new" };
}
