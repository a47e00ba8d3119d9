import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type Client, newWorkspace } from "./helpers/api";
import { insertContact, newSalesWorkspace } from "./helpers/deals";
import { expectError, expectInvisibleTo, expectUnauthorized } from "./helpers/security";

interface EventDto {
  id: number;
  typeKey: string;
  entityType: string;
  entityId: number;
  actorUserId: number | null;
  payload: any;
  createdAt: string;
}

/** An event written straight to the log, at a chosen time. */
async function insertEvent(workspaceId: number, e: { typeKey: string; entityType: string; entityId: number; createdAt: number }) {
  const row = await env.DB.prepare(
    "INSERT INTO events (workspace_id, type_key, entity_type_key, entity_id, actor_user_id, payload_json, created_at) VALUES (?, ?, ?, ?, NULL, ?, ?) RETURNING id",
  )
    .bind(workspaceId, e.typeKey, e.entityType, e.entityId, JSON.stringify({ note: e.typeKey }), e.createdAt)
    .first<{ id: number }>();
  return row!.id;
}

/** Every page of a list, following nextCursor. */
async function allPages(api: Client, path: string): Promise<EventDto[]> {
  const out: EventDto[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const res: { status: number; body: any } = await api.get(`${path}${cursor ? `${sep}cursor=${cursor}` : ""}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    out.push(...res.body.data);
    cursor = res.body.nextCursor;
  } while (cursor);
  return out;
}

function expectNewestFirst(events: EventDto[]) {
  for (let i = 1; i < events.length; i++) {
    const [newer, older] = [events[i - 1]!, events[i]!];
    const t = [Date.parse(newer.createdAt), Date.parse(older.createdAt)] as const;
    expect(t[0] > t[1] || (t[0] === t[1] && newer.id > older.id), `${newer.id} before ${older.id}`).toBe(true);
  }
}

describe("GET /v1/events — timelines", () => {
  it("gives a deal's timeline newest first, with parsed payloads", async () => {
    const ws = await newSalesWorkspace();
    const deal = await ws.createDeal({ amount: 10 });
    await ws.owner.patch(`/v1/deals/${deal.id}`, { title: "Bigger" });
    await ws.owner.post(`/v1/deals/${deal.id}/stage`, { stageId: ws.pipeline.stages[2]!.id });
    await ws.owner.post(`/v1/deals/${deal.id}/won`);

    const res = await ws.owner.get(`/v1/events?entityType=deal&entityId=${deal.id}`);
    expect(res.status).toBe(200);
    const events: EventDto[] = res.body.data;
    expect(events.map((e) => e.typeKey)).toEqual(["deal.won", "deal.stage_changed", "deal.updated", "deal.created"]);
    expectNewestFirst(events);
    expect(events[1]).toEqual({
      id: expect.any(Number),
      typeKey: "deal.stage_changed",
      entityType: "deal",
      entityId: deal.id,
      actorUserId: ws.user.id,
      payload: {
        contactId: ws.contactId,
        pipelineId: ws.pipeline.id,
        fromStageId: ws.pipeline.stages[0]!.id,
        toStageId: ws.pipeline.stages[2]!.id,
        before: { stageId: ws.pipeline.stages[0]!.id },
        after: { stageId: ws.pipeline.stages[2]!.id },
      },
      createdAt: expect.stringMatching(/Z$/),
    });
    expect(events[2]!.payload).toEqual({ contactId: ws.contactId, before: { title: null }, after: { title: "Bigger" } });
  });

  it("gives a contact's timeline with the events of its deals, and nothing of other contacts", async () => {
    const ws = await newSalesWorkspace();
    const other = await insertContact(ws.workspace.id, "Someone else");
    const joined = await insertEvent(ws.workspace.id, {
      typeKey: "contact.created",
      entityType: "contact",
      entityId: ws.contactId,
      createdAt: Date.now() - 60_000,
    });
    const first = await ws.createDeal({ title: "First" });
    const theirs = await ws.createDeal({ contactId: other, title: "Not hers" });
    const second = await ws.createDeal({ title: "Second" });
    await ws.owner.post(`/v1/deals/${first.id}/lost`, { reason: "timing" });
    await ws.owner.post(`/v1/deals/${theirs.id}/won`);

    const timeline = await allPages(ws.owner, `/v1/events?entityType=contact&entityId=${ws.contactId}&limit=2`);
    expect(timeline.map((e) => [e.typeKey, e.entityType, e.entityId])).toEqual([
      ["deal.lost", "deal", first.id],
      ["deal.created", "deal", second.id],
      ["deal.created", "deal", first.id],
      ["contact.created", "contact", ws.contactId],
    ]);
    expect(timeline[3]!.id).toBe(joined);
    expectNewestFirst(timeline);
    expect(timeline.filter((e) => e.entityType === "deal").every((e) => e.payload.contactId === ws.contactId)).toBe(true);

    const theirTimeline = await allPages(ws.owner, `/v1/events?entityType=contact&entityId=${other}`);
    expect(theirTimeline.map((e) => e.typeKey)).toEqual(["deal.won", "deal.created"]);
  });

  it("is 404 for an entity of another workspace", async () => {
    const a = await newSalesWorkspace();
    const b = await newWorkspace();
    const deal = await a.createDeal();
    await expectInvisibleTo(b.owner, "GET", `/v1/events?entityType=contact&entityId=${a.contactId}`);
    await expectInvisibleTo(b.owner, "GET", `/v1/events?entityType=deal&entityId=${deal.id}`);
    await expectInvisibleTo(b.owner, "GET", `/v1/events?entityType=pipeline&entityId=${a.pipeline.id}`);
    await expectInvisibleTo(b.owner, "GET", `/v1/events?entityType=workspace&entityId=${a.workspace.id}`);
    expect((await a.owner.get(`/v1/events?entityType=workspace&entityId=${a.workspace.id}`)).body.data[0].typeKey).toBe(
      "workspace.created",
    );
  });
});

describe("GET /v1/events — filters", () => {
  it("filters by type, actor and time range, newest first, across pages", async () => {
    const ws = await newSalesWorkspace();
    const rep = await ws.member("Rita");
    const mine = await ws.createDeal();
    const hers = await ws.createDeal({}, rep.api);
    await rep.api.post(`/v1/deals/${hers.id}/won`);
    await ws.owner.post(`/v1/deals/${mine.id}/won`);

    const won = await allPages(ws.owner, "/v1/events?typeKey=deal.won&limit=1");
    expect(won.map((e) => e.entityId)).toEqual([mine.id, hers.id]);

    const byRep = await allPages(ws.owner, `/v1/events?actorUserId=${rep.user.id}`);
    expect(byRep.map((e) => [e.typeKey, e.entityId])).toEqual([
      ["deal.won", hers.id],
      ["deal.created", hers.id],
    ]);

    const day = (d: number) => Date.UTC(2020, 0, d);
    for (const d of [1, 2, 3]) await insertEvent(ws.workspace.id, { typeKey: "test.ping", entityType: "contact", entityId: ws.contactId, createdAt: day(d) });
    const ranged = await ws.owner.get("/v1/events?from=2020-01-02T00:00:00Z&to=2020-01-03T00:00:00.000Z");
    expect(ranged.body.data.map((e: EventDto) => e.createdAt)).toEqual(["2020-01-02T00:00:00.000Z"]);
    const since = await ws.owner.get("/v1/events?typeKey=test.ping&from=2020-01-02T00:00:00%2B00:00");
    expect(since.body.data.map((e: EventDto) => e.createdAt)).toEqual(["2020-01-03T00:00:00.000Z", "2020-01-02T00:00:00.000Z"]);

    const everything = await allPages(ws.owner, "/v1/events?limit=3");
    expectNewestFirst(everything);
    expect(everything.at(-1)!.createdAt).toBe("2020-01-01T00:00:00.000Z");
    expect(new Set(everything.map((e) => e.id)).size).toBe(everything.length);
  });

  it("never shows another workspace's events", async () => {
    const a = await newSalesWorkspace();
    const b = await newWorkspace();
    await a.createDeal();
    const seen = await allPages(b.owner, "/v1/events");
    expect(seen.map((e) => e.typeKey)).toEqual(["workspace.created"]);
    expect((await b.owner.get("/v1/events?typeKey=deal.created")).body.data).toEqual([]);
    expect((await b.owner.get(`/v1/events?actorUserId=${a.user.id}`)).body.data).toEqual([]);
  });

  it("names the invalid query fields", async () => {
    const ws = await newWorkspace();
    expectError(await ws.owner.get("/v1/events?entityType=contact"), 422, "validation_failed", "query.entityId");
    expectError(await ws.owner.get("/v1/events?entityId=1"), 422, "validation_failed", "query.entityType");
    expectError(await ws.owner.get("/v1/events?entityType=Contact!&entityId=1"), 422, "validation_failed", "query.entityType");
    expectError(await ws.owner.get("/v1/events?entityType=deal&entityId=-1"), 422, "validation_failed", "query.entityId");
    expectError(await ws.owner.get("/v1/events?from=yesterday"), 422, "validation_failed", "query.from");
    expectError(
      await ws.owner.get("/v1/events?from=2020-01-02T00:00:00Z&to=2020-01-01T00:00:00Z"),
      422,
      "validation_failed",
      "query.to",
    );
    expectError(await ws.owner.get("/v1/events?actorUserId=me"), 422, "validation_failed", "query.actorUserId");
    expectError(await ws.owner.get("/v1/events?cursor=WzFd"), 400, "invalid_cursor", "query.cursor");
  });

  it("needs a token", async () => {
    await expectUnauthorized("GET", "/v1/events");
    await expectUnauthorized("GET", "/v1/events?entityType=contact&entityId=1");
  });
});

describe("the event log is append-only", () => {
  it("refuses UPDATE and DELETE of an event row, even straight through D1", async () => {
    const ws = await newSalesWorkspace();
    const deal = await ws.createDeal();
    const row = await env.DB.prepare("SELECT * FROM events WHERE entity_type_key = 'deal' AND entity_id = ?").bind(deal.id).first();
    expect(row).not.toBeNull();

    await expect(env.DB.prepare("UPDATE events SET type_key = 'deal.won' WHERE id = ?").bind(row!.id).run()).rejects.toThrow(
      /append-only/,
    );
    await expect(env.DB.prepare("DELETE FROM events WHERE id = ?").bind(row!.id).run()).rejects.toThrow(/append-only/);
    await expect(env.DB.prepare("DELETE FROM events WHERE workspace_id = ?").bind(ws.workspace.id).run()).rejects.toThrow(
      /append-only/,
    );
    expect(await env.DB.prepare("SELECT * FROM events WHERE id = ?").bind(row!.id).first()).toEqual(row);
  });
});
