// createBot(): one grammY bot per connection, built from the stored botInfo (no getMe per
// request), with each feature installed as a Composer.
import { Bot } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { eq } from "drizzle-orm";
import type { Db } from "../../src/db/client";
import { channelUpdates } from "../../src/db/schema";
import type { Bindings } from "../../src/env";
import { linkedRep } from "../../src/modules/chat-links/chat-links.service";
import type { ConnectionRow } from "../../src/modules/channels-config/channels.service";
import { buttonsComposer } from "./composers/buttons";
import { contactsComposer } from "./composers/contacts";
import { dealsComposer } from "./composers/deals";
import { inboundComposer } from "./composers/inbound";
import { inboxComposer } from "./composers/inbox";
import { linkComposer } from "./composers/link";
import { quietComposer } from "./composers/quiet";
import { textComposer } from "./composers/text";
import { statsComposer } from "./composers/stats";
import { type BotContext, botOf } from "./context";

export function createBot(env: Bindings, db: Db, connection: ConnectionRow, botToken: string): Bot<BotContext> {
  const { botInfo } = JSON.parse(connection.configJson) as { botInfo: UserFromGetMe };
  const bot = new Bot<BotContext>(botToken, {
    botInfo,
    client: { apiRoot: env.TELEGRAM_API_BASE_URL.replace(/\/+$/, "") },
  });

  // Telegram retries an update until it gets a 200: an update_id seen before does nothing.
  bot.use(async (ctx, next) => {
    const [fresh] = await db
      .insert(channelUpdates)
      .values({ workspaceId: connection.workspaceId, connectionId: connection.id, updateId: String(ctx.update.update_id) })
      .onConflictDoNothing()
      .returning({ id: channelUpdates.id });
    if (!fresh) return;
    try {
      await next();
    } catch (error) {
      // Forget the update so Telegram's retry runs it again.
      await db.delete(channelUpdates).where(eq(channelUpdates.id, fresh.id));
      throw error;
    }
  });

  bot.use(async (ctx, next) => {
    const linked = ctx.from ? await linkedRep(db, botOf(connection), String(ctx.from.id)) : null;
    ctx.parley = { db, env, connection, rep: linked?.caller ?? null, link: linked?.link ?? null };
    await next();
  });

  bot.use(linkComposer);
  // Workspace data is only ever shown to a linked rep of this bot's workspace, in their private
  // chat with the bot: a group the bot sits in may hold people who are not reps.
  const reps = bot.filter((ctx) => ctx.parley.rep !== null && ctx.chat?.type === "private");
  // The text composer answers every other rep message, so it comes last.
  reps.use(buttonsComposer, contactsComposer, dealsComposer, inboxComposer, statsComposer, quietComposer, textComposer);
  // Everyone else is a contact writing in (another workspace's rep included); groups are ignored.
  const contacts = bot.filter((ctx) => ctx.parley.rep === null);
  contacts.use(inboundComposer);
  // No bot.catch: a failing update propagates to the webhook (500), the dedupe row is dropped,
  // and Telegram delivers the update again.
  return bot;
}
