import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type Client, newWorkspace, request } from "./helpers/api";
import { count, one } from "./helpers/db";
import { contactConversation } from "./helpers/inbox";
import { expectError, expectInvisibleTo, expectUnauthorized } from "./helpers/security";

const MB = 1024 * 1024;

function multipart(api: Client, file: Blob, fileName: string, field = "file") {
  const form = new FormData();
  form.append(field, file, fileName);
  return request("POST", "/v1/attachments", { token: api.token, rawBody: form });
}

function raw(api: Client, bytes: BodyInit, contentType: string | null, query = "?fileName=notes.txt") {
  return request("POST", `/v1/attachments${query}`, {
    token: api.token,
    rawBody: bytes,
    headers: contentType ? { "content-type": contentType } : {},
  });
}

/** The downloaded bytes, as the client gets them. */
async function download(api: Client, url: string) {
  const res = await exports.default.fetch(new Request(`https://parley.test${url}`, { headers: { authorization: `Bearer ${api.token}` } }));
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

describe("POST /v1/attachments", () => {
  it("stores a multipart upload in R2 under the workspace, and streams it back", async () => {
    const { owner, workspace } = await newWorkspace();
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const res = await multipart(owner, new Blob([png], { type: "image/png" }), "Screen shot ü.png");
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      kindKey: "image",
      fileName: "Screen shot ü.png",
      contentType: "image/png",
      sizeBytes: png.byteLength,
      messageId: null,
      url: `/v1/attachments/${res.body.id}`,
    });
    const row = await one<{ url: string }>("SELECT url FROM message_attachments WHERE id = ?", res.body.id);
    expect(row.url.startsWith(`ws/${workspace.id}/`)).toBe(true);
    expect(await env.FILES.head(row.url)).not.toBeNull();

    const back = await download(owner, res.body.url);
    expect(back.status).toBe(200);
    expect(back.bytes).toEqual(png);
    expect(back.headers.get("content-type")).toBe("image/png");
    expect(back.headers.get("content-length")).toBe(String(png.byteLength));
    expect(back.headers.get("content-disposition")).toBe(`attachment; filename="Screen shot _.png"; filename*=UTF-8''Screen%20shot%20%C3%BC.png`);
  });

  it("takes a raw body with its Content-Type and ?fileName=, and derives the kind", async () => {
    const { owner } = await newWorkspace();
    const text = await raw(owner, "hello, file", "text/plain; charset=utf-8", "?fileName=dir%2Fnotes.txt");
    expect(text.status).toBe(201);
    expect(text.body).toMatchObject({ kindKey: "document", fileName: "notes.txt", sizeBytes: 11, contentType: "text/plain; charset=utf-8" });
    const back = await request("GET", text.body.url, { token: owner.token });
    expect(back.body).toBe("hello, file");
    for (const [type, kind] of [
      ["audio/ogg", "audio"],
      ["video/mp4", "video"],
      ["application/pdf", "document"],
    ]) {
      expect((await raw(owner, new Uint8Array([1]), type!, "?fileName=f")).body.kindKey).toBe(kind);
    }
  });

  it("refuses empty files (422), files over 25 MB (413) and bodies it cannot read", async () => {
    const { owner, workspace } = await newWorkspace();
    expectError(await raw(owner, new Uint8Array(0), "text/plain"), 422, "validation_failed", "body");
    expectError(await multipart(owner, new Blob([]), "empty.txt"), 422, "validation_failed", "body.file");
    expectError(await multipart(owner, new Blob(["x"]), "x.txt", "document"), 422, "validation_failed", "body.file");
    expectError(await raw(owner, "x", "text/plain", ""), 422, "validation_failed", "query.fileName");
    expectError(await raw(owner, new Uint8Array([1]), null), 415, "unsupported_media_type");
    const big = new Uint8Array(25 * MB + 1);
    expectError(await raw(owner, big, "application/octet-stream"), 413, "payload_too_large");
    expectError(await multipart(owner, new Blob([big]), "big.bin"), 413, "payload_too_large");
    const exact = await raw(owner, new Uint8Array(25 * MB), "application/octet-stream", "?fileName=exact.bin");
    expect(exact.status).toBe(201);
    // Nothing refused left a row or an object behind.
    expect(await count("SELECT count(*) AS n FROM message_attachments WHERE workspace_id = ?", workspace.id)).toBe(1);
    expect((await env.FILES.list({ prefix: `ws/${workspace.id}/` })).objects).toHaveLength(1);
  });

  it("needs a token", async () => {
    await expectUnauthorized("POST", "/v1/attachments?fileName=a");
    await expectUnauthorized("GET", "/v1/attachments/1");
  });
});

describe("GET /v1/attachments/{id}", () => {
  it("is 404 to another workspace and for unknown ids", async () => {
    const { owner } = await newWorkspace();
    const file = (await raw(owner, "secret", "text/plain")).body;
    const other = await newWorkspace();
    await expectInvisibleTo(other.owner, "GET", file.url);
    expectError(await owner.get("/v1/attachments/999999"), 404, "not_found");
    expectError(await owner.get("/v1/attachments/abc"), 422, "validation_failed", "param.id");
  });

  it("is readable by colleagues once sent, but not from someone else's direct conversation", async () => {
    const { owner, member } = await newWorkspace();
    const rep = await member("Rep");
    const third = await member("Third");
    const { conversation } = await contactConversation(owner);
    const shared = (await raw(owner, "for the team", "text/plain")).body;
    await owner.post(`/v1/conversations/${conversation.id}/messages`, { body: "see file", attachmentIds: [shared.id] });
    expect((await request("GET", shared.url, { token: rep.api.token })).body).toBe("for the team");

    const direct = (await owner.post("/v1/conversations/direct", { userId: rep.user.id })).body;
    const privateFile = (await raw(owner, "just us", "text/plain")).body;
    await owner.post(`/v1/conversations/${direct.id}/messages`, { body: "", attachmentIds: [privateFile.id] });
    expect((await request("GET", privateFile.url, { token: rep.api.token })).status).toBe(200);
    expectError(await request("GET", privateFile.url, { token: third.api.token }), 404, "not_found");
  });
});

describe("attaching files to a message", () => {
  it("makes a media message carrying them", async () => {
    const { owner, workspace } = await newWorkspace();
    const { conversation } = await contactConversation(owner);
    const a = (await multipart(owner, new Blob(["img"], { type: "image/jpeg" }), "a.jpg")).body;
    const b = (await raw(owner, "doc", "application/pdf", "?fileName=b.pdf")).body;
    const sent = await owner.post(`/v1/conversations/${conversation.id}/messages`, { body: "", attachmentIds: [a.id, b.id] });
    expect(sent.status).toBe(201);
    expect(sent.body.kindKey).toBe("media");
    expect(sent.body.attachments.map((x: { id: number; messageId: number }) => [x.id, x.messageId])).toEqual([
      [a.id, sent.body.id],
      [b.id, sent.body.id],
    ]);
    const listed = (await owner.get(`/v1/conversations/${conversation.id}/messages`)).body.data[0];
    expect(listed.attachments.map((x: { fileName: string }) => x.fileName)).toEqual(["a.jpg", "b.pdf"]);
    const event = await one<{ payload_json: string }>("SELECT payload_json FROM events WHERE workspace_id = ? AND type_key = 'message.sent'", workspace.id);
    expect(JSON.parse(event.payload_json).attachmentIds).toEqual([a.id, b.id]);
  });

  it("refuses another user's, another workspace's, an attached or a repeated attachment by position", async () => {
    const { owner, member } = await newWorkspace();
    const rep = await member();
    const { conversation } = await contactConversation(owner);
    const path = `/v1/conversations/${conversation.id}/messages`;
    const mine = (await raw(owner, "mine", "text/plain")).body;
    const repFile = (await raw(rep.api, "rep's", "text/plain")).body;
    const other = await newWorkspace();
    const foreign = (await raw(other.owner, "foreign", "text/plain")).body;

    expectError(await owner.post(path, { body: "x", attachmentIds: [mine.id, repFile.id] }), 422, "validation_failed", "body.attachmentIds.1");
    expectError(await owner.post(path, { body: "x", attachmentIds: [foreign.id] }), 422, "validation_failed", "body.attachmentIds.0");
    expectError(await owner.post(path, { body: "x", attachmentIds: [mine.id, mine.id] }), 422, "validation_failed", "body.attachmentIds.1");
    expect((await owner.post(path, { body: "x", attachmentIds: [mine.id] })).status).toBe(201);
    const attached = await owner.post(path, { body: "again", attachmentIds: [mine.id] });
    expectError(attached, 422, "validation_failed", "body.attachmentIds.0");
    expect(attached.body.error.message).toContain("already attached");
    expectError(await owner.post(path, { body: "x", attachmentIds: Array.from({ length: 21 }, (_, i) => i + 1) }), 422, "validation_failed", "body.attachmentIds");
    expect(await count("SELECT count(*) AS n FROM messages WHERE conversation_id = ?", conversation.id)).toBe(1);
  });
});
