// Autocomplete: suggestions for the option being typed (type 8, at most 25 choices). Read-only
// and asked for on every keystroke, so nothing is claimed or written; a failure suggests nothing.
import { AppError } from "../../src/lib/errors";
import type { Choice, RepContext } from "../rep-actions";
import { contactChoices, dealChoices, MAX_CHOICES, memberChoices, pipelineChoices, resolveChoice, stageChoices } from "../rep-actions";
import type { DiscordContext } from "./context";
import { repContext } from "./context";
import type { CommandInput } from "./options";
import { text } from "./options";

type Suggest = (rc: RepContext, query: string, input: CommandInput) => Promise<Choice[]>;

const suggestions: Record<string, Suggest> = {
  contact: (rc, q) => contactChoices(rc, q),
  deal: (rc, q) => dealChoices(rc, q),
  async stage(rc, q, input) {
    const deal = text(input, "deal");
    if (!deal) return [];
    return stageChoices(rc, await resolveChoice("deal", deal, (dq) => dealChoices(rc, dq)), q);
  },
  pipeline: (rc, q) => pipelineChoices(rc, q),
  member: (rc, q) => memberChoices(rc, q),
};

export async function autocomplete(ctx: DiscordContext, input: CommandInput): Promise<Choice[]> {
  const suggest = input.focused ? suggestions[input.focused] : undefined;
  if (!suggest || !ctx.rep) return [];
  try {
    return (await suggest(repContext(ctx), text(input, input.focused!) ?? "", input)).slice(0, MAX_CHOICES);
  } catch (error) {
    // A half-typed deal that matches nothing, a deal of another workspace: no suggestions.
    if (error instanceof AppError) return [];
    throw error;
  }
}
