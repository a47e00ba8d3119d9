// The Qualifier with the optional AI binding (the "workers-ai" project of vitest.config.ts binds it
// to the stub Worker of test/fakes/workers-ai-stub.mjs; every other test runs without it).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../src/db/client";
import type { Bindings } from "../src/env";
import type { ClassifyConversationJob } from "../src/jobs/job-message";
import { ingestInbound } from "../src/modules/messages/ingest.service";
import { newWorkspace } from "./helpers/api";
import { all, one } from "./helpers/db";
import { deliver, envWithFakeQueue } from "./helpers/jobs";

type Ws = Awaited<ReturnType<typeof newWorkspace>>;

/** One inbound message, its debounced job run at once; answers the job's row and result. */
async function classify(text: string, opts: { ws?: Ws; bindings?: Partial<Bindings> } = {}) {
  const ws = opts.ws ?? (await newWorkspace());
  const { env: fake, queue } = envWithFakeQueue();
  const bindings = { ...fake, ...opts.bindings } as Bindings;
  const stored = await ingestInbound(createDb(env.DB), bindings, {
    workspaceId: ws.workspace.id,
    channel: "telegram",
    externalId: `ai-${crypto.randomUUID()}`,
    from: { externalId: `tg-${crypto.randomUUID()}`, name: "Ana AI" },
    body: text,
    kind: "text",
  });
  const message = queue.sent.find((m): m is ClassifyConversationJob => "kind" in m && m.kind === "classify_conversation")!;
  await deliver(bindings, [message]);
  const job = await one<{ status_key: string; result_json: string }>("SELECT status_key, result_json FROM jobs WHERE id = ?", message.jobId);
  return { ws, job, result: JSON.parse(job.result_json), conversationId: stored.message.conversationId, contactId: stored.message.authorContactId! };
}

describe("the Workers AI classifier", () => {
  it("decides when the AI binding is there, and the result and events say so", async () => {
    expect((env as Bindings).AI).toBeDefined();
    const { ws, result, conversationId, contactId } = await classify("[ai:ok:customer] hello there");
    expect(result).toMatchObject({
      kindKey: "customer",
      score: 90,
      classifierKey: "workers_ai",
      reasons: ["The contact asks for help with an existing order."],
      recorded: true,
    });
    expect(result).not.toHaveProperty("fallback");
    expect((await ws.owner.get(`/v1/contacts/${contactId}/qualification`)).body).toMatchObject({
      kindKey: "customer",
      history: [{ kindKey: "customer", sourceKey: "ai", confidence: 90 }],
    });
    const [event] = await all<{ payload_json: string }>(
      "SELECT payload_json FROM events WHERE type_key = 'conversation.qualification_set' AND entity_id = ?",
      conversationId,
    );
    expect(JSON.parse(event!.payload_json)).toMatchObject({ kindKey: "customer", classifierKey: "workers_ai", confidence: 90 });
  });

  it("asks for JSON constrained by a schema whose kinds are the workspace's own", async () => {
    const ws = await newWorkspace();
    await env.DB.prepare("INSERT INTO qualification_kinds (workspace_id, key, label, sort_index, created_at, updated_at) VALUES (?, 'partner', 'Partner', 9, 0, 0)")
      .bind(ws.workspace.id)
      .run();
    const { result } = await classify("[ai:echo] hi", { ws });
    const asked = JSON.parse(result.reasons[0]);
    expect(asked).toMatchObject({
      model: "@cf/meta/llama-3.1-8b-instruct-fast",
      formatType: "json_schema",
      required: ["kindKey", "confidence", "reason"],
      roles: ["system", "user"],
      temperature: 0,
    });
    expect([...asked.keys].sort()).toEqual(["cold", "customer", "hot", "not_a_fit", "partner", "spam", "warm"]);
    // The model may choose the workspace's own kind.
    const chosen = await classify("[ai:ok:partner] we resell your product", { ws });
    expect(chosen.result).toMatchObject({ kindKey: "partner", classifierKey: "workers_ai", recorded: true });
  });

  it("accepts the answer as a JSON string, and records nothing below the floor", async () => {
    expect((await classify("[ai:string:warm] tell me more")).result).toMatchObject({ kindKey: "warm", score: 80, classifierKey: "workers_ai" });
    const low = await classify("[ai:low:hot] hm");
    expect(low.result).toMatchObject({ kindKey: null, score: 10, classifierKey: "workers_ai", recorded: false });
    expect(await all("SELECT id FROM conversation_qualifications WHERE conversation_id = ?", low.conversationId)).toEqual([]);
  });

  const HOT_TEXT = "Please send the contract for 30 seats, we want to sign this week.";

  for (const [directive, reason] of [
    ["[ai:malformed]", /^invalid answer: /],
    ["[ai:badkind]", /^invalid answer: kindKey: /],
    ["[ai:throw]", /^error: .*Capacity temporarily exceeded/],
    ["[ai:slow]", /^timeout: no answer within 500 ms/],
  ] as const) {
    it(`falls back to the offline classifier on ${directive.slice(4, -1)}, and says so`, async () => {
      const { job, result, conversationId } = await classify(`${directive} ${HOT_TEXT}`);
      expect(job.status_key).toBe("succeeded");
      expect(result).toMatchObject({ kindKey: "hot", classifierKey: "offline", recorded: true, fallback: { from: "workers_ai" } });
      expect(result.fallback.reason).toMatch(reason);
      expect(result.reasons).toEqual(expect.arrayContaining(["contract"]));
      const rows = await all<{ kind_key: string; source_key: string }>(
        "SELECT kind_key, source_key FROM conversation_qualifications WHERE conversation_id = ?",
        conversationId,
      );
      expect(rows).toEqual([{ kind_key: "hot", source_key: "ai" }]);
    });
  }

  it("fails the job, naming the setting, when AI_QUALIFIER_TIMEOUT_MS is malformed", async () => {
    const { job, result } = await classify("[ai:ok:hot] hi", { bindings: { AI_QUALIFIER_TIMEOUT_MS: "soon" } });
    expect(job.status_key).toBe("failed");
    expect(result.error).toMatchObject({ code: "invalid_setting" });
    expect(result.error.message).toContain("AI_QUALIFIER_TIMEOUT_MS");
  });
});
