// The one road every provider request takes: /webhooks/{channelKey}/{connectionId}[/{subpath}] →
// the live connection → its adapter verifies the raw bytes (nothing is parsed before) → the
// adapter parses them into inbound messages, edits, delivery updates and calls → `applyWebhook`
// hands those to the services, always scoped to the connection's workspace and the connection →
// the adapter answers the provider. Slow work (media, notifications, classification) is queued by
// the services; a provider's retry of the same event finds it stored and does nothing twice.
import { Hono } from "hono";
import type { Db } from "../db/client";
import type { AppEnv } from "../env";
import { AppError, notFound } from "../lib/errors";
import { applyCallUpdate, ingestInboundCall, storeCallRecording } from "../modules/calls/calls.service";
import { findWebhookConnection } from "../modules/channels-config/channels.service";
import { setIdentityOptOut } from "../modules/contacts/opt-out.service";
import { updateFromProvider } from "../modules/deliveries/deliveries.service";
import { editInbound } from "../modules/messages/edit-inbound.service";
import { ingestInbound } from "../modules/messages/ingest.service";
import type { AppliedWebhook, ChannelAdapter, ProviderContext, WebhookRequest } from "./channel-adapter";
import { getAdapter } from "./registry";

/** Provider notifications are small; anything bigger is not one of theirs. */
const MAX_WEBHOOK_BYTES = 1024 * 1024;

async function readBody(request: Request): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_WEBHOOK_BYTES) throw new AppError("payload_too_large", `webhook bodies are limited to ${MAX_WEBHOOK_BYTES} bytes`);
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > MAX_WEBHOOK_BYTES) throw new AppError("payload_too_large", `webhook bodies are limited to ${MAX_WEBHOOK_BYTES} bytes`);
  return bytes;
}

/**
 * Everything a verified request carries, through the services. Messages first (a status callback
 * in the same notification may be about a reply to one of them), then edits, deliveries, calls.
 */
export async function applyWebhook(ctx: ProviderContext, adapter: ChannelAdapter, request: WebhookRequest): Promise<AppliedWebhook> {
  const { db, env, connection } = ctx;
  const scope = { workspaceId: connection.workspaceId, connectionId: connection.id };
  const applied: AppliedWebhook = { messages: [], calls: [] };

  for (const message of (await adapter.ingestInboundMessage?.(ctx, request)) ?? []) {
    const result = await ingestInbound(db, env, { ...message, ...scope }, ctx.waitUntil);
    applied.messages.push(result);
    // Consent changes once, with the message that made it: a replayed STOP after a START changes nothing.
    if (message.optOut && result.created) {
      await setIdentityOptOut(db, { ...message.optOut, workspaceId: scope.workspaceId, connectionId: scope.connectionId, channel: message.channel, externalId: message.from.externalId });
    }
  }
  for (const edit of (await adapter.ingestEdits?.(ctx, request)) ?? []) {
    await editInbound(db, env, { ...edit, ...scope });
  }
  for (const update of (await adapter.updateDelivery?.(ctx, request)) ?? []) {
    await updateFromProvider(db, { ...update, ...scope });
  }
  const calls = await adapter.ingestInboundCall?.(ctx, request);
  for (const call of calls?.calls ?? []) applied.calls.push(await ingestInboundCall(db, env, { ...call, ...scope }));
  for (const update of calls?.updates ?? []) {
    const result = await applyCallUpdate(db, { ...update, ...scope });
    if (result.call) applied.calls.push({ created: false, call: result.call });
  }
  for (const recording of calls?.recordings ?? []) await storeCallRecording(db, env, { ...recording, ...scope });
  return applied;
}

const subpathOf = (rest: string | undefined) => (rest ?? "").replace(/^\/+|\/+$/g, "");

interface WebhookContext {
  env: AppEnv["Bindings"];
  var: { db: Db };
  req: { raw: Request; param(name: string): string | undefined; url: string };
  executionCtx: { waitUntil(work: Promise<unknown>): void };
}

async function handle(c: WebhookContext) {
  const channelKey = c.req.param("channelKey") ?? "";
  const connection = await findWebhookConnection(c.var.db, Number(c.req.param("connectionId")));
  if (!connection || connection.channelKey !== channelKey) throw notFound("webhook");
  const adapter = getAdapter(connection.channelKey);
  const webhook = adapter?.webhook;
  const subpath = subpathOf(c.req.param("subpath"));
  if (!adapter || !webhook || (subpath !== "" && !webhook.subpaths?.includes(subpath))) throw notFound("webhook");

  const url = new URL(c.req.url);
  const request: WebhookRequest = {
    method: c.req.raw.method,
    subpath,
    publicUrl: `${c.env.PUBLIC_BASE_URL.replace(/\/+$/, "")}${url.pathname}${url.search}`,
    query: url.searchParams,
    headers: c.req.raw.headers,
    rawBody: c.req.raw.method === "GET" ? new Uint8Array() : await readBody(c.req.raw),
  };
  const ctx: ProviderContext = { env: c.env, db: c.var.db, connection, waitUntil: (work) => c.executionCtx.waitUntil(work) };
  if (request.method === "GET") {
    if (!webhook.challenge) throw notFound("webhook");
    return webhook.challenge(ctx, request);
  }
  const verdict = await webhook.verify(ctx, request);
  if (!verdict.ok) throw new AppError("unauthorized", verdict.reason);
  const applied = await applyWebhook(ctx, adapter, request);
  return webhook.respond ? webhook.respond(ctx, request, applied) : Response.json({ ok: true });
}

/** Provider webhooks authenticate with their own signatures, not bearer tokens. */
export const webhooksRouter = new Hono<AppEnv>()
  .get("/webhooks/:channelKey/:connectionId{[0-9]+}/:subpath?", (c) => handle(c))
  .post("/webhooks/:channelKey/:connectionId{[0-9]+}/:subpath?", (c) => handle(c));
