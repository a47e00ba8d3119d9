// The internal channel: team notes and direct conversations between users. Nothing leaves
// Parley, so a message is delivered by being stored.
import type { ChannelAdapter } from "../channel-adapter";

export const internalAdapter = {
  channel: "internal",
  storesOnly: true,
  async sendMessage() {
    return { providerMessageId: null, status: "delivered" };
  },
} as const satisfies ChannelAdapter;
