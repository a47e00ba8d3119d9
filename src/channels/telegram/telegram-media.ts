// Files contacts send on Telegram: the refs the webhook records (file ids, nothing downloaded) and
// the download the queued media task asks for (getFile, then the file URL).
import type { Message } from "grammy/types";
import { PermanentJobError } from "../../jobs/errors";
import { credentialsOf } from "../../modules/channels-config/channels.service";
import type { MediaRef, ProviderContext } from "../channel-adapter";
import { downloadFile } from "../media";
import { telegramApi, telegramFileUrl } from "./telegram-api";
import type { TelegramCredentials } from "./telegram-credentials";
import { telegramJobError } from "./telegram-errors";

/** The Bot API serves downloads up to 20 MB; bigger files cannot be fetched by a bot. */
export const BOT_DOWNLOAD_LIMIT = 20 * 1024 * 1024;

/** The files of a message: the largest size of a photo, or the document, voice, audio or video. */
export function mediaOf(message: Message): MediaRef[] {
  if (message.photo && message.photo.length > 0) {
    const largest = message.photo.reduce((a, b) => ((b.file_size ?? b.width * b.height) > (a.file_size ?? a.width * a.height) ? b : a));
    return [
      {
        ref: largest.file_id,
        key: largest.file_unique_id,
        fileName: `photo-${largest.file_unique_id}.jpg`,
        contentType: "image/jpeg",
        sizeBytes: largest.file_size ?? null,
      },
    ];
  }
  const file = (kind: string, f: { file_id: string; file_unique_id: string; file_size?: number; mime_type?: string; file_name?: string }, ext: string, type: string) => [
    {
      ref: f.file_id,
      key: f.file_unique_id,
      fileName: f.file_name ?? `${kind}-${f.file_unique_id}.${ext}`,
      contentType: f.mime_type ?? type,
      sizeBytes: f.file_size ?? null,
    },
  ];
  if (message.document) return file("document", message.document, "bin", "application/octet-stream");
  if (message.voice) return file("voice", message.voice, "ogg", "audio/ogg");
  if (message.audio) return file("audio", message.audio, "mp3", "audio/mpeg");
  if (message.video) return file("video", message.video, "mp4", "video/mp4");
  return [];
}

export async function downloadTelegramMedia({ env, connection }: ProviderContext, media: MediaRef) {
  if (media.sizeBytes && media.sizeBytes > BOT_DOWNLOAD_LIMIT) {
    throw new PermanentJobError(`${media.fileName} is ${media.sizeBytes} bytes, more than a bot may download`, "telegram_file_too_big");
  }
  const { botToken } = await credentialsOf<TelegramCredentials>(env, connection);
  const file = await telegramApi(env, botToken)
    .getFile(media.ref)
    .catch((error: unknown) => {
      throw telegramJobError(error);
    });
  if (!file.file_path) throw new PermanentJobError(`Telegram gave no path for ${media.fileName}`, "telegram_file_unavailable");
  return downloadFile(telegramFileUrl(env, botToken, file.file_path), {}, "Telegram");
}
