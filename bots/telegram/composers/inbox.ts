// /inbox: the rep's unread conversations, five at a time.
import { Composer } from "grammy";
import { inbox } from "../../rep-actions";
import type { BotContext } from "../context";
import { inlineKeyboard } from "../render";
import { repContext } from "./rep";

export const inboxComposer = new Composer<BotContext>();

inboxComposer.command("inbox", async (ctx) => {
  const page = await inbox(repContext(ctx));
  await ctx.reply(page.text, page.buttons.length ? { reply_markup: inlineKeyboard(page.buttons) } : {});
});
