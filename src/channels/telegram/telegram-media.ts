// Files contacts send on Telegram: what the webhook records about them (file ids in the message
// payload, nothing downloaded), and the queue task that fetches them (getFile + download) into
// R2 as the message's attachments.
import { and, eq } from "drizzle-orm";
import type { Message } from "grammy/types";
import type { Db } from "../../db/client";
import { messageAttachments, messages } from "../../db/schema";
import type { Bindings } from "../../env";
import { PermanentJobError, TransientJobError } from "../../jobs/errors";
import { MAX_ATTACHMENT_BYTES, storeReceivedFile, workspaceFilePrefix } from "../../modules/attachments/attachments.service";
import { credentialsOf, findLiveConnection, type TelegramCredentials } from "../../modules/channels-config/channels.service";
import { telegramApi, telegramFileUrl } from "./telegram-api";
import { telegramJobError } from "./telegram-errors";

/** The Bot API serves downloads up to 20 MB; bigger files cannot be fetched by a bot. */
export const BOT_DOWNLOAD_LIMIT = 20 * 1024 * 1024;

export interface TelegramMediaRef {
  kind: "photo" | "document" | "voice" | "audio" | "video";
  fileId: string;
  fileUniqueId: string;
  fileName: string;
  contentType: string;
  fileSize: number | null;
}

/** What a Telegram inbound message keeps in `messages.payload_json`. */
export interface TelegramPayload {
  telegram: {
    connectionId: number;
    chatId: number;
    messageId: number;
    media?: TelegramMediaRef[];
    contact?: { phoneNumber: string; firstName: string; lastName: string | null; userId: number | null };
    /** For message types Parley stores without their content (sticker, location, …). */
    type?: string;
  };
}

/** The files of a message: the largest size of a photo, or the document, voice, audio or video. */
export function mediaOf(message: Message): TelegramMediaRef[] {
  if (message.photo && message.photo.length > 0) {
    const largest = message.photo.reduce((a, b) => ((b.file_size ?? b.width * b.height) > (a.file_size ?? a.width * a.height) ? b : a));
    return [
      {
        kind: "photo",
        fileId: largest.file_id,
        fileUniqueId: largest.file_unique_id,
        fileName: `photo-${largest.file_unique_id}.jpg`,
        contentType: "image/jpeg",
        fileSize: largest.file_size ?? null,
      },
    ];
  }
  const file = (kind: TelegramMediaRef["kind"], f: { file_id: string; file_unique_id: string; file_size?: number; mime_type?: string; file_name?: string }, ext: string, type: string) => [
    {
      kind,
      fileId: f.file_id,
      fileUniqueId: f.file_unique_id,
      fileName: f.file_name ?? `${kind}-${f.file_unique_id}.${ext}`,
      contentType: f.mime_type ?? type,
      fileSize: f.file_size ?? null,
    },
  ];
  if (message.document) return file("document", message.document, "bin", "application/octet-stream");
  if (message.voice) return file("voice", message.voice, "ogg", "audio/ogg");
  if (message.audio) return file("audio", message.audio, "mp3", "audio/mpeg");
  if (message.video) return file("video", message.video, "mp4", "video/mp4");
  return [];
}

/** Where a message's Telegram file lives in R2: fixed by the file, so a retry finds it. */
export const mediaKey = (workspaceId: number, messageId: number, media: TelegramMediaRef) =>
  `${workspaceFilePrefix(workspaceId)}attachments/telegram-${messageId}-${media.fileUniqueId}`;

function payloadOf(json: string | null): TelegramPayload["telegram"] | null {
  if (!json) return null;
  try {
    return (JSON.parse(json) as Partial<TelegramPayload>).telegram ?? null;
  } catch {
    return null;
  }
}

async function download(url: string): Promise<ArrayBuffer> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new TransientJobError(`Telegram file download failed: ${error instanceof Error ? error.message : String(error)}`, "telegram_unreachable");
  }
  if (response.status >= 500 || response.status === 429) {
    throw new TransientJobError(`Telegram file download: HTTP ${response.status}`, "telegram_unavailable");
  }
  if (!response.ok) throw new PermanentJobError(`Telegram file download: HTTP ${response.status}`, "telegram_file_unavailable");
  return response.arrayBuffer();
}

/**
 * The `telegram.fetch_media` task. Files already stored are skipped; a file Telegram will never
 * serve (too big, gone) is logged and skipped; a transient failure of any file retries the task.
 */
export async function fetchTelegramMedia(db: Db, env: Bindings, task: { workspaceId: number; messageId: number }): Promise<void> {
  const ws = task.workspaceId;
  const [message] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.workspaceId, ws), eq(messages.id, task.messageId)));
  const payload = message && payloadOf(message.payloadJson);
  if (!message || !payload?.media?.length) return;

  const stored = new Set(
    (
      await db
        .select({ url: messageAttachments.url })
        .from(messageAttachments)
        .where(and(eq(messageAttachments.workspaceId, ws), eq(messageAttachments.messageId, message.id)))
    ).map((a) => a.url),
  );
  const missing = payload.media.filter((media) => !stored.has(mediaKey(ws, message.id, media)));
  if (missing.length === 0) return;

  const connection = await findLiveConnection(db, payload.connectionId);
  if (!connection || connection.workspaceId !== ws) {
    throw new PermanentJobError(`Telegram connection ${payload.connectionId} is gone`, "channel_not_connected");
  }
  const { botToken } = await credentialsOf<TelegramCredentials>(env, connection);
  const api = telegramApi(env, botToken);

  let retry: TransientJobError | null = null;
  for (const media of missing) {
    try {
      if (media.fileSize !== null && media.fileSize > Math.min(BOT_DOWNLOAD_LIMIT, MAX_ATTACHMENT_BYTES)) {
        throw new PermanentJobError(`${media.fileName} is ${media.fileSize} bytes, more than a bot may download`, "telegram_file_too_big");
      }
      const file = await api.getFile(media.fileId).catch((error: unknown) => {
        throw telegramJobError(error);
      });
      if (!file.file_path) throw new PermanentJobError(`Telegram gave no path for ${media.fileName}`, "telegram_file_unavailable");
      const data = await download(telegramFileUrl(env, botToken, file.file_path));
      if (data.byteLength > MAX_ATTACHMENT_BYTES) throw new PermanentJobError(`${media.fileName} is too big`, "telegram_file_too_big");
      await storeReceivedFile(db, env.FILES, {
        workspaceId: ws,
        messageId: message.id,
        key: mediaKey(ws, message.id, media),
        data,
        fileName: media.fileName,
        contentType: media.contentType,
        source: "telegram",
      });
    } catch (error) {
      if (error instanceof PermanentJobError) {
        // The message keeps the file's reference in its payload; the file itself cannot be had.
        console.warn(JSON.stringify({ task: "telegram.fetch_media", messageId: message.id, fileId: media.fileId, skipped: error.code, error: error.message }));
        continue;
      }
      retry = error instanceof TransientJobError ? error : new TransientJobError(error instanceof Error ? error.message : String(error));
    }
  }
  if (retry) throw retry;
}
