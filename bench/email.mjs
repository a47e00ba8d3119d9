// `npm run bench -- email`: inbound mail in a Worker whose V8 heap is capped at 128 MB
// (MINIFLARE_WORKERD_V8_FLAGS=--max-heap-size=128, proven by the heap probe first).
// 1. A 10 MB message with three attachments through wrangler dev's own Email Routing route,
//    POST /cdn-cgi/local/email?from&to: the handler stores and parses it, the queued media task
//    extracts the files into R2.
// 2. Throughput for 20 KB mails handed to the Worker's `email` export, against the raw baseline
//    on the same HTTP transport: postal-mime parse + one INSERT of the text.
import { randomBytes } from "node:crypto";
import { fmt, newWorkspace, peakRssMiB, sql, table } from "./harness.mjs";
import { heapCapHolds } from "./import-export.mjs";

export const workerOptions = { v8Flags: "--max-heap-size=128" };
const MAILS = Number(process.env.BENCH_MAILS ?? 300);
const ATTACHMENT_SIZES = [4 * 1024 * 1024, 2.5 * 1024 * 1024, 1024 * 1024];

const base64Lines = (bytes) => bytes.toString("base64").replace(/.{76}/g, "$&\r\n");

function bigMail(from, to) {
  const boundary = "==bench-outer==";
  const parts = [
    `From: Big Sender <${from}>\r\nTo: ${to}\r\nSubject: Signed contracts and scans\r\nMessage-ID: <bench-big-${Date.now()}@bench.test>\r\n` +
      `Date: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n`,
    `--${boundary}\r\nContent-Type: multipart/alternative; boundary="alt"\r\n\r\n--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n` +
      `${"Please find the signed contracts attached.\r\n".repeat(20)}\r\n--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n` +
      `<p>${"Please find the <b>signed contracts</b> attached.<br>".repeat(20)}</p>\r\n--alt--\r\n`,
  ];
  ATTACHMENT_SIZES.forEach((size, i) => {
    parts.push(
      `--${boundary}\r\nContent-Type: application/octet-stream; name="scan-${i + 1}.bin"\r\nContent-Disposition: attachment; filename="scan-${i + 1}.bin"\r\n` +
        `Content-Transfer-Encoding: base64\r\n\r\n${base64Lines(randomBytes(size))}\r\n`,
    );
  });
  parts.push(`--${boundary}--\r\n`);
  return Buffer.from(parts.join(""));
}

const LINE = "We would like to go ahead with the annual plan for the whole sales team, including onboarding.\r\n";

/** A ~20 KB mail: 25 senders, every third one a reply in its sender's thread. */
function smallMail(i, to, label) {
  const sender = `buyer${i % 25}@bench.test`;
  const previous = i >= 25 ? `In-Reply-To: <${label}-${i - 25}@bench.test>\r\nReferences: <${label}-${i - 25}@bench.test>\r\n` : "";
  const body = LINE.repeat(Math.ceil(20_000 / LINE.length));
  return Buffer.from(
    `From: Buyer ${i % 25} <${sender}>\r\nTo: ${to}\r\nSubject: ${i % 3 === 0 && previous ? "Re: " : ""}Team plan ${i % 25}\r\n` +
      `Message-ID: <${label}-${i}@bench.test>\r\n${i % 3 === 0 ? previous : ""}Date: ${new Date().toUTCString()}\r\n` +
      `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`,
  );
}

/** A mailbox row for the workspace (the inbound path never decrypts the provider key). */
async function mailbox(base, workspaceId, address) {
  const now = Date.now();
  const { results } = await sql(
    base,
    `INSERT INTO channel_connections (workspace_id, channel_key, name, credentials_ciphertext, credentials_iv, config_json, external_account_id, created_at, updated_at)
     VALUES (?, 'email', 'Bench mailbox', 'bench', 'bench', ?, ?, ?, ?) RETURNING id`,
    [workspaceId, JSON.stringify({ address, fromName: "Bench", domainStatus: null }), address, now, now],
  );
  return results[0].id;
}

async function post(url, body) {
  const res = await fetch(url, { method: "POST", body });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${url} → ${res.status}: ${text.slice(0, 300)}`);
  return text;
}

async function waitFor(check, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function run(worker) {
  const { base } = worker;
  const capped = await heapCapHolds(base);
  console.log(`heap cap check: holding 256 MB of objects ${capped ? "fails, as it must under --max-heap-size=128" : "SUCCEEDED: the cap is not in force"}`);
  const [workerd] = worker.workerdPids();
  const rows = [];

  // 1. The 10 MB message, through wrangler dev's Email Routing route.
  const ws = await newWorkspace(base);
  const address = "inbox@bench.test";
  await mailbox(base, ws.workspace.id, address);
  const big = bigMail("big.sender@bench.test", address);
  let t0 = performance.now();
  const answer = await post(`${base}/cdn-cgi/local/email?from=big.sender@bench.test&to=${address}`, big);
  const handlerSeconds = (performance.now() - t0) / 1000;
  const { results: stored } = await sql(base, "SELECT id FROM messages WHERE workspace_id = ? AND channel_key = 'email'", [ws.workspace.id]);
  if (stored.length !== 1) throw new Error(`expected the big mail stored once, found ${stored.length} (${answer})`);
  const files = await waitFor(async () => {
    const { results } = await sql(base, "SELECT file_name, size_bytes FROM message_attachments WHERE message_id = ?", [stored[0].id]);
    return results.length === ATTACHMENT_SIZES.length + 1 ? results : null;
  });
  const filesSeconds = (performance.now() - t0) / 1000;
  const bytesStored = files.filter((f) => f.file_name.startsWith("scan-")).reduce((n, f) => n + f.size_bytes, 0);
  const expectedBytes = ATTACHMENT_SIZES.reduce((a, b) => a + b, 0);
  rows.push({
    step: `${(big.length / 1048576).toFixed(1)} MB mail, 3 attachments: email() via /cdn-cgi/local/email`,
    seconds: fmt(handlerSeconds),
    "mails/s": "",
    "workerd peak RSS MiB": workerd ? fmt(peakRssMiB(workerd), 0) : "?",
    notes: `wrangler answered "${answer.trim()}"`,
  });
  rows.push({
    step: "…and its files extracted into R2 by the queued media task",
    seconds: fmt(filesSeconds),
    "mails/s": "",
    "workerd peak RSS MiB": workerd ? fmt(peakRssMiB(workerd), 0) : "?",
    notes: `${files.length} files; attachment bytes ${bytesStored === expectedBytes ? "all stored" : `MISMATCH ${bytesStored} ≠ ${expectedBytes}`}`,
  });

  // The same size handed to email() directly: the handler's own time, without wrangler's parse.
  const directWs = await newWorkspace(base);
  const directAddress = "direct@bench.test";
  await mailbox(base, directWs.workspace.id, directAddress);
  t0 = performance.now();
  await post(`${base}/__bench/email?from=big.sender@bench.test&to=${directAddress}`, bigMail("big.sender@bench.test", directAddress));
  rows.push({
    step: "the same size handed to email() in-process (no wrangler parse)",
    seconds: fmt((performance.now() - t0) / 1000),
    "mails/s": "",
    "workerd peak RSS MiB": workerd ? fmt(peakRssMiB(workerd), 0) : "?",
    notes: "the handler alone: read, R2 put, parse, store",
  });

  // 2. 20 KB mails: the Worker's email() against parse + INSERT, interleaved mail by mail.
  const appWs = await newWorkspace(base);
  const appAddress = "sales@bench.test";
  await mailbox(base, appWs.workspace.id, appAddress);
  const rawWs = await newWorkspace(base);
  const now = Date.now();
  const { results: contact } = await sql(base, "INSERT INTO contacts (workspace_id, name, created_at, updated_at) VALUES (?, 'Raw', ?, ?) RETURNING id", [rawWs.workspace.id, now, now]);
  const { results: conversation } = await sql(
    base,
    "INSERT INTO conversations (workspace_id, kind_key, status_key, contact_id, created_at, updated_at) VALUES (?, 'contact', 'open', ?, ?, ?) RETURNING id",
    [rawWs.workspace.id, contact[0].id, now, now],
  );
  const rawQuery = `workspaceId=${rawWs.workspace.id}&conversationId=${conversation[0].id}&contactId=${contact[0].id}`;
  let appMs = 0;
  let rawMs = 0;
  for (let i = 0; i < MAILS; i++) {
    const mail = smallMail(i, appAddress, "app");
    t0 = performance.now();
    const result = JSON.parse(await post(`${base}/__bench/email?from=buyer${i % 25}@bench.test&to=${appAddress}`, mail));
    appMs += performance.now() - t0;
    if (result.rejected.length) throw new Error(`mail ${i} rejected: ${result.rejected[0]}`);
    const raw = smallMail(i, appAddress, "raw");
    t0 = performance.now();
    await post(`${base}/__bench/raw/email?${rawQuery}`, raw);
    rawMs += performance.now() - t0;
  }
  const { results: counted } = await sql(
    base,
    "SELECT count(*) AS n, count(DISTINCT conversation_id) AS conversations FROM messages WHERE workspace_id = ? AND channel_key = 'email'",
    [appWs.workspace.id],
  );
  const appRate = MAILS / (appMs / 1000);
  const rawRate = MAILS / (rawMs / 1000);
  rows.push({
    step: `raw baseline: postal-mime parse + one INSERT (${MAILS} × 20 KB)`,
    seconds: fmt(rawMs / 1000),
    "mails/s": fmt(rawRate, 0),
    "workerd peak RSS MiB": workerd ? fmt(peakRssMiB(workerd), 0) : "?",
    notes: "",
  });
  rows.push({
    step: `email(): raw to R2, parse, thread, contact, message (${MAILS} × 20 KB)`,
    seconds: fmt(appMs / 1000),
    "mails/s": fmt(appRate, 0),
    "workerd peak RSS MiB": workerd ? fmt(peakRssMiB(workerd), 0) : "?",
    notes: `${counted[0].n} stored in ${counted[0].conversations} conversations; ${fmt((100 * appRate) / rawRate, 0)}% of the raw rate`,
  });

  // The same mails through wrangler dev's own route (it parses each mail itself before email()).
  const routeWs = await newWorkspace(base);
  const routeAddress = "route@bench.test";
  await mailbox(base, routeWs.workspace.id, routeAddress);
  const routeMails = Math.ceil(MAILS / 3);
  t0 = performance.now();
  for (let i = 0; i < routeMails; i++) await post(`${base}/cdn-cgi/local/email?from=buyer${i % 25}@bench.test&to=${routeAddress}`, smallMail(i, routeAddress, "route"));
  const routeSeconds = (performance.now() - t0) / 1000;
  rows.push({
    step: `the same through /cdn-cgi/local/email (${routeMails} × 20 KB)`,
    seconds: fmt(routeSeconds),
    "mails/s": fmt(routeMails / routeSeconds, 0),
    "workerd peak RSS MiB": workerd ? fmt(peakRssMiB(workerd), 0) : "?",
    notes: "wrangler's local route parses each mail too",
  });

  const restarted = workerd && !worker.workerdPids().includes(workerd);
  console.log(`\nWorker heap capped with --max-heap-size=128; workerd ${restarted ? "RESTARTED (out of memory?)" : "never restarted"}:`);
  table(rows);
}
