// 100,000 contacts imported from CSV and exported to XLSX inside workerd, against the local D1,
// one queue message at a time (through a stand-in queue, so no batch-timeout waits are counted).
// Reports each message's wall time: the chunk size must keep every one well inside a Worker's
// CPU budget. Run: npx vitest run --config bench/import-export.config.ts
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { createDb } from "../src/db/client";
import { csvLine } from "../src/lib/files/csv";
import { startExport } from "../src/modules/contact-io/export.service";
import { startImport } from "../src/modules/contact-io/import.service";
import { newWorkspace } from "../test/helpers/api";
import { callerOf, deliver, envWithFakeQueue } from "../test/helpers/jobs";

const ROWS = 100_000;

async function runAll(label: string, fake: Parameters<typeof deliver>[0], queue: ReturnType<typeof envWithFakeQueue>["queue"]) {
  const times: number[] = [];
  const start = Date.now();
  while (queue.sent.length > 0) {
    const t = Date.now();
    await deliver(fake, [queue.sent.shift()!]);
    times.push(Date.now() - t);
  }
  const total = Date.now() - start;
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    `${label}: ${times.length} messages in ${total} ms; per message median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms (first: ${times[0]} ms)`,
  );
}

it(`imports ${ROWS} CSV rows and exports them to XLSX`, async () => {
  const ws = await newWorkspace();
  const parts = [csvLine(["name", "company", "segment", "role", "phone", "email", "city", "state"])];
  for (let i = 0; i < ROWS; i++) {
    parts.push(csvLine([`Person ${i}`, `Company ${i % 5000}`, "smb", "CTO", `+1415${String(5_000_000 + i)}`, `p${i}@example.com`, `City ${i % 700}`, "CA"]));
  }
  const bytes = new TextEncoder().encode(parts.join(""));
  const { env: fake, queue } = envWithFakeQueue();
  const db = createDb(env.DB);
  const importJob = await startImport(db, fake, callerOf(ws), { file: bytes, format: "csv", fileName: "bench.csv", contentType: "text/csv" }, { mode: "upsert" });
  await runAll(`import ${ROWS} rows (${(bytes.length / 1024 / 1024).toFixed(1)} MB CSV)`, fake, queue);
  const imported = await env.DB.prepare("SELECT status_key, result_json FROM jobs WHERE id = ?").bind(importJob.id).first<{ status_key: string; result_json: string }>();
  expect(imported?.status_key).toBe("succeeded");
  expect(JSON.parse(imported!.result_json)).toMatchObject({ created: ROWS });

  // The same file again: every row now matches a contact by phone, so every row is an update.
  const again = await startImport(db, fake, callerOf(ws), { file: bytes, format: "csv", fileName: "bench.csv", contentType: "text/csv" }, { mode: "upsert" });
  await runAll(`re-import ${ROWS} rows as updates (upsert)`, fake, queue);
  const updated = await env.DB.prepare("SELECT result_json FROM jobs WHERE id = ?").bind(again.id).first<{ result_json: string }>();
  expect(JSON.parse(updated!.result_json)).toMatchObject({ created: 0, updated: ROWS });

  const exportJob = await startExport(db, fake, callerOf(ws), { format: "xlsx", filters: {} });
  await runAll(`export ${ROWS} rows to XLSX`, fake, queue);
  const exported = await env.DB.prepare("SELECT status_key, result_json FROM jobs WHERE id = ?").bind(exportJob.id).first<{ status_key: string; result_json: string }>();
  console.log(`export result: ${exported?.result_json}`);
  expect(JSON.parse(exported!.result_json)).toMatchObject({ count: ROWS });
});
