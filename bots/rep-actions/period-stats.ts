// Numbers from a chat for a chosen period — today, the last 7 or 30 calendar days in the
// workspace's time zone — for the rep, or (owners only) for another member: the same figures as
// GET /v1/analytics/performance.
import { AppError } from "../../src/lib/errors";
import { performance } from "../../src/modules/analytics/performance.service";
import { startOfDay } from "./stats";
import type { Answer, RepContext } from "./types";

export const PERIODS = { today: { days: 1, label: "Today" }, "7d": { days: 7, label: "Last 7 days" }, "30d": { days: 30, label: "Last 30 days" } } as const;
export type Period = keyof typeof PERIODS;

export const isPeriod = (value: string): value is Period => Object.hasOwn(PERIODS, value);

export type PeriodStatsFacts = Awaited<ReturnType<typeof performance>>["data"][number] & { period: Period; periodLabel: string; from: number };

const minutes = (seconds: number | null) => (seconds === null ? "–" : seconds < 90 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`);

/** `userId` other than the rep's own: owners only (403 otherwise); another workspace's user is 404. */
export async function statsFor(ctx: RepContext, opts: { period?: Period; userId?: number } = {}, now = Date.now()): Promise<Answer<PeriodStatsFacts>> {
  const period = opts.period ?? "today";
  const userId = opts.userId ?? ctx.rep.userId;
  if (userId !== ctx.rep.userId && ctx.rep.role !== "owner") throw new AppError("forbidden", "Only owners can see another member's numbers");
  const from = startOfDay(now, ctx.rep.timeZone, PERIODS[period].days - 1);
  const { data } = await performance(ctx.db, ctx.rep, { from, to: now + 1, userId });
  const row = data[0]!;
  const facts: PeriodStatsFacts = { ...row, period, periodLabel: PERIODS[period].label, from };
  const lines = [
    `📊 ${facts.periodLabel}${userId === ctx.rep.userId ? "" : ` · ${row.name}`}`,
    `✉ ${row.messagesSent} messages sent`,
    `💬 ${row.conversationsHandled} conversations handled`,
    `⏱ first answer ${minutes(row.firstResponseTime.medianSeconds)} (median)`,
    `✅ ${row.dealsWon} won · ❌ ${row.dealsLost} lost`,
  ];
  return { data: facts, text: lines.join("\n"), buttons: [], show: "new" };
}
