// Analytics: counters, rep performance and pipeline conversion over hand-built histories with
// known answers. Messages, calls and events are written straight to D1 at chosen times, as the
// inbox and the deal routes would have left them.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../src/db/client";
import type { Caller } from "../src/env";
import { countersStatements } from "../src/modules/analytics/counters.service";
import { performanceQueries } from "../src/modules/analytics/performance.service";
import { pipelineReportQuery } from "../src/modules/analytics/pipeline-report.service";
import { localDays } from "../src/lib/time-zone";
import { type Client, newWorkspace } from "./helpers/api";
import { all } from "./helpers/db";
import { defaultPipeline, insertContact } from "./helpers/deals";
import { expectError, expectUnauthorized } from "./helpers/security";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const isoOf = (ms: number) => new Date(ms).toISOString();
const range = (from: number, to: number) => `from=${isoOf(from)}&to=${isoOf(to)}`;

async function setTimeZone(workspaceId: number, timeZone: string) {
  await env.DB.prepare("UPDATE workspaces SET time_zone = ? WHERE id = ?").bind(timeZone, workspaceId).run();
}

interface EventSpec {
  typeKey: string;
  at: number;
  actor?: number | null;
  entityId?: number;
  payload?: unknown;
}

async function insertEvents(workspaceId: number, specs: EventSpec[]) {
  await env.DB.batch(
    specs.map((e) =>
      env.DB.prepare(
        "INSERT INTO events (workspace_id, type_key, entity_type_key, entity_id, actor_user_id, payload_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ).bind(
        workspaceId,
        e.typeKey,
        e.typeKey.split(".")[0]!,
        e.entityId ?? 1,
        e.actor ?? null,
        e.payload === undefined ? null : JSON.stringify(e.payload),
        e.at,
      ),
    ),
  );
}

/** A contact conversation (its own contact, so any number of them can be open). */
async function insertConversation(workspaceId: number, name = "Contact") {
  const contactId = await insertContact(workspaceId, name);
  const row = await env.DB.prepare(
    "INSERT INTO conversations (workspace_id, kind_key, status_key, contact_id, created_at, updated_at) VALUES (?, 'contact', 'open', ?, 0, 0) RETURNING id",
  )
    .bind(workspaceId, contactId)
    .first<{ id: number }>();
  return { id: row!.id, contactId };
}

type Author = { user: number } | { contact: number } | "system";

async function insertMessages(workspaceId: number, conversationId: number, messages: [Author, number][]) {
  await env.DB.batch(
    messages.map(([author, at]) =>
      env.DB.prepare(
        "INSERT INTO messages (workspace_id, conversation_id, author_kind_key, author_user_id, author_contact_id, channel_key, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'whatsapp', 'hi', ?, ?)",
      ).bind(
        workspaceId,
        conversationId,
        author === "system" ? "system" : "user" in author ? "user" : "contact",
        author !== "system" && "user" in author ? author.user : null,
        author !== "system" && "contact" in author ? author.contact : null,
        at,
        at,
      ),
    ),
  );
}

interface CallSpec {
  startedBy: number | { contact: number };
  status: string;
  startedAt: number;
  connectedAt?: number;
  endedAt?: number;
}

async function insertCalls(workspaceId: number, conversationId: number, specs: CallSpec[]) {
  await env.DB.batch(
    specs.map((c) =>
      env.DB.prepare(
        "INSERT INTO calls (workspace_id, conversation_id, started_by_user_id, started_by_contact_id, channel_key, kind_key, status_key, started_at, connected_at, ended_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'phone', 'voice', ?, ?, ?, ?, ?, ?)",
      ).bind(
        workspaceId,
        conversationId,
        typeof c.startedBy === "number" ? c.startedBy : null,
        typeof c.startedBy === "number" ? null : c.startedBy.contact,
        c.status,
        c.startedAt,
        c.connectedAt ?? null,
        c.endedAt ?? null,
        c.startedAt,
        c.startedAt,
      ),
    ),
  );
}

async function get(api: Client, path: string) {
  const res = await api.get(path);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

describe("GET /v1/analytics/counters", () => {
  const from = Date.UTC(2026, 0, 10);
  const to = Date.UTC(2026, 0, 20);

  it("counts events by type in [from, to): from inclusive, to exclusive", async () => {
    const ws = await newWorkspace();
    await insertEvents(ws.workspace.id, [
      { typeKey: "deal.won", at: from - 1 },
      { typeKey: "deal.won", at: from },
      { typeKey: "deal.won", at: from + DAY },
      { typeKey: "contact.created", at: to - 1 },
      { typeKey: "contact.created", at: to },
    ]);
    const body = await get(ws.owner, `/v1/analytics/counters?groupBy=type&${range(from, to)}`);
    expect(body).toEqual({
      groupBy: "type",
      from: isoOf(from),
      to: isoOf(to),
      timeZone: "UTC",
      total: 3,
      data: [
        { typeKey: "contact.created", count: 1 },
        { typeKey: "deal.won", count: 2 },
      ],
    });
  });

  it("restricts types by repeated or comma-separated keys and by prefixes, counting each event once", async () => {
    const ws = await newWorkspace();
    const at = from + HOUR;
    await insertEvents(ws.workspace.id, [
      { typeKey: "deal.created", at },
      { typeKey: "deal.created", at },
      { typeKey: "deal.won", at },
      { typeKey: "dealer.created", at },
      { typeKey: "contact.created", at },
      { typeKey: "contact.created", at },
      { typeKey: "contact.created", at },
      { typeKey: "message.sent", at },
    ]);
    const types = async (filter: string) =>
      (await get(ws.owner, `/v1/analytics/counters?groupBy=type&${filter}&${range(from, to)}`)).data;

    expect(await types("typeKey=deal.*")).toEqual([
      { typeKey: "deal.created", count: 2 },
      { typeKey: "deal.won", count: 1 },
    ]);
    const exact = [
      { typeKey: "contact.created", count: 3 },
      { typeKey: "deal.lost", count: 0 },
      { typeKey: "deal.won", count: 1 },
    ];
    expect(await types("typeKey=deal.won,contact.created,deal.lost")).toEqual(exact);
    expect(await types("typeKey=deal.won&typeKey=contact.created&typeKey=deal.lost")).toEqual(exact);
    expect(await types("typeKey=deal.*&typeKey=deal.won&typeKey=message.sent")).toEqual([
      { typeKey: "deal.created", count: 2 },
      { typeKey: "deal.won", count: 1 },
      { typeKey: "message.sent", count: 1 },
    ]);
    const everything = await get(ws.owner, `/v1/analytics/counters?groupBy=type&typeKey=*&${range(from, to)}`);
    expect(everything.total).toBe(8);
  });

  it("groups by user: every user of the workspace, idle ones at 0, then events without an actor", async () => {
    const ws = await newWorkspace();
    const rep = await ws.member("Rep");
    const idle = await ws.member("Idle");
    const at = from + HOUR;
    await insertEvents(ws.workspace.id, [
      { typeKey: "deal.won", at, actor: rep.user.id },
      { typeKey: "deal.won", at, actor: rep.user.id },
      { typeKey: "deal.lost", at, actor: rep.user.id },
      { typeKey: "contact.created", at, actor: ws.user.id },
      { typeKey: "message.received", at, actor: null },
      { typeKey: "deal.won", at: to, actor: rep.user.id },
    ]);
    const body = await get(ws.owner, `/v1/analytics/counters?groupBy=user&${range(from, to)}`);
    expect(body.total).toBe(5);
    expect(body.data).toEqual([
      { userId: ws.user.id, count: 1, byType: { "contact.created": 1 } },
      { userId: rep.user.id, count: 3, byType: { "deal.won": 2, "deal.lost": 1 } },
      { userId: idle.user.id, count: 0, byType: {} },
      { userId: null, count: 1, byType: { "message.received": 1 } },
    ]);

    const deals = await get(ws.owner, `/v1/analytics/counters?groupBy=user&typeKey=deal.won&${range(from, to)}`);
    expect(deals.data.map((row: any) => [row.userId, row.count])).toEqual([
      [ws.user.id, 0],
      [rep.user.id, 2],
      [idle.user.id, 0],
    ]);
  });

  it("buckets days in America/New_York around midnight and across both DST changes", async () => {
    const ws = await newWorkspace();
    await setTimeZone(ws.workspace.id, "America/New_York");
    // 2026-03-08: clocks go 02:00 EST → 03:00 EDT (07:00Z); the day lasts 23 hours.
    await insertEvents(ws.workspace.id, [
      { typeKey: "deal.won", at: Date.parse("2026-03-08T04:59:59.999Z") }, // Mar 7, 23:59:59.999 EST
      { typeKey: "deal.won", at: Date.parse("2026-03-08T05:00:00Z") }, // Mar 8, 00:00 EST
      { typeKey: "deal.lost", at: Date.parse("2026-03-08T07:00:00Z") }, // Mar 8, 03:00 EDT
      { typeKey: "deal.lost", at: Date.parse("2026-03-09T03:59:59Z") }, // Mar 8, 23:59:59 EDT
      { typeKey: "deal.won", at: Date.parse("2026-03-09T04:00:00Z") }, // Mar 9, 00:00 EDT
    ]);
    const spring = await get(
      ws.owner,
      `/v1/analytics/counters?groupBy=day&from=2026-03-07T00:00:00-05:00&to=2026-03-10T00:00:00-04:00`,
    );
    expect(spring.timeZone).toBe("America/New_York");
    expect(spring.data).toEqual([
      { day: "2026-03-07", count: 1, byType: { "deal.won": 1 } },
      { day: "2026-03-08", count: 3, byType: { "deal.won": 1, "deal.lost": 2 } },
      { day: "2026-03-09", count: 1, byType: { "deal.won": 1 } },
    ]);

    // 2026-11-01: clocks go 02:00 EDT → 01:00 EST (06:00Z); the day lasts 25 hours.
    await insertEvents(ws.workspace.id, [
      { typeKey: "call.ended", at: Date.parse("2026-11-01T03:59:59Z") }, // Oct 31, 23:59:59 EDT
      { typeKey: "call.ended", at: Date.parse("2026-11-01T04:00:00Z") }, // Nov 1, 00:00 EDT
      { typeKey: "call.ended", at: Date.parse("2026-11-02T04:30:00Z") }, // Nov 1, 23:30 EST
      { typeKey: "call.ended", at: Date.parse("2026-11-02T05:00:00Z") }, // Nov 2, 00:00 EST
    ]);
    const fall = await get(ws.owner, `/v1/analytics/counters?groupBy=day&typeKey=call.*&from=2026-10-31T04:00:00Z&to=2026-11-03T05:00:00Z`);
    expect(fall.data.map((d: any) => [d.day, d.count])).toEqual([
      ["2026-10-31", 1],
      ["2026-11-01", 2],
      ["2026-11-02", 1],
    ]);
  });

  it("buckets days in Asia/Kolkata (UTC+05:30); partial first and last days are kept, empty days count 0", async () => {
    const ws = await newWorkspace();
    await setTimeZone(ws.workspace.id, "Asia/Kolkata");
    await insertEvents(ws.workspace.id, [
      { typeKey: "message.sent", at: Date.parse("2026-01-10T18:29:59.999Z") }, // Jan 10, 23:59:59.999 IST
      { typeKey: "message.sent", at: Date.parse("2026-01-10T18:30:00Z") }, // Jan 11, 00:00 IST
      { typeKey: "message.sent", at: Date.parse("2026-01-13T06:00:00Z") }, // Jan 13, 11:30 IST
    ]);
    // 12:00 IST on Jan 10 to 12:00 IST on Jan 13.
    const body = await get(ws.owner, `/v1/analytics/counters?from=2026-01-10T06:30:00Z&to=2026-01-13T06:30:00Z`);
    expect(body.groupBy).toBe("day");
    expect(body.data.map((d: any) => [d.day, d.count])).toEqual([
      ["2026-01-10", 1],
      ["2026-01-11", 1],
      ["2026-01-12", 0],
      ["2026-01-13", 1],
    ]);
  });

  it("defaults to the last 30 days", async () => {
    const ws = await newWorkspace();
    const now = Date.now();
    await insertEvents(ws.workspace.id, [
      { typeKey: "deal.won", at: now - HOUR },
      { typeKey: "deal.won", at: now - 29 * DAY },
      { typeKey: "deal.won", at: now - 31 * DAY },
    ]);
    const body = await get(ws.owner, "/v1/analytics/counters?groupBy=type&typeKey=deal.won");
    expect(body.data).toEqual([{ typeKey: "deal.won", count: 2 }]);
    expect(Date.parse(body.to) - Date.parse(body.from)).toBe(30 * DAY);
    expect(Math.abs(Date.parse(body.to) - now)).toBeLessThan(60 * SECOND);
  });

  it("gives zeros for a period without events", async () => {
    const ws = await newWorkspace();
    const byDay = await get(ws.owner, `/v1/analytics/counters?${range(from, from + 3 * DAY)}`);
    expect(byDay.total).toBe(0);
    expect(byDay.data).toEqual([
      { day: "2026-01-10", count: 0, byType: {} },
      { day: "2026-01-11", count: 0, byType: {} },
      { day: "2026-01-12", count: 0, byType: {} },
    ]);
    const byType = await get(ws.owner, `/v1/analytics/counters?groupBy=type&${range(from, to)}`);
    expect(byType).toMatchObject({ total: 0, data: [] });
    const byUser = await get(ws.owner, `/v1/analytics/counters?groupBy=user&${range(from, to)}`);
    expect(byUser.data).toEqual([{ userId: ws.user.id, count: 0, byType: {} }]);
  });

  it("never counts another workspace's events", async () => {
    const mine = await newWorkspace();
    const theirs = await newWorkspace();
    await insertEvents(theirs.workspace.id, [
      { typeKey: "deal.won", at: from + HOUR, actor: theirs.user.id },
      { typeKey: "contact.created", at: from + HOUR },
    ]);
    await insertEvents(mine.workspace.id, [{ typeKey: "deal.won", at: from + HOUR, actor: mine.user.id }]);
    for (const groupBy of ["day", "user", "type"]) {
      const body = await get(mine.owner, `/v1/analytics/counters?groupBy=${groupBy}&${range(from, to)}`);
      expect(body.total, groupBy).toBe(1);
    }
    const byUser = await get(mine.owner, `/v1/analytics/counters?groupBy=user&${range(from, to)}`);
    expect(byUser.data).toEqual([{ userId: mine.user.id, count: 1, byType: { "deal.won": 1 } }]);
  });

  it("rejects bad ranges, groupings and type keys with 422 naming the field", async () => {
    const ws = await newWorkspace();
    const counters = (query: string) => ws.owner.get(`/v1/analytics/counters?${query}`);
    expectError(await counters("from=yesterday"), 422, "validation_failed", "query.from");
    expectError(await counters("to=2026-13-01T00:00:00Z"), 422, "validation_failed", "query.to");
    expectError(await counters(range(to, from)), 422, "validation_failed", "query.to");
    expectError(await counters(range(from, from)), 422, "validation_failed", "query.to");
    expectError(await counters(`from=${isoOf(Date.now() + DAY)}`), 422, "validation_failed", "query.from");
    expectError(await counters(range(from, from + 367 * DAY)), 422, "validation_failed", "query.from");
    expectError(await counters("groupBy=week"), 422, "validation_failed", "query.groupBy");
    expectError(await counters("typeKey=Deal.Won"), 422, "validation_failed", "query.typeKey");
    expectError(await counters("typeKey=deal.*.won"), 422, "validation_failed", "query.typeKey");
    expectError(await counters(`typeKey=${Array.from({ length: 11 }, (_, i) => `t${i}.x`).join(",")}`), 422, "validation_failed", "query.typeKey");
    // 366 days is allowed.
    expect((await counters(`groupBy=type&${range(from, from + 366 * DAY)}`)).status).toBe(200);
  });

  it("needs a token", async () => {
    await expectUnauthorized("GET", "/v1/analytics/counters");
  });
});

describe("GET /v1/analytics/performance", () => {
  const base = Date.UTC(2026, 1, 2, 9);
  const from = Date.UTC(2026, 1, 1);
  const to = Date.UTC(2026, 2, 1);
  const at = (seconds: number) => base + seconds * SECOND;

  const zeros = {
    conversationsHandled: 0,
    messagesSent: 0,
    firstResponseTime: { count: 0, medianSeconds: null, p90Seconds: null },
    replyTime: { count: 0, medianSeconds: null, p90Seconds: null },
    dealsWon: 0,
    dealsLost: 0,
    winRate: null,
    callsStarted: 0,
    callsConnected: 0,
    callsMissed: 0,
    averageCallDurationSeconds: null,
  };

  it("internal notes are not replies: they stop no clock and are not messages sent", async () => {
    const ws = await newWorkspace();
    const ann = await ws.member("Ann");
    const a = ann.user.id;
    const conversation = await insertConversation(ws.workspace.id, "Noted");
    await insertMessages(ws.workspace.id, conversation.id, [
      [{ contact: conversation.contactId }, at(0)],
      [{ user: a }, at(100)],
    ]);
    // Ann's note to colleagues, 10 s after the question: not the answer that came at 100 s.
    await env.DB.prepare(
      "INSERT INTO messages (workspace_id, conversation_id, author_kind_key, author_user_id, channel_key, body, created_at, updated_at) VALUES (?, ?, 'user', ?, 'internal', 'call her', ?, ?)",
    )
      .bind(ws.workspace.id, conversation.id, a, at(10), at(10))
      .run();
    const [row] = (await get(ws.owner, `/v1/analytics/performance?userId=${a}&${range(from, to)}`)).data;
    expect(row).toMatchObject({
      messagesSent: 1,
      conversationsHandled: 1,
      firstResponseTime: { count: 1, medianSeconds: 100 },
      replyTime: { count: 1, medianSeconds: 100 },
    });
  });

  it("measures first response and reply times per rep, with median and p90", async () => {
    const ws = await newWorkspace();
    const ann = await ws.member("Ann");
    const bob = await ws.member("Bob");
    const [a, b] = [ann.user.id, bob.user.id];

    const first = await insertConversation(ws.workspace.id, "First");
    const customer = { contact: first.contactId };
    await insertMessages(ws.workspace.id, first.id, [
      [customer, at(0)],
      [customer, at(60)],
      ["system", at(90)], // a bot note does not stop the clock
      [{ user: a }, at(300)], // reply: 300 s since the oldest unanswered message; first response
      [{ user: a }, at(320)], // a follow-up, not a reply
      [customer, at(1000)],
      [{ user: a }, at(1100)], // reply: 100 s
      [customer, at(2000)],
      [customer, at(2030)],
      [{ user: a }, at(2600)], // reply: 600 s
    ]);

    const second = await insertConversation(ws.workspace.id, "Second");
    const other = { contact: second.contactId };
    await insertMessages(ws.workspace.id, second.id, [
      [{ user: b }, at(10_000)], // outreach: nothing to answer yet
      [other, at(10_100)],
      [{ user: a }, at(10_150)], // reply by Ann: 50 s; the conversation's first response
      [other, at(10_200)],
      [{ user: b }, at(11_200)], // reply by Bob: 1000 s
    ]);

    // A direct conversation between colleagues is not customer work.
    const direct = await env.DB.prepare(
      "INSERT INTO conversations (workspace_id, kind_key, status_key, direct_key, created_at, updated_at) VALUES (?, 'direct', 'open', ?, 0, 0) RETURNING id",
    )
      .bind(ws.workspace.id, `${a}:${b}`)
      .first<{ id: number }>();
    await insertMessages(ws.workspace.id, direct!.id, [
      [{ user: a }, at(500)],
      [{ user: b }, at(600)],
    ]);

    const body = await get(ws.owner, `/v1/analytics/performance?${range(from, to)}`);
    expect(body.from).toBe(isoOf(from));
    expect(body.data.map((r: any) => r.userId)).toEqual([ws.user.id, a, b]);
    expect(body.data[0]).toEqual({ userId: ws.user.id, name: expect.any(String), ...zeros });
    const [, annRow, bobRow] = body.data;
    expect(annRow).toMatchObject({
      name: "Ann",
      conversationsHandled: 2,
      messagesSent: 5,
      // Replies 300, 100, 600, 50 → sorted 50, 100, 300, 600: median 200, p90 300 + 0.7 × 300.
      replyTime: { count: 4, medianSeconds: 200, p90Seconds: 510 },
      // First responses 300 and 50: median 175, p90 50 + 0.9 × 250.
      firstResponseTime: { count: 2, medianSeconds: 175, p90Seconds: 275 },
    });
    expect(bobRow).toMatchObject({
      name: "Bob",
      conversationsHandled: 1,
      messagesSent: 2,
      replyTime: { count: 1, medianSeconds: 1000, p90Seconds: 1000 },
      firstResponseTime: { count: 0, medianSeconds: null, p90Seconds: null },
    });
  });

  it("starts the clock at a contact message before the range; replies outside the range do not count", async () => {
    const ws = await newWorkspace();
    const rep = await ws.member("Rep");
    const conversation = await insertConversation(ws.workspace.id);
    const customer = { contact: conversation.contactId };
    await insertMessages(ws.workspace.id, conversation.id, [
      [customer, from - 2 * HOUR],
      [{ user: rep.user.id }, from + HOUR], // 3 h after the question, inside the range
      [customer, to - MINUTE],
      [{ user: rep.user.id }, to + MINUTE], // after the range
    ]);
    const body = await get(ws.owner, `/v1/analytics/performance?userId=${rep.user.id}&${range(from, to)}`);
    expect(body.data).toHaveLength(1);
    expect(body.data[0]).toMatchObject({
      userId: rep.user.id,
      messagesSent: 1,
      conversationsHandled: 1,
      replyTime: { count: 1, medianSeconds: 3 * 3600, p90Seconds: 3 * 3600 },
      firstResponseTime: { count: 1, medianSeconds: 3 * 3600, p90Seconds: 3 * 3600 },
    });
  });

  it("interpolates percentiles between ranks over many replies", async () => {
    const ws = await newWorkspace();
    const rep = await ws.member("Rep");
    const conversation = await insertConversation(ws.workspace.id);
    const customer = { contact: conversation.contactId };
    // Eleven question/answer pairs waiting 10, 20, …, 110 s (written out of order).
    const waits = [30, 110, 10, 50, 70, 20, 90, 40, 100, 60, 80];
    const rows: [Author, number][] = [];
    waits.forEach((wait, i) => {
      rows.push([customer, at(i * 1000)], [{ user: rep.user.id }, at(i * 1000 + wait)]);
    });
    await insertMessages(ws.workspace.id, conversation.id, rows);
    const [row] = (await get(ws.owner, `/v1/analytics/performance?userId=${rep.user.id}&${range(from, to)}`)).data;
    // n = 11: the median is the 6th value, p90 the 10th (positions 5 and 9 from 0).
    expect(row.replyTime).toEqual({ count: 11, medianSeconds: 60, p90Seconds: 100 });
    expect(row.firstResponseTime).toEqual({ count: 1, medianSeconds: 30, p90Seconds: 30 });
  });

  it("counts deals won and lost by the rep who closed them last in the range, and the win rate", async () => {
    const ws = await newWorkspace();
    const ann = await ws.member("Ann");
    const bob = await ws.member("Bob");
    const [a, b] = [ann.user.id, bob.user.id];
    const day = (n: number) => from + n * DAY;
    await insertEvents(ws.workspace.id, [
      { typeKey: "deal.won", entityId: 1, actor: a, at: day(1) },
      { typeKey: "deal.lost", entityId: 2, actor: a, at: day(2) },
      // Won by Ann, then reopened by Bob: open at the end of the range, so neither.
      { typeKey: "deal.won", entityId: 3, actor: a, at: day(3) },
      { typeKey: "deal.reopened", entityId: 3, actor: b, at: day(4) },
      // Lost by Ann, reopened, then won by Bob: Bob's win.
      { typeKey: "deal.lost", entityId: 4, actor: a, at: day(5) },
      { typeKey: "deal.reopened", entityId: 4, actor: b, at: day(6) },
      { typeKey: "deal.won", entityId: 4, actor: b, at: day(7) },
      // Outside the range.
      { typeKey: "deal.won", entityId: 5, actor: a, at: from - 1 },
      { typeKey: "deal.won", entityId: 6, actor: a, at: to },
    ]);
    const body = await get(ws.owner, `/v1/analytics/performance?${range(from, to)}`);
    const byUser = Object.fromEntries(body.data.map((r: any) => [r.userId, r]));
    expect(byUser[a]).toMatchObject({ dealsWon: 1, dealsLost: 1, winRate: 0.5 });
    expect(byUser[b]).toMatchObject({ dealsWon: 1, dealsLost: 0, winRate: 1 });
    expect(byUser[ws.user.id]).toMatchObject({ dealsWon: 0, dealsLost: 0, winRate: null });
  });

  it("credits a deal won through the API to the rep who won it", async () => {
    const ws = await newWorkspace();
    const rep = await ws.member("Rep");
    const contactId = await insertContact(ws.workspace.id);
    const pipeline = await defaultPipeline(ws.owner);
    const deal = (await rep.api.post("/v1/deals", { contactId, pipelineId: pipeline.id })).body;
    expect((await rep.api.post(`/v1/deals/${deal.id}/won`)).status).toBe(200);
    const body = await get(ws.owner, `/v1/analytics/performance?userId=${rep.user.id}`);
    expect(body.data[0]).toMatchObject({ userId: rep.user.id, dealsWon: 1, dealsLost: 0, winRate: 1 });
  });

  it("counts calls the rep started: connected, missed, and the mean duration of connected calls that ended", async () => {
    const ws = await newWorkspace();
    const rep = await ws.member("Rep");
    const conversation = await insertConversation(ws.workspace.id);
    const t = at(0);
    await insertCalls(ws.workspace.id, conversation.id, [
      { startedBy: rep.user.id, status: "ended", startedAt: t, connectedAt: t + 10 * SECOND, endedAt: t + 130 * SECOND },
      { startedBy: rep.user.id, status: "ended", startedAt: t, connectedAt: t + 5 * SECOND, endedAt: t + 65 * SECOND },
      { startedBy: rep.user.id, status: "connected", startedAt: t, connectedAt: t + 5 * SECOND },
      { startedBy: rep.user.id, status: "missed", startedAt: t, endedAt: t + 30 * SECOND },
      { startedBy: rep.user.id, status: "failed", startedAt: t },
      { startedBy: rep.user.id, status: "ended", startedAt: t, endedAt: t + 20 * SECOND }, // hung up while ringing
      { startedBy: { contact: conversation.contactId }, status: "missed", startedAt: t },
      { startedBy: rep.user.id, status: "missed", startedAt: to },
    ]);
    const [row] = (await get(ws.owner, `/v1/analytics/performance?userId=${rep.user.id}&${range(from, to)}`)).data;
    expect(row).toMatchObject({ callsStarted: 6, callsConnected: 3, callsMissed: 1, averageCallDurationSeconds: 90 });
  });

  it("gives every rep zeros and nulls for a period without data", async () => {
    const ws = await newWorkspace();
    const rep = await ws.member("Rep");
    const body = await get(ws.owner, `/v1/analytics/performance?${range(from, to)}`);
    expect(body).toEqual({
      from: isoOf(from),
      to: isoOf(to),
      data: [
        { userId: ws.user.id, name: expect.any(String), ...zeros },
        { userId: rep.user.id, name: "Rep", ...zeros },
      ],
    });
  });

  it("never counts another workspace's messages, calls or deal events; its users are 404", async () => {
    const mine = await newWorkspace();
    const theirs = await newWorkspace();
    const conversation = await insertConversation(theirs.workspace.id);
    await insertMessages(theirs.workspace.id, conversation.id, [
      [{ contact: conversation.contactId }, at(0)],
      [{ user: theirs.user.id }, at(60)],
    ]);
    await insertCalls(theirs.workspace.id, conversation.id, [{ startedBy: theirs.user.id, status: "missed", startedAt: at(0) }]);
    await insertEvents(theirs.workspace.id, [{ typeKey: "deal.won", actor: theirs.user.id, at: at(0) }]);

    const body = await get(mine.owner, `/v1/analytics/performance?${range(from, to)}`);
    expect(body.data).toEqual([{ userId: mine.user.id, name: expect.any(String), ...zeros }]);
    expectError(
      await mine.owner.get(`/v1/analytics/performance?userId=${theirs.user.id}&${range(from, to)}`),
      404,
      "not_found",
    );
    const own = await get(theirs.owner, `/v1/analytics/performance?${range(from, to)}`);
    expect(own.data[0]).toMatchObject({ messagesSent: 1, callsMissed: 1, dealsWon: 1, replyTime: { count: 1, medianSeconds: 60 } });
  });

  it("rejects bad ranges and user ids with 422 naming the field", async () => {
    const ws = await newWorkspace();
    const performance = (query: string) => ws.owner.get(`/v1/analytics/performance?${query}`);
    expectError(await performance("from=2026-02-30"), 422, "validation_failed", "query.from");
    expectError(await performance(range(to, from)), 422, "validation_failed", "query.to");
    expectError(await performance("userId=abc"), 422, "validation_failed", "query.userId");
  });

  it("needs a token", async () => {
    await expectUnauthorized("GET", "/v1/analytics/performance");
  });
});

describe("GET /v1/analytics/pipeline/{id}", () => {
  const B = Date.UTC(2026, 3, 1);
  const day = (n: number) => B + n * DAY;
  const from = day(0);
  const to = day(30);

  /** A deal of `pipelineId` written as the deal routes leave it, with its moves as events. */
  async function dealWithMoves(
    ws: { workspace: { id: number }; user: { id: number } },
    pipelineId: number,
    moves: (["created" | "moved", number, number] | ["won" | "lost" | "reopened", number])[],
  ) {
    const workspaceId = ws.workspace.id;
    const contactId = await insertContact(workspaceId);
    let stageId = moves[0]![1] as number;
    const deal = await env.DB.prepare(
      "INSERT INTO deals (workspace_id, contact_id, pipeline_id, stage_id, status_key, stage_changed_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'open', 0, 0, 0) RETURNING id",
    )
      .bind(workspaceId, contactId, pipelineId, stageId)
      .first<{ id: number }>();
    const specs: EventSpec[] = moves.map((move) => {
      const common = { entityId: deal!.id, actor: ws.user.id };
      switch (move[0]) {
        case "created":
          stageId = move[1];
          return { ...common, typeKey: "deal.created", at: move[2], payload: { contactId, after: { pipelineId, stageId } } };
        case "moved": {
          const fromStageId = stageId;
          stageId = move[1];
          return {
            ...common,
            typeKey: "deal.stage_changed",
            at: move[2],
            payload: { contactId, pipelineId, fromStageId, toStageId: stageId },
          };
        }
        case "reopened":
          return { ...common, typeKey: "deal.reopened", at: move[1], payload: { contactId, after: { statusKey: "open" } } };
        default:
          return { ...common, typeKey: `deal.${move[0]}`, at: move[1], payload: { contactId, stageId } };
      }
    });
    await insertEvents(workspaceId, specs);
  }

  it("reports entries, conversion, wins and losses and days in stage from known moves", async () => {
    const ws = await newWorkspace();
    const pipeline = await defaultPipeline(ws.owner);
    const [lead, qualified, proposal, negotiation] = pipeline.stages.map((s) => s.id) as [number, number, number, number];
    const p = pipeline.id;
    await dealWithMoves(ws, p, [["created", lead, day(0)], ["moved", qualified, day(2)], ["moved", proposal, day(5)], ["won", day(6)]]);
    await dealWithMoves(ws, p, [["created", lead, day(1)], ["moved", qualified, day(2)], ["lost", day(4)]]);
    // Still in Lead at `to` (a move after the range is not seen): 27 days.
    await dealWithMoves(ws, p, [["created", lead, day(3)], ["moved", qualified, day(31)]]);
    // Created in Qualified, back to Lead, on to Proposal, lost.
    await dealWithMoves(ws, p, [
      ["created", qualified, day(10)],
      ["moved", lead, day(11)],
      ["moved", proposal, day(12)],
      ["lost", day(13)],
    ]);
    // Won, reopened, lost: its last close (lost) counts; a reopening starts a new stay.
    await dealWithMoves(ws, p, [["created", proposal, day(14)], ["won", day(15)], ["reopened", day(16)], ["lost", day(18)]]);
    // Created before the range, enters Qualified inside it and stays until `to`: 29 days.
    await dealWithMoves(ws, p, [["created", lead, day(-3)], ["moved", qualified, day(1)]]);
    // Nothing in the range.
    await dealWithMoves(ws, p, [["created", lead, day(-10)], ["moved", qualified, day(-5)]]);

    const body = await get(ws.owner, `/v1/analytics/pipeline/${p}?${range(from, to)}`);
    expect(body).toMatchObject({ pipelineId: p, from: isoOf(from), to: isoOf(to), won: 1, lost: 3, winRate: 0.25 });
    expect(body.stages).toEqual([
      {
        stageId: lead,
        name: "Lead",
        sortIndex: 0,
        entered: 4,
        converted: 3,
        conversionRate: 0.75,
        won: 0,
        lost: 0,
        winRate: null,
        averageDaysInStage: 7.75, // (2 + 1 + 27 + 1) / 4
      },
      {
        stageId: qualified,
        name: "Qualified",
        sortIndex: 1,
        entered: 4,
        converted: 2,
        conversionRate: 0.5,
        won: 0,
        lost: 1,
        winRate: 0,
        averageDaysInStage: 8.75, // (3 + 2 + 1 + 29) / 4
      },
      {
        stageId: proposal,
        name: "Proposal",
        sortIndex: 2,
        entered: 3,
        converted: 2,
        conversionRate: 0.6667,
        won: 1,
        lost: 2,
        winRate: 0.3333,
        averageDaysInStage: 1.25, // (1 + 1 + 1 + 2) / 4
      },
      {
        stageId: negotiation,
        name: "Negotiation",
        sortIndex: 3,
        entered: 0,
        converted: 0,
        conversionRate: null,
        won: 0,
        lost: 0,
        winRate: null,
        averageDaysInStage: null,
      },
    ]);
  });

  it("follows deals moved through the API, counting a stay still running until now", async () => {
    const ws = await newWorkspace();
    const pipeline = await defaultPipeline(ws.owner);
    const contactId = await insertContact(ws.workspace.id);
    const deal = (await ws.owner.post("/v1/deals", { contactId, pipelineId: pipeline.id })).body;
    await ws.owner.post(`/v1/deals/${deal.id}/stage`, { stageId: pipeline.stages[2]!.id });
    const body = await get(ws.owner, `/v1/analytics/pipeline/${pipeline.id}?to=${isoOf(Date.now() + 2 * DAY)}`);
    const [lead, , proposal] = body.stages;
    expect(lead).toMatchObject({ entered: 1, converted: 1, conversionRate: 1 });
    expect(proposal).toMatchObject({ entered: 1, converted: 0, conversionRate: 0 });
    // Until now, not until `to` two days ahead.
    expect(proposal.averageDaysInStage).toBeLessThan(0.01);
  });

  it("ignores other pipelines and other workspaces; gives zeros and nulls for an empty period", async () => {
    const ws = await newWorkspace();
    const theirs = await newWorkspace();
    const pipeline = await defaultPipeline(ws.owner);
    const other = (await ws.owner.post("/v1/pipelines", { name: "Renewals", stages: ["Due", "Signed"] })).body;
    await dealWithMoves(ws, other.id, [["created", other.stages[0].id, day(1)], ["won", day(2)]]);
    const theirPipeline = await defaultPipeline(theirs.owner);
    await dealWithMoves(theirs, theirPipeline.id, [["created", theirPipeline.stages[0]!.id, day(1)], ["won", day(2)]]);

    const body = await get(ws.owner, `/v1/analytics/pipeline/${pipeline.id}?${range(from, to)}`);
    expect(body).toMatchObject({ won: 0, lost: 0, winRate: null });
    for (const stage of body.stages) {
      expect(stage).toMatchObject({ entered: 0, converted: 0, conversionRate: null, won: 0, lost: 0, averageDaysInStage: null });
    }
    const renewals = await get(ws.owner, `/v1/analytics/pipeline/${other.id}?${range(from, to)}`);
    expect(renewals).toMatchObject({ won: 1, lost: 0, winRate: 1 });
    expect(renewals.stages[0]).toMatchObject({ entered: 1, converted: 1, won: 1, averageDaysInStage: 1 });
  });

  it("is 404 for another workspace's pipeline or an unknown one, 422 for a bad range, 401 without a token", async () => {
    const ws = await newWorkspace();
    const theirs = await newWorkspace();
    const theirPipeline = await defaultPipeline(theirs.owner);
    expectError(await ws.owner.get(`/v1/analytics/pipeline/${theirPipeline.id}`), 404, "not_found");
    expectError(await ws.owner.get("/v1/analytics/pipeline/999999"), 404, "not_found");
    const pipeline = await defaultPipeline(ws.owner);
    expectError(await ws.owner.get(`/v1/analytics/pipeline/${pipeline.id}?${range(to, from)}`), 422, "validation_failed", "query.to");
    expectError(await ws.owner.get("/v1/analytics/pipeline/abc"), 422, "validation_failed", "param.id");
    await expectUnauthorized("GET", `/v1/analytics/pipeline/${pipeline.id}`);
  });
});

describe("local days", () => {
  it("tile the range exactly, also where a DST change skips midnight (America/Havana)", () => {
    // 2026-03-08 00:00 CST does not exist in Havana: clocks jump to 01:00 CDT (05:00Z).
    const days = localDays("America/Havana", Date.parse("2026-03-07T05:00:00Z"), Date.parse("2026-03-10T04:00:00Z"));
    expect(days.map((d) => ({ day: d.day, start: isoOf(d.start), end: isoOf(d.end) }))).toEqual([
      { day: "2026-03-07", start: "2026-03-07T05:00:00.000Z", end: "2026-03-08T05:00:00.000Z" },
      { day: "2026-03-08", start: "2026-03-08T05:00:00.000Z", end: "2026-03-09T04:00:00.000Z" },
      { day: "2026-03-09", start: "2026-03-09T04:00:00.000Z", end: "2026-03-10T04:00:00.000Z" },
    ]);
  });

  it("clip the first and last day to the range", () => {
    const days = localDays("Asia/Kolkata", Date.parse("2026-01-10T06:30:00Z"), Date.parse("2026-01-11T18:30:00Z"));
    expect(days.map((d) => [d.day, isoOf(d.start), isoOf(d.end)])).toEqual([
      ["2026-01-10", "2026-01-10T06:30:00.000Z", "2026-01-10T18:30:00.000Z"],
      ["2026-01-11", "2026-01-10T18:30:00.000Z", "2026-01-11T18:30:00.000Z"],
    ]);
  });
});

describe("query plans", () => {
  const caller: Caller = { workspaceId: 1, userId: 1, role: "owner", tokenId: 1, defaultCountry: "US", timeZone: "America/New_York" };
  const range30 = { from: Date.UTC(2026, 2, 1), to: Date.UTC(2026, 2, 31) };

  async function planOf(query: { getQuery(): { sql: string; params: unknown[] } }): Promise<string[]> {
    const { sql, params } = query.getQuery();
    const rows = await all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, ...params);
    return rows.map((row) => row.detail);
  }

  const fullScans = (plan: string[]) => plan.filter((line) => /^SCAN (events|messages|calls|deals|conversations)\b/.test(line));

  it("counters seek covering index ranges and never scan the events table", async () => {
    const db = createDb(env.DB);
    const expected = {
      day: "SEARCH events USING COVERING INDEX events_type_time_idx (workspace_id=? AND type_key=? AND created_at>? AND created_at<?)",
      type: "SEARCH events USING COVERING INDEX events_type_time_idx (workspace_id=? AND type_key=? AND created_at>? AND created_at<?)",
      user: "SEARCH events USING COVERING INDEX events_actor_type_time_idx (workspace_id=? AND actor_user_id=? AND type_key=? AND created_at>? AND created_at<?)",
    };
    for (const groupBy of ["day", "type", "user"] as const) {
      for (const typeKeys of [[], ["deal.*", "contact.created"]]) {
        const [counts] = countersStatements(db, caller, { ...range30, groupBy, typeKeys });
        const plan = await planOf(counts);
        expect(plan, `${groupBy} ${typeKeys}`).toContain(expected[groupBy]);
        expect(fullScans(plan), `${groupBy} ${typeKeys}`).toEqual([]);
        expect(plan.join("\n")).not.toContain("TEMP B-TREE FOR GROUP BY");
      }
    }
  });

  it("performance reads messages, calls and deal events through their indexes", async () => {
    const db = createDb(env.DB);
    for (const userId of [undefined, 1]) {
      const [, sent, times, deals, calls] = performanceQueries(db, caller, { ...range30, userId });
      const plans = {
        sent: await planOf(sent),
        times: await planOf(times),
        deals: await planOf(deals),
        calls: await planOf(calls),
      };
      const byAuthor =
        "SEARCH messages USING INDEX messages_ws_author_user_idx (workspace_id=? AND author_user_id=? AND created_at>? AND created_at<?)";
      expect(plans.sent).toContain(byAuthor);
      expect(plans.times).toContain(byAuthor);
      expect(plans.times).toContain("SEARCH messages USING INDEX messages_conversation_idx (workspace_id=? AND conversation_id=?)");
      expect(plans.deals).toContain(
        "SEARCH events USING INDEX events_type_time_idx (workspace_id=? AND type_key=? AND created_at>? AND created_at<?)",
      );
      expect(plans.calls).toContain(
        "SEARCH calls USING INDEX calls_ws_user_idx (workspace_id=? AND started_by_user_id=? AND started_at>? AND started_at<?)",
      );
      for (const [name, plan] of Object.entries(plans)) expect(fullScans(plan), name).toEqual([]);
    }
  });

  it("the pipeline report reads each active deal's own timeline", async () => {
    const plan = await planOf(pipelineReportQuery(createDb(env.DB), caller, 1, range30, range30.to));
    expect(plan).toContain("SEARCH events USING INDEX events_type_time_idx (workspace_id=? AND type_key=? AND created_at>? AND created_at<?)");
    expect(plan).toContain("SEARCH events USING INDEX events_entity_idx (workspace_id=? AND entity_type_key=? AND entity_id=?)");
    expect(fullScans(plan)).toEqual([]);
  });
});
