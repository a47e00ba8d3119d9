// Reps' deals: /deal lists the rep's open deals; buttons move a stage, mark won or lost, or open
// a new deal for a contact in the default pipeline.
import { Composer, InlineKeyboard } from "grammy";
import { changeStage, createDeal, getDeal, listDeals, markLost, markWon } from "../../../src/modules/deals/deals.service";
import { getPipeline, listPipelines } from "../../../src/modules/pipelines/pipelines.service";
import type { BotContext } from "../context";
import { money } from "../format";
import { answerFailure, repOf } from "./rep";

export const dealsComposer = new Composer<BotContext>();

dealsComposer.command("deal", async (ctx) => {
  const rep = repOf(ctx);
  const { data } = await listDeals(ctx.parley.db, rep, { ownerUserId: rep.userId, statusKey: "open", limit: 20 });
  if (data.length === 0) {
    await ctx.reply("You have no open deals.");
    return;
  }
  const keyboard = new InlineKeyboard();
  for (const deal of data) keyboard.text(`${deal.title ?? `Deal #${deal.id}`}${money(deal)}`, `d:${deal.id}`).row();
  await ctx.reply("Your open deals:", { reply_markup: keyboard });
});

async function showDeal(ctx: BotContext, dealId: number) {
  const rep = repOf(ctx);
  const deal = await getDeal(ctx.parley.db, rep, dealId);
  const pipeline = await getPipeline(ctx.parley.db, rep, deal.pipelineId);
  const stage = pipeline.stages.find((s) => s.id === deal.stageId);
  const keyboard = new InlineKeyboard();
  if (deal.statusKey === "open") {
    for (const s of pipeline.stages) if (s.id !== deal.stageId) keyboard.text(`→ ${s.name}`, `ds:${deal.id}:${s.id}`);
    keyboard.row().text("✅ Won", `dw:${deal.id}`).text("❌ Lost", `dl:${deal.id}`);
  }
  await ctx.reply(`${deal.title ?? `Deal #${deal.id}`}${money(deal)}\n${pipeline.name} · ${stage?.name ?? "?"} · ${deal.statusKey}`, {
    reply_markup: keyboard,
  });
}

dealsComposer.callbackQuery(/^d:(\d+)$/, async (ctx) =>
  answerFailure(ctx, async () => {
    await ctx.answerCallbackQuery();
    await showDeal(ctx, Number(ctx.match[1]));
  }),
);

dealsComposer.callbackQuery(/^ds:(\d+):(\d+)$/, async (ctx) =>
  answerFailure(ctx, async () => {
    const deal = await changeStage(ctx.parley.db, repOf(ctx), Number(ctx.match[1]), Number(ctx.match[2]));
    await ctx.answerCallbackQuery({ text: "Stage changed" });
    await showDeal(ctx, deal.id);
  }),
);

dealsComposer.callbackQuery(/^dw:(\d+)$/, async (ctx) =>
  answerFailure(ctx, async () => {
    await markWon(ctx.parley.db, repOf(ctx), Number(ctx.match[1]));
    await ctx.answerCallbackQuery({ text: "🎉 Won" });
  }),
);

dealsComposer.callbackQuery(/^dl:(\d+)$/, async (ctx) =>
  answerFailure(ctx, async () => {
    await markLost(ctx.parley.db, repOf(ctx), Number(ctx.match[1]), undefined);
    await ctx.answerCallbackQuery({ text: "Marked lost" });
  }),
);

dealsComposer.callbackQuery(/^dn:(\d+)$/, async (ctx) =>
  answerFailure(ctx, async () => {
    const rep = repOf(ctx);
    const { data } = await listPipelines(ctx.parley.db, rep, { limit: 1 });
    const pipeline = data[0];
    if (!pipeline) {
      await ctx.answerCallbackQuery({ text: "This workspace has no pipeline", show_alert: true });
      return;
    }
    const deal = await createDeal(ctx.parley.db, rep, { contactId: Number(ctx.match[1]), pipelineId: pipeline.id });
    await ctx.answerCallbackQuery({ text: "Deal opened" });
    await showDeal(ctx, deal.id);
  }),
);
