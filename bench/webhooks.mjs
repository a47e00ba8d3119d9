// `npm run bench -- webhooks`: signed WhatsApp notifications (one text message each) posted to
// /webhooks/whatsapp/{connectionId} as fast as the local Worker takes them (a fixed number in
// flight), against a raw baseline in the same Worker: check the same X-Hub-Signature-256 and
// INSERT the message (bench/worker.ts, /__bench/raw/webhook). Raw and app phases alternate.
import { createHmac, randomBytes } from "node:crypto";
import { startFakeWhatsApp } from "../test/fakes/whatsapp-graph-api.mjs";
import { fmt, json, newWorkspace, percentile, sql, table } from "./harness.mjs";

const FAKE_PORT = Number(process.env.BENCH_FAKE_WHATSAPP_PORT ?? 8778);
/** The Worker reaches the fake Graph API (connecting the number checks it there); its own port, apart from other benches'. */
export const workerOptions = { port: Number(process.env.BENCH_WEBHOOKS_PORT ?? 8779), vars: { WHATSAPP_API_BASE_URL: `http://127.0.0.1:${FAKE_PORT}` } };

const ROUNDS = 4;
const PER_PHASE = Number(process.env.BENCH_WEBHOOKS ?? 250);
const WARMUP = 50;
const SEQUENTIAL_PER_PHASE = Number(process.env.BENCH_WEBHOOKS_SEQUENTIAL ?? 100);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 8);
/** Distinct senders: most notifications come from contacts the workspace already has. */
const SENDERS = 200;

const phoneNumberId = "106540352242922";
const accessToken = `EAAbench${randomBytes(24).toString("hex")}`;
const appSecret = randomBytes(16).toString("hex");
let sequence = 0;

/** One notification as Meta sends it (one text message), its bytes and signature. */
function notification(secret) {
  sequence += 1;
  const sender = 14155550000 + (sequence % SENDERS);
  const body = JSON.stringify({
    object: "whatsapp_business_account",
    entry: [
      {
        id: "102290129340398",
        changes: [
          {
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550783881", phone_number_id: phoneNumberId },
              contacts: [{ profile: { name: `Sender ${sender % SENDERS}` }, wa_id: String(sender) }],
              messages: [
                {
                  from: String(sender),
                  id: `wamid.${Buffer.from(`bench-${process.pid}-${sequence}`).toString("base64")}`,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: "text",
                  text: { body: `Is order ${sequence} ready to ship?` },
                },
              ],
            },
            field: "messages",
          },
        ],
      },
    ],
  });
  return { body, signature: `sha256=${createHmac("sha256", secret).update(body).digest("hex")}` };
}

/** Post `count` fresh notifications with `inFlight` requests at a time; per-request ms and the wall time. */
async function blast(url, count, extraHeaders = {}, inFlight = IN_FLIGHT) {
  const bodies = Array.from({ length: count }, () => notification(appSecret));
  const latencies = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = next++; i < count; i = next++) {
        const { body, signature } = bodies[i];
        const t0 = performance.now();
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", "x-hub-signature-256": signature, ...extraHeaders },
          body,
        });
        const text = await res.text();
        latencies.push(performance.now() - t0);
        if (!res.ok) throw new Error(`POST ${url} → ${res.status}: ${text.slice(0, 300)}`);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

export async function run({ base }) {
  const fake = await startFakeWhatsApp(FAKE_PORT);
  try {
    await fetch(`${fake.url}/__fake/numbers`, { method: "POST", body: JSON.stringify({ phoneNumberId, accessToken, verifiedName: "Bench Store" }) });
    const ws = await newWorkspace(base);
    const connection = await json(base, "POST", "/v1/channels", { token: ws.token, body: { channelKey: "whatsapp", phoneNumberId, accessToken, appSecret } });
    await sql(base, "CREATE TABLE IF NOT EXISTS bench_raw_webhooks (id INTEGER PRIMARY KEY, external_id TEXT NOT NULL UNIQUE, sender TEXT NOT NULL, body TEXT NOT NULL, received_at INTEGER NOT NULL)");
    const appUrl = `${base}/webhooks/whatsapp/${connection.id}`;
    const rawUrl = `${base}/__bench/raw/webhook`;
    const rawHeaders = { "x-bench-secret": appSecret };

    await blast(rawUrl, WARMUP, rawHeaders);
    await blast(appUrl, WARMUP);
    /** Alternating rounds of raw and app phases at one concurrency (which side goes first alternates too). */
    const measure = async (rounds, perPhase, inFlight) => {
      const app = { latencies: [], seconds: 0 };
      const raw = { latencies: [], seconds: 0 };
      for (let round = 0; round < rounds; round++) {
        for (const side of round % 2 === 0 ? ["raw", "app"] : ["app", "raw"]) {
          const result = side === "raw" ? await blast(rawUrl, perPhase, rawHeaders, inFlight) : await blast(appUrl, perPhase, {}, inFlight);
          const into = side === "raw" ? raw : app;
          into.latencies.push(...result.latencies);
          into.seconds += result.seconds;
        }
      }
      return { app, raw };
    };
    const saturated = await measure(ROUNDS, PER_PHASE, IN_FLIGHT);
    // One at a time: each request's own cost, without waiting behind the others.
    const sequential = await measure(2, SEQUENTIAL_PER_PHASE, 1);

    // Every notification is one stored message (and nothing twice).
    const stored = (await sql(base, "SELECT count(*) AS n FROM messages WHERE workspace_id = ? AND channel_key = 'whatsapp'", [ws.workspace.id])).results[0].n;
    const rawStored = (await sql(base, "SELECT count(*) AS n FROM bench_raw_webhooks")).results[0].n;
    const expected = WARMUP + ROUNDS * PER_PHASE + 2 * SEQUENTIAL_PER_PHASE;
    if (stored !== expected || rawStored !== expected) throw new Error(`stored ${stored} messages and ${rawStored} raw rows; expected ${expected} each`);
    const contacts = (await sql(base, "SELECT count(*) AS n FROM contacts WHERE workspace_id = ?", [ws.workspace.id])).results[0].n;

    const rate = (side) => side.latencies.length / side.seconds;
    const row = (label, inFlight, side) => ({
      path: label,
      "in flight": inFlight,
      notifications: side.latencies.length,
      "p50 ms": fmt(percentile(side.latencies, 50)),
      "p99 ms": fmt(percentile(side.latencies, 99)),
      "messages/s": fmt(rate(side), 0),
    });
    console.log(
      `\nSigned WhatsApp notifications, 1 text message each: ${ROUNDS} alternating rounds of ${PER_PHASE} per side with ${IN_FLIGHT} in flight, then 2 of ${SEQUENTIAL_PER_PHASE} one at a time, after ${WARMUP} warm-up; ${SENDERS} senders (${contacts} contacts created):`,
    );
    table([
      row("POST /webhooks/whatsapp/{id} (app)", IN_FLIGHT, saturated.app),
      row("raw: verify HMAC + 1 INSERT", IN_FLIGHT, saturated.raw),
      row("POST /webhooks/whatsapp/{id} (app)", 1, sequential.app),
      row("raw: verify HMAC + 1 INSERT", 1, sequential.raw),
    ]);
    const ratio = rate(saturated.app) / rate(saturated.raw);
    // A notification's own latency is the one-at-a-time figure; with 8 in flight on this machine's
    // two cores, requests mostly wait for each other (the raw baseline's p99 there shows how much).
    const p99 = percentile(sequential.app.latencies, 99);
    console.log(
      `\napp rate = ${fmt(ratio)}× raw (target ≥ 0.5: ${ratio >= 0.5 ? "yes" : "NO"}); app p99 ${fmt(p99)} ms one at a time (target ≤ 50: ${p99 <= 50 ? "yes" : "NO"}), ${fmt(percentile(saturated.app.latencies, 99))} ms with ${IN_FLIGHT} in flight (raw: ${fmt(percentile(saturated.raw.latencies, 99))} ms)`,
    );
  } finally {
    await fake.close();
  }
}
