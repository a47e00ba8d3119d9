// The team's slash commands over HTTP interactions: linking and /setup, the gates every command
// passes (a server set up for this workspace, a linked user of it), each command's answer as
// embeds, ephemeral unless shared, autocomplete, and the slow commands' deferred answers reaching
// Discord through PATCH …/messages/@original.
import { describe, expect, it } from "vitest";
import { newWorkspace } from "./helpers/api";
import { all, one } from "./helpers/db";
import {
  autocompleteOf,
  command,
  connectDiscord,
  customIds,
  discordCalls,
  discordUser,
  linkedDiscordRep,
  newDiscordApp,
  postInteraction,
} from "./helpers/discord";
import { eventually } from "./helpers/telegram";

const EPHEMERAL = 64;
const GUILD = "900000000000000001";

async function contact(api: { post: (p: string, b?: unknown) => Promise<{ status: number; body: any }> }, body: Record<string, unknown>) {
  const res = await api.post("/v1/contacts", body);
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body as { id: number; name: string };
}

/** A workspace with its Discord app, a linked owner and a linked member. */
async function team() {
  const ws = await newWorkspace();
  const app = await newDiscordApp();
  const connection = await connectDiscord(ws.owner, app);
  const owner = discordUser("owner");
  const { code } = (await ws.owner.post("/v1/me/discord-link")).body;
  expect((await postInteraction(connection, app, command(app, owner, "link", null, { code }))).body.data.content).toMatch(/^✓ Linked/);
  const member = await linkedDiscordRep(ws, { app, connection, name: "Mia" });
  const send = (interaction: unknown) => postInteraction(connection, app, interaction);
  return { ws, app, connection, owner, member, send };
}

describe("/link and the gates", () => {
  it("links with a valid code once; an unknown, used or other workspace's code is refused", async () => {
    const ws = await newWorkspace();
    const { app, connection, rep, user, send } = await linkedDiscordRep(ws);
    const links = await all<{ user_id: number; external_user_id: string }>("SELECT user_id, external_user_id FROM chat_links WHERE workspace_id = ? AND platform_key = 'discord'", ws.workspace.id);
    expect(links).toEqual([{ user_id: rep.user.id, external_user_id: user.id }]);

    const stranger = discordUser("stranger");
    const unknown = await send(command(app, stranger, "link", null, { code: "abcdefghijklmnopqrstuvwx" }));
    expect(unknown.body).toMatchObject({ type: 4, data: { flags: EPHEMERAL } });
    expect(unknown.body.data.content).toMatch(/not valid/);

    const { code } = (await rep.api.post("/v1/me/discord-link")).body;
    expect((await send(command(app, user, "link", null, { code }))).body.data.content).toMatch(/^✓ Linked/);
    expect((await send(command(app, stranger, "link", null, { code }))).body.data.content).toMatch(/already used/);

    const other = await newWorkspace();
    await connectDiscord(other.owner, await newDiscordApp());
    const otherCode = (await other.owner.post("/v1/me/discord-link")).body.code;
    expect((await postInteraction(connection, app, command(app, stranger, "link", null, { code: otherCode }))).body.data.content).toMatch(/another workspace/);
  });

  it("an unlinked user — or one linked in another workspace — gets an ephemeral 'link first' with the steps", async () => {
    const { app, send } = await team();
    const stranger = discordUser("stranger");
    const res = await send(command(app, stranger, "inbox", null));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ type: 4, data: { flags: EPHEMERAL } });
    expect(res.body.data.content).toContain("POST /v1/me/discord-link");
    expect(res.body.data.content).toContain("/link code:");

    const elsewhere = await linkedDiscordRep(await newWorkspace());
    const crossed = await send(command(app, elsewhere.user, "contact", "find", { query: "a" }));
    expect(crossed.body.data.content).toContain("not linked");
  });

  it("refuses commands from a server nobody set up; /setup is for owners; then the server works", async () => {
    const { ws, app, owner, member, send } = await team();
    const refused = await send(command(app, member.user, "inbox", null, {}, { guildId: GUILD + "1" }));
    expect(refused.body.data).toMatchObject({ flags: EPHEMERAL });
    expect(refused.body.data.content).toMatch(/not set up/);

    const byMember = await send(command(app, member.user, "setup", null, {}, { guildId: GUILD + "1" }));
    expect(byMember.body.data.content).toMatch(/owners/i);

    const byOwner = await send(command(app, owner, "setup", null, {}, { guildId: GUILD + "1" }));
    expect(byOwner.body.data.content).toMatch(/^✓ This server can now use Parley/);
    expect(await all("SELECT guild_id FROM discord_guilds WHERE workspace_id = ?", ws.workspace.id)).toEqual([{ guild_id: GUILD + "1" }]);
    expect((await one<{ n: number }>("SELECT count(*) AS n FROM events WHERE workspace_id = ? AND type_key = 'workspace.discord_guild_allowed'", ws.workspace.id)).n).toBe(1);
    expect((await send(command(app, owner, "setup", null, {}, { guildId: GUILD + "1" }))).body.data.content).toMatch(/already/);

    const allowed = await send(command(app, member.user, "inbox", null, {}, { guildId: GUILD + "1" }));
    expect(allowed.body.data.embeds[0].description).toMatch(/Nothing unread/);

    // Another workspace cannot take the server over.
    const other = await team();
    const taken = await other.send(command(other.app, other.owner, "setup", null, {}, { guildId: GUILD + "1" }));
    expect(taken.body.data.content).toMatch(/another Parley workspace/);
  });

  it("a replayed interaction does nothing twice", async () => {
    const { app, member, send } = await team();
    const interaction = command(member.app, member.user, "deal", "create", { contact: String((await contact(member.rep.api, { name: "Replay Co" })).id) });
    const first = await send(interaction);
    expect(first.body.data.embeds[0].footer.text).toBe("Deal opened");
    const again = await send(interaction);
    expect(again.body).toEqual({ type: 4, data: { content: "Already done.", flags: EPHEMERAL } });
    void app;
  });
});

describe("commands", () => {
  it("/contact find lists matches (ephemeral); /contact show draws the card with score, deal and qualify components", async () => {
    const { app, member, send } = await team();
    const acme = await contact(member.rep.api, { name: "Ada Acme", company: "Acme", phone: "+14155550101" });
    await contact(member.rep.api, { name: "Bob Other" });

    const found = await send(command(app, member.user, "contact", "find", { query: "acme" }));
    expect(found.body).toMatchObject({ type: 4, data: { flags: EPHEMERAL } });
    expect(found.body.data.embeds[0].fields.map((f: { name: string }) => f.name)).toEqual(["Ada Acme — Acme"]);
    expect(found.body.data.allowed_mentions).toEqual({ parse: [] });

    const card = await send(command(app, member.user, "contact", "show", { contact: String(acme.id) }));
    expect(card.body.data.flags).toBe(EPHEMERAL);
    expect(card.body.data.embeds[0]).toMatchObject({ title: "Ada Acme", description: "Acme" });
    const ids = customIds(card.body.data);
    expect(ids[0]).toEqual([1, 2, 3, 4, 5].map((v) => `s:${acme.id}:${v}`));
    expect(ids).toContainEqual([`dc:${acme.id}`]);
    const select = card.body.data.components.flatMap((r: any) => r.components).find((c: any) => c.type === 3);
    expect(select.custom_id).toBe(`k:${acme.id}`);
    expect(select.options.length).toBeGreaterThan(0);

    // Shared: for the channel. Typed text without picking resolves when one contact matches.
    const shared = await send(command(app, member.user, "contact", "show", { contact: "Bob", share: true }));
    expect(shared.body.data.flags).toBeUndefined();
    expect(shared.body.data.embeds[0].title).toBe("Bob Other");
    await contact(member.rep.api, { name: "Bob Second" });
    expect((await send(command(app, member.user, "contact", "show", { contact: "Bob" }))).body.data.content).toMatch(/Several contacts match/);
  });

  it("another workspace's contact is not found", async () => {
    const { app, member, send } = await team();
    const other = await newWorkspace();
    const theirs = await contact(other.owner, { name: "Hidden" });
    const res = await send(command(app, member.user, "contact", "show", { contact: String(theirs.id) }));
    expect(res.body.data).toMatchObject({ flags: EPHEMERAL });
    expect(res.body.data.content).toMatch(/contact not found/);
  });

  it("/deal create with a title and amount, /deal stage, /deal won and /deal lost go through the deal services", async () => {
    const { ws, app, member, send } = await team();
    const ada = await contact(member.rep.api, { name: "Ada" });
    const created = await send(command(app, member.user, "deal", "create", { contact: String(ada.id), title: "Pilot", amount: 1200.5 }));
    expect(created.body.data.embeds[0].title).toBe("Pilot · 1,200.5 USD");
    const deal = await one<{ id: number; title: string; amount_minor: number; owner_user_id: number; pipeline_id: number }>(
      "SELECT id, title, amount_minor, owner_user_id, pipeline_id FROM deals WHERE workspace_id = ?",
      ws.workspace.id,
    );
    expect(deal).toMatchObject({ title: "Pilot", amount_minor: 120050, owner_user_id: member.rep.user.id });

    const stages = await all<{ id: number; name: string }>("SELECT id, name FROM stages WHERE pipeline_id = ? ORDER BY sort_index", deal.pipeline_id);
    const moved = await send(command(app, member.user, "deal", "stage", { deal: String(deal.id), stage: "Proposal" }));
    expect(moved.body.data.embeds[0].fields).toContainEqual({ name: "Stage", value: "Proposal", inline: true });
    expect((await one<{ stage_id: number }>("SELECT stage_id FROM deals WHERE id = ?", deal.id)).stage_id).toBe(stages.find((s) => s.name === "Proposal")!.id);

    const won = await send(command(app, member.user, "deal", "won", { deal: "Pilot", share: true }));
    expect(won.body.data.flags).toBeUndefined();
    expect(won.body.data.embeds[0].fields).toContainEqual({ name: "Status", value: "won", inline: true });
    // A closed deal cannot be lost: the service's 409, shown to the user alone.
    const lostAfterWon = await send(command(app, member.user, "deal", "lost", { deal: String(deal.id) }));
    expect(lostAfterWon.body.data).toMatchObject({ flags: EPHEMERAL });
    expect(lostAfterWon.body.data.content).toMatch(/^⚠/);

    const second = await contact(member.rep.api, { name: "Bea" });
    await send(command(app, member.user, "deal", "create", { contact: String(second.id), title: "Renewal" }));
    const secondDeal = await one<{ id: number }>("SELECT id FROM deals WHERE workspace_id = ? AND title = 'Renewal'", ws.workspace.id);
    const lost = await send(command(app, member.user, "deal", "lost", { deal: String(secondDeal.id), reason: "Budget cut" }));
    expect(lost.body.data.embeds[0].fields).toContainEqual({ name: "Lost because", value: "Budget cut" });
    expect(await one("SELECT status_key, lost_reason FROM deals WHERE id = ?", secondDeal.id)).toEqual({ status_key: "lost", lost_reason: "Budget cut" });
  });

  it("/pipeline is deferred (type 5) and its board reaches Discord by PATCH …/messages/@original", async () => {
    const { app, member, send } = await team();
    const ada = await contact(member.rep.api, { name: "Ada" });
    await send(command(app, member.user, "deal", "create", { contact: String(ada.id), amount: 300 }));
    const interaction = command(app, member.user, "pipeline", null, {});
    const res = await send(interaction);
    expect(res.body).toEqual({ type: 5, data: { flags: EPHEMERAL } });
    const [patch] = await eventually(
      () => discordCalls(app.applicationId, { method: "PATCH", path: new RegExp(`/webhooks/${app.applicationId}/${interaction.token}/messages/@original$`) }),
      (calls) => calls.length > 0,
    );
    expect(patch!.status).toBe(200);
    const embed = patch!.body.embeds[0];
    expect(embed.title).toBe("📊 Sales");
    expect(embed.fields).toContainEqual({ name: "Lead", value: "1 · 300 USD", inline: true });
    expect(embed.fields.map((f: { name: string }) => f.name)).toEqual(["Lead", "Qualified", "Proposal", "Negotiation", "✅ Won", "❌ Lost"]);
  });

  it("/stats: my numbers for a period; an owner may name a member, a member may not", async () => {
    const { app, owner, member, send, ws } = await team();
    const mine = command(app, member.user, "stats", null, { period: "7d" });
    expect((await send(mine)).body).toEqual({ type: 5, data: { flags: EPHEMERAL } });
    const [patch] = await eventually(() => discordCalls(app.applicationId, { method: "PATCH", path: new RegExp(mine.token) }), (c) => c.length > 0);
    expect(patch!.body.embeds[0].title).toBe("📊 Mia · Last 7 days");

    const ownerId = String(ws.user.id);
    const byMember = command(app, member.user, "stats", null, { member: ownerId });
    await send(byMember);
    const [refused] = await eventually(() => discordCalls(app.applicationId, { method: "PATCH", path: new RegExp(byMember.token) }), (c) => c.length > 0);
    expect(refused!.body.content).toMatch(/Only owners/);

    const byOwner = command(app, owner, "stats", null, { member: String(member.rep.user.id), period: "30d", share: true });
    expect((await send(byOwner)).body).toEqual({ type: 5, data: {} });
    const [theirs] = await eventually(() => discordCalls(app.applicationId, { method: "PATCH", path: new RegExp(byOwner.token) }), (c) => c.length > 0);
    expect(theirs!.body.embeds[0].title).toBe("📊 Mia · Last 30 days");
  });

  it("/inbox lists my unread conversations with reply and read buttons; /pin puts a contact in a slot", async () => {
    const { ws, app, member, send } = await team();
    const { ingest } = await import("./helpers/inbox");
    await ingest(ws.workspace.id, { body: "Do you ship to Lisbon?", from: { externalId: "tg-77", name: "Lia Lisbon" } });
    const res = await send(command(app, member.user, "inbox", null));
    expect(res.body.data.flags).toBe(EPHEMERAL);
    expect(res.body.data.embeds[0].description).toContain("Lia Lisbon — 1 unread");
    expect(customIds(res.body.data)[0]![0]).toMatch(/^rp:\d+$/);

    const lia = await one<{ id: number }>("SELECT id FROM contacts WHERE workspace_id = ? AND name = 'Lia Lisbon'", ws.workspace.id);
    const pinned = await send(command(app, member.user, "pin", null, { slot: 2, contact: String(lia.id) }));
    expect(pinned.body.data.embeds[0].description).toContain("📌 Lia Lisbon pinned to slot 2");
    expect(await one("SELECT slot, contact_id FROM contact_pins WHERE user_id = ?", member.rep.user.id)).toEqual({ slot: 2, contact_id: lia.id });
  });
});

describe("autocomplete", () => {
  it("answers type 8 with at most 25 choices, from this workspace only", async () => {
    const { app, member, send } = await team();
    for (let i = 0; i < 30; i++) await contact(member.rep.api, { name: `Zed ${String(i).padStart(2, "0")}` });
    const other = await newWorkspace();
    await contact(other.owner, { name: "Zed Elsewhere" });

    const res = await send(autocompleteOf(app, member.user, "contact", "show", { contact: "zed" }, "contact"));
    expect(res.body.type).toBe(8);
    expect(res.body.data.choices).toHaveLength(25);
    expect(res.body.data.choices.every((c: { name: string }) => c.name.startsWith("Zed ") && c.name !== "Zed Elsewhere")).toBe(true);
    expect(res.body.data.choices[0].value).toMatch(/^\d+$/);
  });

  it("suggests open deals, then the stages of the deal picked; an unlinked user gets none", async () => {
    const { app, member, send } = await team();
    const ada = await contact(member.rep.api, { name: "Ada" });
    await send(command(app, member.user, "deal", "create", { contact: String(ada.id), title: "Pilot" }));
    const deals = await send(autocompleteOf(app, member.user, "deal", "stage", { deal: "pil" }, "deal"));
    expect(deals.body.data.choices).toEqual([{ name: "Pilot — Ada", value: expect.stringMatching(/^\d+$/) }]);
    const dealId = deals.body.data.choices[0].value;
    const stages = await send(autocompleteOf(app, member.user, "deal", "stage", { deal: dealId, stage: "" }, "stage"));
    // Every stage of the pipeline but the one the deal is in.
    expect(stages.body.data.choices.map((c: { name: string }) => c.name)).toEqual(["Qualified", "Proposal", "Negotiation"]);

    const stranger = await send(autocompleteOf(app, discordUser(), "deal", "stage", { deal: "pil" }, "deal"));
    expect(stranger.body).toEqual({ type: 8, data: { choices: [] } });
  });
});
