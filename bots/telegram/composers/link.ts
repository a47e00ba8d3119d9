// `/start <code>` links the Telegram account to a CRM user through this bot; `/help` (and a bare
// `/start`) tell a rep what the bot does. Anyone else's `/start` and `/help` go on to the
// contacts' composer.
import { Composer } from "grammy";
import { redeemLinkCode } from "../../../src/modules/chat-links/chat-links.service";
import { REP_HELP, setRepCommands } from "../commands";
import { type BotContext, botOf } from "../context";

export const linkComposer = new Composer<BotContext>();

const privateChats = linkComposer.chatType("private");

/** What `createLinkCode` hands out; other deep-link payloads (ads, website buttons) are contacts'. */
const LINK_CODE = /^[A-Za-z0-9_-]{24}$/;

const GET_A_LINK = "In Parley, choose “Link Telegram” on your profile to get a fresh link, then open it on this phone within 15 minutes.";

const REFUSED = {
  unknown: `That link is not valid. ${GET_A_LINK}`,
  expired: `That link has expired (links last 15 minutes). ${GET_A_LINK}`,
  used: `That link was already used. ${GET_A_LINK}`,
  other_workspace: "That link belongs to another Parley workspace, which has its own bot. Open the link from that workspace — it leads to its bot.",
} as const;

privateChats.command("start", async (ctx, next) => {
  const code = ctx.match.trim();
  if (!code) {
    if (ctx.parley.rep) return void (await ctx.reply(REP_HELP));
    return next(); // a contact starting a chat
  }
  if (!ctx.parley.rep && !LINK_CODE.test(code)) return next();
  const result = await redeemLinkCode(ctx.parley.db, botOf(ctx.parley.connection), code, String(ctx.from.id), String(ctx.chat.id));
  if (!result.ok) return void (await ctx.reply(REFUSED[result.reason]));
  // Linked (committed): what follows is courtesy, and must not make Telegram deliver /start again.
  try {
    await setRepCommands(ctx.api, ctx.chat.id);
    await ctx.reply(`✅ Linked: you are ${result.userName} in Parley.\n\n${REP_HELP}`);
  } catch (error) {
    console.error(JSON.stringify({ telegramLink: { userId: result.userId }, error: error instanceof Error ? error.message : String(error) }));
  }
});

privateChats.command("help", async (ctx, next) => {
  if (!ctx.parley.rep) return next();
  await ctx.reply(REP_HELP);
});
