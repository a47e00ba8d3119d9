// Shared benchmark plumbing: a fresh local Worker (bench/worker.ts) with migrations applied,
// HTTP timing, percentiles and a results table.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// Run wrangler on this process's Node (the pinned 22), whatever PATH says.
const wranglerJs = join(root, "node_modules", "wrangler", "bin", "wrangler.js");
const wrangler = process.execPath;
export const ADMIN_TOKEN = "bench-admin-token";

export async function startWorker({ port = 8799, v8Flags, vars = {} } = {}) {
  const state = join(root, "bench", ".out", `state-${port}`);
  rmSync(state, { recursive: true, force: true });
  mkdirSync(state, { recursive: true });
  const migrate = spawnSync(wrangler, [wranglerJs, "d1", "migrations", "apply", "DB", "--local", "--persist-to", state], {
    cwd: root,
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    encoding: "utf8",
  });
  if (migrate.status !== 0) throw new Error(`migrations failed:\n${migrate.stdout}\n${migrate.stderr}`);
  const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
  if (v8Flags) env.MINIFLARE_WORKERD_V8_FLAGS = v8Flags;
  const child = spawn(
    wrangler,
    [
      wranglerJs,
      "dev",
      "bench/worker.ts",
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--persist-to",
      state,
      "--var",
      `ADMIN_TOKEN:${ADMIN_TOKEN}`,
      "--var",
      "ENCRYPTION_KEY:YmVuY2gta2V5LXRoaXJ0eS10d28tYnl0ZXMtbG9uZyE=",
      "--log-level",
      "error",
      // Extra [vars] a benchmark needs (a provider's base URL pointed at a fake).
      ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
    ],
    { cwd: root, env, stdio: ["ignore", "inherit", "inherit"] },
  );
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {
      if (i > 240) throw new Error("bench worker did not start");
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    base,
    /** The workerd processes under this wrangler (the runtime that holds the Worker's heap). */
    workerdPids: () => descendants(child.pid).filter((pid) => processName(pid) === "workerd"),
    async stop() {
      child.kill("SIGINT");
      await new Promise((r) => child.once("exit", r));
    },
  };
}

function descendants(pid) {
  const out = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(entry), ...descendants(Number(entry)));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

function processName(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return null;
  }
}

/** Peak resident memory (VmHWM) of a process so far, in MiB; null once it has gone. */
export function peakRssMiB(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmHWM:"));
    return line ? Number(line.split(/\s+/)[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export async function json(base, method, path, { token, body } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

export const sql = (base, query, params = []) => json(base, "POST", "/__bench/sql", { body: { sql: query, params } });

export async function newWorkspace(base, country = "US") {
  return json(base, "POST", "/v1/workspaces", {
    token: ADMIN_TOKEN,
    body: { name: "Bench", defaultCountry: country, user: { name: "Bench Owner", email: "owner@bench.test" } },
  });
}

/** Time `runs` sequential GETs after `warmup` untimed ones; milliseconds per request. */
export async function timeGets(base, path, { token, runs = 200, warmup = 20, check } = {}) {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const samples = [];
  for (let i = 0; i < warmup + runs; i++) {
    const t0 = performance.now();
    const res = await fetch(`${base}${path}`, { headers });
    const body = await res.text();
    const elapsed = performance.now() - t0;
    if (!res.ok) throw new Error(`GET ${path} → ${res.status}: ${body.slice(0, 300)}`);
    if (i === 0 && check) check(JSON.parse(body));
    if (i >= warmup) samples.push(elapsed);
  }
  return samples;
}

/**
 * Times the app route and its raw baseline alternately, request by request, so that a busy
 * moment on a shared machine (or a warming cache) weighs on both sides alike.
 */
export async function timeInterleaved(base, appPath, rawPath, { token, runs = 200, warmup = 20, check } = {}) {
  const app = [];
  const raw = [];
  for (let i = 0; i < warmup + runs; i++) {
    const [a] = await timeGets(base, appPath, { token, runs: 1, warmup: 0, check: i === 0 ? check : undefined });
    const [r] = await timeGets(base, rawPath, { runs: 1, warmup: 0, check: i === 0 ? check : undefined });
    if (i >= warmup) {
      app.push(a);
      raw.push(r);
    }
  }
  return { app, raw };
}

/** One results row: app and raw p50/p99, their ratio, and the targets (ms, and ≤ 1.5× raw). */
export function comparisonRow(label, app, raw, targetMs) {
  const p50 = percentile(app, 50);
  const rawP50 = percentile(raw, 50);
  return {
    query: label,
    "app p50 ms": fmt(p50),
    "app p99 ms": fmt(percentile(app, 99)),
    "raw p50 ms": fmt(rawP50),
    "raw p99 ms": fmt(percentile(raw, 99)),
    "p50 ratio": fmt(p50 / rawP50),
    [`p50 ≤ ${targetMs} ms`]: p50 <= targetMs ? "yes" : "NO",
    "≤ 1.5× raw": p50 <= 1.5 * rawP50 ? "yes" : "NO",
  };
}

/** A fresh token per measured shape: the per-token rate limit (600/min) is not what is measured. */
export async function tokenFor(base, ownerToken, label) {
  return (await json(base, "POST", "/v1/me/tokens", { token: ownerToken, body: { name: label.slice(0, 100) } })).token;
}

export function percentile(samples, p) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const fmt = (n, digits = 2) => n.toFixed(digits);

export function table(rows) {
  const widths = Object.keys(rows[0]).map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
  const line = (values) => values.map((v, i) => String(v).padEnd(widths[i])).join("  ");
  console.log(line(Object.keys(rows[0])));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const r of rows) console.log(line(Object.values(r)));
}
