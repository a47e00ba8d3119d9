// A fake Twilio REST API (2010-04-01) for tests and local runs: the real paths
// (/2010-04-01/Accounts/{AccountSid}.json, …/Messages.json, …/Calls.json, media and recording
// URLs), form-encoded requests with HTTP Basic auth checked against the account's Auth Token,
// the real JSON resources (snake_case, string counts, RFC 2822 dates) and the real error
// envelope {code, message, more_info, status}. Media and recording URLs answer with a redirect to
// the file, as Twilio's do. It records every API call per account and can be told to fail the
// next ones. Control endpoints live under /__fake/ and are not part of Twilio's API.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";

const accounts = new Map();
/** Files behind the redirects: id → {contentType, content}. */
const files = new Map();

const sid = (prefix) => `${prefix}${randomBytes(16).toString("hex")}`;
const rfc2822 = (date = new Date()) => date.toUTCString().replace("GMT", "+0000");
const e164 = /^\+[1-9]\d{6,14}$/;

function accountFor(accountSid) {
  return accounts.get(accountSid);
}

const error = (status, code, message) => ({
  status,
  body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
});

/** Form fields; a repeated field (MediaUrl, StatusCallbackEvent) becomes an array. */
function readForm(raw) {
  const params = {};
  for (const [key, value] of new URLSearchParams(raw.toString("utf8"))) {
    if (key in params) params[key] = [...[params[key]].flat(), value];
    else params[key] = value;
  }
  return params;
}

/** The account the Basic credentials open, or null. */
function authenticate(req) {
  const header = req.headers.authorization ?? "";
  const match = /^Basic (.+)$/i.exec(header);
  if (!match) return null;
  const [user, ...rest] = Buffer.from(match[1], "base64").toString("utf8").split(":");
  const account = accountFor(user);
  return account && account.authToken === rest.join(":") ? account : null;
}

function takeFailure(account, endpoint) {
  const failure = account.failures.find((f) => f.endpoint === endpoint && f.times > 0);
  if (!failure) return null;
  failure.times -= 1;
  return failure;
}

function accountResource(account) {
  return {
    sid: account.sid,
    owner_account_sid: account.sid,
    friendly_name: account.friendlyName,
    status: account.status,
    type: account.type,
    auth_token: account.authToken,
    date_created: rfc2822(account.createdAt),
    date_updated: rfc2822(account.createdAt),
    uri: `/2010-04-01/Accounts/${account.sid}.json`,
    subresource_uris: {
      messages: `/2010-04-01/Accounts/${account.sid}/Messages.json`,
      calls: `/2010-04-01/Accounts/${account.sid}/Calls.json`,
    },
  };
}

function createMessage(account, params) {
  const to = params.To;
  const media = [params.MediaUrl ?? []].flat();
  if (!to) return error(400, 21604, "A 'To' phone number is required.");
  if (!e164.test(to)) return error(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
  if (!params.From && !params.MessagingServiceSid) return error(400, 21603, "A 'From' phone number is required.");
  if (!params.Body && media.length === 0) return error(400, 21619, "A text message body or media urls must be specified.");
  if ((params.Body ?? "").length > 1600) return error(400, 21617, "The concatenated message body exceeds the 1600 character limit.");
  if (media.length > 10) return error(400, 21623, "Number of media files exceeds allowed limit.");
  const now = new Date();
  const messageSid = sid(media.length > 0 ? "MM" : "SM");
  const resource = {
    sid: messageSid,
    account_sid: account.sid,
    messaging_service_sid: params.MessagingServiceSid ?? null,
    from: params.From ?? null,
    to,
    body: params.Body ?? "",
    status: params.MessagingServiceSid ? "accepted" : "queued",
    direction: "outbound-api",
    num_segments: String(Math.max(1, Math.ceil((params.Body ?? "").length / 153))),
    num_media: String(media.length),
    error_code: null,
    error_message: null,
    price: null,
    price_unit: "USD",
    api_version: "2010-04-01",
    date_created: rfc2822(now),
    date_sent: null,
    date_updated: rfc2822(now),
    uri: `/2010-04-01/Accounts/${account.sid}/Messages/${messageSid}.json`,
    subresource_uris: { media: `/2010-04-01/Accounts/${account.sid}/Messages/${messageSid}/Media.json` },
  };
  return { status: 201, body: resource };
}

function createCall(account, params) {
  if (!params.To) return error(400, 21201, "No 'To' number is specified");
  if (!params.From) return error(400, 21213, "No 'From' number is specified");
  if (!e164.test(params.To)) return error(400, 21217, `Phone number ${params.To} is not a valid phone number`);
  if (!params.Url && !params.Twiml && !params.ApplicationSid) return error(400, 21205, "Url parameter is required.");
  if (params.Twiml && params.Twiml.length > 4000) return error(400, 13002, "Twiml parameter exceeds the 4000 character limit");
  const now = new Date();
  const callSid = sid("CA");
  return {
    status: 201,
    body: {
      sid: callSid,
      account_sid: account.sid,
      parent_call_sid: null,
      to: params.To,
      to_formatted: params.To,
      from: params.From,
      from_formatted: params.From,
      status: "queued",
      start_time: null,
      end_time: null,
      duration: null,
      direction: "outbound-api",
      answered_by: null,
      price: null,
      price_unit: "USD",
      api_version: "2010-04-01",
      caller_name: null,
      date_created: rfc2822(now),
      date_updated: rfc2822(now),
      uri: `/2010-04-01/Accounts/${account.sid}/Calls/${callSid}.json`,
      subresource_uris: { recordings: `/2010-04-01/Accounts/${account.sid}/Calls/${callSid}/Recordings.json` },
    },
  };
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function send(res, { status, body, headers = {} }) {
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(text);
}

function redirect(res, location) {
  res.writeHead(302, { location, "content-type": "text/plain" });
  res.end(`Found. Redirecting to ${location}`);
}

/** Control endpoints: accounts, media, recordings, failures, the call log. */
async function control(req, res, url, origin) {
  const raw = await readBody(req);
  const input = raw.length ? JSON.parse(raw.toString("utf8")) : {};
  switch (`${req.method} ${url.pathname}`) {
    case "POST /__fake/accounts": {
      const account = {
        sid: input.sid ?? sid("AC"),
        authToken: input.authToken ?? randomBytes(16).toString("hex"),
        friendlyName: input.friendlyName ?? "Parley test account",
        status: input.status ?? "active",
        type: input.type ?? "Full",
        createdAt: new Date(),
        calls: [],
        failures: [],
      };
      accounts.set(account.sid, account);
      return send(res, { status: 201, body: { sid: account.sid, authToken: account.authToken } });
    }
    case "POST /__fake/media": {
      const account = accountFor(input.account);
      if (!account) return send(res, { status: 404, body: { error: "no such account" } });
      const messageSid = input.messageSid ?? sid("MM");
      const mediaSid = input.mediaSid ?? sid("ME");
      files.set(`${account.sid}/${mediaSid}`, { contentType: input.contentType, content: Buffer.from(input.base64, "base64") });
      return send(res, { status: 201, body: { url: `${origin}/2010-04-01/Accounts/${account.sid}/Messages/${messageSid}/Media/${mediaSid}`, mediaSid } });
    }
    case "POST /__fake/recordings": {
      const account = accountFor(input.account);
      if (!account) return send(res, { status: 404, body: { error: "no such account" } });
      const recordingSid = input.recordingSid ?? sid("RE");
      files.set(`${account.sid}/${recordingSid}`, { contentType: "audio/mpeg", content: Buffer.from(input.base64, "base64") });
      return send(res, { status: 201, body: { url: `${origin}/2010-04-01/Accounts/${account.sid}/Recordings/${recordingSid}`, recordingSid } });
    }
    case "POST /__fake/fail": {
      const account = accountFor(input.account);
      if (!account) return send(res, { status: 404, body: { error: "no such account" } });
      account.failures.push({ times: 1, ...input });
      return send(res, { status: 200, body: { ok: true } });
    }
    case "GET /__fake/calls": {
      const account = accountFor(url.searchParams.get("account"));
      return send(res, { status: 200, body: account ? account.calls : [] });
    }
    default:
      return send(res, { status: 404, body: { error: "unknown control" } });
  }
}

/** A file behind a media or recording URL: Basic auth, then a redirect to the bytes. */
function fileRoute(req, res, account, fileKey, origin) {
  if (!files.has(fileKey)) return send(res, error(404, 20404, `The requested resource ${new URL(req.url, origin).pathname} was not found`));
  return redirect(res, `${origin}/__fake/files/${encodeURIComponent(fileKey)}`);
}

async function api(req, res, url, origin) {
  const match = /^\/2010-04-01\/Accounts\/([^/.]+)(\.json|\/.*)?$/.exec(url.pathname);
  if (!match) return send(res, error(404, 20404, `The requested resource ${url.pathname} was not found`));
  const [, accountSid, rest = ""] = match;
  const raw = await readBody(req);
  const params = req.method === "POST" ? readForm(raw) : Object.fromEntries(url.searchParams);
  const caller = authenticate(req);
  const account = accountFor(accountSid);
  if (account) {
    account.calls.push({ method: req.method, path: url.pathname, params, authenticated: caller === account, at: Date.now() });
  }
  if (!caller) {
    return send(res, { ...error(401, 20003, "Authenticate"), headers: { "www-authenticate": 'Basic realm="Twilio API"' } });
  }
  if (caller !== account) return send(res, error(404, 20404, `The requested resource ${url.pathname} was not found`));

  const endpoint =
    rest === ".json"
      ? "Account"
      : rest === "/Messages.json"
        ? "Messages"
        : rest === "/Calls.json"
          ? "Calls"
          : /^\/Messages\/[^/]+\/Media\//.test(rest)
            ? "Media"
            : /^\/Recordings\//.test(rest)
              ? "Recordings"
              : null;
  const failure = endpoint ? takeFailure(account, endpoint) : null;
  if (failure?.network) {
    req.socket.destroy();
    return;
  }
  if (failure) {
    const headers = failure.retryAfter ? { "retry-after": String(failure.retryAfter) } : {};
    const body = failure.code ? error(failure.status, failure.code, failure.message ?? "Failure").body : undefined;
    return send(res, { status: failure.status, body, headers });
  }

  if (req.method === "GET" && endpoint === "Account") return send(res, { status: 200, body: accountResource(account) });
  if (req.method === "POST" && endpoint === "Messages") return send(res, createMessage(account, params));
  if (req.method === "POST" && endpoint === "Calls") return send(res, createCall(account, params));
  if (req.method === "GET" && endpoint === "Media") return fileRoute(req, res, account, `${account.sid}/${rest.split("/").pop()}`, origin);
  if (req.method === "GET" && endpoint === "Recordings") {
    const recordingSid = rest.split("/").pop().replace(/\.(mp3|wav)$/, "");
    return fileRoute(req, res, account, `${account.sid}/${recordingSid}`, origin);
  }
  return send(res, error(405, 20004, "Method not allowed"));
}

export async function startFakeTwilio(port = 0) {
  const server = createServer(async (req, res) => {
    const origin = `http://${req.headers.host}`;
    const url = new URL(req.url, origin);
    try {
      if (url.pathname.startsWith("/__fake/files/")) {
        const file = files.get(decodeURIComponent(url.pathname.slice("/__fake/files/".length)));
        if (!file) return send(res, { status: 404, body: { error: "no such file" } });
        res.writeHead(200, { "content-type": file.contentType, "content-length": String(file.content.length) });
        return res.end(file.content);
      }
      if (url.pathname.startsWith("/__fake/")) return await control(req, res, url, origin);
      return await api(req, res, url, origin);
    } catch (err) {
      send(res, { status: 500, body: { code: 20500, message: String(err), more_info: "https://www.twilio.com/docs/errors/20500", status: 500 } });
    }
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: actual } = server.address();
  return {
    url: `http://127.0.0.1:${actual}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// `node test/fakes/twilio-api.mjs [port]` runs it on its own for local runs.
if (import.meta.url === `file://${process.argv[1]}`) {
  const fake = await startFakeTwilio(Number(process.argv[2] ?? 8789));
  console.log(`fake Twilio API at ${fake.url}`);
}
