// The rep's own numbers for today, 7 or 30 days (calendar days in the workspace's time zone):
// the very numbers GET /v1/analytics/performance reports for them (performance.service — one
// implementation), with a small bar chart per day of answers and first-response times.
import type { Caller } from "../../src/env";
import { DAY_MS, localDays } from "../../src/lib/time-zone";
import { dailyNumbers, performance } from "../../src/modules/analytics/performance.service";
import { type Answer, button, type RepContext } from "./types";

export const STATS_PERIODS = ["today", "7d", "30d"] as const;
export type StatsPeriod = (typeof STATS_PERIODS)[number];

const DAYS: Record<StatsPeriod, number> = { today: 1, "7d": 7, "30d": 30 };
const TITLE: Record<StatsPeriod, string> = { today: "today", "7d": "last 7 days", "30d": "last 30 days" };

function validZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return timeZone;
  } catch {
    return "UTC";
  }
}

/** The instant the local day began, `daysBack` calendar days before the day of `now` (DST-safe). */
export function startOfDay(now: number, timeZone: string, daysBack = 0): number {
  // Two spare days before the one wanted, since the first day of the list is clipped to `from`.
  const days = localDays(validZone(timeZone), now - (daysBack + 2) * DAY_MS, now + 1);
  return days[days.length - 1 - daysBack]!.start;
}

/** "45s", "4m", "2h 10m", "3d 4h": a wait as a rep reads it. */
export function duration(seconds: number | null): string {
  if (seconds === null) return "–";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.round(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${s % 3600 >= 60 ? ` ${Math.floor((s % 3600) / 60)}m` : ""}`;
  return `${Math.floor(s / 86_400)}d${s % 86_400 >= 3600 ? ` ${Math.floor((s % 86_400) / 3600)}h` : ""}`;
}

const LEVELS = "▁▂▃▄▅▆▇█";

/** One block per value, scaled to the largest; `·` where there is nothing (0 or no data). */
export function sparkline(values: (number | null)[]): string {
  const max = Math.max(0, ...values.map((v) => v ?? 0));
  return values
    .map((v) => (v === null || v <= 0 || max === 0 ? "·" : LEVELS[Math.min(LEVELS.length - 1, Math.ceil((v / max) * LEVELS.length) - 1)]!))
    .join("");
}

export type RepPerformance = Awaited<ReturnType<typeof performance>>["data"][number];

export interface RepStats {
  period: StatsPeriod;
  from: string;
  to: string;
  numbers: RepPerformance;
  /** Oldest day first; empty for today. */
  days: Awaited<ReturnType<typeof dailyNumbers>>;
}

export async function repStats(ctx: { db: RepContext["db"]; rep: Caller }, period: StatsPeriod, now = Date.now()): Promise<RepStats> {
  const zone = validZone(ctx.rep.timeZone);
  const from = startOfDay(now, zone, DAYS[period] - 1);
  const range = { from, to: now + 1, userId: ctx.rep.userId };
  const report = await performance(ctx.db, { ...ctx.rep, timeZone: zone }, range);
  const days = period === "today" ? [] : await dailyNumbers(ctx.db, ctx.rep, { userId: ctx.rep.userId, days: localDays(zone, from, now + 1) });
  return { period, from: report.from, to: report.to, numbers: report.data[0]!, days };
}

/** /stats: today, the last 7 or 30 days; buttons switch the period in place. */
export async function myStats(ctx: RepContext, period: StatsPeriod = "7d", show: "new" | "card" = "new"): Promise<Answer<RepStats>> {
  const stats = await repStats(ctx, period);
  const n = stats.numbers;
  const lines = [
    `📊 ${n.name} — ${TITLE[period]}`,
    `✉ ${n.messagesSent} sent in ${n.conversationsHandled} conversation${n.conversationsHandled === 1 ? "" : "s"}`,
    `↩ ${n.replyTime.count} answered · median wait ${duration(n.replyTime.medianSeconds)}`,
    `⏱ first response: median ${duration(n.firstResponseTime.medianSeconds)} · p90 ${duration(n.firstResponseTime.p90Seconds)}`,
    `✅ ${n.dealsWon} won · ❌ ${n.dealsLost} lost`,
  ];
  if (stats.days.length > 0) {
    const answered = stats.days.map((d) => d.answered);
    const waits = stats.days.map((d) => d.firstResponseMedianSeconds);
    lines.push(
      "",
      `↩ answered per day (most: ${Math.max(...answered)})`,
      sparkline(answered),
      `⏱ first response per day (longest: ${duration(Math.max(0, ...waits.map((w) => w ?? 0)) || null)})`,
      sparkline(waits),
      "oldest → today",
    );
  }
  const label = (p: StatsPeriod, text: string) => button(p === period ? `• ${text}` : text, "stats.period", p);
  return {
    data: stats,
    text: lines.join("\n"),
    buttons: [[label("today", "Today"), label("7d", "7 days"), label("30d", "30 days")]],
    show,
  };
}
