// Buttons, selects and modals on the Discord bot's cards: a press runs its rep action as the
// presser, redraws the pressed message in place (type 7), is idempotent per interaction id and
// refused to anyone not linked in the workspace; Reply and Lost open modals whose submissions send
// the answer through the conversation's channel and record the reason.
import { describe, expect, it } from "vitest";
import { newWorkspace } from "./helpers/api";
import { all, count, one } from "./helpers/db";
import { command, connectDiscord, customIds, discordUser, linkedDiscordRep, modalSubmit, newDiscordApp, press } from "./helpers/discord";
import { ingest } from "./helpers/inbox";

const EPHEMERAL = 64;

async function setup() {
  const ws = await newWorkspace();
  const rep = await linkedDiscordRep(ws, { name: "Mia" });
  const created = await rep.rep.api.post("/v1/contacts", { name: "Ada Acme", company: "Acme" });
  const contactId = created.body.id as number;
  const card = (await rep.send(command(rep.app, rep.user, "contact", "show", { contact: String(contactId) }))).body.data;
  return { ws, ...rep, contactId, card };
}

describe("buttons and selects", () => {
  it("a score press updates the card in place (type 7) and is idempotent per interaction id", async () => {
    const { ws, app, user, send, contactId, card } = await setup();
    const interaction = press(app, user, `s:${contactId}:4`, card);
    const res = await send(interaction);
    expect(res.body.type).toBe(7);
    expect(res.body.data.embeds[0].fields).toContainEqual({ name: "Score", value: "⭐ 4", inline: true });
    expect(res.body.data.embeds[0].footer.text).toBe("Scored ⭐4");
    expect(customIds(res.body.data)[0]).toEqual([1, 2, 3, 4, 5].map((v) => `s:${contactId}:${v}`));
    expect((await one<{ score: number }>("SELECT score FROM contacts WHERE id = ?", contactId)).score).toBe(4);

    const events = () => count("SELECT count(*) AS n FROM events WHERE workspace_id = ? AND type_key LIKE '%score%'", ws.workspace.id);
    const before = await events();
    // Discord (or a proxy) sends the same press again: acknowledged, nothing done.
    expect((await send(interaction)).body).toEqual({ type: 6 });
    expect(await events()).toBe(before);
  });

  it("the qualify select sets the chosen kind and redraws the card", async () => {
    const { app, user, send, contactId, card } = await setup();
    const select = card.components.flatMap((r: any) => r.components).find((c: any) => c.type === 3);
    const kind = select.options[0].value as string;
    const res = await send(press(app, user, select.custom_id, card, { values: [kind] }));
    expect(res.body.type).toBe(7);
    expect(res.body.data.embeds[0].footer.text).toBe(`Qualified: ${kind}`);
    expect((await one<{ qualification: string }>("SELECT qualification FROM contacts WHERE id = ?", contactId)).qualification).toBe(kind);
  });

  it("deal buttons: open a deal from the card, move it with the stage select, Won redraws it closed", async () => {
    const { ws, app, user, send, contactId, card } = await setup();
    const menu = await send(press(app, user, `dc:${contactId}`, card));
    // A menu is a message of its own, for the presser.
    expect(menu.body).toMatchObject({ type: 4, data: { flags: EPHEMERAL } });
    expect(customIds(menu.body.data)).toContainEqual([`dn:${contactId}`]);

    const opened = await send(press(app, user, `dn:${contactId}`, menu.body.data));
    expect(opened.body.type).toBe(7);
    expect(opened.body.data.embeds[0].footer.text).toBe("Deal opened");
    const deal = await one<{ id: number }>("SELECT id FROM deals WHERE workspace_id = ?", ws.workspace.id);

    const proposal = await one<{ id: number }>("SELECT id FROM stages WHERE workspace_id = ? AND name = 'Proposal'", ws.workspace.id);
    const stageButton = customIds(opened.body.data).flat().find((id) => id === `ds:${deal.id}:${proposal.id}`);
    const moved = stageButton
      ? await send(press(app, user, stageButton, opened.body.data))
      : await send(press(app, user, `ds:${deal.id}`, opened.body.data, { values: [String(proposal.id)] }));
    expect(moved.body.type).toBe(7);
    expect(moved.body.data.embeds[0].fields).toContainEqual({ name: "Stage", value: "Proposal", inline: true });

    const won = await send(press(app, user, `dw:${deal.id}`, moved.body.data));
    expect(won.body.type).toBe(7);
    expect(won.body.data.embeds[0].fields).toContainEqual({ name: "Status", value: "won", inline: true });
    // A closed deal's card has nothing left to press.
    expect(won.body.data.components).toEqual([]);
  });

  it("Lost asks for the reason in a modal; its submission closes the deal and updates the card", async () => {
    const { ws, app, user, send, contactId } = await setup();
    const opened = (await send(command(app, user, "deal", "create", { contact: String(contactId) }))).body.data;
    const deal = await one<{ id: number }>("SELECT id FROM deals WHERE workspace_id = ?", ws.workspace.id);
    const modal = await send(press(app, user, `dl:${deal.id}`, opened));
    expect(modal.body.type).toBe(9);
    expect(modal.body.data.custom_id).toBe(`modal:lost:${deal.id}`);
    expect(modal.body.data.title.length).toBeLessThanOrEqual(45);
    expect(modal.body.data.components[0]).toMatchObject({ type: 18, component: { type: 4, custom_id: "reason" } });

    const submitted = await send(modalSubmit(app, user, `modal:lost:${deal.id}`, { reason: "Went with a competitor" }, { message: opened }));
    expect(submitted.body.type).toBe(7);
    expect(submitted.body.data.embeds[0].fields).toContainEqual({ name: "Lost because", value: "Went with a competitor" });
    expect(await one("SELECT status_key, lost_reason FROM deals WHERE id = ?", deal.id)).toEqual({ status_key: "lost", lost_reason: "Went with a competitor" });
  });

  it("refuses presses from unlinked users and on another workspace's items; a malformed button is answered", async () => {
    const { app, user, send, contactId, card } = await setup();
    const stranger = await send(press(app, discordUser("stranger"), `s:${contactId}:5`, card));
    expect(stranger.body).toMatchObject({ type: 4, data: { flags: EPHEMERAL } });
    expect(stranger.body.data.content).toContain("not linked");
    expect((await one<{ score: number | null }>("SELECT score FROM contacts WHERE id = ?", contactId)).score).toBeNull();

    const other = await newWorkspace();
    const theirs = (await other.owner.post("/v1/contacts", { name: "Theirs" })).body.id as number;
    const crossed = await send(press(app, user, `s:${theirs}:5`, card));
    expect(crossed.body.data.content).toMatch(/not found/);
    expect((await one<{ score: number | null }>("SELECT score FROM contacts WHERE id = ?", theirs)).score).toBeNull();

    for (const customId of ["zz:1", "s:abc:5", "s:1:9"]) {
      const res = await send(press(app, user, customId, card));
      expect(res.body.data.content).toBe("This button no longer works.");
    }
  });
});

describe("the reply modal", () => {
  it("opens on ↩ Reply of a notification and sends the text to the contact through the conversation's channel, as the rep", async () => {
    const ws = await newWorkspace();
    const app = await newDiscordApp();
    const connection = await connectDiscord(ws.owner, app);
    const { user, send, rep } = await linkedDiscordRep(ws, { app, connection, name: "Mia" });
    const telegram = await (await import("./helpers/inbox")).arrangedConnection(ws.workspace.id, "telegram");
    const { message } = await ingest(ws.workspace.id, { body: "Is the offer still valid?", connectionId: telegram.id, from: { externalId: "555", name: "Tom" } });
    const notification = { components: [{ type: 1, components: [{ type: 2, style: 1, label: "↩ Reply", custom_id: `rp:${message.id}` }] }] };

    const modal = await send(press(app, user, `rp:${message.id}`, notification));
    expect(modal.body.type).toBe(9);
    expect(modal.body.data).toMatchObject({ custom_id: `modal:reply:${message.id}`, title: "Reply to Tom" });

    const sent = await send(modalSubmit(app, user, `modal:reply:${message.id}`, { text: "Yes, until Friday." }, { message: notification }));
    expect(sent.body).toMatchObject({ type: 4, data: { flags: EPHEMERAL } });
    expect(sent.body.data.content).toBe("✓ Sent to Tom on telegram.");
    const answer = await one<{ author_user_id: number; channel_key: string; body: string; conversation_id: number }>(
      "SELECT author_user_id, channel_key, body, conversation_id FROM messages WHERE workspace_id = ? AND author_kind_key = 'user'",
      ws.workspace.id,
    );
    expect(answer).toEqual({ author_user_id: rep.user.id, channel_key: "telegram", body: "Yes, until Friday.", conversation_id: message.conversationId });
    expect(await all("SELECT status_key FROM deliveries WHERE workspace_id = ?", ws.workspace.id)).toHaveLength(1);
    // What they answered counts as read.
    expect(await one("SELECT status_key FROM message_receipts WHERE message_id = ? AND user_id = ?", message.id, rep.user.id)).toEqual({ status_key: "read" });
  });
});
