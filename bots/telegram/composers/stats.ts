// /stats: the rep's own numbers.
import { Composer } from "grammy";
import { myStats } from "../../rep-actions";
import type { BotContext } from "../context";
import { repContext } from "./rep";

export const statsComposer = new Composer<BotContext>();

statsComposer.command("stats", async (ctx) => {
  await ctx.reply((await myStats(repContext(ctx))).text);
});
