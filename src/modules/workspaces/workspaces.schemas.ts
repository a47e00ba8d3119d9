import { z } from "@hono/zod-openapi";
import { isCountryCode } from "../../lib/phone";
import { UserSchema } from "../users/users.schemas";

export const WorkspaceSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    defaultCountry: z.string(),
    timeZone: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Workspace");

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export const CreateWorkspaceBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    defaultCountry: z
      .string()
      .toUpperCase()
      .refine(isCountryCode, "not a supported ISO 3166 country code")
      .default("US"),
    timeZone: z.string().refine(isTimeZone, "not an IANA time zone").default("UTC"),
    user: z.object({
      name: z.string().trim().min(1).max(200),
      email: z.email().max(320),
    }),
  })
  .openapi("CreateWorkspace");

export const CreatedWorkspaceSchema = z
  .object({
    workspace: WorkspaceSchema,
    user: UserSchema,
    token: z.string().openapi({ description: "Shown once; store it now" }),
  })
  .openapi("CreatedWorkspace");
