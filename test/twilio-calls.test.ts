// Phone calls through Twilio against the fake Twilio REST API: reps' phone numbers, contacts
// calling in (TwiML that rings the reps, voicemail kept in the conversation, reps told in
// Telegram), reps calling out (Calls.json rings the rep, then bridges to the contact), and the
// status callbacks that move calls — in order, out of order, never backwards — into analytics.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type Client, newWorkspace } from "./helpers/api";
import { all, count, one } from "./helpers/db";
import { consume } from "./helpers/queue";
import { expectError, expectUnauthorized } from "./helpers/security";
import { eventually, linkedRep, sentTo } from "./helpers/telegram";
import {
  connectTwilio,
  failNextTwilio,
  inboundCall,
  inboundSms,
  postTwilio,
  registerRecording,
  TWILIO_NUMBER,
  twilioCalls,
  twilioSid,
  type TwilioAccount,
} from "./helpers/twilio";

const ADA = "+14155550111";
const OWNER_PHONE = "+14155552001";
const REP_PHONE = "+14155552002";

type Workspace = Awaited<ReturnType<typeof newWorkspace>>;

const setPhone = async (api: Client, phone: string | null) => {
  const res = await api.patch("/v1/me", { phone });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};

/** Ada texts in, so she is a contact with a conversation and an SMS identity. */
async function adaWritesIn(ws: Workspace, account: TwilioAccount, connectionId: number) {
  expect((await postTwilio(account, connectionId, "messages", inboundSms(account, ADA, "Call me?"))).status).toBe(200);
  return one<{ conversation_id: number; author_contact_id: number }>("SELECT conversation_id, author_contact_id FROM messages WHERE workspace_id = ? ORDER BY id LIMIT 1", ws.workspace.id);
}

const callRow = (externalId: string) =>
  one<{ id: number; status_key: string; connected_at: number | null; ended_at: number | null; started_at: number; conversation_id: number; started_by_contact_id: number | null; started_by_user_id: number | null; connection_id: number | null; channel_key: string; kind_key: string }>(
    "SELECT * FROM calls WHERE external_id = ?",
    externalId,
  );

const rfc2822 = (at: number) => new Date(at).toUTCString().replace("GMT", "+0000");

/** A status callback of a call Twilio knows, as Twilio posts it to the voiceStatus URL. */
function callStatus(account: TwilioAccount, connectionId: number, callSid: string, CallStatus: string, extra: Record<string, string> = {}) {
  return postTwilio(account, connectionId, "voiceStatus", {
    AccountSid: account.sid,
    ApiVersion: "2010-04-01",
    CallSid: callSid,
    CallStatus,
    CallbackSource: "call-progress-events",
    Direction: "outbound-api",
    From: TWILIO_NUMBER,
    To: REP_PHONE,
    Timestamp: rfc2822(Date.now()),
    ...extra,
  });
}

/** The <Dial> action Twilio requests when the bridged leg ends. */
function dialEnded(account: TwilioAccount, connectionId: number, callSid: string, DialCallStatus: string, extra: Record<string, string> = {}) {
  return postTwilio(account, connectionId, "dial", {
    AccountSid: account.sid,
    CallSid: callSid,
    CallStatus: "in-progress",
    Direction: "outbound-api",
    DialCallSid: twilioSid("CA"),
    DialCallStatus,
    ...extra,
  });
}

describe("PATCH /v1/me {phone}", () => {
  it("stores the caller's number in E.164, refuses one that is not a number, clears it with null; one event per change", async () => {
    const ws = await newWorkspace();
    const rep = await ws.member("Rita");
    expect(await setPhone(rep.api, "(415) 555-2002")).toMatchObject({ id: rep.user.id, phone: REP_PHONE });
    expect((await rep.api.get("/v1/me")).body.user.phone).toBe(REP_PHONE);
    expect((await ws.owner.get(`/v1/users/${rep.user.id}`)).body.phone).toBe(REP_PHONE);
    expect((await ws.owner.get("/v1/me")).body.user.phone).toBeNull();
    expectError(await rep.api.patch("/v1/me", { phone: "call me maybe" }), 422, "validation_failed", "body.phone");
    expectError(await rep.api.patch("/v1/me", {}), 422, "validation_failed", "body.phone");
    expect(await setPhone(rep.api, REP_PHONE)).toMatchObject({ phone: REP_PHONE });
    expect(await setPhone(rep.api, null)).toMatchObject({ phone: null });
    const changes = await all<{ payload_json: string }>("SELECT payload_json FROM events WHERE workspace_id = ? AND type_key = 'user.updated' ORDER BY id", ws.workspace.id);
    expect(changes.map((e) => JSON.parse(e.payload_json))).toEqual([
      { before: { phone: null }, after: { phone: REP_PHONE } },
      { before: { phone: REP_PHONE }, after: { phone: null } },
    ]);
    await expectUnauthorized("PATCH", "/v1/me", { phone: REP_PHONE });
  });
});

describe("a contact calling the Twilio number", () => {
  it("rings the reps of the conversation who have a phone, together for 20 s; the call lands in the contact's conversation once", async () => {
    const ws = await newWorkspace();
    const { account, connection } = await connectTwilio(ws.owner);
    const rep = await ws.member("Rita");
    await setPhone(ws.owner, OWNER_PHONE);
    await setPhone(rep.api, REP_PHONE);
    const ada = await adaWritesIn(ws, account, connection.id);
    // Rita answered Ada: she takes part in the conversation; the owner does not.
    expect((await rep.api.post(`/v1/conversations/${ada.conversation_id}/messages`, { body: "Sure, when?", channelKey: "internal" })).status).toBe(201);

    const params = inboundCall(account, ADA);
    const res = await postTwilio(account, connection.id, "voice", params);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/xml");
    const base = `https://parley.test/webhooks/sms/${connection.id}`;
    expect(res.body).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Dial timeout="20" answerOnBridge="true" action="${base}/dial">` +
        `<Number statusCallbackEvent="answered" statusCallback="${base}/voiceStatus">${REP_PHONE}</Number></Dial></Response>`,
    );
    const call = await callRow(params.CallSid!);
    expect(call).toMatchObject({
      status_key: "ringing",
      channel_key: "phone",
      kind_key: "voice",
      conversation_id: ada.conversation_id,
      started_by_contact_id: ada.author_contact_id,
      started_by_user_id: null,
      connection_id: connection.id,
    });
    // Twilio retrying the webhook: the same call, the same answer.
    expect((await postTwilio(account, connection.id, "voice", params)).body).toBe(res.body);
    expect(await count("SELECT count(*) AS n FROM calls WHERE workspace_id = ?", ws.workspace.id)).toBe(1);
    expect(await count("SELECT count(*) AS n FROM events WHERE workspace_id = ? AND type_key = 'call.received'", ws.workspace.id)).toBe(1);
  });

  it("a stranger calling: a contact by their number, and everyone with a phone rings when nobody takes part yet", async () => {
    const ws = await newWorkspace();
    const { account, connection } = await connectTwilio(ws.owner);
    const rep = await ws.member("Rita");
    await ws.member("No Phone");
    await setPhone(ws.owner, OWNER_PHONE);
    await setPhone(rep.api, REP_PHONE);
    const params = inboundCall(account, "+14155550199");
    const res = await postTwilio(account, connection.id, "voice", params);
    expect(res.body).toContain(`>${OWNER_PHONE}</Number>`);
    expect(res.body).toContain(`>${REP_PHONE}</Number>`);
    expect(res.body.match(/<Number /g)).toHaveLength(2);
    const call = await callRow(params.CallSid!);
    expect(await one("SELECT name, phone FROM contacts WHERE id = ?", call.started_by_contact_id)).toEqual({ name: "+14155550199", phone: "+14155550199" });
    expect(await one("SELECT channel_key, external_id FROM contact_identities WHERE contact_id = ?", call.started_by_contact_id)).toEqual({ channel_key: "sms", external_id: "+14155550199" });
  });

  it("nobody answers in 20 s: the caller is offered voicemail and the call is missed; a rep answering connects it, the dial's end ends it with its duration", async () => {
    const ws = await newWorkspace();
    const { account, connection } = await connectTwilio(ws.owner);
    await setPhone(ws.owner, OWNER_PHONE);
    const missed = inboundCall(account, ADA);
    await postTwilio(account, connection.id, "voice", missed);
    const noAnswer = await dialEnded(account, connection.id, missed.CallSid!, "no-answer", { Direction: "inbound" });
    expect(noAnswer.body).toContain("<Say>");
    expect(noAnswer.body).toContain(`<Record maxLength="120" playBeep="true" action="https://parley.test/webhooks/sms/${connection.id}/voicemail"`);
    expect((await callRow(missed.CallSid!)).status_key).toBe("missed");

    const answered = inboundCall(account, ADA);
    await postTwilio(account, connection.id, "voice", answered);
    await env.DB.prepare("UPDATE calls SET started_at = started_at - 120000 WHERE external_id = ?").bind(answered.CallSid).run();
    // The rep's leg (placed by <Dial>) reports its answer with the parent's sid.
    const repLeg = twilioSid("CA");
    expect((await callStatus(account, connection.id, repLeg, "in-progress", { ParentCallSid: answered.CallSid!, Direction: "outbound-dial", To: OWNER_PHONE })).status).toBe(204);
    expect((await callRow(answered.CallSid!)).status_key).toBe("connected");
    const done = await dialEnded(account, connection.id, answered.CallSid!, "completed", { Direction: "inbound", DialCallDuration: "42" });
    expect(done.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    const detail = (await ws.owner.get(`/v1/conversations/${(await callRow(answered.CallSid!)).conversation_id}/calls`)).body.data;
    expect(detail.find((c: { externalId: string }) => c.externalId === answered.CallSid)).toMatchObject({ statusKey: "ended", durationSeconds: 42 });
    // The parent call's own completion (its duration counts the ringing) changes nothing now.
    await callStatus(account, connection.id, answered.CallSid!, "completed", { Direction: "inbound", CallDuration: "75" });
    const after = (await ws.owner.get(`/v1/conversations/${(await callRow(answered.CallSid!)).conversation_id}/calls`)).body.data;
    expect(after.find((c: { externalId: string }) => c.externalId === answered.CallSid)).toMatchObject({ statusKey: "ended", durationSeconds: 42 });
  });

  it("nobody has a phone: straight to voicemail; the recording lands in R2 as an attachment of a system message in the conversation, once", async () => {
    const ws = await newWorkspace();
    const { account, connection } = await connectTwilio(ws.owner);
    const ada = await adaWritesIn(ws, account, connection.id);
    const params = inboundCall(account, ADA);
    const res = await postTwilio(account, connection.id, "voice", params);
    const base = `https://parley.test/webhooks/sms/${connection.id}`;
    expect(res.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Sorry, nobody can take your call right now. Please leave a message after the tone.</Say>' +
        `<Record maxLength="120" playBeep="true" action="${base}/voicemail" recordingStatusCallback="${base}/recording" recordingStatusCallbackEvent="completed"/></Response>`,
    );
    // The <Record> action when the caller is done: hang up; the call was missed.
    const recorded = await postTwilio(account, connection.id, "voicemail", { AccountSid: account.sid, CallSid: params.CallSid!, CallStatus: "in-progress", RecordingDuration: "7" });
    expect(recorded.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
    expect((await callRow(params.CallSid!)).status_key).toBe("missed");

    const audio = new Uint8Array([0x49, 0x44, 0x33, 3, 0, 0, 7, 7, 7]);
    const recording = await registerRecording(account, audio);
    const callback = {
      AccountSid: account.sid,
      CallSid: params.CallSid!,
      RecordingSid: recording.recordingSid,
      RecordingUrl: recording.url,
      RecordingStatus: "completed",
      RecordingDuration: "7",
      RecordingChannels: "1",
      RecordingSource: "RecordVerb",
      RecordingStartTime: rfc2822(Date.now()),
    };
    expect((await postTwilio(account, connection.id, "recording", callback)).status).toBe(204);
    const message = await one<{ id: number; conversation_id: number; author_kind_key: string; body: string; kind_key: string }>(
      "SELECT id, conversation_id, author_kind_key, body, kind_key FROM messages WHERE external_id = ?",
      recording.recordingSid,
    );
    expect(message).toMatchObject({ conversation_id: ada.conversation_id, author_kind_key: "system", body: "Voicemail (7 s)", kind_key: "media" });
    const [attachment] = await eventually(
      () => all<{ url: string; content_type: string; file_name: string }>("SELECT url, content_type, file_name FROM message_attachments WHERE message_id = ?", message.id),
      (rows) => rows.length === 1,
    );
    expect(attachment).toMatchObject({ content_type: "audio/mpeg", file_name: `voicemail-${recording.recordingSid}.mp3` });
    expect(new Uint8Array(await (await env.FILES.get(attachment!.url))!.arrayBuffer())).toEqual(audio);
    const fetches = await twilioCalls(account, `/Recordings/${recording.recordingSid}.mp3`);
    expect(fetches.length).toBeGreaterThanOrEqual(1);
    expect(fetches.every((f) => f.authenticated)).toBe(true);
    // The reps see it in the conversation.
    const listed = (await ws.owner.get(`/v1/conversations/${ada.conversation_id}/messages`)).body.data;
    expect(listed.map((m: { body: string }) => m.body)).toContain("Voicemail (7 s)");

    // Twilio retrying the callback: one message, one file.
    expect((await postTwilio(account, connection.id, "recording", callback)).status).toBe(204);
    expect(await consume({ task: "channel.fetch_media", workspaceId: ws.workspace.id, messageId: message.id })).toEqual({ acked: true, retriedAfter: null });
    expect(await count("SELECT count(*) AS n FROM messages WHERE external_id = ?", recording.recordingSid)).toBe(1);
    expect(await count("SELECT count(*) AS n FROM message_attachments WHERE message_id = ?", message.id)).toBe(1);
    // A recording that could not be made ("absent") stores nothing.
    expect((await postTwilio(account, connection.id, "recording", { ...callback, RecordingSid: twilioSid("RE"), RecordingStatus: "absent" })).status).toBe(204);
    expect(await count("SELECT count(*) AS n FROM messages WHERE workspace_id = ? AND author_kind_key = 'system'", ws.workspace.id)).toBe(1);
  });

  it("the reps whose phones ring hear of the call in Telegram, once", async () => {
    const ws = await newWorkspace();
    const rita = { id: 640201, first_name: "Rita" };
    const { bot, rep } = await linkedRep(ws, rita);
    await setPhone(rep.api, REP_PHONE);
    const { account, connection } = await connectTwilio(ws.owner);
    await ws.owner.post("/v1/contacts", { name: "Ada Lovelace", company: "Analytical Engines", phone: ADA });
    const params = inboundCall(account, ADA);
    expect((await postTwilio(account, connection.id, "voice", params)).status).toBe(200);
    const [notice] = await eventually(
      () => sentTo(bot.botToken, rita.id),
      (sent) => sent.some((m) => m.text.startsWith("📞")),
    ).then((sent) => sent.filter((m) => m.text.startsWith("📞")));
    expect(notice!.text).toBe(`📞 Incoming call: Ada Lovelace — Analytical Engines · ${ADA}\nRinging 1 phone now.`);
    // A redelivered task tells nobody again.
    const call = await callRow(params.CallSid!);
    expect(await consume({ task: "notify_call", workspaceId: ws.workspace.id, callId: call.id })).toEqual({ acked: true, retriedAfter: null });
    expect((await sentTo(bot.botToken, rita.id)).filter((m) => m.text.startsWith("📞"))).toHaveLength(1);
  });
});

/** A workspace with Twilio, a rep with a phone, and Ada's conversation. */
async function repAndAda(opts: { repPhone?: string | null } = {}) {
  const ws = await newWorkspace();
  const twilio = await connectTwilio(ws.owner);
  const rep = await ws.member("Rita");
  if (opts.repPhone !== null) await setPhone(rep.api, opts.repPhone ?? REP_PHONE);
  const ada = await adaWritesIn(ws, twilio.account, twilio.connection.id);
  const call = (body: Record<string, unknown> = { channelKey: "phone", kindKey: "voice" }) => rep.api.post(`/v1/conversations/${ada.conversation_id}/calls`, body);
  return { ws, ...twilio, rep, ada, call };
}

describe("a rep calling a contact", () => {
  it("Twilio rings the rep's phone first, then bridges to the contact from the Twilio number; the call keeps Twilio's CallSid", async () => {
    const { ws, account, connection, rep, ada, call } = await repAndAda();
    const res = await call();
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ channelKey: "phone", kindKey: "voice", statusKey: "initiated", startedByUserId: rep.user.id, conversationId: ada.conversation_id });
    expect(res.body.externalId).toMatch(/^CA[0-9a-f]{32}$/);
    const [placed] = await twilioCalls(account, "/Calls.json");
    const base = `https://parley.test/webhooks/sms/${connection.id}`;
    expect(placed).toMatchObject({
      method: "POST",
      authenticated: true,
      params: {
        To: REP_PHONE,
        From: TWILIO_NUMBER,
        StatusCallback: `${base}/voiceStatus`,
        StatusCallbackMethod: "POST",
        StatusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
        Twiml:
          `<Response><Dial callerId="${TWILIO_NUMBER}" timeout="30" action="${base}/dial">` +
          `<Number statusCallbackEvent="answered" statusCallback="${base}/voiceStatus">${ADA}</Number></Dial></Response>`,
      },
    });
    expect(await one("SELECT connection_id, external_id FROM calls WHERE id = ?", res.body.id)).toEqual({ connection_id: connection.id, external_id: res.body.externalId });
    const [started] = await all<{ payload_json: string }>("SELECT payload_json FROM events WHERE workspace_id = ? AND type_key = 'call.started'", ws.workspace.id);
    expect(JSON.parse(started!.payload_json)).toMatchObject({ connectionId: connection.id, externalId: res.body.externalId });
  });

  it("refuses what cannot ring — no phone of the rep's, none of the contact's, a video call, Twilio refusing — storing nothing", async () => {
    const { ws, account, call, rep } = await repAndAda({ repPhone: null });
    const noRepPhone = await call();
    expectError(noRepPhone, 409, "conflict", "user.phone");
    expect(noRepPhone.body.error.message).toContain("PATCH /v1/me");
    await setPhone(rep.api, REP_PHONE);
    expectError(await call({ channelKey: "phone", kindKey: "video" }), 422, "validation_failed", "body.kindKey");
    await failNextTwilio(account, "Calls", { status: 400, code: 21219, message: "The 'To' number is not a verified caller ID (trial account)" });
    const refused = await call();
    expectError(refused, 502, "upstream_error");
    expect(refused.body.error.message).toContain("21219");
    const stranger = (await rep.api.post("/v1/contacts", { name: "No Number" })).body;
    const conversation = (await rep.api.post(`/v1/contacts/${stranger.id}/conversations`)).body;
    expectError(await rep.api.post(`/v1/conversations/${conversation.id}/calls`, { channelKey: "phone", kindKey: "voice" }), 409, "conflict", "contact.phone");
    expect(await count("SELECT count(*) AS n FROM calls WHERE workspace_id = ?", ws.workspace.id)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM events WHERE workspace_id = ? AND type_key = 'call.started'", ws.workspace.id)).toBe(0);
    // Only the refused request reached Twilio.
    expect(await twilioCalls(account, "/Calls.json")).toHaveLength(1);
  });

  it("callbacks in order: initiated, ringing, the rep picks up (still ringing the contact), the contact answers (connected), the dial ends (ended, its duration)", async () => {
    const { ws, account, connection, call } = await repAndAda();
    const sid = (await call()).body.externalId as string;
    await env.DB.prepare("UPDATE calls SET started_at = started_at - 120000 WHERE external_id = ?").bind(sid).run();
    const steps: [() => Promise<unknown>, string][] = [
      [() => callStatus(account, connection.id, sid, "initiated"), "initiated"],
      [() => callStatus(account, connection.id, sid, "ringing"), "ringing"],
      [() => callStatus(account, connection.id, sid, "in-progress"), "ringing"],
      [() => callStatus(account, connection.id, twilioSid("CA"), "in-progress", { ParentCallSid: sid, Direction: "outbound-dial", To: ADA }), "connected"],
      [() => dialEnded(account, connection.id, sid, "completed", { DialCallDuration: "42" }), "ended"],
      [() => callStatus(account, connection.id, sid, "completed", { CallDuration: "61" }), "ended"],
    ];
    for (const [step, expected] of steps) {
      await step();
      expect((await callRow(sid)).status_key).toBe(expected);
    }
    const [listed] = (await ws.owner.get(`/v1/conversations/${(await callRow(sid)).conversation_id}/calls`)).body.data;
    expect(listed).toMatchObject({ statusKey: "ended", durationSeconds: 42 });
    const moves = await all<{ type_key: string; payload_json: string }>("SELECT type_key, payload_json FROM events WHERE entity_type_key = 'call' AND entity_id = ? AND type_key <> 'call.started' ORDER BY id", (await callRow(sid)).id);
    expect(moves.map((m) => [m.type_key, JSON.parse(m.payload_json).after])).toEqual([
      ["call.status_changed", "ringing"],
      ["call.status_changed", "connected"],
      ["call.ended", "ended"],
    ]);
  });

  it("callbacks out of order never move a call backwards", async () => {
    const { account, connection, call } = await repAndAda();
    const sid = (await call()).body.externalId as string;
    await env.DB.prepare("UPDATE calls SET started_at = started_at - 120000 WHERE external_id = ?").bind(sid).run();
    await dialEnded(account, connection.id, sid, "completed", { DialCallDuration: "30" });
    await callStatus(account, connection.id, twilioSid("CA"), "in-progress", { ParentCallSid: sid, Direction: "outbound-dial" });
    for (const status of ["ringing", "initiated", "in-progress", "completed", "no-answer"]) await callStatus(account, connection.id, sid, status);
    const row = await callRow(sid);
    expect(row.status_key).toBe("ended");
    expect((row.ended_at! - row.connected_at!) / 1000).toBe(30);

    // The rep never picked up: missed, and a late "ringing" leaves it missed.
    const second = (await call()).body.externalId as string;
    await callStatus(account, connection.id, second, "no-answer");
    await callStatus(account, connection.id, second, "ringing");
    expect((await callRow(second)).status_key).toBe("missed");
    // The contact did not answer: missed too; the rep hanging up afterwards changes nothing.
    const third = (await call()).body.externalId as string;
    await callStatus(account, connection.id, third, "ringing");
    await callStatus(account, connection.id, third, "in-progress");
    await dialEnded(account, connection.id, third, "no-answer");
    await callStatus(account, connection.id, third, "completed", { CallDuration: "35" });
    expect((await callRow(third)).status_key).toBe("missed");
  });

  it("analytics counts the rep's calls connected and missed", async () => {
    const { ws, account, connection, call, rep } = await repAndAda();
    const from = new Date(Date.now() - 60_000).toISOString();
    const talked = (await call()).body.externalId as string;
    await callStatus(account, connection.id, twilioSid("CA"), "in-progress", { ParentCallSid: talked, Direction: "outbound-dial" });
    await dialEnded(account, connection.id, talked, "completed", { DialCallDuration: "5" });
    const unanswered = (await call()).body.externalId as string;
    await callStatus(account, connection.id, unanswered, "busy");
    const failed = (await call()).body.externalId as string;
    await callStatus(account, connection.id, failed, "failed");
    const to = new Date(Date.now() + 60_000).toISOString();
    const res = await ws.owner.get(`/v1/analytics/performance?userId=${rep.user.id}&from=${from}&to=${to}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toEqual([expect.objectContaining({ userId: rep.user.id, callsStarted: 3, callsConnected: 1, callsMissed: 1 })]);
    expect((await callRow(failed)).status_key).toBe("failed");
  });

  it("every case across workspaces: another workspace's callbacks, signatures and conversations reach nothing", async () => {
    const a = await repAndAda();
    const b = await repAndAda();
    const sid = (await a.call()).body.externalId as string;
    // B's account reporting on A's call, on B's connection: no such call there.
    expect((await callStatus(b.account, b.connection.id, sid, "in-progress", { ParentCallSid: sid })).status).toBe(204);
    expect((await dialEnded(b.account, b.connection.id, sid, "completed", { DialCallDuration: "9" })).status).toBe(200);
    expect((await callStatus(b.account, b.connection.id, sid, "no-answer")).status).toBe(204);
    expect((await callRow(sid)).status_key).toBe("initiated");
    // A's callbacks posted to B's connection: not signed by B's token.
    expectError(await callStatus(a.account, b.connection.id, sid, "ringing"), 401, "unauthorized");
    expectError(await postTwilio(a.account, b.connection.id, "voice", inboundCall(a.account, ADA)), 401, "unauthorized");
    expect(await count("SELECT count(*) AS n FROM calls WHERE workspace_id = ?", b.ws.workspace.id)).toBe(0);
    // B's rep cannot call A's contact or see A's calls.
    expectError(await b.rep.api.post(`/v1/conversations/${a.ada.conversation_id}/calls`, { channelKey: "phone", kindKey: "voice" }), 404, "not_found");
    expectError(await b.rep.api.get(`/v1/conversations/${a.ada.conversation_id}/calls`), 404, "not_found");
    expect(await twilioCalls(b.account, "/Calls.json")).toHaveLength(0);
  });

  it("without a live Twilio connection the call is logged, as before", async () => {
    const { ws, connection, call } = await repAndAda();
    expect((await ws.owner.delete(`/v1/channels/${connection.id}`)).status).toBe(204);
    const res = await call();
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ statusKey: "initiated", externalId: null });
  });
});
