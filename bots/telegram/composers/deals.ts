// /deal: the rep's open deals, each a button to its card.
import { Composer } from "grammy";
import { myOpenDeals } from "../../rep-actions";
import type { BotContext } from "../context";
import { postAnswer } from "../render";
import { repContext } from "./rep";

export const dealsComposer = new Composer<BotContext>();

dealsComposer.command("deal", async (ctx) => void (await postAnswer(ctx, await myOpenDeals(repContext(ctx)))));
