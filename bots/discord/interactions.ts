// The Interactions Endpoint, after the signature passed: one interaction in, Discord's response
// out. PING is answered at once; autocomplete is read-only; every other interaction is claimed
// by its id first (a replay does nothing twice), gated (a server must be set up with /setup, the
// user must be linked in this workspace), then run. Discord waits 3 seconds for the first answer:
// slow commands answer "thinking…" (type 5) at once, and anything else still running after
// INLINE_BUDGET_MS is deferred the same way (type 6 for a press) — the work finishes in waitUntil
// and edits the original response through the interaction webhook.
import type { APIInteraction, APIInteractionResponse } from "discord-api-types/v10";
import { ApplicationCommandType, InteractionResponseType, InteractionType, MessageFlags } from "discord-api-types/v10";
import { eq } from "drizzle-orm";
import type { ProviderContext } from "../../src/channels/channel-adapter";
import { discordConfigOf } from "../../src/channels/discord/discord-credentials";
import { channelUpdates } from "../../src/db/schema";
import { AppError } from "../../src/lib/errors";
import { linkedUser } from "../../src/modules/chat-links/chat-links.service";
import { isGuildAllowed } from "../../src/modules/chat-links/discord-guilds.service";
import { decodeButton } from "../rep-actions";
import { autocomplete } from "./autocomplete";
import { answersPrivately, commandHandler, SLOW_COMMANDS, commandKey } from "./commands-handlers";
import { onComponent, onModal } from "./components";
import type { DiscordContext, Reply } from "./context";
import { editOriginal, followUp } from "./follow-up";
import { LINK_FIRST, link, setup } from "./link-setup";
import { commandInput } from "./options";
import { textMessage } from "./render";

/** Work still running after this long is deferred: Discord drops answers later than 3 s. */
export const INLINE_BUDGET_MS = 1500;

const json = (body: APIInteractionResponse) => Response.json(body);

function parse(rawBody: Uint8Array): APIInteraction {
  let interaction: APIInteraction;
  try {
    interaction = JSON.parse(new TextDecoder().decode(rawBody)) as APIInteraction;
  } catch {
    throw new AppError("bad_request", "the interaction is not JSON");
  }
  if (typeof interaction?.type !== "number" || typeof interaction.id !== "string" || typeof interaction.token !== "string") {
    throw new AppError("bad_request", "the interaction has no type, id or token");
  }
  return interaction;
}

function responseOf(reply: Reply): APIInteractionResponse {
  switch (reply.kind) {
    case "message":
      return { type: InteractionResponseType.ChannelMessageWithSource, data: { ...reply.body, ...(reply.ephemeral ? { flags: MessageFlags.Ephemeral } : {}) } };
    case "update":
      return { type: InteractionResponseType.UpdateMessage, data: reply.body };
    case "modal":
      return { type: InteractionResponseType.Modal, data: reply.modal };
    case "choices":
      return { type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices: reply.choices.map((c) => ({ name: c.label, value: c.value })) } };
  }
}

const refusal = (text: string): Reply => ({ kind: "message", body: textMessage(text), ephemeral: true });

/** How an interaction runs: its work, whether it may be deferred, and how its answer is seen. */
interface Plan {
  run: () => Promise<Reply>;
  defer: "always" | "if-slow" | "never";
  /** The deferred "thinking…" message is for the user alone (a deferral fixes it). */
  privately: boolean;
  /** A press (or a modal sent from one): its deferral is type 6, and its card is the original message. */
  onMessage: boolean;
}

async function planOf(ctx: DiscordContext): Promise<Plan> {
  const { interaction } = ctx;
  const now = (reply: Reply): Plan => ({ run: async () => reply, defer: "never", privately: true, onMessage: false });
  // Slash commands only (CHAT_INPUT, type 1): Parley registers no user or message commands.
  const command = interaction.type === InteractionType.ApplicationCommand && interaction.data.type === ApplicationCommandType.ChatInput ? commandInput(interaction.data) : null;
  if (interaction.type === InteractionType.ApplicationCommand && !command) return now(refusal("Parley has no such command."));

  if (command?.name === "link") return { run: () => link(ctx, command), defer: "never", privately: true, onMessage: false };
  if (ctx.guildId && command?.name !== "setup" && !(await isGuildAllowed(ctx.provider.db, ctx.provider.connection.workspaceId, ctx.guildId))) {
    return now(refusal("This server is not set up for Parley. A workspace owner runs `/setup` here first (commands in a DM with the bot work for linked users)."));
  }
  if (!ctx.rep) return now(refusal(LINK_FIRST));
  if (command?.name === "setup") return { run: () => setup(ctx), defer: "never", privately: true, onMessage: false };

  if (command) {
    const handler = commandHandler(command);
    if (!handler) return now(refusal("Parley has no such command."));
    return { run: () => handler(ctx), defer: SLOW_COMMANDS.has(commandKey(command)) ? "always" : "if-slow", privately: answersPrivately(command), onMessage: false };
  }
  if (interaction.type === InteractionType.MessageComponent) {
    // Reply and Lost answer with a modal, which cannot follow a deferral.
    const action = decodeButton(interaction.data.custom_id)?.action;
    const opensModal = action === "reply.prompt" || action === "deal.lost";
    return { run: () => onComponent(ctx, interaction), defer: opensModal ? "never" : "if-slow", privately: true, onMessage: true };
  }
  if (interaction.type === InteractionType.ModalSubmit) {
    return { run: () => onModal(ctx, interaction), defer: "if-slow", privately: true, onMessage: interaction.message !== undefined };
  }
  return now(refusal("Parley cannot answer this kind of interaction."));
}

/** The end of deferred work: its answer (or its refusal) replaces "thinking…", or joins the card. */
async function finish(ctx: DiscordContext, plan: Plan, work: Promise<Reply>): Promise<void> {
  const { env } = ctx.provider;
  const { applicationId } = ctx.app;
  const token = ctx.interaction.token;
  let reply: Reply;
  try {
    reply = await work;
  } catch (error) {
    if (!(error instanceof AppError)) console.error(JSON.stringify({ discordInteraction: ctx.interaction.id, error: error instanceof Error ? error.message : String(error) }));
    reply = refusal(error instanceof AppError ? `⚠ ${error.message}` : "⚠ Something went wrong; nothing more was done. Try again.");
  }
  try {
    if (reply.kind === "update" || (reply.kind === "message" && !plan.onMessage)) await editOriginal(env, applicationId, token, reply.body);
    else if (reply.kind === "message") await followUp(env, applicationId, token, reply.body, reply.ephemeral);
  } catch (error) {
    console.error(JSON.stringify({ discordFollowUp: ctx.interaction.id, error: error instanceof Error ? error.message : String(error) }));
  }
}

async function run(ctx: DiscordContext, plan: Plan): Promise<Response> {
  const work = plan.run();
  if (plan.defer === "never") return json(responseOf(await work));
  if (plan.defer === "if-slow") {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), INLINE_BUDGET_MS)));
    const first = await Promise.race([work.then((reply) => ({ reply })), late]).finally(() => clearTimeout(timer));
    if (first) return json(responseOf(first.reply));
  }
  const finishing = finish(ctx, plan, work);
  if (ctx.provider.waitUntil) ctx.provider.waitUntil(finishing);
  else await finishing;
  return json(
    plan.onMessage
      ? { type: InteractionResponseType.DeferredMessageUpdate }
      : { type: InteractionResponseType.DeferredChannelMessageWithSource, data: plan.privately ? { flags: MessageFlags.Ephemeral } : {} },
  );
}

/** The interaction already ran (Discord or a proxy sent it twice): acknowledge, do nothing. */
const replayed = (interaction: APIInteraction): APIInteractionResponse =>
  interaction.type === InteractionType.MessageComponent
    ? { type: InteractionResponseType.DeferredMessageUpdate }
    : { type: InteractionResponseType.ChannelMessageWithSource, data: { content: "Already done.", flags: MessageFlags.Ephemeral } };

export async function answerInteraction(provider: ProviderContext, rawBody: Uint8Array): Promise<Response> {
  const interaction = parse(rawBody);
  if (interaction.type === InteractionType.Ping) return json({ type: InteractionResponseType.Pong });
  const userId = interaction.member?.user.id ?? interaction.user?.id;
  if (!userId) throw new AppError("bad_request", "the interaction names no user");
  const { db, connection } = provider;
  const ctx: DiscordContext = {
    provider,
    app: discordConfigOf(connection),
    interaction,
    userId,
    guildId: interaction.guild_id ?? null,
    rep: await linkedUser(db, connection.workspaceId, "discord", userId),
  };

  if (interaction.type === InteractionType.ApplicationCommandAutocomplete) {
    const allowed = !ctx.guildId || (await isGuildAllowed(db, connection.workspaceId, ctx.guildId));
    return json(responseOf({ kind: "choices", choices: allowed ? await autocomplete(ctx, commandInput(interaction.data)) : [] }));
  }

  const [claimed] = await db
    .insert(channelUpdates)
    .values({ workspaceId: connection.workspaceId, connectionId: connection.id, updateId: `interaction:${interaction.id}` })
    .onConflictDoNothing()
    .returning({ id: channelUpdates.id });
  if (!claimed) return json(replayed(interaction));
  try {
    return await run(ctx, await planOf(ctx));
  } catch (error) {
    // A refusal (another workspace's item is 404, a closed deal 409…) is the answer, and final.
    if (error instanceof AppError) return json(responseOf(refusal(`⚠ ${error.message}`)));
    // Anything else: forget the interaction so a retry runs it, and fail loudly.
    await db.delete(channelUpdates).where(eq(channelUpdates.id, claimed.id));
    throw error;
  }
}
