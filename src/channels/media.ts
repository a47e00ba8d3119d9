// channel.fetch_media: the files of an inbound message, fetched from its provider into R2 as the
// message's attachments — queue work, never in a webhook. The refs were stored with the message
// (`payload.media`); each file's R2 key is fixed by the file, so a redelivered task skips what is
// stored. A file the provider will never serve is logged and skipped; a transient failure of any
// file retries the task.
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { messageAttachments, messages } from "../db/schema";
import type { Bindings } from "../env";
import { PermanentJobError, TransientJobError } from "../jobs/errors";
import { MAX_ATTACHMENT_BYTES, storeReceivedFile, workspaceFilePrefix } from "../modules/attachments/attachments.service";
import { findLiveConnection } from "../modules/channels-config/channels.service";
import type { MediaRef } from "./channel-adapter";
import { getAdapter } from "./registry";

/** Where a message's provider file lives in R2. */
export const mediaKey = (workspaceId: number, messageId: number, channel: string, media: Pick<MediaRef, "key">) =>
  `${workspaceFilePrefix(workspaceId)}attachments/${channel}-${messageId}-${media.key.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 120)}`;

/** The media refs a stored message carries. */
export function mediaRefsOf(payloadJson: string | null): MediaRef[] {
  if (!payloadJson) return [];
  try {
    const media = (JSON.parse(payloadJson) as { media?: unknown }).media;
    return Array.isArray(media) ? (media as MediaRef[]) : [];
  } catch {
    return [];
  }
}

/** An HTTP download of a provider's file, with its failure mapped to retry or give up. */
export async function downloadFile(url: string, init: RequestInit, provider: string): Promise<{ data: ArrayBuffer; contentType?: string }> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new TransientJobError(`${provider} file download failed: ${error instanceof Error ? error.message : String(error)}`, "provider_unreachable");
  }
  if (response.status >= 500 || response.status === 429) {
    throw new TransientJobError(`${provider} file download: HTTP ${response.status}`, "provider_unavailable");
  }
  if (!response.ok) throw new PermanentJobError(`${provider} file download: HTTP ${response.status}`, "file_unavailable");
  const length = Number(response.headers.get("content-length") ?? "0");
  if (length > MAX_ATTACHMENT_BYTES) throw new PermanentJobError(`the file is ${length} bytes, over the attachment limit`, "file_too_big");
  return { data: await response.arrayBuffer(), contentType: response.headers.get("content-type") ?? undefined };
}

export async function fetchMessageMedia(db: Db, env: Bindings, task: { workspaceId: number; messageId: number }): Promise<void> {
  const ws = task.workspaceId;
  const [message] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.workspaceId, ws), eq(messages.id, task.messageId)));
  const refs = message ? mediaRefsOf(message.payloadJson) : [];
  if (!message || refs.length === 0) return;

  const stored = new Set(
    (
      await db
        .select({ url: messageAttachments.url })
        .from(messageAttachments)
        .where(and(eq(messageAttachments.workspaceId, ws), eq(messageAttachments.messageId, message.id)))
    ).map((a) => a.url),
  );
  const missing = refs.filter((media) => !stored.has(mediaKey(ws, message.id, message.channelKey, media)));
  if (missing.length === 0) return;

  const connection = message.connectionId === null ? undefined : await findLiveConnection(db, message.connectionId);
  if (!connection || connection.workspaceId !== ws) {
    throw new PermanentJobError(`the connection message ${message.id} came through is gone`, "channel_not_connected");
  }
  const adapter = getAdapter(connection.channelKey);
  if (!adapter?.downloadMedia) throw new PermanentJobError(`${connection.channelKey} has no media download`, "channel_not_supported");

  let retry: TransientJobError | null = null;
  for (const media of missing) {
    try {
      if (media.sizeBytes && media.sizeBytes > MAX_ATTACHMENT_BYTES) {
        throw new PermanentJobError(`${media.fileName} is ${media.sizeBytes} bytes, over the attachment limit`, "file_too_big");
      }
      const file = await adapter.downloadMedia({ env, db, connection }, media, message);
      if (file.data.byteLength > MAX_ATTACHMENT_BYTES) throw new PermanentJobError(`${media.fileName} is too big`, "file_too_big");
      await storeReceivedFile(db, env.FILES, {
        workspaceId: ws,
        messageId: message.id,
        key: mediaKey(ws, message.id, message.channelKey, media),
        data: file.data,
        fileName: file.fileName ?? media.fileName,
        // What the provider said of the file beats what its file server's headers say (often octet-stream).
        contentType: media.contentType && media.contentType !== "application/octet-stream" ? media.contentType : (file.contentType ?? media.contentType),
        source: connection.channelKey,
      });
    } catch (error) {
      if (error instanceof PermanentJobError) {
        // The message keeps the file's reference in its payload; the file itself cannot be had.
        console.warn(JSON.stringify({ task: "channel.fetch_media", messageId: message.id, media: media.ref, skipped: error.code, error: error.message }));
        continue;
      }
      retry = error instanceof TransientJobError ? error : new TransientJobError(error instanceof Error ? error.message : String(error));
    }
  }
  if (retry) throw retry;
}
