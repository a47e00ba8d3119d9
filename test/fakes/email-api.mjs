// A fake of Resend's HTTP API for tests and local runs: the real paths (POST /emails, GET
// /domains), the real request encoding (JSON, `Authorization: Bearer re_…`, `Idempotency-Key`,
// attachments as base64 `content`) and the real answers ({id}; errors as {statusCode, name,
// message}). It records every call per API key and can be told to fail the next calls.
// Keys: `re_invalid…` is refused, `re_sendonly…` may only send (GET /domains → 401
// restricted_api_key). Every account has the domains acme.test (verified) and pending.test
// (pending). Control endpoints live under /__fake/ and are not part of Resend's API.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";

const accounts = new Map();

function accountFor(key) {
  let account = accounts.get(key);
  if (!account) {
    account = { calls: [], failures: [], sent: new Map() };
    accounts.set(key, account);
  }
  return account;
}

const error = (statusCode, name, message, headers = {}) => ({ status: statusCode, headers, body: { statusCode, name, message } });

const DOMAINS = [
  { id: "d-acme", name: "acme.test", status: "verified", created_at: "2026-01-01T00:00:00.000Z", region: "us-east-1" },
  { id: "d-pending", name: "pending.test", status: "pending", created_at: "2026-01-01T00:00:00.000Z", region: "us-east-1" },
];

function sendEmail(account, key, body, idempotencyKey) {
  for (const field of ["from", "to", "subject"]) {
    if (!body[field] || (Array.isArray(body[field]) && body[field].length === 0)) return error(422, "missing_required_field", `Missing \`${field}\` field.`);
  }
  if (!body.text && !body.html) return error(422, "missing_required_field", "Missing `html` or `text` field.");
  const domain = /@([^>\s]+)>?\s*$/.exec(body.from)?.[1];
  if (!DOMAINS.some((d) => d.name === domain && d.status === "verified")) {
    return error(403, "validation_error", `The ${domain} domain is not verified. Please, add and verify your domain on https://resend.com/domains`);
  }
  for (const file of body.attachments ?? []) {
    if (!file.filename || typeof file.content !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(file.content)) {
      return error(422, "invalid_attachment", "Attachment must have a filename and base64 content.");
    }
  }
  if (idempotencyKey && account.sent.has(idempotencyKey)) return { status: 200, headers: {}, body: { id: account.sent.get(idempotencyKey) } };
  const id = randomUUID();
  if (idempotencyKey) account.sent.set(idempotencyKey, id);
  return { status: 200, headers: {}, body: { id } };
}

function answer(account, key, method, path, body, headers) {
  if (!key) return error(401, "missing_api_key", "Missing API key in the authorization header.");
  if (key.startsWith("re_invalid")) return error(401, "validation_error", "API key is invalid");
  const failure = account.failures.find((f) => (f.path ?? "/emails") === path && f.times > 0);
  if (failure) {
    failure.times -= 1;
    return error(failure.status, failure.name, failure.message, failure.retryAfter ? { "retry-after": String(failure.retryAfter) } : {});
  }
  if (method === "GET" && path === "/domains") {
    if (key.startsWith("re_sendonly")) return error(401, "restricted_api_key", "This API key is restricted to only send emails.");
    return { status: 200, headers: {}, body: { object: "list", has_more: false, data: DOMAINS } };
  }
  if (method === "POST" && path === "/emails") return sendEmail(account, key, body, headers["idempotency-key"]);
  return error(404, "not_found", "The requested endpoint does not exist.");
}

async function control(url, raw, res) {
  const send = (status, body) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const key = url.searchParams.get("key");
  if (url.pathname === "/__fake/calls" && key) return send(200, accountFor(key).calls);
  if (url.pathname === "/__fake/fail") {
    const body = JSON.parse(raw.toString("utf8"));
    accountFor(body.key).failures.push({ times: 1, ...body });
    return send(200, { ok: true });
  }
  return send(404, { error: "unknown control endpoint" });
}

export function startFakeEmailApi(port = 0) {
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url, "http://fake");
    if (url.pathname.startsWith("/__fake/")) return control(url, raw, res);

    const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? null;
    let body = {};
    if (req.method === "POST") {
      if (!(req.headers["content-type"] ?? "").includes("application/json")) {
        res.writeHead(422, { "content-type": "application/json" });
        res.end(JSON.stringify({ statusCode: 422, name: "validation_error", message: "Content-Type must be application/json" }));
        return;
      }
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ statusCode: 400, name: "validation_error", message: "Invalid JSON body" }));
        return;
      }
    }
    const account = accountFor(key ?? "");
    const result = answer(account, key, req.method, url.pathname, body, req.headers);
    account.calls.push({
      method: req.method,
      path: url.pathname,
      headers: { "idempotency-key": req.headers["idempotency-key"] ?? null, "content-length": req.headers["content-length"] ?? null },
      body,
      status: result.status,
      response: result.body,
      at: Date.now(),
    });
    res.writeHead(result.status, { "content-type": "application/json", ...result.headers });
    res.end(JSON.stringify(result.body));
  });
  return new Promise((resolve) => {
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      resolve({ port: address.port, url: `http://127.0.0.1:${address.port}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

// `node test/fakes/email-api.mjs [port]` serves it for local runs (EMAIL_API_BASE_URL=http://127.0.0.1:<port>).
if (import.meta.url === `file://${process.argv[1]}`) {
  const fake = await startFakeEmailApi(Number(process.argv[2] ?? 8084));
  console.log(`fake Resend API on ${fake.url}`);
}
