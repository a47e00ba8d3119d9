// /stats: the rep's own numbers for today and the last 7 days.
import { Composer } from "grammy";
import type { BotContext } from "../context";
import { type RepNumbers, repStats } from "../stats";
import { repOf } from "./rep";

export const statsComposer = new Composer<BotContext>();

const block = (title: string, n: RepNumbers) =>
  [
    title,
    `✉ ${n.messagesSent} messages sent`,
    `💬 ${n.conversationsHandled} conversations handled`,
    `✅ ${n.dealsWon} won · ❌ ${n.dealsLost} lost`,
  ].join("\n");

statsComposer.command("stats", async (ctx) => {
  const stats = await repStats(ctx.parley.db, repOf(ctx));
  await ctx.reply(`${block("📊 Today", stats.today)}\n\n${block("📅 Last 7 days", stats.last7Days)}`);
});
