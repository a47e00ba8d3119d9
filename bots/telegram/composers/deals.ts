// /deal: the rep's open deals, each a button to its card.
import { Composer } from "grammy";
import { myOpenDeals } from "../../rep-actions";
import type { BotContext } from "../context";
import { inlineKeyboard } from "../render";
import { repContext } from "./rep";

export const dealsComposer = new Composer<BotContext>();

dealsComposer.command("deal", async (ctx) => {
  const deals = await myOpenDeals(repContext(ctx));
  await ctx.reply(deals.text, deals.buttons.length ? { reply_markup: inlineKeyboard(deals.buttons) } : {});
});
