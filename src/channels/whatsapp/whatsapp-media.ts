// Files on WhatsApp. In: the queued media task asks GET /{media-id} for a short-lived URL (valid
// five minutes), then downloads it with the same bearer token. Out: an attachment is uploaded to
// POST /{phone-number-id}/media (multipart) and sent by the id it gets.
import type { messageAttachments } from "../../db/schema";
import type { Bindings } from "../../env";
import { PermanentJobError } from "../../jobs/errors";
import { MAX_ATTACHMENT_BYTES } from "../../modules/attachments/attachments.service";
import { credentialsOf } from "../../modules/channels-config/channels.service";
import type { MediaRef, ProviderContext } from "../channel-adapter";
import { downloadFile } from "../media";
import { graph } from "./whatsapp-api";
import { sealedCredentials, type WhatsAppCredentials } from "./whatsapp-credentials";
import { whatsappJobError } from "./whatsapp-errors";

interface MediaInfo {
  url?: string;
  mime_type?: string;
  /** Bytes, as a string. */
  file_size?: string | number;
  id?: string;
}

export async function downloadWhatsAppMedia({ env, connection }: ProviderContext, media: MediaRef) {
  const { accessToken } = await sealedCredentials(() => credentialsOf<WhatsAppCredentials>(env, connection));
  const info = await graph<MediaInfo>(env, accessToken, `media ${media.ref}`, {
    path: encodeURIComponent(media.ref),
    query: connection.externalAccountId ? { phone_number_id: connection.externalAccountId } : {},
  }).catch((error: unknown) => {
    throw whatsappJobError(error);
  });
  if (!info?.url) throw new PermanentJobError(`WhatsApp gave no URL for media ${media.ref}`, "file_unavailable");
  const size = Number(info.file_size ?? 0);
  if (size > MAX_ATTACHMENT_BYTES) throw new PermanentJobError(`${media.fileName} is ${size} bytes, over the attachment limit`, "file_too_big");
  const file = await downloadFile(info.url, { headers: { authorization: `Bearer ${accessToken}` } }, "WhatsApp");
  return { ...file, contentType: info.mime_type ?? file.contentType };
}

type AttachmentRow = typeof messageAttachments.$inferSelect;
export type WhatsAppMediaType = "image" | "video" | "audio" | "document";

const MB = 1024 * 1024;
/** What WhatsApp plays inline, by type and size (Cloud API supported media); anything else goes as a document. */
const INLINE: { type: WhatsAppMediaType; mimeTypes: string[]; maxBytes: number }[] = [
  { type: "image", mimeTypes: ["image/jpeg", "image/png"], maxBytes: 5 * MB },
  { type: "video", mimeTypes: ["video/mp4", "video/3gpp"], maxBytes: 16 * MB },
  { type: "audio", mimeTypes: ["audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"], maxBytes: 16 * MB },
];
const DOCUMENT_MAX_BYTES = 100 * MB;

export function mediaTypeOf(attachment: Pick<AttachmentRow, "contentType" | "sizeBytes">): WhatsAppMediaType {
  const mime = attachment.contentType.split(";")[0]!.trim().toLowerCase();
  return INLINE.find((t) => t.mimeTypes.includes(mime) && attachment.sizeBytes <= t.maxBytes)?.type ?? "document";
}

/** Upload one stored attachment for this number; the media id to send it by. */
export async function uploadWhatsAppMedia(env: Bindings, accessToken: string, phoneNumberId: string, attachment: AttachmentRow): Promise<string> {
  if (attachment.sizeBytes > DOCUMENT_MAX_BYTES) {
    throw new PermanentJobError(`${attachment.fileName} is ${attachment.sizeBytes} bytes; WhatsApp takes files up to 100 MB`, "file_too_big");
  }
  const object = await env.FILES.get(attachment.url);
  if (!object) throw new PermanentJobError(`attachment ${attachment.id} has no stored file`, "attachment_missing");
  const contentType = attachment.contentType || "application/octet-stream";
  const form = new FormData();
  form.append("messaging_product", "whatsapp");
  form.append("type", contentType);
  form.append("file", new Blob([await object.arrayBuffer()], { type: contentType }), attachment.fileName);
  const uploaded = await graph<{ id?: string }>(env, accessToken, `uploading ${attachment.fileName}`, {
    method: "POST",
    path: `${phoneNumberId}/media`,
    form,
  });
  if (!uploaded?.id) throw new PermanentJobError(`WhatsApp gave no media id for ${attachment.fileName}`, "whatsapp_upload_failed");
  return uploaded.id;
}
