import { z } from "@hono/zod-openapi";
import { connectionChannels } from "../../db/schema";

export const ConnectTelegramBody = z
  .object({
    channelKey: z.literal("telegram"),
    botToken: z
      .string()
      .trim()
      .regex(/^\d+:[A-Za-z0-9_-]{5,}$/, "a bot token looks like 123456:ABC-DEF…")
      .openapi({ description: "From @BotFather" }),
    name: z.string().trim().min(1).max(100).optional(),
  })
  .openapi("ConnectTelegram");

/** One schema per connectable channel; more join the union as their adapters land. */
export const ConnectChannelBody = z.discriminatedUnion("channelKey", [ConnectTelegramBody]).openapi("ConnectChannel");

export const ChannelSchema = z
  .object({
    id: z.number().int(),
    channelKey: z.enum(connectionChannels),
    name: z.string(),
    externalAccountId: z.string().nullable(),
    config: z.record(z.string(), z.unknown()).openapi({ description: "Public facts, e.g. the bot's username" }),
    webhookUrl: z.string(),
    createdAt: z.string(),
  })
  .openapi("Channel");
