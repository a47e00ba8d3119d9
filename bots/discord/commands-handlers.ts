// Slash commands, each parsed from its options into a rep action and drawn as embeds: /contact,
// /deal, /pipeline, /inbox, /pin, /stats. Contacts, deals and numbers answer only to the person
// asking unless they pass `share:True`; the inbox and pins are always theirs alone.
import type { RepContext } from "../rep-actions";
import {
  contactChoices,
  dealChoices,
  findContacts,
  inbox,
  isPeriod,
  loseDeal,
  memberChoices,
  moveDeal,
  pinToSlot,
  pipelineBoard,
  pipelineChoices,
  resolveChoice,
  stageChoices,
  startDeal,
  statsFor,
  winDeal,
} from "../rep-actions";
import { AppError } from "../../src/lib/errors";
import { contactCardBody, dealCardBody, plainBody } from "./cards";
import { type DiscordContext, type Reply, repContext } from "./context";
import { type CommandInput, numeric, required, shared, text } from "./options";
import { boardEmbed, contactListEmbed, message, type MessageBody, statsEmbed } from "./render";

type Handler = (rc: RepContext, input: CommandInput, ctx: DiscordContext) => Promise<Reply>;

const contactId = (rc: RepContext, value: string) => resolveChoice("contact", value, (q) => contactChoices(rc, q));
const dealId = (rc: RepContext, value: string) => resolveChoice("deal", value, (q) => dealChoices(rc, q));

const reply = (input: CommandInput, body: MessageBody): Reply => ({
  kind: "message",
  body,
  ephemeral: !shared(input),
});

const handlers: Record<string, Handler> = {
  async "contact find"(rc, input) {
    const found = await findContacts(rc, required(input, "query"));
    return { kind: "message", body: message([contactListEmbed(found.text, found.data.contacts)]), ephemeral: true };
  },
  async "contact show"(rc, input) {
    return reply(input, await contactCardBody(rc, await contactId(rc, required(input, "contact"))));
  },
  async "deal create"(rc, input) {
    const title = text(input, "title");
    const amount = numeric(input, "amount");
    const card = await startDeal(rc, {
      contactId: await contactId(rc, required(input, "contact")),
      ...(title !== undefined ? { title } : {}),
      ...(amount !== undefined ? { amount } : {}),
    });
    return reply(input, dealCardBody(card));
  },
  async "deal stage"(rc, input) {
    const deal = await dealId(rc, required(input, "deal"));
    const stage = await resolveChoice("stage", required(input, "stage"), (q) => stageChoices(rc, deal, q));
    return reply(input, dealCardBody(await moveDeal(rc, deal, stage)));
  },
  async "deal won"(rc, input) {
    return reply(input, dealCardBody(await winDeal(rc, await dealId(rc, required(input, "deal")))));
  },
  async "deal lost"(rc, input) {
    const reason = text(input, "reason")?.trim();
    return reply(input, dealCardBody(await loseDeal(rc, await dealId(rc, required(input, "deal")), reason || undefined)));
  },
  async pipeline(rc, input) {
    const value = text(input, "pipeline");
    const pipelineId = value === undefined ? undefined : await resolveChoice("pipeline", value, (q) => pipelineChoices(rc, q));
    return reply(input, message([boardEmbed((await pipelineBoard(rc, pipelineId)).data)]));
  },
  async inbox(rc) {
    return { kind: "message", body: plainBody(await inbox(rc)), ephemeral: true };
  },
  async pin(rc, input) {
    const slot = numeric(input, "slot");
    if (slot === undefined) throw new AppError("bad_request", "The slot option is required.");
    const answer = await pinToSlot(rc, slot, await contactId(rc, required(input, "contact")));
    return { kind: "message", body: plainBody(answer), ephemeral: true };
  },
  async stats(rc, input) {
    const period = text(input, "period") ?? "today";
    if (!isPeriod(period)) throw new AppError("bad_request", "The period is today, 7d or 30d.");
    const member = text(input, "member");
    const userId = member === undefined ? undefined : await resolveChoice("member", member, (q) => memberChoices(rc, q));
    const stats = await statsFor(rc, { period, ...(userId !== undefined ? { userId } : {}) });
    return reply(input, message([statsEmbed(stats.data)]));
  },
};

/** Commands whose answer may take a while (aggregates over many rows): always deferred. */
export const SLOW_COMMANDS = new Set(["pipeline", "stats"]);

export const commandKey = (input: CommandInput) => (input.subcommand ? `${input.name} ${input.subcommand}` : input.name);

/** Whether the command's answer is for the user alone (decided before it runs: a deferral fixes it). */
export const answersPrivately = (input: CommandInput) => !["contact show", "deal create", "deal stage", "deal won", "deal lost", "pipeline", "stats"].includes(commandKey(input)) || !shared(input);

export function commandHandler(input: CommandInput): ((ctx: DiscordContext) => Promise<Reply>) | null {
  const handler = handlers[commandKey(input)];
  return handler ? (ctx) => handler(repContext(ctx), input, ctx) : null;
}
