import { z } from "@hono/zod-openapi";
import { connectableAdapters } from "../../channels/registry";
import { connectionChannels } from "../../db/schema";

type ConnectBody = z.ZodObject<{ channelKey: z.ZodLiteral<string> }>;

/** One body per connectable channel, each declared by its adapter (src/channels/<provider>/). */
const connectBodies = connectableAdapters().map((adapter) => adapter.connect.body as ConnectBody);

export const ConnectChannelBody = z
  .discriminatedUnion("channelKey", connectBodies as [ConnectBody, ...ConnectBody[]])
  .openapi("ConnectChannel");

export const ChannelSchema = z
  .object({
    id: z.number().int(),
    channelKey: z.enum(connectionChannels),
    name: z.string(),
    externalAccountId: z.string().nullable(),
    config: z.record(z.string(), z.unknown()).openapi({
      description: "Public facts (the bot's username, the phone number); right after connecting, also secrets to paste elsewhere, shown once",
    }),
    webhookUrl: z.string().openapi({ description: "The URL the provider calls (paste it into the provider's console)" }),
    webhookUrls: z
      .record(z.string(), z.string())
      .openapi({ description: "Every further URL to paste, by name, where the provider calls back on several (Twilio: messages, status, voice, voiceStatus)" }),
    createdAt: z.string(),
  })
  .openapi("Channel");
