import { z } from "@hono/zod-openapi";
import { userRoles } from "../../db/schema";

export const UserSchema = z
  .object({
    id: z.number().int(),
    workspaceId: z.number().int(),
    name: z.string(),
    email: z.string(),
    role: z.enum(userRoles),
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
