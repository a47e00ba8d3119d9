// The context every Parley bot handler sees: the database, the bindings, the bot's connection,
// and — when the Telegram user is a linked rep of this workspace — who they are.
import type { Context } from "grammy";
import type { Db } from "../../src/db/client";
import type { Bindings, Caller } from "../../src/env";
import type { ChatBot, ChatLinkRow } from "../../src/modules/chat-links/chat-links.service";
import type { ConnectionRow } from "../../src/modules/channels-config/channels.service";

export interface ParleyState {
  db: Db;
  env: Bindings;
  connection: ConnectionRow;
  /** The linked rep, acting with the same rights as their API token would have. */
  rep: Caller | null;
  /** The rep's link through this bot (their quiet settings). */
  link: ChatLinkRow | null;
}

export type BotContext = Context & { parley: ParleyState };

/** The bot as chat links know it. */
export const botOf = (connection: Pick<ConnectionRow, "id" | "workspaceId">): ChatBot => ({
  platform: "telegram",
  connectionId: connection.id,
  workspaceId: connection.workspaceId,
});
