// Benchmark of the import/export file paths at 100,000 contacts, in Node with the Workers heap
// (128 MB) as the cap, so a path that holds a whole file in memory fails here as it would there.
//
//   node_modules/.bin/tsx bench/import-export.mts generate    # writes the fixtures to bench/.out/
//   node --max-old-space-size=128 --expose-gc --import tsx bench/import-export.mts run
//
// `run` times, per step, what one queue message does (export: the whole file; import: prepare,
// then each 2,000-row chunk read and planned) and reports the peak heap. The database writes are
// not part of this: see bench/import-export.workerd.ts for the run through D1.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { memorySource } from "../src/lib/files/byte-source";
import { csvLine } from "../src/lib/files/csv";
import { R2FileWriter } from "../src/lib/files/r2-writer";
import { XlsxStreamWriter } from "../src/lib/files/xlsx-writer";
import { prepareRows, readRows } from "../src/modules/contact-io/import-file";
import { DEFAULT_CHUNK_SIZE, planChunk } from "../src/modules/contact-io/import.service";
import { buildXlsx } from "../test/helpers/xlsx";

const ROWS = Number(process.env.ROWS ?? 100_000);
const OUT = new URL("./.out/", import.meta.url);

function contact(i: number): (string | number | null)[] {
  return [
    `Person ${i} Example`,
    `Company ${i % 5000}`,
    ["smb", "enterprise", "mid"][i % 3]!,
    ["CTO", "CEO", "Buyer", "Engineer"][i % 4]!,
    `+1415${String(5_000_000 + i).padStart(7, "0")}`,
    `person${i}@example${i % 100}.com`,
    `City ${i % 700}`,
    ["CA", "NY", "TX", "WA"][i % 4]!,
  ];
}
const HEADER = ["name", "company", "segment", "role", "phone", "email", "city", "state"];

/** An R2 bucket that keeps nothing: only sizes, so the heap shows the writer's own footprint. */
function discardingBucket(sizes: Map<string, number>): R2Bucket {
  const add = (key: string, n: number) => sizes.set(key, (sizes.get(key) ?? 0) + n);
  const bucket = {
    put: async (key: string, value: Uint8Array) => void add(key, value.byteLength),
    createMultipartUpload: async (key: string) => ({
      uploadPart: async (partNumber: number, part: Uint8Array) => {
        add(key, part.byteLength);
        return { partNumber, etag: String(partNumber) };
      },
      complete: async () => ({}),
      abort: async () => undefined,
    }),
  };
  return bucket as unknown as R2Bucket;
}

let peakHeap = 0;
const sampleHeap = () => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
};
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  (globalThis as { gc?: () => void }).gc?.();
  peakHeap = 0;
  const timer = setInterval(sampleHeap, 5);
  const start = performance.now();
  const result = await fn();
  const ms = performance.now() - start;
  clearInterval(timer);
  sampleHeap();
  console.log(`${label.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms   peak heap ${mb(peakHeap)}`);
  return result;
}

async function generate() {
  mkdirSync(OUT, { recursive: true });
  let csv = csvLine(HEADER);
  for (let i = 0; i < ROWS; i++) csv += csvLine(contact(i));
  writeFileSync(new URL("contacts.csv", OUT), csv);
  const parts: Uint8Array[] = [];
  const xlsx = new XlsxStreamWriter(async (bytes) => void parts.push(bytes));
  await xlsx.addRow(HEADER, { header: true });
  for (let i = 0; i < ROWS; i++) await xlsx.addRow(contact(i));
  await xlsx.finish();
  writeFileSync(new URL("contacts.xlsx", OUT), Buffer.concat(parts));
  // As Excel saves it: every string in the shared-string table, phones stored as numbers.
  const excelRows = [HEADER, ...Array.from({ length: ROWS }, (_, i) => contact(i).map((v, c) => (c === 4 ? Number(String(v).slice(2)) : v)))];
  writeFileSync(new URL("contacts-excel.xlsx", OUT), buildXlsx(excelRows));
  console.log(`wrote ${ROWS} rows: bench/.out/contacts.csv, contacts.xlsx (inline strings), contacts-excel.xlsx (shared strings)`);
}

async function run() {
  const sizes = new Map<string, number>();
  const bucket = discardingBucket(sizes);

  await timed(`export: ${ROWS} rows → XLSX → R2 parts`, async () => {
    const writer = new R2FileWriter(bucket, "export.xlsx", { contentType: "x" });
    const xlsx = new XlsxStreamWriter((bytes) => writer.write(bytes));
    await xlsx.addRow(HEADER, { header: true });
    // Rows arrive in pages of 1,000, as the export job reads them from D1.
    for (let page = 0; page < ROWS; page += 1000) {
      const rows = Array.from({ length: Math.min(1000, ROWS - page) }, (_, i) => contact(page + i));
      for (const row of rows) await xlsx.addRow(row);
    }
    await xlsx.finish();
    await writer.finish();
  });
  console.log(`  export file: ${mb(sizes.get("export.xlsx") ?? 0)}`);

  for (const [file, format] of [["contacts-excel.xlsx", "xlsx"], ["contacts.xlsx", "xlsx"], ["contacts.csv", "csv"]] as const) {
    sizes.delete("flat.csv");
    const bytes = new Uint8Array(readFileSync(new URL(file, OUT)));
    const source = memorySource(bytes);
    const rows = await timed(`import ${file} (${mb(bytes.length)}): prepare`, () =>
      prepareRows(bucket, source, { fileKey: "upload", format }, "flat.csv"),
    );
    if (rows.total !== ROWS) throw new Error(`counted ${rows.total} rows`);
    if (format === "xlsx") console.log(`  flattened copy: ${mb(sizes.get("flat.csv") ?? 0)}`);
    // An XLSX import's chunks read the flattened CSV copy, so the CSV run below stands for both.
    if (format === "xlsx") continue;
    let cursor = { offset: rows.offset, rowNumber: rows.headerRow };
    let chunks = 0;
    let slowest = 0;
    await timed(`import ${format}: ${Math.ceil(ROWS / DEFAULT_CHUNK_SIZE)} chunks read + planned`, async () => {
      for (;;) {
        const start = performance.now();
        const read = await readRows(source, rows, cursor, DEFAULT_CHUNK_SIZE);
        planChunk(read.rows, [], rows.columns, "upsert", "US");
        slowest = Math.max(slowest, performance.now() - start);
        chunks += 1;
        cursor = { offset: read.end, rowNumber: read.rowNumber };
        if (read.eof) break;
      }
    });
    console.log(`  ${chunks} chunks, slowest ${slowest.toFixed(0)} ms`);
  }
}

const command = process.argv[2];
if (command === "generate") await generate();
else if (command === "run") await run();
else console.log("usage: bench/import-export.mts generate | run");
