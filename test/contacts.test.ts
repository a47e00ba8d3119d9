import { describe, expect, it } from "vitest";
import { newWorkspace } from "./helpers/api";
import { all, count, one } from "./helpers/db";
import { expectError, expectInvisibleTo, expectUnauthorized } from "./helpers/security";

describe("POST /v1/contacts", () => {
  it("creates a contact with a normalised phone and e-mail, and records the event", async () => {
    const { owner, workspace } = await newWorkspace();
    const res = await owner.post("/v1/contacts", {
      name: "Ada Lovelace",
      company: "Analytical Engines",
      phone: "+1 (415) 555-0100",
      email: " Ada@Example.COM ",
      city: "London",
      identities: [{ channelKey: "telegram", externalId: "1001", handle: "ada" }],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: "Ada Lovelace",
      phone: "+14155550100",
      email: "ada@example.com",
      score: null,
      qualification: null,
      mergedIntoId: null,
    });
    expect(res.body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    const event = await one<{ type_key: string; entity_id: number }>(
      "SELECT type_key, entity_id FROM events WHERE workspace_id = ? AND type_key = 'contact.created'",
      workspace.id,
    );
    expect(event.entity_id).toBe(res.body.id);
    const detail = await owner.get(`/v1/contacts/${res.body.id}`);
    expect(detail.body.identities).toEqual([expect.objectContaining({ channelKey: "telegram", externalId: "1001", handle: "ada" })]);
  });

  it("treats every spelling of a number as one contact", async () => {
    const { owner } = await newWorkspace();
    const first = await owner.post("/v1/contacts", { name: "A", phone: "+1 (415) 555-0100" });
    const again = await owner.post("/v1/contacts", { name: "B", phone: "4155550100" });
    expectError(again, 409, "conflict", "body.phone");
    expect(again.body.error.message).toContain(String(first.body.id));
    expect((await owner.post("/v1/contacts", { name: "C", phone: "4155550101" })).status).toBe(201);
  });

  it("reads national numbers with the workspace's default country", async () => {
    const { owner } = await newWorkspace({ defaultCountry: "DE" });
    const res = await owner.post("/v1/contacts", { name: "Jens", phone: "030 12345678" });
    expect(res.body.phone).toBe("+493012345678");
  });

  it("names the invalid fields", async () => {
    const { owner } = await newWorkspace();
    const res = await owner.post("/v1/contacts", { name: "", email: "nope", identities: [{ channelKey: "fax", externalId: "1" }] });
    expectError(res, 422, "validation_failed");
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(["body.name", "body.email", "body.identities.0.channelKey"]));
    expectError(await owner.post("/v1/contacts", { name: "P", phone: "12" }), 422, "validation_failed", "body.phone");
    expectError(await owner.post("/v1/contacts", { name: "P", phone: "+1 555 000" }), 422, "validation_failed", "body.phone");
    expect(await count("SELECT count(*) AS n FROM contacts WHERE name = 'P'")).toBe(0);
  });

  it("refuses an identity another contact owns", async () => {
    const { owner } = await newWorkspace();
    await owner.post("/v1/contacts", { name: "A", identities: [{ channelKey: "whatsapp", externalId: "4915112345678" }] });
    const res = await owner.post("/v1/contacts", { name: "B", identities: [{ channelKey: "whatsapp", externalId: "4915112345678" }] });
    expectError(res, 409, "conflict", "body.identities.0.externalId");
  });

  it("needs a token", async () => {
    await expectUnauthorized("POST", "/v1/contacts", { name: "A" });
    await expectUnauthorized("GET", "/v1/contacts");
    await expectUnauthorized("GET", "/v1/contacts/1");
    await expectUnauthorized("PATCH", "/v1/contacts/1", { name: "A" });
    await expectUnauthorized("POST", "/v1/contacts/1/merge", { sourceIds: [2] });
    await expectUnauthorized("GET", "/v1/contacts/duplicates");
  });
});

describe("GET /v1/contacts", () => {
  async function seeded() {
    const ws = await newWorkspace();
    const people = [
      { name: "Alice Adams", company: "Acme", segment: "smb", city: "Berlin", phone: "+49 30 1111111", email: "alice@acme.io" },
      { name: "Bob Brown", company: "Acme", segment: "enterprise", city: "Berlin", phone: "+1 415 555 0101" },
      { name: "Carla Cruz", company: "Globex", segment: "smb", city: "Madrid", email: "carla@globex.com" },
      { name: "Dan Dávila", company: "Initech", segment: "smb", city: "Berlin", role: "CTO" },
      { name: "Alina Ames", company: "Umbrella", segment: "enterprise", city: "Paris", state: "IDF" },
    ];
    const ids: Record<string, number> = {};
    for (const p of people) {
      const res = await ws.owner.post("/v1/contacts", p);
      expect(res.status).toBe(201);
      ids[p.name] = res.body.id;
    }
    return { ...ws, ids };
  }
  const names = (res: { body: { data: { name: string }[] } }) => res.body.data.map((c) => c.name);

  it("searches by word prefix across name, company, e-mail and phone", async () => {
    const { owner } = await seeded();
    expect(names(await owner.get("/v1/contacts?q=ali"))).toEqual(["Alice Adams", "Alina Ames"]);
    expect(names(await owner.get("/v1/contacts?q=acme"))).toEqual(["Alice Adams", "Bob Brown"]);
    expect(names(await owner.get("/v1/contacts?q=globex.com"))).toEqual(["Carla Cruz"]);
    expect(names(await owner.get("/v1/contacts?q=davila"))).toEqual(["Dan Dávila"]);
    expect(names(await owner.get(`/v1/contacts?q=${encodeURIComponent("(415) 555-0101")}`))).toEqual(["Bob Brown"]);
    expect(names(await owner.get("/v1/contacts?q=4930111"))).toEqual(["Alice Adams"]);
    expect(names(await owner.get("/v1/contacts?q=zzz"))).toEqual([]);
    expect(names(await owner.get(`/v1/contacts?q=${encodeURIComponent('"*')}`))).toEqual([]);
  });

  it("filters by segment, city, company, role, state", async () => {
    const { owner } = await seeded();
    expect(names(await owner.get("/v1/contacts?segment=smb&city=Berlin"))).toEqual(["Alice Adams", "Dan Dávila"]);
    expect(names(await owner.get("/v1/contacts?company=Acme&segment=enterprise"))).toEqual(["Bob Brown"]);
    expect(names(await owner.get("/v1/contacts?role=CTO"))).toEqual(["Dan Dávila"]);
    expect(names(await owner.get("/v1/contacts?state=IDF"))).toEqual(["Alina Ames"]);
  });

  it("filters by score, qualification and the caller's pins", async () => {
    const { owner, ids, member } = await seeded();
    await owner.put(`/v1/contacts/${ids["Bob Brown"]}/score`, { value: 4 });
    await owner.put(`/v1/contacts/${ids["Carla Cruz"]}/score`, { value: 2 });
    await owner.put(`/v1/contacts/${ids["Carla Cruz"]}/qualification`, { kindKey: "hot" });
    await owner.put("/v1/pins/1", { contactId: ids["Dan Dávila"] });
    expect(names(await owner.get("/v1/contacts?minScore=3"))).toEqual(["Bob Brown"]);
    expect(names(await owner.get("/v1/contacts?qualification=hot"))).toEqual(["Carla Cruz"]);
    expect(names(await owner.get("/v1/contacts?pinned=true"))).toEqual(["Dan Dávila"]);
    expect(names(await owner.get("/v1/contacts?pinned=false"))).toHaveLength(4);
    const rep = await member();
    expect(names(await rep.api.get("/v1/contacts?pinned=true"))).toEqual([]);
  });

  it("sorts and pages with a cursor without skipping or repeating", async () => {
    const { owner } = await seeded();
    for (const sort of ["name", "-name", "createdAt", "-createdAt", "score", "-score", "updatedAt"]) {
      const all = names(await owner.get(`/v1/contacts?sort=${sort}&limit=200`));
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { data: { name: string }[]; nextCursor: string | null } } = await owner.get(
          `/v1/contacts?sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        );
        paged.push(...names(res));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(paged, sort).toEqual(all);
      expect(all).toHaveLength(5);
    }
    expect(names(await owner.get("/v1/contacts?sort=-name&limit=2"))).toEqual(["Dan Dávila", "Carla Cruz"]);
  });

  it("ignores case in text filters and in the name order, and pages that order", async () => {
    const { owner } = await newWorkspace();
    for (const name of ["bob lower", "Alice Upper", "carl lower", "Bea Upper", "ALAN CAPS"]) {
      await owner.post("/v1/contacts", { name, city: name.endsWith("Upper") ? "Berlin" : "berlin", segment: "SMB" });
    }
    expect(names(await owner.get("/v1/contacts?sort=name&limit=200"))).toEqual(["ALAN CAPS", "Alice Upper", "Bea Upper", "bob lower", "carl lower"]);
    expect(names(await owner.get("/v1/contacts?sort=-name&limit=200"))).toEqual(["carl lower", "bob lower", "Bea Upper", "Alice Upper", "ALAN CAPS"]);
    const first = await owner.get("/v1/contacts?sort=name&limit=2");
    const second = await owner.get(`/v1/contacts?sort=name&limit=2&cursor=${first.body.nextCursor}`);
    expect([...names(first), ...names(second)]).toEqual(["ALAN CAPS", "Alice Upper", "Bea Upper", "bob lower"]);
    expect(names(await owner.get("/v1/contacts?city=BERLIN&segment=smb"))).toHaveLength(5);
  });

  it("rejects bad query parameters by name", async () => {
    const { owner } = await seeded();
    expectError(await owner.get("/v1/contacts?limit=0"), 422, "validation_failed", "query.limit");
    expectError(await owner.get("/v1/contacts?limit=201"), 422, "validation_failed", "query.limit");
    expectError(await owner.get("/v1/contacts?sort=phone"), 422, "validation_failed", "query.sort");
    expectError(await owner.get("/v1/contacts?minScore=9"), 422, "validation_failed", "query.minScore");
    expectError(await owner.get("/v1/contacts?pinned=yes"), 422, "validation_failed", "query.pinned");
    expectError(await owner.get("/v1/contacts?cursor=garbage"), 400, "invalid_cursor");
  });

  it("never shows another workspace's contacts", async () => {
    const { ids } = await seeded();
    const other = await newWorkspace();
    expect((await other.owner.get("/v1/contacts?q=acme")).body.data).toEqual([]);
    expect((await other.owner.get("/v1/contacts")).body.data).toEqual([]);
    await expectInvisibleTo(other.owner, "GET", `/v1/contacts/${ids["Bob Brown"]}`);
    await expectInvisibleTo(other.owner, "PATCH", `/v1/contacts/${ids["Bob Brown"]}`, { name: "Hacked" });
  });
});

describe("GET and PATCH /v1/contacts/{id}", () => {
  it("returns the detail with pin, open deals and last conversation", async () => {
    const { owner, workspace } = await newWorkspace();
    const contact = (await owner.post("/v1/contacts", { name: "Eve" })).body;
    await owner.put("/v1/pins/3", { contactId: contact.id });
    const pipeline = await one<{ id: number; stage: number }>(
      "SELECT p.id, min(s.id) AS stage FROM pipelines p JOIN stages s ON s.pipeline_id = p.id WHERE p.workspace_id = ?",
      workspace.id,
    );
    await one(
      "INSERT INTO deals (workspace_id, contact_id, pipeline_id, stage_id, title, amount_minor, created_at, updated_at, stage_changed_at) VALUES (?, ?, ?, ?, 'Big one', 150050, 1, 1, 1) RETURNING id",
      workspace.id,
      contact.id,
      pipeline.id,
      pipeline.stage,
    );
    const res = await owner.get(`/v1/contacts/${contact.id}`);
    expect(res.status).toBe(200);
    expect(res.body.pinSlot).toBe(3);
    expect(res.body.openDeals).toEqual([expect.objectContaining({ title: "Big one", amount: 1500.5, currency: "USD" })]);
    expect(res.body.lastConversation).toBeNull();
  });

  it("updates some fields, normalises, and records before/after", async () => {
    const { owner, workspace } = await newWorkspace();
    const contact = (await owner.post("/v1/contacts", { name: "Finn", city: "Oslo" })).body;
    const res = await owner.patch(`/v1/contacts/${contact.id}`, { phone: "(212) 555-0199", city: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: "Finn", phone: "+12125550199", city: null });
    const event = await one<{ payload_json: string }>(
      "SELECT payload_json FROM events WHERE workspace_id = ? AND type_key = 'contact.updated'",
      workspace.id,
    );
    expect(JSON.parse(event.payload_json)).toEqual({
      before: { phone: null, city: "Oslo" },
      after: { phone: "+12125550199", city: null },
    });
  });

  it("validates a patch", async () => {
    const { owner } = await newWorkspace();
    const contact = (await owner.post("/v1/contacts", { name: "Gus" })).body;
    expectError(await owner.patch(`/v1/contacts/${contact.id}`, {}), 422, "validation_failed");
    expectError(await owner.patch(`/v1/contacts/${contact.id}`, { name: "" }), 422, "validation_failed", "body.name");
    expectError(await owner.patch(`/v1/contacts/${contact.id}`, { phone: "abc" }), 422, "validation_failed", "body.phone");
    expectError(await owner.get("/v1/contacts/abc"), 422, "validation_failed", "param.id");
    expectError(await owner.get("/v1/contacts/999999"), 404, "not_found");
  });
});

describe("POST /v1/contacts/{id}/merge", () => {
  async function scenario() {
    const ws = await newWorkspace();
    const rep = await ws.member("Rep");
    const wsId = ws.workspace.id;
    const target = (await ws.owner.post("/v1/contacts", { name: "Target", email: "t@example.com" })).body;
    const source = (
      await ws.owner.post("/v1/contacts", {
        name: "Source",
        phone: "+1 415 555 0111",
        company: "SourceCo",
        identities: [{ channelKey: "telegram", externalId: "777" }],
      })
    ).body;
    const pipeline = await one<{ id: number; stage: number }>(
      "SELECT p.id, min(s.id) AS stage FROM pipelines p JOIN stages s ON s.pipeline_id = p.id WHERE p.workspace_id = ?",
      wsId,
    );
    const deal = await one<{ id: number }>(
      "INSERT INTO deals (workspace_id, contact_id, pipeline_id, stage_id, created_at, updated_at, stage_changed_at) VALUES (?, ?, ?, ?, 1, 1, 1) RETURNING id",
      wsId,
      source.id,
      pipeline.id,
      pipeline.stage,
    );
    // Both have an open conversation; the source's also has the target as a participant.
    const targetConv = await one<{ id: number }>(
      "INSERT INTO conversations (workspace_id, kind_key, contact_id, created_at, updated_at) VALUES (?, 'contact', ?, 1, 1) RETURNING id",
      wsId,
      target.id,
    );
    const sourceConv = await one<{ id: number }>(
      "INSERT INTO conversations (workspace_id, kind_key, contact_id, created_at, updated_at) VALUES (?, 'contact', ?, 1, 1) RETURNING id",
      wsId,
      source.id,
    );
    for (const [conv, contact] of [
      [targetConv.id, target.id],
      [sourceConv.id, source.id],
      [sourceConv.id, target.id],
      [targetConv.id, source.id],
    ]) {
      await one(
        "INSERT INTO conversation_participants (workspace_id, conversation_id, actor_kind_key, contact_id, created_at, updated_at) VALUES (?, ?, 'contact', ?, 1, 1) RETURNING id",
        wsId,
        conv,
        contact,
      );
    }
    await one(
      "INSERT INTO messages (workspace_id, conversation_id, author_kind_key, author_contact_id, channel_key, body, created_at, updated_at) VALUES (?, ?, 'contact', ?, 'telegram', 'hi', 1, 1) RETURNING id",
      wsId,
      sourceConv.id,
      source.id,
    );
    await ws.owner.put(`/v1/contacts/${source.id}/score`, { value: 5 });
    await ws.owner.put(`/v1/contacts/${source.id}/qualification`, { kindKey: "hot" });
    await ws.owner.put("/v1/pins/1", { contactId: source.id });
    await ws.owner.put("/v1/pins/2", { contactId: target.id });
    await rep.api.put("/v1/pins/4", { contactId: source.id });
    return { ...ws, rep, target, source, deal, targetConv, sourceConv };
  }

  it("previews with dryRun without writing", async () => {
    const s = await scenario();
    const eventsBefore = await count("SELECT count(*) AS n FROM events WHERE workspace_id = ?", s.workspace.id);
    const res = await s.owner.post(`/v1/contacts/${s.target.id}/merge?dryRun=true`, { sourceIds: [s.source.id] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      dryRun: true,
      sourceIds: [s.source.id],
      target: { id: s.target.id, phone: "+14155550111", company: "SourceCo", email: "t@example.com", score: 5, qualification: "hot" },
      moved: { deals: 1, conversations: 1, participations: 2, messages: 1, identities: 1, scores: 1, qualifications: 1, pins: 2 },
    });
    expect((await s.owner.get(`/v1/contacts/${s.source.id}`)).body.mergedIntoId).toBeNull();
    expect(await count("SELECT count(*) AS n FROM deals WHERE contact_id = ?", s.source.id)).toBe(1);
    expect(await count("SELECT count(*) AS n FROM events WHERE workspace_id = ?", s.workspace.id)).toBe(eventsBefore);
  });

  it("moves deals, conversations, participations, identities, scores, qualifications and pins, leaving a tombstone", async () => {
    const s = await scenario();
    const res = await s.owner.post(`/v1/contacts/${s.target.id}/merge`, { sourceIds: [s.source.id] });
    expect(res.status).toBe(200);
    expect(res.body.target).toMatchObject({ id: s.target.id, phone: "+14155550111", company: "SourceCo", score: 5, qualification: "hot" });

    expect(await count("SELECT count(*) AS n FROM deals WHERE contact_id = ?", s.target.id)).toBe(1);
    expect(await count("SELECT count(*) AS n FROM contact_identities WHERE contact_id = ?", s.target.id)).toBe(1);
    expect(await count("SELECT count(*) AS n FROM contact_scores WHERE contact_id = ?", s.target.id)).toBe(1);
    expect(await count("SELECT count(*) AS n FROM contact_qualifications WHERE contact_id = ?", s.target.id)).toBe(1);
    expect(await count("SELECT count(*) AS n FROM messages WHERE author_contact_id = ?", s.target.id)).toBe(1);
    // One participant row per conversation for the target, none left for the source.
    const parts = await all<{ conversation_id: number }>(
      "SELECT conversation_id FROM conversation_participants WHERE contact_id = ? ORDER BY conversation_id",
      s.target.id,
    );
    expect(parts.map((p) => p.conversation_id)).toEqual([s.targetConv.id, s.sourceConv.id]);
    expect(await count("SELECT count(*) AS n FROM conversation_participants WHERE contact_id = ?", s.source.id)).toBe(0);
    // The target keeps its open conversation; the source's is closed and now the target's.
    const convs = await all<{ id: number; status_key: string; contact_id: number }>(
      "SELECT id, status_key, contact_id FROM conversations WHERE workspace_id = ? ORDER BY id",
      s.workspace.id,
    );
    expect(convs).toEqual([
      { id: s.targetConv.id, status_key: "open", contact_id: s.target.id },
      { id: s.sourceConv.id, status_key: "closed", contact_id: s.target.id },
    ]);
    // Owner had pinned both: keeps the target's pin (slot 2). The rep's pin moves to the target.
    const ownerPins = (await s.owner.get("/v1/pins")).body.data;
    expect(ownerPins.map((p: { slot: number; contact: { id: number } }) => [p.slot, p.contact.id])).toEqual([[2, s.target.id]]);
    const repPins = (await s.rep.api.get("/v1/pins")).body.data;
    expect(repPins.map((p: { slot: number; contact: { id: number } }) => [p.slot, p.contact.id])).toEqual([[4, s.target.id]]);

    const tombstone = await s.owner.get(`/v1/contacts/${s.source.id}`);
    expect(tombstone.status).toBe(200);
    expect(tombstone.body.mergedIntoId).toBe(s.target.id);
    expect(tombstone.body.mergedAt).not.toBeNull();
    expect((await s.owner.get("/v1/contacts")).body.data.map((c: { id: number }) => c.id)).toEqual([s.target.id]);
    expectError(await s.owner.patch(`/v1/contacts/${s.source.id}`, { name: "x" }), 409, "conflict");

    const merged = await all<{ payload_json: string }>(
      "SELECT payload_json FROM events WHERE workspace_id = ? AND type_key = 'contact.merged'",
      s.workspace.id,
    );
    expect(merged).toHaveLength(1);
    expect(JSON.parse(merged[0]!.payload_json)).toMatchObject({ sourceIds: [s.source.id], moved: { deals: 1 } });

    // Merging the tombstone again is refused.
    expectError(await s.owner.post(`/v1/contacts/${s.target.id}/merge`, { sourceIds: [s.source.id] }), 409, "conflict");
  });

  it("repoints earlier tombstones at the new survivor", async () => {
    const { owner } = await newWorkspace();
    const [a, b, c] = await Promise.all(["A", "B", "C"].map(async (name) => (await owner.post("/v1/contacts", { name })).body));
    await owner.post(`/v1/contacts/${b.id}/merge`, { sourceIds: [a.id] });
    await owner.post(`/v1/contacts/${c.id}/merge`, { sourceIds: [b.id] });
    expect((await owner.get(`/v1/contacts/${a.id}`)).body.mergedIntoId).toBe(c.id);
  });

  it("validates the sources", async () => {
    const { owner } = await newWorkspace();
    const t = (await owner.post("/v1/contacts", { name: "T" })).body;
    const s = (await owner.post("/v1/contacts", { name: "S" })).body;
    expectError(await owner.post(`/v1/contacts/${t.id}/merge`, { sourceIds: [] }), 422, "validation_failed", "body.sourceIds");
    expectError(await owner.post(`/v1/contacts/${t.id}/merge`, { sourceIds: [t.id] }), 422, "validation_failed", "body.sourceIds");
    expectError(await owner.post(`/v1/contacts/${t.id}/merge`, { sourceIds: [s.id, s.id] }), 422, "validation_failed", "body.sourceIds");
    expectError(await owner.post(`/v1/contacts/${t.id}/merge`, { sourceIds: [999999] }), 404, "not_found");
    expectError(await owner.post(`/v1/contacts/${t.id}/merge?dryRun=maybe`, { sourceIds: [s.id] }), 422, "validation_failed", "query.dryRun");
  });

  it("cannot reach across workspaces, as target or as source", async () => {
    const a = await newWorkspace();
    const b = await newWorkspace();
    const mine = (await a.owner.post("/v1/contacts", { name: "Mine" })).body;
    const theirs = (await b.owner.post("/v1/contacts", { name: "Theirs" })).body;
    await expectInvisibleTo(b.owner, "POST", `/v1/contacts/${mine.id}/merge`, { sourceIds: [theirs.id] });
    const res = await b.owner.post(`/v1/contacts/${theirs.id}/merge`, { sourceIds: [mine.id] });
    expectError(res, 404, "not_found");
    expect((await a.owner.get(`/v1/contacts/${mine.id}`)).body.mergedIntoId).toBeNull();
  });
});

describe("GET /v1/contacts/duplicates", () => {
  it("groups live contacts sharing a phone or e-mail", async () => {
    const { owner, workspace } = await newWorkspace();
    const a = (await owner.post("/v1/contacts", { name: "A", phone: "+1 415 555 0122", email: "same@example.com" })).body;
    // Duplicates arrive through imports in create mode; arrange them directly.
    const b = await one<{ id: number }>(
      "INSERT INTO contacts (workspace_id, name, phone, created_at, updated_at) VALUES (?, 'B', '+14155550122', 1, 1) RETURNING id",
      workspace.id,
    );
    const c = await one<{ id: number }>(
      "INSERT INTO contacts (workspace_id, name, email, created_at, updated_at) VALUES (?, 'C', 'same@example.com', 1, 1) RETURNING id",
      workspace.id,
    );
    const res = await owner.get("/v1/contacts/duplicates");
    expect(res.status).toBe(200);
    expect(
      res.body.data.map((g: { matchOn: string; value: string; contacts: { id: number }[] }) => [g.matchOn, g.value, g.contacts.map((x) => x.id)]),
    ).toEqual([
      ["email", "same@example.com", [a.id, c.id]],
      ["phone", "+14155550122", [a.id, b.id]],
    ]);
    const page1 = await owner.get("/v1/contacts/duplicates?limit=1");
    expect(page1.body.data).toHaveLength(1);
    const page2 = await owner.get(`/v1/contacts/duplicates?limit=1&cursor=${page1.body.nextCursor}`);
    expect(page2.body.data[0].matchOn).toBe("phone");
    expect(page2.body.nextCursor).toBeNull();

    await owner.post(`/v1/contacts/${a.id}/merge`, { sourceIds: [b.id, c.id] });
    expect((await owner.get("/v1/contacts/duplicates")).body.data).toEqual([]);
    const other = await newWorkspace();
    expect((await other.owner.get("/v1/contacts/duplicates")).body.data).toEqual([]);
  });
});

describe("contact list query plans", () => {
  it("filter and sort through the NOCASE indexes, without sorting in a temp b-tree", async () => {
    const { env } = await import("cloudflare:workers");
    const { createDb } = await import("../src/db/client");
    const { contactListQuery } = await import("../src/modules/contacts/contacts.service");
    const caller = { workspaceId: 1, userId: 1, role: "owner" as const, tokenId: 1, defaultCountry: "US", timeZone: "UTC" };
    const plan = async (opts: Parameters<typeof contactListQuery>[2]) => {
      const { sql, params } = contactListQuery(createDb(env.DB), caller, opts).toSQL();
      const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .bind(...params)
        .all<{ detail: string }>();
      return rows.results.map((r) => r.detail).join(" | ");
    };
    const bySegmentCity = await plan({ segment: "smb", city: "Berlin", sort: "name", limit: 50 });
    expect(bySegmentCity).toContain("contacts_ws_segment_city_nocase_idx");
    expect(bySegmentCity).not.toContain("TEMP B-TREE");
    const byName = await plan({ sort: "name", limit: 50 });
    expect(byName).toContain("contacts_ws_name_nocase_idx");
    expect(byName).not.toContain("TEMP B-TREE");
  });
});
