// The registry: which adapter serves a channel key. Adding a provider is one line here and a
// folder beside this file; nothing else in Parley switches on the channel.
import type { MessageChannel } from "../db/schema";
import type { ChannelAdapter, ChannelKey, ConnectionChannel } from "./channel-adapter";
import { discordAdapter } from "./discord/discord.adapter";
import { internalAdapter } from "./internal/internal.adapter";
import { telegramAdapter } from "./telegram/telegram.adapter";

const adapters: Partial<Record<ChannelKey, ChannelAdapter>> = {
  [internalAdapter.channel]: internalAdapter,
  [telegramAdapter.channel]: telegramAdapter,
  [discordAdapter.channel]: discordAdapter,
};

export function getAdapter(channelKey: ChannelKey): ChannelAdapter | undefined {
  return adapters[channelKey];
}

/** The adapters an owner can connect an account of, in a stable order. */
export function connectableAdapters(): (ChannelAdapter & { channel: ConnectionChannel; connect: NonNullable<ChannelAdapter["connect"]> })[] {
  return Object.values(adapters).filter(
    (a): a is ChannelAdapter & { channel: ConnectionChannel; connect: NonNullable<ChannelAdapter["connect"]> } => a?.connect !== undefined,
  );
}

/** Whether a message sent on `channelKey` goes to a provider (a Delivery and a `deliver_message` job). */
export const needsDelivery = (channelKey: MessageChannel): boolean => getAdapter(channelKey)?.storesOnly !== true;
