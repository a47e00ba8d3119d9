// Talking to the fake Twilio REST API (test/fakes/twilio-api.mjs) from inside workerd, and
// playing Twilio's part towards the Worker: form-encoded webhooks signed the way Twilio signs them
// (computed here with WebCrypto, independently of src/: base64(HMAC-SHA1(Auth Token, URL + each
// parameter's name and value in name order))).
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { request } from "./api";

export interface TwilioAccount {
  sid: string;
  authToken: string;
}

const fake = (path: string) => `${env.TWILIO_API_BASE_URL}${path}`;

export async function newTwilioAccount(opts: { status?: string; type?: string } = {}): Promise<TwilioAccount> {
  const res = await fetch(fake("/__fake/accounts"), { method: "POST", body: JSON.stringify(opts) });
  return (await res.json()) as TwilioAccount;
}

export interface FakeTwilioCall {
  method: string;
  path: string;
  params: Record<string, string | string[]>;
  authenticated: boolean;
}

/** The API calls an account received, oldest first; `endpoint` keeps those whose path ends with it. */
export async function twilioCalls(account: TwilioAccount, endpoint?: string): Promise<FakeTwilioCall[]> {
  const calls = (await (await fetch(fake(`/__fake/calls?account=${account.sid}`))).json()) as FakeTwilioCall[];
  return endpoint ? calls.filter((c) => c.path.endsWith(endpoint)) : calls;
}

/** Make the account's next call to `endpoint` (Account, Messages, Calls, Media, Recordings) fail. */
export async function failNextTwilio(
  account: TwilioAccount,
  endpoint: string,
  failure: { status: number; code?: number; message?: string; retryAfter?: number; network?: boolean; times?: number },
) {
  await fetch(fake("/__fake/fail"), { method: "POST", body: JSON.stringify({ account: account.sid, endpoint, ...failure }) });
}

const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/** A file Twilio holds for an inbound MMS; its URL answers (with Basic auth) by redirecting to the bytes. */
export async function registerMedia(account: TwilioAccount, messageSid: string, contentType: string, content: Uint8Array): Promise<string> {
  const res = await fetch(fake("/__fake/media"), {
    method: "POST",
    body: JSON.stringify({ account: account.sid, messageSid, contentType, base64: base64(content) }),
  });
  return ((await res.json()) as { url: string }).url;
}

/** A call recording; the URL is Twilio's RecordingUrl (no extension). */
export async function registerRecording(account: TwilioAccount, content: Uint8Array): Promise<{ url: string; recordingSid: string }> {
  const res = await fetch(fake("/__fake/recordings"), { method: "POST", body: JSON.stringify({ account: account.sid, base64: base64(content) }) });
  return (await res.json()) as { url: string; recordingSid: string };
}

export const twilioSid = (prefix: string) =>
  `${prefix}${Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("")}`;

/** X-Twilio-Signature as Twilio computes it. `params` in request order; repeated names allowed. */
export async function twilioSignatureOf(authToken: string, url: string, params: [string, string][]): Promise<string> {
  const names = [...new Set(params.map(([name]) => name))].sort();
  let data = url;
  for (const name of names) {
    const values = [...new Set(params.filter(([n]) => n === name).map(([, v]) => v))].sort();
    for (const value of values) data += name + value;
  }
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(authToken), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(data)));
  return base64(mac);
}

export interface TwilioPostOptions {
  /** Appended to the path (and signed with it): "?foo=1". */
  query?: string;
  /** null: no X-Twilio-Signature header at all. */
  signature?: string | null;
  /** Sign with this token instead of the account's. */
  signWith?: string;
  /** Sign this URL instead of the one posted to. */
  signedUrl?: string;
}

/** POST form parameters to a connection's webhook sub-path, signed as Twilio signs them. */
export async function postTwilio(account: TwilioAccount, connectionId: number, subpath: string, params: Record<string, string | string[]>, opts: TwilioPostOptions = {}) {
  const path = `/webhooks/sms/${connectionId}${subpath ? `/${subpath}` : ""}${opts.query ?? ""}`;
  const pairs: [string, string][] = Object.entries(params).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v] as [string, string]]));
  const form = new URLSearchParams(pairs).toString();
  const signature =
    opts.signature !== undefined ? opts.signature : await twilioSignatureOf(opts.signWith ?? account.authToken, opts.signedUrl ?? `https://parley.test${path}`, pairs);
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", "i-twilio-idempotency-token": crypto.randomUUID() };
  if (signature !== null) headers["x-twilio-signature"] = signature;
  return request("POST", path, { rawBody: form, headers });
}

export const TWILIO_NUMBER = "+14155551000";

/** Connect a fresh fake Twilio account to the workspace with a From number (or a Messaging Service). */
export async function connectTwilio(owner: { post: (path: string, body?: unknown) => Promise<{ status: number; body: any }> }, opts: { messagingServiceSid?: string; from?: string | null } = {}) {
  const account = await newTwilioAccount();
  const body: Record<string, unknown> = { channelKey: "sms", accountSid: account.sid, authToken: account.authToken };
  if (opts.from !== null) body.from = opts.from ?? TWILIO_NUMBER;
  if (opts.messagingServiceSid) body.messagingServiceSid = opts.messagingServiceSid;
  const res = await owner.post("/v1/channels", body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { account, connection: res.body as { id: number; webhookUrls: Record<string, string>; config: Record<string, unknown> } };
}

/** An inbound SMS webhook's parameters, as Twilio sends them. */
export function inboundSms(account: TwilioAccount, from: string, body: string, extra: Record<string, string> = {}): Record<string, string> {
  const messageSid = twilioSid("SM");
  return {
    ToCountry: "US",
    ToState: "CA",
    SmsMessageSid: messageSid,
    NumMedia: "0",
    ToCity: "",
    FromZip: "94105",
    SmsSid: messageSid,
    FromState: "CA",
    SmsStatus: "received",
    FromCity: "SAN FRANCISCO",
    Body: body,
    FromCountry: "US",
    To: TWILIO_NUMBER,
    ToZip: "",
    NumSegments: "1",
    MessageSid: messageSid,
    AccountSid: account.sid,
    From: from,
    ApiVersion: "2010-04-01",
    ...extra,
  };
}

/** A voice webhook's parameters for a call a contact places to the Twilio number. */
export function inboundCall(account: TwilioAccount, from: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AccountSid: account.sid,
    ApiVersion: "2010-04-01",
    CallSid: twilioSid("CA"),
    CallStatus: "ringing",
    Called: TWILIO_NUMBER,
    Caller: from,
    Direction: "inbound",
    From: from,
    FromCountry: "US",
    To: TWILIO_NUMBER,
    ToCountry: "US",
    ...extra,
  };
}
