// Sweeps every route of the OpenAPI document, so a new route cannot skip the token guard.
import { describe, expect, it } from "vitest";
import { request } from "./helpers/api";

type Doc = { paths: Record<string, Record<string, unknown>> };

describe("every /v1 route", () => {
  it("answers 401 without a token or with a wrong one (workspace creation: without the operator secret)", async () => {
    const doc = (await request<Doc>("GET", "/openapi.json")).body;
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, "1") })),
    );
    expect(routes.length).toBeGreaterThan(30);
    for (const { method, path } of routes) {
      const body = method === "GET" || method === "DELETE" ? undefined : {};
      for (const token of [null, "prl_wrong"]) {
        const res = await request(method, path, { token, body });
        expect(res.status, `${method} ${path} with token ${token}`).toBe(401);
        expect(res.body.error.code).toBe("unauthorized");
      }
    }
  });
});

describe("every route that names a resource by id", () => {
  it("answers 404 when the id belongs to another workspace (reads and deletes)", async () => {
    const { newWorkspace } = await import("./helpers/api");
    const { connectBot } = await import("./helpers/telegram");
    const a = await newWorkspace();
    const b = await newWorkspace();
    const contact = (await a.owner.post("/v1/contacts", { name: "A's contact" })).body;
    const pipeline = (await a.owner.get("/v1/pipelines")).body.data[0];
    const deal = (await a.owner.post("/v1/deals", { contactId: contact.id, pipelineId: pipeline.id })).body;
    const member = await a.member();
    const token = (await a.owner.post("/v1/me/tokens", { name: "x" })).body;
    const memberToken = (await a.owner.get(`/v1/users/${member.user.id}/tokens`)).body.data[0];
    const channel = (await connectBot(a.owner)).connection;
    const conversation = (await a.owner.post(`/v1/contacts/${contact.id}/conversations`)).body;
    const message = (await a.owner.post(`/v1/conversations/${conversation.id}/messages`, { body: "hi", channelKey: "telegram" })).body;
    const job = (await a.owner.post("/v1/contacts/exports", { format: "csv" })).body;
    const participant = (await a.owner.get(`/v1/conversations/${conversation.id}`)).body.participants[0];
    const delivery = (await a.owner.get(`/v1/messages/${message.id}/deliveries`)).body.data[0];
    const call = (await a.owner.post(`/v1/conversations/${conversation.id}/calls`, { channelKey: "internal", kindKey: "voice" })).body;
    const { request } = await import("./helpers/api");
    const attachment = (
      await request("POST", "/v1/attachments?fileName=a.txt", {
        token: a.owner.token,
        rawBody: "hello",
        headers: { "content-type": "text/plain" },
      })
    ).body;
    // The resource a path is about is named by the segment before its first {id}.
    const idOf: Record<string, number> = {
      contacts: contact.id,
      pipelines: pipeline.id,
      pipeline: pipeline.id, // GET /v1/analytics/pipeline/{id}
      deals: deal.id,
      users: member.user.id,
      tokens: token.id,
      channels: channel.id,
      conversations: conversation.id,
      messages: message.id,
      deliveries: delivery.id,
      calls: call.id,
      attachments: attachment.id,
      jobs: job.id,
    };

    const doc = (await b.owner.get("/openapi.json")).body as Doc;
    let checked = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      const match = path.match(/\/([a-z-]+)\/\{id\}/);
      if (!match) continue;
      const id = idOf[match[1]!];
      expect(id, `no fixture for ${path}: add one to idOf`).toBeDefined();
      for (const method of Object.keys(methods).filter((m) => m === "get" || m === "delete")) {
        const url = path
          .replace("{id}", String(id))
          .replace("{participantId}", String(participant.id))
          .replace("{tokenId}", String(memberToken.id));
        const res = await b.owner[method === "get" ? "get" : "delete"](url);
        expect(res.status, `${method.toUpperCase()} ${path} across workspaces`).toBe(404);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(8);
    // And the resources are all still there for their owner.
    expect((await a.owner.get(`/v1/deals/${deal.id}`)).status).toBe(200);
    expect((await a.owner.get("/v1/channels")).body.data).toHaveLength(1);
  });
});

describe("every route, fed garbage", () => {
  it("answers a 4xx naming the problem, never a 5xx", async () => {
    const { newWorkspace, request } = await import("./helpers/api");
    const ws = await newWorkspace();
    const doc = (await request<Doc>("GET", "/openapi.json")).body;
    const garbage: { rawBody?: string; body?: unknown; contentType?: string }[] = [
      { rawBody: "{not json", contentType: "application/json" },
      { body: [] },
      { body: "a string" },
      { body: 12 },
      { body: null },
      { body: { id: -1, contactId: "x", value: Number.MAX_VALUE * 10, name: "x".repeat(5000), nested: { a: [[[[]]]] } } },
      { rawBody: "a=1&b=2", contentType: "application/x-www-form-urlencoded" },
    ];
    // Malformed ids and query strings (with an empty body), then well-formed ids with garbage bodies.
    const badIds = ["0", "-1", "abc", "99999999999999999999", "1.5"];
    const attempts: { method: string; url: string; g: (typeof garbage)[number] }[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (path === "/v1/workspaces") continue;
      for (const method of Object.keys(methods).map((m) => m.toUpperCase())) {
        const hasBody = method !== "GET" && method !== "DELETE";
        for (const id of badIds) {
          attempts.push({ method, url: `${path.replace(/\{[^}]+\}/g, id)}?limit=abc&cursor=%25%25&from=yesterday`, g: hasBody ? { body: {} } : {} });
        }
        if (hasBody) for (const g of garbage) attempts.push({ method, url: path.replace(/\{[^}]+\}/g, "1"), g });
      }
    }
    let checked = 0;
    for (const { method, url, g } of attempts) {
      // A fresh owner now and then: the per-user rate limit is not under test here.
      if (checked % 100 === 0) {
        ws.owner.token = (await ws.owner.post("/v1/users", { name: "Fuzz", email: `${crypto.randomUUID()}@example.com`, role: "owner" })).body.token;
      }
      const res = await request(method, url, {
        token: ws.owner.token,
        ...("rawBody" in g ? { rawBody: g.rawBody } : { body: (g as { body?: unknown }).body }),
        headers: g.contentType ? { "content-type": g.contentType } : {},
      });
      checked += 1;
      expect(res.status, `${method} ${url} ${JSON.stringify(g).slice(0, 80)} → ${JSON.stringify(res.body).slice(0, 200)}`).toBeLessThan(500);
      if (res.status >= 400) expect(typeof res.body.error?.message).toBe("string");
    }
    expect(checked).toBeGreaterThan(400);
  });
});

describe("the inputs that once answered 500", () => {
  it("answer a 4xx naming the problem: duplicate identities, % in file names, bad XLSX characters, broken multipart", async () => {
    const { newWorkspace, request } = await import("./helpers/api");
    const { buildXlsx } = await import("./helpers/xlsx");
    const ws = await newWorkspace();
    const token = ws.owner.token;
    const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    const form = (name: string, bytes: string, type: string) => {
      const f = new FormData();
      f.append("file", new File([bytes as string], name, { type }));
      return f;
    };
    const cases: { what: string; method: string; path: string; rawBody?: BodyInit; body?: unknown; headers?: Record<string, string>; status: number }[] = [
      {
        what: "the same identity listed twice",
        method: "POST",
        path: "/v1/contacts",
        body: { name: "Twice", identities: [{ channelKey: "telegram", externalId: "42" }, { channelKey: "telegram", externalId: "42" }] },
        status: 422,
      },
      {
        what: "an import whose Content-Disposition file name holds a bare %",
        method: "POST",
        path: "/v1/contacts/imports",
        rawBody: "name\nAda\n",
        headers: { "content-type": "text/csv", "content-disposition": "attachment; filename*=UTF-8''50%.csv" },
        status: 202,
      },
      { what: "a multipart import named with %", method: "POST", path: "/v1/contacts/imports", rawBody: form("100% leads.csv", "name\nAda\n", "text/csv"), status: 202 },
      { what: "an attachment named with %", method: "POST", path: "/v1/attachments", rawBody: form("%", "hello", "text/plain"), status: 201 },
      { what: "a raw attachment whose ?fileName= is a bare %", method: "POST", path: "/v1/attachments?fileName=50%", rawBody: "hello", headers: { "content-type": "text/plain" }, status: 201 },
      {
        what: "an XLSX with a character reference beyond U+10FFFF",
        method: "POST",
        path: "/v1/contacts/imports",
        rawBody: buildXlsx([["name"], [{ xml: "Bad &#x110000; name" }]]),
        headers: { "content-type": xlsxType },
        status: 422,
      },
      {
        what: "an XLSX header with a decimal reference beyond U+10FFFF",
        method: "POST",
        path: "/v1/contacts/imports",
        rawBody: buildXlsx([[{ xml: "name&#99999999;" }], ["Ada"]]),
        headers: { "content-type": xlsxType },
        status: 422,
      },
      {
        what: "a malformed multipart body",
        method: "POST",
        path: "/v1/attachments",
        rawBody: "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nno closing boundary",
        headers: { "content-type": "multipart/form-data; boundary=xyz" },
        status: 400,
      },
      {
        what: "a multipart body without a boundary",
        method: "POST",
        path: "/v1/attachments",
        rawBody: "garbage",
        headers: { "content-type": "multipart/form-data" },
        status: 400,
      },
    ];
    for (const c of cases) {
      const res = await request(c.method, c.path, { token, body: c.body, rawBody: c.rawBody, headers: c.headers });
      expect.soft(res.status, `${c.what} → ${JSON.stringify(res.body).slice(0, 300)}`).toBe(c.status);
      if (res.status >= 400) expect(typeof res.body.error?.message, c.what).toBe("string");
    }
  });

  it("requests racing on a unique index (user e-mail, identity, pin slot): one wins, the others 409, never 500", async () => {
    const { newWorkspace } = await import("./helpers/api");
    const { createExecutionContext } = await import("cloudflare:test");
    const { env } = await import("cloudflare:workers");
    const { default: worker } = await import("../src/index");
    const ws = await newWorkspace();
    // Straight into the Worker's fetch, all at once: the requests interleave at every D1 call.
    const race = (method: string, path: string, bodies: unknown[]) =>
      Promise.all(
        bodies.map(async (body) => {
          const res = await worker.fetch(
            new Request(`https://parley.test${path}`, {
              method,
              headers: { authorization: `Bearer ${ws.owner.token}`, "content-type": "application/json" },
              body: JSON.stringify(body),
            }),
            env,
            createExecutionContext(),
          );
          return { status: res.status, body: (await res.json()) as any };
        }),
      );
    const email = `${crypto.randomUUID()}@example.com`;
    const contacts = await Promise.all([1, 2, 3, 4].map((i) => ws.owner.post("/v1/contacts", { name: `Pin ${i}` })));
    const races = {
      "user e-mail": await race("POST", "/v1/users", [1, 2, 3, 4].map((i) => ({ name: `Racer ${i}`, email }))),
      identity: await race("POST", "/v1/contacts", [1, 2, 3, 4].map((i) => ({ name: `Id ${i}`, identities: [{ channelKey: "telegram", externalId: "777" }] }))),
      "pin slot": await race("PUT", "/v1/pins/1", contacts.map((c) => ({ contactId: c.body.id }))),
    };
    for (const [what, results] of Object.entries(races)) {
      const statuses = results.map((r) => r.status);
      expect(statuses.every((s) => s < 500), `${what}: ${JSON.stringify(results.map((r) => r.body))}`).toBe(true);
      expect(statuses.filter((s) => s < 300).length, `${what}: ${statuses}`).toBeGreaterThanOrEqual(1);
      for (const r of results.filter((r) => r.status >= 400)) expect(r.body.error.code, what).toBe("conflict");
    }
    expect(races["user e-mail"].filter((r) => r.status === 201)).toHaveLength(1);
    expect(races.identity.filter((r) => r.status === 201)).toHaveLength(1);
    expect((await ws.owner.get("/v1/users")).body.data.filter((u: { email: string }) => u.email === email)).toHaveLength(1);
  });
});
