// The demo workspace, made through the public API so it holds exactly what real use would.
// Idempotent: when the saved owner token still works, nothing is created again.

const FIRST = ["Ana", "Ben", "Chloé", "Dmitri", "Emeka", "Fatima", "Gustavo", "Hana", "Ivan", "Jana", "Kenji", "Lucía"];
const LAST = ["Silva", "Okafor", "Müller", "Kowalski", "Haddad", "Tanaka"];
const COMPANIES = ["Northwind", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries"];
const CITIES = [
  ["Lisbon", null, "+351 21 000 0"],
  ["Berlin", null, "+49 30 0000 "],
  ["Austin", "TX", "+1 512 555 0"],
  ["São Paulo", "SP", "+55 11 9000 0"],
];
const SEGMENTS = ["smb", "mid-market", "enterprise"];
const ROLES = ["CEO", "Head of Sales", "Procurement", "Founder"];

async function call(base, token, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return json;
}

export async function seedDemo(base, adminToken, saved) {
  if (saved?.ownerToken) {
    const me = await fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${saved.ownerToken}` } });
    if (me.ok) return saved;
  }
  if (!adminToken) throw new Error("ADMIN_TOKEN is not set in .dev.vars");
  const created = await call(base, adminToken, "POST", "/v1/workspaces", {
    name: "Demo Co",
    defaultCountry: "US",
    user: { name: "Olivia Owner", email: "owner@demo.parley.test" },
  });
  const ownerToken = created.token;
  const rep = await call(base, ownerToken, "POST", "/v1/users", { name: "Ravi Rep", email: "rep@demo.parley.test", role: "member" });

  const contacts = [];
  for (let i = 0; i < 24; i++) {
    const [city, state, phonePrefix] = CITIES[i % CITIES.length];
    const first = FIRST[i % FIRST.length];
    const last = LAST[(i + Math.floor(i / FIRST.length)) % LAST.length];
    const company = COMPANIES[i % COMPANIES.length];
    contacts.push(
      await call(base, ownerToken, "POST", "/v1/contacts", {
        name: `${first} ${last}`,
        company,
        segment: SEGMENTS[i % SEGMENTS.length],
        role: ROLES[i % ROLES.length],
        city,
        state,
        phone: `${phonePrefix}${String(100 + i).padStart(3, "0")}`,
        email: `${first}.${last}${i}@${company.toLowerCase().replace(/\s+/g, "")}.example`
          .normalize("NFD")
          .replace(/[\u0300-\u036f]/g, "")
          .toLowerCase(),
      }),
    );
  }
  for (const [i, contact] of contacts.slice(0, 8).entries()) {
    await call(base, ownerToken, "PUT", `/v1/contacts/${contact.id}/score`, { value: (i % 5) + 1 });
    await call(base, ownerToken, "PUT", `/v1/contacts/${contact.id}/qualification`, { kindKey: ["hot", "warm", "cold", "customer"][i % 4] });
  }
  const [pipeline] = (await call(base, ownerToken, "GET", "/v1/pipelines")).data;
  for (const [i, contact] of contacts.slice(0, 8).entries()) {
    const stage = pipeline.stages[i % pipeline.stages.length];
    const deal = await call(base, rep.token, "POST", "/v1/deals", {
      contactId: contact.id,
      pipelineId: pipeline.id,
      stageId: stage.id,
      title: `${contact.company} — ${["pilot", "annual plan", "expansion", "renewal"][i % 4]}`,
      amount: 1200 * (i + 1),
      currency: "USD",
    });
    if (i === 6) await call(base, rep.token, "POST", `/v1/deals/${deal.id}/won`);
    if (i === 7) await call(base, rep.token, "POST", `/v1/deals/${deal.id}/lost`, { reason: "went with a competitor" });
  }
  await call(base, rep.token, "PUT", "/v1/pins/1", { contactId: contacts[0].id });
  await call(base, rep.token, "PUT", "/v1/pins/2", { contactId: contacts[1].id });

  return {
    workspaceName: created.workspace.name,
    ownerEmail: created.user.email,
    repEmail: rep.user.email,
    ownerToken,
    repToken: rep.token,
  };
}
