// /stats [today|7d|30d]: the rep's numbers, with a bar chart per day; buttons switch the period.
import { Composer } from "grammy";
import { myStats, type StatsPeriod } from "../../rep-actions";
import type { BotContext } from "../context";
import { postAnswer } from "../render";
import { repContext } from "./rep";

export const statsComposer = new Composer<BotContext>();

const PERIODS: Record<string, StatsPeriod> = { today: "today", day: "today", "7d": "7d", week: "7d", "7": "7d", "30d": "30d", month: "30d", "30": "30d" };

statsComposer.command("stats", async (ctx) => {
  const period = PERIODS[ctx.match.trim().toLowerCase()] ?? "7d";
  await postAnswer(ctx, await myStats(repContext(ctx), period));
});
