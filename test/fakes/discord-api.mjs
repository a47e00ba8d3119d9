// A fake Discord REST API for tests and local runs: the real paths under /api/v10, the bot's
// `Authorization: Bot <token>` checked, real JSON bodies and error envelopes ({code, message}; 429
// {message, retry_after, global} with Retry-After), the interaction webhook endpoints (PATCH
// @original, POST follow-ups; authorised by the interaction token, no bot token), DM channels,
// messages (JSON or multipart with payload_json + files[n]), command bulk overwrites, and a CDN
// for attachment URLs. Message bodies are held to Discord's limits (content 2000, 10 embeds, the
// embed limits, 5 action rows of 5 buttons, custom_id 100) and refused with 50035 like Discord.
// Every call is logged per application. Control endpoints live under /__fake/.
import { createServer } from "node:http";

const API = "/api/v10";
const apps = new Map(); // applicationId → app
const byToken = new Map(); // bot token → app
const files = new Map(); // CDN path → {content, contentType}
let nextSnowflake = 1400000000000000000n;
const snowflake = () => String(nextSnowflake++);

function appFor(id) {
  let app = apps.get(id);
  if (!app) {
    app = { id, name: `App ${id}`, verifyKey: null, token: null, botUserId: id, calls: [], failures: [], commands: [], guildCommands: {}, dmChannels: new Map(), blockedDms: new Set() };
    apps.set(id, app);
  }
  return app;
}

const ok = (body, status = 200) => ({ status, body });
const fail = (status, code, message, extra = {}) => ({ status, body: { message, code, ...extra } });
const invalidForm = (errors) => fail(400, 50035, "Invalid Form Body", { errors });

/** Discord's embed and component limits, as the API enforces them (50035 when broken). */
function checkMessage(body) {
  if (typeof body !== "object" || body === null) return invalidForm({ _errors: [{ code: "DICT_TYPE_CONVERT", message: "Only dictionaries may be used in a DictType" }] });
  if (body.content !== undefined && String(body.content).length > 2000) return invalidForm({ content: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 2000 or fewer in length." }] } });
  const embeds = body.embeds ?? [];
  if (embeds.length > 10) return invalidForm({ embeds: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 10 or fewer in length." }] } });
  let total = 0;
  for (const e of embeds) {
    const limits = [
      [e.title, 256],
      [e.description, 4096],
      [e.footer?.text, 2048],
      [e.author?.name, 256],
    ];
    for (const [value, max] of limits) if (value !== undefined && String(value).length > max) return invalidForm({ embeds: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: `Must be ${max} or fewer in length.` }] } });
    if ((e.fields ?? []).length > 25) return invalidForm({ embeds: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 25 or fewer in length." }] } });
    for (const f of e.fields ?? []) {
      if (!f.name || !f.value || f.name.length > 256 || f.value.length > 1024) return invalidForm({ embeds: { _errors: [{ code: "BASE_TYPE_BAD_LENGTH", message: "field name 1-256, value 1-1024" }] } });
      total += f.name.length + f.value.length;
    }
    total += (e.title ?? "").length + (e.description ?? "").length + (e.footer?.text ?? "").length + (e.author?.name ?? "").length;
  }
  if (total > 6000) return invalidForm({ embeds: { _errors: [{ code: "MAX_EMBED_SIZE_EXCEEDED", message: "Embed size exceeds maximum size of 6000" }] } });
  const rows = body.components ?? [];
  if (rows.length > 5) return invalidForm({ components: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 5 or fewer in length." }] } });
  for (const row of rows) {
    if (row.type !== 1 || !Array.isArray(row.components) || row.components.length === 0 || row.components.length > 5) {
      return invalidForm({ components: { _errors: [{ code: "COMPONENT_LAYOUT_WIDTH_EXCEEDED", message: "an action row holds 1-5 components" }] } });
    }
    for (const c of row.components) {
      if (c.custom_id !== undefined && (c.custom_id.length < 1 || c.custom_id.length > 100)) return invalidForm({ components: { _errors: [{ code: "BASE_TYPE_BAD_LENGTH", message: "custom_id 1-100" }] } });
      if (c.type === 2 && c.label !== undefined && c.label.length > 80) return invalidForm({ components: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "label ≤ 80" }] } });
      if (c.type === 3 && (!Array.isArray(c.options) || c.options.length < 1 || c.options.length > 25)) return invalidForm({ components: { _errors: [{ code: "BASE_TYPE_BAD_LENGTH", message: "1-25 options" }] } });
      if (c.type === 3 && row.components.length !== 1) return invalidForm({ components: { _errors: [{ code: "COMPONENT_LAYOUT_WIDTH_EXCEEDED", message: "a select fills its row" }] } });
    }
  }
  return null;
}

function messageObject(app, channelId, body, attachments = []) {
  return {
    id: snowflake(),
    channel_id: channelId,
    type: 0,
    author: { id: app.botUserId, username: `bot${app.id}`, bot: true, discriminator: "0" },
    content: body.content ?? "",
    embeds: body.embeds ?? [],
    components: body.components ?? [],
    attachments,
    timestamp: new Date().toISOString(),
    flags: body.flags ?? 0,
  };
}

/** multipart/form-data as Discord takes it: payload_json plus files[n]. */
function parseMultipart(type, raw) {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(type);
  if (!boundary) throw new Error("multipart body without a boundary");
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2].trim()}`);
  const parts = {};
  let at = raw.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    if (raw.subarray(start, start + 2).toString() === "--") break;
    const next = raw.indexOf(delimiter, start);
    if (next === -1) break;
    const part = raw.subarray(start + 2, next - 2);
    const split = part.indexOf("\r\n\r\n");
    const headers = part.subarray(0, split).toString("utf8");
    const content = part.subarray(split + 4);
    const name = /name="([^"]*)"/i.exec(headers)?.[1] ?? "";
    const fileName = /filename="([^"]*)"/i.exec(headers)?.[1];
    const contentType = /^content-type:\s*(.*)$/im.exec(headers)?.[1]?.trim();
    parts[name] = fileName !== undefined ? { fileName, size: content.length, type: contentType ?? "", base64: content.toString("base64") } : content.toString("utf8");
    at = next;
  }
  return parts;
}

function route(app, method, path, body, files) {
  let m;
  if (method === "GET" && path === "/users/@me") return ok({ id: app.botUserId, username: `bot${app.id}`, discriminator: "0", global_name: null, bot: true, avatar: null });
  if (method === "GET" && path === "/applications/@me") return ok({ id: app.id, name: app.name, verify_key: app.verifyKey, bot: { id: app.botUserId, username: `bot${app.id}` }, flags: 0 });
  if ((m = path.match(/^\/applications\/(\d+)\/(?:guilds\/(\d+)\/)?commands$/)) && method === "PUT") {
    if (m[1] !== app.id) return fail(403, 50001, "Missing Access");
    if (!Array.isArray(body)) return invalidForm({ _errors: [{ code: "LIST_TYPE_CONVERT", message: "Only iterables may be used in a ListType" }] });
    const commands = body.map((c) => ({ id: snowflake(), application_id: app.id, version: snowflake(), type: 1, ...c }));
    if (m[2]) app.guildCommands[m[2]] = commands;
    else app.commands = commands;
    return ok(commands);
  }
  if (method === "POST" && path === "/users/@me/channels") {
    if (!body?.recipient_id) return invalidForm({ recipient_id: { _errors: [{ code: "BASE_TYPE_REQUIRED", message: "This field is required" }] } });
    let channelId = app.dmChannels.get(body.recipient_id);
    if (!channelId) app.dmChannels.set(body.recipient_id, (channelId = snowflake()));
    return ok({ id: channelId, type: 1, last_message_id: null, flags: 0, recipients: [{ id: body.recipient_id, username: `user${body.recipient_id}`, discriminator: "0" }] });
  }
  if ((m = path.match(/^\/channels\/(\d+)\/messages$/)) && method === "POST") {
    const recipient = [...app.dmChannels.entries()].find(([, id]) => id === m[1])?.[0];
    if (!recipient) return fail(404, 10003, "Unknown Channel");
    if (app.blockedDms.has(recipient)) return fail(403, 50007, "Cannot send messages to this user");
    const invalid = checkMessage(body);
    if (invalid) return invalid;
    if (!body.content && !(body.embeds ?? []).length && !(body.components ?? []).length && files.length === 0) return fail(400, 50006, "Cannot send an empty message");
    return ok(messageObject(app, m[1], body, files.map((f, i) => ({ id: snowflake(), filename: f.fileName, size: f.size, content_type: f.type, url: `https://cdn.discordapp.com/attachments/${m[1]}/${i}/${f.fileName}` }))));
  }
  return fail(404, 0, "404: Not Found");
}

function webhookRoute(app, method, path, body) {
  // The interaction token authorises these; the fake accepts any token of a known application.
  if (/^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/.test(path) && method === "PATCH") {
    const invalid = checkMessage(body);
    return invalid ?? ok(messageObject(app, "0", body));
  }
  if (/^\/webhooks\/(\d+)\/([^/]+)$/.test(path) && method === "POST") {
    const invalid = checkMessage(body);
    return invalid ?? ok(messageObject(app, "0", body));
  }
  return fail(404, 0, "404: Not Found");
}

async function control(url, raw, res) {
  const send = (status, body) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const body = raw.length ? JSON.parse(raw.toString("utf8")) : {};
  const application = url.searchParams.get("application") ?? body.applicationId;
  if (url.pathname === "/__fake/apps") {
    const app = appFor(body.applicationId);
    Object.assign(app, { token: body.botToken, verifyKey: body.publicKey, name: body.name ?? app.name, botUserId: body.botUserId ?? app.id });
    byToken.set(body.botToken, app);
    return send(200, { ok: true });
  }
  if (url.pathname === "/__fake/calls" && application) return send(200, appFor(application).calls);
  if (url.pathname === "/__fake/commands" && application) return send(200, appFor(application).commands);
  if (url.pathname === "/__fake/fail") {
    appFor(application).failures.push({ times: 1, ...body });
    return send(200, { ok: true });
  }
  if (url.pathname === "/__fake/block-dms") {
    appFor(application).blockedDms.add(body.userId);
    return send(200, { ok: true });
  }
  if (url.pathname === "/__fake/files") {
    files.set(body.path, { content: Buffer.from(body.base64, "base64"), contentType: body.contentType ?? "application/octet-stream" });
    return send(200, { ok: true });
  }
  return send(404, { error: "unknown control endpoint" });
}

export function startFakeDiscord(port = 0) {
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url, "http://fake");
    if (url.pathname.startsWith("/__fake/")) return control(url, raw, res);
    const reply = ({ status, body }, headers = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(body === null ? undefined : JSON.stringify(body));
    };

    // The CDN: attachment files by path.
    if (req.method === "GET" && url.pathname.startsWith("/attachments/")) {
      const file = files.get(url.pathname.slice(1));
      if (!file) return reply({ status: 404, body: { message: "Not Found", code: 0 } });
      res.writeHead(200, { "content-type": file.contentType, "content-length": file.content.length });
      return res.end(file.content);
    }
    if (!url.pathname.startsWith(`${API}/`)) return reply(fail(404, 0, "404: Not Found"));
    const path = url.pathname.slice(API.length);

    const webhook = path.match(/^\/webhooks\/(\d+)\//);
    let app;
    if (webhook) {
      app = apps.get(webhook[1]);
      if (!app) return reply(fail(404, 10015, "Unknown Webhook"));
    } else {
      const auth = req.headers.authorization ?? "";
      app = auth.startsWith("Bot ") ? byToken.get(auth.slice(4)) : undefined;
      if (!app) return reply(fail(401, 0, "401: Unauthorized"));
    }

    const type = req.headers["content-type"] ?? "";
    let body = null;
    let uploaded = [];
    try {
      if (type.includes("multipart/form-data")) {
        const parts = parseMultipart(type, raw);
        body = JSON.parse(parts.payload_json ?? "{}");
        uploaded = Object.entries(parts)
          .filter(([name]) => /^files\[\d+\]$/.test(name))
          .map(([, file]) => file);
      } else if (raw.length) {
        if (!type.includes("application/json")) return reply(fail(400, 50035, "Invalid Form Body"));
        body = JSON.parse(raw.toString("utf8"));
      }
    } catch (error) {
      return reply(fail(400, 50109, `The request body contains invalid JSON. (${error.message})`));
    }
    const call = { method: req.method, path, body, files: uploaded, userAgent: req.headers["user-agent"] ?? null, at: Date.now() };
    app.calls.push(call);

    const failure = app.failures.find((f) => f.times > 0 && f.method === req.method && new RegExp(f.path).test(path));
    if (failure) {
      failure.times -= 1;
      call.failed = failure.status;
      if (failure.status === 429) {
        const retryAfter = failure.retryAfter ?? 1;
        return reply(
          { status: 429, body: { message: "You are being rate limited.", retry_after: retryAfter, global: failure.global ?? false } },
          { "retry-after": String(Math.ceil(retryAfter)), "x-ratelimit-scope": failure.global ? "global" : "user" },
        );
      }
      return reply(fail(failure.status, failure.code ?? 0, failure.message ?? `HTTP ${failure.status}`));
    }
    const answer = webhook ? webhookRoute(app, req.method, path, body) : route(app, req.method, path, body, uploaded);
    call.status = answer.status;
    reply(answer);
  });
  return new Promise((resolve) => {
    server.listen(port, "127.0.0.1", () => {
      const { port: bound } = server.address();
      const origin = `http://127.0.0.1:${bound}`;
      resolve({ port: bound, origin, url: `${origin}${API}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

// `node test/fakes/discord-api.mjs [port]` serves it for local runs.
if (import.meta.url === `file://${process.argv[1]}`) {
  const fake = await startFakeDiscord(Number(process.argv[2] ?? 8082));
  console.log(`fake Discord API on ${fake.url}`);
}
