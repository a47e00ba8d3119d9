// The Worker under benchmark: the real app, plus routes that run raw baselines and seed data.
// Only `npm run bench` serves this entry (wrangler dev bench/worker.ts); it is never deployed.
import PostalMime from "postal-mime";
import { createDb } from "../src/db/client";
import type { Bindings, Caller } from "../src/env";
import { hmac, timingSafeEqual, toHex } from "../src/lib/crypto";
import worker from "../src/index";
import type { JobMessage } from "../src/jobs/job-message";
import { rangeOf, typeKeysOf } from "../src/modules/analytics/analytics.schemas";
import { countersStatements, type CountersGrouping } from "../src/modules/analytics/counters.service";
import { performanceQueries } from "../src/modules/analytics/performance.service";
import { contactListQuery, type ContactListOptions } from "../src/modules/contacts/contacts.service";
import { classifyByCues, classifyOffline, DEFAULT_KINDS } from "../src/qualifier";
import { recordingD1, replay, type Step } from "./d1-recorder";

/** Traces recorded by `x-bench-record`, replayed by /__bench/replay (one isolate under wrangler dev). */
const traces = new Map<string, Step[]>();

function callerFrom(url: URL): Caller {
  return {
    workspaceId: Number(url.searchParams.get("workspaceId")),
    userId: Number(url.searchParams.get("userId")),
    role: "owner",
    tokenId: 0,
    defaultCountry: url.searchParams.get("country") ?? "US",
    timeZone: url.searchParams.get("timeZone") ?? "UTC",
  };
}

/** The raw baseline: the SQL the app would run, prepared and run directly on the binding. */
async function rawContacts(env: Bindings, url: URL): Promise<Response> {
  const p = url.searchParams;
  const opts: ContactListOptions = {
    q: p.get("q") ?? undefined,
    segment: p.get("segment") ?? undefined,
    city: p.get("city") ?? undefined,
    sort: (p.get("sort") ?? "name") as ContactListOptions["sort"],
    limit: Number(p.get("limit") ?? 50),
  };
  const { sql, params } = contactListQuery(createDb(env.DB), callerFrom(url), opts).toSQL();
  const { results } = await env.DB.prepare(sql)
    .bind(...params)
    .all();
  return Response.json({ data: results });
}

/** The statements an analytics report runs, as one D1 batch straight on the binding. */
async function rawBatch(env: Bindings, queries: readonly { getQuery(): { sql: string; params: unknown[] } }[]) {
  const results = await env.DB.batch(
    queries.map((query) => {
      const { sql, params } = query.getQuery();
      return env.DB.prepare(sql).bind(...params);
    }),
  );
  return Response.json({ data: results.map((r) => r.results) });
}

const rangeFrom = (p: URLSearchParams) => rangeOf({ from: p.get("from") ?? undefined, to: p.get("to") ?? undefined });

function rawCounters(env: Bindings, url: URL): Promise<Response> {
  const p = url.searchParams;
  const opts = {
    ...rangeFrom(p),
    groupBy: (p.get("groupBy") ?? "day") as CountersGrouping,
    typeKeys: typeKeysOf(p.getAll("typeKey")),
  };
  return rawBatch(env, countersStatements(createDb(env.DB), callerFrom(url), opts));
}

function rawPerformance(env: Bindings, url: URL): Promise<Response> {
  const p = url.searchParams;
  // `userId` is the caller (callerFrom); the rep asked about is `repId`.
  const repId = p.get("repId");
  const opts = { ...rangeFrom(p), userId: repId ? Number(repId) : undefined };
  return rawBatch(env, performanceQueries(createDb(env.DB), callerFrom(url), opts));
}

/**
 * The raw webhook baseline: what a provider notification minimally costs in this Worker — read the
 * bytes, check X-Hub-Signature-256 (HMAC-SHA256, constant time), parse, one INSERT of the message.
 * The secret comes in a header (bench only).
 */
async function rawWebhook(env: Bindings, request: Request): Promise<Response> {
  const raw = new Uint8Array(await request.arrayBuffer());
  const secret = request.headers.get("x-bench-secret") ?? "";
  const expected = `sha256=${toHex(await hmac("SHA-256", secret, raw))}`;
  if (!timingSafeEqual(request.headers.get("x-hub-signature-256") ?? "", expected)) return Response.json({ error: "unauthorized" }, { status: 401 });
  const notification = JSON.parse(new TextDecoder().decode(raw)) as {
    entry: { changes: { value: { messages: { id: string; from: string; text?: { body: string } }[] } }[] }[];
  };
  const message = notification.entry[0]!.changes[0]!.value.messages[0]!;
  await env.DB.prepare("INSERT INTO bench_raw_webhooks (external_id, sender, body, received_at) VALUES (?, ?, ?, ?) ON CONFLICT (external_id) DO NOTHING")
    .bind(message.id, message.from, message.text?.body ?? "", Date.now())
    .run();
  return Response.json({ ok: true });
}

/**
 * A raw e-mail handed to the Worker's `email` export in-process, as Email Routing would: the same
 * HTTP transport as the raw baseline below, without wrangler's own parse of the local route.
 */
async function emailThroughWorker(request: Request, env: Bindings, url: URL): Promise<Response> {
  const bytes = new Uint8Array(await request.arrayBuffer());
  const rejected: string[] = [];
  const message = {
    from: url.searchParams.get("from") ?? "",
    to: url.searchParams.get("to") ?? "",
    raw: new Blob([bytes]).stream(),
    rawSize: bytes.byteLength,
    headers: new Headers(),
    canBeForwarded: false,
    setReject: (reason: string) => void rejected.push(reason),
    forward: () => Promise.reject(new Error("not in the benchmark")),
    reply: () => Promise.reject(new Error("not in the benchmark")),
  };
  await worker.email(message as unknown as ForwardableEmailMessage, env);
  return Response.json({ rejected });
}

/** The raw baseline for one mail: parse it with postal-mime, insert its text as one message row. */
async function rawEmail(request: Request, env: Bindings, url: URL): Promise<Response> {
  const email = await PostalMime.parse(await request.arrayBuffer());
  const p = url.searchParams;
  await env.DB.prepare(
    "INSERT INTO messages (workspace_id, conversation_id, author_kind_key, author_contact_id, channel_key, kind_key, body, external_id, created_at, updated_at) VALUES (?, ?, 'contact', ?, 'email', 'text', ?, ?, ?, ?)",
  )
    .bind(Number(p.get("workspaceId")), Number(p.get("conversationId")), Number(p.get("contactId")), email.text ?? "", email.messageId ?? null, Date.now(), Date.now())
    .run();
  return Response.json({ ok: true });
}

/**
 * The offline classifier on the posted conversations (each a list of contact messages), `repeat`
 * times over; answers the predictions of the first pass. Timed by the caller, against repeat 0.
 */
async function benchQualifier(request: Request): Promise<Response> {
  const { conversations, repeat, classifier } = (await request.json()) as { conversations: string[][]; repeat: number; classifier?: "cues" };
  const kinds = new Set<string>(DEFAULT_KINDS);
  // "cues": the cue scorer alone, the offline classifier before the learned model (for comparison).
  const classify = classifier === "cues" ? classifyByCues : classifyOffline;
  const predictions = repeat > 0 ? conversations.map((messages) => classify(messages, kinds)) : [];
  let checksum = 0;
  for (let r = 1; r < repeat; r++) for (const messages of conversations) checksum += classify(messages, kinds).confidence;
  return Response.json({ predictions, checksum });
}

export default {
  ...worker,
  async fetch(request: Request, env: Bindings, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/__bench/sql" && request.method === "POST") {
      const { sql, params = [] } = (await request.json()) as { sql: string; params?: unknown[] };
      const result = await env.DB.prepare(sql)
        .bind(...params)
        .all();
      return Response.json({ results: result.results, meta: result.meta });
    }
    if (url.pathname === "/__bench/email" && request.method === "POST") return emailThroughWorker(request, env, url);
    if (url.pathname === "/__bench/raw/email" && request.method === "POST") return rawEmail(request, env, url);
    if (url.pathname === "/__bench/qualifier" && request.method === "POST") return benchQualifier(request);
    if (url.pathname === "/__bench/raw/contacts") return rawContacts(env, url);
    if (url.pathname === "/__bench/raw/webhook" && request.method === "POST") return rawWebhook(env, request);
    if (url.pathname === "/__bench/raw/counters") return rawCounters(env, url);
    if (url.pathname === "/__bench/raw/performance") return rawPerformance(env, url);
    if (url.pathname === "/__bench/heap-probe") {
      // Holds ~`mb` MB of small JS objects at once: beyond a --max-heap-size cap this must fail.
      const mb = Number(url.searchParams.get("mb") ?? 256);
      const held: { n: number; s: string }[][] = [];
      for (let i = 0; i < mb; i++) held.push(Array.from({ length: 16_384 }, (_, n) => ({ n, s: `${i}:${n}` })));
      return Response.json({ held: held.length });
    }
    if (url.pathname === "/__bench/replay") {
      const trace = traces.get(url.searchParams.get("key") ?? "");
      if (!trace) return Response.json({ error: "no such trace" }, { status: 404 });
      return Response.json({ results: await replay(env.DB, trace) });
    }
    const recordKey = request.headers.get("x-bench-record");
    if (recordKey) {
      const trace: Step[] = [];
      traces.set(recordKey, trace);
      return worker.fetch(request, { ...env, DB: recordingD1(env.DB, trace) }, ctx);
    }
    return worker.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Bindings, JobMessage>;
