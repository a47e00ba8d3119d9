// Contacts writing to the bot: Discord delivers DMs only over the Gateway, so `npm run
// discord:gateway` forwards each one, signed, to the connection's `gateway` sub-path as the raw
// MESSAGE_CREATE payload. What of it is a contact writing in — a DM from a person (no bot) who is
// not a linked member of this workspace — is stored through the services like every channel's
// messages; files go by their CDN URL to the queued media task.
import { AppError } from "../../lib/errors";
import { linkedUser } from "../../modules/chat-links/chat-links.service";
import type { InboundMessage, MediaRef, ProviderContext, WebhookRequest } from "../channel-adapter";
import { discordConfigOf } from "./discord-credentials";

/** The parts of Discord's message object Parley reads (MESSAGE_CREATE `d`). */
export interface DiscordGatewayMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  /** 0 DEFAULT, 19 REPLY; the rest are system messages (pins, joins, calls…). */
  type?: number;
  author: { id: string; username: string; global_name?: string | null; bot?: boolean };
  content?: string;
  timestamp?: string;
  attachments?: { id: string; filename: string; content_type?: string; size?: number; url: string }[];
  sticker_items?: { id: string; name: string }[];
}

/** What a Discord message keeps in `messages.payload_json` (besides its media refs). */
export interface DiscordPayload {
  discord: { channelId: string; messageId: string; stickers?: string[] };
}

const parsed = new WeakMap<Uint8Array, DiscordGatewayMessage>();

export function gatewayMessageOf(request: WebhookRequest): DiscordGatewayMessage {
  let message = parsed.get(request.rawBody);
  if (!message) {
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(request.rawBody));
    } catch {
      throw new AppError("bad_request", "the forwarded event is not JSON");
    }
    const m = body as Partial<DiscordGatewayMessage> | null;
    if (!m || typeof m.id !== "string" || typeof m.channel_id !== "string" || typeof m.author?.id !== "string") {
      throw new AppError("bad_request", "the forwarded event is not a MESSAGE_CREATE payload (id, channel_id, author.id)");
    }
    message = m as DiscordGatewayMessage;
    parsed.set(request.rawBody, message);
  }
  return message;
}

function mediaOf(message: DiscordGatewayMessage): MediaRef[] {
  return (message.attachments ?? [])
    .filter((a) => typeof a.url === "string" && typeof a.id === "string")
    .map((a) => ({
      ref: a.url,
      key: a.id,
      fileName: a.filename || `attachment-${a.id}`,
      contentType: a.content_type ?? "application/octet-stream",
      sizeBytes: a.size ?? null,
    }));
}

export async function ingestDiscordMessages(ctx: ProviderContext, request: WebhookRequest): Promise<InboundMessage[]> {
  if (request.subpath !== "gateway") return []; // interactions carry no contact messages
  const message = gatewayMessageOf(request);
  const { author } = message;
  // Server channels, bots (the bot's own DMs included) and system messages are nobody writing in.
  if (message.guild_id || author.bot || author.id === discordConfigOf(ctx.connection).botUserId) return [];
  if (message.type !== undefined && message.type !== 0 && message.type !== 19) return [];
  // A linked member writing to the bot is not a contact (their commands arrive as interactions).
  if (await linkedUser(ctx.db, ctx.connection.workspaceId, "discord", author.id)) return [];

  const media = mediaOf(message);
  const stickers = (message.sticker_items ?? []).map((s) => s.name);
  const text = message.content ?? "";
  const body = text || (media.length === 0 && stickers.length > 0 ? `[sticker: ${stickers.join(", ")}]` : "");
  if (!body && media.length === 0) return []; // an embed-only or empty message: nothing a contact said
  const payload: DiscordPayload = { discord: { channelId: message.channel_id, messageId: message.id, ...(stickers.length ? { stickers } : {}) } };
  const sentAt = message.timestamp ? Date.parse(message.timestamp) : NaN;
  return [
    {
      channel: "discord",
      externalId: message.id,
      from: { externalId: author.id, name: author.global_name || author.username, handle: author.username },
      body,
      kind: media.length > 0 ? "media" : "text",
      payload,
      ...(media.length > 0 ? { media } : {}),
      ...(Number.isFinite(sentAt) ? { sentAt } : {}),
    },
  ];
}
