// The Discord channel: a workspace's Discord application. Its Interactions Endpoint (the
// connection's webhook URL) serves the team's slash commands, buttons and modals (bots/discord);
// its `gateway` sub-path receives the DMs contacts write to the bot, forwarded by the gateway
// bridge. Outbound messages go to the contact's DM channel with the bot.
import type { messageAttachments } from "../../db/schema";
import type { Bindings } from "../../env";
import { PermanentJobError } from "../../jobs/errors";
import { credentialsOf } from "../../modules/channels-config/channels.service";
import type { ChannelAdapter } from "../channel-adapter";
import { type DiscordFile, type DiscordMessage, discordRest } from "./discord-api";
import type { DiscordCredentials } from "./discord-credentials";
import { discordJobError } from "./discord-errors";
import { downloadDiscordMedia } from "./discord-media";
import { discordConnect } from "./discord.connect";
import { ingestDiscordMessages } from "./discord.inbound";
import { discordWebhook } from "./discord.webhook";

/** Create Message limits: content characters, files per message, bytes per file a bot may upload. */
export const CONTENT_LIMIT = 2000;
const FILES_PER_MESSAGE = 10;
const FILE_LIMIT_BYTES = 10 * 1024 * 1024;

type AttachmentRow = typeof messageAttachments.$inferSelect;

/** Text in pieces Discord accepts. */
export function contentParts(text: string, limit = CONTENT_LIMIT): string[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += limit) parts.push(text.slice(i, i + limit));
  return parts;
}

async function fileOf(env: Bindings, attachment: AttachmentRow): Promise<DiscordFile> {
  const object = await env.FILES.get(attachment.url);
  if (!object) throw new PermanentJobError(`attachment ${attachment.id} has no stored file`, "attachment_missing");
  return { name: attachment.fileName, contentType: attachment.contentType, data: new Uint8Array(await object.arrayBuffer()) };
}

/** Contact-supplied text is echoed as is: nobody gets pinged by it. */
const NO_MENTIONS = { parse: [] as string[] };

export const discordAdapter = {
  channel: "discord",
  storesOnly: false,
  connect: discordConnect,
  webhook: discordWebhook,
  webhookUrls: (baseUrl) => ({ interactions: baseUrl, gateway: `${baseUrl}/gateway` }),
  ingestInboundMessage: ingestDiscordMessages,
  downloadMedia: downloadDiscordMedia,
  async sendMessage({ env, connection }, outbound) {
    if (!outbound.recipient) throw new PermanentJobError("the contact has no Discord account to write to", "no_recipient");
    const tooBig = outbound.attachments.find((a) => a.sizeBytes > FILE_LIMIT_BYTES);
    if (tooBig) throw new PermanentJobError(`${tooBig.fileName} is over the ${FILE_LIMIT_BYTES / 1024 / 1024} MiB a bot may upload`, "discord_file_too_big");
    const { botToken } = await credentialsOf<DiscordCredentials>(env, connection);
    const rest = discordRest(env, botToken);
    const parts = contentParts(outbound.message.body);
    const groups: AttachmentRow[][] = [];
    for (let i = 0; i < outbound.attachments.length; i += FILES_PER_MESSAGE) groups.push(outbound.attachments.slice(i, i + FILES_PER_MESSAGE));
    if (parts.length === 0 && groups.length === 0) throw new PermanentJobError("the message has neither text nor files", "empty_message");

    const sentIds: string[] = [];
    try {
      // The DM channel between the bot and the person (Discord returns the existing one).
      const channel = await rest.request<{ id: string }>("POST", "/users/@me/channels", { recipient_id: outbound.recipient.externalId });
      const path = `/channels/${channel.id}/messages`;
      // The last piece of text rides with the first files.
      const lastText = groups.length > 0 ? parts.pop() : undefined;
      for (const content of parts) sentIds.push((await rest.request<DiscordMessage>("POST", path, { content, allowed_mentions: NO_MENTIONS })).id);
      for (const [i, group] of groups.entries()) {
        const files = await Promise.all(group.map((a) => fileOf(env, a)));
        const payload = {
          ...(i === 0 && lastText ? { content: lastText } : {}),
          allowed_mentions: NO_MENTIONS,
          attachments: files.map((f, n) => ({ id: n, filename: f.name })),
        };
        sentIds.push((await rest.upload<DiscordMessage>(path, payload, files)).id);
      }
    } catch (error) {
      throw discordJobError(error);
    }
    return { providerMessageId: sentIds[0] ?? null, status: "sent" };
  },
} as const satisfies ChannelAdapter;
