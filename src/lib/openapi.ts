// Shared OpenAPI pieces: the error response, path ids, JSON bodies.
import { z } from "@hono/zod-openapi";

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "validation_failed" }),
      message: z.string(),
      details: z.array(z.unknown()),
      requestId: z.string().optional(),
    }),
  })
  .openapi("Error");

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: errorSchema } },
});

/** The error responses every authenticated route may give. */
export const commonErrors = {
  400: errorResponse("Malformed request"),
  401: errorResponse("Missing or invalid token"),
  404: errorResponse("Not found (or in another workspace)"),
  422: errorResponse("Validation failed; details name the fields"),
  429: errorResponse("Rate limited; see Retry-After"),
} as const;

export const errorResponses = (...codes: (400 | 403 | 409 | 413 | 415)[]) =>
  Object.fromEntries(codes.map((code) => [code, errorResponse(`Error ${code}`)]));

export const idParam = (name = "id") =>
  z.object({
    [name]: z.coerce.number().int().positive().openapi({ param: { name, in: "path" }, example: 1 }),
  });

export const IdParams = z.object({
  id: z.coerce.number().int().positive().openapi({ param: { name: "id", in: "path" }, example: 1 }),
});

export const jsonBody = <T extends z.ZodTypeAny>(schema: T, description?: string) => ({
  body: { required: true, description, content: { "application/json": { schema } } },
});

export const jsonResponse = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const bearerSecurity = [{ bearerAuth: [] }];
