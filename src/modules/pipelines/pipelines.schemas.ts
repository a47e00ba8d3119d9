import { z } from "@hono/zod-openapi";
import { DealSchema } from "../deals/deals.schemas";

export const MAX_STAGES = 50;

const stageName = z.string().trim().min(1).max(100);

/** Stage names are compared case-insensitively: "Lead" and "lead" would be one column on a board. */
function uniqueNames(names: string[], ctx: z.RefinementCtx, pathOf: (index: number) => (string | number)[]) {
  const seen = new Set<string>();
  names.forEach((name, index) => {
    const key = name.toLowerCase();
    if (seen.has(key)) ctx.addIssue({ code: "custom", path: pathOf(index), message: `duplicate stage name "${name}"` });
    seen.add(key);
  });
}

export const StageSchema = z
  .object({ id: z.number().int(), name: z.string(), sortIndex: z.number().int() })
  .openapi("Stage");

export const PipelineSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    stages: z.array(StageSchema).openapi({ description: "In board order (sortIndex)" }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Pipeline");

export const CreatePipelineBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    stages: z.array(stageName).min(1).max(MAX_STAGES).openapi({ example: ["Lead", "Demo", "Contract"] }),
  })
  .superRefine((body, ctx) => uniqueNames(body.stages, ctx, (i) => ["stages", i]))
  .openapi("CreatePipeline");

export const ReplaceStagesBody = z
  .object({
    stages: z
      .array(
        z.object({
          id: z.number().int().positive().optional().openapi({ description: "An existing stage; omit to add one" }),
          name: stageName,
        }),
      )
      .min(1)
      .max(MAX_STAGES),
  })
  .superRefine((body, ctx) => {
    uniqueNames(
      body.stages.map((s) => s.name),
      ctx,
      (i) => ["stages", i, "name"],
    );
    const ids = new Set<number>();
    body.stages.forEach((stage, i) => {
      if (stage.id === undefined) return;
      if (ids.has(stage.id)) ctx.addIssue({ code: "custom", path: ["stages", i, "id"], message: "stage listed twice" });
      ids.add(stage.id);
    });
  })
  .openapi("ReplaceStages", {
    description:
      "The full desired list in board order: entries with an id rename/reorder that stage, entries without one are added, stages left out are removed (refused while they hold deals).",
  });

const AmountTotalSchema = z.object({ currency: z.string(), amount: z.number() }).openapi("AmountTotal");

const TotalsSchema = z
  .object({
    count: z.number().int(),
    amounts: z.array(AmountTotalSchema).openapi({ description: "Sum of deal amounts per currency" }),
  })
  .openapi("DealTotals");

export const BoardSchema = z
  .object({
    pipeline: z.object({ id: z.number().int(), name: z.string() }),
    stages: z.array(
      StageSchema.extend({
        open: TotalsSchema.openapi({ description: "All open deals in the stage" }),
        deals: z.array(DealSchema).openapi({ description: "The newest open deals of the stage (first page)" }),
        nextCursor: z.string().nullable().openapi({
          description: "Continue with GET /v1/deals?pipelineId=…&stageId=…&status=open&cursor=…",
        }),
      }).openapi("BoardStage"),
    ),
    won: TotalsSchema,
    lost: TotalsSchema,
  })
  .openapi("Board");
