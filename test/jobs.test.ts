import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../src/db/client";
import { PermanentJobError, TransientJobError } from "../src/jobs/errors";
import type { JobMessage } from "../src/jobs/job-message";
import { backoffSeconds, createJob, type JobHandlers, MAX_ATTEMPTS } from "../src/jobs/runner";
import worker from "../src/index";
import { startImport } from "../src/modules/contact-io/import.service";
import { newWorkspace, request } from "./helpers/api";
import { count, one } from "./helpers/db";
import { callerOf, deliver, envWithFakeQueue, uploadFile, waitForJob } from "./helpers/jobs";
import { expectError, expectInvisibleTo, expectUnauthorized } from "./helpers/security";

type Ws = Awaited<ReturnType<typeof newWorkspace>>;

/** A job row and its first message, without anything on the real queue. */
async function queuedJob(ws: Ws, kind: "export_contacts" | "import_contacts" | "classify_conversation" = "export_contacts", userId = ws.user.id) {
  const { env: fake, queue } = envWithFakeQueue();
  const job = await createJob(createDb(env.DB), fake, { workspaceId: ws.workspace.id, createdByUserId: userId, kind, input: { note: "test" } });
  return { job, message: queue.sent[0]!, fake, queue };
}

const jobRow = (id: number) =>
  one<{ status_key: string; result_json: string | null; attempts: number; started_at: number | null; finished_at: number | null; progress_json: string | null }>(
    "SELECT * FROM jobs WHERE id = ?",
    id,
  );

describe("GET /v1/jobs/{id}", () => {
  it("shows status, progress, result and timestamps as a job runs", async () => {
    const ws = await newWorkspace();
    const res = await uploadFile(ws.owner, "name,phone\nA,4155550100\nB,4155550101\n");
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ statusKey: "queued", progress: null, result: null, fileUrl: null, startedAt: null, finishedAt: null, attempts: 0 });
    expect(res.body.input).not.toHaveProperty("fileKey");
    const job = await waitForJob(ws.owner, res.body.id);
    expect(job).toMatchObject({
      id: res.body.id,
      kindKey: "import_contacts",
      statusKey: "succeeded",
      progress: { processed: 2, total: 2, succeeded: 2, failed: 0 },
      result: { created: 2 },
      createdByUserId: ws.user.id,
    });
    expect(Date.parse(job.startedAt)).toBeGreaterThanOrEqual(Date.parse(job.createdAt));
    expect(Date.parse(job.finishedAt)).toBeGreaterThanOrEqual(Date.parse(job.startedAt));
  });

  it("shows progress while a chunked job is between chunks", async () => {
    const ws = await newWorkspace();
    const { env: fake, queue } = envWithFakeQueue();
    const lines = ["name"];
    for (let i = 0; i < 10; i++) lines.push(`P${i}`);
    const job = await startImport(createDb(env.DB), fake, callerOf(ws), {
      file: new TextEncoder().encode(lines.join("\n")),
      format: "csv",
      fileName: "p.csv",
      contentType: "text/csv",
    }, { mode: "create", chunkSize: 4 });
    await deliver(fake, [queue.sent.shift()!]);
    await deliver(fake, [queue.sent.shift()!]);
    const mid = (await ws.owner.get(`/v1/jobs/${job.id}`)).body;
    expect(mid).toMatchObject({ statusKey: "running", progress: { processed: 4, total: 10, succeeded: 4, failed: 0 } });
    expect(mid.startedAt).not.toBeNull();
    expect(mid.finishedAt).toBeNull();
  });

  it("validates the id, hides other workspaces' jobs, needs a token", async () => {
    const ws = await newWorkspace();
    const { job } = await queuedJob(ws);
    expect((await ws.owner.get(`/v1/jobs/${job.id}`)).body).toMatchObject({ id: job.id, statusKey: "queued", input: { note: "test" } });
    // A teammate sees the job (same workspace); another workspace does not.
    const rep = await ws.member();
    expect((await rep.api.get(`/v1/jobs/${job.id}`)).status).toBe(200);
    const other = await newWorkspace();
    await expectInvisibleTo(other.owner, "GET", `/v1/jobs/${job.id}`);
    expectError(await ws.owner.get("/v1/jobs/abc"), 422, "validation_failed", "param.id");
    expectError(await ws.owner.get("/v1/jobs/99999999"), 404, "not_found");
    await expectUnauthorized("GET", `/v1/jobs/${job.id}`);
  });
});

describe("GET /v1/jobs", () => {
  it("lists the caller's jobs, newest first, filtered by kind and status, with a cursor", async () => {
    const ws = await newWorkspace();
    const a = await queuedJob(ws, "export_contacts");
    const b = await queuedJob(ws, "import_contacts");
    const c = await queuedJob(ws, "export_contacts");
    await env.DB.prepare("UPDATE jobs SET status_key = 'failed' WHERE id = ?").bind(c.job.id).run();
    const rep = await ws.member();
    await queuedJob(ws, "export_contacts", rep.user.id);

    const ids = (res: { body: { data: { id: number }[] } }) => res.body.data.map((j) => j.id);
    expect(ids(await ws.owner.get("/v1/jobs"))).toEqual([c.job.id, b.job.id, a.job.id]);
    expect(ids(await ws.owner.get("/v1/jobs?kindKey=export_contacts"))).toEqual([c.job.id, a.job.id]);
    expect(ids(await ws.owner.get("/v1/jobs?kindKey=export_contacts&statusKey=queued"))).toEqual([a.job.id]);
    expect(ids(await rep.api.get("/v1/jobs"))).toHaveLength(1);

    const first = await ws.owner.get("/v1/jobs?limit=2");
    expect(ids(first)).toEqual([c.job.id, b.job.id]);
    const second = await ws.owner.get(`/v1/jobs?limit=2&cursor=${first.body.nextCursor}`);
    expect(ids(second)).toEqual([a.job.id]);
    expect(second.body.nextCursor).toBeNull();

    const other = await newWorkspace();
    expect((await other.owner.get("/v1/jobs")).body.data).toEqual([]);
  });

  it("validates filters by name and needs a token", async () => {
    const { owner } = await newWorkspace();
    expectError(await owner.get("/v1/jobs?kindKey=bake"), 422, "validation_failed", "query.kindKey");
    expectError(await owner.get("/v1/jobs?statusKey=done"), 422, "validation_failed", "query.statusKey");
    expectError(await owner.get("/v1/jobs?limit=500"), 422, "validation_failed", "query.limit");
    expectError(await owner.get("/v1/jobs?cursor=nope"), 400, "invalid_cursor");
    await expectUnauthorized("GET", "/v1/jobs");
  });
});

describe("GET /v1/jobs/{id}/file", () => {
  it("is 404 when the job has no file, and for another workspace", async () => {
    const ws = await newWorkspace();
    const { job } = await queuedJob(ws);
    expectError(await ws.owner.get(`/v1/jobs/${job.id}/file`), 404, "not_found");
    const res = await uploadFile(ws.owner, "name,phone\nBad,12\n");
    const done = await waitForJob(ws.owner, res.body.id);
    expect(done.fileUrl).toBe(`/v1/jobs/${done.id}/file`);
    expect((await ws.owner.get(done.fileUrl)).status).toBe(200);
    const other = await newWorkspace();
    await expectInvisibleTo(other.owner, "GET", done.fileUrl);
    await expectUnauthorized("GET", done.fileUrl);
    expectError(await ws.owner.get("/v1/jobs/0/file"), 422, "validation_failed", "param.id");
  });
});

describe("OpenAPI", () => {
  it("documents the job and contact file routes", async () => {
    const doc = (await request("GET", "/openapi.json")).body;
    for (const path of ["/v1/jobs", "/v1/jobs/{id}", "/v1/jobs/{id}/file", "/v1/contacts/import-template", "/v1/contacts/imports", "/v1/contacts/exports"]) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
    expect(Object.keys(doc.paths["/v1/contacts/imports"].post.requestBody.content)).toContain("multipart/form-data");
  });
});

describe("the queue consumer", () => {
  it("a redelivered message does nothing twice", async () => {
    const ws = await newWorkspace();
    const res = await uploadFile(ws.owner, "name,phone\nA,4155550100\nB,4155550101\n");
    const done = await waitForJob(ws.owner, res.body.id);
    expect(done.statusKey).toBe("succeeded");
    // The same messages again, through the Worker's own queue handler.
    const bodies: JobMessage[] = [0, 1].map((chunk) => ({ kind: "import_contacts", jobId: done.id, workspaceId: ws.workspace.id, chunk }));
    const batch = createMessageBatch<JobMessage>(
      "parley-jobs",
      bodies.map((body, i) => ({ id: `again-${i}`, timestamp: new Date(), attempts: 2, body })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(["again-0", "again-1"]);
    expect(result.retryMessages).toEqual([]);
    expect(await count("SELECT count(*) AS n FROM contacts WHERE workspace_id = ?", ws.workspace.id)).toBe(2);
    expect(await count("SELECT count(*) AS n FROM events WHERE workspace_id = ? AND type_key = 'contacts.imported'", ws.workspace.id)).toBe(1);
    expect((await jobRow(done.id)).attempts).toBe(done.attempts);
  });

  it("retries a failing job with growing delays, then fails it with its error", async () => {
    const ws = await newWorkspace();
    const { job, message, fake } = await queuedJob(ws);
    let calls = 0;
    const handlers: JobHandlers = {
      export_contacts: async () => {
        calls += 1;
        throw new TransientJobError("storage is having a moment", "storage_unavailable");
      },
    };
    const delays: number[] = [];
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      const result = await deliver(fake, [message], { attempts: attempt, handlers });
      expect(result.retryMessages).toHaveLength(1);
      delays.push(result.retryDelays[0]!);
      const row = await jobRow(job.id);
      expect(row.status_key).toBe("queued");
      expect(JSON.parse(row.result_json!)).toMatchObject({ error: { code: "storage_unavailable" }, retryInSeconds: delays.at(-1) });
    }
    expect(delays).toEqual([1, 2, 3, 4].map(backoffSeconds));
    for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeGreaterThan(delays[i - 1]!);

    const last = await deliver(fake, [message], { attempts: MAX_ATTEMPTS, handlers });
    expect(last.retryMessages).toEqual([]);
    expect(last.explicitAcks).toHaveLength(1);
    const row = await jobRow(job.id);
    expect(row.status_key).toBe("failed");
    expect(row.finished_at).not.toBeNull();
    expect(JSON.parse(row.result_json!)).toEqual({
      error: { code: "storage_unavailable", message: "storage is having a moment" },
      attempts: MAX_ATTEMPTS,
    });
    expect(calls).toBe(MAX_ATTEMPTS);
    const failed = await one<{ payload_json: string; entity_id: number }>(
      "SELECT payload_json, entity_id FROM events WHERE workspace_id = ? AND type_key = 'job.failed'",
      ws.workspace.id,
    );
    expect(failed.entity_id).toBe(job.id);
    // Once failed, another delivery is acked without running the handler.
    await deliver(fake, [message], { attempts: MAX_ATTEMPTS + 1, handlers });
    expect(calls).toBe(MAX_ATTEMPTS);
    expect(await count("SELECT count(*) AS n FROM events WHERE workspace_id = ? AND type_key = 'job.failed'", ws.workspace.id)).toBe(1);
    const api = (await ws.owner.get(`/v1/jobs/${job.id}`)).body;
    expect(api).toMatchObject({ statusKey: "failed", result: { error: { code: "storage_unavailable" } } });
  });

  it("honours a provider's retry-after, and fails a permanent error at once", async () => {
    const ws = await newWorkspace();
    const first = await queuedJob(ws);
    const later: JobHandlers = { export_contacts: async () => Promise.reject(new TransientJobError("slow down", "rate_limited", 42)) };
    expect((await deliver(first.fake, [first.message], { handlers: later })).retryDelays).toEqual([42]);

    const second = await queuedJob(ws);
    const broken: JobHandlers = { export_contacts: async () => Promise.reject(new PermanentJobError("bad input", "invalid_input")) };
    const result = await deliver(second.fake, [second.message], { handlers: broken });
    expect(result.retryMessages).toEqual([]);
    const row = await jobRow(second.job.id);
    expect(row.status_key).toBe("failed");
    expect(JSON.parse(row.result_json!).error).toEqual({ code: "invalid_input", message: "bad input" });
  });

  it("a job another delivery finished while this one ran keeps its status: never back to queued or running", async () => {
    const ws = await newWorkspace();
    const { job, message, fake } = await queuedJob(ws);
    let calls = 0;
    const handlers: JobHandlers = {
      export_contacts: async () => {
        calls += 1;
        if (calls > 1) return { done: true, result: { by: "the second delivery" } };
        // While this (first) delivery works, a redelivery of the same message finishes the job…
        await deliver(fake, [message], { attempts: 2, handlers });
        // …and then this one fails transiently.
        throw new TransientJobError("slow storage", "storage_unavailable");
      },
    };
    const result = await deliver(fake, [message], { handlers });
    expect(calls).toBe(2);
    expect(result.retryMessages).toEqual([]);
    const row = await jobRow(job.id);
    expect(row.status_key).toBe("succeeded");
    expect(JSON.parse(row.result_json!)).toEqual({ by: "the second delivery" });
    // And a third delivery neither reruns nor reopens it.
    await deliver(fake, [message], { attempts: 3, handlers });
    expect(calls).toBe(2);
    expect((await jobRow(job.id)).status_key).toBe("succeeded");
  });

  it("fails a job whose kind has no handler", async () => {
    const ws = await newWorkspace();
    const { job, message, fake } = await queuedJob(ws, "classify_conversation");
    await deliver(fake, [message], { handlers: {} });
    expect(JSON.parse((await jobRow(job.id)).result_json!).error.code).toBe("unknown_job_kind");
  });

  it("the dead-letter consumer marks what never succeeded as failed, once", async () => {
    const ws = await newWorkspace();
    const { job, message } = await queuedJob(ws);
    const batch = createMessageBatch<JobMessage>("parley-jobs-dlq", [{ id: "dead-1", timestamp: new Date(), attempts: 1, body: message }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["dead-1"]);
    const row = await jobRow(job.id);
    expect(row.status_key).toBe("failed");
    expect(JSON.parse(row.result_json!).error.code).toBe("dead_lettered");
    // Again: nothing changes, no second event.
    const again = createMessageBatch<JobMessage>("parley-jobs-dlq", [{ id: "dead-2", timestamp: new Date(), attempts: 1, body: message }]);
    await worker.queue(again, env);
    expect(await count("SELECT count(*) AS n FROM events WHERE workspace_id = ? AND type_key = 'job.failed'", ws.workspace.id)).toBe(1);
  });

  it("the dead-letter consumer leaves a finished job alone", async () => {
    const ws = await newWorkspace();
    const res = await uploadFile(ws.owner, "name\nA\n");
    const done = await waitForJob(ws.owner, res.body.id);
    const body: JobMessage = { kind: "import_contacts", jobId: done.id, workspaceId: ws.workspace.id, chunk: 1 };
    await deliver(env, [body], { queue: "parley-jobs-dlq" });
    expect((await jobRow(done.id)).status_key).toBe("succeeded");
  });

  it("ignores a message naming a job of another workspace", async () => {
    const ws = await newWorkspace();
    const other = await newWorkspace();
    const { job, message, fake } = await queuedJob(ws);
    let ran = false;
    const handlers: JobHandlers = {
      export_contacts: async () => {
        ran = true;
        return { done: true, result: {} };
      },
    };
    const result = await deliver(fake, [{ ...message, workspaceId: other.workspace.id }], { handlers });
    expect(result.explicitAcks).toHaveLength(1);
    expect(ran).toBe(false);
    expect((await jobRow(job.id)).status_key).toBe("queued");
  });
});
