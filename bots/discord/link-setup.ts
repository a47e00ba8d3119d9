// `/link code` (anyone: ties the Discord account to a Parley user) and `/setup` (owners: allows
// the current server), and what an unlinked user is told instead of an answer.
import { redeemLinkCode } from "../../src/modules/chat-links/chat-links.service";
import { allowGuild } from "../../src/modules/chat-links/discord-guilds.service";
import type { DiscordContext, Reply } from "./context";
import { repContext } from "./context";
import { type CommandInput, required } from "./options";
import { textMessage } from "./render";

export const HELP = [
  "**Parley commands** (answers only you see, unless you add `share:True`)",
  "`/contact find query:acme` — find contacts · `/contact show contact:…` — a card with buttons",
  "`/deal create contact:… title:… amount:…` · `/deal stage|won|lost deal:…`",
  "`/pipeline` — the board · `/inbox` — your unread conversations · `/pin slot:1 contact:…`",
  "`/stats period:7d` — your numbers (owners: `member:…`)",
].join("\n");

export const LINK_FIRST = [
  "You are not linked to a Parley user of this workspace yet.",
  "1. In Parley, get a code: `POST /v1/me/discord-link` (with your API token).",
  "2. Here, run `/link code:<the code>` (it works once, for 15 minutes).",
].join("\n");

const ephemeral = (text: string): Reply => ({ kind: "message", body: textMessage(text), ephemeral: true });

export async function link(ctx: DiscordContext, input: CommandInput): Promise<Reply> {
  const code = required(input, "code").trim();
  const result = await redeemLinkCode(ctx.provider.db, "discord", code, ctx.userId, null);
  if (!result.ok) {
    const why = { unknown: "is not valid", expired: "has expired", used: "was already used" }[result.reason];
    return ephemeral(`That link code ${why}. Get a new one with \`POST /v1/me/discord-link\`.`);
  }
  if (result.workspaceId !== ctx.provider.connection.workspaceId) return ephemeral("That code belongs to another workspace's bot.");
  return ephemeral(`✓ Linked: you are ${result.userName} in Parley.\n\n${HELP}`);
}

export async function setup(ctx: DiscordContext): Promise<Reply> {
  if (!ctx.guildId) return ephemeral("Run /setup in the server that should use Parley.");
  const { created } = await allowGuild(ctx.provider.db, repContext(ctx).rep, ctx.guildId);
  return { kind: "message", body: textMessage(created ? `✓ This server can now use Parley.\n\n${HELP}` : "This server was already set up."), ephemeral: !created };
}
