// Talking to the fake WhatsApp Cloud API (test/fakes/whatsapp-graph-api.mjs) from inside workerd,
// and building webhook notifications exactly as Meta sends and signs them.
import { env } from "cloudflare:workers";
import { request } from "./api";

let counter = 0;
const unique = () => `${Date.now() % 1e7}${String(++counter).padStart(4, "0")}${Math.floor(Math.random() * 100)}`;

export interface FakeNumber {
  phoneNumberId: string;
  accessToken: string;
  appSecret: string;
  businessAccountId: string;
  displayPhoneNumber: string;
}

async function control(path: string, body: unknown) {
  const res = await fetch(`${env.WHATSAPP_API_BASE_URL}/__fake/${path}`, { method: "POST", body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`fake ${path}: ${res.status}`);
}

/** A business phone number the fake knows, with its own token, app secret and business account. */
export async function newNumber(): Promise<FakeNumber> {
  const id = unique();
  const secret = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  const number: FakeNumber = {
    phoneNumberId: `10${id}`,
    accessToken: `EAAtest${id}ZDZD${crypto.randomUUID().replaceAll("-", "")}`,
    appSecret: secret,
    businessAccountId: `41${id}`,
    displayPhoneNumber: `+1 555-01${id.slice(-2)}-${id.slice(-6, -2)}`,
  };
  await control("numbers", { ...number, verifiedName: "Acme Sales" });
  return number;
}

export interface Connected extends FakeNumber {
  connection: { id: number; name: string; config: Record<string, unknown> };
  verifyToken: string;
}

/** Connect a fresh number to the workspace; returns the connection and the verify token shown once. */
export async function connectNumber(owner: { post: (path: string, body?: unknown) => Promise<{ status: number; body: any }> }, number?: FakeNumber): Promise<Connected> {
  const n = number ?? (await newNumber());
  const res = await owner.post("/v1/channels", { channelKey: "whatsapp", phoneNumberId: n.phoneNumberId, accessToken: n.accessToken, appSecret: n.appSecret });
  if (res.status !== 201) throw new Error(`connect failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...n, connection: res.body, verifyToken: String(res.body.config.verifyToken) };
}

export interface GraphCall {
  op: string;
  method: string;
  path: string;
  version: string;
  query: Record<string, string>;
  body: any;
  authorization: string | null;
}

/** What the Worker asked of the fake for one account (phone number id or business account id). */
export async function graphCalls(account: string, op?: string): Promise<GraphCall[]> {
  const res = await fetch(`${env.WHATSAPP_API_BASE_URL}/__fake/calls?account=${encodeURIComponent(account)}`);
  const calls = (await res.json()) as GraphCall[];
  return op ? calls.filter((c) => c.op === op) : calls;
}

/** The messages sent from a number (POST /{phone-number-id}/messages bodies), oldest first. */
export const sentMessages = async (phoneNumberId: string) => (await graphCalls(phoneNumberId, "messages")).map((c) => c.body);

/** Make the next call of `op` (messages, media, phone, media_info, download, subscribed_apps) fail. */
export function failNext(
  account: string,
  op: string,
  failure: { status?: number; error?: Record<string, unknown>; headers?: Record<string, string>; network?: boolean; times?: number },
) {
  return control("fail", { account, op, ...failure });
}

/** A file a contact sent, held by the fake under a media id. */
export async function registerMedia(phoneNumberId: string, mediaId: string, mimeType: string, content: Uint8Array) {
  let binary = "";
  for (const b of content) binary += String.fromCharCode(b);
  await control("media", { phoneNumberId, mediaId, mimeType, base64: btoa(binary) });
}

/** `sha256=<hex HMAC-SHA256(body, secret)>`, as Meta signs a notification. */
export async function signature(secret: string, body: string | Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, typeof body === "string" ? new TextEncoder().encode(body) : body);
  return `sha256=${Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** POST a notification to the connection's webhook, signed with `secret` (null: no signature header). */
export async function postNotification(connection: { id: number }, secret: string | null, notification: unknown) {
  const raw = typeof notification === "string" ? notification : JSON.stringify(notification);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (secret !== null) headers["x-hub-signature-256"] = await signature(secret, raw);
  return request("POST", `/webhooks/whatsapp/${connection.id}`, { rawBody: raw, headers });
}

let wamidCounter = 0;
/** A wamid as Meta spells them. */
export const wamid = () => `wamid.${btoa(`HBgLMTY1MDU1NTEyMzQVAgASGBQz${Date.now()}${++wamidCounter}`)}`;

export const seconds = (ms = Date.now()) => String(Math.floor(ms / 1000));

export interface Sender {
  waId: string;
  name: string;
}

/** One inbound message object (the `messages[]` item) of `type`, whose content is `content[type]`. */
export function message(from: Sender, type: string, content: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { from: from.waId, id: wamid(), timestamp: seconds(), type, ...content, ...extra };
}

export const text = (from: Sender, body: string, extra: Record<string, unknown> = {}) => message(from, "text", { text: { body } }, extra);

/** A `messages` change value for a number: the senders' profiles and their messages, or statuses. */
export function value(phoneNumberId: string, content: { senders?: Sender[]; messages?: unknown[]; statuses?: unknown[]; errors?: unknown[] }) {
  return {
    messaging_product: "whatsapp",
    metadata: { display_phone_number: "15550783881", phone_number_id: phoneNumberId },
    ...(content.senders ? { contacts: content.senders.map((s) => ({ profile: { name: s.name }, wa_id: s.waId })) } : {}),
    ...(content.messages ? { messages: content.messages } : {}),
    ...(content.statuses ? { statuses: content.statuses } : {}),
    ...(content.errors ? { errors: content.errors } : {}),
  };
}

/** The notification envelope: one entry per given list of change values. */
export function notification(...entries: unknown[][]) {
  return {
    object: "whatsapp_business_account",
    entry: entries.map((values, i) => ({ id: `10254${i}`, changes: values.map((v) => ({ value: v, field: "messages" })) })),
  };
}

/** A notification with messages from one sender to one number. */
export const inbound = (phoneNumberId: string, from: Sender, ...messages: unknown[]) => notification([value(phoneNumberId, { senders: [from], messages })]);

/** A `statuses[]` item for a message we sent. */
export function status(id: string, state: string, recipient: string, extra: Record<string, unknown> = {}) {
  return { id, status: state, timestamp: seconds(), recipient_id: recipient, ...extra };
}

export const statuses = (phoneNumberId: string, ...items: unknown[]) => notification([value(phoneNumberId, { statuses: items })]);
