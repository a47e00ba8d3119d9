// The one interface every messaging/calling provider implements, and the registry that picks
// the implementation by channel key (never a `switch (channel)` per method). Providers arrive
// one folder each under src/channels/; until a channel has one, its outbound messages still get
// a Delivery and a job, which records why nothing could be sent.
import type {
  CallStatus,
  channelConnections,
  contactIdentities,
  DeliveryStatus,
  identityChannels,
  messageAttachments,
  MessageChannel,
  messageKinds,
  messages,
  callChannels,
  callKinds,
} from "../db/schema";
import type { Bindings } from "../env";
import { internalAdapter } from "./internal/internal.adapter";
import { telegramAdapter } from "./telegram/telegram.adapter";

export type CallChannel = (typeof callChannels)[number];
export type ChannelKey = MessageChannel | CallChannel;
export type IdentityChannel = (typeof identityChannels)[number];

export interface ProviderContext {
  env: Bindings;
  /** The workspace's connection for the channel (credentials still sealed); null when none is needed. */
  connection: typeof channelConnections.$inferSelect | null;
}

export interface OutboundMessage {
  deliveryId: number;
  message: typeof messages.$inferSelect;
  attachments: (typeof messageAttachments.$inferSelect)[];
  /** How the provider knows the contact on this channel, if it does. */
  recipient: typeof contactIdentities.$inferSelect | null;
  /**
   * Provider ids of the parts an earlier attempt already sent (a long text goes out in pieces,
   * then each file): send only what comes after them. `sendInParts` does both.
   */
  sentParts: readonly string[];
  /** Record one more part as sent, before the next goes out; throws when the send lost its claim. */
  partSent(providerMessageId: string): Promise<void>;
}

/**
 * Send a message that takes several provider calls, in a fixed order, skipping the parts an
 * earlier attempt sent and recording each part as it goes: a retry after part 2 of 3 failed
 * sends part 2 and 3 only. Answers every part's provider id, first to last.
 */
export async function sendInParts(outbound: OutboundMessage, parts: readonly (() => Promise<string>)[]): Promise<string[]> {
  const ids = outbound.sentParts.slice(0, parts.length);
  for (const part of parts.slice(ids.length)) {
    const id = await part();
    await outbound.partSent(id);
    ids.push(id);
  }
  return ids;
}

export interface SendResult {
  providerMessageId: string | null;
  status: Extract<DeliveryStatus, "sent" | "delivered">;
}

/** Who wrote in, as the provider identifies them. */
export interface InboundSender {
  externalId: string;
  name?: string | null;
  handle?: string | null;
  phone?: string | null;
  email?: string | null;
}

export interface InboundAttachment {
  /** R2 key the webhook stored the file under (workspace-prefixed). */
  key: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
}

/** A provider's inbound message, normalised: what `ingestInbound` stores. */
export interface InboundMessage {
  channel: IdentityChannel;
  /** The provider's message id: a retried webhook carries the same one. */
  externalId: string;
  from: InboundSender;
  body: string;
  kind: (typeof messageKinds)[number];
  payload?: unknown;
  attachments?: InboundAttachment[];
  sentAt?: number;
}

export interface InboundCall {
  channel: CallChannel;
  externalId: string;
  from: InboundSender;
  kind: (typeof callKinds)[number];
  status: CallStatus;
  at?: number;
}

/** A provider's status callback for a message it was given. */
export interface DeliveryUpdate {
  channel: MessageChannel;
  providerMessageId: string;
  status: DeliveryStatus;
  errorCode?: string | null;
  errorMessage?: string | null;
  at?: number;
}

export interface ChannelAdapter {
  readonly channel: ChannelKey;
  /** True for channels whose messages are delivered by being stored (internal): no Delivery, no job. */
  readonly storesOnly: boolean;
  sendMessage(ctx: ProviderContext, message: OutboundMessage): Promise<SendResult>;
  /** Verified webhook request → the messages in it. */
  ingestInboundMessage?(ctx: ProviderContext, request: Request): Promise<InboundMessage[]>;
  startCall?(ctx: ProviderContext, call: { to: typeof contactIdentities.$inferSelect; kind: (typeof callKinds)[number] }): Promise<{
    externalId: string;
    status: CallStatus;
  }>;
  ingestInboundCall?(ctx: ProviderContext, request: Request): Promise<InboundCall[]>;
  /** Verified status-callback request → the delivery updates in it. */
  updateDelivery?(ctx: ProviderContext, request: Request): Promise<DeliveryUpdate[]>;
}

const adapters: Partial<Record<ChannelKey, ChannelAdapter>> = {
  [internalAdapter.channel]: internalAdapter,
  [telegramAdapter.channel]: telegramAdapter,
};

export function getAdapter(channelKey: ChannelKey): ChannelAdapter | undefined {
  return adapters[channelKey];
}

/** Whether a message sent on `channelKey` goes to a provider (a Delivery and a `deliver_message` job). */
export const needsDelivery = (channelKey: MessageChannel): boolean => getAdapter(channelKey)?.storesOnly !== true;
