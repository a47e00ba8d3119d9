// What every Discord handler sees: the connection it came through, the interaction, who pressed
// or typed (the Discord user, and — when linked in this workspace — the rep), and where (a server,
// or a DM with the bot); and what a handler answers, before it is turned into Discord's response.
import type { APIInteraction, APIModalInteractionResponseCallbackData } from "discord-api-types/v10";
import type { ProviderContext } from "../../src/channels/channel-adapter";
import type { DiscordConfig } from "../../src/channels/discord/discord-credentials";
import type { Caller } from "../../src/env";
import type { Choice, RepContext } from "../rep-actions";
import type { MessageBody } from "./render";

export interface DiscordContext {
  provider: ProviderContext;
  app: DiscordConfig;
  interaction: APIInteraction;
  /** The Discord user behind the interaction. */
  userId: string;
  /** The server it came from; null in a DM with the bot. */
  guildId: string | null;
  /** The linked user of this workspace, acting with their API token's rights. */
  rep: Caller | null;
}

/** A handler's answer. */
export type Reply =
  /** A new message (type 4, or a follow-up once deferred). */
  | { kind: "message"; body: MessageBody; ephemeral: boolean }
  /** The pressed message redrawn in place (type 7). */
  | { kind: "update"; body: MessageBody }
  | { kind: "modal"; modal: APIModalInteractionResponseCallbackData }
  | { kind: "choices"; choices: Choice[] };

export function repContext(ctx: DiscordContext): RepContext {
  if (!ctx.rep) throw new Error("rep feature reached without a linked rep");
  return { db: ctx.provider.db, env: ctx.provider.env, rep: ctx.rep };
}
