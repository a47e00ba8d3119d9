import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { setContactQualification, setContactScore } from "../src/modules/qualification/qualification.service";
import { createDb } from "../src/db/client";
import { newWorkspace } from "./helpers/api";
import { all } from "./helpers/db";
import { expectError, expectInvisibleTo, expectUnauthorized } from "./helpers/security";

const ai = (workspaceId: number) => ({ workspaceId, userId: null });

describe("contact scores", () => {
  it("appends history; a user's score wins over the AI's", async () => {
    const { owner, workspace } = await newWorkspace();
    const contact = (await owner.post("/v1/contacts", { name: "S" })).body;
    const db = createDb(env.DB);
    await setContactScore(db, ai(workspace.id), contact.id, 2);
    expect((await owner.get(`/v1/contacts/${contact.id}`)).body.score).toBe(2);

    const set = await owner.put(`/v1/contacts/${contact.id}/score`, { value: 4 });
    expect(set.status).toBe(200);
    expect(set.body.value).toBe(4);
    await setContactScore(db, ai(workspace.id), contact.id, 1);
    const state = await owner.get(`/v1/contacts/${contact.id}/score`);
    expect(state.body.value).toBe(4);
    expect(state.body.history.map((h: { value: number; sourceKey: string }) => [h.value, h.sourceKey])).toEqual([
      [1, "ai"],
      [4, "user"],
      [2, "ai"],
    ]);
    const events = await all<{ type_key: string }>(
      "SELECT type_key FROM events WHERE workspace_id = ? AND entity_id = ? AND type_key = 'contact.score_set'",
      workspace.id,
      contact.id,
    );
    expect(events).toHaveLength(3);
  });

  it("validates the value, in the API and in the database", async () => {
    const { owner, workspace } = await newWorkspace();
    const contact = (await owner.post("/v1/contacts", { name: "S" })).body;
    for (const value of [0, 6, 2.5, "3"]) {
      expectError(await owner.put(`/v1/contacts/${contact.id}/score`, { value }), 422, "validation_failed", "body.value");
    }
    await expect(
      env.DB.prepare(
        "INSERT INTO contact_scores (workspace_id, contact_id, source_key, value, created_at, updated_at) VALUES (?, ?, 'ai', 9, 1, 1)",
      )
        .bind(workspace.id, contact.id)
        .run(),
    ).rejects.toThrow(/CHECK/);
  });
});

describe("contact qualifications", () => {
  it("keeps a user override sticky against later AI classifications until cleared", async () => {
    const { owner, workspace } = await newWorkspace();
    const contact = (await owner.post("/v1/contacts", { name: "Q" })).body;
    const db = createDb(env.DB);
    const url = `/v1/contacts/${contact.id}/qualification`;

    await setContactQualification(db, ai(workspace.id), contact.id, { kindKey: "warm", confidence: 70 });
    expect((await owner.get(url)).body).toMatchObject({ kindKey: "warm", userOverride: false });

    const set = await owner.put(url, { kindKey: "customer" });
    expect(set.body).toMatchObject({ kindKey: "customer", userOverride: true });

    await setContactQualification(db, ai(workspace.id), contact.id, { kindKey: "spam", confidence: 90 });
    expect((await owner.get(url)).body).toMatchObject({ kindKey: "customer", userOverride: true });
    expect((await owner.get(`/v1/contacts?qualification=customer`)).body.data.map((c: { id: number }) => c.id)).toEqual([contact.id]);

    const cleared = await owner.delete(url);
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ kindKey: "spam", userOverride: false });
    expect(cleared.body.history.map((h: { kindKey: string | null; sourceKey: string }) => [h.kindKey, h.sourceKey])).toEqual([
      [null, "user"],
      ["spam", "ai"],
      ["customer", "user"],
      ["warm", "ai"],
    ]);
    expect((await owner.get(`/v1/contacts/${contact.id}`)).body.qualification).toBe("spam");
  });

  it("refuses unknown kinds", async () => {
    const { owner } = await newWorkspace();
    const contact = (await owner.post("/v1/contacts", { name: "Q" })).body;
    expectError(await owner.put(`/v1/contacts/${contact.id}/qualification`, { kindKey: "platinum" }), 422, "validation_failed", "body.kindKey");
    expectError(await owner.put(`/v1/contacts/${contact.id}/qualification`, {}), 422, "validation_failed", "body.kindKey");
  });

  it("hides other workspaces' contacts and needs a token", async () => {
    const a = await newWorkspace();
    const b = await newWorkspace();
    const contact = (await a.owner.post("/v1/contacts", { name: "Q" })).body;
    await expectInvisibleTo(b.owner, "GET", `/v1/contacts/${contact.id}/qualification`);
    await expectInvisibleTo(b.owner, "PUT", `/v1/contacts/${contact.id}/qualification`, { kindKey: "hot" });
    await expectInvisibleTo(b.owner, "DELETE", `/v1/contacts/${contact.id}/qualification`);
    await expectInvisibleTo(b.owner, "PUT", `/v1/contacts/${contact.id}/score`, { value: 3 });
    await expectInvisibleTo(b.owner, "GET", `/v1/contacts/${contact.id}/score`);
    for (const [method, path] of [
      ["GET", "/v1/qualification-kinds"],
      ["GET", "/v1/contacts/1/qualification"],
      ["PUT", "/v1/contacts/1/qualification"],
      ["DELETE", "/v1/contacts/1/qualification"],
      ["PUT", "/v1/contacts/1/score"],
    ] as const) {
      await expectUnauthorized(method, path, { kindKey: "hot", value: 3 });
    }
  });
});
