import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "../src/db/client";
import { deals } from "../src/db/schema";
import { atVersion, guarded, idAtVersion, nextVersion } from "../src/lib/optimistic";
import { append } from "../src/modules/events/event-log";
import { newWorkspace } from "./helpers/api";
import { insertContact, newSalesWorkspace, type Stage } from "./helpers/deals";
import { expectError, expectInvisibleTo, expectUnauthorized } from "./helpers/security";

async function dealRow(id: number) {
  return env.DB.prepare("SELECT * FROM deals WHERE id = ?").bind(id).first<Record<string, unknown>>();
}

async function dealEvents(dealId: number) {
  const rows = await env.DB.prepare("SELECT * FROM events WHERE entity_type_key = 'deal' AND entity_id = ? ORDER BY id")
    .bind(dealId)
    .all<{ type_key: string; actor_user_id: number; payload_json: string }>();
  return rows.results.map((r) => ({ typeKey: r.type_key, actorUserId: r.actor_user_id, payload: JSON.parse(r.payload_json) }));
}

const ids = (res: { body: { data: { id: number }[] } }) => res.body.data.map((d) => d.id);

describe("POST /v1/deals", () => {
  it("creates a deal in the pipeline's first stage, storing the amount in minor units", async () => {
    const ws = await newSalesWorkspace();
    const res = await ws.owner.post("/v1/deals", {
      contactId: ws.contactId,
      pipelineId: ws.pipeline.id,
      title: "  Annual plan ",
      amount: 1234.5,
      currency: "eur",
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      contactId: ws.contactId,
      ownerUserId: ws.user.id,
      pipelineId: ws.pipeline.id,
      stageId: ws.pipeline.stages[0]!.id,
      statusKey: "open",
      title: "Annual plan",
      amount: 1234.5,
      currency: "EUR",
      lostReason: null,
      closedAt: null,
      stageChangedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      createdAt: res.body.stageChangedAt,
      updatedAt: res.body.stageChangedAt,
    });
    expect(await dealRow(res.body.id)).toMatchObject({ amount_minor: 123450, currency: "EUR", status_key: "open" });
    expect(await dealEvents(res.body.id)).toEqual([
      {
        typeKey: "deal.created",
        actorUserId: ws.user.id,
        payload: {
          contactId: ws.contactId,
          after: { pipelineId: ws.pipeline.id, stageId: ws.pipeline.stages[0]!.id, statusKey: "open", title: "Annual plan", amount: 1234.5, currency: "EUR" },
        },
      },
    ]);

    const bare = await ws.createDeal();
    expect(bare).toMatchObject({ title: null, amount: null, currency: "USD" });
  });

  it("takes the first stage by sortIndex after a reorder, or the stage it is given", async () => {
    const ws = await newSalesWorkspace();
    const [lead, qualified] = ws.pipeline.stages as [Stage, Stage];
    const reordered = await ws.owner.put(`/v1/pipelines/${ws.pipeline.id}/stages`, {
      stages: ws.pipeline.stages.map(({ id, name }) => ({ id, name })).reverse(),
    });
    const first = reordered.body.stages[0];
    expect(first.id).not.toBe(lead.id);
    expect((await ws.createDeal()).stageId).toBe(first.id);
    expect((await ws.createDeal({ stageId: qualified.id })).stageId).toBe(qualified.id);
    // Members create deals too.
    const rep = await ws.member();
    expect((await ws.createDeal({}, rep.api)).stageId).toBe(first.id);
  });

  it("names the invalid fields", async () => {
    const ws = await newSalesWorkspace();
    const post = (body: Record<string, unknown>) =>
      ws.owner.post("/v1/deals", { contactId: ws.contactId, pipelineId: ws.pipeline.id, ...body });
    expectError(await ws.owner.post("/v1/deals", { pipelineId: ws.pipeline.id }), 422, "validation_failed", "body.contactId");
    expectError(await post({ amount: -1 }), 422, "validation_failed", "body.amount");
    expectError(await post({ amount: 10.005 }), 422, "validation_failed", "body.amount");
    expectError(await post({ amount: "10" }), 422, "validation_failed", "body.amount");
    expectError(await post({ currency: "dollars" }), 422, "validation_failed", "body.currency");
    expectError(await post({ title: "" }), 422, "validation_failed", "body.title");
    expectError(await post({ stageId: 0 }), 422, "validation_failed", "body.stageId");
    expect((await ws.owner.get("/v1/deals")).body.data).toEqual([]);
  });

  it("refuses references that are not in the caller's workspace with 422 naming the field", async () => {
    const ws = await newSalesWorkspace();
    const other = await newSalesWorkspace();
    const foreignContact = other.contactId;
    const post = (body: Record<string, unknown>) =>
      ws.owner.post("/v1/deals", { contactId: ws.contactId, pipelineId: ws.pipeline.id, ...body });
    expectError(await post({ contactId: foreignContact }), 422, "validation_failed", "body.contactId");
    expectError(await post({ contactId: 999999 }), 422, "validation_failed", "body.contactId");
    expectError(await post({ pipelineId: other.pipeline.id }), 422, "validation_failed", "body.pipelineId");
    expectError(await post({ stageId: other.pipeline.stages[0]!.id }), 422, "validation_failed", "body.stageId");
    expect((await ws.owner.get("/v1/deals")).body.data).toEqual([]);
    expect((await other.owner.get("/v1/deals")).body.data).toEqual([]);
  });

  it("refuses a merged contact and a stage of another pipeline", async () => {
    const ws = await newSalesWorkspace();
    const merged = await insertContact(ws.workspace.id, "Old duplicate");
    await env.DB.prepare("UPDATE contacts SET merged_into_id = ?, merged_at = ? WHERE id = ?").bind(ws.contactId, Date.now(), merged).run();
    const res = await ws.owner.post("/v1/deals", { contactId: merged, pipelineId: ws.pipeline.id });
    expectError(res, 422, "validation_failed", "body.contactId");
    expect(res.body.error.message).toContain(`merged into contact ${ws.contactId}`);

    const other = await ws.owner.post("/v1/pipelines", { name: "Other", stages: ["X"] });
    expectError(
      await ws.owner.post("/v1/deals", { contactId: ws.contactId, pipelineId: ws.pipeline.id, stageId: other.body.stages[0].id }),
      409,
      "conflict",
      "body.stageId",
    );
  });
});

describe("GET /v1/deals", () => {
  it("lists newest first, filters by pipeline, stage, status and contact, and pages", async () => {
    const ws = await newSalesWorkspace();
    const [lead, qualified] = ws.pipeline.stages as [Stage, Stage];
    const otherContact = await insertContact(ws.workspace.id, "Grace");
    const otherPipeline = await ws.owner.post("/v1/pipelines", { name: "Other", stages: ["X"] });
    const a = await ws.createDeal();
    const b = await ws.createDeal({ stageId: qualified.id });
    const c = await ws.createDeal({ contactId: otherContact });
    const d = await ws.createDeal({ pipelineId: otherPipeline.body.id });
    await ws.owner.post(`/v1/deals/${b.id}/won`);

    const all = await ws.owner.get("/v1/deals");
    expect(all.status).toBe(200);
    expect(ids(all)).toEqual([d.id, c.id, b.id, a.id]);
    expect(all.body.nextCursor).toBeNull();
    expect(ids(await ws.owner.get(`/v1/deals?pipelineId=${ws.pipeline.id}`))).toEqual([c.id, b.id, a.id]);
    expect(ids(await ws.owner.get(`/v1/deals?stageId=${lead.id}`))).toEqual([c.id, a.id]);
    expect(ids(await ws.owner.get("/v1/deals?statusKey=won"))).toEqual([b.id]);
    expect(ids(await ws.owner.get(`/v1/deals?statusKey=open&contactId=${ws.contactId}`))).toEqual([d.id, a.id]);
    expect(ids(await ws.owner.get(`/v1/deals?contactId=${otherContact}`))).toEqual([c.id]);

    const page1 = await ws.owner.get("/v1/deals?limit=3");
    expect(ids(page1)).toEqual([d.id, c.id, b.id]);
    const page2 = await ws.owner.get(`/v1/deals?limit=3&cursor=${page1.body.nextCursor}`);
    expect(ids(page2)).toEqual([a.id]);
    expect(page2.body.nextCursor).toBeNull();
  });

  it("names the invalid query fields", async () => {
    const ws = await newWorkspace();
    expectError(await ws.owner.get("/v1/deals?statusKey=pending"), 422, "validation_failed", "query.statusKey");
    expectError(await ws.owner.get("/v1/deals?pipelineId=x"), 422, "validation_failed", "query.pipelineId");
    expectError(await ws.owner.get("/v1/deals?limit=500"), 422, "validation_failed", "query.limit");
    expectError(await ws.owner.get("/v1/deals?cursor=!!"), 400, "invalid_cursor", "query.cursor");
  });

  it("never lists another workspace's deals, whatever the filter", async () => {
    const a = await newSalesWorkspace();
    const b = await newSalesWorkspace();
    await a.createDeal();
    expect((await b.owner.get("/v1/deals")).body.data).toEqual([]);
    expect((await b.owner.get(`/v1/deals?pipelineId=${a.pipeline.id}`)).body.data).toEqual([]);
    expect((await b.owner.get(`/v1/deals?contactId=${a.contactId}`)).body.data).toEqual([]);
  });
});

describe("deal owners", () => {
  it("makes the creator the owner and filters by owner", async () => {
    const ws = await newSalesWorkspace();
    const rep = await ws.member("Rep");
    const mine = await ws.createDeal();
    const theirs = await ws.createDeal({}, rep.api);
    expect(mine.ownerUserId).toBe(ws.user.id);
    expect(theirs.ownerUserId).toBe(rep.user.id);
    expect(ids(await ws.owner.get(`/v1/deals?ownerUserId=${rep.user.id}`))).toEqual([theirs.id]);
  });
});

describe("GET /v1/deals/{id}", () => {
  it("returns the deal; another workspace gets 404", async () => {
    const ws = await newSalesWorkspace();
    const other = await newWorkspace();
    const deal = await ws.createDeal({ amount: 0.29 });
    const res = await ws.owner.get(`/v1/deals/${deal.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(deal);
    expect(res.body.amount).toBe(0.29);
    await expectInvisibleTo(other.owner, "GET", `/v1/deals/${deal.id}`);
    expectError(await ws.owner.get("/v1/deals/0"), 422, "validation_failed", "param.id");
  });
});

describe("PATCH /v1/deals/{id}", () => {
  it("edits title, amount and currency and records only what changed", async () => {
    const ws = await newSalesWorkspace();
    const deal = await ws.createDeal({ title: "Pilot", amount: 10 });
    const res = await ws.owner.patch(`/v1/deals/${deal.id}`, { title: "Full rollout", amount: 99999.99, currency: "gbp" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ title: "Full rollout", amount: 99999.99, currency: "GBP", stageId: deal.stageId });
    expect(await dealRow(deal.id)).toMatchObject({ amount_minor: 9999999 });

    const cleared = await ws.owner.patch(`/v1/deals/${deal.id}`, { title: null, amount: null, currency: "GBP" });
    expect(cleared.body).toMatchObject({ title: null, amount: null, currency: "GBP" });

    const events = await dealEvents(deal.id);
    expect(events.map((e) => e.typeKey)).toEqual(["deal.created", "deal.updated", "deal.updated"]);
    expect(events[1]!.payload).toEqual({
      contactId: ws.contactId,
      before: { title: "Pilot", amount: 10, currency: "USD" },
      after: { title: "Full rollout", amount: 99999.99, currency: "GBP" },
    });
    expect(events[2]!.payload).toEqual({
      contactId: ws.contactId,
      before: { title: "Full rollout", amount: 99999.99 },
      after: { title: null, amount: null },
    });

    // Saving the same values is not a change.
    expect((await ws.owner.patch(`/v1/deals/${deal.id}`, { currency: "GBP" })).status).toBe(200);
    expect(await dealEvents(deal.id)).toHaveLength(3);
  });

  it("names the invalid fields", async () => {
    const ws = await newSalesWorkspace();
    const deal = await ws.createDeal({ amount: 5 });
    expectError(await ws.owner.patch(`/v1/deals/${deal.id}`, { amount: 1.001 }), 422, "validation_failed", "body.amount");
    expectError(await ws.owner.patch(`/v1/deals/${deal.id}`, { currency: null }), 422, "validation_failed", "body.currency");
    expectError(await ws.owner.patch(`/v1/deals/${deal.id}`, {}), 422, "validation_failed", "body");
    expect((await ws.owner.get(`/v1/deals/${deal.id}`)).body.amount).toBe(5);
  });

  it("is 404 for another workspace's deal", async () => {
    const ws = await newSalesWorkspace();
    const other = await newWorkspace();
    const deal = await ws.createDeal({ title: "Mine" });
    await expectInvisibleTo(other.owner, "PATCH", `/v1/deals/${deal.id}`, { title: "Theirs" });
    expect((await ws.owner.get(`/v1/deals/${deal.id}`)).body.title).toBe("Mine");
  });
});

describe("POST /v1/deals/{id}/stage", () => {
  it("moves an open deal and records from/to", async () => {
    const ws = await newSalesWorkspace();
    const [lead, , proposal] = ws.pipeline.stages as [Stage, Stage, Stage];
    const deal = await ws.createDeal();
    const res = await ws.owner.post(`/v1/deals/${deal.id}/stage`, { stageId: proposal.id });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stageId: proposal.id, statusKey: "open" });
    expect(Date.parse(res.body.stageChangedAt)).toBeGreaterThan(Date.parse(deal.stageChangedAt as string));
    const moved = (await dealEvents(deal.id))[1]!;
    expect(moved.typeKey).toBe("deal.stage_changed");
    expect(moved.payload).toMatchObject({ contactId: ws.contactId, fromStageId: lead.id, toStageId: proposal.id });

    // Moving to where it already is changes nothing.
    expect((await ws.owner.post(`/v1/deals/${deal.id}/stage`, { stageId: proposal.id })).body.stageId).toBe(proposal.id);
    expect(await dealEvents(deal.id)).toHaveLength(2);
  });

  it("refuses a stage of another pipeline (409) and an unknown one (422)", async () => {
    const ws = await newSalesWorkspace();
    const deal = await ws.createDeal();
    const other = await ws.owner.post("/v1/pipelines", { name: "Other", stages: ["X"] });
    expectError(await ws.owner.post(`/v1/deals/${deal.id}/stage`, { stageId: other.body.stages[0].id }), 409, "conflict", "body.stageId");
    expectError(await ws.owner.post(`/v1/deals/${deal.id}/stage`, { stageId: 999999 }), 422, "validation_failed", "body.stageId");
    const foreign = await newSalesWorkspace();
    expectError(
      await ws.owner.post(`/v1/deals/${deal.id}/stage`, { stageId: foreign.pipeline.stages[1]!.id }),
      422,
      "validation_failed",
      "body.stageId",
    );
    expectError(await ws.owner.post(`/v1/deals/${deal.id}/stage`, {}), 422, "validation_failed", "body.stageId");
    expect((await ws.owner.get(`/v1/deals/${deal.id}`)).body.stageId).toBe(deal.stageId);
    expect(await dealEvents(deal.id)).toHaveLength(1);
  });

  it("refuses to move a closed deal", async () => {
    const ws = await newSalesWorkspace();
    const deal = await ws.createDeal();
    await ws.owner.post(`/v1/deals/${deal.id}/won`);
    const res = await ws.owner.post(`/v1/deals/${deal.id}/stage`, { stageId: ws.pipeline.stages[1]!.id });
    expectError(res, 409, "conflict");
    expect(res.body.error.message).toContain("won");
    expect((await ws.owner.get(`/v1/deals/${deal.id}`)).body.stageId).toBe(deal.stageId);
  });

  it("is 404 for another workspace's deal", async () => {
    const ws = await newSalesWorkspace();
    const other = await newSalesWorkspace();
    const deal = await ws.createDeal();
    await expectInvisibleTo(other.owner, "POST", `/v1/deals/${deal.id}/stage`, { stageId: other.pipeline.stages[1]!.id });
    await expectInvisibleTo(other.owner, "POST", `/v1/deals/${deal.id}/stage`, { stageId: ws.pipeline.stages[1]!.id });
  });
});

describe("won, lost and reopen", () => {
  it("closes a deal won, reopens it, closes it lost with a reason, and records each step", async () => {
    const ws = await newSalesWorkspace();
    const deal = await ws.createDeal({ amount: 500 });

    const won = await ws.owner.post(`/v1/deals/${deal.id}/won`);
    expect(won.status).toBe(200);
    expect(won.body).toMatchObject({ statusKey: "won", lostReason: null, closedAt: expect.any(String) });

    const reopened = await ws.owner.post(`/v1/deals/${deal.id}/reopen`);
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({ statusKey: "open", closedAt: null, stageId: deal.stageId });

    const lost = await ws.owner.post(`/v1/deals/${deal.id}/lost`, { reason: " went with a competitor " });
    expect(lost.status).toBe(200);
    expect(lost.body).toMatchObject({ statusKey: "lost", lostReason: "went with a competitor", closedAt: expect.any(String) });

    const again = await ws.owner.post(`/v1/deals/${deal.id}/reopen`);
    expect(again.body).toMatchObject({ statusKey: "open", closedAt: null, lostReason: null });

    // Lost without a body at all.
    const bare = await ws.owner.post(`/v1/deals/${deal.id}/lost`);
    expect(bare.status).toBe(200);
    expect(bare.body).toMatchObject({ statusKey: "lost", lostReason: null });

    const events = await dealEvents(deal.id);
    expect(events.map((e) => e.typeKey)).toEqual([
      "deal.created",
      "deal.won",
      "deal.reopened",
      "deal.lost",
      "deal.reopened",
      "deal.lost",
    ]);
    expect(events.every((e) => e.payload.contactId === ws.contactId)).toBe(true);
    expect(events[1]!.payload).toMatchObject({ before: { statusKey: "open" }, after: { statusKey: "won" }, amount: 500 });
    expect(events[2]!.payload).toMatchObject({ stageId: deal.stageId, before: { statusKey: "won" }, after: { statusKey: "open" } });
    expect(events[3]!.payload).toMatchObject({ reason: "went with a competitor", after: { statusKey: "lost" } });
    expect(events[4]!.payload.before).toMatchObject({ statusKey: "lost", lostReason: "went with a competitor" });
  });

  it("refuses the illegal transitions with 409 and changes nothing", async () => {
    const ws = await newSalesWorkspace();
    const deal = await ws.createDeal();
    expectError(await ws.owner.post(`/v1/deals/${deal.id}/reopen`), 409, "conflict");

    await ws.owner.post(`/v1/deals/${deal.id}/won`);
    const closedAt = (await ws.owner.get(`/v1/deals/${deal.id}`)).body.closedAt;
    expectError(await ws.owner.post(`/v1/deals/${deal.id}/won`), 409, "conflict");
    expectError(await ws.owner.post(`/v1/deals/${deal.id}/lost`, { reason: "x" }), 409, "conflict");

    await ws.owner.post(`/v1/deals/${deal.id}/reopen`);
    await ws.owner.post(`/v1/deals/${deal.id}/lost`);
    expectError(await ws.owner.post(`/v1/deals/${deal.id}/lost`), 409, "conflict");
    expectError(await ws.owner.post(`/v1/deals/${deal.id}/won`), 409, "conflict");

    expect((await ws.owner.get(`/v1/deals/${deal.id}`)).body.statusKey).toBe("lost");
    expect(closedAt).not.toBeNull();
    expect((await dealEvents(deal.id)).map((e) => e.typeKey)).toEqual(["deal.created", "deal.won", "deal.reopened", "deal.lost"]);
  });

  it("records one win when the same deal is won twice at once", async () => {
    const ws = await newSalesWorkspace();
    const deal = await ws.createDeal();
    const results = await Promise.all([1, 2, 3].map(() => ws.owner.post(`/v1/deals/${deal.id}/won`)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    expect((await dealEvents(deal.id)).map((e) => e.typeKey)).toEqual(["deal.created", "deal.won"]);
  });

  it("refuses a stale write even when the concurrent one picked the same version (the same millisecond)", async () => {
    const ws = await newSalesWorkspace();
    const deal = await ws.createDeal();
    const db = createDb(env.DB);
    const [read] = await db.select().from(deals).where(eq(deals.id, deal.id));
    const now = nextVersion(read!.updatedAt);
    // The concurrent request read the same row and computed the same version: it wrote first.
    await env.DB.prepare("UPDATE deals SET status_key = 'won', closed_at = ?, updated_at = ? WHERE id = ?").bind(now, now, deal.id).run();
    const write = guarded("the deal", () =>
      db.batch([
        db.update(deals).set({ statusKey: "lost", closedAt: now, updatedAt: now }).where(atVersion(deals, read!.id, read!.updatedAt)),
        append(db, {
          workspaceId: ws.workspace.id,
          typeKey: "deal.lost",
          entityTypeKey: "deal",
          entityId: idAtVersion(deals, read!.id, now),
          actorUserId: ws.user.id,
          createdAt: now,
        }),
      ]),
    );
    await expect(write).rejects.toMatchObject({ code: "conflict", status: 409 });
    expect((await dealEvents(deal.id)).map((e) => e.typeKey)).toEqual(["deal.created"]);
  });

  it("refuses a change based on a stale read with 409, and records no event for it", async () => {
    const ws = await newSalesWorkspace();
    const deal = await ws.createDeal();
    const db = createDb(env.DB);
    const [read] = await db.select().from(deals).where(eq(deals.id, deal.id));
    // Someone else edits the deal between our read and our write.
    expect((await ws.owner.patch(`/v1/deals/${deal.id}`, { title: "Theirs" })).status).toBe(200);

    const now = nextVersion(read!.updatedAt);
    const write = guarded("the deal", () =>
      db.batch([
        db.update(deals).set({ statusKey: "won", closedAt: now, updatedAt: now }).where(atVersion(deals, read!.id, read!.updatedAt)),
        append(db, {
          workspaceId: ws.workspace.id,
          typeKey: "deal.won",
          entityTypeKey: "deal",
          entityId: idAtVersion(deals, read!.id, now),
          actorUserId: ws.user.id,
          createdAt: now,
        }),
      ]),
    );
    await expect(write).rejects.toMatchObject({ code: "conflict", status: 409 });
    expect((await ws.owner.get(`/v1/deals/${deal.id}`)).body).toMatchObject({ statusKey: "open", title: "Theirs" });
    expect((await dealEvents(deal.id)).map((e) => e.typeKey)).toEqual(["deal.created", "deal.updated"]);
  });

  it("names the invalid lost reason", async () => {
    const ws = await newSalesWorkspace();
    const deal = await ws.createDeal();
    expectError(await ws.owner.post(`/v1/deals/${deal.id}/lost`, { reason: "" }), 422, "validation_failed", "body.reason");
    expectError(await ws.owner.post(`/v1/deals/${deal.id}/lost`, { reason: "x".repeat(501) }), 422, "validation_failed", "body.reason");
    expectError(await ws.owner.post("/v1/deals/abc/won"), 422, "validation_failed", "param.id");
    expectError(await ws.owner.post("/v1/deals/abc/reopen"), 422, "validation_failed", "param.id");
    expect((await ws.owner.get(`/v1/deals/${deal.id}`)).body.statusKey).toBe("open");
  });

  it("is 404 for another workspace's deal", async () => {
    const ws = await newSalesWorkspace();
    const other = await newWorkspace();
    const open = await ws.createDeal();
    const closed = await ws.createDeal();
    await ws.owner.post(`/v1/deals/${closed.id}/won`);
    await expectInvisibleTo(other.owner, "POST", `/v1/deals/${open.id}/won`);
    await expectInvisibleTo(other.owner, "POST", `/v1/deals/${open.id}/lost`, { reason: "x" });
    await expectInvisibleTo(other.owner, "POST", `/v1/deals/${closed.id}/reopen`);
    expect((await ws.owner.get(`/v1/deals/${open.id}`)).body.statusKey).toBe("open");
    expect((await ws.owner.get(`/v1/deals/${closed.id}`)).body.statusKey).toBe("won");
  });
});

describe("deals need a token", () => {
  it("answers 401 on every route", async () => {
    await expectUnauthorized("GET", "/v1/deals");
    await expectUnauthorized("POST", "/v1/deals", { contactId: 1, pipelineId: 1 });
    await expectUnauthorized("GET", "/v1/deals/1");
    await expectUnauthorized("PATCH", "/v1/deals/1", { title: "x" });
    await expectUnauthorized("POST", "/v1/deals/1/stage", { stageId: 1 });
    await expectUnauthorized("POST", "/v1/deals/1/won");
    await expectUnauthorized("POST", "/v1/deals/1/lost", { reason: "x" });
    await expectUnauthorized("POST", "/v1/deals/1/reopen");
  });
});
