// createApp(): middleware, error rendering, every module's router, the OpenAPI document;
// createProviderApp(): the routes providers call (webhooks, signed file links).
import { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import { type ErrorHandler, Hono, type NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { webhooksRouter } from "./channels/webhook-pipeline";
import { uniqueViolation } from "./db/constraints";
import { signedLinksRouter } from "./modules/attachments/signed-links";
import type { AppEnv } from "./env";
import { AppError, errorBody, type ErrorCode } from "./lib/errors";
import { requireAdmin, requireUser } from "./middleware/auth";
import { idempotency } from "./middleware/idempotency";
import { addressRateLimit, rateLimit, webhookRateLimit } from "./middleware/rate-limit";
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

const operatorRateLimit = addressRateLimit("operator");

/** The API reference's browser bundle, a static asset (scripts/copy-docs-assets.mjs). */
const DOCS_SCRIPT = "/docs/scalar-api-reference.js";

/** Every error as `{error:{code,message,details}}` with the request's id; never a bare 500. */
const renderError: ErrorHandler<AppEnv> = (err, c) => {
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
  // A unique index settled a race the service's own check could not see (two requests creating
  // the same user e-mail, identity, pin…): the loser is told so, as if it had come second.
  const unique = uniqueViolation(err);
  if (unique) {
    const what = `${unique.table} ${unique.columns.join(", ")}`;
    return c.json(
      errorBody("conflict", `a concurrent request created the same ${what} first`, unique.columns.map((column) => ({ path: column, message: "taken" })), requestId),
      409,
    );
  }
  console.error(JSON.stringify({ requestId, error: String(err), stack: (err as Error)?.stack }));
  return c.json(errorBody("internal_error", "internal error", [], requestId), 500);
};

const noRoute: NotFoundHandler<AppEnv> = (c) => c.json(errorBody("not_found", `no route for ${c.req.method} ${c.req.path}`, [], c.var.requestId), 404);

/** Request id, database client and error rendering: what both apps below share. */
function withBasics<T extends Hono<AppEnv>>(app: T): T {
  app.use("*", requestContext);
  app.onError(renderError);
  app.notFound(noRoute);
  return app;
}

/** Where providers reach the Worker: their webhooks and the signed file links they fetch. */
export const isProviderPath = (pathname: string) => pathname.startsWith("/webhooks/") || pathname.startsWith("/files/");

/**
 * The provider-facing routes (`isProviderPath`) on a router of their own: a provider's
 * notification is matched among three routes, not the API's two hundred (Hono falls back to its
 * trie router for the API, whose lookups showed up on the webhook benchmark).
 */
export function createProviderApp() {
  const app = withBasics(new Hono<AppEnv>());
  // Provider webhooks authenticate with their own signatures, not bearer tokens; each webhook URL
  // has a request budget per sending address, spent before anything else runs.
  app.use("/webhooks/*", webhookRateLimit);
  app.route("/", webhooksRouter);
  // Providers fetching a file by URL present a signed, expiring link instead.
  app.route("/", signedLinksRouter);
  return app;
}

/** The API: everything but the provider-facing routes. */
export function createApp() {
  const app = withBasics(new OpenAPIHono<AppEnv>());

  app.get("/health", (c) => c.json({ ok: true }));

  // Everything under /v1 needs a user token, except workspace creation (the operator secret).
  // The operator route spends its caller's address budget before the secret is even compared.
  app.use("/v1/*", async (c, next) =>
    c.req.path === "/v1/workspaces"
      ? operatorRateLimit(c, async () => void (await requireAdmin(c, next)))
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
  // The reference's script is one of the Worker's own static assets (wrangler.toml [assets]), and
  // its default web fonts are off: the page loads nothing from another origin, so it works offline,
  // behind a strict proxy and under a same-origin CSP.
  app.get("/docs", Scalar({ url: "/openapi.json", pageTitle: "Parley API", cdn: DOCS_SCRIPT, withDefaultFonts: false }));
  // Cloudflare serves a static asset before the Worker runs; this covers runtimes that route
  // every request to the Worker first.
  app.get(DOCS_SCRIPT, (c) => c.env.ASSETS.fetch(c.req.raw));

  return app;
}
