// Deals from a chat: the rep's open deals, a contact's, one deal's card with its moves, and
// opening, moving, winning (confirmed), losing (with a reason) and reopening — through the same
// deal services as /v1/deals.
import { and, desc, eq, isNotNull } from "drizzle-orm";
import { deals } from "../../src/db/schema";
import { amountSchema, currencySchema } from "../../src/lib/money";
import { getLiveContact } from "../../src/modules/contacts/contacts.service";
import { changeStage, createDeal, type DealDto, getDeal, listDeals, markLost, markWon, reopen } from "../../src/modules/deals/deals.service";
import { getPipeline, listPipelines } from "../../src/modules/pipelines/pipelines.service";
import { dealTitle, money, snippet } from "./format";
import { refreshCardsLater } from "./notifications";
import { type Answer, backButton, button, type Button, type Keyboard, type RepContext } from "./types";
import { refusal } from "./words";

const dealButtonRows = (list: DealDto[]): Keyboard => list.map((deal) => [button(`${snippet(dealTitle(deal), 40)}${money(deal)}`, "deal.show", deal.id)]);

/** Buttons laid out `perRow` a row: three short labels fit a phone's width, two longer ones. */
function inRows(buttons: Button[]): Keyboard {
  const perRow = buttons.some((b) => b.label.length > 14) ? 2 : 3;
  const rows: Keyboard = [];
  for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow));
  return rows;
}

/** The rep's own open deals, newest first. */
export async function myOpenDeals(ctx: RepContext): Promise<Answer<{ deals: DealDto[] }>> {
  const { data } = await listDeals(ctx.db, ctx.rep, { ownerUserId: ctx.rep.userId, statusKey: "open", limit: 20 });
  return {
    data: { deals: data },
    text: data.length === 0 ? "You have no open deals." : "💼 Your open deals:",
    buttons: dealButtonRows(data),
    show: "new",
  };
}

/** A contact's open deals, and a button to open a new one. */
export async function contactDeals(ctx: RepContext, contactId: number): Promise<Answer<{ contactId: number; deals: DealDto[] }>> {
  const contact = await getLiveContact(ctx.db, ctx.rep.workspaceId, contactId);
  const { data } = await listDeals(ctx.db, ctx.rep, { contactId, statusKey: "open", limit: 10 });
  return {
    data: { contactId, deals: data },
    text: data.length ? `💼 ${contact.name}'s open deals:` : `${contact.name} has no open deal yet.`,
    buttons: [...dealButtonRows(data), [button("➕ New deal", "deal.create", contactId), backButton("contact.show", contactId)]],
    show: "menu",
  };
}

export interface DealFacts {
  deal: DealDto;
  contactName: string;
  pipelineName: string;
  stageName: string | null;
}

/** One deal: title, amount, contact, pipeline and stage, status; an open deal's moves, a closed one's Reopen. */
export async function dealCard(ctx: RepContext, dealId: number, notice?: string): Promise<Answer<DealFacts>> {
  const deal = await getDeal(ctx.db, ctx.rep, dealId);
  const [pipeline, contact] = await Promise.all([
    getPipeline(ctx.db, ctx.rep, deal.pipelineId),
    getLiveContact(ctx.db, ctx.rep.workspaceId, deal.contactId).catch(() => null),
  ]);
  const stage = pipeline.stages.find((s) => s.id === deal.stageId);
  const status =
    deal.statusKey === "open" ? "Open" : deal.statusKey === "won" ? "✅ Won" : `❌ Lost${deal.lostReason ? ` — ${deal.lostReason}` : ""}`;
  const lines = [`💼 ${dealTitle(deal)}${money(deal)}`, `${contact?.name ?? "?"} · ${pipeline.name}: ${stage?.name ?? "?"}`, status];
  const buttons: Keyboard = [];
  if (deal.statusKey === "open") {
    buttons.push(...inRows(pipeline.stages.filter((s) => s.id !== deal.stageId).map((s) => button(`→ ${s.name}`, "deal.stage", deal.id, s.id))));
    buttons.push([button("✅ Won", "deal.won", deal.id), button("❌ Lost", "deal.lost", deal.id)]);
  } else {
    buttons.push([button("↺ Reopen", "deal.reopen", deal.id)]);
  }
  buttons.push([button("👤 Contact", "contact.show", deal.contactId)]);
  return {
    data: { deal, contactName: contact?.name ?? "", pipelineName: pipeline.name, stageName: stage?.name ?? null },
    text: lines.join("\n"),
    buttons,
    show: "card",
    ...(notice ? { notice } : {}),
  };
}

async function afterChange(ctx: RepContext, deal: DealDto, notice: string) {
  await refreshCardsLater(ctx, deal.contactId);
  return dealCard(ctx, deal.id, notice);
}

export async function moveDeal(ctx: RepContext, dealId: number, stageId: number) {
  const deal = await changeStage(ctx.db, ctx.rep, dealId, stageId);
  const stage = (await getPipeline(ctx.db, ctx.rep, deal.pipelineId)).stages.find((s) => s.id === deal.stageId);
  return afterChange(ctx, deal, `Moved to ${stage?.name ?? "the stage"}`);
}

async function openDealOrRefuse(ctx: RepContext, dealId: number, doing: string): Promise<DealDto> {
  const deal = await getDeal(ctx.db, ctx.rep, dealId);
  if (deal.statusKey !== "open") throw refusal(`This deal is already ${deal.statusKey}; reopen it before ${doing}.`);
  return deal;
}

/** ✅ Won asks first: a mis-tap must not close a deal. */
export async function askWon(ctx: RepContext, dealId: number): Promise<Answer<{ deal: DealDto }>> {
  const deal = await openDealOrRefuse(ctx, dealId, "marking it won");
  return {
    data: { deal },
    text: `Mark “${dealTitle(deal)}” as won?`,
    buttons: [[button("✅ Yes, won", "deal.wonConfirmed", deal.id), backButton("deal.show", deal.id)]],
    show: "menu",
  };
}

export async function winDeal(ctx: RepContext, dealId: number) {
  return afterChange(ctx, await markWon(ctx.db, ctx.rep, dealId), "🎉 Won");
}

const RECENT_REASONS = 4;

/** ❌ Lost asks why: the workspace's recent reasons as buttons, another reason typed, or none. */
export async function askLost(ctx: RepContext, dealId: number): Promise<Answer<{ deal: DealDto; reasons: string[] }>> {
  const deal = await openDealOrRefuse(ctx, dealId, "marking it lost");
  const recent = await ctx.db
    .select({ id: deals.id, reason: deals.lostReason })
    .from(deals)
    .where(and(eq(deals.workspaceId, ctx.rep.workspaceId), eq(deals.statusKey, "lost"), isNotNull(deals.lostReason)))
    .orderBy(desc(deals.closedAt))
    .limit(50);
  // A reason travels as the id of a deal lost for it: the text itself may not fit a button's payload.
  const reasons = new Map<string, number>();
  for (const row of recent) if (row.reason && !reasons.has(row.reason) && reasons.size < RECENT_REASONS) reasons.set(row.reason, row.id);
  const buttons: Keyboard = [...reasons].map(([reason, likeId]) => [button(snippet(reason, 40), "deal.lostLike", deal.id, likeId)]);
  buttons.push([button("✍ Other reason…", "deal.lostOther", deal.id), button("No reason", "deal.lostNoReason", deal.id)]);
  buttons.push([backButton("deal.show", deal.id)]);
  return { data: { deal, reasons: [...reasons.keys()] }, text: `Why was “${dealTitle(deal)}” lost?`, buttons, show: "menu" };
}

export async function loseDeal(ctx: RepContext, dealId: number, reason?: string) {
  const text = reason?.trim().slice(0, 500) || undefined;
  return afterChange(ctx, await markLost(ctx.db, ctx.rep, dealId, text), text ? `Marked lost: ${snippet(text, 60)}` : "Marked lost");
}

/** Lost for the same reason as another deal of the workspace. */
export async function loseDealLike(ctx: RepContext, dealId: number, likeDealId: number) {
  const like = await getDeal(ctx.db, ctx.rep, likeDealId);
  return loseDeal(ctx, dealId, like.lostReason ?? undefined);
}

export async function askLostReason(ctx: RepContext, dealId: number): Promise<Answer<{ deal: DealDto }>> {
  const deal = await openDealOrRefuse(ctx, dealId, "marking it lost");
  return {
    data: { deal },
    text: `✍ Why was “${dealTitle(deal)}” lost? Type the reason (/cancel to stop).`,
    buttons: [],
    show: "new",
    prompt: { action: "deal.lostReason", args: [deal.id], placeholder: "The reason" },
  };
}

export async function reopenDeal(ctx: RepContext, dealId: number) {
  return afterChange(ctx, await reopen(ctx.db, ctx.rep, dealId), "↺ Reopened");
}

/** ➕ New deal: which pipeline, when the workspace has several; then its title and amount. */
export async function newDeal(ctx: RepContext, contactId: number): Promise<Answer> {
  await getLiveContact(ctx.db, ctx.rep.workspaceId, contactId);
  const { data } = await listPipelines(ctx.db, ctx.rep, { limit: 10 });
  if (data.length === 0) throw refusal("This workspace has no pipeline yet; an owner can create one in Parley.");
  if (data.length === 1) return newDealPrompt(ctx, contactId, data[0]!.id);
  const buttons: Keyboard = inRows(data.map((p) => button(snippet(p.name, 30), "deal.createIn", contactId, p.id)));
  buttons.push([backButton("contact.deals", contactId)]);
  return { data: { contactId, pipelines: data.map((p) => ({ id: p.id, name: p.name })) }, text: "➕ New deal — in which pipeline?", buttons, show: "menu" };
}

export async function newDealPrompt(ctx: RepContext, contactId: number, pipelineId: number): Promise<Answer<{ contactId: number; pipelineId: number }>> {
  const [contact, pipeline] = await Promise.all([getLiveContact(ctx.db, ctx.rep.workspaceId, contactId), getPipeline(ctx.db, ctx.rep, pipelineId)]);
  return {
    data: { contactId, pipelineId },
    text: `➕ New deal with ${contact.name} in ${pipeline.name}. Type its title and, if you know it, the amount — e.g. “Website redesign 4500” or “Support plan 1200 EUR”.`,
    buttons: [[button("Skip — no title", "deal.createNow", contactId, pipelineId)]],
    show: "new",
    prompt: { action: "deal.new", args: [contactId, pipelineId], placeholder: "Title and amount" },
  };
}

/** “Website redesign 4 500,50 eur” → title, amount, currency (each optional). */
export function parseDealText(text: string): { title?: string; amount?: number; currency?: string } {
  const match = /^(.*?)\s*(?:(\d[\d\s,.]*\d|\d)\s*([A-Za-z]{3})?)?\s*$/s.exec(text.trim());
  const title = match?.[1]?.trim() || undefined;
  if (!match?.[2]) return { title: text.trim() || undefined };
  let digits = match[2].replace(/\s/g, "");
  // A comma or dot followed by exactly two digits at the end is the decimal mark; others group thousands.
  const decimals = /[.,](\d{2})$/.exec(digits);
  digits = decimals ? `${digits.slice(0, -3).replace(/[.,]/g, "")}.${decimals[1]}` : digits.replace(/[.,]/g, "");
  const amount = amountSchema.safeParse(Number(digits));
  const currency = match[3] ? currencySchema.safeParse(match[3]) : undefined;
  if (!amount.success || (currency && !currency.success)) return { title: text.trim() };
  return { title, amount: amount.data, ...(currency?.success ? { currency: currency.data } : {}) };
}

/** A new deal for the contact, owned by the rep, in the pipeline's first stage. */
export async function createDealWith(ctx: RepContext, contactId: number, pipelineId: number, text?: string) {
  const parsed = text ? parseDealText(text) : {};
  const deal = await createDeal(ctx.db, ctx.rep, { contactId, pipelineId, ...parsed, title: parsed.title?.slice(0, 200) });
  return afterChange(ctx, deal, "Deal opened");
}
