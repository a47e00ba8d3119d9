// /mute 1h | /mute tomorrow, /unmute, /settings (all conversations or only mine), and /cancel
// (stop what the bot is waiting for).
import { Composer } from "grammy";
import { cancelPrompts } from "../../../src/modules/chat-links/chat-prompts.service";
import { mute, parseMute, quietSettings } from "../../rep-actions";
import type { BotContext } from "../context";
import { chatOf, postAnswer } from "../render";
import { repContext } from "./rep";

export const quietComposer = new Composer<BotContext>();

quietComposer.command("mute", async (ctx) => {
  const rc = repContext(ctx);
  const choice = parseMute(ctx.match || "1h");
  if (!choice) return void (await postAnswer(ctx, { ...quietSettings(rc), text: `Mute for how long? “/mute 1h” or “/mute tomorrow”.\n\n${quietSettings(rc).text}` }));
  const answer = await mute(rc, choice);
  await postAnswer(ctx, { ...answer, text: `${answer.notice}.\n\n${answer.text}` });
});

quietComposer.command("unmute", async (ctx) => {
  const answer = await mute(repContext(ctx), "off");
  await postAnswer(ctx, { ...answer, text: `${answer.notice}.\n\n${answer.text}` });
});

quietComposer.command("settings", async (ctx) => void (await postAnswer(ctx, quietSettings(repContext(ctx)))));

quietComposer.command("cancel", async (ctx) => {
  const closed = await cancelPrompts(ctx.parley.db, chatOf(ctx));
  await ctx.reply(closed ? "OK, cancelled." : "Nothing to cancel.");
});
