// Deals from a chat: the rep's open deals, a contact's, one deal's card with its moves, and
// opening, moving, winning and losing — through the same deal services as /v1/deals.
import { changeStage, createDeal, type DealDto, getDeal, listDeals, markLost, markWon } from "../../src/modules/deals/deals.service";
import { getPipeline, listPipelines } from "../../src/modules/pipelines/pipelines.service";
import { AppError } from "../../src/lib/errors";
import { dealTitle, money } from "./format";
import { type Answer, button, type Keyboard, type RepContext } from "./types";

const dealButtonRows = (deals: DealDto[]): Keyboard => deals.map((deal) => [button(`${dealTitle(deal)}${money(deal)}`, "deal.show", deal.id)]);

/** The rep's own open deals, newest first. */
export async function myOpenDeals(ctx: RepContext): Promise<Answer<{ deals: DealDto[] }>> {
  const { data } = await listDeals(ctx.db, ctx.rep, { ownerUserId: ctx.rep.userId, statusKey: "open", limit: 20 });
  return {
    data: { deals: data },
    text: data.length === 0 ? "You have no open deals." : "Your open deals:",
    buttons: dealButtonRows(data),
    show: "new",
  };
}

/** A contact's open deals, and a button to open a new one. */
export async function contactDeals(ctx: RepContext, contactId: number): Promise<Answer<{ contactId: number; deals: DealDto[] }>> {
  const { data } = await listDeals(ctx.db, ctx.rep, { contactId, statusKey: "open", limit: 10 });
  return {
    data: { contactId, deals: data },
    text: data.length ? "Open deals:" : "No open deal yet.",
    buttons: [...dealButtonRows(data), [button("➕ New deal", "deal.create", contactId)]],
    show: "menu",
  };
}

/** One deal: title, amount, pipeline, stage, status; an open deal's stage moves and Won / Lost. */
export async function dealCard(ctx: RepContext, dealId: number, notice?: string): Promise<Answer<{ deal: DealDto; pipelineName: string; stageName: string | null }>> {
  const deal = await getDeal(ctx.db, ctx.rep, dealId);
  const pipeline = await getPipeline(ctx.db, ctx.rep, deal.pipelineId);
  const stage = pipeline.stages.find((s) => s.id === deal.stageId);
  const buttons: Keyboard = [];
  if (deal.statusKey === "open") {
    buttons.push(pipeline.stages.filter((s) => s.id !== deal.stageId).map((s) => button(`→ ${s.name}`, "deal.stage", deal.id, s.id)));
    buttons.push([button("✅ Won", "deal.won", deal.id), button("❌ Lost", "deal.lost", deal.id)]);
  }
  return {
    data: { deal, pipelineName: pipeline.name, stageName: stage?.name ?? null },
    text: `${dealTitle(deal)}${money(deal)}\n${pipeline.name} · ${stage?.name ?? "?"} · ${deal.statusKey}`,
    buttons,
    show: "card",
    ...(notice ? { notice } : {}),
  };
}

export async function moveDeal(ctx: RepContext, dealId: number, stageId: number) {
  const deal = await changeStage(ctx.db, ctx.rep, dealId, stageId);
  return dealCard(ctx, deal.id, "Stage changed");
}

export async function winDeal(ctx: RepContext, dealId: number) {
  await markWon(ctx.db, ctx.rep, dealId);
  return dealCard(ctx, dealId, "🎉 Won");
}

export async function loseDeal(ctx: RepContext, dealId: number, reason?: string) {
  await markLost(ctx.db, ctx.rep, dealId, reason);
  return dealCard(ctx, dealId, "Marked lost");
}

/** A new deal for the contact, owned by the rep, in the first stage of the workspace's first pipeline. */
export async function openDeal(ctx: RepContext, contactId: number) {
  const { data } = await listPipelines(ctx.db, ctx.rep, { limit: 1 });
  const pipeline = data[0];
  if (!pipeline) throw new AppError("conflict", "This workspace has no pipeline");
  const deal = await createDeal(ctx.db, ctx.rep, { contactId, pipelineId: pipeline.id });
  return dealCard(ctx, deal.id, "Deal opened");
}
