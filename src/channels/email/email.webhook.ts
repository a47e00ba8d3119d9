// The provider's delivery events at POST /webhooks/email/{connectionId}: signed as Standard
// Webhooks / Svix (`svix-id`, `svix-timestamp`, `svix-signature: v1,<base64 HMAC-SHA256>` over
// `id.timestamp.body`, keyed with the base64 part of `whsec_…`; several signatures while a
// secret rotates; five minutes of clock tolerance either way), then mapped to delivery updates.
import { and, desc, eq } from "drizzle-orm";
import { deliveries, emailOutboundIds } from "../../db/schema";
import { fromBase64, hmac, timingSafeEqual, toBase64 } from "../../lib/crypto";
import { AppError } from "../../lib/errors";
import { normalizeEmail } from "../../lib/phone";
import { credentialsOf } from "../../modules/channels-config/channels.service";
import type { DeliveryUpdate, ProviderContext, Verification, WebhookHandlers, WebhookRequest } from "../channel-adapter";
import type { EmailCredentials } from "./email-credentials";
import { recordOutboundId } from "./email-threading";

/** Standard Webhooks' tolerance for the signed timestamp, either side of now. */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

const encoder = new TextEncoder();

/** Svix's header names, or the Standard Webhooks spelling of the same. */
const header = (headers: Headers, name: string) => headers.get(`svix-${name}`) ?? headers.get(`webhook-${name}`);

/** The signature Standard Webhooks expects for this message, base64. */
export async function standardWebhookSignature(secret: string, id: string, timestamp: string, body: Uint8Array): Promise<string> {
  const key = fromBase64(secret.replace(/^whsec_/, ""));
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const signed = new Uint8Array(prefix.length + body.length);
  signed.set(prefix);
  signed.set(body, prefix.length);
  return toBase64(await hmac("SHA-256", key, signed));
}

export async function verifyStandardWebhook(secret: string | null, request: Pick<WebhookRequest, "headers" | "rawBody">, nowSeconds = Date.now() / 1000): Promise<Verification> {
  if (!secret) return { ok: false, reason: "this e-mail connection has no webhook secret: connect it with webhookSecret to receive provider events" };
  const id = header(request.headers, "id");
  const timestamp = header(request.headers, "timestamp");
  const signatures = header(request.headers, "signature");
  if (!id || !timestamp || !signatures) return { ok: false, reason: "missing svix-id, svix-timestamp or svix-signature" };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "svix-timestamp is not a Unix time in seconds" };
  if (Math.abs(nowSeconds - Number(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS) {
    return { ok: false, reason: "svix-timestamp is more than 5 minutes away from now (a replayed or delayed request)" };
  }
  let expected: string;
  try {
    expected = await standardWebhookSignature(secret, id, timestamp, request.rawBody);
  } catch {
    return { ok: false, reason: "the connection's webhook secret is not valid base64" };
  }
  // Every listed v1 signature is compared (rotation sends the old and the new one).
  let matched = false;
  for (const entry of signatures.split(" ")) {
    const [version, signature] = entry.split(",", 2);
    if (version === "v1" && signature && timingSafeEqual(signature, expected)) matched = true;
  }
  return matched ? { ok: true } : { ok: false, reason: "no svix-signature matches the body" };
}

interface EmailEvent {
  type: string;
  created_at?: string;
  data: {
    email_id?: string;
    message_id?: string;
    to?: string[] | string;
    bounce?: { type?: string; subType?: string; message?: string };
    failed?: { reason?: string };
    suppressed?: { type?: string; message?: string };
  };
}

const events = new WeakMap<Uint8Array, EmailEvent>();

function eventOf(request: WebhookRequest): EmailEvent {
  const cached = events.get(request.rawBody);
  if (cached) return cached;
  let event: EmailEvent;
  try {
    event = JSON.parse(new TextDecoder().decode(request.rawBody)) as EmailEvent;
  } catch {
    throw new AppError("bad_request", "the event is not JSON");
  }
  if (typeof event !== "object" || event === null || typeof event.type !== "string" || typeof event.data !== "object" || event.data === null) {
    throw new AppError("bad_request", "the event has no type or data");
  }
  events.set(request.rawBody, event);
  return event;
}

const firstRecipient = (to: string[] | string | undefined) => {
  const address = Array.isArray(to) ? to[0] : to;
  const bare = address ? (/<([^>]+)>/.exec(address)?.[1] ?? address) : null;
  return bare ? normalizeEmail(bare) : null;
};

function updateOf(event: EmailEvent): Omit<DeliveryUpdate, "providerMessageId"> | null {
  const { data } = event;
  switch (event.type) {
    case "email.sent":
      return { status: "sent" };
    case "email.delivered":
      return { status: "delivered" };
    case "email.bounced": {
      const kind = [data.bounce?.type, data.bounce?.subType].filter(Boolean).join("/");
      return { status: "failed", errorCode: "bounced", errorMessage: `${kind ? `${kind} bounce: ` : ""}${data.bounce?.message ?? "the recipient's server refused the e-mail"}` };
    }
    case "email.failed":
      return { status: "failed", errorCode: "provider_failed", errorMessage: data.failed?.reason ?? "the provider could not send the e-mail" };
    case "email.suppressed":
      return { status: "failed", errorCode: "suppressed", errorMessage: data.suppressed?.message ?? "the provider suppressed the address (an earlier bounce or complaint)" };
    case "email.complained": {
      const recipient = firstRecipient(data.to);
      return {
        status: "failed",
        errorCode: "complained",
        errorMessage: "the recipient marked the e-mail as spam",
        ...(recipient ? { optOut: { externalId: recipient, reason: "complaint: marked an e-mail as spam" } } : {}),
      };
    }
    default:
      // opened, clicked, delivery_delayed, scheduled, received…: nothing a delivery records.
      return null;
  }
}

/**
 * The provider may put its own Message-ID on the mail: the contact's client knows that one, so
 * it is recorded beside Parley's (idempotent) and replies naming it thread too.
 */
async function recordProviderMessageId(ctx: ProviderContext, event: EmailEvent): Promise<void> {
  const { email_id: emailId, message_id: headerId } = event.data;
  if (!emailId || !headerId || !/^<[^<>\s]{1,500}>$/.test(headerId)) return;
  const { db, connection } = ctx;
  const [delivery] = await db
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(and(eq(deliveries.connectionId, connection.id), eq(deliveries.workspaceId, connection.workspaceId), eq(deliveries.providerMessageId, emailId)))
    .orderBy(desc(deliveries.id))
    .limit(1);
  if (!delivery) return;
  const [ours] = await db
    .select()
    .from(emailOutboundIds)
    .where(and(eq(emailOutboundIds.workspaceId, connection.workspaceId), eq(emailOutboundIds.deliveryId, delivery.id)))
    .limit(1);
  if (!ours || ours.headerId === headerId) return;
  await recordOutboundId(db, {
    workspaceId: ours.workspaceId,
    connectionId: ours.connectionId,
    messageId: ours.messageId,
    deliveryId: ours.deliveryId,
    headerId,
    recipient: ours.recipient,
    references: ours.references.split(" ").filter(Boolean),
    subject: ours.subject,
  });
}

export const emailWebhook: WebhookHandlers = {
  async verify({ env, connection }, request) {
    const { webhookSecret } = await credentialsOf<EmailCredentials>(env, connection);
    return verifyStandardWebhook(webhookSecret, request);
  },
};

/** Verified event → the delivery update it carries (none for opens, clicks and the like). */
export async function emailDeliveryUpdates(ctx: ProviderContext, request: WebhookRequest): Promise<DeliveryUpdate[]> {
  const event = eventOf(request);
  const update = updateOf(event);
  if (!update || !event.data.email_id) return [];
  await recordProviderMessageId(ctx, event);
  const at = event.created_at ? Date.parse(event.created_at) : NaN;
  return [{ ...update, providerMessageId: event.data.email_id, ...(Number.isFinite(at) ? { at } : {}) }];
}
