// The one interface every messaging/calling provider implements (the domain model's
// ChannelAdapter: sendMessage, ingestInboundMessage, startCall, ingestInboundCall, updateDelivery),
// and the normalised shapes it speaks. Every provider request takes one road
// (src/channels/webhook.routes.ts): verify the raw bytes, parse them with the methods below, apply
// the result through the services scoped to the connection. The registry is src/channels/registry.ts.
import type { z } from "@hono/zod-openapi";
import type { Db } from "../db/client";
import type {
  CallStatus,
  callChannels,
  callKinds,
  channelConnections,
  connectionChannels,
  contactIdentities,
  conversations,
  DeliveryStatus,
  identityChannels,
  messageAttachments,
  MessageChannel,
  messageKinds,
  messages,
} from "../db/schema";
import type { Bindings, Caller } from "../env";

export type CallChannel = (typeof callChannels)[number];
export type ChannelKey = MessageChannel | CallChannel;
export type IdentityChannel = (typeof identityChannels)[number];
export type ConnectionChannel = (typeof connectionChannels)[number];
export type ConnectionRow = typeof channelConnections.$inferSelect;
type MessageRow = typeof messages.$inferSelect;
type IdentityRow = typeof contactIdentities.$inferSelect;

/** A provider account of the workspace, with what the adapter needs to talk to the provider. */
export interface ProviderContext {
  env: Bindings;
  db: Db;
  connection: ConnectionRow;
  /** Work that may finish after the answer (a webhook request's execution context); absent in queue work. */
  waitUntil?: (work: Promise<unknown>) => void;
}

export interface OutboundMessage {
  deliveryId: number;
  message: MessageRow;
  attachments: (typeof messageAttachments.$inferSelect)[];
  /** How the provider knows the contact on this channel, if it does. */
  recipient: IdentityRow | null;
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

/** A file a provider holds for an inbound message, fetched into R2 by the queued media task. */
export interface MediaRef {
  /** The provider's id (or URL) of the file: the adapter's `downloadMedia` understands it. */
  ref: string;
  /** Stable per file; names the R2 object, so a retried download finds what is stored. */
  key: string;
  fileName: string;
  contentType: string;
  sizeBytes?: number | null;
}

/** A provider's inbound message, normalised: what `ingestInbound` stores. */
export interface InboundMessage {
  channel: IdentityChannel;
  /** The provider's message id, unique per connection: a retried webhook carries the same one. */
  externalId: string;
  from: InboundSender;
  body: string;
  kind: (typeof messageKinds)[number];
  payload?: unknown;
  /** Files to fetch after the message is stored (a queued task, never in the webhook). */
  media?: MediaRef[];
  sentAt?: number;
  /** A conversation the provider's threading names (e-mail): used when it is the sender's. */
  conversationId?: number;
  /** Mail robots, bulk senders: stored in the conversation, nobody is notified, nothing classified. */
  automatic?: boolean;
}

/** A contact's change to a message they sent (Telegram lets them edit). */
export interface InboundEdit {
  channel: IdentityChannel;
  externalId: string;
  body: string;
  editedAt: number;
  payload?: unknown;
}

/** A call a contact places (or its first report), normalised. */
export interface InboundCall {
  channel: CallChannel;
  externalId: string;
  from: InboundSender;
  kind: (typeof callKinds)[number];
  status: CallStatus;
  at?: number;
  payload?: unknown;
}

/** A provider's progress report on a call it knows by id (placed by a rep or received). */
export interface CallUpdate {
  externalId: string;
  status: CallStatus;
  durationSeconds?: number | null;
  at?: number;
}

/** A provider's status callback for a message it was given. */
export interface DeliveryUpdate {
  providerMessageId: string;
  status: DeliveryStatus;
  errorCode?: string | null;
  errorMessage?: string | null;
  at?: number;
}

/** A webhook request as the adapter sees it: the exact bytes, before anything parsed them. */
export interface WebhookRequest {
  method: string;
  /** Path below `/webhooks/{channelKey}/{connectionId}`: "" or a provider-specific callback kind. */
  subpath: string;
  /** The URL the provider called, as the provider knows it (PUBLIC_BASE_URL + path + query). */
  publicUrl: string;
  query: URLSearchParams;
  headers: Headers;
  rawBody: Uint8Array;
}

export type Verification = { ok: true } | { ok: false; reason: string };

/** What the services made of a webhook, handed back to the adapter for its answer. */
export interface AppliedWebhook {
  messages: { created: boolean; message: MessageRow }[];
  calls: { created: boolean; call: typeof import("../db/schema").calls.$inferSelect }[];
}

export interface WebhookHandlers {
  /** Sub-paths besides "" the provider calls (Twilio: status, voice, voiceStatus). */
  readonly subpaths?: readonly string[];
  /** A GET the provider makes to prove the URL is ours (WhatsApp's hub.challenge). */
  challenge?(ctx: ProviderContext, request: WebhookRequest): Promise<Response>;
  /** Constant-time check of the provider's signature over the raw bytes. Nothing is parsed before it passes. */
  verify(ctx: ProviderContext, request: WebhookRequest): Promise<Verification>;
  /**
   * The provider's answer once the services applied what the request carried (TwiML, a bot's
   * reply, Discord's interaction response). Default: 200 `{ok:true}`.
   */
  respond?(ctx: ProviderContext, request: WebhookRequest, applied: AppliedWebhook): Promise<Response>;
}

/** How an owner connects a provider account: the body schema (with its channelKey) and the work. */
export interface ConnectHandlers<S extends z.ZodType = z.ZodType> {
  readonly body: S;
  connect(ctx: { db: Db; env: Bindings; caller: Caller }, input: z.infer<S>): Promise<ConnectResult>;
  /** Best-effort clean-up at the provider when the owner disconnects (delete a webhook, …). */
  disconnect?(ctx: ProviderContext): Promise<void>;
}

export interface ConnectResult {
  connection: ConnectionRow;
  /** Secrets generated for the owner to paste elsewhere, shown once (never stored in clear). */
  showOnce?: Record<string, string>;
}

export interface ChannelAdapter {
  readonly channel: ChannelKey;
  /** True for channels whose messages are delivered by being stored (internal): no Delivery, no job. */
  readonly storesOnly: boolean;
  readonly connect?: ConnectHandlers;
  readonly webhook?: WebhookHandlers;
  /**
   * Named webhook URLs the owner pastes into the provider's console (besides the main one);
   * derived from the connection's base webhook URL.
   */
  webhookUrls?(baseUrl: string, connection: ConnectionRow): Record<string, string>;
  /** Refuse a send the provider is sure to reject (a closed WhatsApp window), before anything is stored. */
  checkSend?(ctx: ProviderContext, send: { conversation: typeof conversations.$inferSelect; recipient: IdentityRow | null; payload: unknown }): Promise<void>;
  sendMessage(ctx: ProviderContext, message: OutboundMessage): Promise<SendResult>;
  /** Verified webhook request → the contacts' messages in it. */
  ingestInboundMessage?(ctx: ProviderContext, request: WebhookRequest): Promise<InboundMessage[]>;
  /** Verified webhook request → contacts' edits of messages they sent. */
  ingestEdits?(ctx: ProviderContext, request: WebhookRequest): Promise<InboundEdit[]>;
  /** Verified webhook request → the delivery status callbacks in it. */
  updateDelivery?(ctx: ProviderContext, request: WebhookRequest): Promise<DeliveryUpdate[]>;
  /** Verified webhook request → calls contacts place, and progress reports on known calls. */
  ingestInboundCall?(ctx: ProviderContext, request: WebhookRequest): Promise<{ calls: InboundCall[]; updates: CallUpdate[] }>;
  /** Place a call from the rep to the contact; the provider's id and the call's first status. */
  startCall?(
    ctx: ProviderContext,
    call: { callId: number; to: IdentityRow | null; toPhone: string | null; fromUserPhone: string | null; kind: (typeof callKinds)[number] },
  ): Promise<{ externalId: string; status: CallStatus }>;
  /** Fetch one file of an inbound message from the provider (queued media task). */
  downloadMedia?(ctx: ProviderContext, media: MediaRef, message: MessageRow): Promise<{ data: ArrayBuffer; contentType?: string; fileName?: string }>;
}
