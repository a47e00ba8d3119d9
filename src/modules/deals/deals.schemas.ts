import { z } from "@hono/zod-openapi";
import { dealStatuses } from "../../db/schema";
import { amountSchema, currencySchema } from "../../lib/money";
import { cursorQuery, limitQuery } from "../../lib/pagination";

const id = z.number().int();
const title = z.string().trim().min(1).max(200);

export const DealSchema = z
  .object({
    id,
    contactId: id,
    pipelineId: id,
    stageId: id,
    ownerUserId: id.nullable().openapi({ description: "The rep who owns the deal (its creator)" }),
    statusKey: z.enum(dealStatuses),
    title: z.string().nullable(),
    amount: z.number().nullable().openapi({ description: "Major units", example: 1234.5 }),
    currency: z.string(),
    lostReason: z.string().nullable(),
    closedAt: z.string().nullable(),
    stageChangedAt: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Deal");

export const CreateDealBody = z
  .object({
    contactId: id.positive(),
    pipelineId: id.positive(),
    stageId: id.positive().optional().openapi({ description: "Defaults to the pipeline's first stage" }),
    title: title.optional(),
    amount: amountSchema.optional(),
    currency: currencySchema.optional().openapi({ description: "Defaults to USD" }),
  })
  .openapi("CreateDeal");

export const UpdateDealBody = z
  .object({
    title: title.nullable().optional(),
    amount: amountSchema.nullable().optional(),
    currency: currencySchema.optional(),
  })
  .refine((body) => Object.values(body).some((v) => v !== undefined), "give at least one of title, amount, currency")
  .openapi("UpdateDeal");

export const ChangeStageBody = z.object({ stageId: id.positive() }).openapi("ChangeDealStage");

export const LoseDealBody = z
  .object({ reason: z.string().trim().min(1).max(500).optional() })
  .openapi("LoseDeal");

const idFilter = (description: string) => z.coerce.number().int().positive().optional().openapi({ description });

export const ListDealsQuery = z.object({
  pipelineId: idFilter("Only deals of this pipeline"),
  stageId: idFilter("Only deals in this stage"),
  statusKey: z.enum(dealStatuses).optional(),
  contactId: idFilter("Only deals of this contact"),
  ownerUserId: idFilter("Only deals this user owns"),
  limit: limitQuery,
  cursor: cursorQuery,
});
