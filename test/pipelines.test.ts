import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newWorkspace, request } from "./helpers/api";
import { defaultPipeline, newSalesWorkspace, type Stage } from "./helpers/deals";
import { expectError, expectInvisibleTo, expectUnauthorized } from "./helpers/security";

const names = (stages: Stage[]) => stages.map((s) => s.name);

async function eventsOf(workspaceId: number, typeKey: string) {
  const rows = await env.DB.prepare("SELECT * FROM events WHERE workspace_id = ? AND type_key = ? ORDER BY id")
    .bind(workspaceId, typeKey)
    .all<{ entity_id: number; actor_user_id: number; payload_json: string }>();
  return rows.results.map((r) => ({ ...r, payload: JSON.parse(r.payload_json) }));
}

describe("GET /v1/pipelines", () => {
  it("lists the default Sales pipeline with its stages in order, then pages", async () => {
    const ws = await newWorkspace();
    const first = await ws.owner.get("/v1/pipelines");
    expect(first.status).toBe(200);
    expect(first.body.nextCursor).toBeNull();
    expect(first.body.data).toHaveLength(1);
    expect(first.body.data[0]).toMatchObject({ name: "Sales" });
    expect(names(first.body.data[0].stages)).toEqual(["Lead", "Qualified", "Proposal", "Negotiation"]);
    expect(first.body.data[0].stages.map((s: Stage) => s.sortIndex)).toEqual([0, 1, 2, 3]);

    const created = await ws.owner.post("/v1/pipelines", { name: "Renewals", stages: ["Due", "Signed"] });
    const page1 = await ws.owner.get("/v1/pipelines?limit=1");
    expect(page1.body.data.map((p: { name: string }) => p.name)).toEqual(["Sales"]);
    const page2 = await ws.owner.get(`/v1/pipelines?limit=1&cursor=${page1.body.nextCursor}`);
    expect(page2.body.data.map((p: { id: number }) => p.id)).toEqual([created.body.id]);
    expect(names(page2.body.data[0].stages)).toEqual(["Due", "Signed"]);
    expect(page2.body.nextCursor).toBeNull();

    // Members read pipelines too.
    const rep = await ws.member();
    expect((await rep.api.get("/v1/pipelines")).body.data).toHaveLength(2);
  });

  it("names the invalid query field and refuses a forged cursor", async () => {
    const ws = await newWorkspace();
    expectError(await ws.owner.get("/v1/pipelines?limit=0"), 422, "validation_failed", "query.limit");
    expectError(await ws.owner.get("/v1/pipelines?cursor=garbage"), 400, "invalid_cursor", "query.cursor");
  });

  it("never shows another workspace's pipelines", async () => {
    const a = await newWorkspace();
    const b = await newWorkspace();
    await a.owner.post("/v1/pipelines", { name: "Secret", stages: ["One"] });
    const seen = await b.owner.get("/v1/pipelines");
    expect(seen.body.data.map((p: { name: string }) => p.name)).toEqual(["Sales"]);
  });
});

describe("POST /v1/pipelines", () => {
  it("creates a pipeline with ordered stages and records pipeline.created", async () => {
    const ws = await newWorkspace();
    const res = await ws.owner.post("/v1/pipelines", { name: " Partners ", stages: ["Intro", "Pilot", "Contract"] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "Partners" });
    expect(res.body.stages.map((s: Stage) => [s.name, s.sortIndex])).toEqual([
      ["Intro", 0],
      ["Pilot", 1],
      ["Contract", 2],
    ]);
    expect((await ws.owner.get(`/v1/pipelines/${res.body.id}`)).body).toEqual(res.body);

    const [event] = await eventsOf(ws.workspace.id, "pipeline.created");
    expect(event).toMatchObject({ entity_id: res.body.id, actor_user_id: ws.user.id });
    expect(event!.payload).toEqual({ after: { name: "Partners", stages: ["Intro", "Pilot", "Contract"] } });
  });

  it("is for owners only", async () => {
    const ws = await newWorkspace();
    const rep = await ws.member();
    expectError(await rep.api.post("/v1/pipelines", { name: "Mine", stages: ["A"] }), 403, "forbidden");
    expect((await ws.owner.get("/v1/pipelines")).body.data).toHaveLength(1);
  });

  it("names the invalid fields", async () => {
    const ws = await newWorkspace();
    expectError(await ws.owner.post("/v1/pipelines", { name: "", stages: ["A"] }), 422, "validation_failed", "body.name");
    expectError(await ws.owner.post("/v1/pipelines", { name: "P", stages: [] }), 422, "validation_failed", "body.stages");
    expectError(await ws.owner.post("/v1/pipelines", { name: "P" }), 422, "validation_failed", "body.stages");
    expectError(await ws.owner.post("/v1/pipelines", { name: "P", stages: ["A", " "] }), 422, "validation_failed", "body.stages.1");
    expectError(await ws.owner.post("/v1/pipelines", { name: "P", stages: ["Lead", "lead"] }), 422, "validation_failed", "body.stages.1");
    expect((await ws.owner.get("/v1/pipelines")).body.data).toHaveLength(1);
  });
});

describe("GET /v1/pipelines/{id}", () => {
  it("returns the pipeline with its stages; another workspace gets 404", async () => {
    const ws = await newWorkspace();
    const other = await newWorkspace();
    const pipeline = await defaultPipeline(ws.owner);
    const res = await ws.owner.get(`/v1/pipelines/${pipeline.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(pipeline);
    await expectInvisibleTo(other.owner, "GET", `/v1/pipelines/${pipeline.id}`);
    expectError(await ws.owner.get("/v1/pipelines/abc"), 422, "validation_failed", "param.id");
    expectError(await ws.owner.get("/v1/pipelines/999999"), 404, "not_found");
  });
});

describe("PUT /v1/pipelines/{id}/stages", () => {
  it("renames, reorders, adds and removes stages in one go and records before/after", async () => {
    const ws = await newWorkspace();
    const { id, stages } = await defaultPipeline(ws.owner);
    const [lead, qualified, proposal, negotiation] = stages as [Stage, Stage, Stage, Stage];
    const res = await ws.owner.put(`/v1/pipelines/${id}/stages`, {
      stages: [
        { id: qualified.id, name: "Qualified" },
        { id: lead.id, name: "New lead" },
        { name: "Demo" },
        { id: negotiation.id, name: "Negotiation" },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.stages.map((s: Stage) => [s.name, s.sortIndex])).toEqual([
      ["Qualified", 0],
      ["New lead", 1],
      ["Demo", 2],
      ["Negotiation", 3],
    ]);
    expect(res.body.stages[0].id).toBe(qualified.id);
    expect(res.body.stages[1].id).toBe(lead.id);
    expect(res.body.stages.map((s: Stage) => s.id)).not.toContain(proposal.id);
    expect((await ws.owner.get(`/v1/pipelines/${id}`)).body.stages).toEqual(res.body.stages);

    const [event] = await eventsOf(ws.workspace.id, "pipeline.stages_changed");
    expect(event).toMatchObject({ entity_id: id, actor_user_id: ws.user.id });
    expect(names(event!.payload.before)).toEqual(["Lead", "Qualified", "Proposal", "Negotiation"]);
    expect(event!.payload.after).toEqual([
      { id: qualified.id, name: "Qualified", sortIndex: 0 },
      { id: lead.id, name: "New lead", sortIndex: 1 },
      { id: null, name: "Demo", sortIndex: 2 },
      { id: negotiation.id, name: "Negotiation", sortIndex: 3 },
    ]);
    expect(event!.payload.removed).toEqual([proposal]);

    // Sending the same list again changes nothing and records nothing.
    const again = await ws.owner.put(`/v1/pipelines/${id}/stages`, { stages: res.body.stages.map(({ id, name }: Stage) => ({ id, name })) });
    expect(again.body).toEqual(res.body);
    expect(await eventsOf(ws.workspace.id, "pipeline.stages_changed")).toHaveLength(1);
  });

  it("refuses to remove a stage that still holds deals, open or closed, and says how many", async () => {
    const ws = await newSalesWorkspace();
    const [lead, qualified, proposal] = ws.pipeline.stages as [Stage, Stage, Stage];
    await ws.createDeal({ stageId: qualified.id });
    const lost = await ws.createDeal({ stageId: qualified.id });
    expect((await ws.owner.post(`/v1/deals/${lost.id}/lost`, { reason: "budget" })).status).toBe(200);
    await ws.createDeal({ stageId: proposal.id });

    const res = await ws.owner.put(`/v1/pipelines/${ws.pipeline.id}/stages`, {
      stages: [{ id: lead.id, name: "Lead" }, { name: "Brand new" }],
    });
    expectError(res, 409, "conflict");
    expect(res.body.error.message).toContain('"Qualified" still holds 2 deals');
    expect(res.body.error.message).toContain('"Proposal" still holds 1 deal');
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ stageId: qualified.id, deals: 2 }),
        expect.objectContaining({ stageId: proposal.id, deals: 1 }),
      ]),
    );
    // Nothing of the request happened.
    expect((await ws.owner.get(`/v1/pipelines/${ws.pipeline.id}`)).body.stages).toEqual(ws.pipeline.stages);
    expect(await eventsOf(ws.workspace.id, "pipeline.stages_changed")).toHaveLength(0);

    // The empty stages can go.
    const ok = await ws.owner.put(`/v1/pipelines/${ws.pipeline.id}/stages`, {
      stages: [
        { id: qualified.id, name: "Qualified" },
        { id: proposal.id, name: "Proposal" },
      ],
    });
    expect(ok.status).toBe(200);
    expect(names(ok.body.stages)).toEqual(["Qualified", "Proposal"]);
  });

  it("is for owners only", async () => {
    const ws = await newWorkspace();
    const rep = await ws.member();
    const { id, stages } = await defaultPipeline(ws.owner);
    const res = await rep.api.put(`/v1/pipelines/${id}/stages`, { stages: [{ id: stages[0]!.id, name: "Mine" }] });
    expectError(res, 403, "forbidden");
  });

  it("names the invalid fields", async () => {
    const ws = await newWorkspace();
    const { id, stages } = await defaultPipeline(ws.owner);
    const other = await ws.owner.post("/v1/pipelines", { name: "Other", stages: ["X"] });
    const put = (body: unknown) => ws.owner.put(`/v1/pipelines/${id}/stages`, body);
    expectError(await put({ stages: [] }), 422, "validation_failed", "body.stages");
    expectError(await put({ stages: [{ id: stages[0]!.id }] }), 422, "validation_failed", "body.stages.0.name");
    expectError(await put({ stages: [{ name: "A" }, { name: "a" }] }), 422, "validation_failed", "body.stages.1.name");
    expectError(
      await put({ stages: [{ id: stages[0]!.id, name: "A" }, { id: stages[0]!.id, name: "B" }] }),
      422,
      "validation_failed",
      "body.stages.1.id",
    );
    // A stage of another pipeline is not one of this pipeline's.
    expectError(await put({ stages: [{ id: other.body.stages[0].id, name: "X" }] }), 422, "validation_failed", "body.stages.0.id");
    expect((await ws.owner.get(`/v1/pipelines/${id}`)).body.stages).toEqual(stages);
  });

  it("is 404 for another workspace's pipeline", async () => {
    const a = await newWorkspace();
    const b = await newWorkspace();
    const { id, stages } = await defaultPipeline(a.owner);
    await expectInvisibleTo(b.owner, "PUT", `/v1/pipelines/${id}/stages`, { stages: [{ name: "Hijack" }] });
    expect((await a.owner.get(`/v1/pipelines/${id}`)).body.stages).toEqual(stages);
  });
});

describe("GET /v1/pipelines/{id}/board", () => {
  it("shows each stage's open deals, newest first, with counts and sums that match the deals", async () => {
    const ws = await newSalesWorkspace();
    const [lead, qualified, proposal, negotiation] = ws.pipeline.stages as [Stage, Stage, Stage, Stage];
    const l1 = await ws.createDeal({ amount: 100.5 });
    const l2 = await ws.createDeal({ amount: 200.25 });
    const l3 = await ws.createDeal({ amount: 50, currency: "EUR" });
    const l4 = await ws.createDeal({}); // no amount: counted, not summed
    const q1 = await ws.createDeal({ stageId: qualified.id, amount: 1000 });
    const won1 = await ws.createDeal({ stageId: proposal.id, amount: 300 });
    const won2 = await ws.createDeal({ stageId: negotiation.id, amount: 0.1 });
    const lost1 = await ws.createDeal({ stageId: negotiation.id, amount: 70 });
    for (const id of [won1.id, won2.id]) expect((await ws.owner.post(`/v1/deals/${id}/won`)).status).toBe(200);
    expect((await ws.owner.post(`/v1/deals/${lost1.id}/lost`, {})).status).toBe(200);
    // Deals of another pipeline do not show up.
    const other = await ws.owner.post("/v1/pipelines", { name: "Other", stages: ["X"] });
    await ws.createDeal({ pipelineId: other.body.id, amount: 999 });

    const res = await ws.owner.get(`/v1/pipelines/${ws.pipeline.id}/board`);
    expect(res.status).toBe(200);
    expect(res.body.pipeline).toEqual({ id: ws.pipeline.id, name: "Sales" });
    expect(res.body.stages.map((s: Stage) => s.id)).toEqual([lead.id, qualified.id, proposal.id, negotiation.id]);
    const [leadCol, qualifiedCol, proposalCol, negotiationCol] = res.body.stages;
    expect(leadCol.open).toEqual({
      count: 4,
      amounts: [
        { currency: "EUR", amount: 50 },
        { currency: "USD", amount: 300.75 },
      ],
    });
    expect(leadCol.deals.map((d: { id: number }) => d.id)).toEqual([l4.id, l3.id, l2.id, l1.id]);
    expect(leadCol.nextCursor).toBeNull();
    expect(qualifiedCol.open).toEqual({ count: 1, amounts: [{ currency: "USD", amount: 1000 }] });
    expect(qualifiedCol.deals.map((d: { id: number }) => d.id)).toEqual([q1.id]);
    expect(proposalCol.open).toEqual({ count: 0, amounts: [] });
    expect(proposalCol.deals).toEqual([]);
    expect(negotiationCol.open).toEqual({ count: 0, amounts: [] });
    expect(res.body.won).toEqual({ count: 2, amounts: [{ currency: "USD", amount: 300.1 }] });
    expect(res.body.lost).toEqual({ count: 1, amounts: [{ currency: "USD", amount: 70 }] });

    // A short page per stage continues through the deals list.
    const short = await ws.owner.get(`/v1/pipelines/${ws.pipeline.id}/board?limit=2`);
    const col = short.body.stages[0];
    expect(col.open.count).toBe(4);
    expect(col.deals.map((d: { id: number }) => d.id)).toEqual([l4.id, l3.id]);
    const rest = await ws.owner.get(
      `/v1/deals?pipelineId=${ws.pipeline.id}&stageId=${lead.id}&status=open&cursor=${col.nextCursor}`,
    );
    expect(rest.body.data.map((d: { id: number }) => d.id)).toEqual([l2.id, l1.id]);
  });

  it("names the invalid query field", async () => {
    const ws = await newSalesWorkspace();
    expectError(await ws.owner.get(`/v1/pipelines/${ws.pipeline.id}/board?limit=-1`), 422, "validation_failed", "query.limit");
    expectError(await ws.owner.get(`/v1/pipelines/${ws.pipeline.id}/board?limit=201`), 422, "validation_failed", "query.limit");
  });

  it("is 404 for another workspace's pipeline", async () => {
    const a = await newSalesWorkspace();
    const b = await newWorkspace();
    await a.createDeal({ amount: 5 });
    await expectInvisibleTo(b.owner, "GET", `/v1/pipelines/${a.pipeline.id}/board`);
  });
});

describe("pipelines need a token", () => {
  it("answers 401 on every route", async () => {
    await expectUnauthorized("GET", "/v1/pipelines");
    await expectUnauthorized("POST", "/v1/pipelines", { name: "P", stages: ["A"] });
    await expectUnauthorized("GET", "/v1/pipelines/1");
    await expectUnauthorized("PUT", "/v1/pipelines/1/stages", { stages: [{ name: "A" }] });
    await expectUnauthorized("GET", "/v1/pipelines/1/board");
  });
});

describe("OpenAPI", () => {
  it("documents the pipeline, deal and event routes behind the bearer token", async () => {
    const doc = await request("GET", "/openapi.json");
    const routes = [
      ["get", "/v1/pipelines"],
      ["post", "/v1/pipelines"],
      ["get", "/v1/pipelines/{id}"],
      ["put", "/v1/pipelines/{id}/stages"],
      ["get", "/v1/pipelines/{id}/board"],
      ["get", "/v1/deals"],
      ["post", "/v1/deals"],
      ["get", "/v1/deals/{id}"],
      ["patch", "/v1/deals/{id}"],
      ["post", "/v1/deals/{id}/stage"],
      ["post", "/v1/deals/{id}/won"],
      ["post", "/v1/deals/{id}/lost"],
      ["post", "/v1/deals/{id}/reopen"],
      ["get", "/v1/events"],
    ] as const;
    for (const [method, path] of routes) {
      const op = doc.body.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op.security).toEqual([{ bearerAuth: [] }]);
      expect(op.tags).toHaveLength(1);
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(["401", "404", "422"]));
    }
  });
});
