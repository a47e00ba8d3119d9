// The WhatsApp channel: a workspace's WhatsApp Business number on Meta's Cloud API. Contacts'
// messages and our messages' statuses come in through the webhook pipeline (whatsapp.inbound.ts);
// answers go out with POST /{phone-number-id}/messages — text, files uploaded and sent by id, or
// an approved template — from the number the contact wrote to, inside the 24-hour window.
import { PermanentJobError } from "../../jobs/errors";
import { credentialsOf } from "../../modules/channels-config/channels.service";
import { type ChannelAdapter, type OutboundMessage, type ReplyTarget, sendInParts } from "../channel-adapter";
import { graph } from "./whatsapp-api";
import { whatsappConnect } from "./whatsapp.connect";
import { sealedCredentials, type WhatsAppCredentials } from "./whatsapp-credentials";
import { whatsappJobError } from "./whatsapp-errors";
import { ingestWhatsAppMessages, whatsappDeliveryUpdates, whatsappWebhook } from "./whatsapp.inbound";
import { downloadWhatsAppMedia, mediaTypeOf, uploadWhatsAppMedia } from "./whatsapp-media";
import { assertWindowOpen, windowClosedReason } from "./whatsapp-window";

/** Cloud API limits: a text message's body, a media caption. */
const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;

/** Text in pieces WhatsApp accepts, cut between characters (never inside a surrogate pair). */
function textParts(text: string): string[] {
  const chars = Array.from(text);
  const parts: string[] = [];
  for (let i = 0; i < chars.length; i += TEXT_LIMIT) parts.push(chars.slice(i, i + TEXT_LIMIT).join(""));
  return parts;
}

/** A business-scoped user id (`US.1349…`) is sent as `recipient`; a phone number (wa_id) as `to`. */
const addressOf = (externalId: string) => (/^[A-Z]{2}\.[A-Za-z0-9.]+$/.test(externalId) ? { recipient: externalId } : { to: externalId });

/** `context.message_id` for a contextual reply: only an id this number knows (each number has its own wamids). */
function contextOf(replyTo: ReplyTarget | null, connectionId: number): { context: { message_id: string } } | Record<string, never> {
  return replyTo?.externalId && replyTo.connectionId === connectionId ? { context: { message_id: replyTo.externalId } } : {};
}

interface SendResponse {
  messages?: { id?: string; message_status?: string }[];
}

async function send({ env, connection }: Parameters<ChannelAdapter["sendMessage"]>[0], outbound: OutboundMessage) {
  const recipient = outbound.recipient;
  if (!recipient) throw new PermanentJobError("the contact has no WhatsApp number to write to", "no_recipient");
  const phoneNumberId = connection.externalAccountId;
  if (!phoneNumberId) throw new PermanentJobError(`connection ${connection.id} has no phone number id`, "channel_not_connected");
  const { accessToken } = await sealedCredentials(() => credentialsOf<WhatsAppCredentials>(env, connection));
  const post = async (content: Record<string, unknown>) => {
    const sent = await graph<SendResponse>(env, accessToken, `sending a ${String(content.type)} message`, {
      method: "POST",
      path: `${phoneNumberId}/messages`,
      json: { messaging_product: "whatsapp", recipient_type: "individual", ...addressOf(recipient.externalId), ...content },
    });
    return sent?.messages?.[0]?.id ?? null;
  };

  const { template } = outbound;
  if (template) {
    const id = await post({
      type: "template",
      template: { name: template.name, language: { code: template.language }, ...(template.components?.length ? { components: template.components } : {}) },
    });
    return [id ?? "unreported-0"];
  }

  // Text (in pieces, unless it rides as a file's caption), then each file uploaded and sent by
  // id: one Cloud API message per part. A retry resumes after the parts already sent.
  const context = contextOf(outbound.replyTo, connection.id);
  const body = outbound.message.body;
  const captionable = outbound.attachments.findIndex((a) => mediaTypeOf(a) !== "audio");
  const captionAt = body.trim() && body.length <= CAPTION_LIMIT ? captionable : -1;
  const contents: (() => Promise<Record<string, unknown>>)[] = [];
  if (captionAt < 0 && body.trim()) {
    for (const part of textParts(body)) contents.push(async () => ({ type: "text", text: { body: part, preview_url: /https?:\/\//i.test(part) } }));
  }
  for (const [i, attachment] of outbound.attachments.entries()) {
    contents.push(async () => {
      const type = mediaTypeOf(attachment);
      const id = await uploadWhatsAppMedia(env, accessToken, phoneNumberId, attachment);
      return { type, [type]: { id, ...(i === captionAt ? { caption: body } : {}), ...(type === "document" ? { filename: attachment.fileName } : {}) } };
    });
  }
  // The reply's quote rides on the first message that leaves.
  return sendInParts(
    outbound,
    contents.map((content, index) => async () => (await post({ ...(index === 0 ? context : {}), ...(await content()) })) ?? `unreported-${index}`),
  );
}

export const whatsappAdapter = {
  channel: "whatsapp",
  storesOnly: false,
  templates: true,
  connect: whatsappConnect,
  webhook: whatsappWebhook,
  ingestInboundMessage: ingestWhatsAppMessages,
  updateDelivery: whatsappDeliveryUpdates,
  downloadMedia: downloadWhatsAppMedia,
  /** Free-form messages only inside the 24-hour window of this number; templates at any time. */
  async checkSend({ db, connection }, { conversation, template }) {
    if (template) return;
    await assertWindowOpen(db, conversation, connection);
  },
  async sendMessage(ctx, outbound) {
    if (!outbound.template) {
      // The window may have closed while the message waited in the queue: Meta would refuse it (131047).
      const closed = await windowClosedReason(ctx.db, { workspaceId: outbound.message.workspaceId, id: outbound.message.conversationId }, ctx.connection);
      if (closed) throw new PermanentJobError(closed, "outside_customer_window");
    }
    let ids: string[];
    try {
      ids = await send(ctx, outbound);
    } catch (error) {
      throw whatsappJobError(error);
    }
    if (ids.length === 0) throw new PermanentJobError("the message has neither text nor files", "empty_message");
    return { providerMessageId: ids[0]!, status: "sent" };
  },
} as const satisfies ChannelAdapter;
