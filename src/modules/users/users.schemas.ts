import { z } from "@hono/zod-openapi";
import { userRoles } from "../../db/schema";

export const UserSchema = z
  .object({
    id: z.number().int(),
    workspaceId: z.number().int(),
    name: z.string(),
    email: z.string(),
    role: z.enum(userRoles),
    /** False once an owner deactivated the user: their tokens are refused, nothing reaches them. */
    active: z.boolean(),
    deactivatedAt: z.string().nullable(),
    phone: z.string().nullable().openapi({ description: "E.164; the number a phone channel rings for this user" }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("User");

export const CreateUserBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    email: z.email().max(320),
    role: z.enum(userRoles).default("member"),
  })
  .openapi("CreateUser");

export const CreatedUserSchema = z.object({ user: UserSchema, token: z.string() }).openapi("CreatedUser");

export const TokenSchema = z
  .object({
    id: z.number().int(),
    name: z.string().nullable(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
  })
  .openapi("ApiToken");

export const CreateTokenBody = z.object({ name: z.string().trim().min(1).max(100).optional() }).openapi("CreateToken");

export const CreatedTokenSchema = z
  .object({ id: z.number().int(), name: z.string().nullable(), token: z.string(), createdAt: z.string() })
  .openapi("CreatedToken");

export const UpdateUserBody = z
  .object({
    role: z.enum(userRoles).optional(),
    active: z.boolean().optional().openapi({ description: "false deactivates (offboards) the user; true reactivates them" }),
  })
  .refine((body) => body.role !== undefined || body.active !== undefined, { message: "give role, active or both" })
  .openapi("UpdateUser");

export const UserTokenParams = z.object({
  id: z.coerce.number().int().positive().openapi({ param: { name: "id", in: "path" }, example: 1 }),
  tokenId: z.coerce.number().int().positive().openapi({ param: { name: "tokenId", in: "path" }, example: 1 }),
});
export const UpdateMeBody = z
  .object({
    phone: z
      .string()
      .trim()
      .min(1)
      .max(40)
      .nullable()
      .openapi({ description: "Your phone number (any spelling; stored in E.164, read in the workspace's default country); null removes it" }),
  })
  .openapi("UpdateMe");
