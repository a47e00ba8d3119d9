// One router factory: every module's routes share the app type and the validation-error shape.
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ZodError } from "zod";
import type { AppEnv } from "../env";
import { AppError, type ErrorDetail } from "./errors";

export function zodDetails(error: ZodError, target: string): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: [target, ...issue.path.map(String)].join("."),
    message: issue.message,
  }));
}

export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const details = zodDetails(result.error, result.target === "json" ? "body" : result.target);
        const first = details[0];
        throw new AppError(
          "validation_failed",
          first ? `${first.path}: ${first.message}` : "request is invalid",
          details,
        );
      }
    },
  });
}

export type Router = ReturnType<typeof createRouter>;
