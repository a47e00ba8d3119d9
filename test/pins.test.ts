import { describe, expect, it } from "vitest";
import { newWorkspace } from "./helpers/api";
import { all } from "./helpers/db";
import { expectError, expectInvisibleTo, expectUnauthorized } from "./helpers/security";

const slots = (res: { body: { data: { slot: number; contact: { id: number } }[] } }) =>
  res.body.data.map((p) => [p.slot, p.contact.id]);

describe("pins", () => {
  async function withContacts(n: number) {
    const ws = await newWorkspace();
    const ids: number[] = [];
    for (let i = 0; i < n; i++) ids.push((await ws.owner.post("/v1/contacts", { name: `C${i}` })).body.id);
    return { ...ws, ids };
  }

  it("sets slots, lists them in slot order, replaces a slot and moves a re-pinned contact", async () => {
    const { owner, ids } = await withContacts(3);
    const [a, b, c] = ids as [number, number, number];
    const set = await owner.put("/v1/pins/3", { contactId: a });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ slot: 3, contact: { id: a } });
    await owner.put("/v1/pins/1", { contactId: b });
    expect(slots(await owner.get("/v1/pins"))).toEqual([[1, b], [3, a]]);

    await owner.put("/v1/pins/1", { contactId: c });
    expect(slots(await owner.get("/v1/pins"))).toEqual([[1, c], [3, a]]);

    await owner.put("/v1/pins/5", { contactId: a });
    expect(slots(await owner.get("/v1/pins"))).toEqual([[1, c], [5, a]]);

    expect((await owner.delete("/v1/pins/1")).status).toBe(204);
    expect((await owner.delete("/v1/pins/1")).status).toBe(204);
    expect(slots(await owner.get("/v1/pins"))).toEqual([[5, a]]);
    const detail = await owner.get(`/v1/contacts/${a}`);
    expect(detail.body.pinSlot).toBe(5);
  });

  it("keeps each user's pins apart", async () => {
    const ws = await withContacts(1);
    const rep = await ws.member();
    await ws.owner.put("/v1/pins/1", { contactId: ws.ids[0] });
    await rep.api.put("/v1/pins/2", { contactId: ws.ids[0] });
    expect(slots(await ws.owner.get("/v1/pins"))).toEqual([[1, ws.ids[0]]]);
    expect(slots(await rep.api.get("/v1/pins"))).toEqual([[2, ws.ids[0]]]);
  });

  it("records pin and unpin events", async () => {
    const { owner, ids, workspace } = await withContacts(1);
    await owner.put("/v1/pins/2", { contactId: ids[0] });
    await owner.delete("/v1/pins/2");
    const events = await all<{ type_key: string; entity_id: number }>(
      "SELECT type_key, entity_id FROM events WHERE workspace_id = ? AND type_key LIKE 'contact.%pinned' ORDER BY id",
      workspace.id,
    );
    expect(events).toEqual([
      { type_key: "contact.pinned", entity_id: ids[0] },
      { type_key: "contact.unpinned", entity_id: ids[0] },
    ]);
  });

  it("enforces the slot range and the one-pin-per-contact rule in the database too", async () => {
    const { owner, ids, workspace, user } = await withContacts(2);
    expectError(await owner.put("/v1/pins/0", { contactId: ids[0] }), 422, "validation_failed", "param.slot");
    expectError(await owner.put("/v1/pins/6", { contactId: ids[0] }), 422, "validation_failed", "param.slot");
    expectError(await owner.put("/v1/pins/1", { contactId: "x" }), 422, "validation_failed", "body.contactId");
    expectError(await owner.put("/v1/pins/1", { contactId: 999999 }), 404, "not_found");
    const { env } = await import("cloudflare:workers");
    const insert = (slot: number, contactId: number) =>
      env.DB.prepare("INSERT INTO contact_pins (workspace_id, user_id, contact_id, slot, created_at, updated_at) VALUES (?, ?, ?, ?, 1, 1)")
        .bind(workspace.id, user.id, contactId, slot)
        .run();
    await expect(insert(6, ids[0]!)).rejects.toThrow(/CHECK/);
    await insert(1, ids[0]!);
    await expect(insert(1, ids[1]!)).rejects.toThrow(/UNIQUE/);
    await expect(insert(2, ids[0]!)).rejects.toThrow(/UNIQUE/);
  });

  it("cannot pin another workspace's contact, and needs a token", async () => {
    const a = await withContacts(1);
    const b = await newWorkspace();
    await expectInvisibleTo(b.owner, "PUT", "/v1/pins/1", { contactId: a.ids[0] });
    expect((await b.owner.get("/v1/pins")).body.data).toEqual([]);
    await expectUnauthorized("GET", "/v1/pins");
    await expectUnauthorized("PUT", "/v1/pins/1", { contactId: 1 });
    await expectUnauthorized("DELETE", "/v1/pins/1");
  });
});
