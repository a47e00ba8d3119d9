// Creating from a chat with what the rep typed: a deal with a title and an amount, a contact in
// one of the rep's pin slots — through the same services (and checks, and events) as the API.
import { AppError, invalidField } from "../../src/lib/errors";
import { MAX_AMOUNT } from "../../src/lib/money";
import { createDeal } from "../../src/modules/deals/deals.service";
import { listPins, PIN_SLOTS, setPin } from "../../src/modules/pins/pins.service";
import { listPipelines } from "../../src/modules/pipelines/pipelines.service";
import { dealCard } from "./deals";
import type { ContactDto } from "./format";
import type { Answer, RepContext } from "./types";

export interface NewDealInput {
  contactId: number;
  title?: string;
  amount?: number;
  /** Default: the workspace's first pipeline (its first stage). */
  pipelineId?: number;
}

/** A deal for the contact, owned by the rep, with its title and amount; answers its card. */
export async function startDeal(ctx: RepContext, input: NewDealInput) {
  const title = input.title?.trim() || undefined;
  if (title && title.length > 200) throw invalidField("title", "at most 200 characters");
  if (input.amount !== undefined && (!Number.isFinite(input.amount) || input.amount < 0 || input.amount > MAX_AMOUNT)) {
    throw invalidField("amount", `between 0 and ${MAX_AMOUNT}`);
  }
  let pipelineId = input.pipelineId;
  if (pipelineId === undefined) {
    const { data } = await listPipelines(ctx.db, ctx.rep, { limit: 1 });
    if (!data[0]) throw new AppError("conflict", "This workspace has no pipeline");
    pipelineId = data[0].id;
  }
  const deal = await createDeal(ctx.db, ctx.rep, {
    contactId: input.contactId,
    pipelineId,
    ...(title ? { title } : {}),
    ...(input.amount !== undefined ? { amount: input.amount } : {}),
  });
  return dealCard(ctx, deal.id, "Deal opened");
}

/** Put a contact in one of the rep's pin slots (1–5); answers the rep's pins after the change. */
export async function pinToSlot(ctx: RepContext, slot: number, contactId: number): Promise<Answer<{ pins: { slot: number; contact: ContactDto }[] }>> {
  if (!Number.isInteger(slot) || slot < 1 || slot > PIN_SLOTS) throw invalidField("slot", `a slot from 1 to ${PIN_SLOTS}`);
  const pinned = await setPin(ctx.db, ctx.rep, slot, contactId);
  const pins = (await listPins(ctx.db, ctx.rep)).map(({ slot: s, contact }) => ({ slot: s, contact }));
  const notice = `📌 ${pinned.contact.name} pinned to slot ${slot}`;
  const lines = [notice, "", "Your pinned contacts:", ...pins.map((p) => `${p.slot}. ${p.contact.name}${p.contact.company ? ` — ${p.contact.company}` : ""}`)];
  return { data: { pins }, text: lines.join("\n"), buttons: [], show: "new", notice };
}
