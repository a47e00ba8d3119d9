// createApp(): middleware, error rendering, every module's router, the OpenAPI document.
import { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import { HTTPException } from "hono/http-exception";
import { webhooksRouter } from "./channels/webhook-pipeline";
import { signedLinksRouter } from "./modules/attachments/signed-links";
import type { AppEnv } from "./env";
import { AppError, errorBody, type ErrorCode } from "./lib/errors";
import { requireAdmin, requireUser } from "./middleware/auth";
import { idempotency } from "./middleware/idempotency";
import { rateLimit } from "./middleware/rate-limit";
import { requestContext } from "./middleware/request-context";
import { analyticsRouter } from "./modules/analytics/analytics.routes";
import { attachmentsRouter } from "./modules/attachments/attachments.routes";
import { callsRouter } from "./modules/calls/calls.routes";
import { channelsRouter } from "./modules/channels-config/channels.routes";
import { chatLinksRouter } from "./modules/chat-links/chat-links.routes";
import { contactIoRouter } from "./modules/contact-io/contact-io.routes";
import { contactsRouter } from "./modules/contacts/contacts.routes";
import { conversationsRouter } from "./modules/conversations/conversations.routes";
import { dealsRouter } from "./modules/deals/deals.routes";
import { deliveriesRouter } from "./modules/deliveries/deliveries.routes";
import { eventsRouter } from "./modules/events/events.routes";
import { jobsRouter } from "./modules/jobs/jobs.routes";
import { messagesRouter } from "./modules/messages/messages.routes";
import { pinsRouter } from "./modules/pins/pins.routes";
import { pipelinesRouter } from "./modules/pipelines/pipelines.routes";
import { qualificationRouter } from "./modules/qualification/qualification.routes";
import { usersRouter } from "./modules/users/users.routes";
import { workspacesRouter } from "./modules/workspaces/workspaces.routes";

/** Routers mounted under /v1, all behind the token guard below. */
const authenticatedRouters = [
  usersRouter,
  // Before contactsRouter: its /contacts/import-template and /contacts/imports|exports are
  // matched before /contacts/{id}.
  contactIoRouter,
  contactsRouter,
  pinsRouter,
  qualificationRouter,
  pipelinesRouter,
  dealsRouter,
  eventsRouter,
  conversationsRouter,
  messagesRouter,
  attachmentsRouter,
  deliveriesRouter,
  callsRouter,
  channelsRouter,
  chatLinksRouter,
  analyticsRouter,
  jobsRouter,
];

function statusCodeOf(status: number): ErrorCode {
  if (status === 413) return "payload_too_large";
  if (status === 415) return "unsupported_media_type";
  if (status === 401) return "unauthorized";
  if (status === 404) return "not_found";
  return "bad_request";
}

export function createApp() {
  const app = new OpenAPIHono<AppEnv>();

  app.use("*", requestContext);

  app.onError((err, c) => {
    const requestId = c.var.requestId;
    if (err instanceof AppError) {
      return c.json(errorBody(err.code, err.message, err.details, requestId), err.status);
    }
    if (err instanceof HTTPException) {
      // Hono's own validators raise these, e.g. for a body that is not JSON.
      const code = /json/i.test(err.message) ? "invalid_json" : statusCodeOf(err.status);
      const status = err.status >= 400 && err.status < 500 ? err.status : 400;
      return c.json(errorBody(code, err.message || "bad request", [], requestId), status);
    }
    console.error(JSON.stringify({ requestId, error: String(err), stack: (err as Error)?.stack }));
    return c.json(errorBody("internal_error", "internal error", [], requestId), 500);
  });

  app.notFound((c) => c.json(errorBody("not_found", `no route for ${c.req.method} ${c.req.path}`, [], c.var.requestId), 404));

  app.get("/health", (c) => c.json({ ok: true }));

  // Provider webhooks authenticate with their own signatures, not bearer tokens.
  app.route("/", webhooksRouter);
  // Providers fetching a file by URL present a signed, expiring link instead.
  app.route("/", signedLinksRouter);

  // Everything under /v1 needs a user token, except workspace creation (the operator secret).
  app.use("/v1/*", async (c, next) =>
    c.req.path === "/v1/workspaces"
      ? requireAdmin(c, next)
      : requireUser(c, async () => {
          await rateLimit(c, next);
        }),
  );
  app.use("/v1/*", idempotency);
  app.route("/v1", workspacesRouter);
  for (const router of authenticatedRouters) app.route("/v1", router);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An API token (`POST /v1/me/tokens`), or the operator secret for `POST /v1/workspaces`",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Parley API",
      version: "1.0.0",
      description:
        "Sales CRM with an omnichannel inbox. Errors are `{error:{code,message,details}}`; lists are `{data,nextCursor}`; times are ISO-8601 UTC.",
    },
    servers: [{ url: "/" }],
  });
  app.get("/docs", Scalar({ url: "/openapi.json", pageTitle: "Parley API" }));

  return app;
}
