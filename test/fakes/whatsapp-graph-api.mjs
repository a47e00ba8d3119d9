// A fake WhatsApp Cloud API (Meta's Graph API) for tests and local runs: the real paths
// (/{version}/{phone-number-id}, …/messages, …/media, /{version}/{media-id},
// /{version}/{waba-id}/subscribed_apps, and a lookaside-style download URL), bearer tokens, JSON
// and multipart requests, the real success shapes and Graph's error envelope
// {error:{message,type,code,error_subcode,error_data,fbtrace_id}}. It keeps a call log per account
// (phone number id or business account id) and can be told to fail the next call of a kind.
// Control endpoints live under /__fake/ and are not part of Meta's API.
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";

/** phone number id → {id, token, displayPhoneNumber, verifiedName, businessAccountId} */
const numbers = new Map();
/** business account id → token */
const businessAccounts = new Map();
/** media id → {phoneNumberId, mimeType, content, sha256, fileName} */
const media = new Map();
/** account id → [{op, method, path, version, query, body, authorization, at}] */
const calls = new Map();
/** account id → [{op, times, status, error, headers, network}] */
const failures = new Map();
let sequence = 0;

const trace = () => `A${randomBytes(11).toString("base64url")}`;
const graphError = (status, error) => ({ status, body: { error: { type: "OAuthException", fbtrace_id: trace(), ...error } } });
const invalidToken = () => graphError(401, { message: "Invalid OAuth access token - Cannot parse access token", code: 190 });
const unknownObject = (id) =>
  graphError(400, {
    message: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    type: "GraphMethodException",
    code: 100,
    error_subcode: 33,
  });
const invalidParameter = (message, details) =>
  graphError(400, { message: `(#100) ${message}`, code: 100, error_data: { messaging_product: "whatsapp", details: details ?? message } });

/** The token a request carries, if it is one Meta would accept at all. */
function tokenOf(req) {
  const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "");
  if (!match) return null;
  const token = match[1];
  return token.startsWith("EAA") && !/invalid|expired/i.test(token) ? token : null;
}

function log(account, entry) {
  if (!calls.has(account)) calls.set(account, []);
  calls.get(account).push({ ...entry, at: Date.now() });
}

function takeFailure(account, op) {
  const list = failures.get(account) ?? [];
  const failure = list.find((f) => (f.op === op || f.op === "*") && f.times > 0);
  if (!failure) return null;
  failure.times -= 1;
  return failure;
}

/** multipart/form-data: text fields as strings, files as {fileName, type, size, base64, content}. */
function parseMultipart(type, raw) {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(type);
  if (!boundary) throw new Error("multipart body without a boundary");
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2].trim()}`);
  const fields = {};
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
    const disposition = headers.split("\r\n").find((line) => /^content-disposition:/i.test(line)) ?? "";
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1] ?? "";
    const fileName = /filename="([^"]*)"/i.exec(disposition)?.[1];
    const contentType = /^content-type:\s*(.*)$/im.exec(headers)?.[1].trim() ?? "";
    fields[name] =
      fileName !== undefined ? { fileName, type: contentType, size: content.length, base64: content.toString("base64"), content } : content.toString("utf8");
    at = next;
  }
  return fields;
}

const MEDIA_TYPES = ["image", "video", "audio", "document", "sticker"];

function sendMessage(number, body) {
  if (body?.messaging_product !== "whatsapp") return invalidParameter("The parameter messaging_product is required.");
  if (body.status === "read") {
    return typeof body.message_id === "string" ? { status: 200, body: { success: true } } : invalidParameter("The parameter message_id is required.");
  }
  const to = body.to ?? body.recipient;
  if (typeof to !== "string" || !to) return invalidParameter("The parameter to is required.");
  const type = body.type ?? "text";
  if (type === "text") {
    const text = body.text?.body;
    if (typeof text !== "string" || !text.trim()) return invalidParameter("Param text['body'] is required.");
    if ([...text].length > 4096) return invalidParameter("Param text['body'] must be at most 4096 characters long.");
  } else if (MEDIA_TYPES.includes(type)) {
    const object = body[type];
    if (!object || (!object.id && !object.link)) return invalidParameter(`Param ${type}['id'] or ${type}['link'] is required.`);
    if (object.id && media.get(object.id)?.phoneNumberId !== number.id) {
      return graphError(400, { message: "(#131053) Media upload error", code: 131053, error_data: { messaging_product: "whatsapp", details: `Unknown media id ${object.id}` } });
    }
    if (object.caption !== undefined && type !== "image" && type !== "video" && type !== "document") {
      return invalidParameter(`Param ${type}['caption'] is not allowed.`);
    }
  } else if (type === "template") {
    if (!body.template?.name) return invalidParameter("Param template['name'] is required.");
    if (!body.template?.language?.code) return invalidParameter("Param template['language']['code'] is required.");
  } else if (type !== "interactive" && type !== "reaction" && type !== "location" && type !== "contacts") {
    return invalidParameter(`Param type must be one of {AUDIO, CONTACTS, DOCUMENT, IMAGE, INTERACTIVE, LOCATION, REACTION, STICKER, TEMPLATE, TEXT, VIDEO} - got "${type}".`);
  }
  sequence += 1;
  const id = `wamid.${Buffer.from(`HBgL${to}FQIAERgS${number.id}${String(sequence).padStart(8, "0")}`).toString("base64")}`;
  return {
    status: 200,
    body: {
      messaging_product: "whatsapp",
      contacts: [body.to ? { input: body.to, wa_id: body.to } : { input: to, user_id: to }],
      messages: [{ id, message_status: "accepted" }],
    },
    sent: { id, to, type, body },
  };
}

function uploadMedia(number, fields) {
  if (fields.messaging_product !== "whatsapp") return invalidParameter("The parameter messaging_product is required.");
  const file = fields.file;
  if (!file || typeof file !== "object") return invalidParameter("The parameter file is required.");
  sequence += 1;
  const id = String(4490709327380000 + sequence);
  media.set(id, {
    phoneNumberId: number.id,
    mimeType: fields.type || file.type || "application/octet-stream",
    content: file.content,
    sha256: createHash("sha256").update(file.content).digest("base64"),
    fileName: file.fileName,
  });
  return { status: 200, body: { id } };
}

function mediaInfo(id, query, base) {
  const stored = media.get(id);
  const restrictTo = query.get("phone_number_id");
  if (!stored || (restrictTo && stored.phoneNumberId !== restrictTo)) return unknownObject(id);
  // Real URLs live on lookaside.fbsbx.com and stop working after five minutes.
  const url = `${base}/whatsapp_business/attachments/?mid=${id}&ext=${Math.floor(Date.now() / 1000) + 300}&hash=${trace()}`;
  return {
    status: 200,
    body: { messaging_product: "whatsapp", url, mime_type: stored.mimeType, sha256: stored.sha256, file_size: String(stored.content.length), id },
  };
}

function send(res, { status, body, headers = {} }) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

async function control(url, raw, res) {
  const body = raw.length ? JSON.parse(raw.toString("utf8")) : {};
  const ok = (result = { ok: true }) => send(res, { status: 200, body: result });
  switch (url.pathname) {
    case "/__fake/numbers":
      numbers.set(body.phoneNumberId, {
        id: body.phoneNumberId,
        token: body.accessToken,
        displayPhoneNumber: body.displayPhoneNumber ?? `+1 555-${String(body.phoneNumberId).slice(-7, -4)}-${String(body.phoneNumberId).slice(-4)}`,
        verifiedName: body.verifiedName ?? "Parley Test Business",
        businessAccountId: body.businessAccountId ?? null,
      });
      if (body.businessAccountId) businessAccounts.set(body.businessAccountId, body.accessToken);
      return ok();
    case "/__fake/media":
      media.set(body.mediaId, {
        phoneNumberId: body.phoneNumberId,
        mimeType: body.mimeType,
        content: Buffer.from(body.base64, "base64"),
        sha256: createHash("sha256").update(Buffer.from(body.base64, "base64")).digest("base64"),
        fileName: body.fileName ?? null,
      });
      return ok();
    case "/__fake/calls":
      return ok(calls.get(url.searchParams.get("account")) ?? []);
    case "/__fake/fail": {
      if (!failures.has(body.account)) failures.set(body.account, []);
      failures.get(body.account).push({ times: 1, status: 400, ...body });
      return ok();
    }
    default:
      return send(res, { status: 404, body: { error: "unknown control endpoint" } });
  }
}

/** The answer to one Graph call, after the failure controls had their say. */
function route(req, url, raw, base) {
  const download = url.pathname === "/whatsapp_business/attachments/";
  if (download) {
    const id = url.searchParams.get("mid");
    const stored = media.get(id);
    const account = stored?.phoneNumberId ?? "media";
    log(account, { op: "download", method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), authorization: req.headers.authorization ?? null });
    const failure = takeFailure(account, "download");
    if (failure) return { failure };
    // "A generic GET … will not return the media; you must include an access token."
    if (!tokenOf(req)) return { status: 401, raw: "", contentType: "text/plain" };
    if (!stored || Number(url.searchParams.get("ext")) * 1000 < Date.now()) return { status: 404, raw: "", contentType: "text/plain" };
    return { status: 200, raw: stored.content, contentType: stored.mimeType };
  }

  const match = /^\/(v\d+\.\d+)\/([^/]+)(?:\/([a-z_]+))?\/?$/.exec(url.pathname);
  if (!match) return graphError(400, { message: "Unknown path components", code: 2500 });
  const [, version, id, edge] = match;
  const op = edge ?? (numbers.has(id) ? "phone" : "media_info");
  const account = op === "media_info" ? (url.searchParams.get("phone_number_id") ?? media.get(id)?.phoneNumberId ?? "media") : id;
  let body = null;
  const type = req.headers["content-type"] ?? "";
  try {
    if (type.includes("application/json")) body = raw.length ? JSON.parse(raw.toString("utf8")) : {};
    else if (type.includes("multipart/form-data")) body = parseMultipart(type, raw);
  } catch (error) {
    return invalidParameter(`Could not parse the request body: ${error.message}`);
  }
  const logged = body && typeof body === "object" ? Object.fromEntries(Object.entries(body).map(([k, v]) => [k, v?.content ? { ...v, content: undefined } : v])) : body;
  log(account, { op, method: req.method, path: url.pathname, version, query: Object.fromEntries(url.searchParams), body: logged, authorization: req.headers.authorization ?? null });
  const failure = takeFailure(account, op);
  if (failure) return { failure };

  const token = tokenOf(req);
  if (!token) return invalidToken();
  if (op === "subscribed_apps") {
    if (req.method !== "POST" && req.method !== "GET") return unknownObject(id);
    if (businessAccounts.get(id) !== token) return unknownObject(id);
    return { status: 200, body: { success: true } };
  }
  if (op === "media_info") return req.method === "GET" ? mediaInfo(id, url.searchParams, base) : unknownObject(id);
  const number = numbers.get(id);
  if (!number || number.token !== token) return unknownObject(id);
  if (op === "phone" && req.method === "GET") {
    return {
      status: 200,
      body: { id: number.id, display_phone_number: number.displayPhoneNumber, verified_name: number.verifiedName, quality_rating: "GREEN" },
    };
  }
  if (op === "messages" && req.method === "POST") return sendMessage(number, body);
  if (op === "media" && req.method === "POST") return body && typeof body === "object" ? uploadMedia(number, body) : invalidParameter("The parameter file is required.");
  return unknownObject(`${id}/${edge}`);
}

export function startFakeWhatsApp(port = 0) {
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url, "http://fake");
    if (url.pathname.startsWith("/__fake/")) return control(url, raw, res);
    const base = `http://${req.headers.host}`;
    const answer = route(req, url, raw, base);
    if (answer.failure) {
      const f = answer.failure;
      if (f.network) {
        req.socket.destroy();
        return;
      }
      return send(res, { status: f.status, body: { error: { type: "OAuthException", fbtrace_id: trace(), ...f.error } }, headers: f.headers ?? {} });
    }
    if (answer.raw !== undefined) {
      res.writeHead(answer.status, { "content-type": answer.contentType, "content-length": answer.raw.length });
      res.end(answer.raw);
      return;
    }
    send(res, answer);
  });
  return new Promise((resolve) => {
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      resolve({ port: address.port, url: `http://127.0.0.1:${address.port}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

// `node test/fakes/whatsapp-graph-api.mjs [port]` serves it for local runs and benchmarks.
if (import.meta.url === `file://${process.argv[1]}`) {
  const fake = await startFakeWhatsApp(Number(process.argv[2] ?? 8082));
  console.log(`fake WhatsApp Cloud API on ${fake.url}`);
}
