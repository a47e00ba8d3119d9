// `/start <code>` links the Telegram account to a CRM user; `/help` (and a bare `/start`) tell a
// rep what the bot does. Anyone else's `/start` and `/help` go on to the contacts' composer.
import { Composer } from "grammy";
import { redeemLinkCode } from "../../../src/modules/chat-links/chat-links.service";
import type { BotContext } from "../context";

const REP_HELP = [
  "Parley keeps your inbox here:",
  "• new messages from your contacts arrive with buttons to reply, score, qualify, move a deal or mark read",
  "• reply to a notification (swipe it) to answer the contact on their channel",
  "/inbox — unread conversations",
  "/contact <name, company, phone or e-mail> — find a contact",
  "/pins — your pinned contacts",
  "/deal — your open deals",
  "/stats — your numbers for today and the last 7 days",
].join("\n");

export const linkComposer = new Composer<BotContext>();

const privateChats = linkComposer.chatType("private");

/** What `createLinkCode` hands out; other deep-link payloads (ads, website buttons) are contacts'. */
const LINK_CODE = /^[A-Za-z0-9_-]{24}$/;

privateChats.command("start", async (ctx, next) => {
  const code = ctx.match.trim();
  if (!code) {
    if (ctx.parley.rep) return void (await ctx.reply(REP_HELP));
    return next(); // a contact starting a chat
  }
  if (!ctx.parley.rep && !LINK_CODE.test(code)) return next();
  const result = await redeemLinkCode(ctx.parley.db, "telegram", code, String(ctx.from.id), String(ctx.chat.id));
  if (!result.ok) {
    const why = { unknown: "is not valid", expired: "has expired", used: "was already used" }[result.reason];
    await ctx.reply(`That link code ${why}. Ask Parley for a new one (POST /v1/me/telegram-link).`);
    return;
  }
  if (result.workspaceId !== ctx.parley.connection.workspaceId) {
    await ctx.reply("That code belongs to another workspace's bot.");
    return;
  }
  await ctx.reply(`Linked: you are ${result.userName} in Parley.\n\n${REP_HELP}`);
});

privateChats.command("help", async (ctx, next) => {
  if (!ctx.parley.rep) return next();
  await ctx.reply(REP_HELP);
});
