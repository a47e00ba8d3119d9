// SMS and MMS through Twilio Programmable Messaging: contacts' texts (the "messages" webhook),
// STOP/START consent, delivery status callbacks (the "status" webhook), sending through the
// Messages API with signed attachment links as MediaUrl, and fetching MMS media (Basic auth;
// Twilio answers media URLs with a redirect to the file, which fetch follows).
import type { messageAttachments } from "../../db/schema";
import { PermanentJobError } from "../../jobs/errors";
import { AppError } from "../../lib/errors";
import { normalizePhone } from "../../lib/phone";
import { signedAttachmentUrl } from "../../modules/attachments/signed-links";
import { credentialsOf, webhookUrl } from "../../modules/channels-config/channels.service";
import { conversationContactPhone } from "../../modules/contacts/contacts.service";
import {
  type ChannelAdapter,
  type DeliveryUpdate,
  type InboundMessage,
  type MediaRef,
  type OutboundMessage,
  type ProviderContext,
  type SendResult,
  sendInParts,
  type WebhookRequest,
} from "../channel-adapter";
import { downloadFile } from "../media";
import { accountPath, basicAuth, twilioBase, twilioRequest } from "./twilio-api";
import { configOf, type TwilioCredentials } from "./twilio-credentials";
import { describeTwilioCode, twilioJobError } from "./twilio-errors";
import { formOf } from "./twilio-webhook";

/** Twilio's limits: 1,600 characters of body and 10 media per message. */
const BODY_LIMIT = 1600;
const MEDIA_LIMIT = 10;

/** Twilio's default opt-out and opt-in keywords (a message that is only the keyword, any case). */
const STOP_WORDS = new Set(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"]);
const START_WORDS = new Set(["START", "YES", "UNSTOP"]);

/** A webhook's sub-path for contacts' texts: "messages", or the bare connection URL. */
export const isMessagesPath = (subpath: string) => subpath === "" || subpath === "messages";

/** A sender's number in E.164 when it is one (short codes and alphanumeric ids stay as Twilio wrote them). */
export const e164 = (raw: string) => normalizePhone(raw, "US") ?? raw;

const EXTENSIONS: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/gif": "gif",
  "image/webp": "webp",
  "video/mp4": "mp4",
  "video/3gpp": "3gp",
  "audio/mpeg": "mp3",
  "audio/ogg": "ogg",
  "audio/amr": "amr",
  "text/vcard": "vcf",
  "text/x-vcard": "vcf",
  "application/pdf": "pdf",
};

function mediaOf(form: URLSearchParams, messageSid: string): MediaRef[] {
  const count = Math.min(Number(form.get("NumMedia") ?? "0") || 0, MEDIA_LIMIT);
  const media: MediaRef[] = [];
  for (let i = 0; i < count; i++) {
    const url = form.get(`MediaUrl${i}`);
    if (!url) continue;
    const contentType = form.get(`MediaContentType${i}`) || "application/octet-stream";
    // Twilio's media URL ends in the media's own sid (ME…): stable per file.
    const key = url.split("?")[0]!.split("/").filter(Boolean).pop() || `${messageSid}-${i}`;
    const ext = EXTENSIONS[contentType.split(";")[0]!.trim().toLowerCase()] ?? "bin";
    media.push({ ref: url, key, fileName: `${key}.${ext}`, contentType });
  }
  return media;
}

/**
 * STOP / START as Twilio's Advanced Opt-Out reports it (OptOutType: STOP, START or HELP, sent when
 * the number is in a Messaging Service with Advanced Opt-Out), else by Twilio's default keywords.
 */
function optOutOf(form: URLSearchParams, body: string): InboundMessage["optOut"] {
  const type = form.get("OptOutType")?.toUpperCase();
  if (type === "STOP") return { optedOut: true, reason: "STOP" };
  if (type === "START") return { optedOut: false, reason: "START" };
  if (type) return undefined; // HELP, or a type Parley does not know: no consent change
  // Twilio counts a keyword only when it is the whole body ("Stop" yes, "Stop please" no), in any case.
  const word = body.trim().toUpperCase();
  if (STOP_WORDS.has(word)) return { optedOut: true, reason: word };
  if (START_WORDS.has(word)) return { optedOut: false, reason: word };
  return undefined;
}

/** A contact's SMS or MMS, from the "messages" webhook. */
export async function ingestTwilioMessages(_ctx: ProviderContext, request: WebhookRequest): Promise<InboundMessage[]> {
  if (!isMessagesPath(request.subpath)) return [];
  const form = formOf(request);
  const messageSid = form.get("MessageSid") ?? form.get("SmsMessageSid");
  const from = form.get("From");
  if (!messageSid || !from) throw new AppError("bad_request", "a Twilio message webhook carries MessageSid and From");
  // WhatsApp through Twilio is another channel: not an SMS of this connection.
  if (from.startsWith("whatsapp:")) return [];
  const body = form.get("Body") ?? "";
  const media = mediaOf(form, messageSid);
  const phone = e164(from);
  return [
    {
      channel: "sms",
      externalId: messageSid,
      from: { externalId: phone, phone },
      body,
      kind: media.length > 0 ? "media" : "text",
      media,
      payload: {
        twilio: {
          messageSid,
          to: form.get("To"),
          messagingServiceSid: form.get("MessagingServiceSid"),
          numSegments: form.get("NumSegments"),
          fromCountry: form.get("FromCountry"),
        },
      },
      optOut: optOutOf(form, body),
    },
  ];
}

/** How a `MessageStatus` reads as a delivery status; null for statuses that say nothing of delivery. */
function deliveryStatusOf(status: string): DeliveryUpdate["status"] | null {
  switch (status) {
    case "queued":
    case "accepted":
    case "scheduled":
    case "sending":
    case "sent":
      return "sent";
    case "delivered":
      return "delivered";
    case "read":
      return "read";
    case "undelivered":
    case "failed":
    case "canceled":
      return "failed";
    default:
      return null;
  }
}

/** A status callback of a message sent through this connection (the "status" webhook). */
export async function twilioDeliveryUpdates(_ctx: ProviderContext, request: WebhookRequest): Promise<DeliveryUpdate[]> {
  if (request.subpath !== "status") return [];
  const form = formOf(request);
  const messageSid = form.get("MessageSid") ?? form.get("SmsSid");
  const messageStatus = form.get("MessageStatus") ?? form.get("SmsStatus");
  if (!messageSid || !messageStatus) throw new AppError("bad_request", "a Twilio status callback carries MessageSid and MessageStatus");
  const status = deliveryStatusOf(messageStatus);
  if (!status) return [];
  const code = form.get("ErrorCode") || null;
  const failed = status === "failed";
  return [
    {
      providerMessageId: messageSid,
      status,
      errorCode: failed ? (code ?? messageStatus) : null,
      errorMessage: failed ? `${messageStatus}: ${form.get("ErrorMessage") || (code ? describeTwilioCode(code) : "no reason given")}` : null,
    },
  ];
}

type AttachmentRow = typeof messageAttachments.$inferSelect;

/** The text in pieces Twilio accepts, the files ten to a message: the first piece carries the first files. */
function messageParts(body: string, mediaUrls: string[]): { body: string; media: string[] }[] {
  const texts: string[] = [];
  for (let i = 0; i < body.length; i += BODY_LIMIT) texts.push(body.slice(i, i + BODY_LIMIT));
  const media: string[][] = [];
  for (let i = 0; i < mediaUrls.length; i += MEDIA_LIMIT) media.push(mediaUrls.slice(i, i + MEDIA_LIMIT));
  const count = Math.max(texts.length, media.length);
  return Array.from({ length: count }, (_, i) => ({ body: texts[i] ?? "", media: media[i] ?? [] }));
}

/** Where a connection's named callbacks land: its webhook URL and a sub-path. */
export const callbackUrl = (ctx: Pick<ProviderContext, "env" | "connection">, subpath: string) => `${webhookUrl(ctx.env, ctx.connection)}/${subpath}`;

/** A text to a contact with no number at all is refused before it is stored. */
export const checkTwilioSend: NonNullable<ChannelAdapter["checkSend"]> = async ({ db, connection }, { conversation, recipient }) => {
  if (recipient || (await conversationContactPhone(db, connection.workspaceId, conversation.id))) return;
  throw new AppError("conflict", "the contact has no phone number to text", [{ path: "contact.phone", message: "missing" }]);
};

export async function sendTwilioMessage(ctx: ProviderContext, outbound: OutboundMessage): Promise<SendResult> {
  const { env, db, connection } = ctx;
  const to = outbound.recipient?.externalId ?? (await conversationContactPhone(db, connection.workspaceId, outbound.message.conversationId));
  if (!to) throw new PermanentJobError("the contact has no phone number to text", "no_recipient");
  const config = configOf(connection);
  const credentials = await credentialsOf<TwilioCredentials>(env, connection);
  const mediaUrls = await Promise.all(outbound.attachments.map((a: AttachmentRow) => signedAttachmentUrl(env, a.id)));
  const parts = messageParts(outbound.message.body, mediaUrls);
  if (parts.length === 0) throw new PermanentJobError("the message has neither text nor files", "empty_message");
  const sender = config.messagingServiceSid ? { MessagingServiceSid: config.messagingServiceSid } : { From: config.from };
  // Each part is one Twilio message: a retry resumes after the parts already sent (sendInParts).
  const calls = parts.map(
    (part) => async () =>
      (
        await twilioRequest<{ sid: string }>(env, credentials, "POST", accountPath(credentials.accountSid, "/Messages.json"), {
          To: to,
          ...sender,
          Body: part.body || null,
          MediaUrl: part.media,
          StatusCallback: callbackUrl(ctx, "status"),
        })
      ).sid,
  );
  let sids: string[];
  try {
    sids = await sendInParts(outbound, calls);
  } catch (error) {
    throw twilioJobError(error);
  }
  // The delivery follows the first part's status.
  return { providerMessageId: sids[0] ?? null, status: "sent" };
}

/**
 * One file of an MMS or a call recording. Twilio's credentials go only to Twilio's own API host;
 * Twilio answers with a redirect to the file, which is followed.
 */
export async function downloadTwilioMedia({ env, connection }: ProviderContext, media: MediaRef) {
  const url = new URL(media.ref);
  if (url.origin !== new URL(twilioBase(env)).origin) {
    throw new PermanentJobError(`media at ${url.origin} is not Twilio's`, "file_unavailable");
  }
  const credentials = await credentialsOf<TwilioCredentials>(env, connection);
  return downloadFile(media.ref, { headers: { authorization: basicAuth(credentials) }, redirect: "follow" }, "Twilio");
}
