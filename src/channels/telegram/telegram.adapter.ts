// The Telegram channel: a workspace's bot. Contacts' private-chat messages come in through the
// webhook pipeline (telegram.inbound.ts); outbound messages go from the bot to the contact's
// private chat (whose id is their Telegram user id); files are fetched with getFile.
import { InputFile } from "grammy";
import type { messageAttachments } from "../../db/schema";
import type { Bindings } from "../../env";
import { PermanentJobError } from "../../jobs/errors";
import { credentialsOf } from "../../modules/channels-config/channels.service";
import { type ChannelAdapter, sendInParts } from "../channel-adapter";
import { telegramApi } from "./telegram-api";
import { telegramConnect } from "./telegram.connect";
import type { TelegramCredentials } from "./telegram-credentials";
import { telegramJobError } from "./telegram-errors";
import { ingestTelegramMessages, telegramEdits, telegramWebhook } from "./telegram.inbound";
import { downloadTelegramMedia } from "./telegram-media";

/** Bot API limits: a text message, a media caption, a photo sent as a photo. */
const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;
const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
const PHOTO_TYPES = new Set(["image/jpeg", "image/png", "image/webp"]);

type AttachmentRow = typeof messageAttachments.$inferSelect;

/** Text in pieces Telegram accepts. */
function textParts(text: string): string[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += TEXT_LIMIT) parts.push(text.slice(i, i + TEXT_LIMIT));
  return parts;
}

const sentAsPhoto = (a: AttachmentRow) => PHOTO_TYPES.has(a.contentType.split(";")[0]!.trim().toLowerCase()) && a.sizeBytes <= PHOTO_MAX_BYTES;

async function inputFileOf(env: Bindings, attachment: AttachmentRow): Promise<InputFile> {
  const object = await env.FILES.get(attachment.url);
  if (!object) throw new PermanentJobError(`attachment ${attachment.id} has no stored file`, "attachment_missing");
  // grammY writes the name unquoted into the multipart header: keep it to characters that survive.
  const name = attachment.fileName.replace(/[";\r\n\\]/g, "_");
  return new InputFile(new Uint8Array(await object.arrayBuffer()), name);
}

/** Telegram chat ids are integers; the identity stores them as text. */
const chatIdOf = (externalId: string): number | string => (/^-?\d+$/.test(externalId) ? Number(externalId) : externalId);

export const telegramAdapter = {
  channel: "telegram",
  storesOnly: false,
  connect: telegramConnect,
  webhook: telegramWebhook,
  ingestInboundMessage: ingestTelegramMessages,
  ingestEdits: telegramEdits,
  downloadMedia: downloadTelegramMedia,
  async sendMessage({ env, connection }, outbound) {
    if (!outbound.recipient) throw new PermanentJobError("the contact has no Telegram account to write to", "no_recipient");
    const { botToken } = await credentialsOf<TelegramCredentials>(env, connection);
    const api = telegramApi(env, botToken);
    const chatId = chatIdOf(outbound.recipient.externalId);
    const { body } = outbound.message;
    // The text rides on the first file as its caption when it fits; otherwise it goes first.
    const captioned = outbound.attachments.length > 0 && body.length <= CAPTION_LIMIT;
    const parts: (() => Promise<string>)[] = [];
    if (!captioned) {
      for (const text of textParts(body)) parts.push(async () => String((await api.sendMessage(chatId, text)).message_id));
    }
    for (const [i, attachment] of outbound.attachments.entries()) {
      parts.push(async () => {
        const file = await inputFileOf(env, attachment);
        const options = captioned && i === 0 && body ? { caption: body } : {};
        const sent = sentAsPhoto(attachment) ? await api.sendPhoto(chatId, file, options) : await api.sendDocument(chatId, file, options);
        return String(sent.message_id);
      });
    }
    if (parts.length === 0) throw new PermanentJobError("the message has neither text nor files", "empty_message");
    let sentIds: string[];
    try {
      sentIds = await sendInParts(outbound, parts);
    } catch (error) {
      throw telegramJobError(error);
    }
    return { providerMessageId: sentIds[0]!, status: "sent" };
  },
} as const satisfies ChannelAdapter;
