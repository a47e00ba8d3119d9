import { env } from "cloudflare:workers";
import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { createDb } from "../src/db/client";
import { parseCsvText } from "../src/lib/files/csv";
import { startImport } from "../src/modules/contact-io/import.service";
import { newWorkspace, request } from "./helpers/api";
import { all, count, one } from "./helpers/db";
import { callerOf, deliver, downloadBytes, downloadText, drain, envWithFakeQueue, uploadFile, waitForJob, XLSX_TYPE } from "./helpers/jobs";
import { expectError, expectInvisibleTo, expectUnauthorized } from "./helpers/security";
import { buildXlsx, readXlsx } from "./helpers/xlsx";

type Row = { name: string; company: string | null; role: string | null; phone: string | null; email: string | null; city: string | null; state: string | null; segment: string | null };

const contactsOf = (workspaceId: number) =>
  all<Row>("SELECT name, company, segment, role, phone, email, city, state FROM contacts WHERE workspace_id = ? ORDER BY id", workspaceId);

/** Upload, expect 202, wait for the job to finish. */
async function importFile(api: Parameters<typeof uploadFile>[0], content: string | Uint8Array, opts: Parameters<typeof uploadFile>[2] = {}) {
  const res = await uploadFile(api, content, opts);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  expect(res.body).toMatchObject({ kindKey: "import_contacts", statusKey: "queued" });
  expect(res.headers.get("location")).toBe(`/v1/jobs/${res.body.id}`);
  return waitForJob(api, res.body.id);
}

describe("GET /v1/contacts/import-template", () => {
  it("gives an XLSX with the exact headers and one example row", async () => {
    const { owner } = await newWorkspace();
    const res = await downloadBytes(owner, "/v1/contacts/import-template");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(XLSX_TYPE);
    expect(res.headers.get("content-disposition")).toContain("contacts-import-template.xlsx");
    const { rows } = await readXlsx(res.bytes);
    expect(rows[0]).toEqual(["name", "company", "segment", "role", "phone", "email", "city", "state"]);
    expect(rows).toHaveLength(2);
    expect(rows[1]![0]).toBe("Ada Lovelace");
  });

  it("gives a CSV (UTF-8 with BOM) that imports as the example contact", async () => {
    const { owner, workspace } = await newWorkspace();
    const res = await downloadBytes(owner, "/v1/contacts/import-template?format=csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect([...res.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsvText(res.bytes);
    expect(rows[0]).toEqual(["name", "company", "segment", "role", "phone", "email", "city", "state"]);
    const job = await importFile(owner, res.bytes);
    expect(job.result).toMatchObject({ created: 1, failed: 0 });
    expect(await contactsOf(workspace.id)).toEqual([
      { name: "Ada Lovelace", company: "Analytical Engines Ltd", segment: "enterprise", role: "CTO", phone: "+14155550100", email: "ada@example.com", city: "San Francisco", state: "CA" },
    ]);
  });

  it("validates the format and needs a token", async () => {
    const { owner } = await newWorkspace();
    expectError(await owner.get("/v1/contacts/import-template?format=pdf"), 422, "validation_failed", "query.format");
    await expectUnauthorized("GET", "/v1/contacts/import-template");
  });
});

describe("POST /v1/contacts/imports (CSV)", () => {
  it("reads a BOM, semicolons, quoted newlines and doubled quotes, and maps header synonyms", async () => {
    const { owner, workspace } = await newWorkspace();
    const csv =
      "\uFEFFFull Name;Organisation;E-Mail;Mobile;Town;Province;Job Title;Segment;Notes\r\n" +
      'Ada Lovelace;"Analytical ""Engines""";ADA@Example.com;(415) 555-0100;London;;Analyst;smb;ignored\r\n' +
      '"Grace\nHopper";"Navy;\nResearch";grace@example.com;+1 212 555 0199;Arlington;VA;"Rear; Admiral";;\r\n' +
      "\r\n" +
      "Alan Turing;;;;Wilmslow;Cheshire;;;\r\n";
    const job = await importFile(owner, csv);
    expect(job.statusKey).toBe("succeeded");
    expect(job.result).toMatchObject({ total: 3, processed: 3, created: 3, updated: 0, skipped: 0, failed: 0, errorReport: false });
    expect(job.progress).toMatchObject({ processed: 3, total: 3, succeeded: 3, failed: 0 });
    expect(job.fileUrl).toBeNull();
    expect(await contactsOf(workspace.id)).toEqual([
      { name: "Ada Lovelace", company: 'Analytical "Engines"', segment: "smb", role: "Analyst", phone: "+14155550100", email: "ada@example.com", city: "London", state: null },
      { name: "Grace\nHopper", company: "Navy;\nResearch", segment: null, role: "Rear; Admiral", phone: "+12125550199", email: "grace@example.com", city: "Arlington", state: "VA" },
      { name: "Alan Turing", company: null, segment: null, role: null, phone: null, email: null, city: "Wilmslow", state: "Cheshire" },
    ]);
    // Imported contacts are searchable like any other.
    expect((await owner.get("/v1/contacts?q=turing")).body.data).toHaveLength(1);
    const event = await one<{ payload_json: string; entity_id: number }>(
      "SELECT payload_json, entity_id FROM events WHERE workspace_id = ? AND type_key = 'contacts.imported'",
      workspace.id,
    );
    expect(event.entity_id).toBe(job.id);
    expect(JSON.parse(event.payload_json)).toMatchObject({ created: 3, failed: 0, mode: "upsert", fileName: "contacts.csv" });
  });

  it("detects commas and tabs, and takes a raw text/csv body", async () => {
    const { owner, workspace } = await newWorkspace();
    await importFile(owner, "name,phone\nComma Person,4155550111\n");
    await importFile(owner, "Name\tTelephone\tMail\nTab Person\t4155550112\ttab@example.com\n", { fileName: "people.tsv" });
    const raw = await request("POST", "/v1/contacts/imports?mode=create&fileName=raw.csv", {
      token: owner.token,
      rawBody: "Contact,Tel\nRaw Person,4155550113\n",
      headers: { "content-type": "text/csv" },
    });
    expect(raw.status, JSON.stringify(raw.body)).toBe(202);
    expect(raw.body.input).toMatchObject({ mode: "create", fileName: "raw.csv", format: "csv" });
    await waitForJob(owner, raw.body.id);
    expect((await contactsOf(workspace.id)).map((c) => [c.name, c.phone, c.email])).toEqual([
      ["Comma Person", "+14155550111", null],
      ["Tab Person", "+14155550112", "tab@example.com"],
      ["Raw Person", "+14155550113", null],
    ]);
  });

  it("formula injection: the error report defuses cells a spreadsheet would evaluate; a re-import reads them back", async () => {
    const { owner, workspace } = await newWorkspace();
    const csv = ["name,phone,company", '"=HYPERLINK(""http://evil.example"",""click"")",12,+SUM(A1)', "@cmd,-1,\tTabbed", "Plain,4155550130,Acme"].join("\n");
    const job = await importFile(owner, csv, { fileName: "evil.csv" });
    expect(job.result).toMatchObject({ created: 1, failed: 2 });
    const report = await downloadText(owner, job.id);
    const rows = parseCsvText(new TextEncoder().encode(report.text));
    expect(rows.slice(1).map((r) => r.slice(1, 4))).toEqual([
      ["'=HYPERLINK(\"http://evil.example\",\"click\")", "12", "'+SUM(A1)"],
      ["'@cmd", "'-1", "'\tTabbed"],
    ]);
    // Fixed and imported again, the guard is not part of the value.
    const fixed = report.text.replace(/,12,/, ",4155550131,").replace(/,'-1,/, ",4155550132,");
    const again = await importFile(owner, fixed, { fileName: "fixed.csv" });
    expect(again.result).toMatchObject({ created: 2, failed: 0 });
    const names = await all<{ name: string; company: string | null }>("SELECT name, company FROM contacts WHERE workspace_id = ? ORDER BY id", workspace.id);
    expect(names.slice(1)).toEqual([
      { name: '=HYPERLINK("http://evil.example","click")', company: "+SUM(A1)" },
      { name: "@cmd", company: "Tabbed" },
    ]);
  });

  it("reports exactly the bad rows, with an error column, and imports the good ones", async () => {
    const { owner, workspace } = await newWorkspace();
    const csv = [
      "name,phone,email,city",
      "Good One,4155550121,one@example.com,Reno",
      ",4155550122,,Nowhere",
      "Bad Phone,12,,Reno",
      "Bad Email,,not-an-email,Reno",
      "Good Two,,two@example.com,",
      '"Both, Bad",999,@x,"Quote ""City"""',
    ].join("\n");
    const job = await importFile(owner, csv, { fileName: "people.csv" });
    expect(job.statusKey).toBe("succeeded");
    expect(job.result).toMatchObject({ total: 6, created: 2, failed: 4, errorReport: true });
    expect(job.fileUrl).toBe(`/v1/jobs/${job.id}/file`);
    expect((await contactsOf(workspace.id)).map((c) => c.name)).toEqual(["Good One", "Good Two"]);

    const report = await downloadText(owner, job.id);
    expect(report.status).toBe(200);
    expect(report.headers.get("content-type")).toContain("text/csv");
    expect(report.headers.get("content-disposition")).toContain("import-errors.csv");
    expect(parseCsvText(new TextEncoder().encode(report.text))).toEqual([
      ["row", "name", "phone", "email", "city", "error"],
      ["3", "", "4155550122", "", "Nowhere", "name: required"],
      ["4", "Bad Phone", "12", "", "Reno", 'phone: "12" is not a valid phone number for US'],
      ["5", "Bad Email", "", "not-an-email", "Reno", 'email: "not-an-email" is not a valid e-mail address'],
      [
        "7",
        "Both, Bad",
        "999",
        // A cell a spreadsheet would evaluate comes back defused (see the formula injection test).
        "'@x",
        'Quote "City"',
        'phone: "999" is not a valid phone number for US; email: "@x" is not a valid e-mail address',
      ],
    ]);
  });

  it("upsert: updates the matching contact's given fields, in the database and within the file", async () => {
    const { owner, workspace } = await newWorkspace();
    const existing = (await owner.post("/v1/contacts", { name: "Old Name", phone: "+1 415 555 0131", company: "Keep Co", city: "Old City" })).body;
    const byEmail = (await owner.post("/v1/contacts", { name: "Mail Match", email: "mail@example.com" })).body;
    const csv = [
      "name,phone,email,city",
      "New Name,(415) 555-0131,,New City", // matches `existing` by phone: name and city change, company stays
      "Mail Match Renamed,,MAIL@example.com,", // matches by e-mail
      "Fresh,4155550132,fresh@example.com,Austin", // new
      "Fresh Again,,fresh@example.com,Dallas", // matches the row above (within the file)
      "Conflict,4155550131,mail@example.com,", // phone says one contact, e-mail another
    ].join("\n");
    const job = await importFile(owner, csv);
    expect(job.result).toMatchObject({ created: 1, updated: 3, skipped: 0, failed: 1 });
    const rows = await contactsOf(workspace.id);
    expect(rows).toEqual([
      expect.objectContaining({ name: "New Name", company: "Keep Co", city: "New City", phone: "+14155550131" }),
      expect.objectContaining({ name: "Mail Match Renamed", email: "mail@example.com" }),
      expect.objectContaining({ name: "Fresh Again", phone: "+14155550132", email: "fresh@example.com", city: "Dallas" }),
    ]);
    expect((await owner.get(`/v1/contacts/${existing.id}`)).body.name).toBe("New Name");
    expect((await owner.get(`/v1/contacts/${byEmail.id}`)).body.name).toBe("Mail Match Renamed");
    const report = parseCsvText(new TextEncoder().encode((await downloadText(owner, job.id)).text));
    expect(report.slice(1).map((r) => [r[0], r[r.length - 1]])).toEqual([
      ["6", `the phone matches contact ${existing.id} but the e-mail matches contact ${byEmail.id}`],
    ]);
  });

  it("skip: leaves existing contacts and counts the duplicates skipped", async () => {
    const { owner, workspace } = await newWorkspace();
    await owner.post("/v1/contacts", { name: "Existing", phone: "+14155550141" });
    const csv = "name,phone,email\nChanged,4155550141,\nNew,4155550142,new@example.com\nNew Dup,,NEW@example.com\n";
    const job = await importFile(owner, csv, { query: "mode=skip" });
    expect(job.result).toMatchObject({ mode: "skip", created: 1, updated: 0, skipped: 2, failed: 0 });
    expect(job.progress).toMatchObject({ processed: 3, succeeded: 3, skipped: 2 });
    expect((await contactsOf(workspace.id)).map((c) => c.name)).toEqual(["Existing", "New"]);
  });

  it("create: always creates, duplicates included", async () => {
    const { owner, workspace } = await newWorkspace();
    await owner.post("/v1/contacts", { name: "Existing", phone: "+14155550151" });
    const job = await importFile(owner, "name,phone\nAgain,4155550151\nAgain Again,4155550151\n", { fields: { mode: "create" } });
    expect(job.result).toMatchObject({ mode: "create", created: 2, updated: 0, skipped: 0 });
    expect(await count("SELECT count(*) AS n FROM contacts WHERE workspace_id = ? AND phone = '+14155550151'", workspace.id)).toBe(3);
    expect((await owner.get("/v1/contacts/duplicates")).body.data).toHaveLength(1);
  });

  it("does not import twice when the upload is retried with the same Idempotency-Key", async () => {
    const { owner, workspace } = await newWorkspace();
    // A retry sends the same bytes (the same multipart boundary) again.
    const form = new FormData();
    form.append("file", new File(["name,phone\nOnce,4155550181\n"], "once.csv", { type: "text/csv" }));
    form.append("mode", "create");
    const encoded = new Request("https://parley.test/", { method: "POST", body: form });
    const body = new Uint8Array(await encoded.arrayBuffer());
    const headers = { "content-type": encoded.headers.get("content-type")!, "idempotency-key": "import-once" };
    const send = () => request("POST", "/v1/contacts/imports", { token: owner.token, rawBody: body, headers });
    const first = await send();
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    await waitForJob(owner, first.body.id);
    const again = await send();
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    expect(await count("SELECT count(*) AS n FROM jobs WHERE workspace_id = ?", workspace.id)).toBe(1);
    expect(await count("SELECT count(*) AS n FROM contacts WHERE workspace_id = ?", workspace.id)).toBe(1);
  });

  it("reads phones with the given default country", async () => {
    const { owner, workspace } = await newWorkspace();
    await importFile(owner, "name,phone\nJens,030 12345678\n", { query: "defaultCountry=de" });
    expect((await contactsOf(workspace.id))[0]!.phone).toBe("+493012345678");
  });

  it("never matches another workspace's contacts", async () => {
    const other = await newWorkspace();
    await other.owner.post("/v1/contacts", { name: "Theirs", phone: "+14155550161" });
    const { owner, workspace } = await newWorkspace();
    const job = await importFile(owner, "name,phone\nMine,4155550161\n");
    expect(job.result).toMatchObject({ created: 1, updated: 0 });
    expect((await contactsOf(workspace.id))[0]!.name).toBe("Mine");
    expect((await contactsOf(other.workspace.id))[0]!.name).toBe("Theirs");
    await expectInvisibleTo(other.owner, "GET", `/v1/jobs/${job.id}`);
  });
});

describe("POST /v1/contacts/imports (XLSX)", () => {
  it("reads the first sheet: shared and inline strings, rich text, numbers stored as numbers", async () => {
    const { owner, workspace } = await newWorkspace();
    const xlsx = buildXlsx(
      [
        ["Name", "Company", "Phone", "EMAIL", "City", "Active"],
        ["Ada Lovelace", { rich: ["Analytical ", "Engines"] }, 4155550171, "ada@example.com", { inline: "London & Co <x>" }, true],
        [{ inline: "Numeric Intl" }, null, 447911123456, null, null, false],
        ["Bad Number", null, 12, null, null, null],
      ],
      { firstRow: 3 },
    );
    const job = await importFile(owner, xlsx, { fileName: "contacts.xlsx", type: XLSX_TYPE });
    expect(job.statusKey).toBe("succeeded");
    expect(job.input.format).toBe("xlsx");
    expect(job.result).toMatchObject({ total: 3, created: 2, failed: 1 });
    expect(await contactsOf(workspace.id)).toEqual([
      expect.objectContaining({ name: "Ada Lovelace", company: "Analytical Engines", phone: "+14155550171", email: "ada@example.com", city: "London & Co <x>" }),
      expect.objectContaining({ name: "Numeric Intl", phone: "+447911123456" }),
    ]);
    // Row numbers are the sheet's own (the header sits on row 3).
    const report = parseCsvText(new TextEncoder().encode((await downloadText(owner, job.id)).text));
    expect(report).toEqual([
      ["row", "Name", "Company", "Phone", "EMAIL", "City", "Active", "error"],
      ["6", "Bad Number", "", "12", "", "", "", 'phone: "12" is not a valid phone number for US'],
    ]);
    // The flattened copy of the sheet is removed once the import is done.
    const left = await env.FILES.list({ prefix: `imports/${workspace.id}/job-${job.id}/` });
    expect(left.objects.map((o) => o.key)).toEqual([`imports/${workspace.id}/job-${job.id}/import-errors.csv`]);
  });
});

describe("POST /v1/contacts/imports (refused files)", () => {
  it("refuses what is not CSV or XLSX with 415", async () => {
    const { owner } = await newWorkspace();
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    expectError(await uploadFile(owner, png, { fileName: "logo.png", type: "image/png" }), 415, "unsupported_media_type");
    expectError(await uploadFile(owner, png, { fileName: "logo.bin", type: "application/octet-stream" }), 415, "unsupported_media_type");
    expectError(await uploadFile(owner, '{"name":"x"}', { type: "application/json" }), 415, "unsupported_media_type");
    const xls = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    const legacy = await uploadFile(owner, xls, { fileName: "old.xls", type: "application/vnd.ms-excel" });
    expectError(legacy, 415, "unsupported_media_type");
    expect(legacy.body.error.message).toContain(".xlsx");
    const latin1 = new Uint8Array([...new TextEncoder().encode("name\nJos"), 0xe9, 0x0a]);
    expectError(await uploadFile(owner, latin1), 415, "unsupported_media_type");
    const notXlsx = zipSync({ "hello.txt": strToU8("hi") });
    expectError(await uploadFile(owner, notXlsx, { fileName: "a.xlsx", type: XLSX_TYPE }), 422, "validation_failed", "file");
  });

  it("refuses empty files, header-only files and files without a name column with 422", async () => {
    const { owner, workspace } = await newWorkspace();
    expectError(await uploadFile(owner, ""), 422, "validation_failed", "file");
    expectError(await uploadFile(owner, "\uFEFF\r\n  \n"), 422, "validation_failed", "file");
    const headerOnly = await uploadFile(owner, "name,phone\n");
    expectError(headerOnly, 422, "validation_failed", "file");
    expect(headerOnly.body.error.message).toContain("no data rows");
    const noName = await uploadFile(owner, "phone,email\n4155550100,a@example.com\n");
    expectError(noName, 422, "validation_failed", "file");
    expect(noName.body.error.message).toContain("no name column");
    expectError(await uploadFile(owner, buildXlsx([["Phone"], [4155550100]]), { type: XLSX_TYPE }), 422, "validation_failed", "file");
    expect(await count("SELECT count(*) AS n FROM jobs WHERE workspace_id = ?", workspace.id)).toBe(0);
  });

  it("refuses a file over 50 MB with 413", async () => {
    const { owner } = await newWorkspace();
    const big = new Uint8Array(50 * 1024 * 1024 + 1).fill(0x61);
    const raw = await request("POST", "/v1/contacts/imports", { token: owner.token, rawBody: big, headers: { "content-type": "text/csv" } });
    expectError(raw, 413, "payload_too_large", "file");
    expectError(await uploadFile(owner, big), 413, "payload_too_large", "file");
  });

  it("refuses a zip bomb: a sheet declaring a huge expansion", async () => {
    const { owner, workspace } = await newWorkspace();
    const bomb = buildXlsxWithSheet(new Uint8Array(64 * 1024 * 1024).fill(0x20));
    const res = await uploadFile(owner, bomb, { fileName: "bomb.xlsx", type: XLSX_TYPE });
    expectError(res, 413, "payload_too_large", "file");
    expect(res.body.error.message).toMatch(/zip bomb|expands/);
    expect(await count("SELECT count(*) AS n FROM jobs WHERE workspace_id = ?", workspace.id)).toBe(0);
  });

  it("fails the job, importing nothing, when a sheet inflates beyond its declared size", async () => {
    const { owner, workspace } = await newWorkspace();
    // The upload check reads only the first rows, so the lie surfaces when the job reads on.
    const rows: (string | number)[][] = [["name", "phone"]];
    for (let i = 0; i < 20_000; i++) rows.push([`Person ${i}`, 4155550000 + i]);
    const lying = understateSheetSize(buildXlsx(rows), 300_000);
    const res = await uploadFile(owner, lying, { fileName: "lying.xlsx", type: XLSX_TYPE });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const job = await waitForJob(owner, res.body.id);
    expect(job.statusKey).toBe("failed");
    expect(job.result.error).toMatchObject({ code: "file_too_large" });
    expect(job.result.error.message).toContain("beyond its declared size");
    expect(await count("SELECT count(*) AS n FROM contacts WHERE workspace_id = ?", workspace.id)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM events WHERE workspace_id = ? AND type_key = 'job.failed'", workspace.id)).toBe(1);
  });

  it("validates the options by name", async () => {
    const { owner } = await newWorkspace();
    expectError(await uploadFile(owner, "name\nA\n", { query: "mode=merge" }), 422, "validation_failed", "query.mode");
    expectError(await uploadFile(owner, "name\nA\n", { fields: { mode: "merge" } }), 422, "validation_failed", "body.mode");
    expectError(await uploadFile(owner, "name\nA\n", { query: "defaultCountry=XX" }), 422, "validation_failed", "query.defaultCountry");
    expectError(await uploadFile(owner, "name\nA\n", { query: "chunkSize=0" }), 422, "validation_failed", "query.chunkSize");
    const form = new FormData();
    form.append("mode", "skip");
    expectError(await request("POST", "/v1/contacts/imports", { token: owner.token, rawBody: form }), 422, "validation_failed", "body.file");
  });

  it("needs a token", async () => {
    await expectUnauthorized("POST", "/v1/contacts/imports");
  });
});

describe("chunked imports", () => {
  function people(n: number, from = 0) {
    const lines = ["name,phone,email"];
    for (let i = from; i < from + n; i++) lines.push(`Person ${i},415555${String(1000 + i).padStart(4, "0")},p${i}@example.com`);
    return lines;
  }

  it("spans several queue messages, dedupes across chunk boundaries, and reports progress", async () => {
    const { owner, workspace } = await newWorkspace();
    const lines = people(50);
    lines.push("Person 3 Updated,4155551003,"); // row 52: same phone as row 5, in a later chunk
    lines.push("Broken,nope,"); // row 53
    const job = await importFile(owner, lines.join("\n"), { query: "chunkSize=7" });
    expect(job.statusKey).toBe("succeeded");
    expect(job.result).toMatchObject({ total: 52, processed: 52, created: 50, updated: 1, failed: 1 });
    expect(job.progress).toMatchObject({ total: 52, processed: 52, succeeded: 51, failed: 1 });
    expect(await count("SELECT count(*) AS n FROM contacts WHERE workspace_id = ?", workspace.id)).toBe(50);
    expect((await one<{ name: string }>("SELECT name FROM contacts WHERE workspace_id = ? AND phone = '+14155551003'", workspace.id)).name).toBe(
      "Person 3 Updated",
    );
    // 1 prepare + 8 chunks of ≤7 rows: each message ran once.
    expect(job.attempts).toBe(9);
    const report = parseCsvText(new TextEncoder().encode((await downloadText(owner, job.id)).text));
    expect(report.slice(1).map((r) => r[0])).toEqual(["53"]);
  });

  it("does nothing twice when every message is delivered twice", async () => {
    const ws = await newWorkspace();
    const { env: fake, queue } = envWithFakeQueue();
    const lines = people(30);
    lines.splice(10, 0, "No Name Here,,", ",4155550999,"); // one good row, one bad row
    const job = await startImport(createDb(env.DB), fake, callerOf(ws), {
      file: new TextEncoder().encode(lines.join("\n")),
      format: "csv",
      fileName: "twice.csv",
      contentType: "text/csv",
    }, { mode: "create", chunkSize: 4 });
    await drain(fake, queue, { redeliver: true });
    const done = await waitForJob(ws.owner, job.id, 1_000);
    expect(done.result).toMatchObject({ created: 31, failed: 1, total: 32 });
    expect(await count("SELECT count(*) AS n FROM contacts WHERE workspace_id = ?", ws.workspace.id)).toBe(31);
    expect(await count("SELECT count(*) AS n FROM events WHERE workspace_id = ? AND type_key = 'contacts.imported'", ws.workspace.id)).toBe(1);
    const report = parseCsvText(new TextEncoder().encode((await downloadText(ws.owner, job.id)).text));
    expect(report).toHaveLength(2);
  });

  it("commits a chunk once when two deliveries of it run at the same time", async () => {
    const ws = await newWorkspace();
    const { env: fake, queue } = envWithFakeQueue();
    const job = await startImport(createDb(env.DB), fake, callerOf(ws), {
      file: new TextEncoder().encode(people(12).join("\n")),
      format: "csv",
      fileName: "race.csv",
      contentType: "text/csv",
    }, { mode: "create", chunkSize: 5 });
    await deliver(fake, [queue.sent.shift()!]); // prepare
    const chunk1 = queue.sent.shift()!;
    await Promise.all([deliver(fake, [chunk1]), deliver(fake, [chunk1], { attempts: 2 })]);
    expect(await count("SELECT count(*) AS n FROM contacts WHERE workspace_id = ?", ws.workspace.id)).toBe(5);
    expect(queue.sent.filter((m) => "chunk" in m && m.chunk === 2).length).toBeGreaterThanOrEqual(1);
    await drain(fake, queue);
    const done = await one<{ status_key: string; result_json: string }>("SELECT status_key, result_json FROM jobs WHERE id = ?", job.id);
    expect(done.status_key).toBe("succeeded");
    expect(JSON.parse(done.result_json)).toMatchObject({ created: 12 });
    expect(await count("SELECT count(*) AS n FROM contacts WHERE workspace_id = ?", ws.workspace.id)).toBe(12);
  });

  it("an upsert chunk whose every row matches commits in a handful of statements, not one per contact", async () => {
    const ws = await newWorkspace();
    const rows = 2_000;
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
       INSERT INTO contacts (workspace_id, name, phone, city, created_at, updated_at)
       SELECT ?, 'Old ' || i, '+1415556' || substr('0000' || i, -4), 'Reno', 1, 1 FROM n`,
    )
      .bind(ws.workspace.id)
      .run();
    const merged = await one<{ id: number }>("SELECT id FROM contacts WHERE workspace_id = ? AND name = 'Old 7'", ws.workspace.id);
    const survivor = await one<{ id: number }>("SELECT id FROM contacts WHERE workspace_id = ? AND name = 'Old 8'", ws.workspace.id);
    await env.DB.prepare("UPDATE contacts SET merged_into_id = ? WHERE id = ?").bind(survivor.id, merged.id).run();
    const csv = ["name,phone,company", ...Array.from({ length: rows }, (_, k) => `New ${k + 1},+1415556${String(k + 1).padStart(4, "0")},Acme`)];
    // The D1 binding, counting the statements of each batch the job sends.
    const batches: number[] = [];
    const counting = {
      prepare: (query: string) => env.DB.prepare(query),
      batch: (statements: D1PreparedStatement[]) => {
        batches.push(statements.length);
        return env.DB.batch(statements);
      },
      exec: (query: string) => env.DB.exec(query),
      withSession: () => env.DB.withSession(),
      dump: () => env.DB.dump(),
    } as unknown as D1Database;
    const { env: fake, queue } = envWithFakeQueue();
    const bindings = { ...fake, DB: counting };
    await startImport(createDb(env.DB), fake, callerOf(ws), {
      file: new TextEncoder().encode(csv.join("\n")),
      format: "csv",
      fileName: "upsert.csv",
      contentType: "text/csv",
    }, { mode: "upsert", chunkSize: rows });
    await drain(bindings, queue);
    const job = await one<{ result_json: string }>("SELECT result_json FROM jobs WHERE workspace_id = ? AND kind_key = 'import_contacts'", ws.workspace.id);
    // Row 7's phone belongs to a merged contact: not a live match, so it is created anew.
    expect(JSON.parse(job.result_json)).toMatchObject({ updated: rows - 1, created: 1, failed: 0 });
    expect(Math.max(...batches)).toBeLessThanOrEqual(10);
    expect(await count("SELECT count(*) AS n FROM contacts WHERE workspace_id = ? AND name LIKE 'New %' AND company = 'Acme' AND city = 'Reno'", ws.workspace.id)).toBe(rows - 1);
    expect(await one("SELECT name, company FROM contacts WHERE id = ?", merged.id)).toEqual({ name: "Old 7", company: null });
    // The search index follows the new names.
    expect((await ws.owner.get("/v1/contacts?q=new&limit=1")).body.data).toHaveLength(1);
  });

  it("re-queues the next chunk when a delivery died between its commit and its send", async () => {
    const ws = await newWorkspace();
    const { env: fake, queue } = envWithFakeQueue();
    await startImport(createDb(env.DB), fake, callerOf(ws), {
      file: new TextEncoder().encode(people(9).join("\n")),
      format: "csv",
      fileName: "crash.csv",
      contentType: "text/csv",
    }, { mode: "upsert", chunkSize: 4 });
    await deliver(fake, [queue.sent.shift()!]);
    const chunk1 = queue.sent.shift()!;
    await deliver(fake, [chunk1]);
    // Simulate the lost send: drop chunk 2's message and forget it was dispatched.
    queue.sent.length = 0;
    await env.DB.prepare("UPDATE jobs SET progress_json = json_remove(progress_json, '$.dispatchedChunk') WHERE workspace_id = ?").bind(ws.workspace.id).run();
    await deliver(fake, [chunk1], { attempts: 2 });
    expect(queue.sent).toEqual([expect.objectContaining({ chunk: 2 })]);
    await drain(fake, queue);
    expect(await count("SELECT count(*) AS n FROM contacts WHERE workspace_id = ?", ws.workspace.id)).toBe(9);
  });
});

/** An XLSX whose only sheet is `sheet` (deflated), declared at its true size. */
function buildXlsxWithSheet(sheet: Uint8Array): Uint8Array {
  return zipSync({
    "_rels/.rels": strToU8(
      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    ),
    "xl/workbook.xml": strToU8('<workbook><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": strToU8(
      '<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    ),
    "xl/worksheets/sheet1.xml": [sheet, { level: 9 }],
  });
}

/** Rewrite the central directory so the worksheet claims to be smaller than it is. */
function understateSheetSize(zip: Uint8Array, declared: number): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  const name = new TextEncoder().encode("xl/worksheets/sheet2.xml");
  for (let i = 0; i < out.length - 46; i++) {
    if (view.getUint32(i, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(i + 28, true);
    const entryName = out.subarray(i + 46, i + 46 + nameLength);
    if (entryName.length === name.length && entryName.every((b, j) => b === name[j])) {
      view.setUint32(i + 24, declared, true);
      return out;
    }
  }
  throw new Error("sheet not found");
}
