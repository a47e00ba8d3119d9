// `npm run bench -- discord`: Discord interactions as Discord sends them (Ed25519-signed, to the
// connection's Interactions Endpoint) against a local Worker whose Discord API is the fake of
// test/fakes/discord-api.mjs; time to the initial response of `/contact find` over 10,000
// contacts and of a button press (⭐ score on a contact card, which writes the score and redraws
// the card), with PING as the floor. Target: p99 ≤ 300 ms (a tenth of Discord's 3 s).
import { startFakeDiscord } from "../test/fakes/discord-api.mjs";
import { fmt, json, newWorkspace, percentile, sql, table } from "./harness.mjs";

const CONTACTS = Number(process.env.BENCH_DISCORD_CONTACTS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const WARMUP = 20;
const TARGET_P99_MS = 300;
const FIRST = ["Anna", "Bruno", "Carla", "David", "Elena", "Farid", "Greta", "Hugo"];

let fake;

export async function workerOptions() {
  fake = await startFakeDiscord();
  // A port of its own: other benchmarks may be running beside this one on the default.
  return { port: Number(process.env.BENCH_DISCORD_PORT ?? 8813), vars: { DISCORD_API_BASE_URL: fake.url } };
}

export const cleanup = () => fake?.close();

const hex = (bytes) => Buffer.from(bytes).toString("hex");
let sequence = 0n;
const snowflake = () => String(1300000000000000000n + BigInt(Date.now()) * 1000n + ++sequence);

export async function run({ base }) {
  const ws = await newWorkspace(base);
  const keys = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
  const publicKey = hex(await crypto.subtle.exportKey("raw", keys.publicKey));
  const applicationId = snowflake();
  const botToken = `${Buffer.from(applicationId).toString("base64url")}.bench.${crypto.randomUUID()}`;
  await fetch(`${fake.origin}/__fake/apps`, { method: "POST", body: JSON.stringify({ applicationId, publicKey, botToken, name: "Bench" }) });
  const connection = await json(base, "POST", "/v1/channels", { token: ws.token, body: { channelKey: "discord", applicationId, publicKey, botToken } });

  const rows = [];
  for (let i = 0; i < CONTACTS; i++) rows.push([`${FIRST[i % FIRST.length]} Bench ${i}`, `Company ${i % 97}`]);
  for (let i = 0; i < rows.length; i += 5000) {
    await sql(base, "INSERT INTO contacts (workspace_id, name, company, created_at, updated_at) SELECT ?, value->>0, value->>1, ?, ? FROM json_each(?)", [
      ws.workspace.id,
      Date.now(),
      Date.now(),
      JSON.stringify(rows.slice(i, i + 5000)),
    ]);
  }
  await sql(base, "ANALYZE");

  const user = { id: snowflake(), username: "bench", discriminator: "0" };
  const interaction = (type, data, extra = {}) => ({
    id: snowflake(),
    application_id: applicationId,
    type,
    token: `bench-${crypto.randomUUID()}`,
    version: 1,
    user,
    context: 1,
    channel_id: "1",
    app_permissions: "0",
    locale: "en-US",
    entitlements: [],
    authorizing_integration_owners: {},
    data,
    ...extra,
  });
  async function send(body) {
    const raw = JSON.stringify(body);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = hex(await crypto.subtle.sign({ name: "Ed25519" }, keys.privateKey, new TextEncoder().encode(timestamp + raw)));
    const t0 = performance.now();
    const res = await fetch(`${base}/webhooks/discord/${connection.id}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-signature-ed25519": signature, "x-signature-timestamp": timestamp },
      body: raw,
    });
    const answer = await res.json();
    const elapsed = performance.now() - t0;
    if (!res.ok) throw new Error(`interaction → ${res.status}: ${JSON.stringify(answer).slice(0, 300)}`);
    return { answer, elapsed };
  }
  const command = (name, sub, options) => interaction(2, { id: "1", name, type: 1, options: sub ? [{ name: sub, type: 1, options }] : options });

  const { code } = await json(base, "POST", "/v1/me/discord-link", { token: ws.token });
  const linked = await send(command("link", null, [{ name: "code", type: 3, value: code }]));
  if (!String(linked.answer.data?.content).startsWith("✓ Linked")) throw new Error(`link failed: ${JSON.stringify(linked.answer)}`);
  const [{ id: contactId }] = (await sql(base, "SELECT id FROM contacts WHERE workspace_id = ? ORDER BY id LIMIT 1", [ws.workspace.id])).results;
  const card = (await send(command("contact", "show", [{ name: "contact", type: 3, value: String(contactId) }]))).answer.data;

  const shapes = [
    ["PING (floor)", () => interaction(1, undefined), (a) => a.type === 1],
    ["/contact find query:anna", () => command("contact", "find", [{ name: "query", type: 3, value: "anna" }]), (a) => a.type === 4 && a.data.embeds[0].fields.length > 0],
    [
      "button ⭐ score (type 7)",
      () => interaction(3, { custom_id: `s:${contactId}:${1 + (Number(sequence) % 5)}`, component_type: 2 }, { message: { id: "1", channel_id: "1", ...card } }),
      (a) => a.type === 7,
    ],
  ];
  const results = [];
  for (const [label, make, check] of shapes) {
    const samples = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const { answer, elapsed } = await send(make());
      if (i === 0 && !check(answer)) throw new Error(`${label}: unexpected answer ${JSON.stringify(answer).slice(0, 300)}`);
      if (i >= WARMUP) samples.push(elapsed);
    }
    const p99 = percentile(samples, 99);
    results.push({
      interaction: label,
      "p50 ms": fmt(percentile(samples, 50)),
      "p99 ms": fmt(p99),
      "max ms": fmt(Math.max(...samples)),
      [`p99 ≤ ${TARGET_P99_MS} ms`]: p99 <= TARGET_P99_MS ? "yes" : "NO",
    });
  }
  console.log(`\nSigned interactions to the Interactions Endpoint, time to the initial response (${RUNS} each after ${WARMUP} warm-up, sequential; ${CONTACTS} contacts):`);
  table(results);
}
