import { z } from "@hono/zod-openapi";
import { sourceKeys } from "../../db/schema";

export const QualificationKindSchema = z
  .object({ key: z.string(), label: z.string(), sortIndex: z.number().int() })
  .openapi("QualificationKind");

export const ScoreBody = z.object({ value: z.number().int().min(1).max(5) }).openapi("SetScore");

export const ScoreStateSchema = z
  .object({
    value: z.number().int().nullable().openapi({ description: "Effective score" }),
    history: z.array(
      z.object({
        value: z.number().int(),
        sourceKey: z.enum(sourceKeys),
        userId: z.number().int().nullable(),
        createdAt: z.string(),
      }),
    ),
  })
  .openapi("ScoreState");

export const QualificationBody = z
  .object({ kindKey: z.string().min(1).max(50).openapi({ example: "hot" }) })
  .openapi("SetQualification");

export const QualificationStateSchema = z
  .object({
    kindKey: z.string().nullable().openapi({ description: "Effective qualification" }),
    userOverride: z.boolean(),
    history: z.array(
      z.object({
        kindKey: z.string().nullable(),
        sourceKey: z.enum(sourceKeys),
        userId: z.number().int().nullable(),
        confidence: z.number().int().nullable(),
        createdAt: z.string(),
      }),
    ),
  })
  .openapi("QualificationState");
