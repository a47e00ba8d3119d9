// `npm run bench -- contacts`: 100,000 contacts, then GET /v1/contacts (name-prefix search,
// segment+city filter, sort by name; 50 a page) against the same SQL run raw in the same Worker.
import { comparisonRow, newWorkspace, sql, table, timeInterleaved, tokenFor } from "./harness.mjs";

const TOTAL = Number(process.env.BENCH_CONTACTS ?? 100_000);
const CHUNK = 5_000;
const FIRST = ["Anna", "Bruno", "Carla", "David", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Karin", "Liam", "Maya", "Nils", "Olga", "Pavel"];
const LAST = ["Schmidt", "Garcia", "Rossi", "Novak", "Dubois", "Silva", "Kim", "Ivanova", "Smith", "Haddad"];
const CITIES = ["Berlin", "Madrid", "Paris", "Lisbon", "Warsaw", "Austin", "Tokyo", "Lagos"];
const SEGMENTS = ["smb", "mid-market", "enterprise", "partner"];

export async function run({ base }) {
  const ws = await newWorkspace(base);
  const workspaceId = ws.workspace.id;
  const t0 = performance.now();
  for (let start = 0; start < TOTAL; start += CHUNK) {
    const rows = [];
    for (let i = start; i < Math.min(TOTAL, start + CHUNK); i++) {
      rows.push([
        `${FIRST[i % FIRST.length]} ${LAST[(i >> 4) % LAST.length]} ${i}`,
        `Company ${i % 997}`,
        SEGMENTS[i % SEGMENTS.length],
        CITIES[(i >> 2) % CITIES.length],
        `+1415${String(1_000_000 + i).slice(-7)}`,
        `user${i}@example${i % 50}.com`,
        (i % 5) + 1,
      ]);
    }
    await sql(
      base,
      `INSERT INTO contacts (workspace_id, name, company, segment, city, phone, email, score, created_at, updated_at)
       SELECT ?, value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, ?, ?
       FROM json_each(?)`,
      [workspaceId, Date.now(), Date.now(), JSON.stringify(rows)],
    );
  }
  await sql(base, "ANALYZE");
  const seeded = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`seeded ${TOTAL} contacts in ${seeded}s`);

  const raw = `workspaceId=${workspaceId}&userId=${ws.user.id}`;
  const shapes = [
    ["search by name prefix (q=ann)", "q=ann&sort=name&limit=50"],
    ["filter segment+city", "segment=enterprise&city=Paris&sort=name&limit=50"],
    ["sort by name", "sort=name&limit=50"],
  ];
  const rows = [];
  for (const [label, query] of shapes) {
    const check = (body) => {
      if (!Array.isArray(body.data) || body.data.length === 0) throw new Error(`${label}: empty page`);
    };
    const token = await tokenFor(base, ws.token, label);
    const { app, raw: baseline } = await timeInterleaved(base, `/v1/contacts?${query}`, `/__bench/raw/contacts?${raw}&${query}`, {
      token,
      check,
    });
    rows.push(comparisonRow(label, app, baseline, 15));
  }
  console.log(`\nGET /v1/contacts over ${TOTAL} contacts (app and raw requests alternating, 200 each after 20 warm-up):`);
  table(rows);
}
