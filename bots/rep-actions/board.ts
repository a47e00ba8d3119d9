// A pipeline's board from a chat: per stage, how many open deals and what they are worth, and
// the won and lost totals — the same GROUP BY board as GET /v1/pipelines/{id}/board.
import { AppError } from "../../src/lib/errors";
import { getBoard } from "../../src/modules/pipelines/pipelines.service";
import { listPipelines } from "../../src/modules/pipelines/pipelines.service";
import type { Answer, RepContext } from "./types";

interface Totals {
  count: number;
  amounts: { currency: string; amount: number }[];
}

export interface BoardFacts {
  pipeline: { id: number; name: string };
  stages: { id: number; name: string; open: Totals }[];
  won: Totals;
  lost: Totals;
}

/** "3 · 1,200 USD + 50 EUR", or "0". */
export function totalsLine(totals: Totals): string {
  const amounts = totals.amounts.map((a) => `${a.amount.toLocaleString("en-US")} ${a.currency}`).join(" + ");
  return amounts ? `${totals.count} · ${amounts}` : String(totals.count);
}

/** The board of `pipelineId`, or of the workspace's first pipeline. */
export async function pipelineBoard(ctx: RepContext, pipelineId?: number): Promise<Answer<BoardFacts>> {
  let id = pipelineId;
  if (id === undefined) {
    const { data } = await listPipelines(ctx.db, ctx.rep, { limit: 1 });
    if (!data[0]) throw new AppError("conflict", "This workspace has no pipeline");
    id = data[0].id;
  }
  // Only counts and sums are shown: no deal rows are needed.
  const board = await getBoard(ctx.db, ctx.rep, id, 0);
  const facts: BoardFacts = {
    pipeline: board.pipeline,
    stages: board.stages.map((s) => ({ id: s.id, name: s.name, open: s.open })),
    won: board.won,
    lost: board.lost,
  };
  const lines = [`📊 ${facts.pipeline.name}`, ...facts.stages.map((s) => `• ${s.name}: ${totalsLine(s.open)}`), `✅ Won: ${totalsLine(facts.won)}`, `❌ Lost: ${totalsLine(facts.lost)}`];
  return { data: facts, text: lines.join("\n"), buttons: [], show: "new" };
}
