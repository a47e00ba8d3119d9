// `npm run bench -- import-export`: 100,000 contacts through the real API and queue, in a Worker
// whose V8 heap is capped at 128 MB (MINIFLARE_WORKERD_V8_FLAGS=--max-heap-size=128): CSV import,
// XLSX export, that XLSX imported into a fresh workspace, then re-imported into its own workspace
// in upsert mode (every row matched, every row updated). Baseline in the same run: the same
// rows inserted raw with INSERT … SELECT … FROM json_each(?).
import { fmt, json, newWorkspace, peakRssMiB, sql, table } from "./harness.mjs";

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const RAW_CHUNK = 5_000;
export const workerOptions = { v8Flags: "--max-heap-size=128" };

const row = (i) => [
  `Person ${i}`,
  `Company ${i % 5000}`,
  ["smb", "mid-market", "enterprise"][i % 3],
  "Head of Sales",
  `+1415${String(2_000_000 + i).padStart(7, "0")}`,
  `person${i}@example${i % 97}.com`,
  `City ${i % 700}`,
  "CA",
];

const csvCell = (v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

async function waitForJob(base, token, id) {
  for (;;) {
    const job = await json(base, "GET", `/v1/jobs/${id}`, { token });
    if (job.statusKey === "succeeded") return job;
    if (job.statusKey === "failed") throw new Error(`job ${id} failed: ${JSON.stringify(job.result)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A fresh owner's token: each step polls its job on a budget of its own (600 requests a minute per user). */
async function freshToken(base, owner, name) {
  const email = `${name}-${Date.now()}@example.com`;
  return (await json(base, "POST", "/v1/users", { token: owner, body: { name, email, role: "owner" } })).token;
}

async function importFile(base, token, bytes, contentType) {
  const t0 = performance.now();
  const res = await fetch(`${base}/v1/contacts/imports?mode=upsert`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": contentType },
    body: bytes,
  });
  if (res.status !== 202) throw new Error(`import → ${res.status}: ${await res.text()}`);
  const job = await waitForJob(base, token, (await res.json()).id);
  return { seconds: (performance.now() - t0) / 1000, job };
}

/** Proves the cap is in force: holding ~256 MB of JS objects must fail in this Worker. */
export async function heapCapHolds(base) {
  try {
    const res = await fetch(`${base}/__bench/heap-probe?mb=256`);
    return !res.ok;
  } catch {
    return true;
  } finally {
    // Let wrangler bring the runtime back before the real work starts.
    for (let i = 0; i < 120; i++) {
      try {
        if ((await fetch(`${base}/health`)).ok) break;
      } catch {
        // restarting
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export async function run(worker) {
  const { base } = worker;
  const capped = await heapCapHolds(base);
  console.log(`heap cap check: holding 256 MB of objects ${capped ? "fails, as it must under --max-heap-size=128" : "SUCCEEDED: the cap is not in force"}`);
  const [workerd] = worker.workerdPids();
  const rows = Array.from({ length: ROWS }, (_, i) => row(i));
  const csv = new TextEncoder().encode(
    ["name,company,segment,role,phone,email,city,state", ...rows.map((r) => r.map(csvCell).join(","))].join("\n") + "\n",
  );
  const results = [];
  const record = (step, seconds, extra = "") =>
    results.push({
      step,
      seconds: fmt(seconds),
      "rows/s": Math.round(ROWS / seconds).toLocaleString("en-US"),
      "workerd peak RSS MiB": workerd ? fmt(peakRssMiB(workerd), 0) : "?",
      notes: extra,
    });

  // Raw baseline: the same rows, already normalised, straight into the table.
  const rawWs = await newWorkspace(base);
  let t0 = performance.now();
  for (let start = 0; start < ROWS; start += RAW_CHUNK) {
    await sql(
      base,
      `INSERT INTO contacts (workspace_id, name, company, segment, role, phone, email, city, state, created_at, updated_at)
       SELECT ?, value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, ?, ?
       FROM json_each(?)`,
      [rawWs.workspace.id, Date.now(), Date.now(), JSON.stringify(rows.slice(start, start + RAW_CHUNK))],
    );
  }
  const rawSeconds = (performance.now() - t0) / 1000;
  record("raw INSERT … SELECT FROM json_each (baseline)", rawSeconds);

  const ws = await newWorkspace(base);
  const csvImport = await importFile(base, await freshToken(base, ws.token, "csv"), csv, "text/csv");
  record(
    `CSV import (${(csv.length / 1048576).toFixed(1)} MB)`,
    csvImport.seconds,
    `created ${csvImport.job.result.created}; ${fmt((100 * rawSeconds) / csvImport.seconds, 0)}% of raw rate (target ≥ 25%)`,
  );

  const exportToken = await freshToken(base, ws.token, "export");
  t0 = performance.now();
  const exported = await json(base, "POST", "/v1/contacts/exports", { token: exportToken, body: { format: "xlsx" } });
  await waitForJob(base, exportToken, exported.id);
  const exportSeconds = (performance.now() - t0) / 1000;
  const file = new Uint8Array(await (await fetch(`${base}/v1/jobs/${exported.id}/file`, { headers: { authorization: `Bearer ${exportToken}` } })).arrayBuffer());
  record(`XLSX export (${(file.length / 1048576).toFixed(1)} MB)`, exportSeconds, `target ≤ 5 s: ${exportSeconds <= 5 ? "yes" : "NO"}`);

  const other = await newWorkspace(base);
  const xlsxImport = await importFile(
    base,
    await freshToken(base, other.token, "xlsx"),
    file,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  );
  record(
    "XLSX import (the export, into a new workspace)",
    xlsxImport.seconds,
    `created ${xlsxImport.job.result.created}; ${fmt(xlsxImport.seconds / csvImport.seconds)}× the CSV time (target ≤ 2×)`,
  );

  // The same export back into the workspace it came from: every row matches a contact (by phone
  // or e-mail), so every row is an update.
  const upsert = await importFile(
    base,
    await freshToken(base, ws.token, "upsert"),
    file,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  );
  const { updated, created: createdAgain } = upsert.job.result;
  if (updated !== ROWS || createdAgain !== 0) throw new Error(`upsert re-import: expected ${ROWS} updated, got ${JSON.stringify(upsert.job.result)}`);
  record(
    "XLSX upsert re-import (the export, into its own workspace)",
    upsert.seconds,
    `updated ${updated}; ${fmt(upsert.seconds / csvImport.seconds)}× the CSV time; 2,000 rows a chunk = one D1 batch of 4 upsert statements + its progress`,
  );

  const crashed = workerd && !worker.workerdPids().includes(workerd);
  console.log(`\n${ROWS} contacts, Worker heap capped with --max-heap-size=128; workerd ${crashed ? "RESTARTED (out of memory?)" : "never restarted"}:`);
  table(results);
}
