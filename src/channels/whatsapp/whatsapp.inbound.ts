// WhatsApp notifications through the webhook pipeline: Meta's GET handshake (hub.challenge with the
// verify token shown at connect), the X-Hub-Signature-256 check over the raw bytes, and every
// entry × change × message × status of a POST for this connection's number, normalised.
import { hmac, timingSafeEqual, toHex } from "../../lib/crypto";
import { AppError } from "../../lib/errors";
import { credentialsOf } from "../../modules/channels-config/channels.service";
import type { DeliveryUpdate, InboundMessage, MediaRef, ProviderContext, WebhookHandlers, WebhookRequest } from "../channel-adapter";
import type { WhatsAppCredentials } from "./whatsapp-credentials";
import type { WaContact, WaMedia, WaMessage, WaNotification, WaSharedContact, WaStatus, WaValue } from "./whatsapp-webhook-types";

/** The notification, parsed once per request (the pipeline asks about messages, then statuses). */
const parsed = new WeakMap<Uint8Array, WaNotification>();

function notificationOf(request: WebhookRequest): WaNotification {
  let notification = parsed.get(request.rawBody);
  if (!notification) {
    try {
      notification = JSON.parse(new TextDecoder().decode(request.rawBody)) as WaNotification;
    } catch {
      throw new AppError("bad_request", "the notification is not JSON");
    }
    if (!notification || typeof notification !== "object" || Array.isArray(notification)) {
      throw new AppError("bad_request", "the notification is not a JSON object");
    }
    parsed.set(request.rawBody, notification);
  }
  return notification;
}

/**
 * The `messages` changes of the notification that are about this connection's number. Meta sends
 * every number of an app to the app's one callback URL unless a number has its own (an override):
 * a change for another number is not this connection's to store, and is logged.
 */
function valuesFor(ctx: ProviderContext, request: WebhookRequest): WaValue[] {
  const notification = notificationOf(request);
  if (notification.object !== "whatsapp_business_account" || !Array.isArray(notification.entry)) return [];
  const phoneNumberId = ctx.connection.externalAccountId;
  const values: WaValue[] = [];
  for (const entry of notification.entry) {
    for (const change of Array.isArray(entry?.changes) ? entry.changes : []) {
      const value = change?.value;
      if (change?.field !== "messages" || !value || typeof value !== "object") continue;
      const to = value.metadata?.phone_number_id;
      if (to !== phoneNumberId) {
        console.warn(
          JSON.stringify({ whatsapp: "change for another number skipped", connectionId: ctx.connection.id, phoneNumberId: to ?? null, expected: phoneNumberId }),
        );
        continue;
      }
      values.push(value);
    }
  }
  return values;
}

const EXTENSIONS: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "video/mp4": "mp4",
  "video/3gpp": "3gp",
  "audio/ogg": "ogg",
  "audio/mpeg": "mp3",
  "audio/aac": "aac",
  "audio/amr": "amr",
  "audio/mp4": "m4a",
  "application/pdf": "pdf",
  "text/plain": "txt",
};

const MEDIA_TYPES = ["image", "video", "audio", "document", "sticker"] as const;
type MediaType = (typeof MEDIA_TYPES)[number];

function mediaRef(type: MediaType, media: WaMedia): MediaRef[] {
  if (!media.id) return [];
  const contentType = media.mime_type || "application/octet-stream";
  const extension = EXTENSIONS[contentType.split(";")[0]!.trim().toLowerCase()] ?? "bin";
  const kind = type === "audio" && media.voice ? "voice" : type;
  return [{ ref: media.id, key: media.id, fileName: media.filename || `${kind}-${media.id}.${extension}`, contentType, sizeBytes: null }];
}

const joined = (parts: (string | null | undefined)[], separator: string) => parts.filter((p) => p !== undefined && p !== null && p !== "").join(separator);

function sharedContactLine(contact: WaSharedContact): string {
  const name = contact.name?.formatted_name || joined([contact.name?.first_name, contact.name?.last_name], " ") || "(no name)";
  const company = joined([contact.org?.company, contact.org?.title], ", ");
  return joined(
    [`Contact: ${name}${company ? ` (${company})` : ""}`, ...(contact.phones ?? []).map((p) => p.phone), ...(contact.emails ?? []).map((e) => e.email)],
    " · ",
  );
}

/** What the inbox shows for a message: text verbatim; the rest readable without opening the payload. */
function contentOf(message: WaMessage): Pick<InboundMessage, "body" | "kind" | "media"> {
  const type = message.type ?? "unknown";
  if (type === "text") return { body: message.text?.body ?? "", kind: "text" };
  if ((MEDIA_TYPES as readonly string[]).includes(type)) {
    const media = message[type as MediaType] ?? {};
    return { body: media.caption ?? "", kind: "media", media: mediaRef(type as MediaType, media) };
  }
  if (type === "location") {
    const l = message.location ?? {};
    const place = joined([l.name, l.address], ", ");
    const at = l.latitude !== undefined && l.longitude !== undefined ? `(${l.latitude}, ${l.longitude})` : "";
    return { body: joined([`Location: ${joined([place, at], " ")}`, l.url], "\n"), kind: "text" };
  }
  if (type === "contacts") return { body: (message.contacts ?? []).map(sharedContactLine).join("\n") || "Contact: (empty)", kind: "text" };
  if (type === "interactive") {
    const i = message.interactive ?? {};
    const reply = i.button_reply ?? i.list_reply;
    if (reply) return { body: reply.title ?? reply.id ?? "", kind: "text" };
    if (i.nfm_reply) return { body: i.nfm_reply.body ?? `[${i.nfm_reply.name ?? "form"} reply]`, kind: "text" };
    return { body: `[${i.type ?? "interactive"} reply]`, kind: "text" };
  }
  if (type === "button") return { body: message.button?.text ?? message.button?.payload ?? "", kind: "text" };
  if (type === "reaction") return { body: message.reaction?.emoji || "[reaction removed]", kind: "text" };
  if (type === "order") return { body: `[order: ${message.order?.product_items?.length ?? 0} items]${message.order?.text ? ` ${message.order.text}` : ""}`, kind: "text" };
  const error = message.errors?.[0];
  return { body: `[${type} message${error?.title ? `: ${error.title}` : ""}]`, kind: "text" };
}

function senderOf(message: WaMessage, contacts: WaContact[]) {
  const contact =
    contacts.find((c) => (message.from && c.wa_id === message.from) || (message.from_user_id && c.user_id === message.from_user_id)) ??
    (contacts.length === 1 ? contacts[0] : undefined);
  return { contact, externalId: message.from || contact?.wa_id || message.from_user_id || contact?.user_id || null };
}

const secondsToMs = (timestamp: string | undefined) => {
  const seconds = Number(timestamp);
  return timestamp && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
};

/** Every message of every entry and change for this number; system notices are not something a contact said. */
export async function ingestWhatsAppMessages(ctx: ProviderContext, request: WebhookRequest): Promise<InboundMessage[]> {
  const out: InboundMessage[] = [];
  for (const value of valuesFor(ctx, request)) {
    const contacts = Array.isArray(value.contacts) ? value.contacts : [];
    for (const message of Array.isArray(value.messages) ? value.messages : []) {
      if (!message?.id || message.type === "system") continue;
      const { contact, externalId } = senderOf(message, contacts);
      if (!externalId) continue;
      out.push({
        channel: "whatsapp",
        externalId: message.id,
        from: { externalId, name: contact?.profile?.name ?? null, handle: contact?.profile?.username ?? null },
        ...contentOf(message),
        payload: { whatsapp: { phoneNumberId: ctx.connection.externalAccountId, contact: contact ?? null, message } },
        sentAt: secondsToMs(message.timestamp),
      });
    }
  }
  return out;
}

const STATUSES = new Set(["sent", "delivered", "read", "failed"]);

function updateOf(status: WaStatus): DeliveryUpdate | null {
  if (!status?.id || !status.status || !STATUSES.has(status.status)) return null;
  const error = status.errors?.[0];
  const details = error?.error_data?.details;
  const title = error?.title ?? error?.message ?? null;
  return {
    providerMessageId: status.id,
    status: status.status as DeliveryUpdate["status"],
    ...(status.status === "failed"
      ? {
          errorCode: error?.code !== undefined ? String(error.code) : "failed",
          errorMessage: title && details && details !== title ? `${title}: ${details}` : (title ?? details ?? "WhatsApp reported the message failed"),
        }
      : {}),
    at: secondsToMs(status.timestamp),
  };
}

/** The `statuses` of our sent messages: moved forward only by updateFromProvider. */
export async function whatsappDeliveryUpdates(ctx: ProviderContext, request: WebhookRequest): Promise<DeliveryUpdate[]> {
  const out: DeliveryUpdate[] = [];
  for (const value of valuesFor(ctx, request)) {
    for (const status of Array.isArray(value.statuses) ? value.statuses : []) {
      const update = updateOf(status);
      if (update) out.push(update);
    }
    for (const error of Array.isArray(value.errors) ? value.errors : []) {
      console.warn(JSON.stringify({ whatsapp: "error notification", connectionId: ctx.connection.id, code: error?.code ?? null, title: error?.title ?? null }));
    }
  }
  return out;
}

export const whatsappWebhook: WebhookHandlers = {
  /** Meta's subscription check: the verify token shown at connect earns the challenge back, as plain text. */
  async challenge({ env, connection }, request) {
    const mode = request.query.get("hub.mode");
    const challenge = request.query.get("hub.challenge");
    const presented = request.query.get("hub.verify_token") ?? "";
    if (!mode || challenge === null) throw new AppError("bad_request", "expected hub.mode, hub.verify_token and hub.challenge");
    const { verifyToken } = await credentialsOf<WhatsAppCredentials>(env, connection);
    if (mode !== "subscribe" || !timingSafeEqual(presented, verifyToken)) {
      throw new AppError("forbidden", "hub.verify_token is not this connection's verify token");
    }
    return new Response(challenge, { status: 200, headers: { "content-type": "text/plain; charset=utf-8" } });
  },
  /** `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(raw body, app secret)>`, compared in constant time. */
  async verify({ env, connection }, request) {
    const header = request.headers.get("x-hub-signature-256");
    if (!header) return { ok: false, reason: "missing X-Hub-Signature-256" };
    const { appSecret } = await credentialsOf<WhatsAppCredentials>(env, connection);
    const expected = `sha256=${toHex(await hmac("SHA-256", appSecret, request.rawBody))}`;
    return timingSafeEqual(header.trim().toLowerCase(), expected) ? { ok: true } : { ok: false, reason: "X-Hub-Signature-256 does not match the body" };
  },
};
