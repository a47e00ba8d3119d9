// Talking to the Worker as Discord does — interactions signed with the application's Ed25519 key
// (generated here), DMs forwarded by the gateway bridge (HMAC with the bot token) — and to the fake
// Discord API (test/fakes/discord-api.mjs) that the Worker calls back.
import { env } from "cloudflare:workers";
import { hmac, toHex } from "../../src/lib/crypto";
import { request } from "./api";

let counter = 0;
const snowflake = () => `${1100000000000000000n + BigInt(Date.now() % 1e9) * 1000n + BigInt(++counter)}`;

export interface DiscordApp {
  applicationId: string;
  publicKey: string;
  botToken: string;
  privateKey: CryptoKey;
}

/** A Discord application no other test uses: an Ed25519 key pair, a bot token, known to the fake. */
export async function newDiscordApp(): Promise<DiscordApp> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const publicKey = toHex(new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer));
  const applicationId = snowflake();
  const botToken = `${btoa(applicationId).replace(/=+$/, "")}.GfAkE.${crypto.randomUUID().replace(/-/g, "")}`;
  await fake("/__fake/apps", { applicationId, publicKey, botToken, name: `Parley test ${applicationId.slice(-4)}` });
  return { applicationId, publicKey, botToken, privateKey: pair.privateKey };
}

async function fake(path: string, body: unknown) {
  const res = await fetch(`${fakeOrigin()}${path}`, { method: "POST", body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`fake Discord ${path}: ${res.status}`);
}

export const fakeOrigin = () => new URL(env.DISCORD_API_BASE_URL).origin;

export interface DiscordCall {
  method: string;
  path: string;
  body: any;
  files: { fileName: string; size: number; type: string; base64: string }[];
  userAgent: string | null;
  status?: number;
  failed?: number;
}

export async function discordCalls(applicationId: string, filter?: { method?: string; path?: RegExp }): Promise<DiscordCall[]> {
  const calls = (await (await fetch(`${fakeOrigin()}/__fake/calls?application=${applicationId}`)).json()) as DiscordCall[];
  return calls.filter((c) => (!filter?.method || c.method === filter.method) && (!filter?.path || filter.path.test(c.path)));
}

/** The next call matching `method` and `path` (a regex source) fails as Discord would. */
export const failNextDiscord = (applicationId: string, failure: { method: string; path: string; status: number; code?: number; message?: string; retryAfter?: number }) =>
  fake("/__fake/fail", { applicationId, ...failure });

/** The user does not accept DMs from the bot: Create Message answers 403 / 50007. */
export const blockDms = (applicationId: string, userId: string) => fake("/__fake/block-dms", { applicationId, userId });

/** A file on the fake CDN; returns its URL. */
export async function cdnFile(path: string, content: Uint8Array, contentType: string): Promise<string> {
  let binary = "";
  for (const b of content) binary += String.fromCharCode(b);
  await fake("/__fake/files", { path, base64: btoa(binary), contentType });
  return `${fakeOrigin()}/${path}`;
}

/** Connect the application to the workspace; returns the connection DTO. */
export async function connectDiscord(owner: { post: (path: string, body?: unknown) => Promise<{ status: number; body: any }> }, app: DiscordApp) {
  const res = await owner.post("/v1/channels", { channelKey: "discord", applicationId: app.applicationId, publicKey: app.publicKey, botToken: app.botToken });
  if (res.status !== 201) throw new Error(`connect failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: number; webhookUrl: string; webhookUrls: Record<string, string>; config: Record<string, unknown> };
}

/** The headers Discord puts on an interaction: Ed25519 over timestamp + body. */
export async function signedHeaders(app: DiscordApp, body: string, timestamp = String(Math.floor(Date.now() / 1000))) {
  const signature = await crypto.subtle.sign({ name: "Ed25519" }, app.privateKey, new TextEncoder().encode(timestamp + body));
  return { "x-signature-ed25519": toHex(new Uint8Array(signature)), "x-signature-timestamp": timestamp, "content-type": "application/json" };
}

export async function postInteraction(connection: { id: number }, app: DiscordApp, interaction: unknown, headers?: Record<string, string>) {
  const body = JSON.stringify(interaction);
  return request("POST", `/webhooks/discord/${connection.id}`, { rawBody: body, headers: headers ?? (await signedHeaders(app, body)) });
}

export interface DiscordUserFixture {
  id: string;
  username: string;
}

export const discordUser = (username = "rep"): DiscordUserFixture => ({ id: snowflake(), username });

export interface Where {
  /** A server; omitted = a DM with the bot. */
  guildId?: string;
}

function envelope(app: DiscordApp, user: DiscordUserFixture, type: number, data: unknown, where: Where = {}, extra: Record<string, unknown> = {}) {
  const who = where.guildId
    ? { guild_id: where.guildId, member: { user: { ...user, discriminator: "0" }, roles: [], permissions: "2147483647", joined_at: "2026-01-01T00:00:00.000000+00:00" }, context: 0 }
    : { user: { ...user, discriminator: "0" }, context: 1 };
  return {
    id: snowflake(),
    application_id: app.applicationId,
    type,
    token: `itoken-${crypto.randomUUID()}`,
    version: 1,
    channel_id: snowflake(),
    app_permissions: "442368",
    locale: "en-US",
    entitlements: [],
    authorizing_integration_owners: {},
    data,
    ...who,
    ...extra,
  };
}

type OptionValue = string | number | boolean;

function options(values: Record<string, OptionValue>, focused?: string) {
  return Object.entries(values).map(([name, value]) => ({
    name,
    type: typeof value === "number" ? 10 : typeof value === "boolean" ? 5 : 3,
    value,
    ...(name === focused ? { focused: true } : {}),
  }));
}

/** `/name [subcommand] option:value…` as Discord sends it (type 2). */
export function command(app: DiscordApp, user: DiscordUserFixture, name: string, subcommand: string | null, values: Record<string, OptionValue> = {}, where?: Where) {
  const opts = options(values);
  // Discord leaves `options` out when there are none (a bare `/inbox`).
  const data = subcommand ? { options: [{ name: subcommand, type: 1, ...(opts.length ? { options: opts } : {}) }] } : opts.length ? { options: opts } : {};
  return envelope(app, user, 2, { id: snowflake(), name, type: 1, ...data }, where);
}

/** Typing into `focused` (type 4): the partial values so far. */
export function autocompleteOf(app: DiscordApp, user: DiscordUserFixture, name: string, subcommand: string | null, values: Record<string, OptionValue>, focused: string, where?: Where) {
  const opts = options(values, focused);
  return envelope(app, user, 4, { id: snowflake(), name, type: 1, options: subcommand ? [{ name: subcommand, type: 1, options: opts }] : opts }, where);
}

/** A press on a button (or a choice in a select) of `message` (type 3). */
export function press(app: DiscordApp, user: DiscordUserFixture, customId: string, message: { components?: unknown[]; embeds?: unknown[] }, opts: Where & { values?: string[] } = {}) {
  const data = opts.values ? { custom_id: customId, component_type: 3, values: opts.values } : { custom_id: customId, component_type: 2 };
  return envelope(app, user, 3, data, opts, { message: { id: snowflake(), channel_id: snowflake(), content: "", embeds: [], components: [], ...message } });
}

/** A modal submitted (type 5), its text inputs inside Labels, as Discord sends them. */
export function modalSubmit(app: DiscordApp, user: DiscordUserFixture, customId: string, inputs: Record<string, string>, opts: Where & { message?: unknown } = {}) {
  const components = Object.entries(inputs).map(([id, value], i) => ({ type: 18, id: i * 2 + 1, component: { type: 4, id: i * 2 + 2, custom_id: id, value } }));
  return envelope(app, user, 5, { custom_id: customId, components }, opts, opts.message ? { message: opts.message } : {});
}

/** Every button and select custom_id of a message body, row by row. */
export function customIds(body: { components?: { components: { custom_id?: string }[] }[] }): string[][] {
  return (body.components ?? []).map((row) => row.components.map((c) => c.custom_id ?? ""));
}

/** A workspace's connected application and a member linked to a Discord user through /link. */
export async function linkedDiscordRep(ws: { owner: any; member: (name?: string) => Promise<{ user: { id: number }; api: any }> }, opts: { app?: DiscordApp; connection?: { id: number }; name?: string } = {}) {
  const app = opts.app ?? (await newDiscordApp());
  const connection = opts.connection ?? (await connectDiscord(ws.owner, app));
  const rep = await ws.member(opts.name ?? "Rep");
  const user = discordUser(opts.name ?? "rep");
  const { code } = (await rep.api.post("/v1/me/discord-link")).body;
  const res = await postInteraction(connection, app, command(app, user, "link", null, { code }));
  if (res.status !== 200 || !String(res.body?.data?.content ?? "").startsWith("✓ Linked")) throw new Error(`linking failed: ${res.status} ${JSON.stringify(res.body)}`);
  const send = (interaction: unknown) => postInteraction(connection, app, interaction);
  return { app, connection, rep, user, send };
}

/** What the gateway bridge posts for a DM: the raw MESSAGE_CREATE payload, HMAC-signed with the bot token. */
export async function forwardDm(connection: { id: number }, botToken: string, message: unknown, opts: { timestamp?: string; signature?: string } = {}) {
  const body = JSON.stringify(message);
  const timestamp = opts.timestamp ?? String(Math.floor(Date.now() / 1000));
  const signature = opts.signature ?? `sha256=${toHex(await hmac("SHA-256", botToken, `${timestamp}.${body}`))}`;
  return request("POST", `/webhooks/discord/${connection.id}/gateway`, {
    rawBody: body,
    headers: { "content-type": "application/json", "x-parley-timestamp": timestamp, "x-parley-signature": signature },
  });
}

/** A DM from `user` to the bot, as MESSAGE_CREATE's `d`. */
export function dmMessage(user: DiscordUserFixture, content: string, extra: Record<string, unknown> = {}) {
  return {
    id: snowflake(),
    channel_id: snowflake(),
    type: 0,
    author: { id: user.id, username: user.username, global_name: `${user.username} (display)`, discriminator: "0" },
    content,
    timestamp: new Date().toISOString(),
    attachments: [],
    embeds: [],
    mentions: [],
    ...extra,
  };
}
