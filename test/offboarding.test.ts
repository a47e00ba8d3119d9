// Offboarding: owners change roles and deactivate users; a deactivated user's tokens stop at once,
// nothing reaches them, their chat links go; owners manage anyone's tokens; the last active owner
// stays one.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index";
import { client, newWorkspace } from "./helpers/api";
import { count } from "./helpers/db";
import { expectError, expectInvisibleTo } from "./helpers/security";
import { eventually, linkedRep, messageUpdate, sentTo } from "./helpers/telegram";

describe("PATCH /v1/users/{id}", () => {
  it("deactivating a user stops every one of their tokens at once; reactivating lets them back in", async () => {
    const ws = await newWorkspace();
    const rep = await ws.member("Rita");
    const laptop = client((await rep.api.post("/v1/me/tokens", { name: "laptop" })).body.token);
    // Both tokens have just been used (and would sit in any per-isolate cache).
    expect((await rep.api.get("/v1/me")).status).toBe(200);
    expect((await laptop.get("/v1/me")).status).toBe(200);

    const res = await ws.owner.patch(`/v1/users/${rep.user.id}`, { active: false });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ id: rep.user.id, active: false, role: "member" });
    expect(Date.parse(res.body.deactivatedAt)).toBeGreaterThan(0);
    for (const api of [rep.api, laptop]) expectError(await api.get("/v1/me"), 401, "unauthorized");
    expect((await ws.owner.get(`/v1/users/${rep.user.id}`)).body).toMatchObject({ active: false });
    expect(await count("SELECT count(*) AS n FROM events WHERE workspace_id = ? AND type_key = 'user.deactivated' AND entity_id = ?", ws.workspace.id, rep.user.id)).toBe(1);

    expect((await ws.owner.patch(`/v1/users/${rep.user.id}`, { active: true })).body).toMatchObject({ active: true, deactivatedAt: null });
    expect((await rep.api.get("/v1/me")).status).toBe(200);
  });

  it("a role change counts at once: a promoted member may add users, a demoted owner may not", async () => {
    const ws = await newWorkspace();
    const rep = await ws.member();
    expectError(await rep.api.post("/v1/users", { name: "X", email: `${crypto.randomUUID()}@example.com` }), 403, "forbidden");
    expect((await ws.owner.patch(`/v1/users/${rep.user.id}`, { role: "owner" })).body).toMatchObject({ role: "owner", active: true });
    expect((await rep.api.post("/v1/users", { name: "X", email: `${crypto.randomUUID()}@example.com` })).status).toBe(201);
    expect((await rep.api.patch(`/v1/users/${ws.user.id}`, { role: "member" })).body).toMatchObject({ role: "member" });
    expectError(await ws.owner.post("/v1/users", { name: "Y", email: `${crypto.randomUUID()}@example.com` }), 403, "forbidden");
  });

  it("the last active owner can be neither demoted nor deactivated (409), even by two owners at once", async () => {
    const ws = await newWorkspace();
    expectError(await ws.owner.patch(`/v1/users/${ws.user.id}`, { role: "member" }), 409, "conflict", "body.role");
    expectError(await ws.owner.patch(`/v1/users/${ws.user.id}`, { active: false }), 409, "conflict", "body.active");
    expect((await ws.owner.get("/v1/me")).body.user).toMatchObject({ role: "owner", active: true });

    // A second owner: each tries to demote the other at the same moment; one of them stays.
    const second = await ws.member("Second");
    await ws.owner.patch(`/v1/users/${second.user.id}`, { role: "owner" });
    const patch = (token: string, id: number) =>
      worker.fetch(
        new Request(`https://parley.test/v1/users/${id}`, {
          method: "PATCH",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ role: "member" }),
        }),
        env,
        createExecutionContext(),
      );
    const statuses = (await Promise.all([patch(ws.owner.token, second.user.id), patch(second.api.token, ws.user.id)])).map((r) => r.status);
    expect(statuses.sort()).toEqual([200, 409]);
    expect(await count("SELECT count(*) AS n FROM users WHERE workspace_id = ? AND role = 'owner' AND deactivated_at IS NULL", ws.workspace.id)).toBe(1);

    // A deactivated owner does not count as the other one.
    const owner = (await ws.owner.get("/v1/me")).body.user.role === "owner" ? ws.owner : second.api;
    const me = (await owner.get("/v1/me")).body.user;
    const third = await ws.member("Third");
    expect((await owner.patch(`/v1/users/${third.user.id}`, { role: "owner" })).status).toBe(200);
    expect((await owner.patch(`/v1/users/${third.user.id}`, { active: false })).status).toBe(200);
    expectError(await owner.patch(`/v1/users/${me.id}`, { active: false }), 409, "conflict");
  });

  it("owners only; validates the body; another workspace's user is 404", async () => {
    const ws = await newWorkspace();
    const rep = await ws.member();
    expectError(await rep.api.patch(`/v1/users/${ws.user.id}`, { active: false }), 403, "forbidden");
    expectError(await ws.owner.patch(`/v1/users/${rep.user.id}`, {}), 422, "validation_failed");
    expectError(await ws.owner.patch(`/v1/users/${rep.user.id}`, { role: "boss" }), 422, "validation_failed", "body.role");
    expectError(await ws.owner.patch(`/v1/users/${rep.user.id}`, { active: "no" }), 422, "validation_failed", "body.active");
    const other = await newWorkspace();
    await expectInvisibleTo(other.owner, "PATCH", `/v1/users/${rep.user.id}`, { active: false });
    expect((await rep.api.get("/v1/me")).status).toBe(200);
  });
});

describe("a deactivated user hears nothing", () => {
  it("their chat link and link codes go; new messages give them no receipt and no notification", async () => {
    const ws = await newWorkspace();
    const rita = { id: 880001, first_name: "Rita" };
    const linked = await linkedRep(ws, rita);
    const contact = { id: 880101, first_name: "Carla" };
    // Carla writes; Rita is told (and is made the conversation's only user participant).
    await linked.send(messageUpdate(contact, "Hello?"));
    await eventually(() => sentTo(linked.bot.botToken, rita.id), (m) => m.some((x) => x.text.includes("Hello?")));
    const conversation = (await ws.owner.get("/v1/conversations")).body.data[0];
    expect((await ws.owner.post(`/v1/conversations/${conversation.id}/participants`, { userId: linked.rep.user.id })).status).toBe(201);
    const code = (await linked.rep.api.post("/v1/me/telegram-link")).body.code as string;
    expect(code).toBeTruthy();

    expect((await ws.owner.patch(`/v1/users/${linked.rep.user.id}`, { active: false })).status).toBe(200);
    expect(await count("SELECT count(*) AS n FROM chat_links WHERE user_id = ?", linked.rep.user.id)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM chat_link_codes WHERE user_id = ?", linked.rep.user.id)).toBe(0);

    const before = (await sentTo(linked.bot.botToken, rita.id)).length;
    await linked.send(messageUpdate(contact, "Anyone there?"));
    const inbound = await eventually(
      () => count("SELECT count(*) AS n FROM messages WHERE workspace_id = ? AND body = 'Anyone there?'", ws.workspace.id),
      (n) => n === 1,
    );
    expect(inbound).toBe(1);
    const receiptsOf = (userId: number) =>
      count(
        "SELECT count(*) AS n FROM message_receipts r JOIN messages m ON m.id = r.message_id WHERE m.body = 'Anyone there?' AND r.user_id = ?",
        userId,
      );
    // The conversation's only participant left: it goes back to the team (the owner), not to Rita.
    expect(await receiptsOf(linked.rep.user.id)).toBe(0);
    expect(await receiptsOf(ws.user.id)).toBe(1);
    // Give the notify task its turn, then make sure Rita heard nothing.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await sentTo(linked.bot.botToken, rita.id);
    expect(after.slice(before).filter((m) => m.text.includes("Anyone there?"))).toEqual([]);
    // And writing /start with her old code links nothing.
    await linked.send(messageUpdate(rita, `/start ${code}`));
    expect(await count("SELECT count(*) AS n FROM chat_links WHERE user_id = ?", linked.rep.user.id)).toBe(0);
  });
});

describe("owners manage anyone's tokens", () => {
  it("GET /v1/users/{id}/tokens and DELETE /v1/users/{id}/tokens/{tokenId}", async () => {
    const ws = await newWorkspace();
    const rep = await ws.member();
    const phone = await rep.api.post("/v1/me/tokens", { name: "phone" });
    const list = await ws.owner.get(`/v1/users/${rep.user.id}/tokens`);
    expect(list.status).toBe(200);
    expect(list.body.data.map((t: { name: string }) => t.name)).toEqual(["default", "phone"]);
    expect(JSON.stringify(list.body)).not.toContain(phone.body.token);

    expect((await ws.owner.delete(`/v1/users/${rep.user.id}/tokens/${phone.body.id}`)).status).toBe(204);
    expectError(await client(phone.body.token).get("/v1/me"), 401, "unauthorized");
    expect((await rep.api.get("/v1/me")).status).toBe(200);
    expectError(await ws.owner.delete(`/v1/users/${rep.user.id}/tokens/${phone.body.id}`), 404, "not_found");
    expect(await count("SELECT count(*) AS n FROM events WHERE workspace_id = ? AND type_key = 'token.revoked' AND actor_user_id = ?", ws.workspace.id, ws.user.id)).toBe(1);

    // Members may not; another workspace sees nothing; a token is named with its user.
    expectError(await rep.api.get(`/v1/users/${ws.user.id}/tokens`), 403, "forbidden");
    const ownerToken = (await ws.owner.get("/v1/me/tokens")).body.data[0].id;
    expectError(await ws.owner.delete(`/v1/users/${rep.user.id}/tokens/${ownerToken}`), 404, "not_found");
    const other = await newWorkspace();
    await expectInvisibleTo(other.owner, "GET", `/v1/users/${rep.user.id}/tokens`);
    await expectInvisibleTo(other.owner, "DELETE", `/v1/users/${rep.user.id}/tokens/${list.body.data[0].id}`);
    expect((await rep.api.get("/v1/me")).status).toBe(200);
  });
});
