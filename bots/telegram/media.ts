// What a contact sent, shown to a rep before the notification card: a Telegram contact's message
// copied from their chat with the bot (copyMessage: no download, any kind), or for other channels
// the stored files from R2 as a photo, voice note, video or document.
import { type Api, GrammyError, InputFile } from "grammy";
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../../src/db/client";
import { messageAttachments, type messages } from "../../src/db/schema";
import type { Bindings } from "../../src/env";
import type { TelegramPayload } from "../../src/channels/telegram/telegram.inbound";
import { mediaRefsOf } from "../../src/channels/media";

/** Bot API upload limits: a photo sent as a photo; anything sent by a bot. */
const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
const UPLOAD_MAX_BYTES = 50 * 1024 * 1024;
/** A notification shows a few files; the rest are in Parley. */
const MAX_FILES = 3;

type MessageRow = typeof messages.$inferSelect;
type AttachmentRow = typeof messageAttachments.$inferSelect;

function telegramPayload(message: MessageRow): TelegramPayload["telegram"] | null {
  try {
    return (JSON.parse(message.payloadJson ?? "{}") as Partial<TelegramPayload>).telegram ?? null;
  } catch {
    return null;
  }
}

async function sendStored(env: Bindings, api: Api, chatId: string, file: AttachmentRow): Promise<number | null> {
  if (file.sizeBytes > UPLOAD_MAX_BYTES) return null;
  const object = await env.FILES.get(file.url);
  if (!object) return null;
  const input = new InputFile(new Uint8Array(await object.arrayBuffer()), file.fileName.replace(/[";\r\n\\]/g, "_"));
  const type = file.contentType.split(";")[0]!.trim().toLowerCase();
  if (file.kindKey === "image" && /^image\/(jpeg|png|webp)$/.test(type) && file.sizeBytes <= PHOTO_MAX_BYTES) {
    return (await api.sendPhoto(chatId, input)).message_id;
  }
  if (file.kindKey === "audio" && /^audio\/(ogg|opus)/.test(type)) return (await api.sendVoice(chatId, input)).message_id;
  if (file.kindKey === "video" && type === "video/mp4") return (await api.sendVideo(chatId, input)).message_id;
  return (await api.sendDocument(chatId, input)).message_id;
}

/**
 * Show the rep what the contact sent; answers the id of the first message shown (the card replies
 * to it), or null when there was nothing to show or it could not be shown (the card says 📎 then).
 */
export async function showMedia(db: Db, env: Bindings, api: Api, opts: { chatId: string; connectionId: number; message: MessageRow }): Promise<number | null> {
  const { message } = opts;
  if (message.kindKey !== "media") return null;
  const telegram = telegramPayload(message);
  // A message this very bot received: copied from the contact's chat, whatever it is.
  if (message.channelKey === "telegram" && telegram && message.connectionId === opts.connectionId) {
    try {
      return (await api.copyMessage(opts.chatId, telegram.chatId, telegram.messageId)).message_id;
    } catch (error) {
      // The contact deleted it, or the chat is gone: the stored copy, if any, below.
      if (!(error instanceof GrammyError) || error.error_code !== 400) throw error;
    }
  }
  const files = await storedFiles(db, message);
  let first: number | null = null;
  for (const file of files.slice(0, MAX_FILES)) {
    const id = await sendStored(env, api, opts.chatId, file);
    first ??= id;
  }
  return first;
}

async function storedFiles(db: Db, message: MessageRow): Promise<AttachmentRow[]> {
  return db
    .select()
    .from(messageAttachments)
    .where(and(eq(messageAttachments.workspaceId, message.workspaceId), eq(messageAttachments.messageId, message.id)))
    .orderBy(asc(messageAttachments.id));
}

/** How long a notification waits for a message's files to be fetched into R2 before going without. */
export const MEDIA_WAIT_MS = 60_000;

/**
 * Files a notification should show but that are not in R2 yet (the fetch task runs beside the
 * notification): true while the message is young enough to be worth waiting for. A message a
 * Telegram bot can copy needs no files.
 */
export async function filesPending(db: Db, message: MessageRow, now = Date.now()): Promise<boolean> {
  if (message.kindKey !== "media" || mediaRefsOf(message.payloadJson).length === 0) return false;
  if (message.channelKey === "telegram" && telegramPayload(message)) return false;
  if (now - message.updatedAt > MEDIA_WAIT_MS) return false;
  return (await storedFiles(db, message)).length === 0;
}
